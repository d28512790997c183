import pytest

from members.demo import DEMO_MEMBER_ID
from mutualaid.models import Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_checks_a_claim_on_a_phone_without_an_account(phone_page, live_server, demo_city, screenshot):
    claim = Claim.objects.get(member__id_number=DEMO_MEMBER_ID)

    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.get_by_role("link", name="无需登录,查询理赔进度").click()
    phone_page.get_by_label("理赔编号").fill(claim.number)
    phone_page.get_by_label("会员身份证号").fill(DEMO_MEMBER_ID)
    phone_page.get_by_role("button", name="查询").click()

    answer = phone_page.get_by_test_id("status-answer")
    answer.wait_for()
    assert "已受理" in answer.inner_text() and "承诺给付日期" in answer.inner_text()
    assert "张芳" not in phone_page.content() and DEMO_MEMBER_ID not in phone_page.content()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, "status-check-phone")
