"""Scoped reads of the reconciliation's findings."""

from django.db.models import QuerySet

from unionportal.org.scope import scope_queryset

from .models import Discrepancy, ReconciliationRun


def latest_run() -> ReconciliationRun | None:
    return ReconciliationRun.objects.order_by("-run_on").first()


def discrepancies_open(user) -> QuerySet:
    """What the latest run found, in the user's subtree: a fault fixed since no longer shows."""
    run = latest_run()
    if run is None:
        return Discrepancy.objects.none()
    return scope_queryset(Discrepancy.objects.filter(found_on=run.run_on), user)


def discrepancies_recent(user, *, days: int = 31) -> QuerySet:
    run = latest_run()
    if run is None:
        return Discrepancy.objects.none()
    from datetime import timedelta

    return scope_queryset(Discrepancy.objects.filter(found_on__gt=run.run_on - timedelta(days=days)), user)
