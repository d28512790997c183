"""The mutual-aid benefit calculation: pure functions over ``Decimal``, no models, no database.

One function, :func:`calculate`, turns a plan's terms, the figures of one stay's 医保结算单 and the member's
position in the cover period into a :class:`Breakdown`: the lines by segment, the deductible applied, the raw
total, which limit bit, the remaining period cap before and after, and the final benefit. The claim services
(when a claim is assessed) and the 试算 (estimate) page at the counter both call it, so the member sees at the
counter exactly the breakdown the assessor will see.

The medical formula (DOMAIN.md §4)::

    self_paid = total_cost - fund_paid - serious_illness_paid - self_funded
    raw       = shares × Σ rate_i × (the part of (self_paid - deductible) that falls in segment i)
    benefit   = min(raw, self_paid, per-stay cap × shares, remaining period cap)

Shares and caps: a plan states its caps *per share* ("per-period cap per share"), because a member who buys
two shares buys twice the cover. The effective caps are therefore cap × shares. The deductible and the segment
boundaries are not multiplied: they are amounts of the member's own bill, which does not grow with shares.

Money is exact until one place, :func:`_to_cents`, which rounds the final benefit to 0.01 with ROUND_HALF_UP.
Every amount going in (settlement figures, caps, fixed sums, daily rates, ``period_used``) must already be in
whole cents, so every limit lies on the cent grid and rounding the minimum can never push the benefit above a
cap or above self-paid. Rates may have any number of places. Intermediate values (line amounts, ``raw_total``)
are exact; a page that shows them to two places is rounding for display only.

Errors are :class:`BenefitError` (a ``ValueError``) with a stable ``code`` for logic and tests, and a
``message`` marked for translation for people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")
CENT = Decimal("0.01")


class BenefitError(ValueError):
    """Refused input. ``code`` is stable (tests, logs, form errors); ``message`` is translated for people."""

    def __init__(self, code, message, **params):
        self.code = code
        self.message = message
        self.params = params
        super().__init__(code)

    def __str__(self):
        return f"{self.code}: {self.message % self.params if self.params else self.message}"


class SettlementError(BenefitError):
    """The figures of a 医保结算单 do not add up."""


class PlanTermsError(BenefitError):
    """A plan's terms cannot be calculated with (a programming or configuration error, not a member's)."""


class ClaimInputError(BenefitError):
    """Shares, days or the period position passed to :func:`calculate` are impossible."""


class PlanKind(enum.StrEnum):
    """The values are those of ``mutualaid.models.Plan.Kind``, so a stored kind converts as ``PlanKind(plan.kind)``."""

    INPATIENT_SEGMENTED = "inpatient"  # 住院医疗: segmented rates on self-paid above the deductible
    FIXED_SUM = "fixed_sum"  # 重疾, 女职工特疾: a scheduled amount per share for a covered disease
    DAILY_ALLOWANCE = "allowance"  # 住院津贴: days × daily rate × shares
    ACCIDENT = "accident"  # 意外伤害 medical costs: calculated like INPATIENT_SEGMENTED


MEDICAL_KINDS = frozenset({PlanKind.INPATIENT_SEGMENTED, PlanKind.ACCIDENT})


class LineCode(enum.StrEnum):
    SEGMENT = "segment"
    FIXED_SUM = "fixed_sum"
    ALLOWANCE = "allowance"


LINE_LABELS = {
    LineCode.SEGMENT: _("Self-paid above the deductible, %(lower)s to %(upper)s yuan"),
    LineCode.FIXED_SUM: _("Scheduled sum for a covered disease"),
    LineCode.ALLOWANCE: _("Daily allowance"),
}
OPEN_SEGMENT_LABEL = _("Self-paid above the deductible, over %(lower)s yuan")


class Limit(enum.StrEnum):
    """What held the benefit below the raw total. Declaration order is display order."""

    SELF_PAID = "self_paid"
    PER_STAY = "per_stay"
    PER_PERIOD = "per_period"


LIMIT_LABELS = {
    Limit.SELF_PAID: _("limited to the self-paid amount"),
    Limit.PER_STAY: _("limited by the per-stay cap"),
    Limit.PER_PERIOD: _("limited by the remaining period cap"),
}


def _to_cents(amount: Decimal) -> Decimal:
    """The one place money is rounded: to 0.01, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _is_cents(amount) -> bool:
    return isinstance(amount, Decimal) and amount.is_finite() and amount == amount.quantize(CENT)


@dataclass(frozen=True)
class Segment:
    """Rate ``rate`` on the part of (self-paid − deductible) between ``lower`` and ``upper`` (``None``: no top).

    Boundaries are amounts above the deductible, not above zero: with a 500 元 deductible, the segment 0–5,000
    covers self-paid 500–5,500.
    """

    lower: Decimal
    upper: Decimal | None
    rate: Decimal

    def part_of(self, amount: Decimal) -> Decimal:
        """The part of ``amount`` (already above the deductible) that falls in this segment."""
        top = amount if self.upper is None else min(amount, self.upper)
        return max(ZERO, top - self.lower)


@dataclass(frozen=True)
class PlanTerms:
    """The calculation terms of one plan. Every cap and sum is **per share**; ``None`` means "no such cap".

    - ``deductible_per_stay`` (起付线): self-paid up to this pays nothing; not multiplied by shares.
    - ``segments``: contiguous from 0, ascending, rates in [0, 1]; only the last may be open-ended.
    - ``per_stay_cap_per_share`` / ``per_period_cap_per_share``: the effective caps are × shares.
    - ``fixed_sum_per_share``: FIXED_SUM plans.
    - ``daily_allowance_per_share``, ``max_days_per_stay``, ``max_days_per_period``: DAILY_ALLOWANCE plans.
    - ``limit_to_self_paid``: medical plans pay at most what the member paid (the indemnity principle). Without
      it, two shares at a 60 % rate would pay 120 % of the bill above the deductible.
    """

    kind: PlanKind
    deductible_per_stay: Decimal = ZERO
    segments: tuple[Segment, ...] = ()
    per_stay_cap_per_share: Decimal | None = None
    per_period_cap_per_share: Decimal | None = None
    fixed_sum_per_share: Decimal | None = None
    daily_allowance_per_share: Decimal | None = None
    max_days_per_stay: int | None = None
    max_days_per_period: int | None = None
    limit_to_self_paid: bool = True

    def __post_init__(self):
        object.__setattr__(self, "kind", PlanKind(self.kind))
        object.__setattr__(self, "segments", tuple(self.segments))
        for name in (
            "deductible_per_stay",
            "per_stay_cap_per_share",
            "per_period_cap_per_share",
            "fixed_sum_per_share",
            "daily_allowance_per_share",
        ):
            value = getattr(self, name)
            if value is not None and not (_is_cents(value) and value >= 0):
                raise PlanTermsError(
                    "terms_amount_invalid",
                    _("The plan amount %(field)s must be zero or more, in whole cents."),
                    field=name,
                )
        for name in ("max_days_per_stay", "max_days_per_period"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise PlanTermsError(
                    "terms_days_invalid", _("The plan's day limit %(field)s must be zero or more."), field=name
                )
        if self.kind in MEDICAL_KINDS:
            self._check_segments()
        elif self.kind == PlanKind.FIXED_SUM and self.fixed_sum_per_share is None:
            raise PlanTermsError("terms_fixed_sum_missing", _("A fixed-sum plan needs its sum per share."))
        elif self.kind == PlanKind.DAILY_ALLOWANCE and self.daily_allowance_per_share is None:
            raise PlanTermsError("terms_daily_rate_missing", _("A daily allowance plan needs its daily rate."))

    def _check_segments(self):
        if not self.segments:
            raise PlanTermsError("terms_segments_missing", _("A medical plan needs at least one segment."))
        expected_lower = ZERO
        for index, segment in enumerate(self.segments):
            last = index == len(self.segments) - 1
            if (
                segment.lower != expected_lower
                or (segment.upper is None and not last)
                or (segment.upper is not None and segment.upper <= segment.lower)
                or not ZERO <= segment.rate <= 1
            ):
                raise PlanTermsError(
                    "terms_segments_invalid",
                    _("Segments must run from 0 upwards without gaps, with rates between 0 and 1."),
                )
            expected_lower = segment.upper


@dataclass(frozen=True)
class Settlement:
    """The figures of one stay's 医保结算单, in yuan, whole cents.

    ``self_paid`` (自付) is what is left to the member after the basic medical insurance fund (统筹), the
    serious-illness insurance (大病保险) and the items outside the insurance catalogue (自费, which the plans
    do not cover either).
    """

    total_cost: Decimal
    fund_paid: Decimal = ZERO
    serious_illness_paid: Decimal = ZERO
    self_funded: Decimal = ZERO

    def __post_init__(self):
        amounts = (self.total_cost, self.fund_paid, self.serious_illness_paid, self.self_funded)
        if not all(_is_cents(amount) for amount in amounts):
            raise SettlementError(
                "settlement_not_cents", _("Settlement amounts are in yuan with at most two decimals.")
            )
        if any(amount < 0 for amount in amounts):
            raise SettlementError("settlement_negative", _("Settlement amounts cannot be negative."))
        if self.fund_paid + self.serious_illness_paid + self.self_funded > self.total_cost:
            raise SettlementError(
                "settlement_parts_exceed_total",
                _("Fund, serious-illness insurance and self-funded items add up to more than the total cost."),
            )

    @property
    def self_paid(self) -> Decimal:
        return self.total_cost - self.fund_paid - self.serious_illness_paid - self.self_funded


@dataclass(frozen=True)
class BreakdownLine:
    """One line of the breakdown. ``amount`` = ``base`` × ``rate`` × ``shares``, exact (not rounded).

    For a segment, ``base`` is the part of self-paid above the deductible in [``lower``, ``upper``); for a fixed
    sum it is the sum per share (rate 1); for an allowance it is days × daily rate per share (rate 1).
    """

    code: LineCode
    base: Decimal
    rate: Decimal
    shares: int
    amount: Decimal
    lower: Decimal | None = None
    upper: Decimal | None = None

    @property
    def label(self):
        if self.code == LineCode.SEGMENT:
            if self.upper is None:
                return OPEN_SEGMENT_LABEL % {"lower": self.lower}
            return LINE_LABELS[self.code] % {"lower": self.lower, "upper": self.upper}
        return LINE_LABELS[self.code]


@dataclass(frozen=True)
class Breakdown:
    """The result of :func:`calculate`. ``benefit`` is rounded to 0.01; lines and ``raw_total`` are exact.

    - ``self_paid``, ``deductible_applied`` (the part of self-paid the deductible absorbed) and
      ``above_deductible``: ``None`` for plans that do not look at the bill (fixed sum, allowance).
    - ``days_paid``: the allowance days after the per-stay and per-period day limits (else ``None``).
    - ``raw_total``: the sum of the lines before any limit.
    - ``per_stay_cap`` / ``period_cap``: the effective caps, already × shares; ``None`` if the plan has none.
    - ``remaining_before`` / ``remaining_after``: the period cap left before and after this benefit.
    - ``limited_by``: the limits that set the benefit below ``raw_total`` (empty: none bit; two caps of the
      same amount can both bite). In :class:`Limit` order.
    """

    kind: PlanKind
    shares: int
    self_paid: Decimal | None
    deductible_applied: Decimal | None
    above_deductible: Decimal | None
    days_paid: int | None
    lines: tuple[BreakdownLine, ...]
    raw_total: Decimal
    per_stay_cap: Decimal | None
    period_cap: Decimal | None
    remaining_before: Decimal | None
    remaining_after: Decimal | None
    limited_by: tuple[Limit, ...]
    benefit: Decimal

    @property
    def limit_labels(self):
        return [LIMIT_LABELS[limit] for limit in self.limited_by]


def effective_caps(terms: PlanTerms, shares: int) -> tuple[Decimal | None, Decimal | None]:
    """The per-stay and per-period caps of a cover of ``shares`` shares (cap per share × shares; None: no cap).

    The calculation and the nightly reconciliation both read the caps here, so they can never disagree.
    """
    per_stay = None if terms.per_stay_cap_per_share is None else terms.per_stay_cap_per_share * shares
    period = None if terms.per_period_cap_per_share is None else terms.per_period_cap_per_share * shares
    return per_stay, period


def calculate(
    terms: PlanTerms,
    settlement: Settlement | None = None,
    *,
    shares: int,
    period_used: Decimal = ZERO,
    days: int = 0,
    period_days_used: int = 0,
    disease_covered: bool = True,
) -> Breakdown:
    """The benefit of one claim (one stay, or one diagnosis for a fixed-sum plan) as a :class:`Breakdown`.

    ``terms``: :class:`PlanTerms`, caps per share. ``settlement``: :class:`Settlement`, required for medical
    plans (INPATIENT_SEGMENTED, ACCIDENT), ignored by the others. ``shares``: the member's shares in this
    plan for the cover period, 1 or more; multiplies the rate sum, the fixed sum, the allowance and every cap.

    ``period_used``: what is already approved **or in flight** (submitted, under review, approved but not
    yet paid) for this member, plan and cover period, in yuan. The caller must compute it and then record the
    new claim's amount in the same transaction, under a row lock on the member's cover
    (``select_for_update()``): otherwise two claims assessed in parallel would each see the other as not yet
    there, both fit under the remaining cap, and together exceed it. The estimate page reads it without a
    lock, since an estimate reserves nothing.

    ``days``: allowance days of this stay; ``period_days_used``: allowance days already paid or in flight in
    the period (the same lock applies). ``disease_covered``: FIXED_SUM plans pay only for a disease on the
    plan's list; the other kinds ignore it.

    Guarantees (see the property tests): 0 ≤ benefit; benefit ≤ self-paid for medical plans with
    ``limit_to_self_paid``; benefit ≤ every effective cap and ≤ the remaining period cap; benefit is 0 when
    self-paid ≤ the deductible; benefit never falls when self-paid grows.
    """
    if not isinstance(shares, int) or isinstance(shares, bool) or shares < 1:
        raise ClaimInputError("shares_invalid", _("The number of shares must be a whole number, at least 1."))
    if not (_is_cents(period_used) and period_used >= 0):
        raise ClaimInputError(
            "period_used_invalid", _("The amount already used in the period must be zero or more, in whole cents.")
        )
    if days < 0 or period_days_used < 0:
        raise ClaimInputError("days_invalid", _("Days cannot be negative."))

    self_paid = deductible_applied = above_deductible = days_paid = None
    if terms.kind in MEDICAL_KINDS:
        if settlement is None:
            raise ClaimInputError("settlement_required", _("A medical plan needs the settlement of the stay."))
        self_paid = settlement.self_paid
        deductible_applied = min(self_paid, terms.deductible_per_stay)
        above_deductible = self_paid - deductible_applied
        lines = tuple(
            BreakdownLine(
                code=LineCode.SEGMENT,
                base=segment.part_of(above_deductible),
                rate=segment.rate,
                shares=shares,
                amount=segment.part_of(above_deductible) * segment.rate * shares,
                lower=segment.lower,
                upper=segment.upper,
            )
            for segment in terms.segments
        )
    elif terms.kind == PlanKind.FIXED_SUM:
        base = terms.fixed_sum_per_share if disease_covered else ZERO
        lines = (BreakdownLine(LineCode.FIXED_SUM, base, Decimal(1), shares, base * shares),)
    else:
        days_paid = days
        if terms.max_days_per_stay is not None:
            days_paid = min(days_paid, terms.max_days_per_stay)
        if terms.max_days_per_period is not None:
            days_paid = min(days_paid, max(0, terms.max_days_per_period - period_days_used))
        base = terms.daily_allowance_per_share * days_paid
        lines = (BreakdownLine(LineCode.ALLOWANCE, base, Decimal(1), shares, base * shares),)

    raw_total = sum((line.amount for line in lines), ZERO)
    per_stay_cap, period_cap = effective_caps(terms, shares)
    # period_used can exceed the cap (a plan's cap lowered mid-period, or shares reduced): nothing is left, no less.
    remaining_before = None if period_cap is None else max(ZERO, period_cap - period_used)

    limits = {}
    if self_paid is not None and terms.limit_to_self_paid:
        limits[Limit.SELF_PAID] = self_paid
    if per_stay_cap is not None:
        limits[Limit.PER_STAY] = per_stay_cap
    if remaining_before is not None:
        limits[Limit.PER_PERIOD] = remaining_before
    payable = min([raw_total, *limits.values()])
    limited_by = tuple(limit for limit in Limit if limit in limits and limits[limit] == payable < raw_total)

    # Every limit is in whole cents, so rounding the minimum cannot lift it above any of them.
    benefit = _to_cents(payable)
    return Breakdown(
        kind=terms.kind,
        shares=shares,
        self_paid=self_paid,
        deductible_applied=deductible_applied,
        above_deductible=above_deductible,
        days_paid=days_paid,
        lines=lines,
        raw_total=raw_total,
        per_stay_cap=per_stay_cap,
        period_cap=period_cap,
        remaining_before=remaining_before,
        remaining_after=None if remaining_before is None else remaining_before - benefit,
        limited_by=limited_by,
        benefit=benefit,
    )


# --- A breakdown kept as data (the claim stores what its assessor saw) ----------------------------------

_DECIMALS = ("self_paid", "deductible_applied", "above_deductible", "raw_total", "per_stay_cap", "period_cap",
             "remaining_before", "remaining_after", "benefit")  # fmt: skip
_LINE_DECIMALS = ("base", "rate", "amount", "lower", "upper")


def _text(value):
    return None if value is None else str(value)


def _decimal(value):
    return None if value is None else Decimal(value)


def breakdown_to_data(breakdown: Breakdown) -> dict:
    """A JSON-safe dict of ``breakdown``; money and rates as exact decimal strings."""
    return {
        "kind": breakdown.kind.value,
        "shares": breakdown.shares,
        "days_paid": breakdown.days_paid,
        "limited_by": [limit.value for limit in breakdown.limited_by],
        **{name: _text(getattr(breakdown, name)) for name in _DECIMALS},
        "lines": [
            {"code": line.code.value, "shares": line.shares, **{n: _text(getattr(line, n)) for n in _LINE_DECIMALS}}
            for line in breakdown.lines
        ],
    }


def breakdown_from_data(data: dict) -> Breakdown:
    """The :class:`Breakdown` that :func:`breakdown_to_data` wrote, equal to the original."""
    return Breakdown(
        kind=PlanKind(data["kind"]),
        shares=data["shares"],
        days_paid=data["days_paid"],
        limited_by=tuple(Limit(limit) for limit in data["limited_by"]),
        **{name: _decimal(data[name]) for name in _DECIMALS},
        lines=tuple(
            BreakdownLine(
                code=LineCode(line["code"]), shares=line["shares"], **{n: _decimal(line[n]) for n in _LINE_DECIMALS}
            )
            for line in data["lines"]
        ),
    )
