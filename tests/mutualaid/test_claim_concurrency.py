"""One claim, 50 people at once: approving it and paying it happen exactly once (PostgreSQL, real threads)."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, EnrolmentBatch
from tests.factories import UserFactory, claim_input, make_member
from tests.payments.test_concurrency import race
from unionportal.notifications.models import Notice
from unionportal.payments import services as payments
from unionportal.payments.models import PaymentRequest

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_then_payments_of_one_claim(tree, inpatient_plan):
    clerk = UserFactory(username="cc_clerk", organisation=tree["shangzhou"], roles=["counter_clerk"])
    reviewer = UserFactory(username="cc_rev", organisation=tree["shangzhou"], roles=["reviewer"])
    approvers = [
        UserFactory(username=f"cc_ap{n}", organisation=tree["shangzhou"], roles=["approver"]) for n in range(5)
    ]
    finance = UserFactory(username="cc_fin", organisation=tree["city"], roles=["finance"])
    member = make_member(union=tree["union_sz"])
    paid = timezone.localdate() - timedelta(days=200)
    batch = services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=paid,
    ).batch  # fmt: skip
    services.enrolment_batch_pay(actor=clerk, batch=batch, reference="T", paid_on=paid)
    claim = claim_flow.claim_assess(
        actor=reviewer, claim=services.claim_receive(actor=clerk, member=member, data=claim_input())
    )

    race(lambda i: claim_flow.claim_approve(actor=approvers[i % len(approvers)], claim=claim), THREADS)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert claim.events.filter(to_status=Claim.Status.APPROVED).count() == 1
    request = PaymentRequest.objects.get(reference=claim.number)  # one request, not fifty
    assert Notice.objects.filter(kind="claim.approved").count() == 1

    payment_batch = payments.batch_create(actor=finance, requests=[request])
    payments.batch_export(actor=finance, batch=payment_batch)
    payments.batch_mark_sent(actor=finance, batch=payment_batch)
    book = openpyxl.Workbook()
    book.active.append(["序号", "业务编号", "金额", "结果", "失败原因", "银行流水号"])
    book.active.append([1, claim.number, str(claim.benefit), "成功", "", "BANK-1"])
    buffer = io.BytesIO()
    book.save(buffer)

    def attempt(i):
        if i % 2:
            return payments.batch_create(actor=finance, requests=[request.pk])
        return payments.batch_import_result(
            actor=finance, batch=payment_batch, file=SimpleUploadedFile("r.xlsx", buffer.getvalue())
        )

    race(attempt, THREADS)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.benefit == Decimal("2350.00")
    assert claim.events.filter(to_status=Claim.Status.PAID).count() == 1
    assert PaymentRequest.objects.get(pk=request.pk).status == PaymentRequest.Status.PAID
    assert Notice.objects.filter(kind="claim.paid").count() == 1
