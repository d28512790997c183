from celery import shared_task

from . import services


@shared_task
def monthly_cycle() -> dict:
    """Daily: the previous month's drafts (prefilled on the 1st), reminders from the 3rd, late marks after
    the due day. Safe to run twice."""
    result = services.cycle_run()
    return {"prefilled": result.prefilled, "reminded": result.reminded, "marked_late": result.marked_late}
