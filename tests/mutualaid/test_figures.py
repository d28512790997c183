"""Mutual-aid figures per county and month: planted covers and claims against counts made here, scope, queries."""

import itertools
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mutualaid import figures
from mutualaid.models import Claim, EnrolmentBatch, Policy
from tests.factories import UserFactory, make_member
from unionportal.core.months import next_month
from unionportal.org.paths import county_of

pytestmark = pytest.mark.django_db

D = Decimal
MONTH = date(2025, 6, 1)
YEAR_BEFORE = date(2024, 6, 1)
_numbers = itertools.count(1)


@pytest.fixture
def staff(tree):
    return UserFactory(username="ma_fig_staff", organisation=tree["city"], roles=["city_staff"])


def plant_batch(union, version, members, *, paid_on, shares=1, status=EnrolmentBatch.Status.PAID):
    batch = EnrolmentBatch.objects.create(
        number=f"TB{next(_numbers):06d}", organisation=union, org_path=union.path, plan_version=version,
        payer=EnrolmentBatch.Payer.UNIT, status=status, paid_on=paid_on if status == "paid" else None,
        counted_in_county=county_of(union.path) if status == "paid" else None,
        created_by=UserFactory(username="planter"),
    )  # fmt: skip
    policies = [
        Policy.objects.create(
            member=m,
            batch=batch,
            plan_version=version,
            org_path=m.org_path,
            shares=shares,
            premium=version.premium_per_share * shares,
            starts_on=paid_on + timedelta(days=1),
            ends_on=paid_on + timedelta(days=365),
            waiting_ends_on=paid_on + timedelta(days=91),
            status="active",
        )  # fmt: skip
        for m in members
    ]
    return policies


def plant_claim(policy, *, status="paid", accepted: date | None, paid_on: date | None, benefit: str, due_days=30):
    accepted_at = (
        timezone.make_aware(datetime.combine(accepted, datetime.min.time()) + timedelta(hours=15)) if accepted else None
    )
    return Claim.objects.create(
        number=f"TC{next(_numbers):06d}", member=policy.member, policy=policy, org_path=policy.org_path,
        claim_type="inpatient", hospital="商洛市中心医院", admitted_on=policy.starts_on, discharged_on=policy.starts_on,
        diagnosis="肺炎", status=status, accepted_at=accepted_at,
        due_on=accepted + timedelta(days=due_days) if accepted else None, benefit=D(benefit), paid_on=paid_on,
        counted_in_county=county_of(policy.org_path) if status == "paid" else None,
        entered_by=UserFactory(username="planter"),
    )  # fmt: skip


@pytest.fixture
def planted(tree, inpatient_plan):
    """Covers and claims in both counties, in the month, a year before, and around them (to be ignored)."""
    version = inpatient_plan.versions.get()
    sz = [make_member(union=tree["union_sz"]) for _ in range(4)]
    sy = [make_member(union=tree["union_sy"]) for _ in range(3)]
    covers = {
        "sz_now": plant_batch(tree["union_sz"], version, sz[:3], paid_on=date(2025, 6, 30), shares=2),
        "sz_then": plant_batch(tree["union_sz"], version, sz[:2], paid_on=date(2024, 6, 1)),
        "sz_other": plant_batch(tree["union_sz"], version, sz[3:], paid_on=date(2025, 7, 1)),  # next month
        "sz_unpaid": plant_batch(tree["union_sz"], version, sz[3:], paid_on=date(2025, 6, 2), status="submitted"),
        "sy_now": plant_batch(tree["union_sy"], version, sy, paid_on=date(2025, 6, 15)),
    }
    p = covers["sz_then"][0]
    q = covers["sy_now"][0]
    claims = [
        # Shangzhou, June 2025: on time (10 and 30 days), late (40 days); one paid in July; one still approved.
        plant_claim(p, accepted=date(2025, 5, 25), paid_on=date(2025, 6, 4), benefit="1000.50"),
        plant_claim(p, accepted=date(2025, 5, 10), paid_on=date(2025, 6, 9), benefit="2000.00"),
        plant_claim(p, accepted=date(2025, 5, 1), paid_on=date(2025, 6, 10), benefit="499.50"),
        plant_claim(p, accepted=date(2025, 6, 20), paid_on=date(2025, 7, 1), benefit="800.00"),
        plant_claim(p, status="approved", accepted=date(2025, 6, 20), paid_on=None, benefit="900.00"),
        # Shangzhou, June 2024: one on time.
        plant_claim(p, accepted=date(2024, 6, 1), paid_on=date(2024, 6, 21), benefit="1500.00"),
        # Shanyang, June 2025.
        plant_claim(q, accepted=date(2025, 6, 1), paid_on=date(2025, 6, 30), benefit="300.00"),
    ]
    return {"covers": covers, "claims": claims, "version": version}


def expected(tree, planted, county, month):
    """The figures counted here, from the planted rows, by the definitions in mutualaid/figures.py."""
    end = next_month(month)
    covers = [
        c for batch in planted["covers"].values() for c in batch
        if c.org_path.startswith(county.path) and c.batch.status == "paid" and month <= c.batch.paid_on < end
    ]  # fmt: skip
    paid = [
        c for c in planted["claims"]
        if c.org_path.startswith(county.path) and c.status == "paid" and month <= c.paid_on < end
    ]  # fmt: skip
    days = [(c.paid_on - timezone.localtime(c.accepted_at).date()).days for c in paid]
    return {
        "enrolments": len(covers),
        "premiums": sum((c.premium for c in covers), D("0.00")),
        "claims_paid": len(paid),
        "amount_paid": sum((c.benefit for c in paid), D("0.00")),
        "on_time_rate": (D(100 * sum(c.paid_on <= c.due_on for c in paid)) / len(paid)).quantize(D("0.1"))
        if paid
        else None,
        "avg_days_to_pay": (D(sum(days)) / len(days)).quantize(D("0.1")) if days else None,
    }


def test_county_month_figures_match_counts_made_from_the_planted_rows(tree, planted):
    for county in (tree["shangzhou"], tree["shanyang"]):
        for month in (MONTH, YEAR_BEFORE, date(2025, 7, 1)):
            assert figures.county_month_figures(county, month.year, month.month) == expected(
                tree, planted, county, month
            )
    june = figures.county_month_figures(tree["shangzhou"], 2025, 6)
    # Written out once, so the definitions cannot drift together with the counting above.
    assert june == {
        "enrolments": 3, "premiums": D("720.00"), "claims_paid": 3, "amount_paid": D("3500.00"),
        "on_time_rate": D("66.7"), "avg_days_to_pay": D("26.7"),
    }  # fmt: skip


def test_a_month_without_claims_has_no_rates(tree, planted):
    empty = figures.county_month_figures(tree["shanyang"], 2023, 1)

    assert empty == {
        "enrolments": 0, "premiums": D("0.00"), "claims_paid": 0, "amount_paid": D("0.00"),
        "on_time_rate": None, "avg_days_to_pay": None,
    }  # fmt: skip


def test_scoped_figures_give_each_county_its_year_on_year_change(tree, planted, staff):
    result = figures.scoped_month_figures(staff, year=2025, month=6)

    rows = {row.organisation.code: row for row in result.rows}
    assert set(rows) == {"611002", "611024"}
    sz = rows["611002"]
    assert sz.figures == expected(tree, planted, tree["shangzhou"], MONTH)
    assert sz.previous_figures == expected(tree, planted, tree["shangzhou"], YEAR_BEFORE)
    assert sz.changes["enrolments"] == D("50.0")  # 3 against 2
    assert sz.changes["claims_paid"] == D("200.0")  # 3 against 1
    assert sz.changes["amount_paid"] == D("133.3")  # 3,500 against 1,500
    assert rows["611024"].changes["claims_paid"] is None  # nothing a year earlier
    total = result.total.figures
    assert total["claims_paid"] == 4 and total["amount_paid"] == D("3800.00") and total["enrolments"] == 6
    assert total["on_time_rate"] == D("75.0")
    # 24 months of amounts paid, ending with the month shown.
    assert len(result.series) == 24 and result.series[-1] == (MONTH, D("3800.00"))
    assert dict(result.series)[date(2024, 6, 1)] == D("1500.00")


def test_a_county_user_sees_only_their_county(tree, planted):
    user = UserFactory(username="ma_fig_sy", organisation=tree["shanyang"], roles=["county_staff"])

    result = figures.scoped_month_figures(user, year=2025, month=6)

    assert [row.organisation.code for row in result.rows] == ["611024"]
    assert result.total.figures["claims_paid"] == 1
    assert result.total.figures["amount_paid"] == D("300.00")
    assert result.series[-1] == (MONTH, D("300.00"))


def test_the_page_shows_the_table_and_the_chart_in_scope(client, tree, planted, staff):
    client.force_login(staff)

    response = client.get(reverse("mutualaid:figures"), {"month": "2025-06"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "商州区总工会" in html and "山阳县总工会" in html
    assert "3,500.00" in html and "3,800.00" in html  # money through the yuan filter
    chart = json.loads(json.dumps(response.context["chart"]))  # what json_script hands to Chart.js
    assert len(chart["labels"]) == 24 and chart["labels"][-1] == "2025-06" and chart["values"][-1] == "3800.00"
    assert "chart.umd.min.js" in html


def test_another_county_sees_none_of_shangzhou(client, tree, planted):
    user = UserFactory(username="ma_fig_sy2", organisation=tree["shanyang"], roles=["county_staff"])
    client.force_login(user)

    html = client.get(reverse("mutualaid:figures"), {"month": "2025-06"}).content.decode()

    assert "山阳县总工会" in html and "商州区总工会" not in html
    assert "3,500.00" not in html


def test_anonymous_visitors_sign_in_and_users_without_the_permission_are_refused(client, tree, auditor):
    url = reverse("mutualaid:figures")
    assert client.get(url).status_code == 302

    client.force_login(auditor)
    assert client.get(url).status_code == 403


def test_a_bad_month_falls_back_to_this_month(client, tree, staff):
    client.force_login(staff)

    response = client.get(reverse("mutualaid:figures"), {"month": "2025-13"})

    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_the_page_costs_the_same_queries_however_many_rows(client, tree, planted, staff, inpatient_plan):
    client.force_login(staff)
    url = reverse("mutualaid:figures")
    client.get(url, {"month": "2025-06"})  # warm: session, permissions
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"month": "2025-06"})

    version = planted["version"]
    more = [make_member(union=tree["union_sy"]) for _ in range(6)]
    for policy in plant_batch(tree["union_sy"], version, more, paid_on=date(2025, 6, 3)):
        plant_claim(policy, accepted=date(2025, 6, 1), paid_on=date(2025, 6, 20), benefit="100.00")
        plant_claim(policy, accepted=date(2024, 5, 1), paid_on=date(2024, 6, 2), benefit="50.00")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"month": "2025-06"})

    assert response.context["figures"].total.figures["claims_paid"] == 10
    assert len(many) == len(few)
    assert len(many) <= 12
