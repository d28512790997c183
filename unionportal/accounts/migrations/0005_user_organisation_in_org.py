"""State only: the foreign keys now name ``org.Organisation``; the table they point at is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_organisation_tree_from_members"),
        ("accounts", "0004_user_member"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="user",
                    name="organisation",
                    field=models.ForeignKey(blank=True, help_text="The user sees this organisation and everything under it.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="staff", to="org.organisation", verbose_name="organisation"),
                ),
            ],
        ),
    ]
