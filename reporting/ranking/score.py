"""The monthly ranking of the county federations (一评比, DOMAIN.md §7): pure functions, no database.

Selectors (``reporting/bulletin.py``) gather each county's approved figures, targets and filing into
``CountyFigures``; ``rank_counties`` scores and ranks them. Everything is ``Decimal``; the score is rounded
once, in ``round_score``, and ties are decided on the rounded score (what the page shows).

The score of a county for month *m* of year *y* (``e`` = m / 12, the share of the year elapsed)::

    progress  P = mean over the county's targeted indicators of  min(YTD / (target × e), cap) × 100
    growth    G = mean over the rule's growth indicators of      min(YTD / YTD a year before, cap) × 100
    on time   T = 100 if the month's report was first submitted by its due day, else 0
    score       = (wP × P + wG × G + wT × T) / (wP + wG + wT), rounded to 0.01 (half up)

- YTD is the sum of the approved figures from January to *m* (a month not approved counts as nothing).
- 100 progress points = exactly on schedule (the elapsed share of the target reached); 100 growth points =
  level with the same months of the year before (year-to-date against previous year-to-date, so one
  unusual month weighs less than in a single-month comparison). ``cap`` (default 1.5) bounds both ratios.
- No target at all: P = 0. A growth indicator with nothing a year before has no base: it counts as level
  (100). No growth indicator configured: G = 100 for everyone, so growth changes nothing.
- 先进: a county whose year-to-date figure on the eligibility indicator (mutual-aid premiums) is below the
  elapsed share of its annual target (``YTD × 12 < target × m``; in December: below 100 %) cannot be rated
  先进. A county with no target on that indicator is not judged (``eligible`` is None).
- Ranks: equal (rounded) scores share a rank and the next rank is skipped (1, 2, 2, 4). Nothing else breaks
  a tie; tied counties are listed in the order of their codes.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
SCORE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    weight_progress: Decimal
    weight_growth: Decimal
    weight_on_time: Decimal
    ratio_cap: Decimal = Decimal("1.5")
    growth_codes: tuple[str, ...] = ()
    eligibility_code: str | None = None


@dataclass(frozen=True)
class CountyFigures:
    county_id: int
    code: str
    name: str
    ytd: dict[str, Decimal]  # this year, January to the month, approved figures summed
    ytd_before: dict[str, Decimal]  # the same months a year earlier
    targets: dict[str, Decimal]  # annual targets by indicator code
    on_time: bool  # the month's report first submitted by its due day
    approved: bool = True  # the month itself is approved (shown, not scored differently)


@dataclass(frozen=True)
class Part:
    """One indicator's contribution to the progress or the growth part."""

    code: str
    value: Decimal  # year to date
    base: Decimal | None  # the target (progress) or last year's year to date (growth); None: no base
    ratio: Decimal | None  # value / (target × elapsed) or value / base; None without a base
    points: Decimal  # min(ratio, cap) × 100, or 100 without a base (growth)


@dataclass
class Standing:
    county_id: int
    code: str
    name: str
    progress: Decimal
    growth: Decimal
    on_time: Decimal
    score: Decimal  # rounded (round_score)
    progress_parts: list[Part] = field(default_factory=list)
    growth_parts: list[Part] = field(default_factory=list)
    eligible: bool | None = None  # None: no target on the eligibility indicator
    completion: Decimal | None = None  # YTD / annual target of the eligibility indicator
    approved: bool = True
    rank: int = 0
    tied_with: list[str] = field(default_factory=list)  # names of the counties sharing the rank


def elapsed_share(month: date) -> Decimal:
    """The share of the year gone at the end of ``month``: 1/12 in January, 1 in December."""
    return Decimal(month.month) / Decimal(12)


def round_score(value: Decimal) -> Decimal:
    """The one place a score is rounded: two decimals, half up."""
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _mean(values: list[Decimal], *, empty: Decimal) -> Decimal:
    return sum(values, ZERO) / len(values) if values else empty


def progress_parts(figures: CountyFigures, month: date, cap: Decimal) -> list[Part]:
    parts = []
    for code in sorted(figures.targets):
        target, value = figures.targets[code], figures.ytd.get(code, ZERO)
        # value / (target × m/12), written so that it stays exact as long as Decimal allows.
        ratio = value * 12 / (target * month.month)
        parts.append(Part(code, value, target, ratio, min(ratio, cap) * HUNDRED))
    return parts


def growth_parts(figures: CountyFigures, codes: tuple[str, ...], cap: Decimal) -> list[Part]:
    parts = []
    for code in codes:
        value, before = figures.ytd.get(code, ZERO), figures.ytd_before.get(code, ZERO)
        if before > 0:
            ratio = value / before
            parts.append(Part(code, value, before, ratio, min(ratio, cap) * HUNDRED))
        else:  # nothing to compare with: level
            parts.append(Part(code, value, None, None, HUNDRED))
    return parts


def eligibility(figures: CountyFigures, month: date, code: str | None) -> tuple[bool | None, Decimal | None]:
    """``(eligible for 先进, completion)``: behind the elapsed share of the target → not eligible."""
    target = figures.targets.get(code) if code else None
    if not target:
        return None, None
    value = figures.ytd.get(code, ZERO)
    return value * 12 >= target * month.month, value / target


def score(progress: Decimal, growth: Decimal, on_time: Decimal, rule: Rule) -> Decimal:
    total = rule.weight_progress + rule.weight_growth + rule.weight_on_time
    weighted = rule.weight_progress * progress + rule.weight_growth * growth + rule.weight_on_time * on_time
    return round_score(weighted / total)


def assign_ranks(standings: list[Standing]) -> list[Standing]:
    """Order by score (highest first), then county code; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(standings, key=lambda s: (-s.score, s.code))
    for position, standing in enumerate(ordered):
        previous = ordered[position - 1] if position else None
        standing.rank = previous.rank if previous and previous.score == standing.score else position + 1
    for standing in ordered:
        standing.tied_with = [o.name for o in ordered if o.rank == standing.rank and o is not standing]
    return ordered


def rank_counties(counties: list[CountyFigures], rule: Rule, month: date) -> list[Standing]:
    """Score every county for ``month`` under ``rule`` and rank them."""
    standings = []
    for figures in counties:
        progress = progress_parts(figures, month, rule.ratio_cap)
        growth = growth_parts(figures, rule.growth_codes, rule.ratio_cap)
        p = _mean([part.points for part in progress], empty=ZERO)
        g = _mean([part.points for part in growth], empty=HUNDRED)
        t = HUNDRED if figures.on_time else ZERO
        eligible, completion = eligibility(figures, month, rule.eligibility_code)
        standings.append(
            Standing(
                county_id=figures.county_id, code=figures.code, name=figures.name,
                progress=p, growth=g, on_time=t, score=score(p, g, t, rule),
                progress_parts=progress, growth_parts=growth, eligible=eligible, completion=completion,
                approved=figures.approved,
            )
        )  # fmt: skip
    return assign_ranks(standings)


def tie_groups(standings: list[Standing]) -> list[list[Standing]]:
    """The groups of two or more counties sharing a rank, in rank order."""
    groups: dict[int, list[Standing]] = {}
    for standing in standings:
        groups.setdefault(standing.rank, []).append(standing)
    return [group for _rank, group in sorted(groups.items()) if len(group) > 1]
