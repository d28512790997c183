"""seed_scale: a synthetic city with valid, unique identifiers on a valid tree, and reruns that add to it."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from bench.scale import members as scale
from members import services
from members.models import Member, MembershipPeriod
from members.validators import (
    MOBILE,
    birth_date_from_id,
    sex_from_id,
    validate_id_number,
    validate_union_uscc,
    validate_uscc,
)
from unionportal.core.models import NumberSequence
from unionportal.org.models import Organisation

pytestmark = pytest.mark.django_db

UNIONS = 40


def seed_scale(members: int, seed: int = 7) -> str:
    out = StringIO()
    call_command("seed_scale", members=members, unions=UNIONS, seed=seed, chunk_size=700, stdout=out)
    return out.getvalue()


def member_number_value(number: str) -> int:
    assert number.startswith(settings.MEMBER_NUMBER_PREFIX)
    digits = number.removeprefix(settings.MEMBER_NUMBER_PREFIX)
    assert len(digits) == 8 and digits.isdigit()
    return int(digits)


def assert_valid_tree():
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    # The generator appends siblings in code order, and existing paths never move.
    nodes = list(Organisation.objects.order_by("path").values_list("path", "code"))
    by_parent: dict[str, list[str]] = {}
    for path, code in nodes:
        by_parent.setdefault(path[: -Organisation.steplen], []).append(code)
    for codes in by_parent.values():
        assert codes == sorted(codes)


def test_builds_a_valid_tree_of_unions_on_the_demo_city():
    seed_scale(members=0)

    assert_valid_tree()
    city = Organisation.objects.get(code="611000")
    counties = Organisation.objects.get_children(city)
    assert counties.filter(kind=Organisation.Kind.COUNTY).count() == 7
    unions = Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS)
    assert unions.count() == UNIONS
    synthetic = unions.exclude(credit_code=None)
    assert synthetic.count() >= UNIONS - 2  # the demo's own unions have no credit code
    for union in synthetic:
        assert validate_union_uscc(union.credit_code) == union.credit_code
        assert validate_uscc(union.employer_credit_code) == union.employer_credit_code
        assert union.employer_name and union.employee_count > 0
        assert union.depth == 4 and union.code.startswith(Organisation.objects.get_parent(union).code)


def test_members_have_valid_unique_identifiers_consistent_with_their_union():
    seed_scale(members=0)  # the demo city and the unions; the demo's own nodes and accounts are audited
    before = NumberSequence.objects.filter(name="member").values_list("next_value", flat=True).first() or 1
    audit_rows = LogEntry.objects.count()

    seed_scale(members=2000)

    members = list(Member.objects.select_related("organisation"))
    assert len(members) == 2000
    assert len({m.id_number for m in members}) == 2000
    for member in members:
        assert validate_id_number(member.id_number) == member.id_number
        assert member.id_number[:4] in ("6110", "6125")
        assert sex_from_id(member.id_number) == member.sex
        assert birth_date_from_id(member.id_number) == member.birth_date
        assert MOBILE.match(member.phone)
        assert member.organisation.kind == Organisation.Kind.GRASSROOTS
        assert member.org_path == member.organisation.path
        assert member.joined_on >= member.birth_date
    # Member numbers are the next block of the sequence; later registrations continue after it.
    values = sorted(member_number_value(m.member_number) for m in members)
    assert values == list(range(before, before + 2000))
    assert member_number_value(services.member_numbers(1)[0]) == before + 2000
    # Many two-character names, many migrant workers, a few in new forms of employment.
    assert sum(len(m.name) == 2 for m in members) > 300
    assert 700 < sum(m.is_migrant_worker for m in members) < 1100
    assert 60 < sum(m.employment == Member.Employment.NEW_FORM for m in members) < 280
    # One period per member, open unless the member left.
    periods = MembershipPeriod.objects.select_related("member")
    assert periods.count() == 2000
    for period in periods:
        assert period.started_on == period.member.joined_on
        assert period.start_reason == MembershipPeriod.Reason.IMPORTED
        assert period.organisation_id == period.member.organisation_id
        left = period.member.status in (Member.Status.LEFT, Member.Status.TRANSFERRED_OUT)
        assert (period.ended_on is not None) == left
    # Synthetic people, not personal data: no audit trail.
    assert LogEntry.objects.count() == audit_rows


def test_a_rerun_adds_more_members_without_collisions():
    seed_scale(members=1500, seed=7)
    unions = Organisation.objects.count()

    seed_scale(members=1000, seed=7)

    assert Organisation.objects.count() == unions
    assert_valid_tree()
    assert Member.objects.count() == 2500
    assert Member.objects.values("id_number").distinct().count() == 2500
    values = sorted(member_number_value(n) for n in Member.objects.values_list("member_number", flat=True))
    assert values == list(range(values[0], values[0] + 2500))
    assert not MembershipPeriod.objects.values("member").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_the_draw_is_reproducible_from_the_seed():
    seed_scale(members=300, seed=11)
    stored = list(Member.objects.order_by("member_number").values_list("member_number", "name", "id_number", "phone"))

    again = scale.MemberGenerator(
        seed=11,
        first_number=member_number_value(stored[0][0]),
        unions=scale.unions_for_members(),
        taken=lambda candidates: set(),
    )
    rows = again.chunk([number for number, *_ in stored])

    columns = [scale.MEMBER_COLUMNS.index(c) for c in ("member_number", "name", "id_number", "phone")]
    assert [tuple(row[i] for i in columns) for row in rows] == stored
