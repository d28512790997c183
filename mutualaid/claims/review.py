"""What reviewers read of a claim: the computed benefit, its breakdown, the estimate, whether it is overdue.

The moves themselves (assess, approve, return, reject…) are in ``claim_flow``.
"""

from dataclasses import replace

from django.utils import timezone

from .. import benefit
from ..models import Claim, Plan, PlanVersion, Policy
from ..services import period_used


def plan_terms(version: PlanVersion) -> benefit.PlanTerms:
    """The calculation terms of a stored plan version (the benefit module knows no models)."""
    return benefit.PlanTerms(
        kind=benefit.PlanKind(version.plan.kind),
        deductible_per_stay=version.deductible_per_stay,
        segments=tuple(benefit.Segment(s.lower, s.upper, s.rate) for s in version.segments.all()),
        per_stay_cap_per_share=version.per_stay_cap_per_share,
        per_period_cap_per_share=version.per_period_cap_per_share,
        fixed_sum_per_share=version.fixed_sum_per_share,
        daily_allowance_per_share=version.daily_allowance_per_share,
        max_days_per_stay=version.max_days_per_stay,
        max_days_per_period=version.max_days_per_period,
    )


def hospital_days(claim: Claim) -> int:
    """住院天数 as hospitals count them: discharge date minus admission date, at least one."""
    return max(1, (claim.discharged_on - claim.admitted_on).days)


def claim_breakdown(claim: Claim, *, exclude_self: bool = True) -> benefit.Breakdown:
    """The benefit of a claim as the assessor sees it, against what the cover period already holds."""
    version = claim.policy.plan_version
    used = period_used(claim.policy, exclude=claim if exclude_self else None)
    return benefit.calculate(
        plan_terms(version),
        benefit.Settlement(claim.total_cost, claim.fund_paid, claim.serious_illness_paid, claim.self_funded),
        shares=claim.policy.shares,
        period_used=used,
        days=hospital_days(claim) if version.plan.kind == Plan.Kind.ALLOWANCE else 0,
    )


def breakdown_shown(claim: Claim) -> benefit.Breakdown | None:
    """The breakdown to show with a claim: as assessed once it has been, computed afresh while it waits.

    ``None`` where there is nothing to show (not yet accepted, returned, rejected) or the plan cannot price
    the claim.
    """
    if claim.status in (Claim.Status.ASSESSED, Claim.Status.APPROVED, Claim.Status.PAID):
        if claim.breakdown is not None:
            return as_assessed(claim, benefit.breakdown_from_data(claim.breakdown))
    elif claim.status != Claim.Status.ACCEPTED:
        return None
    try:
        return claim_breakdown(claim)
    except benefit.BenefitError:
        return None


def as_assessed(claim: Claim, breakdown: benefit.Breakdown) -> benefit.Breakdown:
    """The breakdown with the amount actually assessed: one amount to pay, shown the same everywhere.

    After a manual adjustment the stored breakdown still ends on the computed benefit (what the assessor saw);
    the benefit and the period cap left after it are taken from the assessed amount, as ``period_used`` counts
    it. The computed amount stays on the claim (``computed_benefit``) for the staff pages.
    """
    if claim.benefit is None or claim.benefit == breakdown.benefit:
        return breakdown
    remaining_after = None if breakdown.remaining_before is None else breakdown.remaining_before - claim.benefit
    return replace(breakdown, benefit=claim.benefit, remaining_after=remaining_after)


def adjusted(claim: Claim) -> bool:
    """An assessor set an amount other than the computed one (with an internal reason)."""
    return claim.benefit is not None and claim.computed_benefit is not None and claim.benefit != claim.computed_benefit


def estimate(*, policy: Policy, settlement: benefit.Settlement, days: int = 0) -> benefit.Breakdown:
    """试算 at the counter or online: the same calculation, reserving nothing."""
    version = policy.plan_version
    return benefit.calculate(
        plan_terms(version), settlement, shares=policy.shares, period_used=period_used(policy), days=days
    )


def overdue(claim: Claim) -> bool:
    return bool(claim.due_on and claim.status in Claim.OPEN and claim.due_on < timezone.localdate())
