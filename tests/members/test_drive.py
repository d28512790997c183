"""The organising drive ledger (建会台账): list import, matching, the ledger and working its rows."""

import io
import threading

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn import uscc

from members import drive
from members.models import Enterprise, EnterpriseNote
from tests.factories import XLSX, UserFactory, xlsx_upload
from unionportal.org.models import Organisation

HEADERS = ["企业名称", "统一社会信用代码", "所在县区", "职工人数", "来源部门"]


def code(n: int, county: str = "611002") -> str:
    """A valid unified social credit code of an enterprise registered in ``county``."""
    body = f"91{county}{n:09d}"
    return body + uscc.calc_check_digit(body)


def xlsx(rows, headers=HEADERS, name="企业名单.xlsx") -> SimpleUploadedFile:
    return xlsx_upload(rows, headers, name=name)


def upload(client, rows, **kwargs):
    return client.post(reverse("members:drive-import"), {"file": xlsx(rows, **kwargs)})


def make_enterprise(county, n, employees=50, **fields) -> Enterprise:
    return Enterprise.objects.create(
        name=fields.pop("name", f"企业{n}"),
        credit_code=code(n, county.code),
        county=county,
        employee_count=employees,
        **fields,
    )


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Import ----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestImport:
    def test_a_valid_list_is_imported_by_county_name_or_code(self, client, county_user, tree):
        client.force_login(county_user)

        page = page_of(
            upload(
                client,
                [
                    ["商洛甲公司", code(1), "商州区", 120, "税务"],
                    ["商洛乙公司", code(2), "611002", "30", "市场监管"],
                    ["商洛丙公司", code(3), "商州区总工会", 25.0, None],
                ],
            )
        )

        assert 'data-testid="import-result"' in page
        rows = {e.credit_code: e for e in Enterprise.objects.all()}
        assert len(rows) == 3
        assert rows[code(1)].name == "商洛甲公司" and rows[code(1)].employee_count == 120
        assert rows[code(1)].source == Enterprise.Source.TAX
        assert rows[code(2)].source == Enterprise.Source.MARKET and rows[code(2)].employee_count == 30
        assert rows[code(3)].source == Enterprise.Source.OTHER
        assert all(e.county == tree["shangzhou"] and e.status == Enterprise.Status.NOT_CONTACTED for e in rows.values())
        # who brought the list in is on the audit log
        entry = LogEntry.objects.filter(object_repr="企业名单.xlsx").get()
        assert entry.actor == county_user and entry.additional_data["created"] == 3

    def test_bad_rows_are_reported_in_chinese_by_row_and_column_and_not_saved(self, client, county_user, tree):
        kept = make_enterprise(tree["shangzhou"], 9, employees=80, status=Enterprise.Status.CONTACTED)
        client.force_login(county_user)
        bad_code = code(5)[:-1] + ("0" if code(5)[-1] != "0" else "1")

        page = page_of(
            upload(
                client,
                [
                    ["好公司", code(1), "商州区", 40, "统计"],  # row 2: fine
                    ["坏代码公司", bad_code, "商州区", 40, "税务"],  # row 3
                    ["负数公司", code(6), "商州区", -3, "税务"],  # row 4
                    ["小数公司", code(7), "商州区", "12.5", "税务"],  # row 5
                    ["外县公司", code(8, "611024"), "山阳县", 40, "税务"],  # row 6: another county's
                    ["", code(10), "无此县", 40, "工商"],  # row 7: three errors
                    ["改坏的已有企业", kept.credit_code, "商州区", "很多", "税务"],  # row 8
                    ["好公司重复", code(1), "商州区", 41, "统计"],  # row 9: same code as row 2
                ],
            )
        )

        assert set(Enterprise.objects.values_list("credit_code", flat=True)) == {code(1), kept.credit_code}
        kept.refresh_from_db()
        assert (kept.name, kept.employee_count, kept.status) == ("企业9", 80, Enterprise.Status.CONTACTED)
        assert "第 3 行「统一社会信用代码」列(B 列)" in page
        assert "第 4 行「职工人数」列(D 列)" in page and "第 5 行「职工人数」列" in page
        assert "第 6 行「所在县区」列(C 列)" in page and "不在您的管辖范围内" in page
        assert "第 7 行「企业名称」列" in page and "第 7 行「所在县区」列" in page and "第 7 行「来源部门」列" in page
        assert "第 8 行「职工人数」列" in page
        assert "第 9 行「统一社会信用代码」列" in page and "与第 2 行" in page
        assert "7 行有错误" in page

    def test_a_file_that_is_not_a_workbook_is_refused_and_changes_nothing(self, client, county_user, tree):
        make_enterprise(tree["shangzhou"], 1)
        client.force_login(county_user)

        response = client.post(
            reverse("members:drive-import"), {"file": SimpleUploadedFile("名单.xlsx", b"not a zip", content_type=XLSX)}
        )

        assert "无法作为 Excel 工作簿读取" in page_of(response)
        assert Enterprise.objects.count() == 1

    def test_a_list_without_the_required_columns_is_refused(self, client, county_user):
        client.force_login(county_user)

        page = page_of(upload(client, [["甲公司", code(1)]], headers=["企业名称", "统一社会信用代码"]))

        assert "所在县区、职工人数" in page
        assert not Enterprise.objects.exists()

    def test_reimport_updates_names_and_counts_and_keeps_status_owner_and_notes(self, client, county_user, tree):
        client.force_login(county_user)
        upload(client, [["甲公司", code(1), "商州区", 30, "税务"], ["乙公司", code(2), "商州区", 40, "税务"]])
        first = Enterprise.objects.get(credit_code=code(1))
        client.post(reverse("members:drive-status", args=[first.pk]), {"status": "preparing"})
        client.post(reverse("members:drive-owner", args=[first.pk]), {"owner": county_user.pk})
        client.post(reverse("members:drive-note", args=[first.pk]), {"text": "已上门宣传"})

        page = page_of(
            upload(
                client,
                [
                    ["甲有限公司", code(1), "商州区", 45, "市场监管"],
                    ["乙公司", code(2), "商州区", 40, "税务"],
                    ["丙公司", code(3), "商州区", 60, "人社"],
                ],
            )
        )

        assert Enterprise.objects.count() == 3
        first.refresh_from_db()
        assert (first.name, first.employee_count, first.source) == ("甲有限公司", 45, Enterprise.Source.MARKET)
        assert first.status == Enterprise.Status.PREPARING and first.owner == county_user
        assert first.notes.get().text == "已上门宣传"
        assert "1 家新企业,1 家更新,1 家未变" in page
        change = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE).latest("pk")
        assert change.changes_dict["employee_count"] == ["30", "45"]

    def test_another_countys_enterprise_is_not_taken_over_by_an_import(self, client, county_user, tree):
        theirs = make_enterprise(tree["shanyang"], 1, name="山阳企业")
        client.force_login(county_user)

        page = page_of(upload(client, [["改名企业", theirs.credit_code, "商州区", 40, "税务"]]))

        theirs.refresh_from_db()
        assert theirs.name == "山阳企业" and theirs.county == tree["shanyang"]
        assert "已在其他县区的台账上" in page

    def test_the_template_is_a_workbook_with_the_headers(self, client, county_user):
        client.force_login(county_user)

        response = client.get(reverse("members:drive-template"))

        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
        assert [cell.value for cell in sheet[1]] == HEADERS


# --- Matching --------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestMatching:
    def test_an_import_links_enterprises_whose_code_is_a_unions_employer_code(self, client, county_user, tree):
        union = tree["union_sz"]
        union.employer_credit_code = code(1)
        union.save()
        client.force_login(county_user)

        upload(client, [["已建会公司", code(1), "商州区", 300, "税务"], ["未建会公司", code(2), "商州区", 300, "税务"]])

        linked = Enterprise.objects.get(credit_code=code(1))
        assert linked.union == union and linked.status == Enterprise.Status.FOUNDED
        assert Enterprise.objects.get(credit_code=code(2)).union is None

    def test_matching_again_links_unions_registered_since_the_import(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1, status=Enterprise.Status.PREPARING)
        union = tree["union_sz"]
        union.employer_credit_code = enterprise.credit_code
        union.save()
        client.force_login(county_user)

        client.post(reverse("members:drive-match"))

        enterprise.refresh_from_db()
        assert enterprise.union == union and enterprise.status == Enterprise.Status.FOUNDED
        assert drive.drive_match() == 0  # safe to run again


# --- The ledger ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestLedger:
    def test_only_enterprises_at_or_above_the_threshold_are_listed_by_default(
        self, client, county_user, tree, settings
    ):
        settings.DRIVE_MIN_EMPLOYEES = 100
        make_enterprise(tree["shangzhou"], 1, employees=99, name="九十九人公司")
        make_enterprise(tree["shangzhou"], 2, employees=100, name="一百人公司")
        client.force_login(county_user)

        page = page_of(client.get(reverse("members:drive-list")))
        everything = page_of(client.get(reverse("members:drive-list"), {"include_small": "on"}))

        assert "一百人公司" in page and "九十九人公司" not in page
        assert "九十九人公司" in everything and "一百人公司" in everything

    def test_filters_by_status_owner_county_and_name(self, client, city_user, county_user, tree):
        make_enterprise(tree["shangzhou"], 1, name="甲公司", status=Enterprise.Status.CONTACTED, owner=county_user)
        make_enterprise(tree["shangzhou"], 2, name="乙公司")
        make_enterprise(tree["shanyang"], 3, name="丙公司")
        client.force_login(city_user)
        url = reverse("members:drive-list")

        def names(**query):
            page = page_of(client.get(url, query))
            return {name for name in ("甲公司", "乙公司", "丙公司") if name in page}

        assert names() == {"甲公司", "乙公司", "丙公司"}
        assert names(status="contacted") == {"甲公司"}
        assert names(owner=county_user.pk) == {"甲公司"}
        assert names(county=tree["shanyang"].pk) == {"丙公司"}
        assert names(q="乙") == {"乙公司"}
        assert names(q=code(3, "611024")[:12]) == {"丙公司"}

    def test_counts_per_county(self, client, city_user, county_user, tree, settings):
        settings.DRIVE_MIN_EMPLOYEES = 25
        sz, sy = tree["shangzhou"], tree["shanyang"]
        make_enterprise(sz, 1)
        make_enterprise(sz, 2, status=Enterprise.Status.CONTACTED)
        make_enterprise(sz, 3, status=Enterprise.Status.PREPARING)
        make_enterprise(sz, 4, employees=10)  # below the threshold
        make_enterprise(sz, 5, union=tree["union_sz"], status=Enterprise.Status.FOUNDED)
        make_enterprise(sy, 6)
        make_enterprise(sy, 7)

        client.force_login(city_user)
        counts = client.get(reverse("members:drive-list")).context["counts"]
        by_code = {row["county"].code: row for row in counts["rows"]}
        assert by_code["611002"] == {
            "county": sz, "open": 3, "not_contacted": 1, "contacted": 1, "preparing": 1, "founded": 1
        }  # fmt: skip
        assert by_code["611024"]["open"] == 2 and by_code["611024"]["not_contacted"] == 2
        assert counts["total"]["open"] == 5 and counts["total"]["founded"] == 1

        client.force_login(county_user)
        counts = client.get(reverse("members:drive-list")).context["counts"]
        assert [row["county"] for row in counts["rows"]] == [sz]

    def test_the_ledger_runs_the_same_number_of_queries_as_it_grows(
        self, client, county_user, tree, django_assert_max_num_queries
    ):
        owner = UserFactory(organisation=tree["shangzhou"], roles=["county_staff"])
        for n in range(3):
            make_enterprise(tree["shangzhou"], n, owner=owner)
        client.force_login(county_user)
        url = reverse("members:drive-list")
        client.get(url)  # warm the per-process caches (content types, permissions)
        with CaptureQueriesContext(connection) as few:
            page_of(client.get(url))
        for n in range(3, 60):
            make_enterprise(tree["shangzhou"], n, owner=UserFactory(organisation=tree["shangzhou"]))

        with django_assert_max_num_queries(len(few.captured_queries)):
            page = page_of(client.get(url))

        assert page.count('href="/members/drive/') >= 50


# --- Working a row ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWorkingARow:
    def test_a_status_change_is_audited(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        client.force_login(county_user)

        client.post(reverse("members:drive-status", args=[enterprise.pk]), {"status": "contacted"})

        enterprise.refresh_from_db()
        assert enterprise.status == Enterprise.Status.CONTACTED
        entry = LogEntry.objects.get_for_object(enterprise).filter(action=LogEntry.Action.UPDATE).latest("pk")
        assert entry.actor == county_user and entry.changes_dict["status"] == ["not_contacted", "contacted"]

    def test_founded_is_reached_only_by_linking_a_union(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        linked = make_enterprise(tree["shangzhou"], 2, union=tree["union_sz"], status=Enterprise.Status.FOUNDED)
        client.force_login(county_user)

        client.post(reverse("members:drive-status", args=[enterprise.pk]), {"status": "founded"})
        response = client.post(reverse("members:drive-status", args=[linked.pk]), {"status": "contacted"}, follow=True)

        enterprise.refresh_from_db()
        linked.refresh_from_db()
        assert enterprise.status == Enterprise.Status.NOT_CONTACTED
        assert linked.status == Enterprise.Status.FOUNDED
        assert "已建会" in page_of(response)
        with pytest.raises(ValidationError):
            drive.enterprise_set_status(actor=county_user, enterprise=enterprise, status=Enterprise.Status.FOUNDED)

    def test_the_owner_is_a_drive_worker_of_the_same_county_and_the_change_is_audited(
        self, client, county_user, other_county_user, tree
    ):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        colleague = UserFactory(name="张干事", organisation=tree["shangzhou"], roles=["county_staff"])
        client.force_login(county_user)

        client.post(reverse("members:drive-owner", args=[enterprise.pk]), {"owner": colleague.pk})
        client.post(reverse("members:drive-owner", args=[enterprise.pk]), {"owner": other_county_user.pk})

        enterprise.refresh_from_db()
        assert enterprise.owner == colleague
        entry = LogEntry.objects.get_for_object(enterprise).filter(action=LogEntry.Action.UPDATE).latest("pk")
        assert entry.actor == county_user and "owner" in entry.changes_dict
        assert "张干事" in page_of(client.get(reverse("members:drive-detail", args=[enterprise.pk])))
        with pytest.raises(ValidationError):
            drive.enterprise_assign_owner(actor=county_user, enterprise=enterprise, owner=other_county_user)

    def test_notes_are_listed_newest_first_with_author_and_audited(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        county_user.name = "李干事"
        county_user.save()
        client.force_login(county_user)

        client.post(reverse("members:drive-note", args=[enterprise.pk]), {"text": "第一次电话联系"})
        client.post(reverse("members:drive-note", args=[enterprise.pk]), {"text": "第二次上门"})
        page = page_of(client.get(reverse("members:drive-detail", args=[enterprise.pk])))

        assert page.index("第二次上门") < page.index("第一次电话联系")
        assert "李干事" in page
        note = EnterpriseNote.objects.latest("pk")
        assert note.author == county_user
        assert LogEntry.objects.get_for_object(note).get().actor == county_user

    def test_founding_a_union_links_it_and_a_double_submit_creates_one(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1, employees=88, name="商洛丁公司")
        client.force_login(county_user)
        data = {
            "parent": tree["shangzhou"].pk,
            "code": "611002009001",
            "name": "商洛丁公司工会",
            "founded_on": "2026-11-20",
        }
        url = reverse("members:drive-found", args=[enterprise.pk])

        client.post(url, data)
        second = client.post(url, {**data, "code": "611002009002"}, follow=True)

        union = Organisation.objects.get(employer_credit_code=enterprise.credit_code)
        assert Organisation.objects.filter(name="商洛丁公司工会").count() == 1
        assert union.kind == Organisation.Kind.GRASSROOTS and union.code == "611002009001"
        assert (union.employer_name, union.employee_count) == ("商洛丁公司", 88)
        assert Organisation.objects.get_parent(union) == tree["shangzhou"]
        enterprise.refresh_from_db()
        assert enterprise.union == union and enterprise.status == Enterprise.Status.FOUNDED
        assert "已关联工会" in page_of(second)

    def test_the_new_unions_code_is_required_and_unique(self, client, county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        client.force_login(county_user)
        url = reverse("members:drive-found", args=[enterprise.pk])

        missing = page_of(client.post(url, {"parent": tree["shangzhou"].pk, "code": "", "name": "某工会"}))
        taken = page_of(
            client.post(url, {"parent": tree["shangzhou"].pk, "code": tree["union_sz"].code, "name": "某工会"})
        )

        assert "这个字段是必填项" in missing or "必填" in missing
        assert "已被其他组织使用" in taken
        enterprise.refresh_from_db()
        assert enterprise.union is None

    def test_a_union_cannot_be_founded_under_another_countys_node(self, client, city_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        client.force_login(city_user)

        client.post(
            reverse("members:drive-found", args=[enterprise.pk]),
            {"parent": tree["shanyang"].pk, "code": "611024009001", "name": "某工会"},
        )

        assert not Organisation.objects.filter(code="611024009001").exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_foundings_create_one_union(tree, county_user):
    enterprise = make_enterprise(tree["shangzhou"], 1)
    barrier = threading.Barrier(2)
    outcomes = []

    def found(union_code):
        try:
            barrier.wait(timeout=5)
            drive.enterprise_found_union(
                actor=county_user, enterprise=enterprise, parent=tree["shangzhou"], code=union_code, name=union_code
            )
            outcomes.append("founded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=found, args=(union_code,)) for union_code in ("U1", "U2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes) == ["founded", "refused"]
    assert Organisation.objects.filter(code__in=["U1", "U2"]).count() == 1


# --- Who may see what ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    def test_another_countys_user_gets_404_and_sees_nothing(self, client, other_county_user, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1, name="商州企业")
        client.force_login(other_county_user)

        assert client.get(reverse("members:drive-detail", args=[enterprise.pk])).status_code == 404
        for name, data in [
            ("members:drive-status", {"status": "contacted"}),
            ("members:drive-owner", {"owner": other_county_user.pk}),
            ("members:drive-note", {"text": "x"}),
            ("members:drive-found", {"parent": tree["shanyang"].pk, "code": "X1", "name": "x"}),
        ]:
            assert client.post(reverse(name, args=[enterprise.pk]), data).status_code == 404
        assert "商州企业" not in page_of(client.get(reverse("members:drive-list")))
        enterprise.refresh_from_db()
        assert enterprise.status == Enterprise.Status.NOT_CONTACTED and not enterprise.notes.exists()

    def test_city_staff_see_every_county(self, client, city_user, tree):
        enterprise = make_enterprise(tree["shanyang"], 1, name="山阳企业")
        client.force_login(city_user)

        assert "山阳企业" in page_of(client.get(reverse("members:drive-list")))
        assert "山阳企业" in page_of(client.get(reverse("members:drive-detail", args=[enterprise.pk])))

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, tree):
        enterprise = make_enterprise(tree["shangzhou"], 1)
        login = reverse("accounts:login")
        for name, args in [
            ("members:drive-list", []),
            ("members:drive-import", []),
            ("members:drive-template", []),
            ("members:drive-detail", [enterprise.pk]),
        ]:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 302 and response.url.startswith(login), name
        for name, args in [
            ("members:drive-match", []),
            ("members:drive-status", [enterprise.pk]),
            ("members:drive-owner", [enterprise.pk]),
            ("members:drive-note", [enterprise.pk]),
            ("members:drive-found", [enterprise.pk]),
        ]:
            response = client.post(reverse(name, args=args))
            assert response.status_code == 302 and response.url.startswith(login), name

    def test_a_role_without_the_drive_gets_403(self, client, tree):
        clerk = UserFactory(organisation=tree["city"], roles=["counter_clerk"])
        client.force_login(clerk)

        assert client.get(reverse("members:drive-list")).status_code == 403
        assert client.get(reverse("members:drive-import")).status_code == 403
