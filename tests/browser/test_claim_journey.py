import io

import openpyxl
import pytest
from django.utils import timezone

from members.demo import DEMO_MEMBER_ID
from mutualaid.models import Claim
from tests.browser.steps import menu, sign_in, sign_out
from tests.factories import xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bank_result(claim, line=1) -> bytes:
    return xlsx_bytes(
        [[line, claim.number, f"{claim.benefit:.2f}", "成功", "", "PSBC-20261123-0001"]],
        ["序号", "业务编号", "金额", "结果", "失败原因", "银行流水号"],
    )


def test_a_claim_from_the_counter_through_review_approval_and_payment(page, live_server, demo_city, screenshot):
    today = timezone.localdate()
    sign_in(page, live_server, "counter_clerk")
    box = page.get_by_placeholder("身份证号、会员编号、手机号或姓名")
    page.goto(f"{live_server.url}/members/")
    box.fill(DEMO_MEMBER_ID)
    box.press("Enter")
    page.get_by_role("link", name="理赔受理").click()

    fields = {
        # After the demo claim's stay (12 to 5 days ago): an overlapping stay is refused at intake (issue 14 item 1).
        "hospital": "商洛市中心医院", "admitted_on": str(today - timezone.timedelta(days=4)),
        "discharged_on": str(today), "diagnosis": "肺炎", "total_cost": "9000", "fund_paid": "4500",
        "invoices": "SX2026-7770001 9000", "bank_name": "中国邮政储蓄银行商洛分行",
        "bank_account": "6221880000000012345",
    }  # fmt: skip
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    for material in [
        "申请表(加盖工会公章)",
        "身份证",
        "出院小结或诊断证明",
        "医疗费用发票",
        "医保结算单",
        "会员本人银行卡",
    ]:
        page.get_by_role("checkbox", name=material, exact=True).check()
    page.get_by_role("button", name="受理").click()

    page.get_by_test_id("claim-status").get_by_text("已受理").wait_for()
    claim = Claim.objects.get(invoices__number="SX2026-7770001")
    screenshot(page, "claim-accepted")
    sign_out(page)

    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/mutualaid/queue/?stage=assess")
    page.get_by_role("link", name=claim.number).click()
    # self-paid 9,000 − 4,500 = 4,500; above the 500 deductible 4,000 at 50 % = 2,000.00
    assert page.get_by_test_id("benefit").inner_text() == "2,000.00 元"
    page.get_by_role("button", name="提交审核结果").click()
    page.get_by_test_id("claim-status").get_by_text("已审核").wait_for()
    sign_out(page)

    sign_in(page, live_server, "approver")
    page.goto(f"{live_server.url}/mutualaid/claims/{claim.pk}/")
    page.get_by_test_id("approve").click()
    page.get_by_test_id("claim-status").get_by_text("已审批").wait_for()
    screenshot(page, "claim-approved")
    claim.refresh_from_db()
    assert claim.status == "approved" and str(claim.benefit) == "2000.00"
    sign_out(page)

    # Finance pays it: a batch, the bank file, the bank's answer.
    sign_in(page, live_server, "finance")
    menu(page, "支付与对账", "支付")
    page.get_by_role("link", name="新建批次").click()
    page.locator(f"tr:has-text('{claim.number}') input[name=requests]").check()
    page.get_by_role("button", name="创建批次").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载银行代发文件").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    row = next(r for r in sheet.iter_rows(values_only=True) if claim.number in r)
    assert "2000.00" in row and "6221880000000012345" in row  # the member's own card, the exact amount
    page.get_by_role("button", name="标记为已报送银行").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "result.xlsx", "mimeType": "application/octet-stream", "buffer": bank_result(claim)}]
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    screenshot(page, "payment-batch")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.paid_on
