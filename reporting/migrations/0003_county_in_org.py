"""State only: the foreign keys now name ``org.Organisation``; the table they point at is the same one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_organisation_tree_from_members"),
        ("reporting", "0002_targets_ranking_bulletins"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="monthlyreport",
                    name="county",
                    field=models.ForeignKey(limit_choices_to={"kind": "county"}, on_delete=django.db.models.deletion.PROTECT, related_name="monthly_reports", to="org.organisation", verbose_name="county federation"),
                ),
                migrations.AlterField(
                    model_name="target",
                    name="county",
                    field=models.ForeignKey(limit_choices_to={"kind": "county"}, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.organisation", verbose_name="county federation"),
                ),
            ],
        ),
    ]
