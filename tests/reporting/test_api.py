"""A county's own system files its figures with a token: scoped to its county, refusals in Chinese JSON."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from reporting import services
from reporting.models import ReportEvent, ReportRevision

URL = "/api/v1/reporting/reports/{code}/{month}/"
FULL = {"warmth_visits": 7, "warmth_amount": "980.00"}


@pytest.fixture
def api(county_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=county_user)[1]}")
    return client


def test_county_reads_and_files_its_report(api, reports):
    response = api.get(URL.format(code="611002", month="2026-10"))
    assert response.status_code == 200 and response.json()["status"] == "draft"
    codes = {line["code"] for line in response.json()["lines"]}
    assert {"members_new", "warmth_visits"} <= codes

    response = api.post(URL.format(code="611002", month="2026-10"), {"figures": FULL, "submit": True}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == ReportRevision.Status.SUBMITTED and body["already_submitted"] is False
    report = reports["shangzhou"]
    assert report.events.get(kind=ReportEvent.Kind.SUBMITTED).channel == ReportEvent.Channel.API

    again = api.post(URL.format(code="611002", month="2026-10"), {"figures": FULL, "submit": True}, format="json")
    assert again.status_code == 200 and again.json()["already_submitted"] is True
    changed = api.post(URL.format(code="611002", month="2026-10"), {"figures": {"warmth_visits": 9}}, format="json")
    assert changed.status_code == 409 and changed.json()["code"] == "already_submitted"
    assert "等待市总工会审核" in changed.json()["message"]


def test_another_countys_report_is_not_found(api, reports):
    response = api.post(URL.format(code="611024", month="2026-10"), {"figures": FULL}, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。"} or response.json()["code"] == "not_found"
    assert reports["shanyang"].current_revision.lines.exclude(value=None).filter(code="warmth_visits").count() == 0


def test_bad_figures_are_refused_with_every_problem_and_nothing_saved(api, reports):
    response = api.post(
        URL.format(code="611002", month="2026-10"),
        {"figures": {"warmth_visits": -1, "warmth_amount": "abc", "bogus": 1}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("送温暖走访不能为负数" in e for e in errors)
    assert any("送温暖金额" in e for e in errors) and any("bogus" in e for e in errors)
    assert not reports["shangzhou"].current_revision.lines.filter(code__startswith="warmth").exclude(value=None)


def test_a_locked_month_is_refused(api, reports, county_user, city_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures=FULL, submit=True)
    services.report_approve(actor=city_user, report=report)
    response = api.post(URL.format(code="611002", month="2026-10"), {"figures": {"warmth_visits": 1}}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "locked"
    assert "已锁定" in response.json()["message"]


def test_a_month_without_a_report_and_a_bad_month(api, reports):
    assert api.get(URL.format(code="611002", month="2030-01")).status_code == 404
    assert api.get(URL.format(code="611002", month="2026-13")).status_code == 404


def test_without_a_token_nothing(reports):
    assert APIClient().get(URL.format(code="611002", month="2026-10")).status_code in (401, 403)


def test_a_city_account_may_read_but_not_file(reports, city_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=city_user)[1]}")
    assert client.get(URL.format(code="611002", month="2026-10")).status_code == 200
    assert client.post(URL.format(code="611002", month="2026-10"), {"figures": FULL}, format="json").status_code == 403
