from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mutualaid import services
from mutualaid.claims import clock
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, ClaimClock
from mutualaid.tasks import settlement_clock
from tests.factories import UserFactory, claim_input
from unionportal.notifications.models import Notice


def next_step(claim):
    """The claim's settlement clock's next step; None once escalated or when the clock has stopped (no row)."""
    return ClaimClock.objects.filter(claim=claim).values_list("next_on", flat=True).first()


@pytest.fixture
def office(tree):
    return {
        "reviewer": UserFactory(username="rv_c", organisation=tree["shangzhou"], roles=["reviewer"]),
        "supervisor": UserFactory(username="sup_c", organisation=tree["shangzhou"], roles=["county_staff"]),
        "city": UserFactory(username="city_c", organisation=tree["city"], roles=["city_staff"]),
        "other_reviewer": UserFactory(username="rv_sy", organisation=tree["shanyang"], roles=["reviewer"]),
    }


@pytest.mark.django_db
def test_reminders_at_seven_and_three_days_then_escalation(office, clerk, covered_member):
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    due = claim.due_on

    def staff_notices():
        return sorted(Notice.objects.filter(kind__startswith="claim.d").values_list("kind", "recipient_user__username"))

    with time_machine.travel(due - timedelta(days=8)):
        assert clock.scan().reminded == 0
    with time_machine.travel(due - timedelta(days=7)):
        settlement_clock()
        settlement_clock()  # run twice: nothing sent twice
    assert staff_notices() == [("claim.due_soon", "rv_c"), ("claim.due_soon", "sup_c")]
    with time_machine.travel(due - timedelta(days=3)):
        assert clock.scan().reminded == 1
    assert Notice.objects.filter(kind="claim.due_soon").count() == 4

    with time_machine.travel(due + timedelta(days=1)):
        assert clock.scan().escalated == 1
        clock.scan()
    escalated = set(Notice.objects.filter(kind="claim.overdue").values_list("recipient_user__username", flat=True))
    assert escalated == {"rv_c", "sup_c", "city_c"}  # never the other county's reviewer
    assert Notice.objects.filter(kind="claim.overdue").count() == 3


@pytest.mark.django_db
def test_the_holder_follows_the_claim(office, tree, clerk, covered_member):
    approver = UserFactory(username="ap_c", organisation=tree["shangzhou"], roles=["approver"])
    claim = claim_flow.claim_assess(
        actor=office["reviewer"], claim=services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    )
    with time_machine.travel(claim.due_on - timedelta(days=3)):
        clock.scan()
    holders = set(Notice.objects.filter(kind="claim.due_soon").values_list("recipient_user__username", flat=True))
    assert holders == {approver.username, "sup_c"}


@pytest.mark.django_db
def test_the_scan_reads_only_what_is_due(office, clerk, covered_member, django_assert_max_num_queries):
    """History does not count: closed and far-off claims are not read, whatever their number."""
    today = timezone.localdate()
    for n in range(5):
        c = services.claim_receive(
            actor=clerk,
            member=covered_member,
            data=claim_input(stay=n + 1, invoices=[(f"H-{n}", claim_input().total_cost)]),
        )
        Claim.objects.filter(pk=c.pk).update(status=Claim.Status.PAID, due_on=today - timedelta(days=100))
    with django_assert_max_num_queries(3):
        result = clock.scan()
    assert (result.reminded, result.escalated) == (0, 0)


@pytest.mark.django_db
def test_a_missed_day_delays_the_reminder_never_loses_it(office, clerk, covered_member):
    """Beat (or the worker) was down on T−7: the T−7 reminder goes on T−6, once; T−3 still comes on its day."""
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    due = claim.due_on
    with time_machine.travel(due - timedelta(days=6)):
        assert settlement_clock() == {"reminded": 1, "escalated": 0}
        assert settlement_clock() == {"reminded": 0, "escalated": 0}  # run twice: once
    assert Notice.objects.filter(kind="claim.due_soon").count() == 2  # the reviewer and the supervisor
    assert next_step(claim) == due - timedelta(days=3)
    with time_machine.travel(due + timedelta(days=4)):  # down from T−3 until four days late: the escalation only
        assert clock.scan() == clock.ScanResult(reminded=0, escalated=1)
        assert clock.scan() == clock.ScanResult(reminded=0, escalated=0)
    assert Notice.objects.filter(kind="claim.overdue").count() == 3
    assert next_step(claim) is None


@pytest.mark.django_db
def test_the_reminder_days_are_the_plan_versions(office, clerk, covered_member, inpatient_plan):
    inpatient_plan.versions.update(first_reminder_days=10, second_reminder_days=5)
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    assert next_step(claim) == claim.due_on - timedelta(days=10)
    with time_machine.travel(claim.due_on - timedelta(days=10)):
        assert clock.scan().reminded == 1
    assert next_step(claim) == claim.due_on - timedelta(days=5)


@pytest.mark.django_db
def test_a_claim_that_leaves_the_open_states_stops_its_clock(office, clerk, covered_member):
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim_flow.claim_withdraw(actor=clerk, claim=claim, reason="已由单位报销")
    with time_machine.travel(claim.due_on - timedelta(days=7)):
        assert clock.scan() == clock.ScanResult()
    assert next_step(claim) is None
    assert not ClaimClock.objects.filter(claim=claim).exists()  # stopped, not only silenced


def _due_claims(clerk, member, count, start):
    for n in range(count):
        services.claim_receive(
            actor=clerk,
            member=member,
            data=claim_input(stay=start // 10 + n + 1, invoices=[(f"Q-{start + n}", claim_input().total_cost)]),
        )


@pytest.mark.django_db
def test_the_scans_queries_do_not_grow_with_the_due_claims(office, clerk, covered_member):
    """One read, one conditional UPDATE and one INSERT per batch; the people once per county and step."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, start in ((1, 0), (6, 100)):
        _due_claims(clerk, covered_member, size, start)
        due = Claim.objects.filter(clock__next_on__isnull=False).latest("pk").due_on
        with time_machine.travel(due - timedelta(days=7)), CaptureQueriesContext(connection) as queries:
            assert clock.scan().reminded == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_clock_left_behind_by_a_bulk_update_is_silenced(office, clerk, covered_member):
    """A claim closed around ``claim_flow`` (a bulk update) keeps its clock: the scan sends nothing for it and
    silences it, so that it never takes a place in a batch again."""
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PAID)
    with time_machine.travel(claim.due_on - timedelta(days=7)):
        assert clock.scan() == clock.ScanResult()
    assert not Notice.objects.filter(kind__startswith="claim.d").exists()
    assert next_step(claim) is None
