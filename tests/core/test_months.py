"""The one month arithmetic: hand-checked cases and properties over every month from year 1 to 9998."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from unionportal.core import months

days = st.dates(min_value=date(2, 1, 1), max_value=date(9997, 12, 31))
shifts = st.integers(min_value=-12, max_value=12 * 5)


def test_hand_checked_cases():
    assert months.next_month(date(2026, 12, 31)) == date(2027, 1, 1)
    assert months.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert months.add_months(date(2026, 3, 31), -13) == date(2025, 2, 1)
    assert months.month_bounds(date(2024, 2, 29)) == (date(2024, 2, 1), date(2024, 3, 1))
    assert months.months_until(date(2026, 2, 10), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert months.months_between(date(2025, 11, 30), date(2026, 2, 1)) == 3
    assert months.after_term(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months.after_term(date(2024, 3, 1), 12) - timedelta(days=1) == date(2025, 2, 28)


def test_parse_month_takes_year_month_and_refuses_the_rest():
    assert months.parse_month("2026-03") == date(2026, 3, 1)
    assert months.parse_month("2026-03-17") == date(2026, 3, 1)
    for bad in ("", None, "2026", "2026-13", "2026-00", "abc-01", "0-01", "-2026-01"):
        assert months.parse_month(bad) is None, bad


@given(days)
def test_a_month_contains_its_days(day):
    start, end = months.month_bounds(day)
    assert start.day == 1 and end.day == 1
    assert start <= day < end
    assert (end - start).days in (28, 29, 30, 31)
    assert end - timedelta(days=1) < end and (end - timedelta(days=1)).month == day.month


@given(days, shifts, shifts)
def test_adding_months_composes_and_inverts(day, a, b):
    assert months.add_months(months.add_months(day, a), b) == months.add_months(day, a + b)
    assert months.add_months(months.add_months(day, a), -a) == months.month_start(day)
    assert months.months_between(day, months.add_months(day, a)) == a


@given(days)
def test_next_and_previous_are_neighbours(day):
    assert months.previous_month(months.next_month(day)) == months.month_start(day)
    assert months.next_month(months.previous_month(day)) == months.month_start(day)
    assert months.next_month(day) == months.month_start(months.month_start(day) + timedelta(days=31))


@given(days, st.integers(min_value=1, max_value=36))
def test_months_until_is_consecutive_and_ends_with_the_month(day, count):
    calendar = months.months_until(day, count)
    assert len(calendar) == count and calendar[-1] == months.month_start(day)
    assert all(months.next_month(a) == b for a, b in zip(calendar, calendar[1:], strict=False))


@given(days, st.integers(min_value=1, max_value=60))
def test_a_term_ends_on_the_day_before_the_same_date_or_the_months_end(day, term):
    end = months.after_term(day, term)
    assert months.months_between(day, end) == term
    assert end.day == day.day or end == months.next_month(end) - timedelta(days=1)
