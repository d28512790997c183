"""Reads behind the ranking and the bulletin (通报): the approved figures, targets and filing of every county,
gathered once and handed to the pure ranking (``reporting/ranking.py``).

``bulletin_data(month)`` is the whole bulletin as plain JSON-ready data (numbers as text): the web page, the
PDF and the xlsx all render it, whether it is a live preview or the copy frozen in a published ``Bulletin``.
A handful of queries whatever the number of counties: the counties, the rule, the indicators, the targets,
one ``approved_series`` over this year and the last, one ``filing_status``, the corrections.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.months import add_months, month_start, months_between, previous_month
from unionportal.org.models import Organisation

from ..models import Bulletin, Catalogue, Indicator, ReportRevision, Target
from ..ranking import score as ranking
from ..selectors import approved_series, filing_status
from ..values import PLACES, display

SUMMABLE = (Indicator.ValueKind.WHOLE, Indicator.ValueKind.MONEY)
PERCENT = Decimal("0.1")
POINTS = Decimal("0.01")


def counties() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY, is_active=True).order_by("code"))


def is_summable(indicator: Indicator) -> bool:
    """Whole numbers and amounts add up over months and counties; rates and averages do not."""
    return indicator.value_kind in SUMMABLE and indicator.unit != Indicator.Unit.PERCENT


def rule_of(row) -> ranking.Rule:
    return ranking.Rule(
        weight_progress=row.weight_progress,
        weight_growth=row.weight_growth,
        weight_on_time=row.weight_on_time,
        ratio_cap=row.ratio_cap,
        growth_codes=tuple(sorted(i.code for i in row.growth_indicators.all())),
        eligibility_code=row.eligibility_indicator.code if row.eligibility_indicator_id else None,
    )


def targets_for_year(year: int) -> dict[int, dict[str, Decimal]]:
    """``{county id: {indicator code: annual target}}``. One query."""
    result: dict[int, dict[str, Decimal]] = {}
    for county_id, code, value in Target.objects.filter(year=year).values_list("county_id", "indicator__code", "value"):
        result.setdefault(county_id, {})[code] = value
    return result


def year_to_date(points: list[tuple[date, object]], year: int, until: date) -> Decimal:
    """The sum of a series' approved values from January of ``year`` to ``until`` (None counts as nothing)."""
    return sum(
        (Decimal(value) for month, value in points if value is not None and month.year == year and month <= until),
        Decimal(0),
    )


def change(now, before) -> Decimal | None:
    """Percentage change, one decimal; None when there is nothing to compare with."""
    if now is None or before is None or before == 0:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def _text(value, places=POINTS) -> str | None:
    return None if value is None else str(Decimal(value).quantize(places, rounding=ROUND_HALF_UP))


def _figure(value, kind) -> str | None:
    return None if value is None else display(Decimal(value).quantize(PLACES[kind]), kind)


class Inputs:
    """Everything the ranking and the bulletin read for a month, fetched once."""

    def __init__(self, month: date):
        from ..ranking.services import ranking_rule_for_year

        self.month = month = month_start(month)
        self.counties = counties()
        self.rule_row = ranking_rule_for_year(month.year)
        self.rule = rule_of(self.rule_row)
        self.targets = targets_for_year(month.year)
        self.series = approved_series(until=month, months=month.month + 12)
        self.filing = {row["county_id"]: row for row in filing_status(month)}
        codes = {code for per_county in self.targets.values() for code in per_county} | set(self.rule.growth_codes)
        catalogue = Catalogue.objects.filter(year=month.year).first()
        in_catalogue = list(catalogue.entries.values_list("indicator_id", flat=True)) if catalogue else []
        self.indicators = {
            i.code: i for i in Indicator.objects.filter(pk__in=in_catalogue) | Indicator.objects.filter(code__in=codes)
        }
        order = {pk: n for n, pk in enumerate(in_catalogue)}
        self.summable = sorted(
            (i for i in self.indicators.values() if is_summable(i) and i.pk in order), key=lambda i: order[i.pk]
        )

    def name(self, code: str) -> str:
        indicator = self.indicators.get(code)
        return indicator.name if indicator else code

    def county_figures(self) -> list[ranking.CountyFigures]:
        month, year = self.month, self.month.year
        last_year_month = add_months(month, -12)
        result = []
        for county in self.counties:
            per_code = self.series.get(county.pk, {})
            filing = self.filing.get(county.pk)
            result.append(
                ranking.CountyFigures(
                    county_id=county.pk, code=county.code, name=county.name,
                    ytd={code: year_to_date(points, year, month) for code, points in per_code.items()},
                    ytd_before={code: year_to_date(points, year - 1, last_year_month)
                                for code, points in per_code.items()},
                    targets=self.targets.get(county.pk, {}),
                    on_time=bool(filing and filing["first_submitted_at"] and not filing["is_late"]),
                    approved=bool(filing and filing["approved"]),
                )
            )  # fmt: skip
        return result

    def standings(self) -> list[ranking.Standing]:
        return ranking.rank_counties(self.county_figures(), self.rule, self.month)

    def city_total(self, code: str, month: date):
        """The sum over the counties with an approved figure that month; None when none has one."""
        index = self._index(month)
        if index is None:
            return None
        values = [
            points[index][1]
            for per_code in self.series.values()
            if (points := per_code.get(code)) and points[index][1] is not None
        ]
        return sum((Decimal(v) for v in values), Decimal(0)) if values else None

    def _index(self, month: date) -> int | None:
        """Where ``month`` sits in the series (January of last year … this month)."""
        back = months_between(month, self.month)
        index = self.month.month + 11 - back
        return index if 0 <= index <= self.month.month + 11 else None


def ranking_rows(inputs: Inputs, standings: list[ranking.Standing]) -> list[dict]:
    rows = []
    for s in standings:
        rows.append({
            "rank": s.rank, "county": s.name, "code": s.code, "score": _text(s.score),
            "progress": _text(s.progress), "growth": _text(s.growth), "on_time": _text(s.on_time),
            "filed_on_time": s.on_time > 0, "approved": s.approved, "tied_with": s.tied_with,
            "eligible": s.eligible, "completion": _text(None if s.completion is None else s.completion * 100, PERCENT),
            "progress_parts": [
                {"code": p.code, "name": inputs.name(p.code), "value": _text(p.value), "target": _text(p.base),
                 "completion": _text(p.value * 100 / p.base, PERCENT), "points": _text(p.points)}
                for p in s.progress_parts
            ],
            "growth_parts": [
                {"code": p.code, "name": inputs.name(p.code), "value": _text(p.value), "base": _text(p.base),
                 "change": _text(None if p.ratio is None else (p.ratio - 1) * 100, PERCENT), "points": _text(p.points)}
                for p in s.growth_parts
            ],
        })  # fmt: skip
    return rows


def totals_rows(inputs: Inputs) -> list[dict]:
    month, year = inputs.month, inputs.month.year
    rows = []
    for indicator in inputs.summable:
        code, kind = indicator.code, indicator.value_kind
        now, previous = inputs.city_total(code, month), inputs.city_total(code, previous_month(month))
        before = inputs.city_total(code, add_months(month, -12))
        ytd = sum((year_to_date(c.get(code, []), year, month) for c in inputs.series.values()), Decimal(0))
        ytd_before = sum(
            (year_to_date(c.get(code, []), year - 1, add_months(month, -12)) for c in inputs.series.values()),
            Decimal(0),
        )
        rows.append({
            "code": code, "name": indicator.name, "unit": indicator.get_unit_display(), "kind": kind,
            "value": _figure(now, kind), "previous": _figure(previous, kind),
            "mom": _text(change(now, previous), PERCENT),
            "year_before": _figure(before, kind), "yoy": _text(change(now, before), PERCENT),
            "ytd": _figure(ytd, kind), "ytd_before": _figure(ytd_before, kind),
            "ytd_yoy": _text(change(ytd, ytd_before), PERCENT),
        })  # fmt: skip
    return rows


def late_rows(inputs: Inputs) -> list[dict]:
    rows = []
    for county in inputs.counties:
        filing = inputs.filing.get(county.pk)
        submitted = filing["first_submitted_at"] if filing else None
        if filing and submitted and not filing["is_late"]:
            continue
        rows.append({
            "county": county.name,
            "submitted_at": timezone.localtime(submitted).date().isoformat() if submitted else None,
            "status": str(ReportRevision.Status(filing["status"]).label) if filing else _("No report"),
            "approved": bool(filing and filing["approved"]),
        })  # fmt: skip
    return rows


def corrections_since(previous: Bulletin | None) -> list[dict]:
    """Corrections approved since the previous bulletin to months it had already published: they change the
    figures of record, and this bulletin says so (the published one stays as it was)."""
    if previous is None:
        return []
    revisions = (
        ReportRevision.objects.filter(
            number__gt=1,
            status=ReportRevision.Status.APPROVED,
            decided_at__gt=previous.published_at,
            report__month__lte=previous.month,
        )
        .select_related("report__county")
        .order_by("report__month", "report__org_path")
    )
    return [
        {"county": r.report.county.name, "month": f"{r.report.month:%Y-%m}", "revision": r.number, "reason": r.reason}
        for r in revisions
    ]


def bulletin_charts(inputs: Inputs, standings: list[ranking.Standing]) -> list[dict]:
    rule = inputs.rule
    total = rule.weight_progress + rule.weight_growth + rule.weight_on_time
    by_code = sorted(standings, key=lambda s: s.code)
    labels = [s.name for s in by_code]
    scores = {
        "id": "scores",
        "title": _("Score by county and part"),
        "type": "bar",
        "stacked": True,
        "unit": _("points"),
        "labels": labels,
        "datasets": [
            {"label": label, "values": [_text(weight * getattr(s, part) / total) for s in by_code]}
            for label, weight, part in (
                (_("Progress against target"), rule.weight_progress, "progress"),
                (_("Year-on-year growth"), rule.weight_growth, "growth"),
                (_("On-time filing"), rule.weight_on_time, "on_time"),
            )
        ],
    }
    targeted = sorted({p.code for s in standings for p in s.progress_parts})
    completion = {
        "id": "completion",
        "title": _("Year-to-date completion of the annual targets"),
        "type": "bar",
        "stacked": False,
        "unit": "%",
        "labels": labels,
        "datasets": [
            {
                "label": inputs.name(code),
                "values": [
                    next((_text(p.value * 100 / p.base, PERCENT) for p in s.progress_parts if p.code == code), None)
                    for s in by_code
                ],
            }
            for code in targeted
        ]
        + [
            {
                "label": _("Share of the year elapsed"),
                "type": "line",
                "values": [_text(ranking.elapsed_share(inputs.month) * 100, PERCENT)] * len(by_code),
            }
        ],
    }
    return [scores, completion]


def bulletin_data(month: date) -> dict:
    """The bulletin of ``month`` as it stands now, from approved figures only (JSON-ready)."""
    inputs = Inputs(month)
    month = inputs.month
    standings = inputs.standings()
    previous = Bulletin.objects.filter(month__lt=month).order_by("-month").first()
    rule = inputs.rule
    approved = [c for c in inputs.counties if inputs.filing.get(c.pk, {}).get("approved")]
    return {
        "version": 1,
        "month": f"{month:%Y-%m}",
        "elapsed": _text(ranking.elapsed_share(month) * 100, PERCENT),
        "counties": len(inputs.counties),
        "approved": len(approved),
        "complete": bool(inputs.counties) and len(approved) == len(inputs.counties),
        "rule": {
            "weight_progress": _text(rule.weight_progress),
            "weight_growth": _text(rule.weight_growth),
            "weight_on_time": _text(rule.weight_on_time),
            "ratio_cap": _text(rule.ratio_cap),
            "growth": [inputs.name(code) for code in rule.growth_codes],
            "eligibility": inputs.name(rule.eligibility_code) if rule.eligibility_code else None,
        },
        "totals": totals_rows(inputs),
        "ranking": ranking_rows(inputs, standings),
        "ties": [
            {"rank": group[0].rank, "score": _text(group[0].score), "counties": [s.name for s in group]}
            for group in ranking.tie_groups(standings)
        ],
        "late": late_rows(inputs),
        "not_approved": [c.name for c in inputs.counties if c not in approved],
        "corrections": corrections_since(previous),
        "previous": f"{previous.month:%Y-%m}" if previous else None,
        "charts": bulletin_charts(inputs, standings),
    }
