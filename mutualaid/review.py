"""Assessment and approval of claims: the computed benefit, adjustments, returns, rejections, maker–checker.

Every transition locks the claim, returns early when the claim is already where the action would put it (a
double click changes nothing), refuses moves the state table does not allow, saves only the changed fields
and writes a ClaimEvent.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.org.paths import county_of
from unionportal.org.scope import require_in_scope

from . import benefit, notices, payouts
from .models import Claim, Material, Plan, PlanVersion, Policy, material_labels
from .services import _event, period_used

ASSESSABLE = (Claim.Status.ACCEPTED,)
DECIDABLE = (Claim.Status.RECEIVED, Claim.Status.RETURNED, Claim.Status.ACCEPTED, Claim.Status.ASSESSED)


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
            return benefit.breakdown_from_data(claim.breakdown)
    elif claim.status != Claim.Status.ACCEPTED:
        return None
    try:
        return claim_breakdown(claim)
    except benefit.BenefitError:
        return None


def estimate(*, policy: Policy, settlement: benefit.Settlement, days: int = 0) -> benefit.Breakdown:
    """试算 at the counter or online: the same calculation, reserving nothing."""
    version = policy.plan_version
    return benefit.calculate(
        plan_terms(version), settlement, shares=policy.shares, period_used=period_used(policy), days=days
    )


def _lock(actor, claim: Claim) -> Claim:
    require_in_scope(actor, claim.org_path)
    return Claim.objects.select_for_update().select_related("policy__plan_version__plan").get(pk=claim.pk)


@transaction.atomic
def claim_assess(*, actor, claim: Claim, amount: Decimal | None = None, reason: str = "") -> Claim:
    """Compute the benefit and record it; an amount other than the computed one needs a reason.

    The member's cover row is locked before the period cap is read, so two claims assessed at the same time on
    the same cover cannot both fit under the remaining cap.
    """
    claim = _lock(actor, claim)
    if claim.status == Claim.Status.ASSESSED and claim.assessed_by_id == actor.pk:
        return claim
    if claim.status not in ASSESSABLE:
        raise ValidationError(_("Only an accepted claim can be assessed (this one is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    Policy.objects.select_for_update().filter(pk=claim.policy_id).first()
    breakdown = claim_breakdown(claim)
    computed = breakdown.benefit
    final = computed if amount is None else amount
    if final != computed:
        if not reason.strip():
            raise ValidationError(_("Give the reason for paying %(amount)s instead of the computed %(computed)s.") % {
                "amount": final, "computed": computed})  # fmt: skip
        if final < 0 or final > breakdown.remaining_before or final > claim.self_paid:
            raise ValidationError(
                _("The amount must lie between 0 and %(max)s (what the period cap and the self-paid amount allow).")
                % {"max": min(breakdown.remaining_before, claim.self_paid)}
            )
    claim.computed_benefit, claim.benefit = computed, final
    claim.breakdown = benefit.breakdown_to_data(breakdown)
    claim.adjustment_reason = reason.strip()[:200] if final != computed else ""
    claim.assessed_by, claim.status = actor, Claim.Status.ASSESSED
    claim.save(update_fields=[
        "computed_benefit", "benefit", "breakdown", "adjustment_reason", "assessed_by", "status",
    ])  # fmt: skip
    note = _("benefit %(amount)s") % {"amount": final}
    if final != computed:
        note += _(" (computed %(computed)s; %(reason)s)") % {"computed": computed, "reason": claim.adjustment_reason}
    _event(claim, Claim.Status.ACCEPTED, Claim.Status.ASSESSED, actor, note)
    return claim


def needs_city_approval(claim: Claim) -> bool:
    return claim.benefit is not None and claim.benefit > settings.CLAIM_CITY_APPROVAL_THRESHOLD


def is_city_approver(user) -> bool:
    return user.has_perm("mutualaid.approve_claim_city") and bool(user.organisation_id and user.organisation.is_root())


@transaction.atomic
def claim_approve(*, actor, claim: Claim) -> Claim:
    """Approve an assessed claim: never by its entrant or its assessor (maker–checker).

    Above the city threshold a city-level approver approves as well, a different person from the first approver;
    a city-level approver alone suffices. Approving twice (a double click) changes nothing.
    """
    claim = _lock(actor, claim)
    if claim.status == Claim.Status.APPROVED:
        return claim
    if claim.status != Claim.Status.ASSESSED:
        raise ValidationError(_("Only an assessed claim can be approved (this one is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if actor.pk in (claim.entered_by_id, claim.assessed_by_id):
        raise ValidationError(_("You entered or assessed this claim: another person must approve it."))
    if claim.approved_by_id == actor.pk:
        return claim  # already approved by this person; waiting for the city
    city = is_city_approver(actor)
    if claim.approved_by_id is None:
        claim.approved_by = actor
        if city:
            claim.city_approved_by = actor
    elif city:
        claim.city_approved_by = actor
    else:
        raise ValidationError(_("This claim now waits for a city-level approver."))
    complete = not needs_city_approval(claim) or claim.city_approved_by_id is not None
    if complete:
        claim.status = Claim.Status.APPROVED
    claim.save(update_fields=["approved_by", "city_approved_by", "status"])
    if complete and claim.benefit:
        _event(claim, Claim.Status.ASSESSED, Claim.Status.APPROVED, actor)
        payouts.request_payment(claim)  # in this transaction: approved means finance will pay it
        notices.tell_member(claim, "approved")
    elif complete:
        # Nothing is due (e.g. the stay cost less than the deductible): the claim closes without a payment.
        claim.status, claim.paid_on = Claim.Status.PAID, timezone.localdate()
        claim.counted_in_county = county_of(claim.org_path)
        claim.save(update_fields=["status", "paid_on", "counted_in_county"])
        _event(claim, Claim.Status.ASSESSED, Claim.Status.PAID, actor, _("nothing to pay"))
    else:
        _event(claim, Claim.Status.ASSESSED, Claim.Status.ASSESSED, actor, _("approved; waits for the city"))
    return claim


@transaction.atomic
def claim_return(*, actor, claim: Claim, missing: list[str], note: str = "") -> Claim:
    """Send a claim back for materials: the clock stops; it restarts when the file is complete again."""
    claim = _lock(actor, claim)
    if claim.status == Claim.Status.RETURNED:
        return claim
    if claim.status not in (Claim.Status.ACCEPTED, Claim.Status.ASSESSED):
        raise ValidationError(_("Only a claim under review can be returned."))
    unknown = set(missing) - set(Material.values)
    if not missing or unknown:
        raise ValidationError(_("Choose the materials the member must bring."))
    old = claim.status
    claim.materials_received = [code for code in claim.materials_received if code not in set(missing)]
    claim.status, claim.due_on, claim.accepted_at = Claim.Status.RETURNED, None, None
    claim.benefit = claim.computed_benefit = claim.breakdown = None
    claim.assessed_by = claim.approved_by = claim.city_approved_by = None
    claim.save(update_fields=[
        "materials_received", "status", "due_on", "accepted_at", "benefit", "computed_benefit", "breakdown",
        "assessed_by", "approved_by", "city_approved_by",
    ])  # fmt: skip
    labels = "、".join(material_labels(missing))
    _event(claim, old, Claim.Status.RETURNED, actor, (labels + ("; " + note if note else ""))[:300])
    notices.tell_member(claim, "returned", missing=missing)
    return claim


@transaction.atomic
def claim_reject(*, actor, claim: Claim, reason: str, note: str = "") -> Claim:
    """Refuse a claim with a coded reason."""
    claim = _lock(actor, claim)
    if claim.status == Claim.Status.REJECTED:
        return claim
    if claim.status not in DECIDABLE:
        raise ValidationError(_("This claim can no longer be rejected (it is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if reason not in Claim.Rejection.values:
        raise ValidationError(_("Choose the reason for rejecting the claim."))
    old = claim.status
    claim.status, claim.rejection, claim.due_on = Claim.Status.REJECTED, reason, None
    claim.benefit = None
    claim.save(update_fields=["status", "rejection", "due_on", "benefit"])
    _event(claim, old, Claim.Status.REJECTED, actor, f"{Claim.Rejection(reason).label} {note}".strip())
    notices.tell_member(claim, "rejected")
    return claim


def overdue(claim: Claim) -> bool:
    return bool(claim.due_on and claim.status in Claim.OPEN and claim.due_on < timezone.localdate())
