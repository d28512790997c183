from django.db import migrations

from unionportal.core.migration_ops import c_collation


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0001_plans_enrolment_claims")]

    operations = [
        c_collation("mutualaid_enrolmentbatch", "org_path"),
        c_collation("mutualaid_policy", "org_path"),
        c_collation("mutualaid_claim", "org_path"),
    ]
