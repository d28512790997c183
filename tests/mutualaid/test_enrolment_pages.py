import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from mutualaid import services
from mutualaid.models import EnrolmentBatch, Policy
from tests.factories import UserFactory, id_number, make_member

D = Decimal


def xlsx(*rows, heading="身份证号"):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", heading])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "enrol.xlsx"
    return buffer


def batch_data(union, plan, **overrides):
    data = {
        "union": union.pk, "plan": plan.pk, "shares": "2", "payer": EnrolmentBatch.Payer.UNIT, "sponsor_name": "",
        "basic_insurance": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestBuildBatch:
    def test_officer_sees_own_union_preselected_and_running_covers(self, client, officer, covered_member):
        client.force_login(officer)
        response = client.get(reverse("mutualaid:enrolment-create"))
        assert response.status_code == 200 and response.context["union"] == officer.organisation
        rows = dict(response.context["members"])
        assert rows[covered_member] == ["住院综合"]  # enrolling again will be a renewal

    def test_picking_members_builds_a_batch_with_refusals_and_renewals(
        self, client, tree, clerk, inpatient_plan, covered_member
    ):
        new = make_member(union=tree["union_sz"], name="王敏")
        too_young = make_member(
            union=tree["union_sz"], name="李小", id_number=id_number(f"612501{timezone.localdate().year - 15}0101001")
        )
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"),
            batch_data(tree["union_sz"], inpatient_plan, members=[new.pk, too_young.pk, covered_member.pk]),
        )
        batch = EnrolmentBatch.objects.exclude(policies__member=covered_member, policies__status="active").get()
        assert response.url == reverse("mutualaid:enrolment-detail", args=[batch.pk])
        assert batch.total_premium == D("480.00")  # 2 members × 2 shares × 120
        page = client.get(response.url)
        assert [row["name"] for row in page.context["refused"]] == ["李小"]
        assert [policy.member for policy in page.context["renewals"]] == [covered_member]
        html = page.content.decode()
        assert "480.00" in html and "李小" in html

    def test_sponsor_needs_a_name_and_insurance_must_be_confirmed(self, client, tree, clerk, inpatient_plan):
        member = make_member(union=tree["union_sz"])
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"),
            batch_data(tree["union_sz"], inpatient_plan, members=[member.pk], payer="sponsor", basic_insurance=""),
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"sponsor_name", "basic_insurance"}
        assert not EnrolmentBatch.objects.exists()

    def test_xlsx_upload_enrols_the_listed_members(self, client, tree, clerk, inpatient_plan):
        first, second = make_member(union=tree["union_sz"]), make_member(union=tree["union_sz"])
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"),
            {**batch_data(tree["union_sz"], inpatient_plan, shares="1"),
             "upload": xlsx(("甲", first.id_number), ("乙", second.id_number.lower()))},
        )  # fmt: skip
        batch = EnrolmentBatch.objects.get()
        assert response.url == reverse("mutualaid:enrolment-detail", args=[batch.pk])
        assert set(batch.policies.values_list("member", flat=True)) == {first.pk, second.pk}

    def test_xlsx_with_a_malformed_row_and_a_stranger_creates_nothing(self, client, tree, clerk, inpatient_plan):
        member = make_member(union=tree["union_sz"])
        elsewhere = make_member(union=tree["union_sy"])
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"),
            {**batch_data(tree["union_sz"], inpatient_plan),
             "upload": xlsx(("甲", member.id_number), ("乙", "61250119800101123"), ("丙", elsewhere.id_number))},
        )  # fmt: skip
        assert response.status_code == 200 and not EnrolmentBatch.objects.exists() and not Policy.objects.exists()
        errors = response.context["upload_errors"]
        assert len(errors) == 2
        assert errors[0].startswith("第3行") and "18" in errors[0]
        assert errors[1].startswith("第4行") and elsewhere.id_number[-4:] in errors[1]

    def test_a_file_that_is_not_xlsx_is_refused(self, client, tree, clerk, inpatient_plan):
        client.force_login(clerk)
        junk = io.BytesIO(b"not a workbook")
        junk.name = "list.xlsx"
        response = client.post(
            reverse("mutualaid:enrolment-create"), {**batch_data(tree["union_sz"], inpatient_plan), "upload": junk}
        )
        assert response.status_code == 200 and len(response.context["upload_errors"]) == 1
        assert not EnrolmentBatch.objects.exists()

    def test_a_file_without_the_id_column_is_refused(self, client, tree, clerk, inpatient_plan):
        member = make_member(union=tree["union_sz"])
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"),
            {**batch_data(tree["union_sz"], inpatient_plan), "upload": xlsx(("甲", member.id_number), heading="证件")},
        )
        assert "身份证号" in response.context["upload_errors"][0] and not EnrolmentBatch.objects.exists()

    def test_another_countys_union_cannot_be_chosen(self, client, tree, clerk, inpatient_plan):
        member = make_member(union=tree["union_sy"])
        client.force_login(clerk)
        response = client.post(
            reverse("mutualaid:enrolment-create"), batch_data(tree["union_sy"], inpatient_plan, members=[member.pk])
        )
        assert response.status_code == 200 and not EnrolmentBatch.objects.exists()


@pytest.fixture
def submitted(tree, clerk, inpatient_plan):
    member = make_member(union=tree["union_sz"], name="赵强")
    return services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[member], shares=1,
        payer=EnrolmentBatch.Payer.SPONSOR, sponsor_name="县委组织部", basic_insurance_confirmed=True,
    ).batch  # fmt: skip


@pytest.mark.django_db
class TestPayment:
    def test_payment_recorded_once_and_cover_dates_shown(self, client, clerk, submitted):
        client.force_login(clerk)
        today = timezone.localdate()
        url = reverse("mutualaid:enrolment-pay", args=[submitted.pk])
        client.post(url, {"reference": "转账001", "paid_on": today.isoformat()})
        client.post(url, {"reference": "转账002", "paid_on": (today - timedelta(days=1)).isoformat()})
        submitted.refresh_from_db()
        assert submitted.status == EnrolmentBatch.Status.PAID and submitted.payment_reference == "转账001"
        policy = submitted.policies.get()
        assert policy.starts_on == today + timedelta(days=1)
        assert policy.waiting_ends_on == policy.starts_on + timedelta(days=90)
        page = client.get(reverse("mutualaid:enrolment-detail", args=[submitted.pk]))
        assert page.context["payment_form"] is None
        html = page.content.decode()
        for day in (policy.starts_on, policy.ends_on, policy.waiting_ends_on):
            assert day.isoformat() in html

    def test_member_page_shows_the_cover(self, client, clerk, submitted):
        client.force_login(clerk)
        paid_on = timezone.localdate()
        client.post(reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "R1", "paid_on": paid_on})
        policy = submitted.policies.get()
        page = client.get(reverse("members:member-detail", args=[policy.member_id])).content.decode()
        assert "住院综合" in page and policy.waiting_ends_on.isoformat() in page

    def test_payment_without_reference_changes_nothing(self, client, clerk, submitted):
        client.force_login(clerk)
        client.post(reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "", "paid_on": "2026-01-01"})
        submitted.refresh_from_db()
        assert submitted.status == EnrolmentBatch.Status.SUBMITTED

    def test_the_union_officer_who_enrols_cannot_record_the_payment(self, client, officer, submitted):
        client.force_login(officer)
        page = client.get(reverse("mutualaid:enrolment-detail", args=[submitted.pk]))
        assert page.status_code == 200 and page.context["payment_form"] is None
        assert 'data-testid="payment-awaited"' in page.content.decode()

        back_dated = (timezone.localdate() - timedelta(days=120)).isoformat()
        response = client.post(
            reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "R", "paid_on": back_dated}
        )

        assert response.status_code == 403
        submitted.refresh_from_db()
        assert submitted.status == EnrolmentBatch.Status.SUBMITTED

    def test_a_payment_dated_before_the_batch_is_refused(self, client, clerk, submitted):
        client.force_login(clerk)
        back_dated = (timezone.localdate() - timedelta(days=120)).isoformat()

        response = client.post(
            reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "R", "paid_on": back_dated},
            follow=True,
        )  # fmt: skip

        submitted.refresh_from_db()
        assert submitted.status == EnrolmentBatch.Status.SUBMITTED
        assert any("提交" in str(m) for m in response.context["messages"])

    def test_viewer_without_add_permission_cannot_pay(self, client, tree, submitted):
        reviewer = UserFactory(username="rv_pay", organisation=tree["shangzhou"], roles=["reviewer"])
        client.force_login(reviewer)
        response = client.post(
            reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "X", "paid_on": "2026-01-01"}
        )
        assert response.status_code == 403


@pytest.mark.django_db
class TestScope:
    def test_county_user_sees_the_batch_in_list_and_detail(
        self, client, clerk, submitted, django_assert_max_num_queries
    ):
        client.force_login(clerk)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("mutualaid:enrolment-list"))
        assert [batch.pk for batch in response.context["batches"]] == [submitted.pk]
        assert client.get(reverse("mutualaid:enrolment-detail", args=[submitted.pk])).status_code == 200

    def test_other_county_gets_404(self, client, tree, submitted):
        outsider = UserFactory(username="sy_clerk", organisation=tree["shanyang"], roles=["counter_clerk"])
        client.force_login(outsider)
        assert client.get(reverse("mutualaid:enrolment-detail", args=[submitted.pk])).status_code == 404
        paid = client.post(
            reverse("mutualaid:enrolment-pay", args=[submitted.pk]), {"reference": "X", "paid_on": "2026-01-01"}
        )
        assert paid.status_code == 404
        assert client.get(reverse("mutualaid:enrolment-list")).context["batches"] == []
        sheet = client.get(reverse("mutualaid:renewal-sheet"), {"union": tree["union_sz"].pk})
        assert sheet.status_code == 404

    def test_anonymous_is_sent_to_login(self, client, submitted):
        for url in (
            reverse("mutualaid:enrolment-list"),
            reverse("mutualaid:enrolment-create"),
            reverse("mutualaid:enrolment-detail", args=[submitted.pk]),
            reverse("mutualaid:renewal-sheet") + f"?union={submitted.organisation_id}",
        ):
            response = client.get(url)
            assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.django_db
def test_member_page_shows_covers_in_a_constant_number_of_queries(
    client, tree, clerk, inpatient_plan, covered_member, django_assert_max_num_queries
):
    from mutualaid.models import EnrolmentBatch

    url = reverse("members:member-detail", args=[covered_member.pk])
    client.force_login(clerk)
    with django_assert_max_num_queries(40) as one_cover:
        client.get(url)
    for _ in range(3):  # three renewals: four covers
        batch = services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[covered_member], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        ).batch  # fmt: skip
        services.enrolment_batch_pay(actor=clerk, batch=batch, reference="R", paid_on=timezone.localdate())
    with django_assert_max_num_queries(len(one_cover.captured_queries)):
        page = client.get(url)
    covers = page.content.decode().split('data-testid="member-covers"')[1].split("</ul>")[0]
    assert covers.count("住院综合") == 4
