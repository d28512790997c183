from celery import shared_task

from . import services


@shared_task
def monthly_cycle() -> dict:
    """Daily: the previous month's drafts (prefilled on the 1st), reminders from the 3rd, late marks after
    the due day. Safe to run twice."""
    result = services.cycle_run()
    return {"prefilled": result.prefilled, "reminded": result.reminded, "marked_late": result.marked_late}


@shared_task
def bulletin_clock() -> str:
    """Daily: from the bulletin day on, publish last month's bulletin if city staff have not. Safe to run twice."""
    from .ranking.services import bulletins_publish_due

    bulletin = bulletins_publish_due()
    return f"{bulletin.month:%Y-%m}" if bulletin else ""
