from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from reporting import selectors, services
from reporting.models import Catalogue, Indicator, MonthlyReport, ReportEvent, ReportRevision
from tests.factories import make_member

from .conftest import MONTH

TZ = ZoneInfo("Asia/Shanghai")
Status = ReportRevision.Status
FULL = {"warmth_visits": "12", "warmth_amount": "3600.50"}


def at(day: date, hour=10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=TZ), tick=False)


def test_prefill_creates_one_draft_per_county_with_computed_figures(tree, catalogue):
    for i in range(3):
        make_member(union=tree["union_sz"], joined_on=date(2026, 10, 5 + i), is_migrant_worker=i == 0)
    make_member(union=tree["union_sy"], joined_on=date(2026, 9, 30))  # the month before: not counted

    assert services.reports_prefill(month=MONTH) == 2
    assert services.reports_prefill(month=MONTH) == 0  # idempotent

    report = MonthlyReport.objects.get(county=tree["shangzhou"], month=MONTH)
    lines = {line.code: line for line in report.current_revision.lines.all()}
    assert lines["members_new"].computed_value == lines["members_new"].value == 3
    assert lines["members_new_migrant"].value == 1
    assert lines["mutualaid_avg_days_to_pay"].value is None  # nothing paid: no average
    assert lines["warmth_visits"].value is None and lines["warmth_visits"].source == Indicator.Source.ENTERED
    assert report.due_on == date(2026, 11, 5) and report.status == Status.DRAFT
    other = MonthlyReport.objects.get(county=tree["shanyang"], month=MONTH)
    assert other.current_revision.lines.get(code="members_new").value == 0


def test_county_files_city_returns_county_resubmits_city_approves(reports, county_user, city_user):
    report = reports["shangzhou"]
    with at(date(2026, 11, 2)):
        result = services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    assert result.submitted
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and not report.is_late

    services.report_return(actor=city_user, report=report, comment="送温暖金额有误")
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    services.report_file(actor=county_user, report=report, figures={"warmth_amount": "3700"}, submit=True)
    services.report_approve(actor=city_user, report=report)
    report.refresh_from_db()
    assert report.is_locked and report.approved_revision_id == report.current_revision_id
    kinds = list(report.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["prefilled", "saved", "submitted", "returned", "saved", "resubmitted", "approved"]
    assert selectors.approved_values(MONTH)[report.county_id]["warmth_amount"] == Decimal("3700.00")


def test_double_submission_changes_nothing(reports, county_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    again = services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    assert again.already_submitted
    assert report.events.filter(kind=ReportEvent.Kind.SUBMITTED).count() == 1
    with pytest.raises(ValidationError, match="等待市总工会审核|waiting for the city"):
        services.report_file(actor=county_user, report=report, figures={"warmth_visits": "99"}, submit=True)
    assert report.current_revision.lines.get(code="warmth_visits").value == 12


def test_bad_figures_are_refused_with_the_indicators_named_and_nothing_saved(reports, county_user):
    report = reports["shangzhou"]
    with pytest.raises(ValidationError) as caught:
        services.report_file(
            actor=county_user,
            report=report,
            figures={"warmth_visits": "-1", "warmth_amount": "12.345", "members_new": "abc", "nope": "1"},
        )
    text = " ".join(caught.value.messages)
    assert "送温暖走访" in text and "送温暖金额" in text and "nope" in text
    assert not report.current_revision.lines.exclude(value=None).filter(code__startswith="warmth").exists()


def test_overriding_a_computed_figure_needs_a_reason(reports, county_user):
    report = reports["shangzhou"]
    with pytest.raises(ValidationError):
        services.report_file(actor=county_user, report=report, figures={"members_new": "5"})
    services.report_file(
        actor=county_user, report=report, figures={"members_new": "5"}, reasons={"members_new": "补录线下入会"}
    )
    line = report.current_revision.lines.get(code="members_new")
    assert line.value == 5 and line.computed_value == 0 and line.override_reason == "补录线下入会"


def test_blocking_cross_check_refuses_the_submission(reports, county_user):
    report = reports["shangzhou"]
    figures = {**FULL, "members_new_migrant": "3"}
    with pytest.raises(ValidationError, match="新增会员"):
        services.report_file(
            actor=county_user, report=report, figures=figures, reasons={"members_new_migrant": "线下"}, submit=True
        )
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert report.current_revision.lines.get(code="members_new_migrant").value == 0  # rolled back


def test_missing_entered_figure_refuses_the_submission(reports, county_user):
    with pytest.raises(ValidationError, match="送温暖金额"):
        services.report_file(
            actor=county_user, report=reports["shangzhou"], figures={"warmth_visits": "1"}, submit=True
        )


def test_a_county_cannot_file_for_another(reports, other_county_user):
    with pytest.raises(Http404):
        services.report_file(actor=other_county_user, report=reports["shangzhou"], figures=FULL)


def test_locked_month_refuses_figures_until_a_correction_is_opened(reports, county_user, city_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    services.report_approve(actor=city_user, report=report)
    with pytest.raises(ValidationError, match="锁定|locked"):
        services.report_file(actor=county_user, report=report, figures={"warmth_visits": "13"})

    revision = services.report_correction_open(actor=county_user, report=report, reason="漏报一次走访")
    assert revision.number == 2 and revision.status == Status.DRAFT
    services.report_file(actor=county_user, report=report, figures={"warmth_visits": "13"}, submit=True)
    # Until the correction is approved the approved figures stay those of revision 1.
    assert selectors.approved_values(MONTH)[report.county_id]["warmth_visits"] == 12
    services.report_approve(actor=city_user, report=report)
    assert selectors.approved_values(MONTH)[report.county_id]["warmth_visits"] == 13
    first = report.revisions.get(number=1)
    assert first.status == Status.APPROVED and first.lines.get(code="warmth_visits").value == 12


def test_past_months_keep_the_catalogue_they_were_filed_with(reports, county_user):
    Indicator.objects.filter(code="warmth_visits").update(name="送温暖慰问人次")
    next_year = services.catalogue_for_year(2027)
    next_year.entries.filter(indicator__code="warmth_amount").delete()
    assert Catalogue.objects.count() == 2
    line = reports["shangzhou"].current_revision.lines.get(code="warmth_visits")
    assert line.name == "送温暖走访"
    services.reports_prefill(month=date(2027, 1, 1))
    jan = MonthlyReport.objects.get(county=reports["shangzhou"].county, month=date(2027, 1, 1))
    codes = set(jan.current_revision.lines.values_list("code", flat=True))
    assert "warmth_amount" not in codes
    assert jan.current_revision.lines.get(code="warmth_visits").name == "送温暖慰问人次"


def test_approved_series_has_every_month(reports, county_user, city_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    services.report_approve(actor=city_user, report=report)
    series = selectors.approved_series(report.county_id, until=date(2026, 11, 1), months=3)
    assert series[report.county_id]["warmth_visits"] == [
        (date(2026, 9, 1), None),
        (date(2026, 10, 1), 12),
        (date(2026, 11, 1), None),
    ]


def test_transitions_notify_the_other_side(reports, county_user, city_user):
    from unionportal.notifications.models import Notice

    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    assert Notice.objects.get(kind="report.submitted").recipient_user == city_user
    services.report_return(actor=city_user, report=report, comment="请核实")
    returned = Notice.objects.get(kind="report.returned")
    assert returned.recipient_user == county_user and "请核实" in returned.body
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    services.report_approve(actor=city_user, report=report)
    assert Notice.objects.get(kind="report.approved").recipient_user == county_user
    assert Notice.objects.filter(kind="report.submitted").count() == 2
