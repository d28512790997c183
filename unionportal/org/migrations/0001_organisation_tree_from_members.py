"""The organisation tree moves from ``members`` to the ground-floor ``org`` app (issue 10).

State only: the tables keep their names (``members_organisation``, ``members_organisationevent``), so no row and
no constraint is touched. ``members.0006`` removes the two models from the members' state once every foreign key
points here. The content types follow (same ids), so the permissions (now ``org.*_organisation``) and the audit
log's entries keep pointing at the same rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["organisation", "organisationevent"]


def content_types_to_org(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="members", model__in=MOVED).update(app_label="org")


def content_types_to_members(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="org", model__in=MOVED).update(app_label="members")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0005_account_codes"),
        ("accounts", "0004_user_member"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('path', models.CharField(max_length=255, unique=True)),
                        ('depth', models.PositiveIntegerField()),
                        ('numchild', models.PositiveIntegerField(default=0)),
                        ('kind', models.CharField(choices=[('city', 'City federation of trade unions'), ('county', 'County or district federation'), ('township', 'Township or street federation'), ('industry', 'Industry federation'), ('park', 'Industrial park or development zone federation'), ('grassroots', 'Grassroots union'), ('group', 'Union group')], max_length=16, verbose_name='kind')),
                        ('code', models.CharField(help_text='Administrative code or union code, unique city-wide.', max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=100, verbose_name='official name')),
                        ('short_name', models.CharField(blank=True, max_length=50, verbose_name='short name')),
                        ('credit_code', models.CharField(blank=True, help_text='Unified social credit code of the union itself; starts with 81.', max_length=18, null=True, unique=True, verbose_name='union credit code')),
                        ('employer_name', models.CharField(blank=True, max_length=100, verbose_name='employer')),
                        ('employer_credit_code', models.CharField(blank=True, db_index=True, max_length=18, verbose_name='employer credit code')),
                        ('employer_nature', models.CharField(blank=True, choices=[('enterprise', 'Enterprise'), ('government', 'Government body'), ('institution', 'Public institution'), ('social', 'Social organisation'), ('village', 'Village or community'), ('other', 'Other')], max_length=16, verbose_name='employer nature')),
                        ('industry', models.CharField(blank=True, max_length=50, verbose_name='industry')),
                        ('employee_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='employees')),
                        ('founded_on', models.DateField(blank=True, null=True, verbose_name='founded on')),
                        ('term_ends_on', models.DateField(blank=True, null=True, verbose_name='term of office ends on')),
                        ('chair_name', models.CharField(blank=True, max_length=50, verbose_name='chair')),
                        ('chair_full_time', models.BooleanField(blank=True, null=True, verbose_name='full-time chair')),
                        ('chair_phone', models.CharField(blank=True, max_length=11, verbose_name="chair's phone")),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='address')),
                        ('has_women_committee', models.BooleanField(default=False, verbose_name="women workers' committee")),
                        ('has_audit_committee', models.BooleanField(default=False, verbose_name='funds audit committee')),
                        ('has_workers_congress', models.BooleanField(default=False, verbose_name="workers' congress")),
                        ('has_collective_contract', models.BooleanField(default=False, verbose_name='collective contract')),
                        ('certificate_number', models.CharField(blank=True, max_length=40, verbose_name='legal-person certificate number')),
                        ('certificate_valid_until', models.DateField(blank=True, null=True, verbose_name='certificate valid until')),
                        ('particulars_changed_on', models.DateField(blank=True, null=True, verbose_name='particulars changed on')),
                        ('alert', models.CharField(blank=True, choices=[('', 'None'), ('expiring', 'Certificate expires within 60 days'), ('expired', 'Certificate has expired'), ('change_unreported', 'Change not reported within 30 days')], default='', max_length=20, verbose_name='attention')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('deregistered_on', models.DateField(blank=True, null=True, verbose_name='deregistered on')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'verbose_name_plural': 'organisations',
                        'db_table': 'members_organisation',
                        'indexes': [models.Index(fields=['path'], name='org_path_prefix_idx', opclasses=['varchar_pattern_ops']), models.Index(condition=models.Q(('alert', ''), _negated=True), fields=['alert'], name='org_alert_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Created'), ('changed', 'Particulars changed'), ('moved', 'Moved'), ('merged', 'Merged into another union'), ('absorbed', 'Took in a merged union'), ('deregistered', 'Deregistered')], max_length=16, verbose_name='event')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('from_parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.organisation', verbose_name='from')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='org.organisation')),
                        ('other', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.organisation', verbose_name='other organisation')),
                        ('to_parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.organisation', verbose_name='to')),
                    ],
                    options={
                        'verbose_name': 'organisation event',
                        'verbose_name_plural': 'organisation events',
                        'db_table': 'members_organisationevent',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_org, content_types_to_members),
    ]
