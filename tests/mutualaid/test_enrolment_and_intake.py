from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mutualaid import services
from mutualaid.models import Claim, ClaimEvent, EnrolmentBatch, Policy
from tests.factories import UserFactory, id_number, make_member
from tests.mutualaid.conftest import REQUIRED, claim_input

D = Decimal


# The assertions below read the English source of the messages; the pages show them in Chinese.
pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.mark.django_db
class TestEnrolment:
    def test_paid_batch_starts_cover_next_day_with_a_waiting_period(self, tree, clerk, inpatient_plan):
        member = make_member(union=tree["union_sz"])
        today = timezone.localdate()
        result = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=2,
            payer=EnrolmentBatch.Payer.UNION, basic_insurance_confirmed=True,
        )  # fmt: skip
        assert result.batch.total_premium == D("240.00") and not result.errors
        services.enrolment_batch_pay(actor=clerk, batch=result.batch, reference="收据001", paid_on=today)
        policy = Policy.objects.get(member=member)
        assert policy.starts_on == today + timedelta(days=1)
        assert policy.waiting_ends_on == policy.starts_on + timedelta(days=90)
        assert policy.ends_on == policy.starts_on.replace(year=policy.starts_on.year + 1) - timedelta(days=1)

    def test_renewal_follows_the_old_cover_without_waiting(self, tree, clerk, inpatient_plan, covered_member):
        old = Policy.objects.get(member=covered_member)
        result = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[covered_member], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        )  # fmt: skip
        assert result.renewals == 1
        services.enrolment_batch_pay(actor=clerk, batch=result.batch, reference="T2", paid_on=timezone.localdate())
        new = Policy.objects.exclude(pk=old.pk).get(member=covered_member)
        assert new.starts_on == old.ends_on + timedelta(days=1) and new.waiting_ends_on == new.starts_on

    def test_the_enrolling_union_cannot_confirm_its_own_premium(self, tree, inpatient_plan):
        officer = UserFactory(organisation=tree["union_sz"], roles=["union_officer"])
        member = make_member(union=tree["union_sz"])
        batch = services.enrolment_batch_create(
            actor=officer, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        ).batch  # fmt: skip

        with pytest.raises(PermissionDenied):
            services.enrolment_batch_pay(
                actor=officer, batch=batch, reference="R", paid_on=timezone.localdate() - timedelta(days=120)
            )

        batch.refresh_from_db()
        assert batch.status == EnrolmentBatch.Status.SUBMITTED and batch.policies.get().starts_on is None

    @pytest.mark.parametrize("days", [-1, 1, 120])
    def test_the_payment_date_lies_between_submission_and_today(self, tree, clerk, inpatient_plan, days):
        member = make_member(union=tree["union_sz"])
        batch = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        ).batch  # fmt: skip
        assert batch.submitted_on == timezone.localdate()

        with pytest.raises(ValidationError):  # tomorrow, yesterday (before submission), four months back
            services.enrolment_batch_pay(
                actor=clerk, batch=batch, reference="R", paid_on=timezone.localdate() - timedelta(days=days)
            )

        assert Policy.objects.get(member=member).starts_on is None

    def test_finance_confirms_a_payment_and_cover_starts_after_submission(self, tree, clerk, inpatient_plan):
        finance = UserFactory(organisation=tree["city"], roles=["finance"])
        member = make_member(union=tree["union_sz"])
        batch = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        ).batch  # fmt: skip

        services.enrolment_batch_pay(actor=finance, batch=batch, reference="R", paid_on=timezone.localdate())

        policy = Policy.objects.get(member=member)
        assert policy.starts_on > batch.submitted_on

    def test_members_outside_the_age_limits_or_union_are_reported_not_enrolled(self, tree, clerk, inpatient_plan):
        young = make_member(
            union=tree["union_sz"], id_number=id_number(f"612501{timezone.localdate().year - 15}0101001")
        )
        elsewhere = make_member(union=tree["union_sy"])
        ok = make_member(union=tree["union_sz"])
        result = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[young, elsewhere, ok],
            shares=1, payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        )  # fmt: skip
        assert [m for m, _reason in result.errors] == [young, elsewhere]
        assert list(result.batch.policies.values_list("member", flat=True)) == [ok.pk]

    def test_basic_insurance_must_be_confirmed(self, tree, clerk, inpatient_plan):
        with pytest.raises(ValidationError):
            services.enrolment_batch_create(
                actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[], shares=1,
                payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=False,
            )  # fmt: skip


@pytest.mark.django_db
class TestClaimIntake:
    def test_complete_file_is_accepted_and_the_clock_starts(self, clerk, covered_member):
        claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        assert claim.status == Claim.Status.ACCEPTED
        assert claim.due_on == timezone.localdate() + timedelta(days=30)
        assert claim.self_paid == D("5200.00")
        assert list(claim.events.values_list("to_status", flat=True)) == ["received", "accepted"]
        assert claim.number.startswith(f"LP{timezone.localdate():%Y}")

    def test_incomplete_file_is_received_then_accepted_when_completed(self, clerk, covered_member, inpatient_plan):
        claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input(materials=REQUIRED[:3]))
        assert claim.status == Claim.Status.RECEIVED and claim.due_on is None
        assert services.missing_materials(claim.policy.plan_version, claim.materials_received) == REQUIRED[3:]
        services.claim_add_materials(actor=clerk, claim=claim, materials=REQUIRED[3:])
        claim.refresh_from_db()
        assert claim.status == Claim.Status.ACCEPTED and claim.due_on

    def test_an_invoice_can_be_claimed_once_naming_the_claim(self, clerk, covered_member):
        first = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        with pytest.raises(ValidationError) as caught:
            services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        assert first.number in str(caught.value)
        assert Claim.objects.count() == 1

    @pytest.mark.parametrize(
        ("overrides", "words"),
        [
            ({"discharged_on": timezone.localdate() - timedelta(days=20)}, "before the admission"),
            ({"fund_paid": D("11500.00")}, "exceed the total cost"),
            ({"total_cost": D("-1")}, "negative"),
            ({"invoices": [("A", D("6000")), ("A", D("6000"))]}, "twice"),
            ({"invoices": [("A", D("100"))]}, "add up to"),
        ],
    )
    def test_inconsistent_input_is_refused_and_nothing_saved(self, clerk, covered_member, overrides, words):
        with pytest.raises(ValidationError) as caught:
            services.claim_receive(actor=clerk, member=covered_member, data=claim_input(**overrides))
        assert words in str(caught.value)
        assert not Claim.objects.exists() and not ClaimEvent.objects.exists()

    def test_no_cover_waiting_period_and_filing_window(self, tree, clerk, inpatient_plan, covered_member):
        today = timezone.localdate()
        uncovered = make_member(union=tree["union_sz"])
        with pytest.raises(ValidationError, match="no"):
            services.claim_receive(actor=clerk, member=uncovered, data=claim_input())
        late = claim_input(admitted_on=today - timedelta(days=80), discharged_on=today - timedelta(days=70))
        with pytest.raises(ValidationError, match="60 days"):
            services.claim_receive(actor=clerk, member=covered_member, data=late)
        policy = Policy.objects.get(member=covered_member)
        Policy.objects.filter(pk=policy.pk).update(waiting_ends_on=today)
        with pytest.raises(ValidationError, match="waiting"):
            services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        assert not Claim.objects.exists()

    def test_other_county_clerk_cannot_take_a_claim_for_this_member(self, tree, covered_member):
        from django.http import Http404

        from tests.factories import UserFactory

        outsider = UserFactory(organisation=tree["shanyang"], roles=["counter_clerk"])
        with pytest.raises(Http404):
            services.claim_receive(actor=outsider, member=covered_member, data=claim_input())


@pytest.mark.django_db
def test_the_service_refuses_an_invoice_number_longer_than_its_column(clerk, covered_member):
    with pytest.raises(ValidationError):
        services.claim_receive(
            actor=clerk, member=covered_member, data=claim_input(invoices=[("A" * 3000, D("12000.00"))])
        )
    assert not Claim.objects.exists()
