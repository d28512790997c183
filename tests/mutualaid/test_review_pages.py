from decimal import Decimal

import pytest
from django.urls import reverse

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim
from tests.factories import UserFactory, claim_input


@pytest.fixture
def people(tree):
    return {
        "reviewer": UserFactory(username="rv2", organisation=tree["shangzhou"], roles=["reviewer"]),
        "approver": UserFactory(username="ap2", organisation=tree["shangzhou"], roles=["approver"]),
    }


def decide(client, claim, action, **data):
    return client.post(reverse("mutualaid:claim-decide", args=[claim.pk, action]), data, follow=True)


@pytest.mark.django_db
class TestReviewPages:
    def test_reviewer_assesses_and_approver_approves_through_the_pages(self, client, people, claim):
        client.force_login(people["reviewer"])
        queue = client.get(reverse("mutualaid:queue") + "?stage=assess")
        assert [c.pk for c in queue.context["claims"]] == [claim.pk]
        detail = client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).content.decode()
        assert "2,350.00 元" in detail  # the breakdown before assessment
        decide(client, claim, "assess")
        assert Claim.objects.get(pk=claim.pk).status == "assessed"

        assert decide(client, claim, "approve").status_code == 403  # a reviewer holds no approval right
        client.force_login(people["approver"])
        page = decide(client, claim, "approve").content.decode()
        assert Claim.objects.get(pk=claim.pk).status == "approved"
        assert "已审批" in page
        decide(client, claim, "approve")  # a double click
        assert Claim.objects.get(pk=claim.pk).events.filter(to_status="approved").count() == 1

    def test_adjustment_without_reason_is_explained_and_changes_nothing(self, client, people, claim):
        client.force_login(people["reviewer"])
        page = decide(client, claim, "assess", amount="1000.00").content.decode()
        assert "原因" in page
        assert Claim.objects.get(pk=claim.pk).status == "accepted"

    def test_return_and_reject(self, client, people, claim, clerk, covered_member):
        client.force_login(people["reviewer"])
        decide(client, claim, "return", missing=["settlement"], note="结算单模糊")
        assert Claim.objects.get(pk=claim.pk).status == "returned"
        other = services.claim_receive(
            actor=clerk, member=covered_member, data=claim_input(stay=9, invoices=[("INV-9", Decimal("12000.00"))])
        )
        decide(client, other, "reject", reason="excluded", note="美容项目")
        assert Claim.objects.get(pk=other.pk).status == "rejected"

    def test_other_county_reviewer_gets_404(self, client, tree, claim):
        outsider = UserFactory(organisation=tree["shanyang"], roles=["reviewer"])
        client.force_login(outsider)
        assert client.get(reverse("mutualaid:claim-detail", args=[claim.pk])).status_code == 404
        assert decide(client, claim, "assess").status_code == 404
        assert client.get(reverse("mutualaid:queue")).context["claims"] == []

    def test_workbench_counts_claims_waiting_for_the_reviewer(self, client, people, claim):
        client.force_login(people["reviewer"])
        items = {item.title: item.count for item in client.get("/").context["items"]}
        assert items.get("待审核的理赔") == 1


@pytest.mark.django_db
def test_estimate_shows_the_same_breakdown_before_a_claim_exists(client, clerk, covered_member):
    client.force_login(clerk)
    response = client.get(
        reverse("mutualaid:estimate", args=[covered_member.pk]),
        {"claim_type": "inpatient", "total_cost": "12000", "fund_paid": "6000", "serious_illness_paid": "0",
         "self_funded": "800", "days": "7"},
    )  # fmt: skip
    assert response.context["breakdown"].benefit == Decimal("2350.00")
    assert not Claim.objects.exists()
    bad = client.get(
        reverse("mutualaid:estimate", args=[covered_member.pk]),
        {"claim_type": "inpatient", "total_cost": "100", "fund_paid": "600", "serious_illness_paid": "0",
         "self_funded": "0"},
    )  # fmt: skip
    assert bad.context["breakdown"] is None and bad.context["error"]


@pytest.mark.django_db
def test_queue_costs_the_same_queries_for_one_claim_or_many_and_shows_each_row(
    client, people, clerk, covered_member, django_assert_max_num_queries
):
    # Given one claim waiting for assessment
    first = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    client.force_login(people["reviewer"])
    url = reverse("mutualaid:queue") + "?stage=assess"
    client.get(url)  # the session's first request settles its two-factor state
    with django_assert_max_num_queries(6) as one:
        page = client.get(url).content.decode()
    # then the row names the member, the plan, the self-paid amount (12,000 − 6,000 − 800) and links the claim
    assert "刘洋" in page and "住院综合" in page and "5,200.00 元" in page
    assert reverse("mutualaid:claim-detail", args=[first.pk]) in page

    # When ten more claims wait
    for n in range(10):
        services.claim_receive(
            actor=clerk,
            member=covered_member,
            data=claim_input(stay=n + 1, invoices=[(f"INV-Q{n}", Decimal("12000.00"))]),
        )
    # then the page costs no more queries
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get(url).context["claims"]
    assert len(rows) == 11 and rows[0].pk == first.pk


@pytest.mark.django_db
def test_an_assessed_claim_keeps_showing_the_breakdown_it_was_assessed_on(client, people, clerk, covered_member):
    # Given a claim assessed at 2,350.00 (self-paid 12,000 − 6,000 − 800 = 5,200; less the 500 deductible, 4,700
    # lies in the first segment, at 50 %) with the whole period cap before it
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim_flow.claim_assess(actor=people["reviewer"], claim=claim)
    # When a later claim on the same cover is assessed and takes part of the period cap
    later = services.claim_receive(
        actor=clerk, member=covered_member, data=claim_input(stay=1, invoices=[("INV-LATER", Decimal("12000.00"))])
    )
    claim_flow.claim_assess(actor=people["reviewer"], claim=later)
    # Then the first claim's page still shows what its assessor saw: the full cap left before it
    client.force_login(people["reviewer"])
    page = client.get(reverse("mutualaid:claim-detail", args=[claim.pk]))
    shown = page.context["breakdown"]
    assert shown.benefit == Decimal("2350.00") and shown.remaining_before == Decimal("200000.00")
    assert "200,000.00 元" in page.content.decode()
    # and the later claim's shows the cap its assessor saw, less the first claim
    assert client.get(reverse("mutualaid:claim-detail", args=[later.pk])).context["breakdown"].remaining_before == (
        Decimal("197650.00")
    )


@pytest.mark.django_db
def test_claim_page_names_member_union_and_plan_in_a_fixed_number_of_queries(
    client, people, clerk, covered_member, django_assert_max_num_queries
):
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    client.force_login(people["reviewer"])
    url = reverse("mutualaid:claim-detail", args=[claim.pk])
    client.get(url)  # the session's first request settles its two-factor state
    # session, user with roles, claim with member and union, cover with plan, period use, rate segments,
    # invoices, events, scans
    with django_assert_max_num_queries(9):
        page = client.get(url).content.decode()
    assert "刘洋" in page and "商州某公司工会" in page and "住院综合" in page
    # Once assessed, the stored breakdown replaces the two queries that computed it
    claim_flow.claim_assess(actor=people["reviewer"], claim=claim)
    with django_assert_max_num_queries(7):
        assert "2,350.00 元" in client.get(url).content.decode()
