"""Roster import (花名册) and member export, through the pages, with real xlsx files built here."""

import io
import zipfile
from contextlib import contextmanager
from datetime import date, timedelta

import openpyxl
import pytest
import time_machine
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from stdnum.cn import ric

from members import roster as rosters
from members.models import Member, MembershipPeriod, RosterImport, Transfer
from members.roster import checking, staging, writing
from members.roster import forms as roster_forms
from members.services import member_numbers
from members.validators import PROVINCES, validate_id_number
from tests.factories import make_organisation
from unionportal.core.models import Heartbeat
from unionportal.core.tasks import WORKER

HEADINGS = [
    "姓名*", "身份证号*", "手机号码", "性别", "民族", "学历", "政治面貌", "户籍类型", "是否农民工", "就业形态",
    "新就业形态群体", "工作单位", "职务", "是否劳模", "入会日期",
]  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def id_number(n: int, *, born: date | None = None, region: str = "611002") -> str:
    """A valid resident ID number; ``n`` varies the birth date and sequence so that numbers differ."""
    born = born or date(1970, 1, 1) + timedelta(days=n % 9000)
    body = f"{region}{born:%Y%m%d}{(n // 9000) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants the full length, last character ignored


def row(name: str, number: str, *, phone: str = "13800000000", joined="2024-01-05", **columns) -> list:
    values = dict.fromkeys(HEADINGS, "")
    values.update({"姓名*": name, "身份证号*": number, "手机号码": phone, "学历": "大专", "户籍类型": "农村"})
    values.update({"政治面貌": "群众", "就业形态": "标准", "工作单位": "商州某公司", "入会日期": joined})
    values.update(columns)
    return [values[heading] for heading in HEADINGS]


def workbook(rows, headings=HEADINGS, prepare=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    for values in rows:
        sheet.append(values)
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def valid_rows(count: int, start: int = 0) -> list[list]:
    return [row(f"职工{n}", id_number(n), phone=f"138{n:08d}") for n in range(start, start + count)]


def upload(client, union, content: bytes, name: str = "花名册.xlsx"):
    return client.post(
        reverse("members:roster-list"),
        {"organisation": union.pk, "file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def make_member(union, number: str, name: str = "老会员") -> Member:
    member = Member.objects.create(
        member_number=member_numbers(1)[0], name=name, sex="M", birth_date=ric.get_birth_date(number),
        id_number=number, joined_on=date(2020, 1, 1), organisation=union, org_path=union.path,
    )  # fmt: skip
    MembershipPeriod.objects.create(
        member=member, organisation=union, started_on=date(2020, 1, 1), start_reason="joined"
    )
    return member


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def latest_roster() -> RosterImport:
    return RosterImport.objects.latest("pk")


# --- The template ---------------------------------------------------------------------------------


def test_template_has_the_chinese_headings(officer_client):
    response = officer_client.get(reverse("members:roster-template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADINGS


def test_the_template_itself_uploads_as_a_roster_without_rows(officer_client, tree):
    template = b"".join(officer_client.get(reverse("members:roster-template")).streaming_content)
    filled = openpyxl.load_workbook(io.BytesIO(template))
    filled.worksheets[0].append(row("张三", id_number(1)))
    buffer = io.BytesIO()
    filled.save(buffer)

    upload(officer_client, tree["union_sz"], buffer.getvalue())

    roster = latest_roster()
    assert (roster.status, roster.total_rows, roster.valid_rows) == (RosterImport.Status.READY, 1, 1)


# --- Checking and preview -------------------------------------------------------------------------


def test_planted_errors_are_shown_by_row_and_column_and_nothing_is_imported(officer_client, tree):
    elsewhere = make_member(tree["union_sy"], id_number(900), name="王五")
    here = make_member(tree["union_sz"], id_number(901), name="赵六")
    bad_check = id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")
    future = id_number(4, born=timezone.localdate() + timedelta(days=400))
    rows = [
        row("张三", id_number(1)),  # 2: valid
        row("李四", bad_check),  # 3
        row("未来", future),  # 4
        row("错号", id_number(5), phone="1234567"),  # 5
        row("", id_number(6)),  # 6
        row("重复甲", id_number(7)),  # 7
        row("重复乙", id_number(7)),  # 8
        row("王五", elsewhere.id_number),  # 9: a member of another union
        row("赵六", here.id_number),  # 10: already a member here
        [None] * len(HEADINGS),  # 11: empty, skipped
        row("孙七", id_number(11), 性别="女" if int(id_number(11)[16]) % 2 else "男"),  # 12: sex contradicts the ID
        row("周八", id_number(12), joined="2024年3月1日", 是否劳模="是"),  # 13: valid
    ]

    response = upload(officer_client, tree["union_sz"], workbook(rows))

    roster = latest_roster()
    assert response.status_code == 302 and response.url == reverse("members:roster-detail", args=[roster.pk])
    assert roster.status == RosterImport.Status.READY
    assert (roster.total_rows, roster.valid_rows, roster.error_rows, roster.transfer_rows) == (11, 2, 8, 1)
    errors = {(entry["row"], entry["column"]) for entry in roster.errors if "transfer" not in entry}
    assert errors == {
        (3, "身份证号"), (4, "身份证号"), (5, "手机号码"), (6, "姓名"), (7, "身份证号"), (8, "身份证号"),
        (10, "身份证号"), (12, "性别"),
    }  # fmt: skip
    offers = [entry for entry in roster.errors if "transfer" in entry]
    assert [(offer["row"], offer["transfer"]["member"]) for offer in offers] == [(9, elsewhere.pk)]
    messages = {entry["row"]: entry["message"] for entry in roster.errors}
    assert "7、8" in messages[7]
    assert elsewhere.member_number in messages[9]
    assert here.member_number in messages[10]

    page = officer_client.get(response.url).content.decode()
    assert 'data-row="3" data-column="身份证号"' in page
    assert 'data-row="5" data-column="手机号码"' in page
    assert 'name="transfer" value="9"' in page
    assert Member.objects.count() == 2  # the two made above: nothing imported before confirmation


def test_rows_are_mapped_from_chinese_labels(officer_client, tree):
    rows = [
        row("快递小哥", id_number(1), 户籍类型="农村", 就业形态="", 新就业形态群体="快递员", 政治面貌="中共党员"),
        row("城里人", id_number(2), 户籍类型="城镇", 是否农民工="", 民族="回", 学历="本科", joined=""),
    ]
    upload(officer_client, tree["union_sz"], workbook(rows))

    officer_client.post(reverse("members:roster-confirm", args=[latest_roster().pk]))

    courier, urban = Member.objects.get(name="快递小哥"), Member.objects.get(name="城里人")
    assert (courier.employment, courier.new_form_group) == (Member.Employment.NEW_FORM, Member.NewFormGroup.COURIER)
    assert (courier.political_status, courier.is_migrant_worker) == (Member.Political.PARTY, True)
    assert (urban.household, urban.is_migrant_worker, urban.ethnicity) == (Member.Household.URBAN, False, "回族")
    assert (urban.education, urban.joined_on) == (Member.Education.BACHELOR, timezone.localdate())
    assert courier.sex == ("M" if int(id_number(1)[16]) % 2 else "F")


# --- Confirmation ---------------------------------------------------------------------------------


def test_confirm_imports_the_valid_rows_with_periods_numbers_and_audit(officer_client, officer, tree):
    rows = [*valid_rows(3), row("坏号", id_number(50), phone="12345")]
    upload(officer_client, tree["union_sz"], workbook(rows))
    roster = latest_roster()

    response = officer_client.post(reverse("members:roster-confirm", args=[roster.pk]), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302
    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, roster.error_rows) == (RosterImport.Status.DONE, 3, 1)
    members = list(Member.objects.filter(organisation=tree["union_sz"]).order_by("member_number"))
    assert [member.name for member in members] == ["职工0", "职工1", "职工2"]
    assert len({member.member_number for member in members}) == 3
    assert all(
        member.member_number.startswith("611000") and member.org_path == tree["union_sz"].path for member in members
    )
    periods = MembershipPeriod.objects.filter(member__in=members)
    assert {(period.organisation_id, period.start_reason, period.ended_on) for period in periods} == {
        (tree["union_sz"].pk, MembershipPeriod.Reason.IMPORTED, None)
    }
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member), action=LogEntry.Action.CREATE
    )
    assert sorted(entry.object_id for entry in entries) == sorted(member.pk for member in members)
    entry = entries.get(object_id=members[0].pk)
    assert entry.actor == officer and entry.remote_addr == "10.1.2.3"
    assert entry.changes["id_number"][1] == members[0].id_number[:4] + "*" * 10 + members[0].id_number[-4:]
    assert entry.changes["name"] == ["None", "职工0"]

    errors = officer_client.get(reverse("members:roster-errors", args=[roster.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).worksheets[0]
    lines = list(sheet.values)
    assert lines[0] == (*HEADINGS, "错误原因")
    assert len(lines) == 2 and lines[1][0] == "坏号" and lines[1][-1].startswith("手机号码")


def test_audit_rows_say_what_auditlog_says_for_a_save(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(1)))
    officer_client.post(reverse("members:roster-confirm", args=[latest_roster().pk]))

    member = Member.objects.get()
    entry = LogEntry.objects.get(object_id=member.pk, action=LogEntry.Action.CREATE)
    concrete = {field.name for field in Member._meta.concrete_fields}
    expected = {name: [str(old), str(new)] for name, (old, new) in model_instance_diff(None, member).items()}
    expected = {name: change for name, change in expected.items() if name in concrete}
    assert entry.changes == expected


def test_a_second_confirm_imports_nothing_more(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(4)))
    url = reverse("members:roster-confirm", args=[latest_roster().pk])

    officer_client.post(url)
    officer_client.post(url)

    assert Member.objects.count() == 4
    assert MembershipPeriod.objects.count() == 4
    created = LogEntry.objects.filter(
        action=LogEntry.Action.CREATE, content_type=ContentType.objects.get_for_model(Member)
    )
    assert created.count() == 4


def test_members_of_other_unions_become_transfers_when_ticked(officer_client, officer, tree):
    first = make_member(tree["union_sy"], id_number(800), name="甲")
    second = make_member(tree["union_sy"], id_number(801), name="乙")
    rows = [row("甲", first.id_number), row("乙", second.id_number), row("新人", id_number(1))]
    upload(officer_client, tree["union_sz"], workbook(rows))
    roster = latest_roster()
    assert roster.transfer_rows == 2

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]), {"transfer": ["2"]})

    transfer = Transfer.objects.get()
    assert (transfer.member, transfer.from_organisation, transfer.to_organisation) == (
        first, tree["union_sy"], tree["union_sz"]
    )  # fmt: skip
    assert (
        transfer.asked_by_receiver and transfer.status == Transfer.Status.PENDING and transfer.requested_by == officer
    )
    assert Member.objects.filter(id_number=first.id_number).count() == 1
    assert set(Member.objects.filter(organisation=tree["union_sz"]).values_list("name", flat=True)) == {"新人"}
    roster.refresh_from_db()
    offers = {entry["row"]: entry["transfer"]["requested"] for entry in roster.errors if "transfer" in entry}
    assert offers == {2: True, 3: False}


def test_a_member_of_another_union_under_another_name_is_only_already_a_member_elsewhere(officer_client, tree):
    elsewhere = make_member(tree["union_sy"], id_number(900), name="王五")
    upload(officer_client, tree["union_sz"], workbook([row("猜名字", elsewhere.id_number), *valid_rows(1)]))

    roster = latest_roster()
    assert (roster.valid_rows, roster.error_rows, roster.transfer_rows) == (1, 1, 0)
    [entry] = roster.errors
    assert (entry["row"], entry["column"], entry["message"]) == (2, "身份证号", "已是其他工会会员。")
    page = officer_client.get(reverse("members:roster-detail", args=[roster.pk])).content.decode()
    for secret in (elsewhere.name, elsewhere.member_number, tree["union_sy"].name):
        assert secret not in page
        assert secret not in str(roster.errors)


def test_ask_for_every_transfer_at_once(officer_client, tree):
    people = [make_member(tree["union_sy"], id_number(700 + n), name=f"人{n}") for n in range(3)]
    upload(officer_client, tree["union_sz"], workbook([row(p.name, p.id_number) for p in people]))

    officer_client.post(reverse("members:roster-confirm", args=[latest_roster().pk]), {"transfer_all": "1"})

    assert Transfer.objects.filter(to_organisation=tree["union_sz"]).count() == 3


def test_a_refused_transfer_request_becomes_that_rows_error(officer_client, officer, tree):
    person = make_member(tree["union_sy"], id_number(600), name="丙")
    Transfer.objects.create(
        member=person, from_organisation=tree["union_sy"], to_organisation=tree["union_sz"], requested_by=officer
    )
    upload(officer_client, tree["union_sz"], workbook([row("丙", person.id_number), *valid_rows(1)]))
    roster = latest_roster()

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]), {"transfer": ["2"]})

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, Transfer.objects.count()) == (RosterImport.Status.DONE, 1, 1)
    assert any(entry["row"] == 2 and "transfer" not in entry for entry in roster.errors)


# --- Files that are not rosters -------------------------------------------------------------------


def _merge_header(sheet):
    sheet.merge_cells("A1:B1")


def _formula(sheet):
    sheet["C2"] = "=1+1"


def _text_with_equals(sheet):
    sheet["L2"] = "=某公司"
    sheet["L2"].data_type = "s"


def _broken_zip() -> bytes:
    data = workbook(valid_rows(3))
    return data[: len(data) // 2]


def _corrupt_member() -> bytes:
    data = bytearray(workbook(valid_rows(3)))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    offset = info.header_offset + 30 + len(info.filename) + 10
    data[offset : offset + 20] = b"\x00" * 20
    return bytes(data)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(lambda: "姓名,身份证号\n张三,1\n".encode(), "不是 Excel", id="csv"),
        pytest.param(lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls", id="old-xls"),
        pytest.param(_docx, "不是 Excel", id="docx"),
        pytest.param(_broken_zip, "损坏", id="truncated-zip"),
        pytest.param(_corrupt_member, "损坏", id="corrupt-zip"),
        pytest.param(lambda: workbook(valid_rows(2), headings=["名字", *HEADINGS[1:]]), "名字", id="renamed-column"),
        pytest.param(
            lambda: workbook([r[:-1] for r in valid_rows(2)], headings=HEADINGS[:-1]), "入会日期", id="missing"
        ),
        pytest.param(lambda: workbook(valid_rows(2), prepare=_merge_header), "合并", id="merged-header"),
        pytest.param(lambda: workbook(valid_rows(2), prepare=_formula), "C2", id="formula"),
        pytest.param(lambda: workbook(valid_rows(2), prepare=_text_with_equals), "L2", id="text-with-equals"),
        pytest.param(lambda: workbook([]), "没有", id="no-rows"),
    ],
)
def test_files_that_are_not_rosters_are_refused_with_a_message(officer_client, tree, content, expected):
    response = upload(officer_client, tree["union_sz"], content())

    roster = latest_roster()
    assert roster.status == RosterImport.Status.FAILED
    assert expected in roster.message, roster.message
    assert roster.message in officer_client.get(response.url).content.decode()
    assert Member.objects.count() == 0


def test_too_many_rows_are_refused_naming_the_limit(officer_client, tree, settings):
    settings.ROSTER_MAX_ROWS = 3

    upload(officer_client, tree["union_sz"], workbook([*valid_rows(2), [None] * len(HEADINGS), *valid_rows(2, 2)]))

    roster = latest_roster()
    assert roster.status == RosterImport.Status.FAILED
    assert "4" in roster.message and "3" in roster.message
    assert Member.objects.count() == 0


def test_a_sheet_far_over_the_limit_is_refused_before_its_cells_are_read(settings):
    settings.ROSTER_MAX_ROWS = 3
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADINGS)
    for n in range(1010):
        sheet.append([f"职工{n}", str(n)])
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(rosters.RosterRefused, match="1,010"):
        rosters.inspect_workbook(buffer.getvalue())


def test_a_corrected_error_file_can_be_uploaded_again(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook([*valid_rows(1), row("坏号", id_number(9), phone="12")]))
    roster = latest_roster()
    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))
    errors = b"".join(officer_client.get(reverse("members:roster-errors", args=[roster.pk])).streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(errors))
    book.worksheets[0]["C2"] = "13900000000"
    buffer = io.BytesIO()
    book.save(buffer)

    upload(officer_client, tree["union_sz"], buffer.getvalue())

    again = latest_roster()
    assert (again.status, again.valid_rows, again.error_rows) == (RosterImport.Status.READY, 1, 0)


# --- Large files: the task and the progress bar ---------------------------------------------------


def test_a_large_file_goes_through_the_task_with_a_progress_bar(
    officer_client, officer, tree, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_ASYNC_ROWS = 5
    with django_capture_on_commit_callbacks() as queued:
        upload(officer_client, tree["union_sz"], workbook([*valid_rows(8), row("坏号", id_number(99), phone="1")]))
    roster = latest_roster()
    progress_url = reverse("members:roster-progress", args=[roster.pk])

    assert roster.status == RosterImport.Status.VALIDATING and len(queued) == 1
    partial = officer_client.get(progress_url).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "0%" in partial
    assert (
        'hx-trigger="every 1s"'
        in officer_client.get(reverse("members:roster-detail", args=[roster.pk])).content.decode()
    )

    assert rosters.roster_process(roster.pk) == RosterImport.Status.READY  # what the worker runs
    assert rosters.roster_process(roster.pk) == RosterImport.Status.READY  # a redelivery changes nothing
    roster.refresh_from_db()
    assert (roster.total_rows, roster.valid_rows, roster.error_rows, roster.progress) == (9, 8, 1, 100)
    assert officer_client.get(progress_url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks() as queued:
        officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.IMPORTING and len(queued) == 1
    assert Member.objects.count() == 0
    assert "hx-get" in officer_client.get(progress_url).content.decode()

    rosters.roster_process(roster.pk, actor_id=officer.pk)
    rosters.roster_process(roster.pk, actor_id=officer.pk)

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, roster.progress) == (RosterImport.Status.DONE, 8, 100)
    assert Member.objects.count() == 8
    assert "100%" in officer_client.get(progress_url).content.decode()


def test_with_the_broker_down_a_large_roster_is_processed_in_the_request(
    officer_client, officer, tree, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis briefly down: the hand-over to the worker fails, so the request does the work itself."""
    from kombu.exceptions import OperationalError as BrokerDown

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(rosters.roster_process, "delay", broker_down)
    settings.ROSTER_ASYNC_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        upload(officer_client, tree["union_sz"], workbook(valid_rows(8)))
    roster = latest_roster()
    assert roster.status == RosterImport.Status.READY and roster.valid_rows == 8
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.DONE and Member.objects.count() == 8


# --- The confirmation reuses the preview's check, unless something it depends on changed -----------


def test_confirm_does_not_read_the_file_again_when_nothing_changed(
    officer_client, tree, monkeypatch, django_capture_on_commit_callbacks
):
    upload(officer_client, tree["union_sz"], workbook([*valid_rows(3), row("坏号", id_number(50), phone="12")]))
    roster = latest_roster()

    def read_again(**kwargs):
        raise AssertionError("the file was checked again")

    monkeypatch.setattr("members.roster.importing.check_roster", read_again)
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, roster.error_rows) == (RosterImport.Status.DONE, 3, 1)
    assert not roster.file.storage.exists(roster.file.name + staging.SUFFIX)  # gone with the import
    lines = list(openpyxl.load_workbook(roster.error_file.open("rb")).worksheets[0].values)
    assert len(lines) == 2 and lines[1][0] == "坏号" and lines[1][-1].startswith("手机号码")


def test_a_person_who_joined_a_union_after_the_preview_is_offered_not_imported(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(3)))
    roster = latest_roster()
    assert roster.valid_rows == 3
    meanwhile = make_member(tree["union_sy"], id_number(1), name="职工1")

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, roster.transfer_rows) == (RosterImport.Status.DONE, 2, 1)
    assert Member.objects.filter(id_number=meanwhile.id_number).get() == meanwhile
    offers = [entry for entry in roster.errors if "transfer" in entry]
    assert [(offer["row"], offer["transfer"]["member"]) for offer in offers] == [(3, meanwhile.pk)]


def test_a_member_who_left_after_the_preview_is_no_longer_offered(officer_client, tree):
    person = make_member(tree["union_sy"], id_number(800), name="甲")
    upload(officer_client, tree["union_sz"], workbook([row("甲", person.id_number), *valid_rows(1)]))
    roster = latest_roster()
    Member.objects.filter(pk=person.pk).update(status=Member.Status.LEFT)

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]), {"transfer_all": "1"})

    roster.refresh_from_db()
    assert (roster.imported_rows, roster.transfer_rows, Transfer.objects.count()) == (1, 0, 0)
    assert any(entry["row"] == 2 and "已终止" in entry["message"] for entry in roster.errors), roster.errors


def test_a_person_registered_during_the_import_stops_it_and_a_second_confirm_imports_the_rest(
    officer_client, tree, monkeypatch
):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(3)))
    roster = latest_roster()
    reserve = rosters.importing.member_numbers

    def registered_meanwhile(count):  # at the counter, after the ID numbers were looked up again
        make_member(tree["union_sy"], id_number(2), name="职工2")
        return reserve(count)

    monkeypatch.setattr(rosters.importing, "member_numbers", registered_meanwhile)
    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))
    monkeypatch.setattr(rosters.importing, "member_numbers", reserve)

    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.READY and "再次确认" in roster.message
    assert not Member.objects.filter(organisation=tree["union_sz"]).exists()

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, roster.transfer_rows) == (RosterImport.Status.DONE, 2, 1)


def test_an_empty_joining_date_is_the_day_of_the_import_not_of_the_preview(officer_client, officer, tree):
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        upload(officer_client, tree["union_sz"], workbook([row("城里人", id_number(2), joined="")]))
    roster = latest_roster()
    officer_client.force_login(officer)  # a day idle signs one out

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    assert Member.objects.get(name="城里人").joined_on == timezone.localdate()


def test_without_the_kept_check_the_file_is_checked_again(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(2)))
    roster = latest_roster()
    roster.file.storage.delete(roster.file.name + staging.SUFFIX)

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows) == (RosterImport.Status.DONE, 2)


def test_without_copy_the_same_members_periods_and_audit_rows_are_written(officer_client, officer, tree, monkeypatch):
    """The path of SQLite (the embedded default) and of any database without psycopg2's COPY."""
    monkeypatch.setattr(writing, "_can_copy", lambda: False)
    upload(officer_client, tree["union_sz"], workbook(valid_rows(3)))

    officer_client.post(reverse("members:roster-confirm", args=[latest_roster().pk]), REMOTE_ADDR="10.1.2.3")

    members = list(Member.objects.order_by("member_number"))
    assert [member.name for member in members] == ["职工0", "职工1", "职工2"]
    assert MembershipPeriod.objects.filter(member__in=members, start_reason="imported").count() == 3
    concrete = {field.name for field in Member._meta.concrete_fields}
    for member in members:
        entry = LogEntry.objects.get_for_object(member).get(action=LogEntry.Action.CREATE)
        diff = {name: [str(old), str(new)] for name, (old, new) in model_instance_diff(None, member).items()}
        assert entry.changes == {name: change for name, change in diff.items() if name in concrete}
        assert (entry.actor, entry.remote_addr) == (officer, "10.1.2.3")


def test_audit_rows_of_the_copy_carry_the_actor_address_and_roster(officer_client, officer, tree):
    upload(officer_client, tree["union_sz"], workbook([row('引号"逗号,反斜杠\\制表\t换行\n', id_number(1))]))
    roster = latest_roster()

    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]), REMOTE_ADDR="10.1.2.3")

    member = Member.objects.get()
    assert member.name == '引号"逗号,反斜杠\\制表\t换行'  # through COPY intact (less the newline at the end)
    entry = LogEntry.objects.get_for_object(member).get()
    assert (entry.actor, entry.actor_email, entry.remote_addr) == (officer, officer.email, "10.1.2.3")
    assert (entry.object_repr, entry.additional_data) == (member.name, {"roster_import": roster.pk})
    assert entry.changes["phone"] == ["None", "138****0000"] and entry.changes["name"] == ["None", member.name]
    assert abs(entry.timestamp - timezone.now()) < timedelta(minutes=1)


@st.composite
def id_like(draw):
    """Strings near an ID number: valid ones, and each way one can be wrong or written loosely."""
    region = draw(st.sampled_from([*sorted(PROVINCES), "00", "99"])) + draw(
        st.text("0123456789", min_size=4, max_size=4)
    )
    born = draw(
        st.sampled_from([f"{draw(st.dates(date(1890, 1, 1), date(2100, 12, 31))):%Y%m%d}", "19990230", "20001301"])
    )
    body = region + born + draw(st.text("0123456789", min_size=3, max_size=3))
    number = body + draw(st.sampled_from([ric.calc_check_digit(body + "0"), *"0123456789Xx"]))
    return draw(
        st.sampled_from([number, number.lower(), f" {number}", number[:17], number + "1", number.replace("1", "１")])
    )


@hypothesis_settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(id_like())
@example("612501198806150020")
def test_the_quick_id_check_agrees_with_validate_id_number(text):
    try:
        expected = validate_id_number(text)
    except ValidationError:
        expected = None

    quick = checking._quick_id_number(text, timezone.localdate())

    # The quick check takes a number only as stored, in ASCII; validate_id_number also takes loose spellings.
    assert quick == (expected if expected == text and text.isascii() else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", date(2024, 1, 5)),
        ("2024/1/5", date(2024, 1, 5)),
        ("2024年1月5日", date(2024, 1, 5)),
        ("20240105", date(2024, 1, 5)),
        (45296.0, date(2024, 1, 5)),  # a date cell read as its serial number
        ("2024-02-30", None),
        ("2024-W01-1", None),  # an ISO week date: not how anyone writes a joining date
        ("5 January 2024", None),
    ],
)
def test_joining_dates_are_read_as_people_write_them(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            checking._date(text)
    else:
        assert checking._date(text) == expected


# --- Cancelling ------------------------------------------------------------------------------------


def test_a_cancelled_roster_can_never_be_confirmed(officer_client, tree, django_capture_on_commit_callbacks):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(2)))
    roster = latest_roster()
    assert (
        'data-testid="roster-cancel"'
        in officer_client.get(reverse("members:roster-detail", args=[roster.pk])).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("members:roster-cancel", args=[roster.pk]))
    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    assert response.status_code == 302 and response.url == reverse("members:roster-detail", args=[roster.pk])
    roster.refresh_from_db()
    assert (roster.status, roster.imported_rows, Member.objects.count()) == (RosterImport.Status.CANCELLED, 0, 0)
    assert "sz_officer" in roster.message or roster.uploaded_by.name in roster.message
    assert roster.finished_at is not None
    assert not roster.file.storage.exists(roster.file.name + staging.SUFFIX)
    page = officer_client.get(reverse("members:roster-detail", args=[roster.pk])).content.decode()
    assert 'data-testid="confirm-button"' not in page and 'data-testid="roster-cancel"' not in page
    assert roster.message in page


def test_cancelling_twice_is_harmless(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(1)))
    url = reverse("members:roster-cancel", args=[latest_roster().pk])

    officer_client.post(url)
    cancelled = latest_roster()
    second = officer_client.post(url, follow=True)

    assert latest_roster().status == RosterImport.Status.CANCELLED
    assert latest_roster().finished_at == cancelled.finished_at
    assert not list(second.context["messages"])


def test_a_refused_roster_can_be_cancelled(officer_client, tree):
    upload(officer_client, tree["union_sz"], b"not a workbook")
    roster = latest_roster()
    assert roster.status == RosterImport.Status.FAILED
    assert (
        'data-testid="roster-cancel"'
        in officer_client.get(reverse("members:roster-detail", args=[roster.pk])).content.decode()
    )

    officer_client.post(reverse("members:roster-cancel", args=[roster.pk]))

    assert latest_roster().status == RosterImport.Status.CANCELLED


def test_an_imported_roster_cannot_be_cancelled(officer_client, tree):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(1)))
    roster = latest_roster()
    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    response = officer_client.post(reverse("members:roster-cancel", args=[roster.pk]), follow=True)

    assert latest_roster().status == RosterImport.Status.DONE and Member.objects.count() == 1
    assert [str(message) for message in response.context["messages"]] == ["只有等待确认或被拒收的花名册才能取消。"]


def test_a_roster_being_imported_cannot_be_cancelled(
    officer_client, officer, tree, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks():
        upload(officer_client, tree["union_sz"], workbook(valid_rows(2)))
    roster = latest_roster()
    rosters.roster_process(roster.pk)
    with django_capture_on_commit_callbacks():
        officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    officer_client.post(reverse("members:roster-cancel", args=[roster.pk]))
    assert latest_roster().status == RosterImport.Status.IMPORTING
    rosters.roster_process(roster.pk, actor_id=officer.pk)

    assert (latest_roster().status, Member.objects.count()) == (RosterImport.Status.DONE, 2)


# --- A large roster that does not move ------------------------------------------------------------


@pytest.fixture
def queued_roster(officer_client, tree, settings, django_capture_on_commit_callbacks):
    """A large roster handed to the worker (the task is queued, never run)."""
    settings.ROSTER_ASYNC_ROWS = 2
    with django_capture_on_commit_callbacks():
        upload(officer_client, tree["union_sz"], workbook(valid_rows(3)))
    roster = latest_roster()
    assert roster.status == RosterImport.Status.VALIDATING
    return roster


def _progress_page(client, roster) -> str:
    return client.get(reverse("members:roster-progress", args=[roster.pk])).content.decode()


def test_a_check_stuck_without_a_worker_says_so_after_two_minutes(officer_client, queued_roster):
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now() - timedelta(minutes=10)})

    soon = _progress_page(officer_client, queued_roster)
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        later = _progress_page(officer_client, queued_roster)
        detail = officer_client.get(reverse("members:roster-detail", args=[queued_roster.pk])).content.decode()

    assert 'data-testid="roster-stalled"' not in soon
    assert 'data-testid="roster-stalled"' in later and 'data-testid="roster-stalled"' in detail
    assert "后台任务进程似乎已停止" in later and "尚未导入任何数据" in later
    assert str(queued_roster.pk) in later
    assert 'hx-trigger="every 1s"' in later  # still polling: the page moves on by itself when the worker is back


def test_a_busy_worker_that_still_beats_is_not_called_stopped(officer_client, queued_roster):
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        Heartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": timezone.now()})
        page = _progress_page(officer_client, queued_roster)

    assert 'data-testid="roster-stalled"' not in page


def test_an_import_stuck_without_a_worker_says_nothing_was_imported(
    officer_client, officer, queued_roster, django_capture_on_commit_callbacks
):
    rosters.roster_process(queued_roster.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):  # read long after the check
        with django_capture_on_commit_callbacks():
            officer_client.post(reverse("members:roster-confirm", args=[queued_roster.pk]))
        just_confirmed = _progress_page(officer_client, queued_roster)
    with time_machine.travel(timezone.now() + timedelta(minutes=23)):
        later = _progress_page(officer_client, queued_roster)

    assert latest_roster().status == RosterImport.Status.IMPORTING
    assert 'data-testid="roster-stalled"' not in just_confirmed  # no heartbeat at all, but it only now began
    assert "导入已超过 2 分钟没有进展" in later and "尚未导入任何数据" in later
    assert Member.objects.count() == 0


# --- The union picker -----------------------------------------------------------------------------


@pytest.fixture
def many_unions(monkeypatch):
    """More unions in scope than the upload form lists in a select (the limit lowered to 1 here)."""
    monkeypatch.setattr(roster_forms, "UNION_SELECT_MAX", 1)


def test_past_the_limit_the_union_is_typed_with_suggestions(client, city_user, tree, many_unions):
    client.force_login(city_user)

    page = client.get(reverse("members:roster-list")).content.decode()

    assert '<select name="organisation"' not in page
    assert 'name="organisation"' in page and 'list="roster-union-options"' in page
    assert f'hx-get="{reverse("members:roster-union-suggestions")}"' in page
    assert 'id="roster-union-options"' in page


def test_up_to_the_limit_the_unions_are_a_select(officer_client, tree):
    page = officer_client.get(reverse("members:roster-list")).content.decode()

    assert '<select name="organisation"' in page and 'list="roster-union-options"' not in page


@pytest.mark.parametrize(
    "typed",
    [
        lambda union: union.code,
        lambda union: f"{union.name}（{union.code}）",  # as the suggestions write it
        lambda union: f" {union.name} ",
    ],
    ids=["code", "suggestion", "name"],
)
def test_a_typed_union_is_found_by_code_or_name(client, city_user, tree, many_unions, typed):
    client.force_login(city_user)
    union = tree["union_sy"]

    response = client.post(
        reverse("members:roster-list"),
        {
            "organisation": typed(union),
            "file": SimpleUploadedFile("花名册.xlsx", workbook(valid_rows(1)), content_type=XLSX),
        },
    )

    assert response.status_code == 302
    assert latest_roster().organisation == union


@pytest.mark.parametrize("typed", ["611024001001", "山阳某公司工会", "不存在的工会", ""])
def test_a_typed_union_outside_the_scope_or_unknown_is_refused(client, county_user, tree, many_unions, typed):
    make_organisation(parent=tree["shangzhou"], code="611002001002", name="商州另一公司工会")  # two unions in scope
    client.force_login(county_user)

    response = client.post(
        reverse("members:roster-list"),
        {"organisation": typed, "file": SimpleUploadedFile("花名册.xlsx", workbook(valid_rows(1)), content_type=XLSX)},
    )

    assert response.status_code == 200 and RosterImport.objects.count() == 0
    assert response.context["form"].errors["organisation"]


def test_two_unions_of_the_same_name_need_the_code(client, city_user, tree, many_unions):
    make_organisation(parent=tree["shanyang"], code="611024001002", name=tree["union_sz"].name)
    client.force_login(city_user)

    response = client.post(
        reverse("members:roster-list"),
        {"organisation": tree["union_sz"].name, "file": SimpleUploadedFile("a.xlsx", workbook(valid_rows(1)))},
    )

    assert RosterImport.objects.count() == 0
    assert "代码" in response.context["form"].errors["organisation"][0]


def test_suggestions_are_the_users_unions_by_code_or_name_at_most_twenty(client, county_user, tree):
    for n in range(25):
        make_organisation(parent=tree["shangzhou"], code=f"6110020090{n:02d}", name=f"商州物流{n}公司工会")
    client.force_login(county_user)
    url = reverse("members:roster-union-suggestions")

    by_code = client.get(url, {"organisation": "611002009"}).content.decode()
    by_name = client.get(url, {"organisation": "物流3"}).content.decode()
    outside = client.get(url, {"organisation": "山阳"}).content.decode()
    nothing = client.get(url, {"organisation": ""}).content.decode()

    assert by_code.count("<option") == 20
    assert by_name.count("<option") == 1 and 'value="商州物流3公司工会（611002009003）"' in by_name
    assert "<option" not in outside and "<option" not in nothing


def test_suggestions_need_the_import_permission(client, auditor, tree):
    client.force_login(auditor)

    assert client.get(reverse("members:roster-union-suggestions"), {"organisation": "611"}).status_code == 403


# --- Who may see what -----------------------------------------------------------------------------


def _roster_urls(pk):
    return [
        ("get", reverse("members:roster-detail", args=[pk])),
        ("get", reverse("members:roster-progress", args=[pk])),
        ("get", reverse("members:roster-errors", args=[pk])),
        ("post", reverse("members:roster-confirm", args=[pk])),
        ("post", reverse("members:roster-cancel", args=[pk])),
    ]


def test_a_user_of_another_county_gets_404(officer_client, client, tree, other_county_user):
    upload(officer_client, tree["union_sz"], workbook([*valid_rows(1), row("坏号", id_number(9), phone="12")]))
    roster = latest_roster()
    client.force_login(other_county_user)

    for method, url in _roster_urls(roster.pk):
        assert getattr(client, method)(url).status_code == 404, url
    assert (
        reverse("members:roster-detail", args=[roster.pk])
        not in client.get(reverse("members:roster-list")).content.decode()
    )
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.READY


def test_the_county_sees_its_unions_imports(officer_client, client, tree, county_user):
    upload(officer_client, tree["union_sz"], workbook(valid_rows(1)))
    client.force_login(county_user)

    assert client.get(reverse("members:roster-detail", args=[latest_roster().pk])).status_code == 200


def test_an_officer_cannot_upload_for_a_union_outside_their_scope(officer_client, tree):
    response = upload(officer_client, tree["union_sy"], workbook(valid_rows(1)))

    assert response.status_code == 200 and RosterImport.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, tree):
    urls = [
        ("get", reverse("members:roster-list")),
        ("get", reverse("members:roster-template")),
        ("get", reverse("members:roster-union-suggestions") + "?organisation=611"),
        ("get", reverse("members:member-export")),
        *_roster_urls(1),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), url


# --- Export ---------------------------------------------------------------------------------------


def _export(client, **params):
    response = client.get(reverse("members:member-export"), params)
    assert response.status_code == 200, response.status_code
    return list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)


def test_export_is_scoped_masked_and_logged(client, tree, county_user):
    mine = make_member(tree["union_sz"], id_number(1), name="商州人")
    make_member(tree["union_sy"], id_number(2), name="山阳人")
    client.force_login(county_user)

    lines = _export(client)

    assert lines[0][:3] == ("会员编号", "姓名", "身份证号")
    assert [line[1] for line in lines[1:]] == ["商州人"]
    assert lines[1][2] == mine.id_number[:4] + "**********" + mine.id_number[-4:]
    entry = LogEntry.objects.filter(additional_data__kind="export").get()
    assert entry.actor == county_user and entry.additional_data["rows"] == 1
    assert entry.additional_data["filters"]["full_numbers"] is False


def test_full_numbers_need_the_reveal_permission_and_are_logged(client, tree, county_user, officer):
    member = make_member(tree["union_sz"], id_number(1))
    client.force_login(county_user)

    lines = _export(client, organisation=tree["union_sz"].pk, full="1")

    assert lines[1][2] == member.id_number
    entry = LogEntry.objects.filter(additional_data__kind="export").get()
    assert entry.additional_data["filters"] == {
        "organisation": tree["union_sz"].pk, "organisation_name": tree["union_sz"].name, "status": "",
        "full_numbers": True,
    }  # fmt: skip
    client.force_login(officer)  # a union officer may export, masked only
    assert client.get(reverse("members:member-export"), {"full": "1"}).status_code == 403
    assert _export(client)[1][2] != member.id_number


def test_export_of_another_countys_union_is_404(client, tree, county_user):
    client.force_login(county_user)

    assert client.get(reverse("members:member-export"), {"organisation": tree["union_sy"].pk}).status_code == 404
    assert not LogEntry.objects.filter(additional_data__kind="export").exists()


# --- Bounded work ---------------------------------------------------------------------------------


@contextmanager
def counting_queries():
    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        yield queries


def test_import_queries_do_not_grow_with_the_rows(officer_client, tree, django_assert_max_num_queries):
    ContentType.objects.get_for_model(Member)
    member_numbers(1)  # the sequence row exists, as it does after the first member
    counts = []
    for start, size in ((0, 50), (1000, 500)):
        upload(officer_client, tree["union_sz"], workbook(valid_rows(size, start)))
        url = reverse("members:roster-confirm", args=[latest_roster().pk])
        with counting_queries() as queries:
            response = officer_client.post(url)
        officer_client.get(response.url)  # as the browser does: shows, and so clears, the message
        counts.append(len(queries))
        assert latest_roster().imported_rows == size

    assert counts[0] == counts[1]
    upload(officer_client, tree["union_sz"], workbook(valid_rows(50, 3000)))
    url = reverse("members:roster-confirm", args=[latest_roster().pk])
    with django_assert_max_num_queries(counts[0]):
        officer_client.post(url)


def test_the_error_file_writes_text_that_would_start_a_formula_inert(officer_client, tree):
    bad = row("坏号", id_number(9), phone="12", **{"工作单位": "@SUM(1)", "职务": "+1+1"})
    upload(officer_client, tree["union_sz"], workbook([*valid_rows(1), bad]))
    roster = latest_roster()
    officer_client.post(reverse("members:roster-confirm", args=[roster.pk]))

    errors = b"".join(officer_client.get(reverse("members:roster-errors", args=[roster.pk])).streaming_content)

    sheet = openpyxl.load_workbook(io.BytesIO(errors)).worksheets[0]
    cells = {sheet.cell(row=1, column=n).value: sheet.cell(row=2, column=n) for n in range(1, sheet.max_column + 1)}
    for heading, text in (("工作单位", "'@SUM(1)"), ("职务", "'+1+1")):
        assert cells[heading].data_type != "f" and cells[heading].value == text
