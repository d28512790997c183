"""Targets, weights and the bulletin through the pages and services: the ranking from approved figures, weights
changed without code, publishing (once, with one notice per county reader), the frozen copy, the files."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting import services
from reporting.models import Bulletin, Indicator, Target
from reporting.ranking import services as ranking_services
from tests.factories import UserFactory
from unionportal.notifications.models import Notice

from .ranking_helpers import at, file_and_approve

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
TODAY = date(2026, 11, 30)


@pytest.fixture
def october(tree, catalogue, county_user, other_county_user, city_user):
    """October approved for both counties. 商州区 filed on time (3 Nov), 山阳县 late (7 Nov).

    Targets 2026: 互助金 商州区 120,000 and 山阳县 60,000; 新增会员 1,200 each. October is month 10 (10/12 elapsed):
    商州区 互助金 100,000 → 100000 / (120000 × 10/12) = 1.0 → 100; 新增会员 800 → 800 / 1000 = 0.8 → 80; P = 90.
    山阳县 互助金 30,000 → 30000 / 50000 = 0.6 → 60; 新增会员 1,500 → 1500 / 1000 = 1.5 → 150; P = 105.
    Nothing approved a year earlier: growth level (100) for both. 商州区 on time T = 100, 山阳县 late T = 0.
    商州区 (60 × 90 + 25 × 100 + 15 × 100) / 100 = 94.00; 山阳县 (60 × 105 + 25 × 100 + 0) / 100 = 88.00.
    """
    rule = ranking_services.ranking_rule_for_year(2026)
    assert (rule.weight_progress, rule.weight_growth, rule.weight_on_time) == (60, 25, 15)
    premiums, members = Indicator.objects.get(code="mutualaid_premiums"), Indicator.objects.get(code="members_new")
    for county, p, m in ((tree["shangzhou"], 120000, 1200), (tree["shanyang"], 60000, 1200)):
        Target.objects.create(year=2026, county=county, indicator=premiums, value=p)
        Target.objects.create(year=2026, county=county, indicator=members, value=m)
    sz = file_and_approve(
        county=tree["shangzhou"], month=OCT, filer=county_user, approver=city_user,
        figures={"mutualaid_premiums": "100000", "members_new": 800}, on=date(2026, 11, 3),
    )  # fmt: skip
    sy = file_and_approve(
        county=tree["shanyang"], month=OCT, filer=other_county_user, approver=city_user,
        figures={"mutualaid_premiums": "30000", "members_new": 1500}, on=date(2026, 11, 7),
    )  # fmt: skip
    assert not sz.is_late and sy.is_late
    return {"shangzhou": sz, "shanyang": sy}


def ranking_of(client, month=OCT):
    response = client.get(reverse("reporting:bulletin-detail", args=[f"{month:%Y-%m}"]))
    assert response.status_code == 200
    return [(r["rank"], r["county"], r["score"]) for r in response.context["data"]["ranking"]], response


def test_preview_ranks_the_approved_figures_as_computed_by_hand(client, october, city_user):
    client.force_login(city_user)
    ranking, response = ranking_of(client)
    assert ranking == [(1, "商州区总工会", "94.00"), (2, "山阳县总工会", "88.00")]
    page = response.content.decode()
    assert "预览" in page and 'data-testid="publish"' in page
    rows = {r["county"]: r for r in response.context["data"]["ranking"]}
    # 先进: 互助金 at 100000 × 12 ≥ 120000 × 10 is on schedule; 30000 × 12 < 60000 × 10 is behind.
    assert rows["商州区总工会"]["eligible"] is True and rows["山阳县总工会"]["eligible"] is False
    assert "不得评为先进" in page
    assert [r["county"] for r in response.context["data"]["late"]] == ["山阳县总工会"]
    totals = {r["code"]: r for r in response.context["data"]["totals"]}
    assert totals["mutualaid_premiums"]["value"] == "130000.00" and totals["members_new"]["value"] == "2300"


def test_weights_changed_on_the_page_change_the_ranking_without_code(client, october, city_user):
    client.force_login(city_user)
    rule = ranking_services.ranking_rule_for_year(2026)
    data = {"action": "rule", "year": "2026", "rule-weight_progress": "100", "rule-weight_growth": "0",
            "rule-weight_on_time": "0", "rule-ratio_cap": "1.50",
            "rule-growth_indicators": [i.pk for i in rule.growth_indicators.all()],
            "rule-eligibility_indicator": rule.eligibility_indicator_id}  # fmt: skip
    response = client.post(reverse("reporting:targets") + "?year=2026", data)
    assert response.status_code == 302
    ranking, _response = ranking_of(client)
    # Progress alone: 山阳县 105.00 ahead of 商州区 90.00.
    assert ranking == [(1, "山阳县总工会", "105.00"), (2, "商州区总工会", "90.00")]
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(content_type__model="rankingrule", object_pk=str(rule.pk)).exists()


def test_targets_page_saves_changes_audited_and_refuses_bad_figures_naming_them(client, october, city_user, tree):
    client.force_login(city_user)
    url = reverse("reporting:targets") + "?year=2026"
    page = client.get(url)
    assert page.status_code == 200
    premiums = Indicator.objects.get(code="mutualaid_premiums")
    name = f"t_{tree['shangzhou'].pk}_{premiums.pk}"
    posted = {cell["name"]: cell["value"] for row in page.context["grid"] for cell in row["cells"]}
    response = client.post(url, {**posted, name: "-5", "action": "targets", "year": "2026"})
    assert response.status_code == 200 and "商州区总工会 · 互助金" in " ".join(response.context["errors"])
    assert Target.objects.get(county=tree["shangzhou"], indicator=premiums).value == 120000
    response = client.post(url, {**posted, name: "150000", "action": "targets", "year": "2026"})
    assert response.status_code == 302
    target = Target.objects.get(county=tree["shangzhou"], indicator=premiums)
    assert target.value == 150000
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(content_type__model="target", object_pk=str(target.pk)).count() == 2


def test_county_staff_cannot_set_targets_or_preview(client, october, county_user):
    client.force_login(county_user)
    assert client.get(reverse("reporting:targets")).status_code == 403
    assert client.get(reverse("reporting:bulletin-detail", args=["2026-10"])).status_code == 404
    assert client.post(reverse("reporting:bulletin-publish", args=["2026-10"])).status_code == 403


def test_publishing_twice_makes_one_bulletin_and_one_notice_per_county_reader(
    client, october, city_user, county_user, other_county_user
):
    client.force_login(city_user)
    url = reverse("reporting:bulletin-publish", args=["2026-10"])
    with at(TODAY):
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302
        ranking_services.bulletins_publish_due(today=TODAY)  # the clock finds it published
    assert Bulletin.objects.count() == 1
    notices = Notice.objects.filter(kind="bulletin.published")
    assert sorted(notices.values_list("recipient_user__username", flat=True)) == ["sy_staff", "sz_staff"]
    assert "2026年10月" in notices.first().body

    client.force_login(county_user)
    ranking, response = ranking_of(client)
    assert ranking == [(1, "商州区总工会", "94.00"), (2, "山阳县总工会", "88.00")]
    assert "已发布" in response.content.decode()
    assert 'data-testid="publish"' not in response.content.decode()


def test_publishing_before_the_day_with_a_county_missing_is_refused(city_user, october, tree):
    services.report_correction_open(actor=city_user, report=october["shanyang"], reason="补录")
    # Both approved: allowed at once, before the bulletin day.
    assert ranking_services.can_publish(OCT, today=date(2026, 11, 8))[0]
    services.reports_prefill(month=NOV)
    assert ranking_services.can_publish(NOV, today=date(2026, 11, 30))[0] is False  # the month has not ended
    allowed, why = ranking_services.can_publish(NOV, today=date(2026, 12, 9))
    assert not allowed and "12月10日" in why
    assert ranking_services.can_publish(NOV, today=date(2026, 12, 10))[0]


def test_the_clock_publishes_on_the_bulletin_day_naming_late_counties(october, tree, county_user):
    from reporting import tasks

    services.reports_prefill(month=NOV)
    with at(date(2026, 12, 9)):
        assert tasks.bulletin_clock() == ""
    with at(date(2026, 12, 10), hour=8):
        assert tasks.bulletin_clock() == "2026-11"
        assert tasks.bulletin_clock() == ""  # safe to run twice
    bulletin = Bulletin.objects.get(month=NOV)
    assert bulletin.trigger == Bulletin.Trigger.SCHEDULE and bulletin.published_by is None and not bulletin.complete
    assert bulletin.data["not_approved"] == ["商州区总工会", "山阳县总工会"]
    assert [row["county"] for row in bulletin.data["late"]] == ["商州区总工会", "山阳县总工会"]
    assert Notice.objects.filter(kind="bulletin.published", recipient_user=county_user).count() == 1


def test_no_preview_for_a_month_nobody_filed(client, october, city_user):
    from reporting.models import RankingRule

    client.force_login(city_user)
    assert client.get(reverse("reporting:bulletin-detail", args=["2019-03"])).status_code == 404
    assert client.get(reverse("reporting:dashboard"), {"month": "2019-03"}).status_code == 200
    assert not RankingRule.objects.filter(year=2019).exists()


def test_a_published_bulletin_keeps_its_figures_and_the_correction_shows_on_the_next(
    client, october, city_user, county_user
):
    bulletin, created = ranking_services.bulletin_publish(actor=city_user, month=OCT, today=TODAY)
    assert created
    before = Bulletin.objects.get(pk=bulletin.pk).data
    report = october["shangzhou"]
    services.report_correction_open(actor=county_user, report=report, reason="互助金补录一笔团体参保")
    services.report_file(actor=county_user, report=report, figures={"mutualaid_premiums": "110000"},
                         reasons={"mutualaid_premiums": "补录"}, submit=True)  # fmt: skip
    services.report_approve(actor=city_user, report=report)

    assert Bulletin.objects.get(pk=bulletin.pk).data == before
    client.force_login(county_user)
    ranking, response = ranking_of(client)
    assert ranking[0] == (1, "商州区总工会", "94.00")
    assert {r["code"]: r["value"] for r in response.context["data"]["totals"]}["mutualaid_premiums"] == "130000.00"

    with at(date(2026, 12, 10)):
        services.reports_prefill(month=NOV)
        november, _created = ranking_services.bulletin_publish(actor=city_user, month=NOV)
    assert november.data["corrections"] == [
        {"county": "商州区总工会", "month": "2026-10", "revision": 2, "reason": "互助金补录一笔团体参保"}
    ]
    totals = {r["code"]: r for r in november.data["totals"]}
    assert totals["mutualaid_premiums"]["ytd"] == "140000.00"  # the corrected October counts from now on
    assert totals["mutualaid_premiums"]["previous"] == "140000.00"


def test_bulletin_files_carry_the_ranking(client, october, city_user):
    ranking_services.bulletin_publish(actor=city_user, month=OCT, today=TODAY)
    client.force_login(city_user)
    pdf = client.get(reverse("reporting:bulletin-file", args=["2026-10", "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "商州区总工会" in text and "94.00" in text and "不得评为先进" in text

    xlsx = client.get(reverse("reporting:bulletin-file", args=["2026-10", "xlsx"]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    sheet = workbook["排名"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["名次", "县区", "得分"]
    assert rows[1][:3] == ["1", "商州区总工会", "94.00"] and rows[2][:3] == ["2", "山阳县总工会", "88.00"]
    assert rows[2][6] == "不得评为先进"
    totals = {row[0].value: row for row in workbook["全市合计"].iter_rows(min_row=2)}
    assert totals["互助金"][2].value == "130000.00"
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(content_type__model="bulletin", action=LogEntry.Action.ACCESS).count() == 2


def test_tied_counties_share_the_rank_and_the_page_says_why(client, tree, catalogue, county_user, other_county_user,
                                                            city_user):  # fmt: skip
    # No targets, nothing a year before, both on time: 0 × 60 + 100 × 25 + 100 × 15 → 40.00 each.
    for county, filer in ((tree["shangzhou"], county_user), (tree["shanyang"], other_county_user)):
        file_and_approve(county=county, month=OCT, filer=filer, approver=city_user, figures={"members_new": 5},
                         on=date(2026, 11, 2))  # fmt: skip
    client.force_login(city_user)
    ranking, response = ranking_of(client)
    assert ranking == [(1, "商州区总工会", "40.00"), (1, "山阳县总工会", "40.00")]
    page = response.content.decode()
    assert "商州区总工会、山阳县总工会得分相同（40.00），并列第1名" in page
    assert "名次相同者不再比较其他数字" in page


def test_anonymous_visitors_are_sent_to_sign_in_and_other_roles_refused(client, october, tree):
    url = reverse("reporting:bulletin-list")
    assert client.get(url).status_code == 302
    clerk = UserFactory(username="clerk9", organisation=tree["city"], roles=["counter_clerk"])
    client.force_login(clerk)
    assert client.get(url).status_code == 403


def test_bulletin_list_shows_published_and_previews(client, october, city_user, county_user):
    ranking_services.bulletin_publish(actor=city_user, month=OCT, today=TODAY)
    client.force_login(county_user)
    page = client.get(reverse("reporting:bulletin-list")).content.decode()
    assert "2026年10月" in page and 'data-testid="preview"' not in page
    assert Decimal(Bulletin.objects.get().data["ranking"][0]["score"]) == Decimal("94.00")


def test_the_workbench_asks_city_staff_to_publish_until_it_is_done(client, october, city_user, county_user):
    client.force_login(city_user)
    with at(TODAY):
        page = client.get(reverse("core:workbench")).content.decode()
        assert "待发布的通报" in page
        ranking_services.bulletin_publish(actor=city_user, month=OCT)
        assert "待发布的通报" not in client.get(reverse("core:workbench")).content.decode()
    client.force_login(county_user)
    assert "待发布的通报" not in client.get(reverse("core:workbench")).content.decode()


def test_the_targets_page_for_next_year_makes_no_catalogue(client, catalogue, city_user):
    from reporting.models import Catalogue

    client.force_login(city_user)
    response = client.get(reverse("reporting:targets"), {"year": "2027"})
    assert response.status_code == 200
    codes = [i.code for i in response.context["indicators"]]
    assert "mutualaid_premiums" in codes and "mutualaid_on_time_rate" not in codes  # a rate is not summed
    assert not Catalogue.objects.filter(year=2027).exists()
