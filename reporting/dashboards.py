"""Dashboards of the approved monthly figures: the city (every county) and one county.

A chart is plain data (``{"id", "title", "type", "unit", "labels", "datasets": [{"label", "values"}]}``,
values as text or None). The same dict draws the Chart.js canvas, fills the table beside it (for screen
readers and for anyone who wants the numbers) and makes the CSV download, so the three cannot disagree.
Reads: the counties, the year's rule, the targets and one ``approved_series``, whatever the number of counties.
"""

import io
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from unionportal.core.months import add_months, month_start, months_until
from unionportal.core.sheets import csv_writer
from unionportal.org.models import Organisation

from .bulletin.data import counties, is_summable, targets_for_year, year_to_date
from .models import Catalogue, Indicator, RankingRule
from .selectors import approved_series
from .values import PLACES, display

MONTHS = 24


def key_indicators(year: int) -> list[Indicator]:
    """The indicators the dashboards chart: those whose growth the ranking rule in force counts and the 先进 one
    (the defaults before any rule exists); when none is configured, the summable indicators of the year's
    catalogue. A read: it creates no rule, whatever month a visitor asks for."""
    from .ranking.services import DEFAULT_ELIGIBILITY_CODE, DEFAULT_GROWTH_CODES

    rule = RankingRule.objects.filter(year__lte=year).order_by("-year").select_related("eligibility_indicator").first()
    if rule is None:
        found = Indicator.objects.filter(code__in=[*DEFAULT_GROWTH_CODES, DEFAULT_ELIGIBILITY_CODE])
        chosen = {i.pk: i for i in found}
    else:
        chosen = {i.pk: i for i in rule.growth_indicators.all()}
        if rule.eligibility_indicator_id:
            chosen.setdefault(rule.eligibility_indicator_id, rule.eligibility_indicator)
    if not chosen:
        catalogue = Catalogue.objects.filter(year=year).first()
        entries = catalogue.entries.select_related("indicator") if catalogue else []
        chosen = {e.indicator_id: e.indicator for e in entries if is_summable(e.indicator)}
    return sorted(chosen.values(), key=lambda i: i.code)


def _calendar(until: date, months: int) -> list[date]:
    return months_until(until, months)


def _text(value, kind) -> str | None:
    return None if value is None else display(Decimal(value).quantize(PLACES[kind]), kind)


def _sum(values) -> Decimal | None:
    present = [Decimal(v) for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _ytd(points, year: int, until: date) -> Decimal | None:
    """Year to date, or None when no month of the period is approved (nothing to show, not zero)."""
    if not any(v is not None and m.year == year and m <= until for m, v in points):
        return None
    return year_to_date(points, year, until)


def city_dashboard(until: date) -> list[dict]:
    """Per key indicator: the city total over 24 months, and each county's year to date against last year's and
    its annual target."""
    until = month_start(until)
    indicators = key_indicators(until.year)
    span = max(MONTHS, until.month + 12)
    series = approved_series(until=until, months=span, codes=[i.code for i in indicators])
    targets = targets_for_year(until.year)
    calendar = _calendar(until, MONTHS)
    county_list = counties()
    charts = []
    for indicator in indicators:
        code, kind = indicator.code, indicator.value_kind
        by_county = {cid: per_code[code] for cid, per_code in series.items() if code in per_code}
        monthly = [_sum(points[span - MONTHS + n][1] for points in by_county.values()) for n in range(MONTHS)]
        charts.append({
            "id": f"trend-{code}", "title": _("%(indicator)s: city total by month") % {"indicator": indicator.name},
            "type": "line", "unit": indicator.get_unit_display(), "label_heading": _("Month"),
            "labels": [f"{m:%Y-%m}" for m in calendar],
            "datasets": [{"label": _("City total"), "values": [_text(v, kind) for v in monthly]}],
        })  # fmt: skip
        ytd, before, target = [], [], []
        for county in county_list:
            points = by_county.get(county.pk, [])
            ytd.append(_text(_ytd(points, until.year, until), kind))
            before.append(_text(_ytd(points, until.year - 1, add_months(until, -12)), kind))
            target.append(_text(targets.get(county.pk, {}).get(code), kind))
        charts.append({
            "id": f"counties-{code}",
            "title": _("%(indicator)s: year to date by county") % {"indicator": indicator.name},
            "type": "bar", "unit": indicator.get_unit_display(), "label_heading": _("County"),
            "labels": [c.name for c in county_list],
            "datasets": [
                {"label": _("Year to date %(year)s") % {"year": until.year}, "values": ytd},
                {"label": _("Same period %(year)s") % {"year": until.year - 1}, "values": before},
                {"label": _("Annual target %(year)s") % {"year": until.year}, "values": target},
            ],
        })  # fmt: skip
    return charts


def county_dashboard(county: Organisation, until: date) -> list[dict]:
    """Per key indicator: the county's figures over 24 months, with the same months a year earlier."""
    until = month_start(until)
    indicators = key_indicators(until.year)
    span = MONTHS + 12
    series = approved_series(county.pk, until=until, months=span, codes=[i.code for i in indicators])
    per_code = series.get(county.pk, {})
    target = targets_for_year(until.year).get(county.pk, {})
    calendar = _calendar(until, MONTHS)
    charts = []
    for indicator in indicators:
        code, kind = indicator.code, indicator.value_kind
        points = per_code.get(code, [(None, None)] * span)
        charts.append({
            "id": f"trend-{code}",
            "title": _("%(indicator)s: %(county)s by month") % {"indicator": indicator.name, "county": county.name},
            "type": "line", "unit": indicator.get_unit_display(), "label_heading": _("Month"),
            "labels": [f"{m:%Y-%m}" for m in calendar],
            "datasets": [
                {"label": county.name, "values": [_text(v, kind) for _m, v in points[12:]]},
                {"label": _("A year earlier"), "values": [_text(v, kind) for _m, v in points[:MONTHS]]},
            ],
            "summary": {
                "ytd": _text(_ytd([p for p in points if p[0]], until.year, until), kind),
                "target": _text(target.get(code), kind),
            },
        })  # fmt: skip
    return charts


def chart_rows(chart: dict) -> list[list[str]]:
    """The chart as a table: a heading row, then one row per label (an empty cell where there is no figure)."""
    rows = [[chart.get("label_heading", ""), *[d["label"] for d in chart["datasets"]]]]
    for n, label in enumerate(chart["labels"]):
        rows.append([label, *[d["values"][n] or "" for d in chart["datasets"]]])
    return rows


def chart_csv(chart: dict) -> str:
    """The chart's numbers as CSV, with a byte-order mark so that Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    csv_writer(out).writerows(chart_rows(chart))
    return out.getvalue()
