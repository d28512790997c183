"""Batches submitted before ``submitted_on`` existed: the day they were created (in the portal's time zone)."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    EnrolmentBatch = apps.get_model("mutualaid", "EnrolmentBatch")
    for batch in EnrolmentBatch.objects.filter(submitted_on__isnull=True).only("pk", "created_at", "paid_on").iterator():
        submitted_on = timezone.localdate(batch.created_at)
        if batch.paid_on is not None:  # an earlier payment date was allowed then; keep what was recorded
            submitted_on = min(submitted_on, batch.paid_on)
        EnrolmentBatch.objects.filter(pk=batch.pk).update(submitted_on=submitted_on)


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0012_enrolment_batch_submitted_on_confirm_premium")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
