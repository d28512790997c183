# The settlement clock moves from a column of the wide claim row into a narrow table of its own (see ClaimClock).
# Step one of three: the table; 0017 copies the clocks; 0018 drops the claim's column.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mutualaid', '0017_fill_renewal_reminder_days'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClaimClock',
            fields=[
                ('claim', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='clock', serialize=False, to='mutualaid.claim', verbose_name='claim')),
                ('next_on', models.DateField(blank=True, null=True, verbose_name='next reminder on')),
            ],
            options={
                'verbose_name': 'settlement clock',
                'verbose_name_plural': 'settlement clocks',
                'indexes': [models.Index(condition=models.Q(('next_on__isnull', False)), fields=['next_on'], name='claimclock_next_on_idx')],
            },
        ),
    ]
