"""Members online on a 360 px phone: activation, sign-in, the claim timeline; no horizontal scrolling."""

import pytest
from django.contrib.auth import get_user_model

from members.demo import DEMO_MEMBER_ID
from members.models import Member
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim
from unionportal.core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Qinling@2026"


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_member_activates_her_account_on_a_phone_and_sees_what_to_bring(phone_page, live_server, demo_city,
                                                                          screenshot):  # fmt: skip
    # The second demo member of 城投物业 has no account yet; her claim is missing two materials.
    member = (
        Member.objects.filter(organisation__code="611002001001").exclude(id_number=DEMO_MEMBER_ID).order_by("pk")[0]
    )
    claim = Claim.objects.get(member=member)
    page = phone_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="会员激活账号").click()
    page.get_by_label("证件号码").fill(member.id_number)
    page.get_by_label("在工会登记的手机号").fill("13900000000")  # a wrong phone first
    page.get_by_label("会员编号").fill(member.member_number)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="激活").click()
    assert "与我们可以开通的账号不符" in page.content() and member.name not in page.content()
    assert fits_the_phone(page)
    screenshot(page, "member-activate-phone")

    page.get_by_label("在工会登记的手机号").fill(member.phone)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="激活").click()

    page.get_by_role("heading", name="我的理赔").wait_for()
    assert get_user_model().objects.filter(member=member).exists()
    page.get_by_role("link", name=claim.number).click()
    missing = page.get_by_test_id("claim-missing")
    missing.wait_for()
    assert "医保结算单" in missing.inner_text()
    assert fits_the_phone(page)


def test_the_demo_member_signs_in_with_her_phone_and_follows_her_claim(phone_page, live_server, demo_city,
                                                                      screenshot):  # fmt: skip
    member = Member.objects.get(id_number=DEMO_MEMBER_ID)
    claim = Claim.objects.get(member=member)
    page = phone_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(member.phone)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的理赔").wait_for()
    assert "工作台" not in page.content()
    assert fits_the_phone(page)

    page.get_by_role("link", name=claim.number).click()
    assert "承诺给付日期" in page.get_by_test_id("claim-due").inner_text()
    assert "已受理" in page.get_by_test_id("claim-timeline").inner_text()

    # The federation assesses and approves it; the member's page shows the amount and how it was reached.
    User = get_user_model()
    claim = claim_flow.claim_assess(actor=User.objects.get(username="reviewer"), claim=claim)
    claim_flow.claim_approve(actor=User.objects.get(username="approver"), claim=claim)
    page.reload()
    timeline = page.get_by_test_id("claim-timeline").inner_text()
    assert "已审核" in timeline and "已审批" in timeline
    assert "2,350.00" in page.get_by_test_id("claim-benefit").inner_text()
    assert "起付线" in page.get_by_test_id("breakdown-explained").inner_text()
    assert fits_the_phone(page)
    screenshot(page, "member-claim-phone")

    # Touch targets: the list rows and buttons are at least 44 px high on a phone.
    page.get_by_role("link", name="我的理赔").first.click()
    heights = page.eval_on_selector_all(".member-page .list-group-item-action, .member-page .btn",
                                        "els => els.map(e => e.getBoundingClientRect().height)")  # fmt: skip
    assert heights and min(heights) >= 44
