"""A payment the bank returns is told: to the member (page, API, one SMS per attempt) and to staff (in red).

Given an approved claim whose payment the bank returned as 户名与账号不符, the member, the claim's staff page
and finance's workbench all say so; once the account is corrected (by two people) and paid, the failure is gone.
"""

import pytest
from django.urls import reverse

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from tests.factories import UserFactory, claim_input, make_member_account, xlsx_upload
from unionportal.notifications.models import Notice
from unionportal.payments import services as payments
from unionportal.payments.models import PaymentRequest

REASON = "户名与账号不符"
NEW_ACCOUNT = "6222020000000000018"


def result_file(rows):
    return xlsx_upload(rows, ["序号", "业务编号", "金额", "结果", "失败原因", "银行流水号"], name="result.xlsx")


def bank_answers(finance, claim, *, paid: bool, reason: str = REASON):
    request = PaymentRequest.objects.get(reference=claim.number)
    batch = payments.batch_create(actor=finance, requests=[request])
    payments.batch_export(actor=finance, batch=batch)
    payments.batch_mark_sent(actor=finance, batch=batch)
    row = [
        1,
        claim.number,
        str(request.amount),
        "成功" if paid else "失败",
        "" if paid else reason,
        "B1" if paid else "",
    ]
    for _ in range(2):  # the same result file imported twice changes nothing the second time
        payments.batch_import_result(actor=finance, batch=batch, file=result_file([row]))
    return request


@pytest.fixture
def people(tree):
    return {
        "reviewer": UserFactory(username="rv_f", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap_f", organisation=tree["shangzhou"], roles=["approver"]),
        "finance": UserFactory(username="fin_f", organisation=tree["city"], roles=["finance"]),
        "finance2": UserFactory(username="fin_f2", organisation=tree["city"], roles=["finance"]),
        "other_finance": UserFactory(username="fin_sy", organisation=tree["shanyang"], roles=["finance"]),
    }


@pytest.fixture
def bounced(clerk, covered_member, people):
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim = claim_flow.claim_assess(actor=people["reviewer"], claim=claim)
    claim = claim_flow.claim_approve(actor=people["approver"], claim=claim)
    bank_answers(people["finance"], claim, paid=False)
    return claim


def correct_account(people, claim):
    request = PaymentRequest.objects.get(reference=claim.number)
    payments.request_propose_account(actor=people["finance"], request=request, bank_name="中国建设银行商洛分行",
                                     account_number=NEW_ACCOUNT, holder_name=claim.member.name)  # fmt: skip
    payments.request_confirm_account(actor=people["finance2"], request=request, account_number=NEW_ACCOUNT)


def member_page(client, covered_member, claim):
    covered_member.refresh_from_db()
    client.force_login(covered_member.account or make_member_account(covered_member))
    return client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).content.decode()


@pytest.mark.django_db
def test_the_member_page_says_the_payment_failed_why_and_what_to_do(client, covered_member, bounced):
    page = member_page(client, covered_member, bounced)
    alert = page[page.index('data-testid="claim-payment-failed"') :]
    assert "支付失败，请更正银行卡" in alert and REASON in alert and "银行卡" in alert and "服务窗口" in alert
    assert 'data-testid="claim-due"' not in page  # no "还剩 N 天" beside a payment that failed


@pytest.mark.django_db
def test_the_api_gives_the_failure_with_the_reason(client, covered_member, bounced):
    client.force_login(make_member_account(covered_member))
    data = client.get(f"/api/v1/my/claims/{bounced.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert data["status"] == "approved"
    assert data["payment_failed"]["message"] == "支付失败，请更正银行卡"
    assert data["payment_failed"]["reason"] == REASON
    assert "服务窗口" in data["payment_failed"]["what_to_do"]


@pytest.mark.django_db
def test_one_sms_per_payment_attempt_without_the_account_number(people, covered_member, bounced):
    notices = Notice.objects.filter(kind="claim.payment_failed")
    assert notices.count() == 1  # the result file was imported twice
    notice = notices.get()
    assert bounced.number in notice.body and REASON in notice.body and "银行卡" in notice.body
    assert "6221880000000012345" not in notice.body and "6221880000000012345" not in notice.dedupe_key

    correct_account(people, bounced)
    bank_answers(people["finance"], bounced, paid=False, reason="账户已冻结")  # the corrected account fails too
    assert notices.count() == 2


@pytest.mark.django_db
def test_staff_claim_page_shows_the_failure_in_red(client, people, bounced):
    client.force_login(people["finance"])
    page = client.get(reverse("mutualaid:claim-detail", args=[bounced.pk])).content.decode()
    alert = page[page.index('data-testid="claim-payment-failed"') :]
    assert "alert-danger" in page[page.index("claim-payment-failed") - 80 :] and REASON in alert
    assert 'class="badge text-bg-danger" data-testid="claim-status"' in page


@pytest.mark.django_db
def test_finance_workbench_counts_failed_payments_in_red_in_its_scope(client, people, bounced):
    client.force_login(people["finance"])
    page = client.get(reverse("core:workbench")).content.decode()
    assert "支付失败待更正" in page and 'data-testid="pending-alert">1<' in page
    client.force_login(people["other_finance"])  # another county's finance does not see it
    assert "支付失败待更正" not in client.get(reverse("core:workbench")).content.decode()


@pytest.mark.django_db
def test_the_failure_goes_away_once_corrected_and_paid(client, people, covered_member, bounced):
    correct_account(people, bounced)
    assert "claim-payment-failed" not in member_page(client, covered_member, bounced)
    bank_answers(people["finance"], bounced, paid=True)

    page = member_page(client, covered_member, bounced)
    assert "claim-payment-failed" not in page and 'data-testid="claim-paid"' in page
    client.force_login(people["finance"])
    assert (
        "claim-payment-failed" not in client.get(reverse("mutualaid:claim-detail", args=[bounced.pk])).content.decode()
    )
    assert "支付失败待更正" not in client.get(reverse("core:workbench")).content.decode()
