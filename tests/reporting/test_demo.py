import pytest
from django.core.management import call_command

from reporting.models import MonthlyReport, ReportRevision

Status = ReportRevision.Status


@pytest.mark.django_db
def test_demo_reports_cover_every_state_and_seeding_twice_adds_nothing(settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (MonthlyReport.objects.count(), ReportRevision.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (MonthlyReport.objects.count(), ReportRevision.objects.count()) == counts == (21, 22)

    statuses = set(ReportRevision.objects.values_list("status", flat=True))
    assert statuses == {Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED}
    assert MonthlyReport.objects.filter(is_late=True, approved_revision__isnull=False).count() == 1
    corrected = MonthlyReport.objects.get(current_revision__number=2)
    assert corrected.county.code == "611002" and corrected.approved_revision == corrected.current_revision
