"""What a member sees of their own mutual aid: each claim's timeline, promised date, amount and breakdown,
their cover, and the estimate. Pages and the JSON API both read through here.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import benefit, services
from ..models import Claim, Policy, material_labels
from . import payouts, review

S = Claim.Status
# What the member is told of a manual adjustment: a code and its plain words, never the assessor's internal note.
ADJUSTMENT_CODE = "adjusted_on_review"
ADJUSTMENT_LABEL = _("The amount was set on review under the plan's terms; your union can explain it.")
# The statuses whose benefit is fixed by an assessor: the member sees the amount and how it was reached.
WITH_AMOUNT = (Claim.Status.ASSESSED, Claim.Status.APPROVED, Claim.Status.PAID)


@dataclass(frozen=True)
class Step:
    day: date
    status: str
    label: str
    note: str = ""


@dataclass
class ClaimView:
    claim: Claim
    steps: list[Step]
    days_left: int | None  # until the promised payment date, while the settlement clock runs; negative: late
    missing: list[str]
    breakdown: benefit.Breakdown | None
    notes: list[str] = field(default_factory=list)
    withdrawable: bool = False
    # The bank's reason while the payment stands returned and the account is not yet corrected, else None.
    payment_failure: str | None = None
    adjustment_code: str = ""  # ADJUSTMENT_CODE when an assessor adjusted the amount

    @property
    def adjustment_label(self) -> str:
        return adjustment_label(self.adjustment_code)


def timeline(claim: Claim) -> list[Step]:
    """Received, accepted, assessed, approved, paid / returned (with the materials) / rejected (with the reason).

    Staff-only notes (an approval waiting for the city) are left out: a step shows when the status changed.
    """
    steps = []
    for event in claim.events.all():
        if event.from_status == event.to_status:
            continue
        note = ""
        if event.to_status == Claim.Status.RETURNED:
            note = event.note
        elif event.to_status in (Claim.Status.REJECTED, Claim.Status.WITHDRAWN):
            note = (claim.get_rejection_display() if event.to_status == Claim.Status.REJECTED else "") or event.note
        steps.append(
            Step(timezone.localtime(event.created_at).date(), event.to_status, event.get_to_status_display(), note)
        )
    return steps


def days_left(claim: Claim, today: date | None = None) -> int | None:
    if claim.due_on is None or claim.status not in Claim.OPEN:
        return None
    return (claim.due_on - (today or timezone.localdate())).days


def claim_view(claim: Claim) -> ClaimView:
    missing = []
    if claim.status in (Claim.Status.RECEIVED, Claim.Status.RETURNED):
        missing = material_labels(services.missing_materials(claim.policy.plan_version, claim.materials_received))
    # The breakdown the assessor saw (the staff page shows the same); before assessment the member sees none.
    breakdown = review.breakdown_shown(claim) if claim.status in WITH_AMOUNT else None
    withdrawable = claim.status in (S.RECEIVED, S.ACCEPTED, S.ASSESSED, S.RETURNED)  # claim_flow.WITHDRAWABLE
    return ClaimView(
        claim, timeline(claim), days_left(claim), missing, breakdown, withdrawable=withdrawable,
        payment_failure=payouts.payment_failure(claim),
        adjustment_code=ADJUSTMENT_CODE if claim.status in WITH_AMOUNT and review.adjusted(claim) else "",
    )  # fmt: skip


def adjustment_label(code: str) -> str:
    """The plain words of an adjustment code ("" for none), for the member's page, the API and the notice."""
    return str(ADJUSTMENT_LABEL) if code == ADJUSTMENT_CODE else ""


def estimate(*, member, claim_type: str, settlement: benefit.Settlement, days: int = 0):
    """试算 on the member's own cover today: ``(cover, breakdown)``; ``(None, None)`` when there is no cover.

    Raises ``benefit.BenefitError`` for figures that cannot be (e.g. more paid by insurance than the total).
    """
    cover = services.cover_on(member, claim_type, timezone.localdate())
    if cover is None:
        return None, None
    return cover, review.estimate(policy=cover, settlement=settlement, days=days)


def renewal_date(cover: Policy) -> date | None:
    """The last day a renewal keeps the cover without a new waiting period."""
    if cover.ends_on is None:
        return None
    return cover.ends_on + timedelta(days=cover.plan_version.renewal_grace_days)
