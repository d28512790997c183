"""The shared transitions helper: lock, return early on a repeat, refuse a move the table does not allow."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from members.models import Member
from tests.factories import make_member
from unionportal.core.transitions import Flow, IllegalTransition, transition

S = Member.Status
# A flow over a real status column, so the helper is tried on a real row under a real lock.
FLOW = Flow(status=S, initial=S.ACTIVE, moves={S.ACTIVE: {S.RETIRED, S.LEFT}, S.RETIRED: {S.LEFT}})


class Recorder:
    def __init__(self):
        self.events = []

    def __call__(self, row, *, old, new, actor, note):
        self.events.append((row.pk, old, new, actor, note))


def test_flow_refuses_unknown_states_and_self_moves():
    with pytest.raises(ValueError, match="unknown states"):
        Flow(status=S, initial=S.ACTIVE, moves={S.ACTIVE: {"nowhere"}})
    with pytest.raises(ValueError, match="not a move"):
        Flow(status=S, initial=S.ACTIVE, moves={S.ACTIVE: {S.ACTIVE}})


def test_flow_reads_its_table():
    assert FLOW.allows(S.ACTIVE, S.LEFT)
    assert not FLOW.allows(S.LEFT, S.ACTIVE)
    assert FLOW.is_final(S.LEFT) and not FLOW.is_final(S.ACTIVE)
    assert FLOW.targets(S.RETIRED) == {S.LEFT}


@pytest.mark.django_db
def test_transition_moves_saves_only_its_fields_and_records_once(tree):
    member = make_member(union=tree["union_sz"])
    record = Recorder()
    member.name = "not saved"  # a field the transition was not asked to change stays as it is in the database
    with transaction.atomic():
        row, moved = transition(member, S.LEFT, flow=FLOW, actor=None, record=record, note="离职",
                                changes={"status_changed_on": member.joined_on})  # fmt: skip
    assert moved and row.status == S.LEFT
    fresh = Member.objects.get(pk=member.pk)
    assert fresh.status == S.LEFT and fresh.status_changed_on == member.joined_on and fresh.name != "not saved"
    assert record.events == [(member.pk, S.ACTIVE, S.LEFT, None, "离职")]

    # The same move again (a double click, a task run twice): nothing is written, nothing recorded.
    with transaction.atomic():
        row, moved = transition(fresh, S.LEFT, flow=FLOW, actor=None, record=record)
    assert not moved and len(record.events) == 1


@pytest.mark.django_db
def test_transition_reads_the_row_under_lock_not_the_stale_instance(tree):
    member = make_member(union=tree["union_sz"])
    stale = Member.objects.get(pk=member.pk)
    Member.objects.filter(pk=member.pk).update(status=S.LEFT)  # another request moved it meanwhile
    record = Recorder()
    with transaction.atomic(), pytest.raises(IllegalTransition) as refused:
        transition(stale, S.RETIRED, flow=FLOW, actor=None, record=record)
    assert isinstance(refused.value, ValidationError) and record.events == []
    assert "cannot become" in refused.value.messages[0] or "不能" in refused.value.messages[0]


@pytest.mark.django_db
def test_a_refusing_check_changes_nothing(tree):
    member = make_member(union=tree["union_sz"])
    record = Recorder()

    def only_the_union_may(row):
        raise ValidationError("refused")

    with transaction.atomic(), pytest.raises(ValidationError):
        transition(member, S.RETIRED, flow=FLOW, actor=None, record=record, check=only_the_union_may)
    assert Member.objects.get(pk=member.pk).status == S.ACTIVE and record.events == []


@pytest.mark.django_db(transaction=True)  # a plain test runs inside the test case's own transaction
def test_transition_outside_a_transaction_is_a_programming_error(tree):
    member = make_member(union=tree["union_sz"])
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        transition(member, S.LEFT, flow=FLOW, actor=None, record=Recorder())
