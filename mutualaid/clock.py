"""The settlement clock (一个月理赔到位): reminders before the promised date, escalation after it.

Every day the scan reads only open claims (accepted, assessed, approved) whose due date is exactly 7 or 3
days away, or already past: the partial index on ``due_on`` for open claims serves all three, so the scan
costs the same however many claims history holds. Notices go through the outbox with a dedupe key per
claim, step, recipient and due date, so running the scan twice, or on two workers, sends nothing twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.accounts.selectors import users_with_permission, users_with_role
from unionportal.notifications import notice_enqueue, register_kind
from unionportal.org.paths import city_path, county_path

from .models import Claim

REMIND_DAYS = (7, 3)
BATCH = 500
STEP_PERMISSION = {
    Claim.Status.ACCEPTED: "assess_claim",
    Claim.Status.ASSESSED: "approve_claim",
    Claim.Status.APPROVED: "view_paymentbatch",  # finance holds an approved claim until the bank pays
}
STEP_APP = {Claim.Status.APPROVED: "payments"}


DUE_SOON = _("Claim %(number)s (%(member)s, %(status)s) must be paid by %(due)s: %(days)s days left.")
OVERDUE = _("Claim %(number)s (%(member)s, %(status)s) was due on %(due)s and is not paid: %(days)s days late.")


def register() -> None:
    register_kind("claim.due_soon", title=_("Claim due soon"), text=DUE_SOON)
    register_kind("claim.overdue", title=_("Claim overdue"), text=OVERDUE)


@dataclass
class ScanResult:
    reminded: int = 0
    escalated: int = 0


class _People:
    """Who to tell, looked up once per scan for each county and step (not once per claim)."""

    def __init__(self):
        self._cache: dict = {}

    def holders(self, claim: Claim) -> list:
        """Who holds the claim now: users with the step's permission in the claim's county (else the city)."""
        key = ("holders", claim.status, county_path(claim.org_path))
        if key not in self._cache:
            perm = f"{STEP_APP.get(claim.status, 'mutualaid')}.{STEP_PERMISSION[claim.status]}"
            self._cache[key] = list(users_with_permission(perm, at_path=key[2])) or list(
                users_with_permission(perm).filter(organisation__depth=1)
            )
        return self._cache[key]

    def staff_at(self, path: str, role: str) -> list:
        key = ("staff", path, role)
        if key not in self._cache:
            self._cache[key] = list(users_with_role(role, at_path=path))
        return self._cache[key]


def _notify(claim: Claim, kind: str, recipients, days: int) -> int:
    context = {
        "number": claim.number, "member": claim.member.name, "status": claim.get_status_display(),
        "due": claim.due_on, "days": days,
    }  # fmt: skip
    for user in recipients:
        notice_enqueue(
            kind, f"clock:{claim.pk}:{kind}:{claim.due_on}:{days if kind == 'claim.due_soon' else 'late'}:{user.pk}",
            user=user, context=context, organisation=claim.org_path,
        )  # fmt: skip
    return len(recipients)


def scan(*, today: date | None = None) -> ScanResult:
    """One daily pass: reminders at T−7 and T−3 to the holder and the county supervisor; escalations of
    overdue claims to the holder, the county supervisor and city staff. Safe to run twice."""
    today = today or timezone.localdate()
    result = ScanResult()
    people = _People()
    open_claims = Claim.objects.filter(status__in=Claim.OPEN).select_related("member")
    soon = open_claims.filter(due_on__in=[today + timedelta(days=d) for d in REMIND_DAYS])
    late = open_claims.filter(due_on__lt=today)
    for claim in soon.order_by("pk").iterator(chunk_size=BATCH):
        days = (claim.due_on - today).days
        with transaction.atomic():
            recipients = people.holders(claim) + people.staff_at(county_path(claim.org_path), "county_staff")
            result.reminded += bool(_notify(claim, "claim.due_soon", recipients, days))
    for claim in late.order_by("pk").iterator(chunk_size=BATCH):
        days = (today - claim.due_on).days
        with transaction.atomic():
            recipients = (
                people.holders(claim)
                + people.staff_at(county_path(claim.org_path), "county_staff")
                + people.staff_at(city_path(claim.org_path), "city_staff")
            )
            result.escalated += bool(_notify(claim, "claim.overdue", recipients, days))
    return result
