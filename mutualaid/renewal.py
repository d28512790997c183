"""Renewal (续保): reminders before a cover ends, and the union's printable 续保提示单.

Every day the scan reads only active covers that end exactly ``RENEWAL_REMINDER_DAYS`` days from today
(the partial index on ``Policy.ends_on`` for active covers serves it, however long the history grows).
Each member hears once by SMS, each officer of the member's union once in the inbox; the dedupe keys
name the cover (or the union) and the end date, so a second run, or a second worker, sends nothing twice.
A cover that has already been renewed (a later cover names it in ``renews``) is not reminded of.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.accounts.selectors import users_with_role
from unionportal.notifications import notice_enqueue, register_kind
from unionportal.org.models import Organisation

from .models import Policy
from .services import version_in_force

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


def reminder_days() -> int:
    return getattr(settings, "RENEWAL_REMINDER_DAYS", 30)


def _not_renewed(policies):
    # A cover already renewed (paid or waiting for payment) needs no reminder and no line on the sheet.
    renewed = Policy.objects.filter(renews__isnull=False).exclude(status=Policy.Status.CANCELLED).values("renews")
    return policies.exclude(pk__in=renewed)


@dataclass
class RenewalScanResult:
    members: int = 0
    unions: int = 0
    counts: dict = field(default_factory=dict)  # union pk -> covers ending


def renewal_reminders_send(*, today: date | None = None) -> RenewalScanResult:
    """Queue the renewal reminders for covers ending in exactly RENEWAL_REMINDER_DAYS days.

    One SMS per cover to the member's phone (kind ``policy.renewal_due``) and one inbox notice per union to
    each of its officers (role ``union_officer`` attached to that union) with the number of covers ending.
    Reads only active covers ending on that day. Safe to run twice: the outbox's dedupe keys are per cover
    and end date, and per union, officer and end date.
    """
    today = today or timezone.localdate()
    days = reminder_days()
    end = today + timedelta(days=days)
    result = RenewalScanResult()
    ending = _not_renewed(Policy.objects.filter(status=Policy.Status.ACTIVE, ends_on=end)).select_related(
        "member__organisation", "plan_version__plan"
    )
    per_union: dict[int, int] = defaultdict(int)
    unions: dict[int, Organisation] = {}
    for policy in ending.order_by("pk").iterator(chunk_size=BATCH):
        member = policy.member
        union = member.organisation
        per_union[union.pk] += 1
        unions[union.pk] = union
        if not member.phone:
            continue
        with transaction.atomic():
            notice_enqueue(
                "policy.renewal_due", f"renewal:{policy.pk}:{policy.ends_on}", sms_to=member.phone,
                context={"plan": policy.plan_version.plan.name, "end": policy.ends_on, "union": union.name},
                member_ref=member, organisation=policy.org_path,
            )  # fmt: skip
        result.members += 1
    officers = users_with_role("union_officer").filter(organisation_id__in=list(unions))
    by_union = defaultdict(list)
    for officer in officers:
        by_union[officer.organisation_id].append(officer)
    for union_pk, count in per_union.items():
        union = unions[union_pk]
        with transaction.atomic():
            for officer in by_union[union_pk]:
                notice_enqueue(
                    "policy.renewal_union", f"renewal-union:{union_pk}:{end}:{officer.pk}", user=officer,
                    context={"count": count, "union": union.name, "end": end, "days": days}, organisation=union,
                )  # fmt: skip
        result.unions += bool(by_union[union_pk])
    result.counts = dict(per_union)
    return result


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
