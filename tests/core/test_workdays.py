"""The working-day calendar: the State Council schedule from the library, the city's corrections over it, and a
plain fallback for a year neither knows."""

from datetime import date

import pytest

from unionportal.core import workdays
from unionportal.core.models import WorkdayCorrection


def test_national_day_week_and_its_make_up_saturday(db):
    # 2026: 10月1日–7日 off; Saturday 9月20日… the library's make-up days are working days although weekends.
    assert not workdays.is_workday(date(2026, 10, 1))
    assert not workdays.is_workday(date(2026, 10, 7))
    make_up = next(day for day in (date(2026, 9, 20), date(2026, 10, 10)) if day.weekday() >= 5)
    assert workdays.is_workday(make_up)


def test_five_working_days_of_publicity_stretch_over_a_holiday(db):
    # Posted on Wednesday 30 September 2026: the 30th, then nothing until 8 October.
    end = workdays.last_workday_of(date(2026, 9, 30), 5)
    assert workdays.workdays_between(date(2026, 9, 30), end) == 5
    assert end > date(2026, 10, 7)
    # On an ordinary week: Monday to Friday.
    assert workdays.last_workday_of(date(2026, 11, 16), 5) == date(2026, 11, 20)
    # Posted on a Saturday, the period starts on Monday.
    assert workdays.last_workday_of(date(2026, 11, 14), 5) == date(2026, 11, 20)


def test_add_workdays_does_not_count_the_start(db):
    assert workdays.add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert workdays.add_workdays(date(2026, 11, 20), 0) == date(2026, 11, 20)
    with pytest.raises(ValueError):
        workdays.add_workdays(date(2026, 11, 20), -1)


def test_a_year_the_library_does_not_know_falls_back_to_weekdays_less_fixed_holidays(db):
    assert not workdays.calendar_known(2031)
    assert not workdays.is_workday(date(2031, 1, 1))  # 元旦, a Wednesday
    assert workdays.is_workday(date(2031, 1, 2))
    assert not workdays.is_workday(date(2031, 1, 4))  # a Saturday
    assert workdays.workdays_between(date(2031, 9, 29), date(2031, 10, 3)) == 2  # 29–30 Sep; 1–3 Oct off


def test_the_citys_corrections_win_over_library_and_fallback(db):
    WorkdayCorrection.objects.create(day=date(2031, 1, 30), is_workday=False, note="春节")
    WorkdayCorrection.objects.create(day=date(2031, 1, 25), is_workday=True, note="春节调休上班")
    WorkdayCorrection.objects.create(day=date(2026, 11, 18), is_workday=False, note="test closure")
    assert workdays.calendar_known(2031)
    assert not workdays.is_workday(date(2031, 1, 30))
    assert workdays.is_workday(date(2031, 1, 25))  # a Saturday made a working day
    assert workdays.workdays_between(date(2026, 11, 16), date(2026, 11, 20)) == 4
    assert workdays.add_workdays(date(2026, 11, 17), 1) == date(2026, 11, 19)


def test_counting_a_year_of_days_reads_the_corrections_once(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert 240 <= workdays.workdays_between(date(2026, 1, 1), date(2026, 12, 31)) <= 255
    with django_assert_num_queries(1):
        workdays.add_workdays(date(2026, 1, 1), 200)
