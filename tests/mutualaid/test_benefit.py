"""The benefit calculation: worked examples computed by hand, then properties over random plans and bills.

No database: mutualaid.benefit is pure functions over Decimal.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualaid.benefit import (
    BenefitError,
    ClaimInputError,
    Limit,
    PlanKind,
    PlanTerms,
    PlanTermsError,
    Segment,
    Settlement,
    SettlementError,
    calculate,
)

D = Decimal

# The plan of seed 004 (Jiangxi): 120 元 a year per share, 500 元 deductible per stay, segmented rates on the
# self-paid above the deductible, 200,000 元 per cover period (per share).
SEGMENTS = (
    Segment(D("0"), D("5000"), D("0.50")),
    Segment(D("5000"), D("20000"), D("0.60")),
    Segment(D("20000"), None, D("0.70")),
)
JIANGXI = PlanTerms(
    kind=PlanKind.INPATIENT_SEGMENTED,
    deductible_per_stay=D("500"),
    segments=SEGMENTS,
    per_period_cap_per_share=D("200000"),
)
# The same plan with a 30,000 元 cap per stay (per share).
WITH_STAY_CAP = PlanTerms(
    kind=PlanKind.INPATIENT_SEGMENTED,
    deductible_per_stay=D("500"),
    segments=SEGMENTS,
    per_stay_cap_per_share=D("30000"),
    per_period_cap_per_share=D("200000"),
)


# --- worked examples -------------------------------------------------------------------------------------


def test_ordinary_stay_falls_in_the_first_segment():
    # Given a stay of 12,000 total, 6,000 paid by the fund, no serious-illness insurance, 800 self-funded items
    settlement = Settlement(total_cost=D("12000"), fund_paid=D("6000"), self_funded=D("800"))

    # When
    result = calculate(JIANGXI, settlement, shares=1)

    # Then: self-paid = 12,000 − 6,000 − 0 − 800 = 5,200
    #       above the deductible = 5,200 − 500 = 4,700, all of it in 0–5,000
    #       4,700 × 50 % = 2,350; no cap bites; 200,000 − 2,350 = 197,650 left
    assert result.self_paid == D("5200")
    assert result.deductible_applied == D("500")
    assert result.above_deductible == D("4700")
    assert [(line.base, line.rate, line.amount) for line in result.lines] == [
        (D("4700"), D("0.50"), D("2350")),
        (D("0"), D("0.60"), D("0")),
        (D("0"), D("0.70"), D("0")),
    ]
    assert result.raw_total == D("2350")
    assert result.limited_by == ()
    assert result.remaining_before == D("200000")
    assert result.remaining_after == D("197650")
    assert result.benefit == D("2350.00")


def test_big_stay_is_held_at_the_per_stay_cap():
    # Given a big stay: 200,000 total, 100,000 fund, 20,000 serious illness, 5,000 self-funded
    settlement = Settlement(
        total_cost=D("200000"), fund_paid=D("100000"), serious_illness_paid=D("20000"), self_funded=D("5000")
    )

    # When
    result = calculate(WITH_STAY_CAP, settlement, shares=1)

    # Then: self-paid = 200,000 − 100,000 − 20,000 − 5,000 = 75,000; above the deductible 74,500
    #       0–5,000:      5,000 × 50 % =  2,500
    #       5,000–20,000: 15,000 × 60 % = 9,000
    #       over 20,000:  54,500 × 70 % = 38,150
    #       raw 49,650 > per-stay cap 30,000 → 30,000
    assert [line.amount for line in result.lines] == [D("2500"), D("9000"), D("38150")]
    assert result.raw_total == D("49650")
    assert result.per_stay_cap == D("30000")
    assert result.limited_by == (Limit.PER_STAY,)
    assert result.benefit == D("30000.00")
    assert result.remaining_after == D("170000.00")


def test_claim_after_earlier_claims_is_held_at_the_remaining_period_cap():
    # Given 190,000 already approved or in flight this period, and a stay with self-paid 30,500
    settlement = Settlement(total_cost=D("60000"), fund_paid=D("29500"))

    # When
    result = calculate(JIANGXI, settlement, shares=1, period_used=D("190000"))

    # Then: above the deductible 30,500 − 500 = 30,000
    #       2,500 + 15,000 × 60 % = 9,000 + 10,000 × 70 % = 7,000 → raw 18,500
    #       remaining period cap 200,000 − 190,000 = 10,000 → 10,000, nothing left after
    assert result.raw_total == D("18500")
    assert result.remaining_before == D("10000")
    assert result.limited_by == (Limit.PER_PERIOD,)
    assert result.benefit == D("10000.00")
    assert result.remaining_after == D("0.00")


def test_period_already_overspent_pays_nothing():
    # Given more used than the cap (the cap was lowered mid-period): nothing is left, not a negative amount
    settlement = Settlement(total_cost=D("6000"))

    result = calculate(JIANGXI, settlement, shares=1, period_used=D("250000"))

    assert result.remaining_before == D("0")
    assert result.benefit == D("0.00")
    assert result.limited_by == (Limit.PER_PERIOD,)


def test_two_shares_double_the_amount_and_the_caps():
    # Given the ordinary stay of the first example, with two shares
    settlement = Settlement(total_cost=D("12000"), fund_paid=D("6000"), self_funded=D("800"))

    result = calculate(JIANGXI, settlement, shares=2)

    # Then: 4,700 × 50 % × 2 = 4,700 (still under self-paid 5,200); the period cap is 200,000 × 2 = 400,000
    assert result.lines[0].amount == D("4700")
    assert result.benefit == D("4700.00")
    assert result.period_cap == D("400000")
    assert result.remaining_after == D("395300.00")


def test_two_shares_double_the_per_stay_cap():
    # Given the big stay of the per-stay cap example (raw 49,650 per share), with two shares
    settlement = Settlement(
        total_cost=D("200000"), fund_paid=D("100000"), serious_illness_paid=D("20000"), self_funded=D("5000")
    )

    result = calculate(WITH_STAY_CAP, settlement, shares=2)

    # Then: raw 49,650 × 2 = 99,300 > per-stay cap 30,000 × 2 = 60,000 → 60,000
    assert result.raw_total == D("99300")
    assert result.per_stay_cap == D("60000")
    assert result.limited_by == (Limit.PER_STAY,)
    assert result.benefit == D("60000.00")


def test_both_caps_can_bite_at_once():
    # Given a remaining period cap equal to the per-stay cap: 200,000 − 170,000 = 30,000
    settlement = Settlement(
        total_cost=D("200000"), fund_paid=D("100000"), serious_illness_paid=D("20000"), self_funded=D("5000")
    )

    result = calculate(WITH_STAY_CAP, settlement, shares=1, period_used=D("170000"))

    assert result.limited_by == (Limit.PER_STAY, Limit.PER_PERIOD)
    assert result.benefit == D("30000.00")


def test_shares_never_pay_more_than_the_member_paid():
    # Given a generous plan (80 % from the first yuan above a 500 deductible) and two shares
    terms = PlanTerms(
        kind=PlanKind.INPATIENT_SEGMENTED, deductible_per_stay=D("500"), segments=(Segment(D("0"), None, D("0.80")),)
    )
    settlement = Settlement(total_cost=D("10000"), fund_paid=D("4500"))

    # When: self-paid 5,500, above the deductible 5,000; 5,000 × 80 % × 2 = 8,000 > 5,500
    limited = calculate(terms, settlement, shares=2)
    unlimited = calculate(replace(terms, limit_to_self_paid=False), settlement, shares=2)

    # Then the indemnity limit holds it at what the member paid; a plan that opts out pays the formula
    assert limited.raw_total == D("8000")
    assert limited.limited_by == (Limit.SELF_PAID,)
    assert limited.benefit == D("5500.00")
    assert unlimited.limited_by == ()
    assert unlimited.benefit == D("8000.00")


def test_accident_medical_costs_are_calculated_like_a_stay():
    terms = PlanTerms(kind=PlanKind.ACCIDENT, deductible_per_stay=D("100"), segments=(Segment(D("0"), None, D("0.9")),))

    # self-paid 1,100 − 100 = 1,000 × 90 % = 900
    result = calculate(terms, Settlement(total_cost=D("3000"), fund_paid=D("1900")), shares=1)

    assert result.benefit == D("900.00")


def test_critical_illness_pays_the_scheduled_sum_per_share():
    # Given 重疾: 20,000 per share, once per period (the period cap is the sum)
    terms = PlanTerms(kind=PlanKind.FIXED_SUM, fixed_sum_per_share=D("20000"), per_period_cap_per_share=D("20000"))

    # When a member with two shares is diagnosed with a covered disease: 20,000 × 2 = 40,000
    covered = calculate(terms, shares=2)
    # A disease not on the list pays nothing; a second diagnosis in the same period finds the cap used up
    not_covered = calculate(terms, shares=2, disease_covered=False)
    second = calculate(terms, shares=2, period_used=D("40000"))

    assert covered.benefit == D("40000.00")
    assert covered.self_paid is None
    assert covered.remaining_after == D("0.00")
    assert not_covered.benefit == D("0.00")
    assert second.benefit == D("0.00")
    assert second.limited_by == (Limit.PER_PERIOD,)


def test_daily_allowance_is_limited_by_the_maximum_days():
    # Given 津贴: 50 per day per share, at most 15 days a stay and 30 days a period
    terms = PlanTerms(
        kind=PlanKind.DAILY_ALLOWANCE,
        daily_allowance_per_share=D("50"),
        max_days_per_stay=15,
        max_days_per_period=30,
    )

    # When a 20-day stay: 15 days paid × 50 = 750
    first = calculate(terms, shares=1, days=20)
    # and another 20-day stay after 20 days already paid in the period: min(20, 15, 30 − 20 = 10) = 10 days
    #   10 × 50 × 2 shares = 1,000
    second = calculate(terms, shares=2, days=20, period_days_used=20)

    assert first.days_paid == 15
    assert first.benefit == D("750.00")
    assert second.days_paid == 10
    assert second.benefit == D("1000.00")


@pytest.mark.parametrize("self_paid", [D("0"), D("0.01"), D("499.99"), D("500")])
def test_self_paid_at_or_below_the_deductible_pays_nothing(self_paid):
    result = calculate(JIANGXI, Settlement(total_cost=self_paid + D("1000"), fund_paid=D("1000")), shares=3)

    assert result.deductible_applied == self_paid
    assert result.above_deductible == D("0")
    assert result.benefit == D("0.00")


def test_a_half_cent_is_rounded_up_once_at_the_end():
    # self-paid 5,200.01 → above the deductible 4,700.01 × 50 % = 2,350.005 exactly
    result = calculate(JIANGXI, Settlement(total_cost=D("12000.01"), fund_paid=D("6800")), shares=1)

    # The line keeps the exact half cent; the benefit rounds half up (banker's rounding would give 2,350.00)
    assert result.lines[0].amount == D("2350.005")
    assert result.benefit == D("2350.01")
    assert result.remaining_after == D("197649.99")


def test_lines_and_limits_have_labels_for_the_page():
    settlement = Settlement(total_cost=D("200000"), fund_paid=D("125000"))

    result = calculate(WITH_STAY_CAP, settlement, shares=1)

    assert "5000" in str(result.lines[1].label) and "20000" in str(result.lines[1].label)
    assert "20000" in str(result.lines[2].label)
    assert len(result.limit_labels) == 1


# --- refused input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "code"),
    [
        ({"total_cost": D("-1")}, "settlement_negative"),
        ({"total_cost": D("100"), "fund_paid": D("-0.01")}, "settlement_negative"),
        ({"total_cost": D("100"), "fund_paid": D("60"), "serious_illness_paid": D("30"), "self_funded": D("10.01")},
         "settlement_parts_exceed_total"),
        ({"total_cost": D("100.001")}, "settlement_not_cents"),
        ({"total_cost": 100.0}, "settlement_not_cents"),
        ({"total_cost": D("NaN")}, "settlement_not_cents"),
    ],
)  # fmt: skip
def test_impossible_settlement_is_refused_with_a_code(amounts, code):
    with pytest.raises(SettlementError) as raised:
        Settlement(**amounts)

    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)
    assert code in str(raised.value)


def test_parts_exactly_equal_to_the_total_leave_nothing_self_paid():
    settlement = Settlement(total_cost=D("100"), fund_paid=D("60"), serious_illness_paid=D("30"), self_funded=D("10"))

    assert settlement.self_paid == D("0")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"segments": ()}, "terms_segments_missing"),
        ({"segments": (Segment(D("100"), None, D("0.5")),)}, "terms_segments_invalid"),
        ({"segments": (Segment(D("0"), D("10"), D("0.5")), Segment(D("20"), None, D("0.5")))},
         "terms_segments_invalid"),
        ({"segments": (Segment(D("0"), None, D("0.5")), Segment(D("0"), None, D("0.5")))}, "terms_segments_invalid"),
        ({"segments": (Segment(D("0"), None, D("1.01")),)}, "terms_segments_invalid"),
        ({"per_stay_cap_per_share": D("-1")}, "terms_amount_invalid"),
        ({"deductible_per_stay": D("0.001")}, "terms_amount_invalid"),
    ],
)  # fmt: skip
def test_impossible_plan_terms_are_refused(changes, code):
    fields = {"kind": PlanKind.INPATIENT_SEGMENTED, "deductible_per_stay": D("500"), "segments": SEGMENTS, **changes}

    with pytest.raises(PlanTermsError) as raised:
        PlanTerms(**fields)

    assert raised.value.code == code


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"shares": 0}, "shares_invalid"),
        ({"shares": 1, "period_used": D("-1")}, "period_used_invalid"),
        ({"shares": 1, "days": -1}, "days_invalid"),
    ],
)
def test_impossible_claim_input_is_refused(arguments, code):
    with pytest.raises(ClaimInputError) as raised:
        calculate(JIANGXI, Settlement(total_cost=D("1000")), **arguments)

    assert raised.value.code == code


def test_medical_plan_needs_a_settlement():
    with pytest.raises(BenefitError) as raised:
        calculate(JIANGXI, None, shares=1)

    assert raised.value.code == "settlement_required"


# --- properties ------------------------------------------------------------------------------------------


def money(max_value="1000000"):
    return st.decimals(min_value=0, max_value=D(max_value), places=2, allow_nan=False, allow_infinity=False)


rates = st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)


@st.composite
def segment_lists(draw):
    bounds = sorted(draw(st.sets(st.integers(min_value=1, max_value=100_000), max_size=4)))
    open_ended = draw(st.booleans()) or not bounds
    lowers = [0, *bounds] if open_ended else [0, *bounds[:-1]]
    uppers = [*bounds, None] if open_ended else bounds
    return tuple(
        Segment(D(lower), None if upper is None else D(upper), draw(rates))
        for lower, upper in zip(lowers, uppers, strict=True)
    )


@st.composite
def medical_terms(draw, limit_to_self_paid=True):
    return PlanTerms(
        kind=draw(st.sampled_from([PlanKind.INPATIENT_SEGMENTED, PlanKind.ACCIDENT])),
        deductible_per_stay=draw(money("5000")),
        segments=draw(segment_lists()),
        per_stay_cap_per_share=draw(st.none() | money("100000")),
        per_period_cap_per_share=draw(st.none() | money("300000")),
        limit_to_self_paid=limit_to_self_paid,
    )


@st.composite
def settlements(draw):
    # Built from its parts, so every drawn settlement is valid.
    fund, serious, self_funded, self_paid = (draw(money()) for _ in range(4))
    return Settlement(
        total_cost=fund + serious + self_funded + self_paid,
        fund_paid=fund,
        serious_illness_paid=serious,
        self_funded=self_funded,
    )


shares = st.integers(min_value=1, max_value=5)


@given(terms=medical_terms(), settlement=settlements(), shares=shares, period_used=money("2000000"))
def test_benefit_is_between_zero_and_self_paid(terms, settlement, shares, period_used):
    result = calculate(terms, settlement, shares=shares, period_used=period_used)

    assert 0 <= result.benefit <= settlement.self_paid
    assert result.benefit == result.benefit.quantize(D("0.01"))
    assert result.raw_total == sum(line.amount for line in result.lines)


@given(terms=medical_terms(limit_to_self_paid=False), settlement=settlements(), shares=shares)
def test_without_the_self_paid_limit_the_formula_bounds_the_benefit(terms, settlement, shares):
    # Without the indemnity limit, one share pays at most the self-paid above the deductible (rates ≤ 1), and
    # n shares at most n × the highest rate × that amount, rounded half up; that can exceed self-paid.
    result = calculate(terms, settlement, shares=shares)
    above = max(D(0), settlement.self_paid - terms.deductible_per_stay)
    top_rate = max(segment.rate for segment in terms.segments)

    assert result.benefit <= (shares * top_rate * above).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    if shares == 1:
        assert result.benefit <= above <= settlement.self_paid


@given(terms=medical_terms(), settlement=settlements(), shares=shares, period_used=money("2000000"))
def test_benefit_never_exceeds_either_cap(terms, settlement, shares, period_used):
    result = calculate(terms, settlement, shares=shares, period_used=period_used)

    if terms.per_stay_cap_per_share is not None:
        assert result.benefit <= terms.per_stay_cap_per_share * shares
    if terms.per_period_cap_per_share is not None:
        remaining = max(D(0), terms.per_period_cap_per_share * shares - period_used)
        assert result.remaining_before == remaining
        assert result.benefit <= remaining
        assert result.remaining_after >= 0


@given(terms=medical_terms(), self_paid=money("5000"), fund=money(), shares=shares)
def test_nothing_is_paid_at_or_below_the_deductible(terms, self_paid, fund, shares):
    self_paid = min(self_paid, terms.deductible_per_stay)

    result = calculate(terms, Settlement(total_cost=fund + self_paid, fund_paid=fund), shares=shares)

    assert result.benefit == 0


@given(
    terms=medical_terms(),
    settlement=settlements(),
    more=money(),
    shares=shares,
    period_used=money("2000000"),
    limit_to_self_paid=st.booleans(),
)
def test_benefit_never_falls_when_self_paid_grows(terms, settlement, more, shares, period_used, limit_to_self_paid):
    terms = replace(terms, limit_to_self_paid=limit_to_self_paid)
    bigger = Settlement(
        total_cost=settlement.total_cost + more,
        fund_paid=settlement.fund_paid,
        serious_illness_paid=settlement.serious_illness_paid,
        self_funded=settlement.self_funded,
    )

    smaller_result = calculate(terms, settlement, shares=shares, period_used=period_used)
    bigger_result = calculate(terms, bigger, shares=shares, period_used=period_used)

    assert bigger_result.benefit >= smaller_result.benefit


@given(terms=medical_terms(), first=settlements(), second=settlements(), shares=shares, period_used=money("300000"))
def test_two_claims_one_after_the_other_never_exceed_the_period_cap(terms, first, second, shares, period_used):
    # Claim A is assessed, then claim B sees A in period_used (the caller's locked sum): together they fit.
    claim_a = calculate(terms, first, shares=shares, period_used=period_used)
    claim_b = calculate(terms, second, shares=shares, period_used=period_used + claim_a.benefit)

    if terms.per_period_cap_per_share is not None:
        cap = terms.per_period_cap_per_share * shares
        assert period_used + claim_a.benefit + claim_b.benefit <= max(cap, period_used)
        assert claim_b.remaining_before == claim_a.remaining_after
        if period_used == 0:
            assert claim_a.benefit + claim_b.benefit <= cap


@given(
    sum_per_share=money("500000"),
    daily=money("500"),
    days=st.integers(min_value=0, max_value=400),
    days_used=st.integers(min_value=0, max_value=400),
    max_stay=st.none() | st.integers(min_value=0, max_value=180),
    max_period=st.none() | st.integers(min_value=0, max_value=365),
    shares=shares,
    cap=st.none() | money("300000"),
    period_used=money("300000"),
)
def test_fixed_sums_and_allowances_respect_days_and_caps(
    sum_per_share, daily, days, days_used, max_stay, max_period, shares, cap, period_used
):
    fixed = PlanTerms(kind=PlanKind.FIXED_SUM, fixed_sum_per_share=sum_per_share, per_period_cap_per_share=cap)
    allowance = PlanTerms(
        kind=PlanKind.DAILY_ALLOWANCE,
        daily_allowance_per_share=daily,
        max_days_per_stay=max_stay,
        max_days_per_period=max_period,
        per_period_cap_per_share=cap,
    )

    fixed_result = calculate(fixed, shares=shares, period_used=period_used)
    allowance_result = calculate(
        allowance, shares=shares, period_used=period_used, days=days, period_days_used=days_used
    )

    assert 0 <= fixed_result.benefit <= sum_per_share * shares
    assert 0 <= allowance_result.days_paid <= days
    if max_stay is not None:
        assert allowance_result.days_paid <= max_stay
    if max_period is not None:
        assert allowance_result.days_paid + days_used <= max(max_period, days_used)
    assert allowance_result.benefit <= daily * allowance_result.days_paid * shares
    if cap is not None:
        for result in (fixed_result, allowance_result):
            assert result.benefit <= max(D(0), cap * shares - period_used)


@given(terms=medical_terms(), settlement=settlements(), shares=shares, period_used=money("2000000"))
def test_a_breakdown_kept_as_json_comes_back_equal(terms, settlement, shares, period_used):
    import json

    from mutualaid.benefit import breakdown_from_data, breakdown_to_data

    result = calculate(terms, settlement, shares=shares, period_used=period_used)
    assert breakdown_from_data(json.loads(json.dumps(breakdown_to_data(result)))) == result
