"""The nightly reconciliation: run every registered check, keep what is wrong, tell finance and the auditor."""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from unionportal.notifications import notice_enqueue

from .apps import NOTICE_KIND
from .checks import registered_checks
from .models import Discrepancy, ReconciliationRun

logger = logging.getLogger(__name__)

# Who is told and sees the discrepancies on the workbench: finance and the auditor.
VIEW_PERM = ("reconciliation", "view_discrepancy")


def _watchers():
    app_label, codename = VIEW_PERM
    return list(
        get_user_model()
        .objects.filter(is_active=True, organisation__isnull=False)
        .filter(
            Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        )
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )


def reconcile(*, today: date | None = None) -> ReconciliationRun:
    """Run every check for ``today``; write one ``Discrepancy`` per check, subject and day; notify once a day.

    Safe to run twice a day: a finding already written today is not written again, and each watcher gets
    at most one notice per check and day (the outbox's dedupe key). A check that raises is logged and
    recorded as a discrepancy of its own, and the others still run.
    """
    today = today or timezone.localdate()
    found = 0
    for check in registered_checks():
        try:
            findings = list(check.run(today))
        except Exception as exc:  # one broken check must not hide what the others find
            logger.exception("Reconciliation check %s failed", check.code)
            findings = [_failed_check(check.code, exc)]
        for finding in findings:
            try:
                with transaction.atomic():
                    Discrepancy.objects.get_or_create(
                        check_code=check.code, subject=finding.subject[:100], found_on=today,
                        defaults={"detail": finding.detail[:500], "org_path": finding.org_path},
                    )  # fmt: skip
            except IntegrityError:  # a concurrent run wrote it a moment ago
                pass
        found += len(findings)
        if findings:
            _tell(check, today, [finding.org_path for finding in findings])
    run, _created = ReconciliationRun.objects.update_or_create(
        run_on=today, defaults={"finished_at": timezone.now(), "found": found}
    )
    if found:
        logger.warning("Reconciliation of %s: %s discrepancies", today, found)
    return run


def _failed_check(code, exc):
    from .checks import Finding

    return Finding(subject=code, detail=f"check failed: {type(exc).__name__}: {exc}"[:500])


def _tell(check, today: date, paths: list[str]) -> None:
    """One inbox notice per watcher whose subtree holds any of the findings, per check and day."""
    for user in _watchers():
        mine = sum(1 for path in paths if path.startswith(user.organisation.path))
        if not mine:
            continue
        with transaction.atomic():
            notice_enqueue(
                NOTICE_KIND, f"reconciliation:{today.isoformat()}:{check.code}:{user.pk}", user=user,
                context={"day": today, "count": mine, "check": check.label}, organisation=user.organisation.path,
            )  # fmt: skip
