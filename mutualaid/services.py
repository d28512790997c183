"""Writes on mutual aid: group enrolment and cover, claims taken in at the counter.

Each service checks the actor's scope (a 404, as for a view), locks what it changes, moves claims only through
``claims.flow`` (and batches through ``transition``), and raises ValidationError with a Chinese message when the
input breaks a rule, having changed nothing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from unionportal.core import numbers
from unionportal.core.months import after_term
from unionportal.core.transitions import transition
from unionportal.org.models import Organisation
from unionportal.org.paths import county_of
from unionportal.org.scope import require_in_scope

from . import events
from .claims import notices
from .models import (
    ENROLMENT_FLOW,
    Claim,
    ClaimInvoice,
    EnrolmentBatch,
    Plan,
    PlanVersion,
    Policy,
    material_labels,
)  # fmt: skip

CLAIM_PLAN_KIND = {
    Claim.Type.INPATIENT: Plan.Kind.INPATIENT,
    Claim.Type.CRITICAL: Plan.Kind.FIXED_SUM,
    Claim.Type.ALLOWANCE: Plan.Kind.ALLOWANCE,
    Claim.Type.ACCIDENT: Plan.Kind.ACCIDENT,
}


def version_in_force(plan: Plan, on: date) -> PlanVersion | None:
    return plan.versions.filter(valid_from__lte=on).order_by("-valid_from").first()


def age_on(member: Member, day: date) -> int:
    born = member.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- Enrolment -------------------------------------------------------------------------------------


@dataclass
class EnrolmentResult:
    batch: EnrolmentBatch | None
    errors: list[tuple[Member, str]] = field(default_factory=list)
    renewals: int = 0


@transaction.atomic
def enrolment_batch_create(
    *,
    actor,
    organisation: Organisation,
    plan: Plan,
    members: list[Member],
    shares: int,
    payer: str,
    sponsor_name: str = "",
    basic_insurance_confirmed: bool,
    on: date | None = None,
) -> EnrolmentResult:
    """Build a union's enrolment batch. Every member is checked; the ones that fail are reported, not added.

    Checks: an active member of this union, age within the plan's limits on the day cover would start, basic
    medical insurance confirmed by the union, shares within the plan's maximum. A member whose cover of the
    same plan is still running (or ended within the renewal grace) is enrolled as a renewal: the new cover
    follows the old one and has no waiting period.
    """
    require_in_scope(actor, organisation.path)
    on = on or timezone.localdate()
    version = version_in_force(plan, on)
    if version is None or not plan.is_active:
        raise ValidationError(_("%(plan)s is not open for enrolment.") % {"plan": plan})
    if not basic_insurance_confirmed:
        raise ValidationError(_("Confirm that the members take part in basic medical insurance."))
    if not 1 <= shares <= version.max_shares:
        raise ValidationError(_("Shares must be between 1 and %(max)d.") % {"max": version.max_shares})
    if payer == EnrolmentBatch.Payer.SPONSOR and not sponsor_name.strip():
        raise ValidationError(_("Name the sponsor who pays."))
    result = EnrolmentResult(batch=None)
    accepted: list[tuple[Member, Policy | None]] = []
    for member in members:
        problem = _enrolment_problem(member, organisation, version, on)
        if problem:
            result.errors.append((member, problem))
            continue
        accepted.append((member, _renewable_cover(member, plan, on, version.renewal_grace_days)))
    if not accepted:
        return result
    batch = EnrolmentBatch.objects.create(
        number=f"CB{on:%Y}{numbers.allocate(f'enrolment-{on:%Y}')[0]:05d}", submitted_on=on,
        organisation=organisation, org_path=organisation.path, plan_version=version, payer=payer,
        sponsor_name=sponsor_name, status=EnrolmentBatch.Status.SUBMITTED, created_by=actor,
        total_premium=version.premium_per_share * shares * len(accepted),
    )  # fmt: skip
    events.enrolment_batch_moved(batch, old="", new=batch.status, actor=actor)
    Policy.objects.bulk_create(
        Policy(
            member=member,
            batch=batch,
            plan_version=version,
            org_path=member.org_path,
            shares=shares,
            premium=version.premium_per_share * shares,
            renews=previous,
        )  # fmt: skip
        for member, previous in accepted
    )
    result.batch, result.renewals = batch, sum(1 for _m, previous in accepted if previous)
    return result


def _enrolment_problem(member: Member, union: Organisation, version: PlanVersion, on: date) -> str:
    if member.organisation_id != union.pk or member.status != Member.Status.ACTIVE:
        return _("not an active member of this union")
    age = age_on(member, on)
    if not version.min_age <= age <= version.max_age:
        return _("aged %(age)d: the plan covers %(min)d to %(max)d") % {
            "age": age, "min": version.min_age, "max": version.max_age,
        }  # fmt: skip
    if Policy.objects.filter(member=member, plan_version__plan=version.plan, status=Policy.Status.PENDING).exists():
        return _("already in a batch waiting for payment")
    return ""


def _renewable_cover(member: Member, plan: Plan, on: date, grace_days: int) -> Policy | None:
    """The member's latest cover of this plan if it is still running or ended within the grace period."""
    return (
        Policy.objects.filter(member=member, plan_version__plan=plan, status=Policy.Status.ACTIVE)
        .filter(ends_on__gte=on - timedelta(days=grace_days))
        .order_by("-ends_on")
        .first()
    )


@transaction.atomic
def enrolment_batch_pay(*, actor, batch: EnrolmentBatch, reference: str, paid_on: date) -> EnrolmentBatch:
    """Record the premium payment: cover starts the next day (or the day after the cover it renews).

    Only the federation's finance or counter confirms a payment (``confirm_premium``): the union that enrols its
    members does not, or it could date the payment months back and let the waiting period run out on paper.
    The payment date lies between the batch's submission and today, so cover never starts before enrolment.
    """
    if not actor.has_perm("mutualaid.confirm_premium"):
        raise PermissionDenied
    require_in_scope(actor, batch.org_path)
    batch = EnrolmentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == EnrolmentBatch.Status.PAID:
        return batch
    if not ENROLMENT_FLOW.allows(batch.status, EnrolmentBatch.Status.PAID):
        raise ValidationError(_("Only a submitted batch can be paid."))
    if not reference.strip():
        raise ValidationError(_("Enter the receipt or transfer reference."))
    if paid_on > timezone.localdate():
        raise ValidationError(_("The payment date cannot be in the future."))
    submitted_on = batch.submitted_on or timezone.localdate(batch.created_at)
    if paid_on < submitted_on:
        raise ValidationError(
            _("The payment date cannot be before the batch was submitted (%(date)s).") % {"date": submitted_on}
        )
    version = batch.plan_version
    for policy in batch.policies.select_related("renews"):
        previous = policy.renews
        if previous and previous.ends_on >= paid_on:
            policy.starts_on = previous.ends_on + timedelta(days=1)
        else:
            policy.starts_on = paid_on + timedelta(days=1)
        policy.ends_on = after_term(policy.starts_on, version.term_months) - timedelta(days=1)
        policy.waiting_ends_on = (
            policy.starts_on if previous else policy.starts_on + timedelta(days=version.waiting_days)
        )
        policy.status = Policy.Status.ACTIVE
        policy.renewal_remind_on = policy.ends_on - timedelta(days=version.renewal_reminder_days)
        policy.save(update_fields=["starts_on", "ends_on", "waiting_ends_on", "status", "renewal_remind_on"])
    batch, _moved = transition(
        batch, EnrolmentBatch.Status.PAID, flow=ENROLMENT_FLOW, actor=actor, record=events.enrolment_batch_moved,
        changes={
            "payment_reference": reference.strip(), "paid_on": paid_on, "counted_in_county": county_of(batch.org_path),
        },
        lock=False,
    )  # fmt: skip
    return batch


# --- Claims at the counter -------------------------------------------------------------------------


def cover_on(member: Member, claim_type: str, day: date) -> Policy | None:
    """The member's cover for this kind of claim on ``day`` (the admission date), if any."""
    return (
        Policy.objects.select_related("plan_version__plan")
        .filter(
            member=member,
            status=Policy.Status.ACTIVE,
            plan_version__plan__kind=CLAIM_PLAN_KIND[claim_type],
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .order_by("-starts_on")
        .first()
    )


@dataclass
class ClaimInput:
    claim_type: str
    hospital: str
    admitted_on: date
    discharged_on: date
    diagnosis: str
    total_cost: Decimal
    fund_paid: Decimal
    serious_illness_paid: Decimal
    self_funded: Decimal
    invoices: list[tuple[str, Decimal]]
    materials: list[str]
    bank_name: str = ""
    bank_account: str = ""
    note: str = ""
    # Given only when the clerk confirmed a stay overlapping another claim of the member's (see OverlappingStay).
    overlap_reason: str = ""


class OverlappingStay(ValidationError):
    """The stay overlaps live claims of the same member: the clerk must confirm, with a reason, to take it."""

    def __init__(self, claims: list[Claim]):
        self.claims = claims
        super().__init__(
            _("This stay overlaps %(count)d other claim(s) of the member: %(claims)s.")
            % {"count": len(claims), "claims": "; ".join(overlap_label(claim) for claim in claims)}
        )


def overlap_label(claim: Claim) -> str:
    return _("%(number)s, %(hospital)s, %(admitted)s to %(discharged)s, %(status)s") % {
        "number": claim.number, "hospital": claim.hospital, "admitted": claim.admitted_on,
        "discharged": claim.discharged_on, "status": claim.get_status_display()}  # fmt: skip


def overlapping_claims(member: Member, admitted_on: date, discharged_on: date) -> list[Claim]:
    """The member's live claims (not rejected, not withdrawn) whose stay shares at least one day with this one.

    Not scoped: a duplicate is a duplicate whichever county took the first claim, and the clerk is shown only
    its number, hospital, dates and status.
    """
    return list(
        Claim.objects.filter(member=member, admitted_on__lte=discharged_on, discharged_on__gte=admitted_on)
        .exclude(status__in=(Claim.Status.REJECTED, Claim.Status.WITHDRAWN))
        .order_by("admitted_on", "pk")
    )


def missing_materials(version: PlanVersion, received: list[str]) -> list[str]:
    return [code for code in version.required_materials if code not in set(received)]


@transaction.atomic
def claim_receive(*, actor, member: Member, data: ClaimInput) -> Claim:
    """Take in a claim at the counter.

    A complete file is accepted at once and its settlement clock starts (due = today + the plan's
    settlement days); an incomplete one is received and the missing materials are listed for the member.
    Refused, with nothing saved: inconsistent dates or amounts, an invoice already claimed (naming the claim),
    no cover on the admission date, admission during the waiting period, a claim outside the filing window,
    and a stay overlapping another live claim of the member (``OverlappingStay``, naming the claims) unless
    ``data.overlap_reason`` is given: the reason is kept on the claim and in its received event.

    A claim submitted by a grassroots union officer stays received even with every material listed: the
    counter checks the papers and accepts it (``claim_accept_checked``), and only then does the clock start.
    """
    require_in_scope(actor, member.org_path)
    today = timezone.localdate()
    errors = _claim_input_errors(data, today)
    if errors:
        raise ValidationError(errors)
    if member.status not in (Member.Status.ACTIVE, Member.Status.RETIRED):
        raise ValidationError(_("%(name)s is not a member (%(status)s).") % {
            "name": member.name, "status": member.get_status_display()})  # fmt: skip
    policy = cover_on(member, data.claim_type, data.admitted_on)
    if policy is None:
        raise ValidationError(
            _("%(name)s had no %(type)s cover on %(day)s, the admission date.")
            % {"name": member.name, "type": Claim.Type(data.claim_type).label, "day": data.admitted_on}
        )
    version = policy.plan_version
    if policy.waiting_ends_on and data.admitted_on < policy.waiting_ends_on:
        raise ValidationError(
            _("Admitted on %(day)s, during the waiting period (cover pays from %(end)s).")
            % {"day": data.admitted_on, "end": policy.waiting_ends_on}
        )
    if (today - data.discharged_on).days > version.filing_window_days:
        raise ValidationError(
            _("Claims must be filed within %(days)d days of discharge; this one was discharged on %(day)s.")
            % {"days": version.filing_window_days, "day": data.discharged_on}
        )
    _check_invoices_unused(data.invoices)
    # Two counters taking the same stay at once would each find no overlap: the member's row lock makes the
    # second wait for the first to commit, and then see its claim.
    Member.objects.select_for_update().only("pk").get(pk=member.pk)
    overlap_reason = data.overlap_reason.strip()
    overlapping = overlapping_claims(member, data.admitted_on, data.discharged_on)
    if overlapping and not overlap_reason:
        raise OverlappingStay(overlapping)

    claim = Claim(
        number=f"LP{today:%Y}{numbers.allocate(f'claim-{today:%Y}')[0]:06d}",
        member=member, policy=policy, org_path=member.org_path, claim_type=data.claim_type,
        hospital=data.hospital, admitted_on=data.admitted_on, discharged_on=data.discharged_on,
        diagnosis=data.diagnosis, total_cost=data.total_cost, fund_paid=data.fund_paid,
        serious_illness_paid=data.serious_illness_paid, self_funded=data.self_funded,
        materials_received=sorted(set(data.materials)), note=data.note, entered_by=actor,
        bank_name=data.bank_name.strip(), bank_account=data.bank_account.strip(),
        overlap_reason=overlap_reason if overlapping else "",
    )  # fmt: skip
    claim.save()
    try:
        with transaction.atomic():
            ClaimInvoice.objects.bulk_create(
                ClaimInvoice(claim=claim, number=number, amount=amount) for number, amount in data.invoices
            )
    except IntegrityError:
        # Another counter took the same invoice in the same instant: the unique index decided.
        transaction.set_rollback(True)
        _check_invoices_unused(data.invoices)
        raise ValidationError(_("An invoice on this claim has just been claimed at another counter.")) from None
    received_note = ""
    if overlapping:
        received_note = _("Taken although the stay overlaps %(numbers)s: %(reason)s") % {
            "numbers": ", ".join(other.number for other in overlapping), "reason": overlap_reason}  # fmt: skip
    events.claim_received(claim, actor=actor, note=received_note)
    missing = missing_materials(version, claim.materials_received)
    if missing:
        notices.tell_member(claim, "received", missing=missing)
    elif counter_checks(actor):
        claim = _claim_flow().claim_accept(actor=actor, claim=claim)
    return claim


def _claim_flow():
    # The claim's moves import this module (scope and materials checks); it reaches them at call time.
    from .claims import flow as claim_flow

    return claim_flow


def counter_checks(user) -> bool:
    """Whether the user checks papers at a counter (and so may accept a complete file)."""
    return user.has_perm("mutualaid.change_claim")


@transaction.atomic
def claim_accept_checked(*, actor, claim: Claim) -> Claim:
    """The counter has checked a union-submitted file: accept it if complete (the clock starts now)."""
    require_in_scope(actor, claim.org_path)
    claim = Claim.objects.select_for_update().select_related("policy__plan_version").get(pk=claim.pk)
    if claim.status != Claim.Status.RECEIVED:
        return claim
    missing = missing_materials(claim.policy.plan_version, claim.materials_received)
    if missing:
        raise ValidationError(_("Materials are still missing: %(missing)s.") % {
            "missing": "、".join(material_labels(missing))})  # fmt: skip
    return _claim_flow().claim_accept(actor=actor, claim=claim)


def _claim_input_errors(data: ClaimInput, today: date) -> list[str]:
    errors = []
    if not data.bank_account.strip().isdigit() or not 12 <= len(data.bank_account.strip()) <= 19:
        errors.append(_("The member's own bank card number has 12 to 19 digits."))
    if data.discharged_on < data.admitted_on:
        errors.append(_("The discharge date is before the admission date."))
    if data.discharged_on > today:
        errors.append(_("The discharge date is in the future."))
    amounts = [data.total_cost, data.fund_paid, data.serious_illness_paid, data.self_funded]
    if any(amount < 0 for amount in amounts) or any(amount < 0 for _n, amount in data.invoices):
        errors.append(_("Amounts cannot be negative."))
    elif (parts := data.fund_paid + data.serious_illness_paid + data.self_funded) > data.total_cost:
        errors.append(
            _("Fund, serious-illness insurance and self-funded items (%(parts)s) exceed the total cost (%(total)s).")
            % {"parts": parts, "total": data.total_cost}
        )
    numbers_seen = [number for number, _a in data.invoices]
    if any(len(number) > ClaimInvoice._meta.get_field("number").max_length for number in numbers_seen):
        errors.append(_("An invoice number has at most 40 characters."))  # the column's length
    if len(set(numbers_seen)) != len(numbers_seen):
        errors.append(_("The same invoice number is entered twice."))
    if data.invoices and sum(amount for _n, amount in data.invoices) != data.total_cost:
        errors.append(
            _("The invoices add up to %(sum)s, not the total cost %(total)s.")
            % {"sum": sum(amount for _n, amount in data.invoices), "total": data.total_cost}
        )
    return errors


def _check_invoices_unused(invoices: list[tuple[str, Decimal]]) -> None:
    used = ClaimInvoice.objects.select_related("claim").filter(number__in=[number for number, _a in invoices])
    problems = [
        _("Invoice %(invoice)s is already claimed on claim %(claim)s.") % {"invoice": i.number, "claim": i.claim.number}
        for i in used
    ]
    if problems:
        raise ValidationError(problems, code="duplicate_invoice")


@transaction.atomic
def claim_add_materials(*, actor, claim: Claim, materials: list[str]) -> Claim:
    """Record materials brought in later; when the file becomes complete the claim is accepted (clock starts)."""
    require_in_scope(actor, claim.org_path)
    claim = Claim.objects.select_for_update().select_related("policy__plan_version").get(pk=claim.pk)
    if claim.status not in (Claim.Status.RECEIVED, Claim.Status.RETURNED):
        return claim
    received = sorted(set(claim.materials_received) | set(materials))
    if received != claim.materials_received:
        claim.materials_received = received
        claim.save(update_fields=["materials_received"])
    if not missing_materials(claim.policy.plan_version, received):
        claim = _claim_flow().claim_accept(actor=actor, claim=claim)
    return claim


def period_used(policy: Policy, *, exclude: Claim | None = None) -> Decimal:
    """What claims in flight or paid already take from this cover's period cap (lock the policy first)."""
    claims = policy.claims.filter(status__in=[Claim.Status.ASSESSED, Claim.Status.APPROVED, Claim.Status.PAID]).filter(
        ~Q(pk=exclude.pk) if exclude else Q()
    )
    return claims.aggregate(total=Sum("benefit"))["total"] or Decimal("0")
