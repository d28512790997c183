from celery import shared_task

from . import services
from .roster import roster_process  # noqa: F401  (the roster task, for Celery to find here)


@shared_task
def refresh_certificate_alerts() -> int:
    """Daily: keep the list of unions whose certificate expires within 60 days or whose change is unreported."""
    return services.certificate_alerts_refresh()
