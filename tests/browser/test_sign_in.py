import pytest

from tests.browser.steps import menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counter_clerk_signs_in_in_chinese_and_reaches_the_workbench(page, live_server, demo_city, screenshot):
    page.goto(f"{live_server.url}/")
    assert "登录" in page.title()
    screenshot(page, "login")

    sign_in(page, live_server, "counter_clerk")

    page.get_by_role("heading", name="工作台").wait_for()
    # The demo city has a union whose legal-person certificate expires within 60 days.
    assert "需关注的工会法人资格证书" in page.get_by_test_id("pending-items").inner_text()
    assert "李娜" in page.get_by_test_id("user-menu").inner_text()
    screenshot(page, "workbench")


def test_wrong_password_keeps_the_username_and_says_why(page, live_server, demo_city):
    sign_in(page, live_server, "counter_clerk", "not-the-password")
    assert "用户名或密码不正确" in page.content()
    assert page.get_by_label("用户名").input_value() == "counter_clerk"


def test_workbench_fits_a_phone_without_horizontal_scrolling(phone_page, live_server, demo_city, screenshot):
    sign_in(phone_page, live_server, "county_shangzhou")
    phone_page.get_by_role("heading", name="工作台").wait_for()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    screenshot(phone_page, "workbench-phone")


def test_auditor_finds_who_changed_an_organisation(page, live_server, demo_city, screenshot):
    from unionportal.accounts import audit
    from unionportal.org.models import Organisation

    union = Organisation.objects.get(code="611002001001")
    union.name = "商洛市城投物业有限公司工会委员会"
    union.save()
    audit.log_export(actor=None, model=Organisation, rows=8, description="组织架构导出")

    sign_in(page, live_server, "auditor")
    menu(page, "系统", "审计日志")
    page.get_by_label("记录", exact=True).fill("城投物业")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    assert "城投物业" in rows.first.inner_text()
    screenshot(page, "audit-log")
