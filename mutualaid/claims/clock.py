"""The settlement clock (一个月理赔到位): reminders before the promised date, escalation after it.

Each open claim has a clock (``ClaimClock``, a narrow row of its own) holding its next step in ``next_on``: the
first reminder (T−7 by default, the plan version's ``first_reminder_days``), the second (T−3,
``second_reminder_days``), then the escalation the day after ``due_on``. ``claim_flow`` starts the clock when the
claim is accepted (``clock_start``) and removes it when the claim leaves the open states (``clock_stop``): those are
its only writers besides the scan. The daily scan reads ``next_on <= today`` through a partial index: a day the
clock did not run (beat or the worker down) delays a step, never loses it, and history costs nothing.

Two workers never send twice: each takes a batch of due clocks with ``FOR UPDATE SKIP LOCKED`` and moves them on
with an UPDATE conditional on ``next_on <= today`` in the same transaction as the outbox rows; the outbox's dedupe
keys (per claim, step, due date and recipient) are the second guard. A late day sends the latest step due,
once (after a missed T−7, T−3 brings the T−3 reminder only).
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.accounts.selectors import users_with_permission, users_with_role
from unionportal.notifications import notices_enqueue_many, register_kind
from unionportal.org.paths import city_path, county_path

from ..models import Claim, ClaimClock

BATCH = 1000
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
    """Who to tell: each step's permission holders and each role's staff read once per scan, whatever the number
    of counties and claims (one query per step and per role), then picked by path here."""

    def __init__(self):
        self._cache: dict = {}

    def _everyone(self, key, users) -> list:
        """``users()`` read once per scan: the queryset is built only then (building one costs a millisecond, and
        the holders of each county and step ask again)."""
        if key not in self._cache:
            self._cache[key] = list(users().select_related("organisation").order_by("pk"))
        return self._cache[key]

    def holders(self, claim) -> list:
        """Who holds the claim now: users with the step's permission in the claim's county (else the city)."""
        key = ("holders", claim.status, county_path(claim.org_path))
        if key not in self._cache:
            perm = f"{STEP_APP.get(claim.status, 'mutualaid')}.{STEP_PERMISSION[claim.status]}"
            users = self._everyone(("perm", perm), lambda: users_with_permission(perm))
            here = [u for u in users if u.organisation_id and u.organisation.path == key[2]]
            self._cache[key] = here or [u for u in users if u.organisation_id and u.organisation.depth == 1]
        return self._cache[key]

    def staff_at(self, path: str, role: str) -> list:
        key = ("staff", path, role)
        if key not in self._cache:
            staff = self._everyone(("role", role), lambda: users_with_role(role))
            self._cache[key] = [u for u in staff if u.organisation_id and u.organisation.path == path]
        return self._cache[key]


@dataclass(frozen=True)
class _Due:
    """What the scan reads of a claim due for a step (plain values: no model instances)."""

    pk: int
    number: str
    status: str
    org_path: str
    due_on: date
    member: str


# Take a batch of due clocks and move each on to its next step in one statement, as the outbox claims its rows:
# the clock rows are locked (another worker's scan skips them, SKIP LOCKED; a transition that stops the clock
# waits for this transaction) and the UPDATE is conditional on the step being due, so a claim is never taken twice.
# Only the narrow clock rows are written; the claim, its cover, plan version and member are read. The next step:
# the second reminder while it is ahead, then the escalation the day after the due date, then nothing (escalated
# once); ``claim_flow`` sets the first. A clock outlives its claim's open states only if something bypassed
# ``claim_flow``: it is silenced here (next step none, nothing sent), so it cannot hold a place in every batch.
_TAKE = """
WITH due AS (
    SELECT claim_id FROM mutualaid_claimclock
    WHERE next_on <= %(today)s
    ORDER BY claim_id LIMIT %(batch)s FOR UPDATE SKIP LOCKED
)
UPDATE mutualaid_claimclock AS k SET next_on = CASE
    WHEN c.status <> ALL(%(open)s) OR c.due_on < %(today)s THEN NULL
    WHEN c.due_on - v.second_reminder_days > %(today)s THEN c.due_on - v.second_reminder_days
    ELSE c.due_on + 1
END
FROM due, mutualaid_claim AS c, mutualaid_policy AS p, mutualaid_planversion AS v, members_member AS m
WHERE k.claim_id = due.claim_id AND c.id = k.claim_id AND p.id = c.policy_id AND v.id = p.plan_version_id
    AND m.id = c.member_id AND k.next_on <= %(today)s
RETURNING c.id, c.number, c.status, c.org_path, c.due_on, m.name
"""


def clock_start(claim: Claim, *, next_on: date) -> None:
    """Start (or restart, after a return) the claim's clock with its first step. Called by ``claim_flow`` when the
    claim is accepted, in the transition's transaction, with the claim locked."""
    ClaimClock.objects.update_or_create(claim=claim, defaults={"next_on": next_on})


def clock_stop(claim: Claim) -> None:
    """Stop the claim's clock: it left the open states (paid, returned, rejected, withdrawn). Called by
    ``claim_flow`` in the transition's transaction; a scan holding the clock finishes first (the row lock)."""
    ClaimClock.objects.filter(claim=claim).delete()


def _take(today: date) -> list[_Due]:
    """Claim a batch of due claims for this transaction (see ``_TAKE``), in id order."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE, {"open": list(Claim.OPEN), "today": today, "batch": BATCH})
        return sorted((_Due(*row) for row in cursor.fetchall()), key=lambda row: row.pk)


def _notices(claim: _Due, kind: str, recipients, days: int) -> list[dict]:
    context = {
        "number": claim.number, "member": claim.member, "status": Claim.Status(claim.status).label,
        "due": claim.due_on, "days": days,
    }  # fmt: skip
    step = days if kind == "claim.due_soon" else "late"
    return [
        {
            "kind": kind,
            "dedupe_key": f"clock:{claim.pk}:{kind}:{claim.due_on}:{step}:{user.pk}",
            "user": user,
            "context": context,
            "organisation": claim.org_path,
        }  # fmt: skip
        for user in recipients
    ]


def scan(*, today: date | None = None) -> ScanResult:
    """One daily pass over the claims whose next step is due: a reminder (T−7, T−3) to the holder and the
    county supervisor, or the escalation of an overdue claim to the holder, the county supervisor and city staff.

    Safe to run twice, on two workers at once, or a day late (the step still goes, once). Works in batches of
    ``BATCH`` claims, one transaction each; the queries do not grow with the number of due claims.
    """
    today = today or timezone.localdate()
    result = ScanResult()
    people = _People()
    while True:
        with transaction.atomic():
            rows = _take(today)
            if not rows:
                break
            items = []
            for claim in rows:
                if claim.status not in Claim.OPEN:
                    continue  # a stray clock, silenced by ``_TAKE``
                if claim.due_on < today:
                    recipients = (
                        people.holders(claim)
                        + people.staff_at(county_path(claim.org_path), "county_staff")
                        + people.staff_at(city_path(claim.org_path), "city_staff")
                    )
                    items += _notices(claim, "claim.overdue", recipients, (today - claim.due_on).days)
                    result.escalated += bool(recipients)
                else:
                    recipients = people.holders(claim) + people.staff_at(county_path(claim.org_path), "county_staff")
                    items += _notices(claim, "claim.due_soon", recipients, (claim.due_on - today).days)
                    result.reminded += bool(recipients)
            notices_enqueue_many(items)
        if len(rows) < BATCH:
            break
    return result
