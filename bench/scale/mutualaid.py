"""Synthetic mutual aid for the scale city: five years of paid group enrolments and N claims in every state.

``manage.py seed_scale --claims N`` calls ``add_claims`` (registered below with the core's scale registry;
members, where the command lives, never imports this app). On top of the members already there:

- every year of the last five (this one up to today), a share of the grassroots unions enrols its active
  members aged 16–60 in the inpatient plan (ZY) as one paid batch, paid on a day spread over the year; most
  unions renew the next year, and a renewing member's cover has no waiting period. Enough unions enrol that
  there are about ``COVERS_PER_CLAIM`` covers per claim (capped by the members there are);
- N claims against those covers, each admitted while its cover ran and after its waiting period, with a
  settlement that adds up (total = fund + serious-illness + self-funded + self-paid), the benefit the plan's
  calculation gives, one or two invoices with unique numbers adding up to the total, and an event row per
  transition up to the current status. Closed claims (paid, rejected, withdrawn) are spread over the five
  years; open ones were accepted in the last weeks, so most are due in the future, ``DUE_SHARE`` of N are due
  in exactly 7 or 3 days or overdue (what the daily scan reads), and the rest of history is what it must skip.

Rows go in with PostgreSQL COPY (ids reserved from the tables' sequences first), or ``bulk_create`` elsewhere
(SQLite, small counts). Synthetic data: no audit rows, no payment requests, no member notices.
"""

import io
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from bench.scale.registry import generator
from members.models import Member
from mutualaid import benefit
from mutualaid.claims.review import plan_terms
from mutualaid.demo import PLANS
from mutualaid.models import (
    Claim,
    ClaimClock,
    ClaimEvent,
    ClaimInvoice,
    EnrolmentBatch,
    Plan,
    PlanSegment,
    PlanVersion,
    Policy,
)
from unionportal.core import numbers
from unionportal.core.months import after_term
from unionportal.org.models import Organisation
from unionportal.org.paths import COUNTY_DEPTH

S = Claim.Status
YEARS = 5
COVERS_PER_CLAIM = 3  # covers written per claim asked for (a claim rate of a third: dense, for benchmarks)
RENEW_SHARE = 0.85  # unions enrolled one year that enrol again the next
# The states of the claims and their shares (per thousand) when nothing is due.
STATES = [
    (S.PAID, 800), (S.REJECTED, 50), (S.WITHDRAWN, 20), (S.RECEIVED, 25), (S.RETURNED, 15),
    (S.ACCEPTED, 40), (S.ASSESSED, 25), (S.APPROVED, 25),
]  # fmt: skip
OPEN = [S.ACCEPTED, S.ASSESSED, S.APPROVED]
DUE_SHARE = Decimal(1) / 300  # of N: due in 7 days, in 3 days (30 % each) or overdue (40 %): 1,000 of 300,000
FUTURE_DAYS = [d for d in range(1, 31) if d not in (3, 7)]  # open and not yet due: none of the scan's days
LATE_PAYMENT_SHARE = 0.08  # paid claims paid after their due date
HOSPITALS = ["商洛市中心医院", "商洛市中医医院", "商洛国际医学中心", "商州区人民医院", "洛南县医院",
             "丹凤县医院", "商南县医院", "山阳县人民医院", "镇安县医院", "柞水县医院", "西京医院",
             "西安交通大学第一附属医院"]  # fmt: skip
DIAGNOSES = ["肺炎", "急性阑尾炎", "胆囊结石", "腰椎间盘突出症", "冠心病", "高血压病", "2型糖尿病", "脑梗死",
             "骨折", "慢性支气管炎", "子宫肌瘤", "白内障", "肾结石", "胃溃疡", "痔疮"]  # fmt: skip
BANKS = ["中国邮政储蓄银行商洛分行", "中国工商银行商洛分行", "中国农业银行商洛分行", "陕西信合商洛分行"]
MATERIALS = PLANS[0][3]["required_materials"]
SCALE_USERS = [
    ("scale_clerk", "规模数据录入员"),
    ("scale_reviewer", "规模数据审核员"),
    ("scale_approver", "规模数据审批人"),
]
CENT = Decimal("0.01")


@dataclass
class Cover:
    pk: int
    member_id: int
    org_path: str
    version: PlanVersion
    shares: int
    starts_on: date
    ends_on: date
    waiting_ends_on: date


# --- Writing rows --------------------------------------------------------------------------------------


def _reserve_ids(model, count: int) -> list[int]:
    """Ids for ``count`` new rows, taken now so that rows written later can point at them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - a model's table name
        first = cursor.fetchone()[0] + 1  # one writer, inside the command's transaction
        return list(range(first, first + count))


def _tsv(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _write(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert ``rows`` (values in ``columns`` order, the id first) with COPY, or bulk_create off PostgreSQL.

    bulk_create stamps ``auto_now_add`` columns (received_at, created_at) with the present: off PostgreSQL
    those times are today's, the dates that matter (admission, acceptance, due, payment) are kept.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        # Generated values only: none holds a tab, a newline or a backslash.
        buffer.writelines("\t".join(map(_tsv, row)) + "\n" for row in rows)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)
        return
    fields = [model._meta.get_field(c).attname if c != "id" else "id" for c in columns]
    model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=500)


def _count_in_county(model, ids: list[int]) -> None:
    """The county each paid row just written counted in (the services set it at payment; bulk rows get it here).

    One UPDATE per county over the id range of the rows written, not a list of 300,000 ids.
    """
    if not ids:
        return
    rows = model.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status="paid")
    for county_path, county_id in Organisation.objects.filter(depth=COUNTY_DEPTH).values_list("path", "pk"):
        rows.filter(org_path__startswith=county_path).update(counted_in_county_id=county_id)


BATCH_COLUMNS = (
    "id", "number", "organisation_id", "org_path", "plan_version_id", "payer", "sponsor_name", "status",
    "total_premium", "payment_reference", "paid_on", "created_by_id", "created_at",
)  # fmt: skip
POLICY_COLUMNS = (
    "id", "member_id", "batch_id", "plan_version_id", "org_path", "shares", "premium", "starts_on", "ends_on",
    "waiting_ends_on", "renews_id", "status", "renewal_remind_on",
)  # fmt: skip
CLAIM_COLUMNS = (
    "id", "number", "member_id", "policy_id", "org_path", "claim_type", "hospital", "admitted_on", "discharged_on",
    "diagnosis", "total_cost", "fund_paid", "serious_illness_paid", "self_funded", "materials_received",
    "bank_name", "bank_account", "status", "received_at", "accepted_at", "due_on", "computed_benefit", "benefit",
    "breakdown", "adjustment_reason", "rejection", "note", "entered_by_id", "assessed_by_id", "approved_by_id",
    "city_approved_by_id", "paid_on", "city_approval_threshold",
)  # fmt: skip
CLOCK_COLUMNS = ("claim_id", "next_on")
INVOICE_COLUMNS = ("id", "claim_id", "number", "amount")
EVENT_COLUMNS = ("id", "claim_id", "from_status", "to_status", "actor_id", "note", "created_at")


# --- The plan and the people who worked the claims ----------------------------------------------------


def ensure_plan(first_day: date) -> Plan:
    """The inpatient plan of the demo (ZY), with a version in force since ``first_day``."""
    code, name, kind, fields, segments = PLANS[0]
    plan, _ = Plan.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    if not plan.versions.filter(valid_from__lte=first_day).exists():
        values = {k: Decimal(v) if isinstance(v, str) else v for k, v in fields.items()}
        version = PlanVersion.objects.create(plan=plan, valid_from=first_day, **values)
        for lower, upper, rate in segments:
            PlanSegment.objects.create(
                version=version, lower=Decimal(lower), upper=Decimal(upper) if upper else None, rate=Decimal(rate)
            )
    return plan


def ensure_users() -> list[int]:
    """A clerk, a reviewer and an approver at the city (no password: they cannot sign in); their ids."""
    city = Organisation.objects.filter(depth=1).order_by("path").first()
    ids = []
    for username, name in SCALE_USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"name": name, "organisation": city, "is_active": False}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        ids.append(user.pk)
    return ids


# --- Enrolment ----------------------------------------------------------------------------------------


def _versions(plan: Plan) -> list[PlanVersion]:
    versions = list(plan.versions.prefetch_related("segments").select_related("plan").order_by("valid_from"))
    for version in versions:
        version.terms = plan_terms(version)
    return versions


def _in_force(versions: list[PlanVersion], day: date) -> PlanVersion:
    return [v for v in versions if v.valid_from <= day][-1]


def _members_by_union() -> dict[int, list[tuple]]:
    """Active and retired members: (pk, org_path, birth_date, joined_on) by union."""
    by_union: dict[int, list[tuple]] = {}
    rows = Member.objects.filter(status__in=[Member.Status.ACTIVE, Member.Status.RETIRED]).values_list(
        "organisation_id", "pk", "org_path", "birth_date", "joined_on"
    )
    for union, *rest in rows.order_by("pk").iterator(chunk_size=20_000):
        by_union.setdefault(union, []).append(tuple(rest))
    return by_union


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def add_enrolments(
    target_per_year: int, *, rng: random.Random, today: date, plan: Plan, clerk: int, log: Callable
) -> list[Cover]:
    """Five years of paid batches, about ``target_per_year`` covers a year; the covers written."""
    versions = _versions(plan)
    by_union = _members_by_union()
    unions = dict(Organisation.objects.filter(pk__in=list(by_union)).values_list("pk", "path"))
    order = sorted(by_union)
    covers: list[Cover] = []
    enrolled_last_year: set[int] = set()
    covered_last_year: dict[int, date] = {}  # member → end of last cover
    now = timezone.now()
    for year in range(today.year - YEARS + 1, today.year + 1):
        last_day = min(date(year, 12, 31), today - timedelta(days=1))
        renewing = [u for u in order if u in enrolled_last_year and rng.random() < RENEW_SHARE]
        renewed = set(renewing)
        others = [u for u in order if u not in renewed]
        rng.shuffle(others)
        chosen, size = [], 0
        for union in renewing + others:
            if size >= target_per_year:
                break
            chosen.append(union)
            size += len(by_union[union])
        batches, policies = [], []
        batch_ids = _reserve_ids(EnrolmentBatch, len(chosen))
        batch_numbers = numbers.allocate(f"enrolment-{year}", len(chosen))
        lines = []
        for union, batch_id, number in zip(chosen, batch_ids, batch_numbers, strict=True):
            span = (last_day - date(year, 1, 1)).days
            paid_on = date(year, 1, 1) + timedelta(days=rng.randrange(span + 1))
            version = _in_force(versions, paid_on)
            shares = rng.choice([1, 1, 1, 2])
            members = [m for m in by_union[union] if m[3] <= paid_on and 16 <= _age(m[2], paid_on) <= version.max_age]
            if not members:
                continue
            premium = version.premium_per_share * shares
            batches.append((
                batch_id, f"CB{year}{number:05d}", union, unions[union], version.pk, EnrolmentBatch.Payer.UNIT, "",
                EnrolmentBatch.Status.PAID, premium * len(members), f"SCALE-{year}-{number}", paid_on, clerk, now,
            ))  # fmt: skip
            lines.append((batch_id, version, shares, premium, paid_on, members))
        policy_ids = iter(_reserve_ids(Policy, sum(len(line[-1]) for line in lines)))
        covered_this_year: dict[int, date] = {}
        for batch_id, version, shares, premium, paid_on, members in lines:
            for member_id, org_path, _born, _joined in members:
                previous_end = covered_last_year.get(member_id)
                renewal = previous_end is not None and previous_end >= paid_on - timedelta(
                    days=version.renewal_grace_days
                )
                starts = (
                    previous_end + timedelta(days=1)
                    if renewal and previous_end >= paid_on
                    else paid_on + timedelta(days=1)
                )
                ends = after_term(starts, version.term_months) - timedelta(days=1)
                waiting = starts if renewal else starts + timedelta(days=version.waiting_days)
                pk = next(policy_ids)
                remind_on = ends - timedelta(days=version.renewal_reminder_days)  # as enrolment_batch_pay sets it
                policies.append((pk, member_id, batch_id, version.pk, org_path, shares, premium, starts, ends,
                                 waiting, None, Policy.Status.ACTIVE,
                                 remind_on if remind_on >= today else None))  # fmt: skip
                covers.append(Cover(pk, member_id, org_path, version, shares, starts, ends, waiting))
                covered_this_year[member_id] = ends
        _write(EnrolmentBatch, BATCH_COLUMNS, batches)
        _count_in_county(EnrolmentBatch, [row[0] for row in batches])
        _write(Policy, POLICY_COLUMNS, policies)
        log(f"  {year}: {len(batches):,} paid batches, {len(policies):,} covers")
        enrolled_last_year = set(chosen)
        covered_last_year = covered_this_year
    return covers


# --- Claims -------------------------------------------------------------------------------------------


def _aware(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(8 + rng.randrange(9), rng.randrange(60))))


def _settlement(rng: random.Random) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """total, fund paid, serious-illness paid, self-funded: a 医保结算单 that adds up."""
    total = Decimal(str(round(min(rng.lognormvariate(8.9, 0.9), 600_000), 2))).quantize(CENT)
    fund = (total * Decimal(str(rng.uniform(0.45, 0.75)))).quantize(CENT, ROUND_HALF_UP)
    serious = (
        (total * Decimal(str(rng.uniform(0.05, 0.15)))).quantize(CENT, ROUND_HALF_UP)
        if total > 50_000
        else Decimal("0.00")
    )
    self_funded = (total * Decimal(str(rng.uniform(0, 0.1)))).quantize(CENT, ROUND_HALF_UP)
    return total, fund, serious, self_funded


def _state_plan(count: int, due: int | None, rng: random.Random) -> list[tuple[str, str]]:
    """(status, when) for every claim: when is "due7", "due3", "late", "future" (open) or "" (others)."""
    due = round(count * DUE_SHARE) if due is None else min(due, count)
    soon7, soon3 = round(due * 0.3), round(due * 0.3)
    plan = [("due7", soon7), ("due3", soon3), ("late", due - soon7 - soon3)]
    slots = []
    for when, n in plan:
        slots += [(rng.choice(OPEN), when) for _ in range(n)]
    rest = count - len(slots)
    states = rng.choices([s for s, _ in STATES], [w for _, w in STATES], k=rest)
    slots += [(s, "future" if s in OPEN else "") for s in states]
    rng.shuffle(slots)
    return slots


def _pick_cover(covers: list[Cover], rng: random.Random, *, admitted_by: date | None, around: date | None) -> tuple:
    """A cover and an admission date inside it (after the waiting period): the date is free when ``around`` is
    None (then no later than ``admitted_by``), else within two weeks before ``around``."""
    for _ in range(500):
        cover = rng.choice(covers)
        if around is None:
            last = min(cover.ends_on, admitted_by)
            if last < cover.waiting_ends_on:
                continue
            return cover, cover.waiting_ends_on + timedelta(days=rng.randrange((last - cover.waiting_ends_on).days + 1))
        admitted = around - timedelta(days=rng.randrange(3, 15))
        if cover.waiting_ends_on <= admitted <= cover.ends_on:
            return cover, admitted
    raise ValueError("no cover fits: seed more members or fewer claims")


def add_claim_rows(
    count: int, covers: list[Cover], *, rng: random.Random, today: date, users: list[int], due: int | None
) -> dict[str, int]:
    """Write ``count`` claims on ``covers`` with their invoices and events; counts by status."""
    clerk, reviewer, approver = users
    slots = _state_plan(count, due, rng)
    # Recent covers are the only ones that can hold an open claim (admitted in the last weeks).
    recent = [
        c for c in covers if c.ends_on >= today - timedelta(days=60) and c.waiting_ends_on <= today - timedelta(days=20)
    ]
    settlement_days = covers[-1].version.settlement_days  # the plan's versions here all promise the same
    claim_ids = _reserve_ids(Claim, count)
    claims, invoices, clocks = [], [], []
    drafts = []
    for (status, when), pk in zip(slots, claim_ids, strict=True):
        if when:  # open: accepted on a day that puts the due date where it should be
            due_on = {
                "due7": today + timedelta(days=7), "due3": today + timedelta(days=3),
                "late": today - timedelta(days=rng.randrange(1, 30)),
            }.get(when) or today + timedelta(days=rng.choice(FUTURE_DAYS))  # fmt: skip
            accepted = due_on - timedelta(days=settlement_days)
            cover, admitted = _pick_cover(recent or covers, rng, admitted_by=None, around=accepted - timedelta(days=2))
        elif status in (S.RECEIVED, S.RETURNED):
            received_day = today - timedelta(days=rng.randrange(0, 20))
            cover, admitted = _pick_cover(recent or covers, rng, admitted_by=None, around=received_day)
            accepted = None
        else:
            cover, admitted = _pick_cover(covers, rng, admitted_by=today - timedelta(days=90), around=None)
            accepted = None
        drafts.append((pk, status, when, cover, admitted, accepted))
    by_year: dict[int, int] = {}
    # Claim numbers by the year the claim was received, from the same sequences as the counter's.
    received_days = []
    for _pk, status, _when, _cover, admitted, accepted in drafts:
        stay = rng.randrange(1, 21)
        discharged = min(admitted + timedelta(days=stay), today)
        if accepted is not None:
            discharged = min(discharged, accepted - timedelta(days=1))
            received = max(discharged, accepted - timedelta(days=rng.randrange(0, 5)))
        elif status in (S.RECEIVED, S.RETURNED):
            received = min(today, discharged + timedelta(days=rng.randrange(0, 10)))
        else:
            received = discharged + timedelta(days=rng.randrange(1, 50))
        received_days.append((discharged, received))
        by_year[received.year] = by_year.get(received.year, 0) + 1
    blocks = {year: iter(numbers.allocate(f"claim-{year}", n)) for year, n in by_year.items()}
    counts: dict[str, int] = {}
    now = timezone.now()
    rows_events = []
    for (pk, status, when, cover, admitted, accepted), (discharged, received) in zip(
        drafts, received_days, strict=True
    ):
        number = f"LP{received.year}{next(blocks[received.year]):06d}"
        version = cover.version
        total, fund, serious, self_funded = _settlement(rng)
        breakdown = benefit.calculate(
            version.terms, benefit.Settlement(total, fund, serious, self_funded), shares=cover.shares
        )
        received_at = _aware(received, rng)
        trail = [("", S.RECEIVED, clerk, received_at, "")]
        accepted_at = due_on = computed = paid_benefit = snapshot = assessed_by = approved_by = paid_on = None
        rejection = ""
        materials = list(MATERIALS)
        if status in OPEN or status in (S.PAID, S.REJECTED) or status == S.RETURNED:
            if accepted is None:
                accepted = received + timedelta(days=rng.choice([0, 0, 0, 1, 2, 5]))
                if status == S.RETURNED:
                    accepted = min(accepted, today)
            accepted_at = max(_aware(accepted, rng), received_at)
            due_on = accepted + timedelta(days=version.settlement_days)
            trail.append((S.RECEIVED, S.ACCEPTED, clerk, accepted_at, ""))
        if status == S.RECEIVED:
            materials = materials[:-2]
        if status == S.RETURNED:
            materials = materials[:-1]
            trail.append((S.ACCEPTED, S.RETURNED, reviewer, accepted_at + timedelta(hours=2), "医保结算单"))
            accepted_at = due_on = None
        if status in (S.ASSESSED, S.APPROVED, S.PAID):
            computed = paid_benefit = breakdown.benefit
            snapshot = benefit.breakdown_to_data(breakdown)
            assessed_by = reviewer
            assessed_at = accepted_at + timedelta(hours=rng.randrange(1, 72))
            if when:
                assessed_at = min(assessed_at, timezone.now())
            trail.append((S.ACCEPTED, S.ASSESSED, reviewer, assessed_at, f"benefit {paid_benefit}"))
        if status in (S.APPROVED, S.PAID):
            approved_by = approver
            trail.append((S.ASSESSED, S.APPROVED, approver, trail[-1][3] + timedelta(hours=rng.randrange(1, 24)), ""))
        if status == S.PAID:
            late = rng.random() < LATE_PAYMENT_SHARE
            days = rng.randrange(31, 50) if late else rng.randrange(3, 31)
            paid_on = min(accepted + timedelta(days=days), today - timedelta(days=1))
            paid_at = max(_aware(paid_on, rng), trail[-1][3] + timedelta(minutes=30))
            paid_on = timezone.localtime(paid_at).date()
            trail.append((S.APPROVED, S.PAID, None, paid_at, ""))
        if status == S.REJECTED:
            rejection = rng.choice([Claim.Rejection.EXCLUDED, Claim.Rejection.LATE, Claim.Rejection.WAITING])
            trail.append((S.ACCEPTED, S.REJECTED, reviewer, accepted_at + timedelta(hours=rng.randrange(1, 72)), ""))
            due_on = None
        if status == S.WITHDRAWN:
            trail.append((S.RECEIVED, S.WITHDRAWN, clerk, received_at + timedelta(days=rng.randrange(1, 10)), ""))
        claims.append((
            pk, number, cover.member_id, cover.pk, cover.org_path, Claim.Type.INPATIENT, rng.choice(HOSPITALS),
            admitted, discharged, rng.choice(DIAGNOSES), total, fund, serious, self_funded, sorted(materials),
            rng.choice(BANKS), f"6217{rng.randrange(10**14):014d}", status, min(received_at, now),
            accepted_at and min(accepted_at, now), due_on,
            computed, paid_benefit, snapshot, "", rejection, "", clerk, assessed_by, approved_by, None, paid_on,
            version.city_approval_threshold if assessed_by else None,
        ))  # fmt: skip
        if status in OPEN:  # the settlement clock runs while the claim is open
            clocks.append((pk, _next_reminder_on(due_on, today)))
        if rng.random() < 0.3:  # two invoices, adding up to the total
            first = (total * Decimal(str(rng.uniform(0.2, 0.8)))).quantize(CENT)
            parts = [first, total - first]
        else:
            parts = [total]
        invoices += [(None, pk, f"SC{number}-{i}", amount) for i, amount in enumerate(parts, start=1)]
        # Each step after the one before, and nothing after now (a claim accepted today at a later hour than
        # it is); equal times keep their order by id.
        at = trail[0][3]
        for old, new, actor, when_, note in trail:
            at = min(max(when_, at), now)
            rows_events.append((None, pk, old, new, actor, note, at))
        counts[status] = counts.get(status, 0) + 1
    invoice_ids = _reserve_ids(ClaimInvoice, len(invoices))
    event_ids = _reserve_ids(ClaimEvent, len(rows_events))
    _write(Claim, CLAIM_COLUMNS, claims)
    _write(ClaimClock, CLOCK_COLUMNS, clocks)
    _count_in_county(Claim, [row[0] for row in claims])
    _write(ClaimInvoice, INVOICE_COLUMNS, [(i, *row[1:]) for i, row in zip(invoice_ids, invoices, strict=True)])
    _write(ClaimEvent, EVENT_COLUMNS, [(i, *row[1:]) for i, row in zip(event_ids, rows_events, strict=True)])
    return counts


def _next_reminder_on(due_on: date | None, today: date) -> date | None:
    """The settlement clock's next step, as ``claim_flow`` keeps it: T−7, T−3, then the day after ``due_on``."""
    if due_on is None:
        return None
    steps = [due_on - timedelta(days=7), due_on - timedelta(days=3), due_on + timedelta(days=1)]
    return next((step for step in steps if step >= today), steps[-1])


@transaction.atomic
def add_claims(count: int, *, seed: int, log: Callable[[str], None] = print, due: int | None = None) -> str:
    """Covers over five years and ``count`` claims on them (see the module's docstring); a summary.

    ``due``: how many open claims the daily scan should find due (7 or 3 days away, or overdue); by default
    ``DUE_SHARE`` of ``count``.
    """
    today = timezone.localdate()
    rng = random.Random(f"{seed}:claims:{Claim.objects.count()}")  # noqa: S311 - synthetic data
    plan = ensure_plan(date(today.year - YEARS, 1, 1))
    users = ensure_users()
    started = time.monotonic()
    covers = add_enrolments(
        max(1, count * COVERS_PER_CLAIM // YEARS), rng=rng, today=today, plan=plan, clerk=users[0], log=log
    )
    log(f"  enrolments: {len(covers):,} covers in {time.monotonic() - started:.1f} s")
    if not covers:
        raise ValueError("no members to enrol: seed members first")
    counts = add_claim_rows(count, covers, rng=rng, today=today, users=users, due=due)
    analyze()
    return (
        f"{len(covers):,} covers, {count:,} claims (" + ", ".join(f"{s} {n:,}" for s, n in sorted(counts.items())) + ")"
    )


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (EnrolmentBatch, Policy, Claim, ClaimClock, ClaimInvoice, ClaimEvent):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


@generator("claims", help="Mutual aid: five years of paid enrolments and N claims in every state (default 0).")
def claims_generator(count: int, *, seed: int, log: Callable[[str], None]) -> str:
    return add_claims(count, seed=seed, log=log)
