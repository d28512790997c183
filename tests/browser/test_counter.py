import pytest
from auditlog.models import LogEntry

from members.demo import DEMO_MEMBER_ID
from tests.browser.steps import menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_finds_a_member_by_id_card_and_reveals_the_number(page, live_server, demo_city, screenshot):
    sign_in(page, live_server, "counter_clerk")
    menu(page, "会员与组织", "会员")
    box = page.get_by_placeholder("身份证号、会员编号、手机号或姓名")
    box.fill(DEMO_MEMBER_ID)  # what an ID-card reader types
    box.press("Enter")  # the reader presses Enter

    page.get_by_role("heading", name="张芳").wait_for()
    assert DEMO_MEMBER_ID not in page.content()
    assert "6125**********0020" in page.content()
    assert DEMO_MEMBER_ID not in page.url
    screenshot(page, "member")

    page.locator("[id^='id-number-']").get_by_role("button", name="显示完整号码").click()  # the phone has its own
    page.get_by_text("已显示并记录").wait_for()
    assert DEMO_MEMBER_ID in page.content()
    assert LogEntry.objects.filter(actor__username="counter_clerk", additional_data__kind="reveal").exists()


def test_county_officer_searches_by_name_within_the_county(page, live_server, demo_city):
    sign_in(page, live_server, "county_shanyang")
    menu(page, "会员与组织", "会员")
    box = page.get_by_placeholder("身份证号、会员编号、手机号或姓名")
    box.fill("张芳")  # a Shangzhou member: outside Shanyang
    box.press("Enter")
    page.get_by_test_id("lookup-none").wait_for()
