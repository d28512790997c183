"""A manual adjustment: one amount to pay everywhere, the internal note never reaches the member.

Given a claim computed at 2,350.00 that the reviewer sets to 3,000.00 with an internal note, the approver sees
3,000.00 in bold and 2,350.00 as a secondary line, the result notice shows one 给付金额, and the member's page
and API show 3,000.00, a plain reason code and the same period limit left as the staff page.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from tests.factories import UserFactory, claim_input, make_member_account

NOTE = "内部说明：主任同意特批"
ADJUSTED = Decimal("3000.00")


@pytest.fixture
def people(tree):
    return {
        "reviewer": UserFactory(username="rv_a", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap_a", organisation=tree["shangzhou"], roles=["approver"]),
    }


@pytest.fixture
def adjusted(clerk, covered_member, people):
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim = claim_flow.claim_assess(actor=people["reviewer"], claim=claim, amount=ADJUSTED, reason=NOTE)
    assert claim.computed_benefit == Decimal("2350.00") and claim.benefit == ADJUSTED
    return claim


def staff_page(client, user, claim):
    client.force_login(user)
    return client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).content.decode()


def remaining_shown(page):
    cell = page[page.index('data-testid="remaining-after"') :]
    return cell[cell.index(">") + 1 : cell.index("</td>")]


@pytest.mark.django_db
def test_the_approver_sees_the_adjusted_amount_in_bold_and_the_computed_one_secondary(client, people, adjusted):
    page = staff_page(client, people["approver"], adjusted)
    bold = page[page.index('data-testid="benefit"') :]
    assert bold[bold.index(">") + 1 :].startswith("3,000.00")
    computed = page[page.index('data-testid="computed-benefit"') :]
    assert computed[computed.index(">") + 1 :].startswith("2,350.00")
    assert NOTE in page  # staff may read the internal note


@pytest.mark.django_db
def test_the_result_notice_shows_one_amount_and_no_internal_note(client, people, adjusted):
    claim = claim_flow.claim_approve(actor=people["approver"], claim=adjusted)
    client.force_login(people["approver"])
    page = client.get(reverse("mutualaid:claim-result", args=[claim.pk])).content.decode()
    assert page.count("3,000.00") == 1 and "2,350.00" not in page.replace("2,350.00 ", "")
    assert 'data-testid="benefit"' not in page
    assert NOTE not in page and "如有疑问请咨询所在工会" in page


@pytest.mark.django_db
def test_the_member_never_sees_the_internal_note_and_both_sides_show_the_same_limit_left(
    client, people, covered_member, adjusted
):
    claim = claim_flow.claim_approve(actor=people["approver"], claim=adjusted)
    staff_left = remaining_shown(staff_page(client, people["approver"], claim))

    client.force_login(make_member_account(covered_member))
    page = client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])).content.decode()
    data = client.get(f"/api/v1/my/claims/{claim.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert NOTE not in page and NOTE not in str(data)
    assert "3,000.00" in page[page.index('data-testid="claim-benefit"') :]
    assert "如有疑问请咨询所在工会" in page[page.index('data-testid="claim-adjustment"') :]
    assert data["benefit"] == "3000.00" and data["breakdown"]["benefit"] == "3000.00"
    assert data["adjustment_code"] == "adjusted_on_review" and "咨询所在工会" in data["adjustment_reason"]

    # The limit left is what the period cap holds after the amount actually assessed, on both sides.
    before = Decimal(claim.breakdown["remaining_before"])  # what the assessor saw, frozen on the claim
    assert Decimal(data["breakdown"]["remaining_after"]) == before - ADJUSTED
    member_left = remaining_shown(page)
    assert member_left == staff_left
    assert f"{Decimal(data['breakdown']['remaining_after']):,.2f}" in member_left
    assert f"{Decimal(data['breakdown']['remaining_after']):,.2f}" in page[page.index("breakdown-explained") :]
