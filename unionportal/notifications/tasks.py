import time

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Notice

BATCH_SIZE = 100
SWEEP_SECONDS = 45  # stop taking new batches before the next minute's sweep starts


@shared_task
def send_notice(notice_id: int) -> None:
    """Send one notice. Safe to run twice or on two workers: the row is claimed before it is sent."""
    services.notice_send(notice_id)


@shared_task
def send_due_notices() -> None:
    """Every minute: release rows of crashed workers, then send what is due, in bounded batches.

    The catch-all behind the on-commit ``send_notice``: retries after a backoff, and notices queued while
    the broker was down, are sent here. Safe to overlap with itself: each row is claimed.
    """
    services.notices_release_stale()
    started = time.monotonic()
    seen: set[int] = set()
    while time.monotonic() - started < SWEEP_SECONDS:
        due = Notice.objects.filter(status=Notice.Status.QUEUED, next_attempt_at__lte=timezone.now())
        ids = [pk for pk in due.order_by("next_attempt_at").values_list("pk", flat=True)[:BATCH_SIZE] if pk not in seen]
        if not ids:
            return
        for pk in ids:
            seen.add(pk)
            services.notice_send(pk)
