import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim
from tests.factories import UserFactory, claim_input

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
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted)
        assert (claim.status, claim.computed_benefit, claim.benefit) == ("assessed", D("2350.00"), D("2350.00"))

    def test_adjustment_needs_a_reason_and_stays_within_limits(self, staff, accepted):
        with pytest.raises(ValidationError, match="reason"):
            claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted, amount=D("2000.00"))
        with pytest.raises(ValidationError, match="between 0 and"):
            claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted, amount=D("9000.00"), reason="多付")
        claim = claim_flow.claim_assess(
            actor=staff["reviewer"], claim=accepted, amount=D("2000.00"), reason="扣除不合规费用"
        )
        assert claim.benefit == D("2000.00") and claim.computed_benefit == D("2350.00")
        assert "扣除不合规费用" in claim.events.last().note

    def test_period_cap_counts_claims_in_flight(self, staff, clerk, covered_member, inpatient_plan):
        # Terms set up as in force (the version is in force already, so no longer saved through the model).
        inpatient_plan.versions.update(per_period_cap_per_share=D("3000"))
        first = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        second = services.claim_receive(
            actor=clerk, member=covered_member, data=claim_input(stay=1, invoices=[("INV-002", D("12000.00"))])
        )
        assert claim_flow.claim_assess(actor=staff["reviewer"], claim=first).benefit == D("2350.00")
        assert claim_flow.claim_assess(actor=staff["reviewer"], claim=second).benefit == D("650.00")  # 3,000 − 2,350


@pytest.mark.django_db
class TestApproval:
    def test_entrant_and_assessor_cannot_approve(self, staff, clerk, accepted):
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted)
        for person in (clerk, staff["reviewer"]):
            with pytest.raises(ValidationError, match="another person"):
                claim_flow.claim_approve(actor=person, claim=claim)
        assert Claim.objects.get(pk=claim.pk).status == "assessed"

    def test_double_click_approves_once(self, staff, accepted):
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted)
        claim_flow.claim_approve(actor=staff["approver"], claim=claim)
        claim_flow.claim_approve(actor=staff["approver"], claim=claim)
        assert list(claim.events.values_list("to_status", flat=True)) == [
            "received",
            "accepted",
            "assessed",
            "approved",
        ]

    def test_above_the_threshold_the_county_approves_then_the_city(self, staff, accepted, inpatient_plan):
        inpatient_plan.versions.update(city_approval_threshold=D("1000"))
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted)
        assert claim.city_approval_threshold == D("1000")  # copied from the plan version when assessed
        with pytest.raises(ValidationError, match="county-level approver approves first"):
            claim_flow.claim_approve(actor=staff["city_approver"], claim=claim)
        claim = claim_flow.claim_approve(actor=staff["approver"], claim=claim)
        assert claim.status == "assessed" and claim.approved_by == staff["approver"]
        with pytest.raises(ValidationError, match="waits for a city-level approver"):
            claim_flow.claim_approve(actor=UserFactory(organisation=staff["approver"].organisation,
                                                       roles=["approver"]), claim=claim)  # fmt: skip
        claim = claim_flow.claim_approve(actor=staff["city_approver"], claim=claim)
        assert claim.status == "approved" and claim.city_approved_by == staff["city_approver"]
        assert [e.note for e in claim.events.filter(from_status="assessed", to_status="assessed")] == [
            "approved by the county; waits for the city"
        ]

    def test_the_threshold_is_the_one_copied_at_assessment(self, staff, accepted, inpatient_plan):
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=accepted)  # 2,350 under the default 20,000
        inpatient_plan.versions.update(city_approval_threshold=D("1000"))  # changed after assessment
        claim = claim_flow.claim_approve(actor=staff["city_approver"], claim=claim)
        assert claim.status == "approved" and claim.approved_by == staff["city_approver"]

    def test_the_entrant_cannot_assess(self, tree, covered_member):
        both = UserFactory(username="clerk_rv", organisation=tree["shangzhou"], roles=["counter_clerk", "reviewer"])
        claim = services.claim_receive(actor=both, member=covered_member, data=claim_input())
        with pytest.raises(ValidationError, match="another person must assess"):
            claim_flow.claim_assess(actor=both, claim=claim)
        assert Claim.objects.get(pk=claim.pk).status == "accepted"


@pytest.mark.django_db
class TestReturnAndReject:
    def test_return_stops_the_clock_and_completion_restarts_it(self, staff, clerk, accepted):
        first_due = accepted.due_on
        claim = claim_flow.claim_return(
            actor=staff["reviewer"], claim=accepted, missing=["settlement"], note="结算单不清晰"
        )
        assert claim.status == "returned" and claim.due_on is None
        claim = services.claim_add_materials(actor=clerk, claim=claim, materials=["settlement"])
        assert claim.status == "accepted" and claim.due_on >= first_due
        assert [e.to_status for e in claim.events.all()] == ["received", "accepted", "returned", "accepted"]

    def test_reject_needs_a_coded_reason(self, staff, accepted):
        with pytest.raises(ValidationError):
            claim_flow.claim_reject(actor=staff["reviewer"], claim=accepted, reason="")
        claim = claim_flow.claim_reject(actor=staff["reviewer"], claim=accepted, reason="excluded", note="美容手术")
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
    # Terms set up as in force (the version is in force already, so no longer saved through the model).
    inpatient_plan.versions.update(per_period_cap_per_share=D("3000"))
    member = make_member(union=tree["union_sz"])
    paid = timezone.localdate() - timedelta(days=200)
    batch = services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=paid,
    ).batch  # fmt: skip
    services.enrolment_batch_pay(actor=clerk, batch=batch, reference="T", paid_on=paid)
    claims = [
        services.claim_receive(
            actor=clerk, member=member, data=claim_input(stay=n + 1, invoices=[(f"P-{n}", D("12000.00"))])
        )
        for n in range(2)
    ]
    barrier = threading.Barrier(2)

    def assess(reviewer, claim):
        barrier.wait()
        try:
            claim_flow.claim_assess(actor=reviewer, claim=claim)
        finally:
            connection.close()

    threads = [threading.Thread(target=assess, args=pair) for pair in zip(reviewers, claims, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(Claim.objects.filter(member=member).values_list("benefit", flat=True))
    assert total == D("3000.00")
