"""Reads on the monthly figures.

Scoped reads (``reports_for_month``, ``access_report``) are what pages and the API show a user. The unscoped
ones (``approved_values``, ``approved_series``, ``filing_status``) are the interface for the city-wide ranking,
bulletin and dashboards: they read only **approved** revisions (the month's figures of record), and a caller
that shows them to a county user narrows them to that county itself.
"""

from datetime import date

from django.db.models import F, Prefetch, QuerySet

from unionportal.core.months import month_start, months_until
from unionportal.org.models import Organisation
from unionportal.org.scope import access, scope_queryset

from .models import MonthlyReport, ReportEvent, ReportLine, ReportRevision
from .values import native


def reports_for_month(user, month: date) -> QuerySet[MonthlyReport]:
    """The month's reports the user may see, with their county and current revision (no query per row)."""
    return (
        scope_queryset(MonthlyReport.objects.filter(month=month_start(month)), user)
        .select_related("county", "current_revision", "approved_revision")
        .order_by("org_path")
    )


def report_months(user, *, limit: int = 24) -> list[date]:
    """The months that have reports in the user's scope, latest first."""
    months = scope_queryset(MonthlyReport.objects.all(), user).values_list("month", flat=True).distinct()
    return list(months.order_by("-month")[:limit])


def access_county(user, code: str) -> Organisation:
    """A county federation in the user's scope, by its code (the dashboards' way in), or 404."""
    return access(Organisation.objects.filter(kind=Organisation.Kind.COUNTY), user, code=code)


def access_report(user, pk: int) -> MonthlyReport:
    """One report in the user's scope, or 404."""
    return access(MonthlyReport.objects.select_related("county", "current_revision", "approved_revision"), user, pk=pk)


def access_report_of_month(user, *, county_code: str, month: date) -> MonthlyReport:
    """A county's report for a month, by the county's code (the API's way in); 404 outside the scope."""
    return access(
        MonthlyReport.objects.select_related("county", "current_revision"),
        user,
        county__code=county_code,
        month=month_start(month),
    )


def revisions_with_lines(report: MonthlyReport) -> list[ReportRevision]:
    """Every revision of the report, oldest first, with its lines and who moved it (three queries)."""
    return list(
        report.revisions.select_related("submitted_by", "decided_by", "created_by").prefetch_related(
            Prefetch("lines", queryset=ReportLine.objects.order_by("position", "pk"))
        )
    )


def report_events(report: MonthlyReport) -> list[ReportEvent]:
    return list(report.events.select_related("actor", "revision"))


# --- For the ranking, the bulletin and the dashboards (unscoped, approved figures only) ------------


def approved_values(month: date) -> dict[int, dict[str, int | object]]:
    """``{county id: {indicator code: value}}`` of the month's approved revisions (the latest approved one
    of each county, corrections included). Counties without an approved report are absent. Whole numbers
    are ``int``, money and decimals ``Decimal``; a figure with no value (e.g. an average of nothing) is
    ``None``. One query."""
    lines = ReportLine.objects.filter(
        revision__report__month=month_start(month), revision__report__approved_revision=F("revision")
    ).values_list("revision__report__county_id", "code", "value", "value_kind")
    result: dict[int, dict] = {}
    for county_id, code, value, kind in lines:
        result.setdefault(county_id, {})[code] = native(value, kind)
    return result


def approved_series(
    county_id: int | None = None, *, until: date, months: int = 24, codes=None
) -> dict[int, dict[str, list[tuple[date, object]]]]:
    """Approved figures over ``months`` months ending with ``until``'s month, per county and indicator:
    ``{county id: {code: [(month, value or None), …]}}``, every month present (None where nothing is approved).
    ``county_id`` narrows to one county; ``codes`` to some indicators. One query."""
    calendar = months_until(until, months)
    lines = ReportLine.objects.filter(
        revision__report__month__gte=calendar[0],
        revision__report__month__lte=calendar[-1],
        revision__report__approved_revision=F("revision"),
    )
    if county_id is not None:
        lines = lines.filter(revision__report__county_id=county_id)
    if codes is not None:
        lines = lines.filter(code__in=list(codes))
    found: dict[int, dict[str, dict[date, object]]] = {}
    for cid, month, code, value, kind in lines.values_list(
        "revision__report__county_id", "revision__report__month", "code", "value", "value_kind"
    ):
        found.setdefault(cid, {}).setdefault(code, {})[month] = native(value, kind)
    return {
        cid: {code: [(m, by_month.get(m)) for m in calendar] for code, by_month in per_code.items()}
        for cid, per_code in found.items()
    }


def filing_status(month: date) -> list[dict]:
    """Every county's filing for the month, for the bulletin's late list and the dashboards:
    ``[{county_id, county, status, is_late, first_submitted_at, approved}]`` ordered by county path."""
    return [
        {
            "county_id": report.county_id,
            "county": report.county.name,
            "status": report.status,
            "is_late": report.is_late,
            "first_submitted_at": report.first_submitted_at,
            "approved": report.approved_revision_id is not None,
        }
        for report in MonthlyReport.objects.filter(month=month_start(month))
        .select_related("county", "current_revision")
        .order_by("org_path")
    ]
