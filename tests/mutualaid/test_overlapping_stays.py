"""The same hospital stay taken twice: refused at intake unless the counter confirms it with a reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, ClaimEvent
from tests.factories import claim_input
from tests.mutualaid.test_claim_pages import form_data

D = Decimal


@pytest.mark.django_db
class TestIntakeService:
    def test_an_overlapping_stay_is_refused_naming_the_other_claim_and_nothing_is_saved(self, clerk, claim):
        # Given the member's accepted claim for days −10 to −3, when the same stay comes with another invoice
        today = timezone.localdate()
        with pytest.raises(services.OverlappingStay) as refused:
            services.claim_receive(
                actor=clerk, member=claim.member,
                data=claim_input(invoices=[("INV-777", D("12000.00"))], admitted_on=today - timedelta(days=3),
                                 discharged_on=today - timedelta(days=1)),
            )  # fmt: skip
        # then it is refused, naming the claim, its hospital, dates and status, and nothing is saved
        assert refused.value.claims == [claim]
        message = refused.value.messages[0]
        assert claim.number in message and "商洛市中心医院" in message and "已受理" in message
        assert str(claim.admitted_on) in message and str(claim.discharged_on) in message
        assert Claim.objects.count() == 1

    def test_a_confirmed_overlap_keeps_its_reason_on_the_claim_and_in_the_received_event(self, clerk, claim):
        second = services.claim_receive(
            actor=clerk, member=claim.member,
            data=claim_input(invoices=[("INV-778", D("12000.00"))], overlap_reason="转院:中心医院转至省人民医院"),
        )  # fmt: skip
        assert second.overlap_reason == "转院:中心医院转至省人民医院"
        received = ClaimEvent.objects.filter(claim=second, from_status="").get()
        assert claim.number in received.note and "转院" in received.note

    def test_stays_that_only_touch_overlap_and_stays_apart_do_not(self, clerk, claim):
        # Discharged on the day the other stay began: the same day counted twice
        with pytest.raises(services.OverlappingStay):
            services.claim_receive(
                actor=clerk, member=claim.member,
                data=claim_input(invoices=[("INV-779", D("12000.00"))],
                                 admitted_on=claim.admitted_on - timedelta(days=4), discharged_on=claim.admitted_on),
            )  # fmt: skip
        # The day before the other stay began: a different stay, taken without a reason
        apart = services.claim_receive(
            actor=clerk, member=claim.member, data=claim_input(stay=1, invoices=[("INV-780", D("12000.00"))])
        )
        assert apart.overlap_reason == ""

    def test_a_withdrawn_or_rejected_claim_does_not_count(self, clerk, claim):
        claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="重复提交")
        again = services.claim_receive(
            actor=clerk, member=claim.member, data=claim_input(invoices=[("INV-781", D("12000.00"))])
        )
        assert again.status == Claim.Status.ACCEPTED and again.overlap_reason == ""

    def test_another_members_stay_does_not_count(self, tree, clerk, claim, covered_member):
        from tests.factories import make_member

        other = make_member(union=tree["union_sz"], name="王静")
        assert services.overlapping_claims(other, claim.admitted_on, claim.discharged_on) == []


@pytest.mark.django_db
class TestIntakePage:
    def test_the_clerk_is_warned_the_form_keeps_what_was_typed_and_confirming_takes_it(
        self, client, clerk, covered_member
    ):
        client.force_login(clerk)
        url = reverse("mutualaid:claim-create", args=[covered_member.pk])
        client.post(url, form_data())
        first = Claim.objects.get()
        # When the same stay comes again with other invoices
        again = client.post(url, form_data(invoices="INV-501 12000", hospital="商州区人民医院"))
        # then nothing is saved, the other claim is named, and the form keeps everything typed
        assert again.status_code == 200 and Claim.objects.count() == 1
        page = again.content.decode()
        assert 'data-testid="overlap-warning"' in page and first.number in page and "已受理" in page
        assert "商洛市中心医院" in page and "INV-501 12000" in page and 'value="商州区人民医院"' in page
        # Ticking without a reason is refused too
        client.post(url, form_data(invoices="INV-501 12000", overlap_confirmed="on"))
        assert Claim.objects.count() == 1
        # With the box ticked and a reason, the claim is taken and the reason kept
        taken = client.post(url, form_data(invoices="INV-501 12000", overlap_confirmed="on", overlap_reason="转院"))
        second = Claim.objects.exclude(pk=first.pk).get()
        assert taken.url == reverse("mutualaid:claim-detail", args=[second.pk]) and second.overlap_reason == "转院"
        assert "转院" in client.get(taken.url).content.decode()

    def test_a_reason_without_the_box_ticked_is_not_a_confirmation(self, client, clerk, covered_member):
        client.force_login(clerk)
        url = reverse("mutualaid:claim-create", args=[covered_member.pk])
        client.post(url, form_data())
        client.post(url, form_data(invoices="INV-502 12000", overlap_reason="转院"))
        assert Claim.objects.count() == 1
