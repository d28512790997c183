import pytest

from members.models import EnterpriseNote
from tests.browser.steps import menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_officer_follows_up_an_enterprise_without_a_union(page, live_server, demo_city, screenshot):
    sign_in(page, live_server, "county_shangzhou")
    menu(page, "会员与组织", "建会台账")
    page.get_by_role("heading", name="建会台账").wait_for()
    ledger = page.content()
    assert "陕西商洛秦岭茶业有限公司" in ledger
    assert "山阳县金川化工有限公司" not in ledger  # another county's enterprise
    assert "商州区美佳家政服务有限公司" not in ledger  # 18 employees: under the threshold
    screenshot(page, "drive-ledger")

    page.get_by_role("link", name="陕西商洛秦岭茶业有限公司").click()
    page.locator("textarea, input[name=text]").first.fill("已电话联系企业人事部,约定下周上门宣讲")
    page.get_by_role("button", name="添加记录").click()
    page.get_by_test_id("notes").get_by_text("约定下周上门宣讲").wait_for()
    assert EnterpriseNote.objects.get().author.username == "county_shangzhou"
