"""Give every open claim its clock row, carrying its ``next_reminder_on`` (null once escalated: nothing more to send).

Backwards: the clocks back into ``Claim.next_reminder_on`` (the column is back by then: 0018 is reversed first).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

OPEN = ("accepted", "assessed", "approved")
CHUNK = 5000


def forwards(apps, schema_editor):
    Claim = apps.get_model("mutualaid", "Claim")
    ClaimClock = apps.get_model("mutualaid", "ClaimClock")
    rows = Claim.objects.filter(status__in=OPEN).values_list("pk", "next_reminder_on").order_by("pk")
    batch = []
    for pk, next_on in rows.iterator(chunk_size=CHUNK):
        batch.append(ClaimClock(claim_id=pk, next_on=next_on))
        if len(batch) == CHUNK:
            ClaimClock.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ClaimClock.objects.bulk_create(batch, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Claim = apps.get_model("mutualaid", "Claim")
    ClaimClock = apps.get_model("mutualaid", "ClaimClock")
    Claim.objects.filter(clock__isnull=False).update(
        next_reminder_on=Subquery(ClaimClock.objects.filter(claim=OuterRef("pk")).values("next_on")[:1])
    )
    ClaimClock.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0018_claimclock_settlement_clock_table")]

    operations = [migrations.RunPython(forwards, backwards)]
