"""The monthly cycle under frozen time, across a month end: drafts on the 1st, reminders on the 3rd, late marks
on the 6th; every step safe to run twice."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from reporting import services, tasks
from reporting.models import Catalogue, MonthlyReport, ReportEvent, ReportRevision
from unionportal.notifications.models import Notice

TZ = ZoneInfo("Asia/Shanghai")
FULL = {"warmth_visits": "3", "warmth_amount": "100"}


def travel(day: date, hour=0, minute=30):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ), tick=False)


def run_cycle():
    return tasks.monthly_cycle.apply().get()


def test_the_cycle_across_a_month_end(tree, catalogue, county_user, other_county_user, city_user):
    with travel(date(2026, 10, 31), 23, 50):
        assert run_cycle() == {"prefilled": 2, "reminded": 0, "marked_late": 2}  # September's, long overdue
    with travel(date(2026, 11, 1)):
        first = run_cycle()
        again = run_cycle()
    assert first["prefilled"] == 2 and again == {"prefilled": 0, "reminded": 0, "marked_late": 0}
    october = MonthlyReport.objects.filter(month=date(2026, 10, 1))
    assert october.count() == 2 and {r.due_on for r in october} == {date(2026, 11, 5)}

    with travel(date(2026, 11, 2), 9):  # 商州 files on time
        services.report_file(actor=county_user, report=october.get(county=tree["shangzhou"]), figures=FULL, submit=True)
    with travel(date(2026, 11, 3)):
        assert run_cycle()["reminded"] == 1
        run_cycle()
    reminders = Notice.objects.filter(kind="report.reminder")
    assert [n.recipient_user for n in reminders] == [other_county_user]  # once, and only the county not yet filed

    with travel(date(2026, 11, 5), 23):
        assert run_cycle()["marked_late"] == 0  # the due day itself is still on time
    with travel(date(2026, 11, 6)):
        assert run_cycle()["marked_late"] == 1
        assert run_cycle()["marked_late"] == 0
    shanyang = october.get(county=tree["shanyang"])
    assert shanyang.is_late and not october.get(county=tree["shangzhou"]).is_late
    assert shanyang.events.filter(kind=ReportEvent.Kind.MARKED_LATE).count() == 1
    late_notices = Notice.objects.filter(dedupe_key__startswith=f"report:{shanyang.pk}:late:")
    assert {n.recipient_user for n in late_notices} == {other_county_user, city_user}

    with travel(date(2026, 11, 9), 10):  # submitted late: accepted, marked late, stays in October
        services.report_file(actor=other_county_user, report=shanyang, figures=FULL, submit=True)
    shanyang.refresh_from_db()
    assert shanyang.month == date(2026, 10, 1) and shanyang.is_late
    assert shanyang.status == ReportRevision.Status.SUBMITTED
    assert not MonthlyReport.objects.filter(month=date(2026, 11, 1)).exists()


def test_first_submission_after_the_due_day_is_marked_late(tree, reports, county_user):
    report = reports["shangzhou"]
    with travel(date(2026, 11, 7), 10):
        services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    report.refresh_from_db()
    assert report.is_late and report.month == date(2026, 10, 1)


def test_the_catalogues_due_day_moves_the_deadline(tree, catalogue):
    Catalogue.objects.filter(pk=catalogue.pk).update(due_day=10)
    services.reports_prefill(month=date(2026, 12, 1))
    assert {r.due_on for r in MonthlyReport.objects.all()} == {date(2027, 1, 10)}


def test_the_catalogues_reminder_day_starts_the_reminders(tree, reports, county_user):
    Catalogue.objects.filter(year=2026).update(remind_day=4)
    assert services.reports_remind(today=date(2026, 11, 3)) == 0
    assert services.reports_remind(today=date(2026, 11, 4)) == len(reports)
