from celery import shared_task
from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


@shared_task
def heartbeat() -> None:
    """Beat → broker → worker → database, once a minute: the sample clock that proves the wiring.

    Safe to run twice or on two workers: the row is upserted, never duplicated.
    """
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})


@shared_task
def purge_rate_limits() -> int:
    """Daily: forget rate-limit attempts older than a day. Safe to run twice."""
    from .ratelimit import purge

    return purge()
