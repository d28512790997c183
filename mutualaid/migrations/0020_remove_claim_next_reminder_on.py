# The claim's own clock column and its index go: ClaimClock holds the clock (copied by 0017).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mutualaid', '0019_copy_next_reminder_on_into_claimclock'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_open_reminder_idx',
        ),
        migrations.RemoveField(
            model_name='claim',
            name='next_reminder_on',
        ),
    ]
