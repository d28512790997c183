"""Working days: the one calendar of Chinese public holidays and make-up working days (调休) for every
"N working days" rule (publicity periods, reply and handling deadlines).

The schedule comes from the chinese-calendar library, which carries the State Council's notices up to the year it
was released for; ``WorkdayCorrection`` rows kept by the city override it for any date, and are how the city adds
a year the library does not know yet. For a year with neither, the calendar falls back to Monday to Friday less
the fixed-date statutory holidays (元旦, 劳动节, 国庆节); the lunar holidays are unknown there, so ``calendar_known``
says False and pages that count working days say the count is provisional.

All functions read the corrections of the range they need in one query.
"""

from datetime import date, timedelta

import chinese_calendar

# Fixed-date holidays of the 全国年节及纪念日放假办法 (2025 revision): 元旦 1 day, 劳动节 2 days, 国庆节 3 days.
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _corrections(start: date, end: date) -> dict[date, bool]:
    from .models import WorkdayCorrection

    rows = WorkdayCorrection.objects.filter(day__range=(min(start, end), max(start, end)))
    return dict(rows.values_list("day", "is_workday"))


def _base_is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def calendar_known(year: int) -> bool:
    """True when the year's holiday schedule is known: the library has it, or the city has entered corrections."""
    from .models import WorkdayCorrection

    return _library_knows(year) or WorkdayCorrection.objects.filter(day__year=year).exists()


def is_workday(day: date) -> bool:
    corrected = _corrections(day, day)
    return corrected[day] if day in corrected else _base_is_workday(day)


def workdays_between(start: date, end: date) -> int:
    """How many working days from ``start`` to ``end``, both included (0 when ``end`` is before ``start``)."""
    if end < start:
        return 0
    corrected = _corrections(start, end)
    count = 0
    day = start
    while day <= end:
        count += corrected[day] if day in corrected else _base_is_workday(day)
        day += timedelta(days=1)
    return count


def add_workdays(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted): a reply due "within 15 working
    days" of a letter sent on ``start`` is due on ``add_workdays(start, 15)``. ``days`` of 0 gives ``start``."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Holidays and weekends never stretch N working days beyond 2N + 14 calendar days (the longest break is 8–9
    # days, and a week has 5 working days): read that window's corrections once.
    corrected = _corrections(start, start + timedelta(days=2 * days + 14))
    day = start
    while days:
        day += timedelta(days=1)
        if corrected[day] if day in corrected else _base_is_workday(day):
            days -= 1
    return day


def last_workday_of(start: date, days: int) -> date:
    """The last day of a period of ``days`` working days beginning on ``start`` (counted if a working day):
    a publicity of 5 working days posted on ``start`` may end no earlier than this."""
    if days < 1:
        raise ValueError("days must be at least 1")
    first = start if is_workday(start) else add_workdays(start, 1)
    return add_workdays(first, days - 1)
