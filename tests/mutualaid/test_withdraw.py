"""Withdrawing a claim before approval: at the counter or by the member online, with a reason and a confirm step.

Tried by the counter clerk, the member (own account), another member, another county's clerk, a reviewer
without the counter's permission and an anonymous visitor; and refused, with a clear message, once approved or paid.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, ClaimClock
from tests.factories import UserFactory, claim_input, make_member, make_member_account
from unionportal.notifications.models import Notice


@pytest.fixture
def claim(clerk, covered_member):
    return services.claim_receive(actor=clerk, member=covered_member, data=claim_input())


@pytest.fixture
def staff(tree):
    return {
        "reviewer": UserFactory(username="rv_w", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap_w", organisation=tree["shangzhou"], roles=["approver"]),
        "other_clerk": UserFactory(username="clerk_sy_w", organisation=tree["shanyang"], roles=["counter_clerk"]),
    }


def approved(claim, staff):
    claim = claim_flow.claim_assess(actor=staff["reviewer"], claim=claim)
    return claim_flow.claim_approve(actor=staff["approver"], claim=claim)


@pytest.mark.django_db
class TestTheService:
    def test_the_clerk_withdraws_with_a_reason_and_the_member_is_told(self, clerk, claim):
        claim = claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="单位已全额报销")
        assert (
            claim.status == "withdrawn" and claim.due_on is None and not ClaimClock.objects.filter(claim=claim).exists()
        )
        event = claim.events.last()
        assert (event.from_status, event.to_status, event.actor, event.note) == (
            "accepted", "withdrawn", clerk, "单位已全额报销"
        )  # fmt: skip
        sms = Notice.objects.get(kind="claim.withdrawn")
        assert claim.number in sms.body and "单位已全额报销" in sms.body

    def test_twice_is_once(self, clerk, claim):
        claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="撤回")
        claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="撤回")
        assert claim.events.filter(to_status="withdrawn").count() == 1
        assert Notice.objects.filter(kind="claim.withdrawn").count() == 1

    def test_a_reason_is_required(self, clerk, claim):
        with pytest.raises(ValidationError):
            claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="  ")
        assert Claim.objects.get(pk=claim.pk).status == "accepted"

    def test_the_member_withdraws_their_own_claim_only(self, tree, claim, covered_member):
        claim = claim_flow.claim_withdraw(actor=make_member_account(covered_member), claim=claim, reason="不再申请")
        assert claim.status == "withdrawn"
        other = make_member_account(make_member(union=tree["union_sz"], name="钱七"))
        fresh = services.claim_receive(
            actor=claim.entered_by, member=covered_member, data=claim_input(invoices=[("INV-W2", claim.total_cost)])
        )
        from django.http import Http404

        with pytest.raises(Http404):
            claim_flow.claim_withdraw(actor=other, claim=fresh, reason="x")

    @pytest.mark.parametrize("step", ["approved", "paid"])
    def test_an_approved_or_paid_claim_cannot_be_withdrawn(self, clerk, claim, staff, step):
        claim = approved(claim, staff)
        if step == "paid":
            claim_flow.claim_mark_paid(claim=claim, paid_on=claim.accepted_at.date())
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="撤回")
        assert refused.value.messages == ["该理赔已审批或已支付，不能再撤回。"]
        assert Claim.objects.get(pk=claim.pk).status == step

    def test_a_returned_claim_can_be_withdrawn(self, clerk, claim, staff):
        claim = claim_flow.claim_return(actor=staff["reviewer"], claim=claim, missing=["settlement"])
        assert claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="材料无法补齐").status == "withdrawn"


@pytest.mark.django_db
class TestTheCounterPage:
    def test_confirm_then_withdraw(self, client, clerk, claim):
        client.force_login(clerk)
        detail = client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).content.decode()
        assert reverse("mutualaid:claim-withdraw", args=[claim.pk]) in detail
        url = reverse("mutualaid:claim-withdraw", args=[claim.pk])
        page = client.get(url)
        assert page.status_code == 200 and 'data-testid="confirm-withdraw"' in page.content.decode()
        assert Claim.objects.get(pk=claim.pk).status == "accepted"  # the page alone changes nothing
        response = client.post(url, {"reason": "会员要求撤回"})
        assert response.status_code == 302 and Claim.objects.get(pk=claim.pk).status == "withdrawn"

    def test_without_a_reason_nothing_happens(self, client, clerk, claim):
        client.force_login(clerk)
        response = client.post(reverse("mutualaid:claim-withdraw", args=[claim.pk]), {"reason": ""})
        assert response.status_code == 200 and Claim.objects.get(pk=claim.pk).status == "accepted"

    def test_other_county_reviewer_and_anonymous(self, client, claim, staff):
        url = reverse("mutualaid:claim-withdraw", args=[claim.pk])
        client.force_login(staff["other_clerk"])
        assert client.post(url, {"reason": "x"}).status_code == 404
        client.force_login(staff["reviewer"])
        assert client.post(url, {"reason": "x"}).status_code == 403
        client.logout()
        assert client.post(url, {"reason": "x"}).status_code == 302
        assert Claim.objects.get(pk=claim.pk).status == "accepted"

    def test_approved_claim_shows_no_button_and_refuses(self, client, clerk, claim, staff):
        claim = approved(claim, staff)
        client.force_login(clerk)
        detail = client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).content.decode()
        assert 'data-testid="withdraw"' not in detail
        response = client.post(reverse("mutualaid:claim-withdraw", args=[claim.pk]), {"reason": "x"}, follow=True)
        assert "不能再撤回" in response.content.decode()
        assert Claim.objects.get(pk=claim.pk).status == "approved"


@pytest.mark.django_db
class TestTheMemberPage:
    def test_the_member_confirms_and_withdraws(self, client, claim, covered_member):
        client.force_login(make_member_account(covered_member))
        detail = client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).content.decode()
        url = reverse("mutualaid:my-claim-withdraw", args=[claim.number])
        assert url in detail
        assert 'data-testid="confirm-withdraw"' in client.get(url).content.decode()
        response = client.post(url, {"reason": "已在别处报销"}, follow=True)
        text = response.content.decode()
        assert Claim.objects.get(pk=claim.pk).status == "withdrawn"
        assert "已撤回" in text and "已在别处报销" in text  # the timeline shows the step and the reason
        assert Notice.objects.filter(kind="claim.withdrawn", member_reference=str(covered_member.pk)).count() == 1

    def test_another_member_staff_and_anonymous(self, client, tree, claim, clerk):
        url = reverse("mutualaid:my-claim-withdraw", args=[claim.number])
        client.force_login(make_member_account(make_member(union=tree["union_sz"], name="孙八")))
        assert client.post(url, {"reason": "x"}).status_code == 404
        client.force_login(clerk)
        assert client.post(url, {"reason": "x"}).status_code == 404  # the member pages do not exist for staff
        client.logout()
        assert client.post(url, {"reason": "x"}).status_code == 302
        assert Claim.objects.get(pk=claim.pk).status == "accepted"
