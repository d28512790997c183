"""Finding a claim: the stay in the queue and the list, the claim search, the member's claims at the counter."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from mutualaid import services
from mutualaid.models import Claim
from tests.factories import UserFactory, claim_input

D = Decimal


@pytest.fixture
def other_county_claim(tree, covered_member, claim):
    """A claim of the same name and hospital in another county: the search must never show it."""
    other = Claim.objects.get(pk=claim.pk)
    other.pk = None
    other.number = "LP2099999999"
    other.org_path = tree["shanyang"].path
    other.save()
    return other


@pytest.mark.django_db
class TestClaimSearch:
    def test_by_number_name_id_number_and_hospital(self, clerk, claim, covered_member):
        from mutualaid import selectors

        for query in (claim.number, claim.number[:8], covered_member.name, covered_member.id_number, "中心医院"):
            assert selectors.claims_search(clerk, query) == [claim], query
        assert selectors.claims_search(clerk, "省人民医院") == []

    def test_another_countys_claims_never_appear(self, tree, clerk, claim, covered_member, other_county_claim):
        from mutualaid import selectors

        for query in (other_county_claim.number, covered_member.name, covered_member.id_number, "中心医院"):
            assert other_county_claim not in selectors.claims_search(clerk, query), query
        outsider = UserFactory(username="zhenan_clerk", organisation=tree["shanyang"], roles=["counter_clerk"])
        assert selectors.claims_search(outsider, covered_member.id_number) == [other_county_claim]

    def test_the_page_searches_by_post_so_the_id_number_stays_out_of_the_url(
        self, client, clerk, claim, covered_member, other_county_claim
    ):
        client.force_login(clerk)
        url = reverse("mutualaid:claim-list")
        response = client.post(url, {"q": covered_member.id_number})
        page = response.content.decode()
        assert response.status_code == 200 and claim.number in page and other_county_claim.number not in page
        assert covered_member.id_number not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")
        assert 'method="post"' in page.split('data-testid="claim-search"')[0].rsplit("<form", 1)[1]
        assert claim.number not in client.post(url, {"q": "省人民医院"}).content.decode()

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.post(reverse("mutualaid:claim-list"), {"q": "LP2026"})
        assert response.status_code == 302 and "login" in response.url


@pytest.mark.django_db
def test_the_queue_and_the_list_show_the_stay(client, tree, clerk, claim):
    client.force_login(UserFactory(username="rv_stay", organisation=tree["shangzhou"], roles=["reviewer"]))
    queue = client.get(reverse("mutualaid:queue") + "?stage=assess").content.decode()
    stay = queue.split('data-testid="stay">')[1].split("</td>")[0]
    assert claim.number in queue
    assert date_format(claim.admitted_on, "SHORT_DATE_FORMAT") in stay
    assert date_format(claim.discharged_on, "SHORT_DATE_FORMAT") in stay
    listing = client.get(reverse("mutualaid:claim-list")).content.decode()
    assert claim.hospital in listing and date_format(claim.admitted_on, "SHORT_DATE_FORMAT") in listing


@pytest.mark.django_db
class TestMemberPageClaims:
    def test_the_member_page_lists_her_claims_with_links(self, client, clerk, claim, covered_member):
        client.force_login(clerk)
        page = client.get(reverse("members:member-detail", args=[covered_member.pk])).content.decode()
        table = page.split('data-testid="member-claims"')[1].split("</table>")[0]
        assert reverse("mutualaid:claim-detail", args=[claim.pk]) in table
        assert claim.number in table and claim.hospital in table and claim.get_status_display() in table

    def test_claims_outside_the_users_scope_are_left_out(
        self, client, clerk, claim, covered_member, other_county_claim
    ):
        client.force_login(clerk)
        page = client.get(reverse("members:member-detail", args=[covered_member.pk])).content.decode()
        assert claim.number in page and other_county_claim.number not in page

    def test_the_page_costs_the_same_queries_for_one_claim_or_many(
        self, client, clerk, claim, covered_member, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(clerk)
        url = reverse("members:member-detail", args=[covered_member.pk])
        client.get(url)  # the first request also loads the user's permissions
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for n in range(5):
            services.claim_receive(
                actor=clerk, member=covered_member, data=claim_input(stay=n + 1, invoices=[(f"M-{n}", D("12000.00"))])
            )
        with CaptureQueriesContext(connection) as six:
            page = client.get(url).content.decode()
        assert page.count("/mutualaid/claims/") >= 6
        assert len(six) == len(one)
        with django_assert_max_num_queries(len(one)):
            client.get(url)
