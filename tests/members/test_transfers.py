import threading

import pytest
from django.db import connection
from django.urls import reverse

from members import services
from members.models import Member, Transfer
from tests.factories import UserFactory, make_member


@pytest.fixture
def officers(tree):
    return (
        UserFactory(username="off_sz", organisation=tree["union_sz"], roles=["union_officer"]),
        UserFactory(username="off_sy", organisation=tree["union_sy"], roles=["union_officer"]),
    )


def send(client, member, union, reason="换工作"):
    return client.post(reverse("members:member-transfer", args=[member.pk]), {"to_code": union.code, "reason": reason})


@pytest.mark.django_db
class TestTransfer:
    def test_old_union_sends_new_union_accepts_member_number_kept(self, client, tree, officers):
        sender, receiver = officers
        member = make_member(union=tree["union_sz"])
        number = member.member_number
        client.force_login(sender)
        send(client, member, tree["union_sy"])
        transfer = Transfer.objects.get()

        client.force_login(receiver)
        assert member.name in client.get(reverse("members:transfer-list")).content.decode()
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))

        member.refresh_from_db()
        assert (member.organisation, member.member_number, member.org_path) == (
            tree["union_sy"],
            number,
            tree["union_sy"].path,
        )
        periods = list(member.periods.order_by("pk").values_list("organisation__code", "end_reason", "ended_on"))
        assert periods[0][:2] == ("611002001001", "transfer") and periods[0][2] is not None
        assert periods[1] == ("611024001001", "", None)

    def test_double_accept_moves_once(self, client, tree, officers):
        sender, receiver = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_send(actor=sender, member=member, to_organisation=tree["union_sy"])
        client.force_login(receiver)
        for _ in range(2):
            client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))
        assert member.periods.count() == 2

    def test_sender_cannot_accept_its_own_transfer(self, client, tree, officers):
        sender, _receiver = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_send(actor=sender, member=member, to_organisation=tree["union_sy"])
        client.force_login(sender)
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))
        transfer.refresh_from_db()
        assert transfer.status == "pending"

    def test_second_pending_transfer_is_refused(self, client, tree, officers):
        sender, _ = officers
        member = make_member(union=tree["union_sz"])
        client.force_login(sender)
        send(client, member, tree["union_sy"])
        page = client.post(
            reverse("members:member-transfer", args=[member.pk]), {"to_code": tree["union_sy"].code}, follow=True
        ).content.decode()
        assert Transfer.objects.count() == 1
        assert "等待" in page

    def test_transfer_to_a_federation_or_unknown_code_is_refused(self, client, tree, officers):
        sender, _ = officers
        member = make_member(union=tree["union_sz"])
        client.force_login(sender)
        send(client, member, tree["shanyang"])  # a county federation, not a union
        client.post(reverse("members:member-transfer", args=[member.pk]), {"to_code": "NOPE"})
        assert not Transfer.objects.exists()

    def test_officer_of_another_county_cannot_send_someone_elses_member(self, client, tree, officers):
        _, outsider = officers
        member = make_member(union=tree["union_sz"])
        client.force_login(outsider)
        assert send(client, member, tree["union_sy"]).status_code == 404
        assert not Transfer.objects.exists()

    def test_declining_needs_a_reason_and_keeps_the_member(self, client, tree, officers):
        sender, receiver = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_send(actor=sender, member=member, to_organisation=tree["union_sy"])
        client.force_login(receiver)
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "decline"]), {"note": ""})
        assert Transfer.objects.get().status == "pending"
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "decline"]), {"note": "查无此人"})
        assert Transfer.objects.get().status == "declined"
        member.refresh_from_db()
        assert member.organisation == tree["union_sz"]

    def test_asked_for_transfer_is_released_by_the_old_union(self, client, tree, officers):
        old, new = officers
        member = make_member(union=tree["union_sz"])
        transfer = services.transfer_request(actor=new, member=member, to_organisation=tree["union_sy"])
        client.force_login(new)  # the asking side cannot release it itself
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))
        assert Transfer.objects.get().status == "pending"
        client.force_login(old)
        client.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"]))
        member.refresh_from_db()
        assert member.organisation == tree["union_sy"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_move_the_member_exactly_once(tree):
    """Two officers click accept at the same moment: row locks let one move the member, the other see done."""
    sender = UserFactory(username="s1", organisation=tree["union_sz"], roles=["union_officer"])
    receiver = UserFactory(username="r1", organisation=tree["union_sy"], roles=["union_officer"])
    member = make_member(union=tree["union_sz"])
    transfer = services.transfer_send(actor=sender, member=member, to_organisation=tree["union_sy"])
    barrier = threading.Barrier(4)

    def accept():
        barrier.wait()
        try:
            services.transfer_accept(actor=receiver, transfer=transfer)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Member.objects.get(pk=member.pk).periods.count() == 2
