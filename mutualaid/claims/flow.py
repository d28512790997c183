"""Every move of a claim, in one place: each function is one transition of ``CLAIM_FLOW`` (``models.py``).

Each one checks the actor's scope (a 404, as for a view), then calls the shared ``transition``: the claim is
locked, a repeat (a double click, a task run twice) changes nothing, a move the table lacks is refused with a
Chinese message, only the changed fields are saved, and ``mutualaid.events`` writes the history row. The checks
particular to a move (materials complete, maker–checker, who may withdraw) run on the locked row. Notices to the
member are queued in the same transaction through the outbox (sent only once it commits).

Maker–checker: the person who entered a claim does not assess it; neither of them approves it; above the plan
version's threshold (copied onto the claim when it is assessed) a county-level approver approves first, then a
different, city-level approver.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.transitions import transition
from unionportal.org.paths import county_of
from unionportal.org.scope import require_in_scope

from .. import benefit, events
from ..models import CLAIM_FLOW, Claim, Material, Policy, material_labels
from . import clock, notices, payouts, review

S = Claim.Status
# Withdrawal is possible until the claim is approved: after that finance holds the payment.
WITHDRAWABLE = (S.RECEIVED, S.ACCEPTED, S.ASSESSED, S.RETURNED)


def _move(claim: Claim, new: str, *, actor, note: str = "", changes=None, lock: bool = True) -> tuple[Claim, bool]:
    # lock=False where the caller has locked the claim already (with its cover and plan, which checks read).
    claim, moved = transition(
        claim, new, flow=CLAIM_FLOW, actor=actor, record=events.claim_moved, note=note, changes=changes, lock=lock
    )
    if moved and new not in Claim.OPEN:
        clock.clock_stop(claim)  # every move out of the open states stops the settlement clock, here and only here
    return claim, moved


def _locked(claim: Claim) -> Claim:
    """The claim re-read under lock with what the checks read (cover, plan version, plan)."""
    return Claim.objects.select_for_update(of=("self",)).select_related("policy__plan_version__plan").get(pk=claim.pk)


def first_reminder_on(due_on: date, version, today: date) -> date:
    """The settlement clock's first step for a claim due on ``due_on``: T−first, or today if that has passed."""
    return max(due_on - timedelta(days=version.first_reminder_days), today)


# --- Accepting ----------------------------------------------------------------------------------------------


def claim_accept(*, actor, claim: Claim) -> Claim:
    """The file is complete: the settlement clock starts today (due = today + the plan's settlement days).

    Called inside the counter's services (intake, materials, papers checked), which hold the transaction and the
    claim's lock, and have checked the scope and the materials.
    """
    today = timezone.localdate()
    version = claim.policy.plan_version
    due_on = today + timedelta(days=version.settlement_days)
    changes = {"accepted_at": timezone.now(), "due_on": due_on}
    claim, moved = _move(claim, S.ACCEPTED, actor=actor, changes=changes, lock=False)
    if moved:
        clock.clock_start(claim, next_on=first_reminder_on(due_on, version, today))
        notices.tell_member(claim, "accepted")
    return claim


# --- Assessment and approval --------------------------------------------------------------------------------


@transaction.atomic
def claim_assess(*, actor, claim: Claim, amount: Decimal | None = None, reason: str = "") -> Claim:
    """Compute the benefit and record it; an amount other than the computed one needs a reason.

    Never by the person who entered the claim. The member's cover row is locked before the period cap is read,
    so two claims assessed at the same time on the same cover cannot both fit under the remaining cap. The plan
    version's city-approval threshold is copied onto the claim: approval reads it from there.
    """
    require_in_scope(actor, claim.org_path)
    claim = _locked(claim)
    if claim.status == S.ASSESSED and claim.assessed_by_id == actor.pk:
        return claim
    if claim.status != S.ACCEPTED:
        raise ValidationError(_("Only an accepted claim can be assessed (this one is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if claim.entered_by_id == actor.pk:
        raise ValidationError(_("You entered this claim: another person must assess it."))
    Policy.objects.select_for_update().filter(pk=claim.policy_id).first()
    breakdown = review.claim_breakdown(claim)
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
    adjustment = reason.strip()[:200] if final != computed else ""
    note = _("benefit %(amount)s") % {"amount": final}
    if final != computed:
        note += _(" (computed %(computed)s; %(reason)s)") % {"computed": computed, "reason": adjustment}
    claim, _moved = _move(claim, S.ASSESSED, actor=actor, note=note, lock=False, changes={
        "computed_benefit": computed, "benefit": final, "breakdown": benefit.breakdown_to_data(breakdown),
        "adjustment_reason": adjustment, "assessed_by": actor,
        "city_approval_threshold": claim.policy.plan_version.city_approval_threshold,
    })  # fmt: skip
    return claim


def needs_city_approval(claim: Claim) -> bool:
    """Above the threshold copied at assessment, the county approves first and then the city."""
    threshold = claim.city_approval_threshold
    return claim.benefit is not None and threshold is not None and claim.benefit > threshold


def is_city_approver(user) -> bool:
    return user.has_perm("mutualaid.approve_claim_city") and bool(user.organisation_id and user.organisation.is_root())


@transaction.atomic
def claim_approve(*, actor, claim: Claim) -> Claim:
    """Approve an assessed claim: never by its entrant or its assessor (maker–checker).

    Up to the threshold one approver suffices. Above it a county-level approver approves first (the claim stays
    assessed, with a note), then a different, city-level approver completes the approval. Approving twice (a
    double click) changes nothing. On approval finance is asked to pay, in this transaction; a claim with nothing
    to pay closes as paid.
    """
    require_in_scope(actor, claim.org_path)
    claim = _locked(claim)
    if claim.status == S.APPROVED or (claim.status == S.ASSESSED and claim.approved_by_id == actor.pk):
        return claim  # a repeat, or the county's approval waiting for the city
    if claim.status != S.ASSESSED:
        raise ValidationError(_("Only an assessed claim can be approved (this one is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if actor.pk in (claim.entered_by_id, claim.assessed_by_id):
        raise ValidationError(_("You entered or assessed this claim: another person must approve it."))
    city = is_city_approver(actor)
    if needs_city_approval(claim):
        if claim.approved_by_id is None:
            if city:
                raise ValidationError(
                    _("Above %(threshold)s yuan a county-level approver approves first, then the city.")
                    % {"threshold": claim.city_approval_threshold}
                )
            claim.approved_by = actor
            claim.save(update_fields=["approved_by"])
            events.claim_noted(claim, actor=actor, note=_("approved by the county; waits for the city"))
            return claim
        if not city:
            raise ValidationError(_("This claim now waits for a city-level approver."))
        changes = {"city_approved_by": actor}
    else:
        changes = {"approved_by": actor}
    if not claim.benefit:
        # Nothing is due (e.g. the stay cost less than the deductible): the claim closes without a payment.
        changes["paid_on"] = timezone.localdate()
        changes["counted_in_county"] = county_of(claim.org_path)
        claim, _moved = _move(claim, S.PAID, actor=actor, note=_("nothing to pay"), changes=changes, lock=False)
        return claim
    claim, _moved = _move(claim, S.APPROVED, actor=actor, changes=changes, lock=False)
    payouts.request_payment(claim)  # in this transaction: approved means finance will pay it
    notices.tell_member(claim, "approved")
    return claim


# --- Back to the member: returned, rejected, withdrawn ------------------------------------------------------


@transaction.atomic
def claim_return(*, actor, claim: Claim, missing: list[str], note: str = "") -> Claim:
    """Send a claim back for materials: the clock stops; it restarts when the file is complete again."""
    require_in_scope(actor, claim.org_path)
    claim = _locked(claim)
    if claim.status == S.RETURNED:
        return claim
    if claim.status not in (S.ACCEPTED, S.ASSESSED):
        raise ValidationError(_("Only a claim under review can be returned."))
    unknown = set(missing) - set(Material.values)
    if not missing or unknown:
        raise ValidationError(_("Choose the materials the member must bring."))
    labels = "、".join(material_labels(missing))
    claim, _moved = _move(claim, S.RETURNED, actor=actor, note=labels + ("; " + note if note else ""), lock=False,
        changes={
            "materials_received": [code for code in claim.materials_received if code not in set(missing)],
            "due_on": None, "accepted_at": None,
            "benefit": None, "computed_benefit": None, "breakdown": None, "city_approval_threshold": None,
            "assessed_by": None, "approved_by": None, "city_approved_by": None,
        },
    )  # fmt: skip
    notices.tell_member(claim, "returned", missing=missing)
    return claim


@transaction.atomic
def claim_reject(*, actor, claim: Claim, reason: str, note: str = "") -> Claim:
    """Refuse a claim with a coded reason."""
    require_in_scope(actor, claim.org_path)
    claim = _locked(claim)
    if claim.status == S.REJECTED:
        return claim
    if not CLAIM_FLOW.allows(claim.status, S.REJECTED):
        raise ValidationError(_("This claim can no longer be rejected (it is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if reason not in Claim.Rejection.values:
        raise ValidationError(_("Choose the reason for rejecting the claim."))
    claim, _moved = _move(
        claim,
        S.REJECTED,
        actor=actor,
        note=f"{Claim.Rejection(reason).label} {note}".strip(),
        lock=False,
        changes={"rejection": reason, "due_on": None, "benefit": None},
    )
    notices.tell_member(claim, "rejected")
    return claim


def may_withdraw(user, claim: Claim) -> bool:
    """A counter clerk in the claim's scope, or the member through their own online account."""
    if getattr(user, "is_member_account", False):
        return _own_member_pk(user) == claim.member_id
    return user.has_perm("mutualaid.change_claim")


@transaction.atomic
def claim_withdraw(*, actor, claim: Claim, reason: str) -> Claim:
    """The member withdraws the claim, online or at the counter, before it is approved; a reason is required.

    The clock stops, the benefit no longer counts against the cover's period cap, and the member is told by SMS.
    The member's own account reaches only their own claims; anyone else needs the counter's permission and the
    claim in scope (a 404 otherwise, as for a view).
    """
    if getattr(actor, "is_member_account", False):
        if _own_member_pk(actor) != claim.member_id:
            raise Http404
    else:
        require_in_scope(actor, claim.org_path)
        if not actor.has_perm("mutualaid.change_claim"):
            raise ValidationError(_("Only the service counter or the member may withdraw a claim."))
    reason = reason.strip()
    claim = _locked(claim)
    if claim.status == S.WITHDRAWN:
        return claim
    if claim.status not in WITHDRAWABLE:
        if claim.status in (S.APPROVED, S.PAID):
            raise ValidationError(_("This claim has been approved or paid and can no longer be withdrawn."))
        raise ValidationError(_("This claim can no longer be withdrawn (it is %(status)s).") % {
            "status": claim.get_status_display()})  # fmt: skip
    if not reason:
        raise ValidationError(_("Give the reason for withdrawing the claim."))
    claim, _moved = _move(claim, S.WITHDRAWN, actor=actor, note=reason, lock=False,
                          changes={"due_on": None})  # fmt: skip
    notices.tell_member(claim, "withdrawn", reason=reason)
    return claim


# --- Paid, from the bank's result --------------------------------------------------------------------------


def claim_mark_paid(*, claim: Claim, paid_on: date, actor=None) -> Claim:
    """The bank paid (called by ``payouts`` inside the result import): paid once; a repeated result is a no-op.

    ``actor`` is the person who imported the bank's result file.
    """
    changes = {"paid_on": paid_on, "counted_in_county": county_of(claim.org_path)}
    claim, moved = _move(claim, S.PAID, actor=actor, changes=changes)
    if moved:
        notices.tell_member(claim, "paid")
    return claim


def claim_payment_returned(*, claim: Claim, reason: str, attempt: int, actor=None) -> None:
    """The bank returned the payment: the claim stays approved (finance corrects the account), with a note.

    The member is told by SMS to bring their bank card to the counter, once per payment attempt (``attempt`` is
    the bank-file line that failed: a corrected account that fails again is told again; the same result file
    imported twice is not).
    """
    events.claim_noted(claim, actor=actor, note=_("Payment returned by the bank: %(reason)s") % {"reason": reason})
    notices.tell_member(claim, "payment_failed", reason=reason, attempt=attempt)


def _own_member_pk(user) -> int | None:
    """The pk of the member a member's own account belongs to (``Member.account``), else None."""
    member = getattr(user, "member", None)  # the reverse one-to-one raises (an AttributeError) when there is none
    return member.pk if member is not None else None
