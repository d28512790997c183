"""Approved months for the ranking, bulletin and dashboard tests: filed and approved through the services, on the
day they say (frozen time decides on-time filing)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from reporting import services
from reporting.models import MonthlyReport
from unionportal.core import indicators as registry

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


def file_and_approve(*, county, month: date, figures: dict, filer, approver, on: date) -> MonthlyReport:
    """The county's report for ``month`` with ``figures`` (other entered figures 0), submitted and approved on
    ``on``."""
    services.catalogue_for_year(month.year)
    services.reports_prefill(month=month)
    report = MonthlyReport.objects.get(county=county, month=month)
    values = {"warmth_visits": "0", "warmth_amount": "0", **{code: str(v) for code, v in figures.items()}}
    reasons = {code: "与台账核对" for code in figures if registry.is_computed(code)}
    with at(on):
        services.report_file(actor=filer, report=report, figures=values, reasons=reasons, submit=True)
        services.report_approve(actor=approver, report=report)
    report.refresh_from_db()
    return report
