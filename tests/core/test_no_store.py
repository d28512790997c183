"""Pages and files with personal data carry ``Cache-Control: no-store`` (issue 11, item 15)."""

import pytest
from django.urls import reverse

from mutualaid import services as claim_services
from tests.factories import make_member, make_member_account
from tests.mutualaid.conftest import claim_input, clerk, covered_member, inpatient_plan  # noqa: F401
from tests.payments.conftest import finance, make_request, thing  # noqa: F401
from unionportal.payments import services as payment_services


def assert_no_store(response):
    assert response.status_code in (200, 302), response.status_code
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


@pytest.mark.django_db
class TestNoStore:
    def test_member_pages_and_the_export_with_full_id_numbers(self, client, tree, county_user):
        member = make_member(union=tree["union_sz"])
        client.force_login(county_user)
        assert_no_store(client.get(reverse("members:member-detail", args=[member.pk])))
        assert_no_store(client.get(reverse("members:member-list")))
        assert_no_store(client.post(reverse("members:member-reveal", args=[member.pk])))
        assert_no_store(client.get(reverse("members:member-export"), {"full_numbers": True}))

    def test_claim_pages(self, client, clerk, covered_member):  # noqa: F811
        claim = claim_services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        client.force_login(clerk)
        assert_no_store(client.get(reverse("mutualaid:claim-list")))
        assert_no_store(client.get(reverse("mutualaid:claim-detail", args=[claim.pk])))
        assert_no_store(client.get(reverse("mutualaid:claim-receipt", args=[claim.pk])))

    def test_the_members_own_pages_and_api(self, client, clerk, covered_member):  # noqa: F811
        claim = claim_services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        client.force_login(make_member_account(covered_member))
        for name in ("mutualaid:my-claims", "mutualaid:my-cover", "members:my-notices"):
            assert_no_store(client.get(reverse(name)))
        assert_no_store(client.get(reverse("mutualaid:my-claim-detail", args=[claim.number])))
        assert_no_store(client.get("/api/v1/my/claims/"))

    def test_the_bank_file(self, client, tree, thing, finance):  # noqa: F811
        batch = payment_services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], 1)])
        client.force_login(finance)
        assert_no_store(client.get(reverse("payments:batch-detail", args=[batch.pk])))
        assert_no_store(client.post(reverse("payments:batch-export", args=[batch.pk])))

    def test_the_public_status_check_and_activation(self, client):
        assert_no_store(client.get(reverse("mutualaid:status-check")))
        assert_no_store(client.get(reverse("members:activate")))
