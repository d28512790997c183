"""A member's own pages: my claims with the timeline, my cover, the estimate, my notices.

Every page is tried by the member, by another member (404), by an anonymous visitor (sign-in) and by staff
(the member pages do not exist for them; their own pages are unaffected).
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from tests.factories import UserFactory, claim_input, make_member, make_member_account
from unionportal.notifications.models import Notice
from unionportal.notifications.services import notice_send

D = Decimal


@pytest.fixture
def staff(tree):
    return {
        "reviewer": UserFactory(username="rv_m", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap_m", organisation=tree["shangzhou"], roles=["approver"]),
    }


@pytest.fixture
def account(covered_member):
    return make_member_account(covered_member)


@pytest.fixture
def other_member_client(client, tree, clerk, inpatient_plan):
    """Another member of the same union, signed in with their own account."""
    other = make_member(union=tree["union_sz"], name="赵强")
    client.force_login(make_member_account(other))
    return client


def member_urls(claim):
    return [
        reverse("mutualaid:my-claims"),
        reverse("mutualaid:my-claim-detail", args=[claim.number]),
        reverse("mutualaid:my-cover"),
        reverse("mutualaid:my-estimate"),
        reverse("members:my-notices"),
    ]


@pytest.mark.django_db
class TestWhoSeesWhat:
    def test_the_member_sees_every_page(self, client, account, claim):
        client.force_login(account)
        for url in member_urls(claim):
            assert client.get(url).status_code == 200, url

    def test_another_members_claim_number_is_a_404(self, other_member_client, claim):
        response = other_member_client.get(reverse("mutualaid:my-claim-detail", args=[claim.number]))
        assert response.status_code == 404
        own_list = other_member_client.get(reverse("mutualaid:my-claims")).content.decode()
        assert claim.number not in own_list

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, claim):
        for url in member_urls(claim):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url

    def test_staff_get_404_on_member_pages_and_keep_their_own(self, client, county_user, claim):
        client.force_login(county_user)
        for url in member_urls(claim):
            assert client.get(url).status_code == 404, url
        assert client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).status_code == 200
        assert client.get(reverse("core:workbench")).status_code == 200

    def test_a_member_account_has_no_staff_page(self, client, account, claim):
        client.force_login(account)
        assert client.get(reverse("core:workbench"))["Location"] == reverse("mutualaid:my-claims")
        assert client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).status_code == 403
        assert client.get(reverse("members:member-detail", args=[claim.member.pk])).status_code == 403
        page = client.get(reverse("mutualaid:my-claims")).content.decode()
        assert "我的保障" in page and "理赔审核" not in page and 'href="/members/"' not in page


@pytest.mark.django_db
class TestMyClaims:
    def test_the_list_shows_status_and_days_left_in_few_queries(self, client, account, claim, clerk,
                                                                 django_assert_max_num_queries):  # fmt: skip
        second = services.claim_receive(
            actor=clerk, member=claim.member, data=claim_input(stay=1, invoices=[("INV-002", D("12000.00"))])
        )
        client.force_login(account)
        client.get(reverse("mutualaid:my-claims"))  # the session's first request checks two-factor once
        # session, user, roles, claims (one query for any number of them), session save
        with django_assert_max_num_queries(5):
            page = client.get(reverse("mutualaid:my-claims")).content.decode()
        assert claim.number in page and second.number in page
        days = (claim.due_on - timezone.localdate()).days
        assert f"还剩 {days} 天" in page

    def test_the_timeline_of_an_approved_claim_with_its_amount_and_breakdown(self, client, account, claim, staff):
        claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=claim)
        claim = claim_flow.claim_approve(actor=staff["approver"], claim=claim)
        client.force_login(account)

        page = client.get(reverse("mutualaid:my-claim-detail", args=[claim.number.lower()])).content.decode()
        timeline = page[page.index('data-testid="claim-timeline"') :]
        for label in ("已受理", "已审核", "已审批"):
            assert label in timeline
        assert "2,350.00" in page and "承诺给付日期" in page
        # The breakdown in plain words: self-paid 5,200, deductible 500, 4,700 at 50 %.
        assert "5,200.00" in page and "500.00" in page and "50%" in page
        assert "6221880000000012345" not in page  # the bank card is not repeated on a page

    def test_a_returned_claim_lists_the_missing_materials(self, client, account, claim, staff):
        claim_flow.claim_return(actor=staff["reviewer"], claim=claim, missing=["settlement"], note="结算单不清晰")
        client.force_login(account)

        page = client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).content.decode()
        assert "退回补材料" in page[page.index('data-testid="claim-timeline"') :]
        assert "医保结算单" in page[page.index('data-testid="claim-missing"') :]

    def test_a_rejected_claim_says_why(self, client, account, claim, staff):
        claim_flow.claim_reject(actor=staff["reviewer"], claim=claim, reason="excluded")
        client.force_login(account)
        page = client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).content.decode()
        timeline = page[page.index('data-testid="claim-timeline"') :]
        assert "不予给付" in timeline and "除外责任" in timeline


@pytest.mark.django_db
class TestCoverEstimateNotices:
    def test_my_cover_shows_plan_shares_period_waiting_end_and_renewal(self, client, account, covered_member):
        cover = covered_member.policies.get()
        client.force_login(account)
        page = client.get(reverse("mutualaid:my-cover")).content.decode()
        assert "住院综合" in page and "保障中" in page
        assert cover.ends_on.strftime("%Y-%m-%d") in page and cover.waiting_ends_on.strftime("%Y-%m-%d") in page

    def test_the_estimate_is_the_counters_calculation(self, client, account):
        client.force_login(account)
        query = {"claim_type": "inpatient", "total_cost": "12000", "fund_paid": "6000", "serious_illness_paid": "0",
                 "self_funded": "800", "days": "7"}  # fmt: skip
        page = client.get(reverse("mutualaid:my-estimate"), query).content.decode()
        assert "2,350.00" in page and "起付线" in page

    def test_an_estimate_without_cover_of_that_kind_says_so(self, client, account):
        client.force_login(account)
        query = {"claim_type": "critical", "total_cost": "1000", "fund_paid": "0", "serious_illness_paid": "0",
                 "self_funded": "0"}  # fmt: skip
        page = client.get(reverse("mutualaid:my-estimate"), query).content.decode()
        assert "您今天没有此类保障" in page

    def test_impossible_figures_get_a_message_not_an_error(self, client, account):
        client.force_login(account)
        query = {"claim_type": "inpatient", "total_cost": "100", "fund_paid": "600", "serious_illness_paid": "0",
                 "self_funded": "0"}  # fmt: skip
        response = client.get(reverse("mutualaid:my-estimate"), query)
        assert response.status_code == 200 and 'data-testid="estimate-error"' in response.content.decode()

    def test_my_notices_are_the_sent_messages_about_me_only(self, client, account, claim, tree, clerk,
                                                            django_assert_max_num_queries):  # fmt: skip
        other = make_member(union=tree["union_sz"])
        for notice in Notice.objects.all():
            notice_send(notice.pk)
        Notice.objects.create(channel="sms", kind="claim.accepted", dedupe_key="x", recipient_phone=other.phone,
                              member_source="members.member", member_reference=str(other.pk), language="zh-hans",
                              subject="别人的", body="别人的短信", status="sent")  # fmt: skip
        client.force_login(account)
        client.get(reverse("members:my-notices"))
        with django_assert_max_num_queries(5):
            page = client.get(reverse("members:my-notices")).content.decode()
        assert claim.number in page and "别人的短信" not in page


@pytest.mark.django_db
class TestReceiptWithCode:
    def test_the_clerk_prints_the_receipt_with_a_code_that_opens_the_account(self, client, clerk, claim):
        import re

        from members.models import AccountCode

        client.force_login(clerk)
        url = reverse("mutualaid:claim-receipt", args=[claim.pk])
        assert 'data-testid="receipt-with-code"' in client.get(url).content.decode()
        page = client.post(url).content.decode()
        code = re.search(r'data-testid="account-code-value">(\d{8})<', page).group(1)
        assert claim.number in page and AccountCode.objects.filter(member=claim.member).count() == 1
        client.logout()

        response = client.post(
            reverse("members:account-code"),
            {"id_number": claim.member.id_number, "code": code, "password1": "Neu-Passwort-9",
             "password2": "Neu-Passwort-9"},
        )  # fmt: skip
        assert response.status_code == 302
        assert client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).status_code == 200

    def test_a_reviewer_cannot_issue_a_code_from_the_receipt(self, client, staff, claim):
        from members.models import AccountCode

        client.force_login(staff["reviewer"])
        assert client.post(reverse("mutualaid:claim-receipt", args=[claim.pk])).status_code == 403
        assert not AccountCode.objects.exists()


@pytest.mark.django_db
def test_the_member_sees_the_breakdown_the_staff_see_in_a_fixed_number_of_queries(
    client, account, clerk, claim, staff, county_user, django_assert_max_num_queries
):
    # Two assessed claims on one cover: the second's breakdown counts what the first took from the period cap.
    claim_flow.claim_assess(actor=staff["reviewer"], claim=claim)
    second = services.claim_receive(
        actor=clerk, member=claim.member, data=claim_input(stay=9, invoices=[("INV-009", D("12000.00"))])
    )
    claim_flow.claim_assess(actor=staff["reviewer"], claim=second)

    def table(page: str) -> str:
        start = page.index('data-testid="breakdown"')
        return page[start : page.index("</table>", start)]

    client.force_login(county_user)
    staff_page = client.get(reverse("mutualaid:claim-detail", args=[second.pk])).content.decode()
    client.force_login(account)
    url = reverse("mutualaid:my-claim-detail", args=[second.number])
    client.get(url)
    # session, user, claim with cover, plan and the cover's other claims' total, events, rate segments
    with django_assert_max_num_queries(5):
        member_page = client.get(url).content.decode()
    assert table(member_page) == table(staff_page)
    assert "197,650.00" in table(member_page)  # 200,000 − the first claim's 2,350
