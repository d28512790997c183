"""The claim status check without an account: claim number + ID number, rate-limited, never personal data.

A wrong pair and an unknown claim number take the same path (one indexed query and a constant-time
comparison) and get the same answer, so the form cannot tell anyone whether a claim or a member exists.
"""

import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from members.validators import normalise_id_number
from unionportal.core.ratelimit import Limit, allow

from ..models import Claim, material_labels
from ..services import missing_materials

# Compared against when the claim number is unknown, so that both answers cost the same.
_NOBODY = "0" * 18


@dataclass(frozen=True)
class Step:
    day: date
    label: str


@dataclass(frozen=True)
class StatusAnswer:
    number: str
    status: str
    status_label: str
    due_on: date | None
    paid_on: date | None
    missing: list[str]
    steps: list[Step]


def limits_allow(*, address: str, id_number: str) -> bool:
    window = timedelta(minutes=settings.STATUS_CHECK_WINDOW_MINUTES)
    return allow(
        [
            (Limit("status.address", settings.STATUS_CHECK_PER_ADDRESS, window), address or "-"),
            (Limit("status.id", settings.STATUS_CHECK_PER_ID, window), normalise_id_number(id_number)),
        ]
    )


def claim_status(*, number: str, id_number: str) -> StatusAnswer | None:
    """The claim's status if the number and the ID number belong together; otherwise None."""
    claim = (
        Claim.objects.select_related("member", "policy__plan_version")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    expected = claim.member.id_number if claim else _NOBODY
    given = normalise_id_number(id_number)
    if not hmac.compare_digest(expected.encode(), given.encode()) or claim is None:
        return None
    missing = []
    if claim.status in (Claim.Status.RECEIVED, Claim.Status.RETURNED):
        missing = material_labels(missing_materials(claim.policy.plan_version, claim.materials_received))
    steps = [
        Step(timezone.localtime(event.created_at).date(), event.get_to_status_display())
        for event in claim.events.all()
        if event.from_status != event.to_status
    ]
    return StatusAnswer(
        number=claim.number, status=claim.status, status_label=claim.get_status_display(), due_on=claim.due_on,
        paid_on=claim.paid_on, missing=missing, steps=steps,
    )  # fmt: skip
