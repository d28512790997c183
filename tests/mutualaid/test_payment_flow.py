"""A claim from approval to the bank's answer, through the shared payments machinery and the outbox."""

from decimal import Decimal

import pytest

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim
from tests.factories import UserFactory, claim_input, xlsx_upload
from unionportal.notifications.models import Notice
from unionportal.payments import services as payments
from unionportal.payments.models import PaymentRequest


def result_file(rows):
    return xlsx_upload(rows, ["序号", "业务编号", "金额", "结果", "失败原因", "银行流水号"], name="result.xlsx")


@pytest.fixture
def approved(tree, clerk, covered_member):
    reviewer = UserFactory(username="rv3", organisation=tree["shangzhou"], roles=["reviewer"])
    approver = UserFactory(username="ap3", organisation=tree["shangzhou"], roles=["approver"])
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim = claim_flow.claim_assess(actor=reviewer, claim=claim)
    return claim_flow.claim_approve(actor=approver, claim=claim)


@pytest.mark.django_db
def test_approval_asks_finance_to_pay_the_members_own_card(approved, covered_member):
    request = PaymentRequest.objects.get(source="mutualaid.claim", reference=approved.number)
    assert (request.amount, request.account_number, request.payee_name) == (
        Decimal("2350.00"), "6221880000000012345", covered_member.name)  # fmt: skip
    kinds = set(Notice.objects.filter(member_reference=str(covered_member.pk)).values_list("kind", flat=True))
    assert kinds == {"claim.accepted", "claim.approved"}
    approved_text = Notice.objects.get(kind="claim.approved").body
    assert approved.number in approved_text and "2,350.00" in approved_text


@pytest.mark.django_db
def test_bank_result_marks_the_claim_paid_once(tree, approved):
    finance = UserFactory(username="fin", organisation=tree["city"], roles=["finance"])
    request = PaymentRequest.objects.get(reference=approved.number)
    batch = payments.batch_create(actor=finance, requests=[request])
    payments.batch_export(actor=finance, batch=batch)
    payments.batch_mark_sent(actor=finance, batch=batch)

    wrong = payments.batch_import_result(
        actor=finance, batch=batch, file=result_file([[1, approved.number, "2350.01", "成功", "", "B1"]])
    )
    assert wrong.errors and Claim.objects.get(pk=approved.pk).status == "approved"

    for _ in range(2):  # the same file imported twice
        payments.batch_import_result(
            actor=finance, batch=batch, file=result_file([[1, approved.number, "2350.00", "成功", "", "B1"]])
        )
    claim = Claim.objects.get(pk=approved.pk)
    assert claim.status == "paid" and claim.paid_on
    assert list(claim.events.filter(to_status="paid").values_list("actor", flat=True)) == [finance.pk]  # who imported
    assert Notice.objects.filter(kind="claim.paid").count() == 1


@pytest.mark.django_db
def test_a_claim_with_nothing_to_pay_closes_without_a_payment(tree, clerk, covered_member):
    reviewer = UserFactory(username="rv4", organisation=tree["shangzhou"], roles=["reviewer"])
    approver = UserFactory(username="ap4", organisation=tree["shangzhou"], roles=["approver"])
    small = claim_input(
        total_cost=Decimal("900.00"), fund_paid=Decimal("600.00"), self_funded=Decimal("0"),
        invoices=[("S-1", Decimal("900.00"))],
    )  # fmt: skip
    claim = claim_flow.claim_assess(
        actor=reviewer, claim=services.claim_receive(actor=clerk, member=covered_member, data=small)
    )
    assert claim.benefit == Decimal("0.00")  # self-paid 300 is under the 500 deductible
    claim = claim_flow.claim_approve(actor=approver, claim=claim)
    assert claim.status == "paid" and not PaymentRequest.objects.exists()
