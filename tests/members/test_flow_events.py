"""Transfers and drive enterprises keep their history as event rows, written by every change, bulk ones too."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import drive, services
from members.models import Enterprise, Member, Transfer, TransferEvent
from tests.factories import UserFactory, make_member
from tests.members.test_drive import make_enterprise


@pytest.fixture
def officers(tree):
    return (
        UserFactory(username="off_sz_e", organisation=tree["union_sz"], roles=["union_officer"]),
        UserFactory(username="off_sy_e", organisation=tree["union_sy"], roles=["union_officer"]),
    )


def trail(transfer):
    return list(transfer.events.values_list("from_status", "to_status", "actor__username", "note"))


@pytest.mark.django_db
class TestTransferEvents:
    def test_sent_then_accepted(self, tree, officers):
        sender, receiver = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_send(
            actor=sender, member=member, to_organisation=tree["union_sy"], reason="换工作"
        )
        services.transfer_accept(actor=receiver, transfer=transfer)
        services.transfer_accept(actor=receiver, transfer=transfer)  # a second click writes nothing
        assert trail(transfer) == [("", "pending", "off_sz_e", "换工作"), ("pending", "accepted", "off_sy_e", "")]

    def test_declined_with_its_note(self, tree, officers):
        sender, receiver = officers
        transfer = services.transfer_send(actor=sender, member=make_member(union=tree["union_sz"]),
                                          to_organisation=tree["union_sy"])  # fmt: skip
        services.transfer_decline(actor=receiver, transfer=transfer, note="查无此人")
        assert trail(transfer)[-1] == ("pending", "declined", "off_sy_e", "查无此人")

    def test_a_member_leaving_cancels_the_pending_transfer_with_an_event(self, tree, officers):
        sender, _receiver = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_send(actor=sender, member=member, to_organisation=tree["union_sy"])
        clerk = UserFactory(organisation=tree["shangzhou"], roles=["counter_clerk"])
        services.member_set_status(actor=clerk, member=member, status=Member.Status.LEFT)
        assert Transfer.objects.get(pk=transfer.pk).status == "cancelled"
        assert TransferEvent.objects.filter(transfer=transfer, to_status="cancelled").count() == 1


@pytest.mark.django_db
class TestEnterpriseEvents:
    def test_status_changes_and_founding_are_recorded_and_shown(self, client, tree):
        county_user = UserFactory(username="cty_e", organisation=tree["shangzhou"], roles=["county_staff"])
        enterprise = make_enterprise(tree["shangzhou"], 1)
        drive.enterprise_set_status(actor=county_user, enterprise=enterprise, status=Enterprise.Status.CONTACTED)
        drive.enterprise_set_status(actor=county_user, enterprise=enterprise, status=Enterprise.Status.CONTACTED)
        with pytest.raises(ValidationError):
            drive.enterprise_set_status(actor=county_user, enterprise=enterprise, status=Enterprise.Status.FOUNDED)
        assert list(enterprise.events.values_list("from_status", "to_status")) == [("not_contacted", "contacted")]
        client.force_login(county_user)
        text = client.get(reverse("members:drive-detail", args=[enterprise.pk])).content.decode()
        assert 'data-testid="state-events"' in text and "已对接" in text
