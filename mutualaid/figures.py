"""Mutual-aid figures per county and month: the numbers the monthly report (DOMAIN.md §7) draws on.

Plain functions over the models, for this app's figures page and for the reporting app. Definitions, for a
calendar month [first day, first day of the next month):

- ``enrolments`` (参保人次): covers (Policy rows) whose enrolment batch was paid in the month
  (``EnrolmentBatch.status = paid`` and ``EnrolmentBatch.paid_on`` in the month); a member in two plans counts
  twice, as the federations count 人次;
- ``premiums`` (互助金): the sum of those covers' premiums (``Policy.premium``, shares included), in 元;
- ``claims_paid`` (理赔人次): claims in status ``paid`` with ``paid_on`` in the month (a claim closed with
  nothing to pay is paid on the day it was approved, and counts);
- ``amount_paid`` (理赔金额): the sum of those claims' ``benefit``, in 元;
- ``on_time_rate``: the percentage of those claims with ``paid_on <= due_on`` (paid by the promised date),
  one decimal, ``None`` when no claim was paid;
- ``avg_days_to_pay``: the mean of ``paid_on − date(accepted_at)`` in whole days (the acceptance date in the
  portal's time zone) over those claims, one decimal, ``None`` when no claim was paid.

Year on year (同比) compares with the same month a year earlier. A paid claim or cover counts in the county it
was paid in (``counted_in_county`` on the claim and on the enrolment batch, set by the payment and never
rewritten), not in the county at the head of its ``org_path``: ``org_path`` follows a union that moves to
another county (it is the scope), while a county's past months must stay what it reported. Below county level
(a union officer's page) the rows are the user's own, found by scope, whichever county they counted in.

Every figure comes from one grouped query per source (covers, claims) grouped by the county part of the
path and by the month, so a page of all counties with their year-earlier figures costs the same few queries
at 1,000 or 1,000,000 rows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils import timezone

from unionportal.core.months import add_months, month_start, next_month
from unionportal.org.models import Organisation
from unionportal.org.paths import COUNTY_DEPTH, county_path, county_path_length
from unionportal.org.scope import scope_queryset, user_scope_path

from .models import Claim, EnrolmentBatch, Policy

CODES = ("enrolments", "premiums", "claims_paid", "amount_paid", "on_time_rate", "avg_days_to_pay")
COUNTY_WIDTH = county_path_length()
ZERO = Decimal("0.00")
TENTH = Decimal("0.1")


def year_before(day: date) -> date:
    return day.replace(year=day.year - 1)


@dataclass
class Tally:
    """The sums behind the figures of one area and month; they add up across areas (the total row)."""

    enrolments: int = 0
    premiums: Decimal = ZERO
    claims_paid: int = 0
    amount_paid: Decimal = ZERO
    on_time: int = 0
    days_total: int = 0  # Σ (paid_on − acceptance date) in days, over the paid claims with an acceptance
    days_counted: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.claims_paid:
            return None
        return (Decimal(100 * self.on_time) / self.claims_paid).quantize(TENTH, ROUND_HALF_UP)

    @property
    def avg_days_to_pay(self) -> Decimal | None:
        if not self.days_counted:
            return None
        return (Decimal(self.days_total) / self.days_counted).quantize(TENTH, ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Decimal | int | None]:
        return {code: getattr(self, code) for code in CODES}


def yoy_change(current, previous) -> Decimal | None:
    """同比: the percentage change from ``previous`` to ``current``, one decimal; None without a base."""
    if current is None or previous is None or not previous:
        return None
    return (Decimal(100) * (Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(TENTH, ROUND_HALF_UP)


def _in_months(field_name: str, months: list[date]) -> Q:
    q = Q()
    for start in months:
        q |= Q(**{f"{field_name}__gte": start, f"{field_name}__lt": next_month(start)})
    return q


def _tallies(policies: QuerySet, claims: QuerySet, *, width: int | None, months: list[date]) -> dict[tuple, Tally]:
    """``{(area path, first day of month): Tally}``: one grouped query per source.

    The area is the county the row was paid in (``width=None``), or the prefix of ``width`` of the scope path.
    """
    tallies: dict[tuple, Tally] = {}
    cover_area = F("batch__counted_in_county__path") if width is None else Substr("org_path", 1, width)
    claim_area = F("counted_in_county__path") if width is None else Substr("org_path", 1, width)

    def tally(prefix: str, month) -> Tally:
        return tallies.setdefault((prefix, month), Tally())

    covers = (
        policies.filter(batch__status=EnrolmentBatch.Status.PAID)
        .filter(_in_months("batch__paid_on", months))
        .annotate(prefix=cover_area, month=TruncMonth("batch__paid_on", output_field=DateField()))
        .values("prefix", "month")
        .annotate(n=Count("pk"), premiums=Sum("premium"))
        .order_by()
    )
    for row in covers:
        t = tally(row["prefix"], row["month"])
        t.enrolments, t.premiums = row["n"], row["premiums"] or ZERO

    days = ExpressionWrapper(F("paid_on") - TruncDate("accepted_at"), output_field=DurationField())
    paid = (
        claims.filter(status=Claim.Status.PAID)
        .filter(_in_months("paid_on", months))
        .annotate(prefix=claim_area, month=TruncMonth("paid_on", output_field=DateField()))
        .values("prefix", "month")
        .annotate(
            n=Count("pk"),
            amount=Sum("benefit"),
            on_time=Count("pk", filter=Q(due_on__isnull=False, paid_on__lte=F("due_on"))),
            days=Sum(days, filter=Q(accepted_at__isnull=False)),
            days_n=Count("pk", filter=Q(accepted_at__isnull=False)),
        )
        .order_by()
    )
    for row in paid:
        t = tally(row["prefix"], row["month"])
        t.claims_paid, t.amount_paid, t.on_time = row["n"], row["amount"] or ZERO, row["on_time"]
        t.days_total, t.days_counted = _whole_days(row["days"]), row["days_n"]
    return tallies


def _whole_days(total: timedelta | int | None) -> int:
    if total is None:
        return 0
    if isinstance(total, timedelta):
        return round(total.total_seconds() / 86400)
    return int(total)  # a backend that answers date differences in days


def county_month_figures(county: Organisation, year: int, month: int) -> dict[str, Decimal | int | None]:
    """The figures of one county (any node, in fact: its whole subtree) for one month, unscoped.

    For the reporting app, which calls it for the county a report belongs to; year on year is the same call
    a year earlier, compared with ``yoy_change``.
    """
    start = date(year, month, 1)
    if county.depth == COUNTY_DEPTH:  # what was paid in the county, wherever its unions are now
        policies = Policy.objects.filter(batch__counted_in_county=county)
        claims = Claim.objects.filter(counted_in_county=county)
        tallies = _tallies(policies, claims, width=None, months=[start])
    else:
        policies = Policy.objects.filter(org_path__startswith=county.path)
        claims = Claim.objects.filter(org_path__startswith=county.path)
        tallies = _tallies(policies, claims, width=len(county.path), months=[start])
    return tallies.get((county.path, start), Tally()).as_dict()


def county_month_tallies(month: date) -> dict[str, Tally]:
    """Unscoped, for the monthly report: ``{county path: Tally}`` for one month, every county at once.

    The same two grouped queries as the figures page (covers, paid claims), plus ``claims_accepted``.
    """
    start = month_start(month)
    tallies = _tallies(Policy.objects.all(), Claim.objects.all(), width=None, months=[start])
    return {prefix: tally for (prefix, _month), tally in tallies.items()}


def claims_accepted_by_county(month: date) -> dict[str, int]:
    """理赔受理人次: ``{county path: claims whose file was completed (accepted_at) in the month}``.

    The month's bounds are midnights in the portal's time zone; a claim returned for materials and accepted
    again counts in the month of its latest acceptance (``accepted_at`` is reset on re-acceptance). Grouped by
    the county of the scope path: acceptance records no county of its own, so after a union moves its accepted
    claims of past months count in its new county (an approved report keeps the figures it was approved with).
    """
    start = month_start(month)
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(next_month(start), time.min, tzinfo=zone)
    rows = (
        Claim.objects.filter(accepted_at__gte=since, accepted_at__lt=until)
        .annotate(prefix=Substr("org_path", 1, COUNTY_WIDTH))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["prefix"]: row["n"] for row in rows}


@dataclass
class AreaRow:
    organisation: Organisation | None  # None for the total
    current: Tally
    previous: Tally  # the same month a year earlier

    @property
    def figures(self) -> dict:
        return self.current.as_dict()

    @property
    def previous_figures(self) -> dict:
        return self.previous.as_dict()

    @property
    def changes(self) -> dict:
        """同比 for every figure, in per cent of the year-earlier value (DOMAIN.md §7 asks it of each)."""
        now, then = self.figures, self.previous_figures
        return {code: yoy_change(now[code], then[code]) for code in CODES}


@dataclass
class MonthFigures:
    month: date
    rows: list[AreaRow]
    total: AreaRow
    series: list[tuple[date, Decimal]] = field(default_factory=list)


def counties_for(user) -> list[Organisation]:
    """The counties whose figures ``user`` may see some of: all of them for the city, their own below it."""
    path = user_scope_path(user)
    if path is None:
        return []
    counties = Organisation.objects.filter(depth=2).order_by("path")
    if len(path) >= COUNTY_WIDTH:
        return list(counties.filter(path=county_path(path)))
    return list(counties.filter(path__startswith=path))


def scoped_month_figures(user, *, year: int, month: int) -> MonthFigures:
    """Every county in the user's scope for one month, with the same month a year earlier and a total.

    Only rows in the user's subtree are counted: a union officer's county row holds that union's figures.
    Two grouped queries (covers, claims) for all counties and both months, one for the chart, one for counties.
    """
    start = date(year, month, 1)
    earlier = year_before(start)
    path = user_scope_path(user)
    if path is not None and len(path) <= COUNTY_WIDTH:
        # The city and the counties: what was paid in their counties, by the county it was paid in.
        policies = Policy.objects.filter(batch__counted_in_county__path__startswith=path)
        claims = Claim.objects.filter(counted_in_county__path__startswith=path)
        width = None
    else:
        # Below a county: the user's own rows (the scope), under the county they are in now.
        policies = scope_queryset(Policy.objects.all(), user)
        claims = scope_queryset(Claim.objects.all(), user)
        width = COUNTY_WIDTH
    tallies = _tallies(policies, claims, width=width, months=[start, earlier])
    rows = [
        AreaRow(county, tallies.get((county.path, start), Tally()), tallies.get((county.path, earlier), Tally()))
        for county in counties_for(user)
    ]
    total = AreaRow(None, sum((r.current for r in rows), Tally()), sum((r.previous for r in rows), Tally()))
    return MonthFigures(month=start, rows=rows, total=total, series=amounts_paid_series(claims, until=start))


def amounts_paid_series(claims: QuerySet, *, until: date, months: int = 24) -> list[tuple[date, Decimal]]:
    """理赔金额 per month for the ``months`` months ending with ``until``'s month (zero where nothing was paid)."""
    first = add_months(until, 1 - months)
    amounts = dict(
        claims.filter(status=Claim.Status.PAID, paid_on__gte=first, paid_on__lt=next_month(until))
        .annotate(month=TruncMonth("paid_on", output_field=DateField()))
        .values("month")
        .annotate(amount=Sum("benefit"))
        .order_by()
        .values_list("month", "amount")
    )
    series, month = [], first
    for _ in range(months):
        series.append((month, amounts.get(month) or ZERO))
        month = next_month(month)
    return series
