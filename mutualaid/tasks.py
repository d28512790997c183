from celery import shared_task

from . import clock


@shared_task
def settlement_clock() -> dict:
    """Daily: remind before the promised payment date, escalate after it (safe to run twice)."""
    result = clock.scan()
    return {"reminded": result.reminded, "escalated": result.escalated}
