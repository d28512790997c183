from celery import shared_task


@shared_task
def reconcile_money() -> int:
    """Nightly: run the money checks (``services.reconcile``). Safe to run twice; returns how many were found."""
    from .services import reconcile

    return reconcile().found
