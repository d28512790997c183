"""Renewal (续保): reminders before a cover ends, and the union's printable 续保提示单.

Each active cover carries the day of its reminder in ``renewal_remind_on`` (its plan version's
``renewal_reminder_days`` before it ends, set when its premium is paid). The daily scan reads
``renewal_remind_on <= today`` through a partial index on active covers, so a day the clock did not run delays the
reminder, never loses it, and history costs nothing. Each batch of due covers is taken with
``FOR UPDATE SKIP LOCKED`` and cleared by a conditional UPDATE in the transaction that queues its notices, so two
workers never send twice; the outbox's dedupe keys (cover and end date; union, officer and end date) are the second
guard. Each member hears once by SMS, each officer of the member's union once in the inbox per end date. A cover
already renewed (a later cover names it in ``renews``), or already ended, is cleared without a reminder.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.accounts.selectors import users_with_role
from unionportal.notifications import notices_enqueue_many, register_kind
from unionportal.org.models import Organisation

from ..models import Plan, PlanVersion, Policy
from ..services import version_in_force

BATCH = 500

MEMBER_TEXT = _(
    "[Union mutual aid] Your cover %(plan)s ends on %(end)s. Renew through %(union)s before then "
    "to keep your cover without a new waiting period."
)
UNION_TEXT = _(
    "%(count)s covers of members of %(union)s end on %(end)s (in %(days)s days). "
    "Print the renewal notice from the enrolment page."
)


def register() -> None:
    register_kind("policy.renewal_due", title=_("Cover ends soon"), text=MEMBER_TEXT)
    register_kind("policy.renewal_union", title=_("Covers to renew"), text=UNION_TEXT)


def sheet_days(*, today: date | None = None) -> int:
    """The window a 续保提示单 covers unless the page asks for another: the longest renewal notice among the plan
    versions in force today (each version's ``renewal_reminder_days``), so every cover already reminded is on it."""
    today = today or timezone.localdate()
    days = [
        version.renewal_reminder_days
        for plan in Plan.objects.filter(is_active=True)
        if (version := version_in_force(plan, today)) is not None
    ]
    return max(days, default=PlanVersion._meta.get_field("renewal_reminder_days").default)


def _not_renewed(policies):
    # A cover already renewed (paid or waiting for payment) needs no reminder and no line on the sheet.
    renewed = Policy.objects.filter(renews__isnull=False).exclude(status=Policy.Status.CANCELLED).values("renews")
    return policies.exclude(pk__in=renewed)


@dataclass
class RenewalScanResult:
    members: int = 0
    unions: int = 0
    counts: dict = field(default_factory=dict)  # union pk -> covers ending


def _take(today: date) -> list[Policy]:
    """Claim a batch of covers whose reminder is due, for this transaction, and clear their reminder day."""
    due = list(
        Policy.objects.filter(status=Policy.Status.ACTIVE, renewal_remind_on__lte=today)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("member__organisation", "plan_version__plan")
        .order_by("pk")[:BATCH]
    )
    if due:
        Policy.objects.filter(pk__in=[p.pk for p in due], renewal_remind_on__lte=today).update(renewal_remind_on=None)
    return due


def renewal_reminders_send(*, today: date | None = None) -> RenewalScanResult:
    """Queue the renewal reminders of covers whose reminder day has come (``renewal_remind_on <= today``).

    One SMS per cover to the member's phone (kind ``policy.renewal_due``) and one inbox notice per union and end
    date to each of its officers (role ``union_officer`` attached to that union) with the number of covers ending.
    Safe to run twice, on two workers, or days late (a cover still running is reminded, once).
    """
    today = today or timezone.localdate()
    result = RenewalScanResult()
    per_union: dict[tuple[int, date], int] = defaultdict(int)
    unions: dict[int, Organisation] = {}
    while True:
        with transaction.atomic():
            taken = _take(today)
            renewed = set(_renewals_of([p.pk for p in taken]))
            items = []
            for policy in taken:
                if policy.pk in renewed or policy.ends_on is None or policy.ends_on < today:
                    continue
                member = policy.member
                union = member.organisation
                per_union[(union.pk, policy.ends_on)] += 1
                unions[union.pk] = union
                if not member.phone:
                    continue
                items.append({
                    "kind": "policy.renewal_due", "dedupe_key": f"renewal:{policy.pk}:{policy.ends_on}",
                    "sms_to": member.phone, "member_ref": member, "organisation": policy.org_path,
                    "context": {"plan": policy.plan_version.plan.name, "end": policy.ends_on, "union": union.name},
                })  # fmt: skip
                result.members += 1
            notices_enqueue_many(items)
        if len(taken) < BATCH:
            break
    officers = users_with_role("union_officer").filter(organisation_id__in=list(unions))
    by_union = defaultdict(list)
    for officer in officers:
        by_union[officer.organisation_id].append(officer)
    items = []
    for (union_pk, end), count in per_union.items():
        union = unions[union_pk]
        items += [
            {
                "kind": "policy.renewal_union",
                "dedupe_key": f"renewal-union:{union_pk}:{end}:{officer.pk}",
                "user": officer,
                "organisation": union,
                "context": {"count": count, "union": union.name, "end": end, "days": (end - today).days},
            }  # fmt: skip
            for officer in by_union[union_pk]
        ]
    with transaction.atomic():
        notices_enqueue_many(items)
    result.unions = len({union_pk for union_pk, _end in per_union if by_union[union_pk]})
    counts: dict[int, int] = defaultdict(int)
    for (union_pk, _end), count in per_union.items():
        counts[union_pk] += count
    result.counts = dict(counts)
    return result


def _renewals_of(pks: list[int]):
    """Which of these covers a later cover already renews (paid or waiting for payment)."""
    return (
        Policy.objects.filter(renews_id__in=pks)
        .exclude(status=Policy.Status.CANCELLED)
        .values_list("renews_id", flat=True)
    )


@dataclass
class RenewalLine:
    policy: Policy
    renewal_premium: Decimal | None  # under the plan version in force today; None if the plan has closed


def renewal_sheet(*, union: Organisation, days: int, today: date | None = None) -> list[RenewalLine]:
    """The lines of a union's 续保提示单: its members' active covers ending within ``days`` days, not yet
    renewed, by plan and end date, with the premium a renewal costs today."""
    today = today or timezone.localdate()
    policies = (
        _not_renewed(
            Policy.objects.filter(
                status=Policy.Status.ACTIVE,
                ends_on__gte=today,
                ends_on__lte=today + timedelta(days=days),
                member__organisation=union,
            )
        )
        .select_related("member", "plan_version__plan")
        .order_by("plan_version__plan__code", "ends_on", "member__name", "pk")
    )
    versions = {}
    lines = []
    for policy in policies:
        plan = policy.plan_version.plan
        if plan.pk not in versions:
            versions[plan.pk] = version_in_force(plan, today) if plan.is_active else None
        version = versions[plan.pk]
        lines.append(RenewalLine(policy, version.premium_per_share * policy.shares if version else None))
    return lines
