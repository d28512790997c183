"""The organisation tree now lives in ``org`` (``org.0001``): the members' foreign keys name it, and the two
models leave the members' state. State only: tables, rows and constraints stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_account_codes"),
        ("org", "0001_organisation_tree_from_members"),
        # Every other app's key to the tree must name org.Organisation before the members' model goes.
        ("accounts", "0005_user_organisation_in_org"),
        ("mutualaid", "0009_enrolmentbatch_organisation_in_org"),
        ("reporting", "0003_county_in_org"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='member',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='members', to='org.organisation', verbose_name='union'),
                ),
                migrations.AlterField(
                    model_name='enterprise',
                    name='county',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='drive_enterprises', to='org.organisation', verbose_name='county'),
                ),
                migrations.AlterField(
                    model_name='rosterimport',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='roster_imports', to='org.organisation', verbose_name='union'),
                ),
                migrations.AlterField(
                    model_name='enterprise',
                    name='union',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='drive_entries', to='org.organisation', verbose_name='union'),
                ),
                migrations.AlterField(
                    model_name='transfer',
                    name='from_organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_out', to='org.organisation', verbose_name='from union'),
                ),
                migrations.AlterField(
                    model_name='certificatecase',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificate_cases', to='org.organisation', verbose_name='union'),
                ),
                migrations.AlterField(
                    model_name='membershipperiod',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.organisation', verbose_name='union'),
                ),
                migrations.AlterField(
                    model_name='transfer',
                    name='to_organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers_in', to='org.organisation', verbose_name='to union'),
                ),
                migrations.DeleteModel(
                    name='OrganisationEvent',
                ),
                migrations.DeleteModel(
                    name='Organisation',
                ),
            ],
        ),
    ]
