"""What /healthz checks: the database, the broker, and a worker that has beaten recently."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat
from .tasks import WORKER


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and the reason is reported
        return False, exc.__class__.__name__
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    try:
        with Connection(url, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, url.split("://", 1)[0]


def check_worker() -> tuple[bool, str]:
    try:
        beat = Heartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    if beat is None:
        return False, "no heartbeat yet"
    age = timezone.now() - beat
    return age <= settings.WORKER_HEARTBEAT_MAX_AGE, f"last heartbeat {int(age.total_seconds())} s ago"
