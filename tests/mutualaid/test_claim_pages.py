from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid.models import Claim
from tests.factories import UserFactory
from tests.mutualaid.conftest import REQUIRED


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "claim_type": "inpatient", "hospital": "商洛市中心医院",
        "admitted_on": (today - timedelta(days=10)).isoformat(),
        "discharged_on": (today - timedelta(days=3)).isoformat(),
        "diagnosis": "肺炎", "total_cost": "12000.00", "fund_paid": "6000.00", "serious_illness_paid": "0",
        "self_funded": "800.00", "invoices": "inv-001 7000\nINV-002 5000.00", "materials": REQUIRED,
        "bank_name": "邮储银行", "bank_account": "6221880000000012345",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestCounterClaim:
    def test_clerk_takes_a_complete_claim_and_prints_the_receipt(self, client, clerk, covered_member):
        client.force_login(clerk)
        response = client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
        claim = Claim.objects.get()
        assert response.url == reverse("mutualaid:claim-detail", args=[claim.pk])
        assert claim.status == "accepted" and sorted(claim.invoices.values_list("number", flat=True)) == [
            "INV-001", "INV-002"]  # fmt: skip
        receipt = client.get(reverse("mutualaid:claim-receipt", args=[claim.pk])).content.decode()
        assert claim.number in receipt and "理赔受理回执" in receipt
        assert f"{claim.due_on.year}年{claim.due_on.month}月{claim.due_on.day}日" in receipt

    def test_incomplete_claim_prints_the_missing_materials(self, client, clerk, covered_member):
        client.force_login(clerk)
        client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data(materials=REQUIRED[:2]))
        claim = Claim.objects.get()
        checklist = client.get(reverse("mutualaid:claim-checklist", args=[claim.pk])).content.decode()
        assert "医保结算单" in checklist and "理赔材料告知单" in checklist
        client.post(reverse("mutualaid:claim-materials", args=[claim.pk]), {"materials": REQUIRED[2:]})
        claim.refresh_from_db()
        assert claim.status == "accepted"

    def test_duplicate_invoice_names_the_first_claim_and_keeps_the_form(self, client, clerk, covered_member):
        client.force_login(clerk)
        client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
        first = Claim.objects.get()
        again = client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
        page = again.content.decode()
        assert first.number in page and "已" in page
        assert again.context["form"]["hospital"].value() == "商洛市中心医院"
        assert Claim.objects.count() == 1

    def test_malformed_invoice_lines_and_bad_amounts_say_which_field(self, client, clerk, covered_member):
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:claim-create", args=[covered_member.pk]),
            form_data(invoices="INV-9 12k", total_cost="-5"),
        )
        assert set(response.context["form"].errors) == {"invoices", "total_cost"}
        assert not Claim.objects.exists()

    @pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN", "1e30", "1E+30", "99999999999"])
    def test_invoice_amounts_that_are_not_money_are_a_form_error_not_a_500(self, client, clerk, covered_member, amount):
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data(invoices=f"INV-9 {amount}")
        )
        assert response.status_code == 200 and "invoices" in response.context["form"].errors
        assert not Claim.objects.exists()

    def test_an_invoice_number_of_3000_characters_is_refused(self, client, clerk, covered_member):
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data(invoices=f"{'A' * 3000} 12000")
        )
        assert response.status_code == 200 and "invoices" in response.context["form"].errors
        assert not Claim.objects.exists()

    def test_every_free_text_input_of_the_claim_form_has_a_maximum_length(self):
        from mutualaid.forms import ClaimForm

        for name, field in ClaimForm.base_fields.items():
            if hasattr(field, "max_length"):
                assert field.max_length, name

    @pytest.mark.parametrize("days", ["1e30", "100000000000000000000000000000", "367"])
    def test_estimate_pages_refuse_impossible_days(self, client, clerk, covered_member, days):
        client.force_login(clerk)
        query = {"claim_type": "allowance", "total_cost": "1000", "fund_paid": "0", "serious_illness_paid": "0",
                 "self_funded": "0", "days": days}  # fmt: skip
        response = client.get(reverse("mutualaid:estimate", args=[covered_member.pk]), query)
        assert response.status_code == 200 and "days" in response.context["form"].errors

    def test_other_county_and_anonymous(self, client, tree, covered_member):
        outsider = UserFactory(organisation=tree["shanyang"], roles=["counter_clerk"])
        client.force_login(outsider)
        assert client.get(reverse("mutualaid:claim-create", args=[covered_member.pk])).status_code == 404
        client.logout()
        response = client.get(reverse("mutualaid:claim-list"))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_claim_list_is_scoped_and_keyset_paged(
        self, client, tree, clerk, covered_member, django_assert_max_num_queries
    ):
        client.force_login(clerk)
        client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
        with django_assert_max_num_queries(20):
            assert len(client.get(reverse("mutualaid:claim-list")).context["claims"]) == 1
        outsider = UserFactory(organisation=tree["shanyang"], roles=["counter_clerk"])
        client.force_login(outsider)
        assert client.get(reverse("mutualaid:claim-list")).context["claims"] == []


@pytest.mark.django_db
def test_union_officer_submits_and_the_counter_checks_before_the_clock_starts(client, tree, clerk, covered_member):
    officer = UserFactory(username="uo_claim", organisation=tree["union_sz"], roles=["union_officer"])
    client.force_login(officer)
    client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
    claim = Claim.objects.get()
    assert claim.status == "received" and claim.due_on is None  # listed complete, not yet checked

    client.force_login(clerk)
    client.post(reverse("mutualaid:claim-accept", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.due_on


@pytest.mark.django_db
def test_result_notice_prints_the_decision(client, tree, clerk, covered_member):
    from mutualaid.claims import flow as claim_flow

    client.force_login(clerk)
    client.post(reverse("mutualaid:claim-create", args=[covered_member.pk]), form_data())
    claim = Claim.objects.get()
    reviewer = UserFactory(username="rv_res", organisation=tree["shangzhou"], roles=["reviewer"])
    claim_flow.claim_reject(actor=reviewer, claim=claim, reason="excluded")
    page = client.get(reverse("mutualaid:claim-result", args=[claim.pk])).content.decode()
    assert "理赔结果通知书" in page and "除外责任" in page
