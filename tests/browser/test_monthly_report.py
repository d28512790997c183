"""The monthly report in a real browser: the county files, the city returns, the county fixes and resubmits,
the city approves and the month locks."""

import pytest
from django.utils import timezone

from reporting.models import MonthlyReport, ReportRevision
from tests.browser.steps import menu, sign_in, sign_out
from unionportal.core.months import previous_month
from unionportal.org.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_files_city_returns_county_resubmits_city_approves(page, live_server, demo_city, screenshot):
    month = previous_month(timezone.localdate())
    report = MonthlyReport.objects.get(county=Organisation.objects.get(code="611002"), month=month)

    sign_in(page, live_server, "county_shangzhou")
    menu(page, "月报与通报", "月报")
    page.get_by_role("link", name="商州区总工会").click()
    page.locator("#v_warmth_visits").fill("-5")
    page.locator("#v_warmth_amount").fill("3200")
    page.locator("#v_competitions_held").fill("1")
    page.locator("#v_competition_entrants").fill("30")
    page.get_by_test_id("submit").click()
    assert "送温暖走访慰问人次不能为负数" in page.get_by_test_id("errors").inner_text()
    page.locator("#v_warmth_visits").fill("25")
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("report-status").first.inner_text() == "已报送"
    screenshot(page, "report-submitted")
    sign_out(page)

    sign_in(page, live_server, "city_staff")
    page.goto(f"{live_server.url}/reporting/{report.pk}/")
    page.locator("#return_comment").fill("送温暖慰问金额与财务台账不符，请核实。")
    page.get_by_test_id("return").click()
    assert page.get_by_test_id("report-status").first.inner_text() == "已退回"
    sign_out(page)

    sign_in(page, live_server, "county_shangzhou")
    page.goto(f"{live_server.url}/reporting/{report.pk}/")
    assert "与财务台账不符" in page.get_by_test_id("return-comment").inner_text()
    page.locator("#v_warmth_amount").fill("3150.50")
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("report-status").first.inner_text() == "已报送"
    sign_out(page)

    sign_in(page, live_server, "city_staff")
    page.goto(f"{live_server.url}/reporting/{report.pk}/")
    page.get_by_test_id("approve").click()
    assert page.get_by_test_id("report-status").first.inner_text() == "已审批"
    screenshot(page, "report-approved")

    report.refresh_from_db()
    assert report.status == ReportRevision.Status.APPROVED and report.is_locked
    line = report.approved_revision.lines.get(code="warmth_amount")
    assert str(line.value) == "3150.50"
    kinds = list(report.events.exclude(kind="saved").order_by("pk").values_list("kind", flat=True))
    assert kinds[-4:] == ["submitted", "returned", "resubmitted", "approved"]
