"""Double submissions and double prefills at the same instant: one report, one submission, nothing lost."""

import pytest

from reporting import services
from reporting.models import MonthlyReport, ReportEvent
from tests.payments.test_concurrency import race

from .conftest import MONTH

FULL = {"warmth_visits": "4", "warmth_amount": "40"}


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_prefills_make_one_report_per_county(tree, catalogue):
    outcomes = race(lambda i: services.reports_prefill(month=MONTH), n=10)
    assert sum(o for o in outcomes if isinstance(o, int)) == 2, outcomes
    assert MonthlyReport.objects.filter(month=MONTH).count() == 2
    assert ReportEvent.objects.filter(kind=ReportEvent.Kind.PREFILLED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_submit_once(tree, catalogue, county_user):
    services.reports_prefill(month=MONTH)
    report = MonthlyReport.objects.get(county=tree["shangzhou"], month=MONTH)

    def submit(i):
        return services.report_file(actor=county_user, report=report, figures=FULL, submit=True)

    outcomes = race(submit, n=10)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sum(o.submitted for o in outcomes) == 1 and sum(o.already_submitted for o in outcomes) == 9
    assert report.events.filter(kind=ReportEvent.Kind.SUBMITTED).count() == 1
