"""Mutual aid's nightly check: no cover pays above its caps (the benefit module's caps), planted wrong."""

from datetime import date
from decimal import Decimal

import pytest

from mutualaid import services
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, PlanVersion
from tests.factories import UserFactory, claim_input
from unionportal.reconciliation.models import Discrepancy
from unionportal.reconciliation.services import reconcile

NIGHT = date(2026, 12, 4)


@pytest.fixture
def paid(tree, clerk, covered_member):
    """A claim paid 2,350.00 on a cover of one share (period cap 200,000.00); marked paid as the bank does."""
    reviewer = UserFactory(username="rv_r", organisation=tree["shangzhou"], roles=["reviewer"])
    approver = UserFactory(username="ap_r", organisation=tree["shangzhou"], roles=["approver"])
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    claim = claim_flow.claim_approve(actor=approver, claim=claim_flow.claim_assess(actor=reviewer, claim=claim))
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PAID, paid_on=NIGHT)
    return Claim.objects.get(pk=claim.pk)


def _caps():
    return Discrepancy.objects.filter(check_code="mutualaid.cover_caps")


@pytest.mark.django_db
def test_a_cover_within_its_caps_is_not_reported(paid):
    reconcile(today=NIGHT)
    assert not _caps().exists()


@pytest.mark.django_db
def test_a_cover_paid_above_its_period_cap_is_reported(paid):
    # The period cap is 200,000.00 per share, one share: a benefit of 200,000.01 overpays by a cent.
    Claim.objects.filter(pk=paid.pk).update(benefit=Decimal("200000.01"))

    reconcile(today=NIGHT)

    found = _caps().get()
    assert str(paid.policy_id) in found.subject and "200,000.00" in found.detail
    assert found.org_path == paid.policy.org_path


@pytest.mark.django_db
def test_the_cap_grows_with_the_shares(paid):
    Claim.objects.filter(pk=paid.pk).update(benefit=Decimal("300000.00"))
    paid.policy.__class__.objects.filter(pk=paid.policy_id).update(shares=2)  # cap 400,000.00

    reconcile(today=NIGHT)

    assert not _caps().exists()


@pytest.mark.django_db
def test_a_claim_above_the_per_stay_cap_is_reported(paid):
    PlanVersion.objects.filter(pk=paid.policy.plan_version_id).update(per_stay_cap_per_share=Decimal("2000.00"))

    reconcile(today=NIGHT)

    found = _caps().get()
    assert paid.number in found.subject and "2,350.00" in found.detail
