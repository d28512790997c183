from celery import shared_task

from .claims import clock
from .enrolment import renewal


@shared_task
def settlement_clock() -> dict:
    """Daily: remind before the promised payment date, escalate after it (safe to run twice)."""
    result = clock.scan()
    return {"reminded": result.reminded, "escalated": result.escalated}


@shared_task
def renewal_reminders() -> dict:
    """Daily: tell members and their union's officers of covers whose reminder day has come (the plan version's
    renewal reminder days before the cover ends; safe to run twice)."""
    result = renewal.renewal_reminders_send()
    return {"members": result.members, "unions": result.unions}
