"""State only: the foreign keys now name ``org.Organisation``; the table they point at is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_organisation_tree_from_members"),
        ("mutualaid", "0008_claim_breakdown_as_assessed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="enrolmentbatch",
                    name="organisation",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="enrolment_batches", to="org.organisation", verbose_name="union"),
                ),
            ],
        ),
    ]
