"""seed_scale --claims: five years of paid enrolments and claims in every state, consistent with their covers."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from bench.scale import mutualaid as scale
from mutualaid import benefit
from mutualaid.claims import clock
from mutualaid.claims.review import plan_terms
from mutualaid.models import Claim, ClaimEvent, ClaimInvoice, EnrolmentBatch, Policy

pytestmark = pytest.mark.django_db

CLAIMS = 400


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_scale", members=600, unions=40, seed=7, chunk_size=300, claims=CLAIMS, stdout=out)
    return out.getvalue()


def test_claims_come_in_every_state_on_covers_that_were_paid_for(seeded):
    assert "claims:" in seeded
    claims = list(Claim.objects.select_related("policy__batch", "policy__plan_version__plan"))
    assert len(claims) == CLAIMS
    assert {c.status for c in claims} == set(Claim.Status.values)
    today = timezone.localdate()
    for claim in claims:
        cover = claim.policy
        assert cover.batch.status == EnrolmentBatch.Status.PAID and cover.status == Policy.Status.ACTIVE
        assert cover.member_id == claim.member_id and cover.org_path == claim.org_path
        # The cover covers the admission date, after its waiting period.
        assert cover.starts_on <= claim.admitted_on <= cover.ends_on
        assert claim.admitted_on >= cover.waiting_ends_on
        assert claim.admitted_on <= claim.discharged_on <= today
        received = timezone.localtime(claim.received_at).date()
        assert received >= claim.discharged_on
        assert (received - claim.discharged_on).days <= cover.plan_version.filing_window_days
        # A settlement that adds up, and the benefit the plan's calculation gives.
        assert claim.fund_paid + claim.serious_illness_paid + claim.self_funded <= claim.total_cost
        if claim.status in (Claim.Status.ASSESSED, Claim.Status.APPROVED, Claim.Status.PAID):
            expected = benefit.calculate(
                plan_terms(cover.plan_version),
                benefit.Settlement(claim.total_cost, claim.fund_paid, claim.serious_illness_paid, claim.self_funded),
                shares=cover.shares,
            ).benefit
            assert claim.benefit == claim.computed_benefit == expected
            assert claim.assessed_by_id and claim.assessed_by_id != claim.entered_by_id
        else:
            assert claim.benefit is None
        if claim.status in (*Claim.OPEN, Claim.Status.PAID):
            accepted = timezone.localtime(claim.accepted_at).date()
            assert claim.accepted_at >= claim.received_at
            assert claim.due_on == accepted + timedelta(days=cover.plan_version.settlement_days)
        else:
            assert claim.due_on is None or claim.status == Claim.Status.PAID
        if claim.status == Claim.Status.PAID:
            assert timezone.localtime(claim.accepted_at).date() <= claim.paid_on < today
            assert claim.approved_by_id not in (None, claim.entered_by_id, claim.assessed_by_id)
        else:
            assert claim.paid_on is None
        if claim.status == Claim.Status.REJECTED:
            assert claim.rejection
        assert re.fullmatch(r"LP\d{4}\d{6}", claim.number)


def test_invoices_are_unique_and_add_up_to_the_cost(seeded):
    numbers = list(ClaimInvoice.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) >= CLAIMS
    sums = dict(Claim.objects.annotate(s=Sum("invoices__amount")).values_list("pk", "s"))
    assert all(sums[pk] == total for pk, total in Claim.objects.values_list("pk", "total_cost"))


def test_every_claim_has_its_history_up_to_its_status(seeded):
    assert not Claim.objects.annotate(n=Count("events")).filter(n=0).exists()
    for claim in Claim.objects.prefetch_related("events"):
        events = list(claim.events.all())
        assert events[0].to_status == Claim.Status.RECEIVED and events[0].from_status == ""
        assert events[-1].to_status == claim.status
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[-1] <= timezone.now()
    assert ClaimEvent.objects.count() >= 2 * CLAIMS


def test_enrolments_and_claims_spread_over_five_years(seeded):
    today = timezone.localdate()
    years = set(EnrolmentBatch.objects.values_list("paid_on__year", flat=True))
    assert years == set(range(today.year - 4, today.year + 1))
    assert Policy.objects.count() >= CLAIMS
    paid_years = set(Claim.objects.filter(status="paid").values_list("paid_on__year", flat=True))
    assert len(paid_years) >= 4
    # Batches hold their covers' premiums.
    for batch in EnrolmentBatch.objects.annotate(s=Sum("policies__premium")):
        assert batch.total_premium == batch.s


def test_open_claims_are_mostly_due_later_and_the_scan_finds_the_due_ones(seeded):
    today = timezone.localdate()
    open_claims = Claim.objects.filter(status__in=Claim.OPEN)
    due = open_claims.filter(due_on__in=[today + timedelta(days=7), today + timedelta(days=3)]).count()
    late = open_claims.filter(due_on__lt=today).count()
    later = open_claims.filter(due_on__gt=today).exclude(due_on__in=[today + timedelta(days=d) for d in (3, 7)])
    assert later.count() > due + late
    assert due + late == round(CLAIMS * scale.DUE_SHARE)


def test_a_given_number_of_due_claims(db):
    call_command("seed_scale", members=300, unions=40, seed=3, chunk_size=300, stdout=StringIO())

    scale.add_claims(60, seed=3, log=lambda message: None, due=25)

    today = timezone.localdate()
    open_claims = Claim.objects.filter(status__in=Claim.OPEN)
    soon = open_claims.filter(due_on__in=[today + timedelta(days=7), today + timedelta(days=3)]).count()
    late = open_claims.filter(due_on__lt=today).count()
    assert soon + late == 25 and soon and late
    result = clock.scan(today=today)  # no staff to tell in the scale city but the inactive scale users
    assert result.reminded + result.escalated <= 25


def test_members_does_not_import_mutualaid():
    members = Path(settings.BASE_DIR) / "members"
    offenders = [
        str(path.relative_to(members))
        for path in members.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+mutualaid", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
