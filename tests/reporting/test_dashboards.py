"""The city and county dashboards: scope (the city, the own county, another county → 404, anonymous → sign-in),
the chart's CSV equal to the table under it, and a bounded number of queries."""

import csv
import io
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reporting.models import Indicator, Target
from reporting.ranking import services as ranking_services

from .ranking_helpers import file_and_approve

OCT = date(2026, 10, 1)


@pytest.fixture
def approved(tree, catalogue, county_user, other_county_user, city_user):
    """October 2025 and 2026 approved for 商州区, October 2026 for 山阳县; a target for 商州区."""
    file_and_approve(
        county=tree["shangzhou"],
        month=date(2025, 10, 1),
        filer=county_user,
        approver=city_user,
        figures={"mutualaid_premiums": "4000", "members_new": 30},
        on=date(2025, 11, 3),
    )
    file_and_approve(
        county=tree["shangzhou"],
        month=OCT,
        filer=county_user,
        approver=city_user,
        figures={"mutualaid_premiums": "5000", "members_new": 40},
        on=date(2026, 11, 3),
    )
    file_and_approve(county=tree["shanyang"], month=OCT, filer=other_county_user, approver=city_user,
                     figures={"mutualaid_premiums": "1500.50", "members_new": 12}, on=date(2026, 11, 4))  # fmt: skip
    Target.objects.create(year=2026, county=tree["shangzhou"], indicator=Indicator.objects.get(code="members_new"),
                          value=500)  # fmt: skip
    ranking_services.ranking_rule_for_year(2026)  # made on first use, once a year


class TableReader(HTMLParser):
    """The cells of the table with a given data-testid, "—" read as empty (as the CSV has it)."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("" if self.cell.strip() == "—" else self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.inside and self.cell is not None:
            self.cell += data


def table(page: str, testid: str) -> list[list[str]]:
    reader = TableReader(testid)
    reader.feed(page)
    return [row for row in reader.rows if row]


def test_city_dashboard_charts_every_county_and_downloads_match_the_tables(
    client, approved, city_user, django_assert_max_num_queries
):
    client.force_login(city_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reporting:dashboard"), {"month": "2026-10"})
    assert response.status_code == 200
    page = response.content.decode()
    ids = [item["chart"]["id"] for item in response.context["charts"]]
    assert "trend-members_new" in ids and "counties-mutualaid_premiums" in ids
    assert page.count("<canvas") == len(ids)
    counties_table = table(page, "chart-table-counties-mutualaid_premiums")
    assert counties_table[0] == ["县区", "2026年累计", "2025年同期", "2026年度目标"]
    assert counties_table[1:] == [["商州区总工会", "5000.00", "4000.00", ""], ["山阳县总工会", "1500.50", "", ""]]
    trend = table(page, "chart-table-trend-members_new")
    assert trend[-1] == ["2026-10", "52"] and trend[-13] == ["2025-10", "30"] and trend[-2] == ["2026-09", ""]
    for chart_id in ("trend-members_new", "counties-mutualaid_premiums", "counties-members_new"):
        url = reverse("reporting:chart-download", args=["city", chart_id])
        download = client.get(url, {"month": "2026-10"})
        assert download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert rows == table(page, f"chart-table-{chart_id}")


def test_county_staff_see_their_own_county_only(client, approved, county_user, django_assert_max_num_queries):
    client.force_login(county_user)
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/611002/")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reporting:county-dashboard", args=["611002"]), {"month": "2026-10"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "山阳县总工会" not in page
    trend = table(page, "chart-table-trend-members_new")
    assert trend[0] == ["月份", "商州区总工会", "上年同月"] and trend[-1] == ["2026-10", "40", "30"]
    summaries = {item["chart"]["id"]: item["chart"]["summary"] for item in response.context["charts"]}
    assert summaries["trend-members_new"] == {"ytd": "40", "target": "500"}
    csv_url = reverse("reporting:chart-download", args=["611002", "trend-members_new"])
    rows = list(csv.reader(io.StringIO(client.get(csv_url, {"month": "2026-10"}).content.decode("utf-8-sig"))))
    assert rows == trend


def test_another_county_the_city_view_and_anonymous_visitors(client, approved, county_user, tree):
    other = reverse("reporting:county-dashboard", args=["611024"])
    assert client.get(other).status_code == 302  # to sign in
    assert "login" in client.get(reverse("reporting:dashboard"))["Location"]
    client.force_login(county_user)
    assert client.get(other).status_code == 404
    assert client.get(reverse("reporting:chart-download", args=["611024", "trend-members_new"])).status_code == 404
    assert client.get(reverse("reporting:county-dashboard", args=["city"])).status_code == 404
    assert client.get(reverse("reporting:chart-download", args=["city", "trend-members_new"])).status_code == 404
    assert client.get(reverse("reporting:county-dashboard", args=["611002001001"])).status_code == 404  # a union


def test_city_staff_open_any_county(client, approved, city_user):
    client.force_login(city_user)
    response = client.get(reverse("reporting:county-dashboard", args=["611024"]), {"month": "2026-10"})
    assert response.status_code == 200 and "山阳县总工会" in response.content.decode()
