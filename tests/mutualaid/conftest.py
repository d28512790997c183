from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mutualaid import services
from mutualaid.models import EnrolmentBatch, Material, Plan, PlanSegment, PlanVersion
from tests.factories import UserFactory, claim_input, make_member

D = Decimal
REQUIRED = [Material.APPLICATION, Material.ID_CARD, Material.DISCHARGE, Material.INVOICE, Material.SETTLEMENT]


@pytest.fixture
def inpatient_plan(db):
    """The Jiangxi-like plan of seed 004: deductible 500 per stay, segments 50/60/70 %, 200,000 per period."""
    plan = Plan.objects.create(code="ZY", name="住院综合", kind=Plan.Kind.INPATIENT)
    version = PlanVersion.objects.create(
        plan=plan, valid_from=date(2020, 1, 1), premium_per_share=D("120"), max_shares=3,
        deductible_per_stay=D("500"), per_period_cap_per_share=D("200000"), required_materials=REQUIRED,
    )  # fmt: skip
    for lower, upper, rate in [("0", "5000", "0.5"), ("5000", "20000", "0.6"), ("20000", None, "0.7")]:
        PlanSegment.objects.create(version=version, lower=D(lower), upper=D(upper) if upper else None, rate=D(rate))
    return plan


@pytest.fixture
def clerk(tree):
    return UserFactory(username="ma_clerk", organisation=tree["shangzhou"], roles=["counter_clerk"])


@pytest.fixture
def covered_member(tree, clerk, inpatient_plan):
    """A member of 商州某公司工会 whose cover started 200 days ago (waiting period long over)."""
    member = make_member(union=tree["union_sz"], name="刘洋")
    paid = timezone.localdate() - timedelta(days=200)
    result = services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=paid,
    )  # fmt: skip
    services.enrolment_batch_pay(actor=clerk, batch=result.batch, reference="T1", paid_on=paid)
    return member


@pytest.fixture
def claim(clerk, covered_member):
    """The covered member's inpatient claim, received complete at the counter (so accepted)."""
    return services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
