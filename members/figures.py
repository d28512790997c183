"""Membership figures per county and for the city: the numbers county federations report each month.

Every figure is one grouped query over the scoped rows, grouped by the county part of the tree path, so the
page costs the same few queries at 1,000 or 1,000,000 members.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth

from unionportal.core.months import add_months, month_bounds
from unionportal.org.models import Organisation
from unionportal.org.paths import county_path_length
from unionportal.org.scope import scope_queryset

from .models import Member

ENDED = [Member.Status.LEFT, Member.Status.DECEASED, Member.Status.TRANSFERRED_OUT]


@dataclass
class AreaFigures:
    organisation: Organisation
    unions: int = 0
    members: int = 0
    migrant: int = 0
    new_form: int = 0
    joined: int = 0
    left: int = 0
    employees: int = 0  # employees of the unions whose employee count is known
    members_with_employees: int = 0  # active members of those same unions

    @property
    def membership_rate(self) -> float | None:
        """入会率: members over employees, counting only unions that reported their employees."""
        return round(100 * self.members_with_employees / self.employees, 1) if self.employees else None


@dataclass
class Figures:
    month: date
    areas: list[AreaFigures]
    total: AreaFigures
    series: list[tuple[date, int]] = field(default_factory=list)


COUNTY_WIDTH = county_path_length()


def county_ids_by_path() -> dict[str, int]:
    """``{county path: county id}`` for the county federations, to key figures grouped by path prefix."""
    return dict(Organisation.objects.filter(kind=Organisation.Kind.COUNTY).values_list("path", "pk"))


def county_month_counts(month: date) -> dict[str, dict[str, int]]:
    """Unscoped, for the monthly report: ``{county path: {figure: n}}`` for one calendar month, all counties.

    ``joined`` (新增会员, by ``joined_on``), ``joined_migrant`` and ``joined_new_form`` (of which 农民工 and
    新就业形态, as the member is recorded now) from one grouped query on members; ``unions_new`` (新建工会):
    grassroots unions founded in the month (``founded_on``, else the day the node was created) from one
    grouped query on the tree.
    """
    start, end = month_bounds(month)
    counts: dict[str, dict[str, int]] = {}
    joined = (
        Member.objects.filter(joined_on__gte=start, joined_on__lt=end)
        .annotate(prefix=Substr("org_path", 1, COUNTY_WIDTH))
        .values("prefix")
        .annotate(
            joined=Count("pk"),
            joined_migrant=Count("pk", filter=Q(is_migrant_worker=True)),
            joined_new_form=Count("pk", filter=Q(employment=Member.Employment.NEW_FORM)),
        )
        .order_by()
    )
    for row in joined:
        counts.setdefault(row.pop("prefix"), {}).update(row)
    founded = Coalesce("founded_on", TruncDate("created_at"))
    unions = (
        Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS)
        .annotate(founded=founded)
        .filter(founded__gte=start, founded__lt=end)
        .annotate(prefix=Substr("path", 1, COUNTY_WIDTH))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in unions:
        counts.setdefault(row["prefix"], {})["unions_new"] = row["n"]
    return counts


def membership_figures(user, *, area: Organisation, month: date) -> Figures:
    """Figures for each node directly under ``area`` (the counties, for the city) and their total."""
    children = list(scope_queryset(Organisation.objects.get_children(area), user).exclude(kind=Organisation.Kind.GROUP))
    width = len(area.path) + Organisation.steplen
    by_prefix = {child.path: AreaFigures(child) for child in children}
    start, end = month_bounds(month)

    members = scope_queryset(Member.objects.filter(org_path__startswith=area.path), user)
    active = Q(status__in=[Member.Status.ACTIVE, Member.Status.RETIRED])
    rows = (
        members.annotate(prefix=Substr("org_path", 1, width))
        .values("prefix")
        .annotate(
            members=Count("pk", filter=active),
            migrant=Count("pk", filter=active & Q(is_migrant_worker=True)),
            new_form=Count("pk", filter=active & Q(employment=Member.Employment.NEW_FORM)),
            joined=Count("pk", filter=Q(joined_on__gte=start, joined_on__lt=end)),
            left=Count("pk", filter=Q(status__in=ENDED, status_changed_on__gte=start, status_changed_on__lt=end)),
            with_employees=Count("pk", filter=active & Q(organisation__employee_count__isnull=False)),
        )
        .order_by()
    )
    for row in rows:
        if figures := by_prefix.get(row["prefix"]):
            figures.members, figures.migrant, figures.new_form = row["members"], row["migrant"], row["new_form"]
            figures.joined, figures.left = row["joined"], row["left"]
            figures.members_with_employees = row["with_employees"]

    unions = (
        scope_queryset(Organisation.objects.filter(path__startswith=area.path), user)
        .filter(kind=Organisation.Kind.GRASSROOTS, is_active=True)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"), employees=Sum("employee_count"))
        .order_by()
    )
    for row in unions:
        if figures := by_prefix.get(row["prefix"]):
            figures.unions, figures.employees = row["n"], row["employees"] or 0

    areas = list(by_prefix.values())
    total = AreaFigures(area)
    for name in ("unions", "members", "migrant", "new_form", "joined", "left", "employees", "members_with_employees"):
        setattr(total, name, sum(getattr(a, name) for a in areas))
    return Figures(month=start, areas=areas, total=total, series=members_over_time(members, until=start))


def members_over_time(members, *, until: date, months: int = 24) -> list[tuple[date, int]]:
    """Members at the end of each of the last ``months`` months: joins minus endings, accumulated."""
    first = add_months(until, 1 - months)
    joined = dict(
        members.annotate(m=TruncMonth("joined_on")).values("m").annotate(n=Count("pk")).order_by().values_list("m", "n")
    )
    ended = dict(
        members.filter(status__in=ENDED, status_changed_on__isnull=False)
        .annotate(m=TruncMonth("status_changed_on"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("m", "n")
    )
    running = sum(n for m, n in joined.items() if m < first) - sum(n for m, n in ended.items() if m < first)
    series, month = [], first
    while month <= until:
        running += joined.get(month, 0) - ended.get(month, 0)
        series.append((month, running))
        month = month_bounds(month)[1]
    return series
