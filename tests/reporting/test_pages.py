"""The monthly report pages, tried by the county that owns the report, another county, the city and an anonymous
visitor."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting import services
from reporting.models import ReportRevision

Status = ReportRevision.Status


def post_form(client, report, action="save", **values):
    data = {"action": action}
    for line in report.current_revision.lines.all():
        data[f"v_{line.code}"] = values.get(line.code, "" if line.value is None else str(line.value))
        if line.is_computed:
            data[f"r_{line.code}"] = values.get(f"r_{line.code}", "")
    return client.post(reverse("reporting:report-detail", args=[report.pk]), data)


def test_list_shows_the_county_only_its_own_report(client, reports, county_user, django_assert_max_num_queries):
    client.force_login(county_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("reporting:report-list"), {"month": "2026-10"})
    page = response.content.decode()
    assert response.status_code == 200 and "商州区总工会" in page and "山阳县总工会" not in page


def test_city_sees_every_county(client, reports, city_user):
    client.force_login(city_user)
    page = client.get(reverse("reporting:report-list"), {"month": "2026-10"}).content.decode()
    assert "商州区总工会" in page and "山阳县总工会" in page


def test_another_county_and_anonymous_visitors_cannot_open_a_report(client, reports, other_county_user):
    url = reverse("reporting:report-detail", args=[reports["shangzhou"].pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(other_county_user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "submit", "v_warmth_visits": "1"}).status_code == 404
    assert client.get(reverse("reporting:report-template", args=[reports["shangzhou"].pk])).status_code == 404


def test_county_files_through_the_form_and_the_city_approves(client, reports, county_user, city_user):
    report = reports["shangzhou"]
    client.force_login(county_user)
    response = post_form(client, report, "submit", warmth_visits="8", warmth_amount="1200.5")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED

    again = post_form(client, report, "submit", warmth_visits="8", warmth_amount="1200.5")  # the double click
    assert again.status_code == 302 and report.events.filter(kind="submitted").count() == 1

    client.force_login(city_user)
    page = client.get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert 'data-testid="approve"' in page
    client.post(reverse("reporting:report-decide", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert report.is_locked


def test_county_cannot_approve_its_own_report(client, reports, county_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures={"warmth_visits": "1", "warmth_amount": "1"},
                         submit=True)  # fmt: skip
    client.force_login(county_user)
    assert client.post(reverse("reporting:report-decide", args=[report.pk, "approve"])).status_code == 403


def test_form_errors_name_the_indicators_and_keep_what_was_typed(client, reports, county_user):
    report = reports["shangzhou"]
    client.force_login(county_user)
    response = post_form(client, report, "submit", warmth_visits="-3", warmth_amount="十二", members_new="4")
    page = response.content.decode()
    assert response.status_code == 200
    assert "送温暖走访不能为负数" in page
    assert "送温暖金额：“十二”不是数字" in page
    assert "新增会员：系统计算值为 0，修改时请填写修改原因" in page
    assert 'value="十二"' in page
    report.refresh_from_db()
    assert report.status == Status.DRAFT
    assert report.current_revision.lines.get(code="warmth_visits").value is None


def test_return_needs_a_comment_and_the_county_sees_it(client, reports, county_user, city_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures={"warmth_visits": "1", "warmth_amount": "1"},
                         submit=True)  # fmt: skip
    client.force_login(city_user)
    url = reverse("reporting:report-decide", args=[report.pk, "return"])
    client.post(url, {"comment": ""})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    client.post(url, {"comment": "走访人次偏低，请核实"})
    client.force_login(county_user)
    page = client.get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert "走访人次偏低，请核实" in page and 'data-testid="submit"' in page


def test_correction_after_approval_keeps_the_first_revision_visible(client, reports, county_user, city_user):
    report = reports["shangzhou"]
    services.report_file(actor=county_user, report=report, figures={"warmth_visits": "1", "warmth_amount": "1"},
                         submit=True)  # fmt: skip
    services.report_approve(actor=city_user, report=report)
    client.force_login(county_user)
    client.post(reverse("reporting:report-correct", args=[report.pk]), {"reason": "漏报"})
    page = client.get(reverse("reporting:report-detail", args=[report.pk])).content.decode()
    assert page.count('data-testid="revision"') == 2 and "漏报" in page


# --- xlsx ----------------------------------------------------------------------------------------


def template(client, report):
    response = client.get(reverse("reporting:report-template", args=[report.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, report, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "report.xlsx"
    return client.post(reverse("reporting:report-upload", args=[report.pk]), {"file": buffer}, follow=True)


def fill(sheet, **values):
    for row in sheet.iter_rows(min_row=4):
        if row[0].value in values:
            row[4].value = values[row[0].value]


def test_xlsx_round_trip(client, reports, county_user):
    report = reports["shangzhou"]
    client.force_login(county_user)
    book = template(client, report)
    sheet = book.active
    assert sheet["B2"].value == "611002" and sheet["A3"].value == "指标代码"
    fill(sheet, warmth_visits=15, warmth_amount=2500.5)
    response = upload(client, report, book)
    assert "修改2项数据" in response.content.decode()
    assert report.current_revision.lines.get(code="warmth_amount").value == pytest.approx(2500.5)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda s: s.insert_cols(2), "第3行：列与模板不一致"),
        (lambda s: fill(s, warmth_visits="很多"), "第"),
        (lambda s: s.cell(row=4, column=1, value="no_such_code"), "未知指标代码 no_such_code"),
        (lambda s: fill(s, warmth_visits=-2), "不能为负数"),
        (lambda s: fill(s, warmth_visits=2.5), "必须为整数"),
        (lambda s: s.cell(row=2, column=2, value="611024"), "不是商州区总工会"),
    ],
)
def test_bad_xlsx_is_refused_naming_the_row_and_nothing_is_saved(client, reports, county_user, damage, message):
    report = reports["shangzhou"]
    client.force_login(county_user)
    book = template(client, report)
    fill(book.active, warmth_visits=15, warmth_amount=100)
    damage(book.active)
    page = upload(client, report, book).content.decode()
    assert message in page
    assert not report.current_revision.lines.filter(code__startswith="warmth").exclude(value=None).exists()


def test_not_an_xlsx_is_refused(client, reports, county_user):
    client.force_login(county_user)
    junk = io.BytesIO(b"not a workbook")
    junk.name = "report.xlsx"
    page = client.post(
        reverse("reporting:report-upload", args=[reports["shangzhou"].pk]), {"file": junk}, follow=True
    ).content.decode()
    assert "不是Excel工作簿" in page


def test_workbench_counts_reports(client, reports, county_user, city_user):
    client.force_login(county_user)
    assert "待填报月报" in client.get(reverse("core:workbench")).content.decode()
    services.report_file(actor=county_user, report=reports["shangzhou"],
                         figures={"warmth_visits": "1", "warmth_amount": "1"}, submit=True)  # fmt: skip
    client.force_login(city_user)
    assert "待审核月报" in client.get(reverse("core:workbench")).content.decode()


def test_city_configures_next_years_catalogue_without_code(client, catalogue, city_user, county_user):
    from reporting.models import Catalogue, CheckRule, Indicator

    url = reverse("reporting:catalogue")
    client.force_login(county_user)
    assert client.get(url).status_code == 403
    client.force_login(city_user)
    assert client.get(url, {"year": 2027}).status_code == 200
    form = {"action": "indicator", "year": 2027, "ind-code": "summer_cool", "ind-name": "夏送清凉人次",
            "ind-unit": "person_time", "ind-value_kind": "whole", "ind-non_negative": "on"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302
    summer = Indicator.objects.get(code="summer_cool")
    assert summer.source == Indicator.Source.ENTERED
    members_new = Indicator.objects.get(code="members_new")
    client.post(url, {"action": "catalogue", "year": 2027, "include": [summer.pk, members_new.pk],
                      f"position_{summer.pk}": "1", f"position_{members_new.pk}": "2"})  # fmt: skip
    entries = list(Catalogue.objects.get(year=2027).entries.values_list("indicator__code", flat=True))
    assert entries == ["summer_cool", "members_new"]
    assert Catalogue.objects.get(year=2026).entries.count() > 2  # this year's untouched
    client.post(url, {"action": "rule", "year": 2027, "rule-left": summer.pk, "rule-operator": "le",
                      "rule-right": summer.pk, "rule-blocking": "on"})  # fmt: skip
    assert not CheckRule.objects.filter(left=summer).exists()  # a rule compares two different indicators
