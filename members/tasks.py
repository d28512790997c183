from celery import shared_task

from . import services


@shared_task
def refresh_certificate_alerts() -> int:
    """Daily: keep the list of unions whose certificate expires within 60 days or whose change is unreported."""
    return services.certificate_alerts_refresh()
