import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mutualaid import review, services
from mutualaid.models import Claim
from tests.factories import UserFactory
from tests.mutualaid.conftest import claim_input

D = Decimal


pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.fixture
def staff(tree):
    return {
        "reviewer": UserFactory(username="rv", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap", organisation=tree["shangzhou"], roles=["approver"]),
        "city_approver": UserFactory(username="cap", organisation=tree["city"], roles=["approver"]),
    }


@pytest.fixture
def accepted(clerk, covered_member):
    return services.claim_receive(actor=clerk, member=covered_member, data=claim_input())


@pytest.mark.django_db
class TestAssessment:
    def test_computed_benefit_by_hand(self, staff, accepted):
        # self-paid 12,000 − 6,000 − 0 − 800 = 5,200; above the 500 deductible: 4,700, all in the 0–5,000
        # segment at 50 % → 2,350.00
        claim = review.claim_assess(actor=staff["reviewer"], claim=accepted)
        assert (claim.status, claim.computed_benefit, claim.benefit) == ("assessed", D("2350.00"), D("2350.00"))

    def test_adjustment_needs_a_reason_and_stays_within_limits(self, staff, accepted):
        with pytest.raises(ValidationError, match="reason"):
            review.claim_assess(actor=staff["reviewer"], claim=accepted, amount=D("2000.00"))
        with pytest.raises(ValidationError, match="between 0 and"):
            review.claim_assess(actor=staff["reviewer"], claim=accepted, amount=D("9000.00"), reason="多付")
        claim = review.claim_assess(
            actor=staff["reviewer"], claim=accepted, amount=D("2000.00"), reason="扣除不合规费用"
        )
        assert claim.benefit == D("2000.00") and claim.computed_benefit == D("2350.00")
        assert "扣除不合规费用" in claim.events.last().note

    def test_period_cap_counts_claims_in_flight(self, staff, clerk, covered_member, inpatient_plan):
        version = inpatient_plan.versions.get()
        version.per_period_cap_per_share = D("3000")
        version.save()
        first = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        second = services.claim_receive(
            actor=clerk, member=covered_member, data=claim_input(invoices=[("INV-002", D("12000.00"))])
        )
        assert review.claim_assess(actor=staff["reviewer"], claim=first).benefit == D("2350.00")
        assert review.claim_assess(actor=staff["reviewer"], claim=second).benefit == D("650.00")  # 3,000 − 2,350


@pytest.mark.django_db
class TestApproval:
    def test_entrant_and_assessor_cannot_approve(self, staff, clerk, accepted):
        claim = review.claim_assess(actor=staff["reviewer"], claim=accepted)
        for person in (clerk, staff["reviewer"]):
            with pytest.raises(ValidationError, match="another person"):
                review.claim_approve(actor=person, claim=claim)
        assert Claim.objects.get(pk=claim.pk).status == "assessed"

    def test_double_click_approves_once(self, staff, accepted):
        claim = review.claim_assess(actor=staff["reviewer"], claim=accepted)
        review.claim_approve(actor=staff["approver"], claim=claim)
        review.claim_approve(actor=staff["approver"], claim=claim)
        assert list(claim.events.values_list("to_status", flat=True)) == [
            "received",
            "accepted",
            "assessed",
            "approved",
        ]

    def test_above_the_threshold_the_city_approves_too(self, staff, accepted, settings):
        settings.CLAIM_CITY_APPROVAL_THRESHOLD = D("1000")
        claim = review.claim_assess(actor=staff["reviewer"], claim=accepted)
        claim = review.claim_approve(actor=staff["approver"], claim=claim)
        assert claim.status == "assessed" and claim.approved_by == staff["approver"]
        claim = review.claim_approve(actor=staff["city_approver"], claim=claim)
        assert claim.status == "approved" and claim.city_approved_by == staff["city_approver"]


@pytest.mark.django_db
class TestReturnAndReject:
    def test_return_stops_the_clock_and_completion_restarts_it(self, staff, clerk, accepted):
        first_due = accepted.due_on
        claim = review.claim_return(
            actor=staff["reviewer"], claim=accepted, missing=["settlement"], note="结算单不清晰"
        )
        assert claim.status == "returned" and claim.due_on is None
        claim = services.claim_add_materials(actor=clerk, claim=claim, materials=["settlement"])
        assert claim.status == "accepted" and claim.due_on >= first_due
        assert [e.to_status for e in claim.events.all()] == ["received", "accepted", "returned", "accepted"]

    def test_reject_needs_a_coded_reason(self, staff, accepted):
        with pytest.raises(ValidationError):
            review.claim_reject(actor=staff["reviewer"], claim=accepted, reason="")
        claim = review.claim_reject(actor=staff["reviewer"], claim=accepted, reason="excluded", note="美容手术")
        assert claim.status == "rejected" and claim.rejection == "excluded"


@pytest.mark.django_db(transaction=True)
def test_parallel_assessments_cannot_exceed_the_period_cap(tree, inpatient_plan):
    """Two reviewers assess two claims on the same cover at once: the cover lock keeps them under the cap."""
    from datetime import timedelta

    from django.utils import timezone

    from mutualaid.models import EnrolmentBatch
    from tests.factories import make_member

    clerk = UserFactory(username="c2", organisation=tree["shangzhou"], roles=["counter_clerk"])
    reviewers = [UserFactory(username=f"r{n}", organisation=tree["shangzhou"], roles=["reviewer"]) for n in range(2)]
    version = inpatient_plan.versions.get()
    version.per_period_cap_per_share = D("3000")
    version.save()
    member = make_member(union=tree["union_sz"])
    paid = timezone.localdate() - timedelta(days=200)
    batch = services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=paid,
    ).batch  # fmt: skip
    services.enrolment_batch_pay(actor=clerk, batch=batch, reference="T", paid_on=paid)
    claims = [
        services.claim_receive(actor=clerk, member=member, data=claim_input(invoices=[(f"P-{n}", D("12000.00"))]))
        for n in range(2)
    ]
    barrier = threading.Barrier(2)

    def assess(reviewer, claim):
        barrier.wait()
        try:
            review.claim_assess(actor=reviewer, claim=claim)
        finally:
            connection.close()

    threads = [threading.Thread(target=assess, args=pair) for pair in zip(reviewers, claims, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(Claim.objects.filter(member=member).values_list("benefit", flat=True))
    assert total == D("3000.00")
