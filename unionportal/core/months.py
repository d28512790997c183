"""One month arithmetic for every app: a month is the ``date`` of its first day.

Figures, reports, bulletins and dashboards all count by calendar month. Each used to carry its own
"next month" (``day.month % 12 + 1``, ``+ timedelta(days=32)``, ``replace(day=28) + 4 days`` …); they all
live here now, with hypothesis properties in ``tests/core/test_months.py``.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after ``month``'s (negative goes back)."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s: the exclusive end of ``day``'s month."""
    return add_months(day, 1)


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return add_months(day, -1)


def month_bounds(day: date) -> tuple[date, date]:
    """``[start, end)`` of ``day``'s month, for ``__gte``/``__lt`` filters."""
    return month_start(day), next_month(day)


def months_between(earlier: date, later: date) -> int:
    """How many whole calendar months ``later``'s month is after ``earlier``'s (negative when before)."""
    return (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month)


def months_until(until: date, count: int) -> list[date]:
    """The ``count`` months ending with ``until``'s month, oldest first."""
    return [add_months(until, -back) for back in range(count - 1, -1, -1)]


def parse_month(value: str | None) -> date | None:
    """``"2026-03"`` (or ``"2026-03-17"``) → ``date(2026, 3, 1)``; anything else → ``None``."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        return None


def after_term(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month → 28/29 Feb).

    A cover's term ends the day before this; unlike the other helpers it keeps the day of the month.
    """
    return start + relativedelta(months=months)
