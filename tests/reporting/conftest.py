from datetime import date

import pytest

from reporting import services
from reporting.models import CheckRule, Indicator

MONTH = date(2026, 10, 1)


@pytest.fixture
def catalogue(db):
    """The 2026 catalogue: every computed indicator, plus two entered ones, and two cross-checks."""
    services.indicators_sync()
    Indicator.objects.create(code="warmth_visits", name="送温暖走访", unit=Indicator.Unit.PERSON_TIME)
    Indicator.objects.create(
        code="warmth_amount", name="送温暖金额", unit=Indicator.Unit.YUAN, value_kind=Indicator.ValueKind.MONEY
    )
    by_code = {i.code: i for i in Indicator.objects.all()}
    CheckRule.objects.create(left=by_code["members_new_migrant"], right=by_code["members_new"])
    CheckRule.objects.create(
        left=by_code["mutualaid_claims_paid"], right=by_code["mutualaid_claims_accepted"], blocking=False
    )
    return services.catalogue_for_year(MONTH.year)


@pytest.fixture
def city_approver(city_user):
    return city_user


@pytest.fixture
def reports(tree, catalogue):
    """October 2026 drafts for both counties of the test tree."""
    services.reports_prefill(month=MONTH)
    from reporting.models import MonthlyReport

    return {
        "shangzhou": MonthlyReport.objects.get(county=tree["shangzhou"], month=MONTH),
        "shanyang": MonthlyReport.objects.get(county=tree["shanyang"], month=MONTH),
    }
