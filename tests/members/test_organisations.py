from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import uscc

from members.models import Member
from members.tasks import refresh_certificate_alerts
from tests.factories import UserFactory, make_member, make_organisation
from unionportal.org import services as org_services
from unionportal.org.models import Organisation, OrganisationEvent


def union_credit_code(serial: str) -> str:
    code = "81611002MC" + serial
    return code + uscc.calc_check_digit(code)


@pytest.mark.django_db
class TestUnionRecords:
    def test_county_staff_creates_a_union_with_validated_codes(self, client, tree, county_user):
        client.force_login(county_user)
        url = reverse("members:organisation-create", args=[tree["shangzhou"].pk])
        bad = client.post(
            url, {"kind": "grassroots", "code": "611002009", "name": "新工会", "credit_code": "91110000600037341L"}
        )
        assert "81" in str(bad.context["form"].errors["credit_code"])
        good = client.post(
            url,
            {"kind": "grassroots", "code": "611002009", "name": "商洛新材料有限公司工会",
             "credit_code": union_credit_code("0000009"), "employee_count": "120"},
        )  # fmt: skip
        union = Organisation.objects.get(code="611002009")
        assert good.url == reverse("members:organisation-detail", args=[union.pk])
        assert Organisation.objects.get_parent(union) == tree["shangzhou"]
        assert union.events.get().kind == OrganisationEvent.Kind.CREATED

    def test_county_cannot_add_under_another_county(self, client, tree, county_user):
        client.force_login(county_user)
        response = client.post(
            reverse("members:organisation-create", args=[tree["shanyang"].pk]),
            {"kind": "grassroots", "code": "X1", "name": "x"},
        )
        assert response.status_code == 404

    def test_move_keeps_history_and_members_follow(self, client, tree, city_user):
        township = make_organisation(parent=tree["shanyang"], kind=Organisation.Kind.TOWNSHIP, code="611024002")
        member = make_member(union=tree["union_sz"])
        client.force_login(city_user)
        client.post(reverse("members:organisation-move", args=[tree["union_sz"].pk]), {"new_parent": township.pk})

        union = Organisation.objects.get(pk=tree["union_sz"].pk)
        assert union.path.startswith(township.path)
        member.refresh_from_db()
        assert member.org_path == union.path
        event = union.events.get(kind=OrganisationEvent.Kind.MOVED)
        assert (event.from_parent, event.to_parent) == (tree["shangzhou"], township)

    def test_merge_moves_members_and_deregisters(self, client, tree, county_user):
        other = make_organisation(parent=tree["shangzhou"], code="611002001002")
        members = [make_member(union=other) for _ in range(3)]
        client.force_login(county_user)
        client.post(
            reverse("members:organisation-merge", args=[other.pk]),
            {"target": tree["union_sz"].pk, "confirm": "on"},
        )
        other.refresh_from_db()
        assert not other.is_active and other.deregistered_on
        for member in members:
            member.refresh_from_db()
            assert member.organisation == tree["union_sz"]
            assert member.periods.get(ended_on__isnull=True).start_reason == "merged"

    def test_deregistering_a_union_with_members_is_refused(self, client, tree, county_user):
        make_member(union=tree["union_sz"])
        client.force_login(county_user)
        page = client.post(
            reverse("members:organisation-deregister", args=[tree["union_sz"].pk]), {"reason": "企业关闭"}, follow=True
        ).content.decode()
        assert Organisation.objects.get(pk=tree["union_sz"].pk).is_active
        assert "仍有 1 名在籍会员" in page

    def test_detail_of_another_county_is_404_and_list_query_count_is_flat(
        self, client, tree, county_user, django_assert_max_num_queries
    ):
        client.force_login(county_user)
        assert client.get(reverse("members:organisation-detail", args=[tree["union_sy"].pk])).status_code == 404
        url = reverse("members:organisation-detail", args=[tree["shangzhou"].pk])
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        for n in range(8):
            make_organisation(parent=tree["shangzhou"], code=f"61100200{n}999")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)


@pytest.mark.django_db
class TestCertificates:
    def file(self, client, union, **data):
        return client.post(reverse("members:certificate-case-create", args=[union.pk]), data, follow=True)

    def test_new_certificate_then_change_of_particulars_within_30_days(self, client, tree, county_user):
        client.force_login(county_user)
        self.file(client, tree["union_sz"], kind="new", certificate_number="工法证字第611002001号",
                  valid_from="2026-01-01", valid_until="2031-01-01")  # fmt: skip
        union = Organisation.objects.get(pk=tree["union_sz"].pk)
        assert union.certificate_number == "工法证字第611002001号"

        org_services.organisation_update(actor=county_user, organisation=union, data={"chair_name": "新主席"})
        union.refresh_from_db()
        assert union.particulars_changed_on == timezone.localdate()

        self.file(client, union, kind="change", note="主席换届")
        union.refresh_from_db()
        assert union.particulars_changed_on is None
        assert not union.certificate_cases.get(kind="change").reported_late

    def test_daily_job_lists_expiring_and_unreported_changes_on_the_county_workbench(
        self, client, tree, county_user, other_county_user
    ):
        today = date(2026, 11, 22)
        soon = make_organisation(parent=tree["shangzhou"], code="611002001003")
        late = make_organisation(parent=tree["shangzhou"], code="611002001004")
        Organisation.objects.filter(pk=soon.pk).update(
            certificate_number="A1", certificate_valid_until=today + timedelta(days=40)
        )
        Organisation.objects.filter(pk=late.pk).update(
            certificate_number="A2", certificate_valid_until=today + timedelta(days=900),
            particulars_changed_on=today - timedelta(days=31),
        )  # fmt: skip
        with time_machine.travel(today):
            assert refresh_certificate_alerts() == 2
            assert refresh_certificate_alerts() == 0  # run twice: nothing more changes

        assert Organisation.objects.get(pk=soon.pk).alert == "expiring"
        assert Organisation.objects.get(pk=late.pk).alert == "change_unreported"
        client.force_login(county_user)
        workbench = client.get("/")
        items = {item.title: item for item in workbench.context["items"]}
        certificate = next(item for title, item in items.items() if "证" in title or "certificate" in title.lower())
        assert (certificate.count, certificate.overdue) == (2, 1)
        client.force_login(other_county_user)
        assert not [i for i in client.get("/").context["items"] if i.count and "certificate" in i.url]

    def test_the_alerts_show_the_configured_window(self, client, settings, tree, county_user):
        # Given a federation that warns 90 days before a certificate expires, and a certificate ending in 80
        settings.CERTIFICATE_EXPIRY_WARNING_DAYS = 90
        today = date(2026, 11, 22)
        soon = make_organisation(parent=tree["shangzhou"], code="611002001005")
        late = make_organisation(parent=tree["shangzhou"], code="611002001006")
        Organisation.objects.filter(pk=soon.pk).update(
            certificate_number="A3", certificate_valid_until=today + timedelta(days=80)
        )
        Organisation.objects.filter(pk=late.pk).update(
            certificate_number="A4", particulars_changed_on=today - timedelta(days=31)
        )
        # When the daily job runs and county staff open the list and the union
        with time_machine.travel(today):
            refresh_certificate_alerts()
        client.force_login(county_user)
        attention = client.get(reverse("members:certificate-attention")).content.decode()
        detail = client.get(reverse("members:organisation-detail", args=[soon.pk])).content.decode()
        # Then the expiry alert names the 90 days configured, the change alert the 30 days of the rules
        assert "法人资格证书 90 天内到期" in attention and "法人资格证书 90 天内到期" in detail
        assert "变更未在 30 天内申报" in attention
        assert "60 天" not in attention

    def test_new_certificate_needs_number_and_expiry(self, client, tree, county_user):
        client.force_login(county_user)
        self.file(client, tree["union_sz"], kind="new")
        assert not Organisation.objects.get(pk=tree["union_sz"].pk).certificate_number


@pytest.mark.django_db
def test_union_officer_sees_only_their_union(client, tree):
    officer = UserFactory(organisation=tree["union_sz"], roles=["union_officer"])
    make_member(union=tree["union_sz"])
    outsider = make_member(union=tree["union_sy"])
    client.force_login(officer)
    page = client.get(reverse("members:member-list"))
    assert [m.organisation_id for m in page.context["page"].members] == [tree["union_sz"].pk]
    assert client.get(reverse("members:member-detail", args=[outsider.pk])).status_code == 404
    assert Member.objects.count() == 2


@pytest.mark.django_db
def test_county_page_counts_members_of_each_branch(client, tree, city_user):
    township = make_organisation(parent=tree["shangzhou"], kind=Organisation.Kind.TOWNSHIP, code="611002002")
    deep = make_organisation(parent=township, code="611002002001")
    make_member(union=deep)
    make_member(union=deep)
    make_member(union=tree["union_sz"])
    client.force_login(city_user)
    response = client.get(reverse("members:organisation-detail", args=[tree["shangzhou"].pk]))
    counts = {child.code: child.active_members for child in response.context["children"]}
    assert counts == {"611002001001": 1, "611002002": 2}
    assert response.context["active_members"] == 3


@pytest.mark.django_db
def test_adding_a_union_never_moves_existing_paths(tree, county_user):
    """A new sibling whose code sorts first must not renumber the others: members keep a valid scope path."""
    member = make_member(union=tree["union_sz"])
    before = dict(Organisation.objects.values_list("pk", "path"))
    org_services.organisation_create(
        actor=county_user, parent=tree["shangzhou"], fields={"kind": "grassroots", "code": "611002000001", "name": "甲"}
    )
    after = dict(Organisation.objects.values_list("pk", "path"))
    assert {pk: after[pk] for pk in before} == before
    member.refresh_from_db()
    assert member.org_path == Organisation.objects.get(pk=tree["union_sz"].pk).path
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
