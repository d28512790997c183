from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting.models import MonthlyReport, ReportRevision

Status = ReportRevision.Status


@pytest.mark.django_db(transaction=True)
def test_demo_reports_cover_every_state_and_seeding_twice_adds_nothing(demo_city):
    # demo_city is seed_demo's work on an empty database (tests/demo_database.py); this is the second run.
    counts = (MonthlyReport.objects.count(), ReportRevision.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Seven counties × (the year's months before the last three, and those three); one correction.
    three_months_ago = (timezone.localdate().replace(day=1) - timedelta(days=80)).replace(day=1)
    reports = 7 * (three_months_ago.month - 1 + 3)
    assert (MonthlyReport.objects.count(), ReportRevision.objects.count()) == counts == (reports, reports + 1)

    statuses = set(ReportRevision.objects.values_list("status", flat=True))
    assert statuses == {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED}
    assert MonthlyReport.objects.filter(is_late=True, approved_revision__isnull=False).count() == 1
    corrected = MonthlyReport.objects.get(current_revision__number=2)
    assert corrected.county.code == "611002" and corrected.approved_revision == corrected.current_revision
