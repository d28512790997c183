"""Roster import (花名册) and member export.

A union uploads its members as an xlsx workbook built on the template. The flow, one ``RosterImport`` row
from start to end:

    roster_upload ── VALIDATING ── roster_validate ──▶ READY ── roster_confirm ──▶ IMPORTING
                                        │                                              │
                                        ▼                                      roster_import_rows
                                     FAILED (the file cannot be read as a roster)       ▼
                                                                                      DONE

Small files are checked and imported inside the request; files over ``ROSTER_ASYNC_ROWS`` rows go to the
``roster_process`` task, which keeps ``progress`` up to date for the page that polls it. Nothing is written
to the members' tables before the user confirms, and then the valid rows go in one transaction. The import
checks the file again at that moment: the people in it may have joined elsewhere since the preview.

Speed (a 100,000-row roster is the design case): python-calamine reads the sheet, rows are checked in plain
Python, existing ID numbers are looked up a few thousand at a time, members, periods and their audit rows
are written with ``bulk_create`` in batches, and the member numbers are reserved in one block.

The Chinese headings and choice labels below are the file format itself, the same whatever language the
page is shown in; messages about the file are written in the portal's default language (Chinese) for the
same reason: they go into the downloadable error file.
"""

import io
import logging
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import uuid4

import openpyxl
import python_calamine
from auditlog.cid import get_cid
from auditlog.diff import track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from unionportal.accounts.audit import log_export, mask_value
from unionportal.accounts.scope import in_scope, scope_queryset
from unionportal.core.display import mask_identifier

from .models import Member, MembershipPeriod, Organisation, RosterImport
from .services import member_numbers, transfer_request
from .validators import birth_date_from_id, sex_from_id, validate_id_number, validate_mobile

logger = logging.getLogger(__name__)

# --- The file format ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    heading: str  # as in the template, without the "*" that marks a required column
    field: str  # the Member field it fills
    required: bool = False
    width: int = 12


COLUMNS = (
    Column("姓名", "name", required=True, width=10),
    Column("身份证号", "id_number", required=True, width=22),
    Column("手机号码", "phone", width=14),
    Column("性别", "sex", width=6),
    Column("民族", "ethnicity", width=8),
    Column("学历", "education"),
    Column("政治面貌", "political_status"),
    Column("户籍类型", "household", width=10),
    Column("是否农民工", "is_migrant_worker", width=10),
    Column("就业形态", "employment"),
    Column("新就业形态群体", "new_form_group", width=16),
    Column("工作单位", "employer", width=24),
    Column("职务", "position"),
    Column("是否劳模", "is_model_worker", width=10),
    Column("入会日期", "joined_on"),
)
BY_HEADING = {column.heading: column for column in COLUMNS}
ERROR_HEADING = "错误原因"  # the extra column of the error file; ignored when that file comes back fixed
TEXT_FIELDS = ("id_number", "phone")  # formatted as text in the template, or Excel rounds them

# Chinese label → stored value. The first label of each value is the one the template offers and the export
# writes; the others are spellings people commonly type.
CHOICES = {
    "sex": {"男": Member.Sex.MALE, "女": Member.Sex.FEMALE},
    "education": {
        "小学及以下": Member.Education.PRIMARY, "小学": Member.Education.PRIMARY,
        "初中": Member.Education.JUNIOR,
        "高中/中专": Member.Education.SENIOR, "高中": Member.Education.SENIOR, "中专": Member.Education.SENIOR,
        "中职": Member.Education.SENIOR, "技校": Member.Education.SENIOR, "职高": Member.Education.SENIOR,
        "大专": Member.Education.COLLEGE, "专科": Member.Education.COLLEGE, "高职": Member.Education.COLLEGE,
        "本科": Member.Education.BACHELOR, "大学本科": Member.Education.BACHELOR,
        "研究生": Member.Education.POSTGRADUATE, "硕士": Member.Education.POSTGRADUATE,
        "博士": Member.Education.POSTGRADUATE, "研究生及以上": Member.Education.POSTGRADUATE,
    },
    "political_status": {
        "群众": Member.Political.MASSES,
        "共青团员": Member.Political.LEAGUE, "团员": Member.Political.LEAGUE,
        "中共党员": Member.Political.PARTY, "党员": Member.Political.PARTY, "中共预备党员": Member.Political.PARTY,
        "民主党派": Member.Political.DEMOCRATIC, "民主党派成员": Member.Political.DEMOCRATIC,
    },
    "household": {
        "城镇": Member.Household.URBAN, "城市": Member.Household.URBAN, "非农业": Member.Household.URBAN,
        "农村": Member.Household.RURAL, "农业": Member.Household.RURAL,
    },
    "employment": {
        "标准": Member.Employment.STANDARD, "标准就业": Member.Employment.STANDARD,
        "新就业形态": Member.Employment.NEW_FORM,
    },
    "new_form_group": {
        "货车司机": Member.NewFormGroup.TRUCK_DRIVER,
        "网约车司机": Member.NewFormGroup.RIDE_HAILING,
        "快递员": Member.NewFormGroup.COURIER,
        "外卖配送员": Member.NewFormGroup.FOOD_DELIVERY, "外卖送餐员": Member.NewFormGroup.FOOD_DELIVERY,
        "外卖骑手": Member.NewFormGroup.FOOD_DELIVERY,
        "家政服务员": Member.NewFormGroup.DOMESTIC, "家政": Member.NewFormGroup.DOMESTIC,
        "商场信息员": Member.NewFormGroup.MALL_INFO,
        "网络主播": Member.NewFormGroup.STREAMER,
        "保安员": Member.NewFormGroup.SECURITY, "保安": Member.NewFormGroup.SECURITY,
        "其他新就业形态": Member.NewFormGroup.OTHER, "其他": Member.NewFormGroup.OTHER,
    },
}  # fmt: skip
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "TRUE": True, "FALSE": False}
LABELS = {name: {value: label for label, value in reversed(table.items())} for name, table in CHOICES.items()}
# The 56 ethnic groups of GB/T 3304; "族" may be left off in the file.
ETHNIC_GROUPS = frozenset({
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
})  # fmt: skip
MIN_AGE = 16  # the minimum working age (Labour Law art. 15)

# --- Limits ---------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # a 100,000-row roster saved by Excel is under 10 MB
MAX_UNPACKED_BYTES = 600 * 1024 * 1024  # what a genuine roster of that size unpacks to, with room; stops zip bombs
PREVIEW_ERRORS = 200  # errors kept on the row for the preview; the error file has them all
PREVIEW_TRANSFERS = 500  # transfer offers listed one by one; "all of them" covers the rest
LOOKUP_CHUNK = 5000  # ID numbers per query when looking for existing members
BATCH = 2000  # rows per INSERT


class RosterRefused(Exception):
    """The file cannot be read as a roster: nothing of it is imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Reading the workbook -------------------------------------------------------------------------

_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?"
_FORMULA = re.compile(_TAG + rb"f[\s/>]")
_ROW = re.compile(_TAG + rb"row[\s>]")
_MERGE = re.compile(_TAG + rb'mergeCell\s[^>]*?ref="([A-Z]+(\d+)(?::[A-Z]+\d+)?)"')
_CELL_REF = re.compile(rb'\sr="([A-Z]+\d+)"')
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*>")
_REL_ID = re.compile(rb'\s[A-Za-z_][\w.-]*:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also any password-protected .xlsx


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part that holds the workbook's first sheet (the one calamine reads as index 0)."""
    names = set(archive.namelist())
    sheet = _SHEET.search(archive.read("xl/workbook.xml"))
    rel_id = _REL_ID.search(sheet.group(0)) if sheet else None
    if rel_id and "xl/_rels/workbook.xml.rels" in names:
        for element in _RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
            attributes = dict(_ATTRIBUTE.findall(element))
            if attributes.get(b"Id") == rel_id.group(1):
                target = attributes.get(b"Target", b"").decode()
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if path in names:
                    return path
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise RosterRefused(_("The workbook has no worksheet."))


def inspect_workbook(data: bytes) -> int:
    """Check what calamine cannot see, without reading the cells; return an upper bound of the data rows.

    Refuses: anything that is not an xlsx file, a damaged archive, formulas, merged cells and, early, a sheet
    far over the row limit. Streams the first sheet's XML once (about half a second per 100,000 rows).
    """
    if data.startswith(OLE_MAGIC):
        raise RosterRefused(
            _("This is an old-style .xls workbook or a password-protected one. Save it in Excel as an unprotected "
              "“Excel workbook (*.xlsx)” and upload that file.")
        )  # fmt: skip
    if not data.startswith(b"PK\x03\x04"):
        raise RosterRefused(_("The file is not an Excel workbook (.xlsx). Fill in the template and save it as .xlsx."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "xl/workbook.xml" not in archive.namelist():
            raise RosterRefused(
                _("The file is not an Excel workbook (.xlsx). Fill in the template and save it as .xlsx.")
            )
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise RosterRefused(_("The workbook is too large once unpacked. Split the roster into several files."))
        path = _first_sheet_path(archive)
        rows, formula, merges, unpacked, tail = 0, None, set(), 0, b""
        with archive.open(path) as stream:
            while chunk := stream.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise RosterRefused(
                        _("The workbook is too large once unpacked. Split the roster into several files.")
                    )
                buffer = tail + chunk
                # Count what ends in the new bytes only: what ended in the tail was counted last time.
                rows += sum(1 for match in _ROW.finditer(buffer) if match.end() > len(tail))
                if formula is None and (match := _FORMULA.search(buffer)):
                    cell = _CELL_REF.search(buffer, max(buffer.rfind(b"<c ", 0, match.start()), 0), match.start())
                    formula = cell.group(1).decode() if cell else ""
                merges.update(_MERGE.findall(buffer))
                tail = buffer[-512:]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        KeyError,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
    ):
        # RuntimeError: an encrypted member; the others: a truncated or corrupt archive or stream.
        raise RosterRefused(
            _("The file is damaged and cannot be opened. Open it in Excel, save it again as .xlsx and upload the "
              "new copy.")
        ) from None  # fmt: skip
    if formula is not None:
        raise RosterRefused(
            _("The sheet contains formulas (the first in cell %(cell)s). Copy the sheet and paste it as values "
              "only, then upload it again.") % {"cell": formula or "?"}
        )  # fmt: skip
    if merges:
        first_row, cell_range = min((int(row), ref.decode()) for ref, row in merges)
        if first_row == 1:
            raise RosterRefused(
                _("The heading row has merged cells (%(range)s). Unmerge them so that every column has its own "
                  "heading, as in the template.") % {"range": cell_range}
            )  # fmt: skip
        raise RosterRefused(
            _("The sheet has merged cells (from %(range)s). Unmerge them and fill in every cell.")
            % {"range": cell_range}
        )
    # Blank but formatted rows are written as rows too; refuse early only when no amount of those explains it.
    if rows - 1 > settings.ROSTER_MAX_ROWS + 1000:
        raise _too_many_rows(rows - 1)
    return max(rows - 1, 0)


def _too_many_rows(count: int) -> RosterRefused:
    return RosterRefused(
        _("The file has %(count)s rows; one upload takes at most %(limit)s. Split it into several files.")
        % {
            "count": number_format(count, force_grouping=True),
            "limit": number_format(settings.ROSTER_MAX_ROWS, force_grouping=True),
        }
    )


def _heading(value) -> str:
    return str(value).strip().rstrip("*＊").strip() if value not in (None, "") else ""


def read_roster(data: bytes) -> tuple[list, dict[str, int], list[tuple[int, list]]]:
    """Read the first sheet: its heading cells, the column index of each field, and the non-empty rows.

    Rows come as ``(Excel row number, cells)``; row 1 is the heading row. Empty rows are skipped.
    """
    try:
        sheet = python_calamine.load_workbook(io.BytesIO(data)).get_sheet_by_index(0)
        # skip_empty_area=False keeps row and column numbers as Excel shows them.
        cells = sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own types for every kind of damage
        raise RosterRefused(
            _("The file is damaged and cannot be opened. Open it in Excel, save it again as .xlsx and upload the "
              "new copy.")
        ) from None  # fmt: skip
    if not cells or not any(cell not in (None, "") for cell in cells[0]):
        raise RosterRefused(_("Row 1 must hold the template's headings, and it is empty."))
    headings = list(cells[0])
    while headings and headings[-1] in (None, ""):
        headings.pop()
    index: dict[str, int] = {}
    for position, cell in enumerate(headings):
        heading, letter = _heading(cell), get_column_letter(position + 1)
        if not heading:
            raise RosterRefused(_("Column %(letter)s has no heading.") % {"letter": letter})
        if heading == ERROR_HEADING:
            continue
        if heading not in BY_HEADING:
            raise RosterRefused(
                _("The heading “%(heading)s” in column %(letter)s is not one of the template's. Use the template's "
                  "headings unchanged.") % {"heading": heading, "letter": letter}
            )  # fmt: skip
        if BY_HEADING[heading].field in index:
            raise RosterRefused(_("The heading “%(heading)s” appears twice.") % {"heading": heading})
        index[BY_HEADING[heading].field] = position
    missing = [column.heading for column in COLUMNS if column.field not in index]
    if missing:
        raise RosterRefused(
            _("Columns are missing from row 1: %(columns)s. Use the template's headings unchanged.")
            % {"columns": "、".join(missing)}
        )
    rows = []
    for number, row in enumerate(cells[1:], start=2):
        if any(cell not in (None, "") for cell in row):
            for position, cell in enumerate(row):
                if cell.__class__ is str and cell.startswith("="):
                    raise RosterRefused(
                        _("Cell %(cell)s starts with “=”, which Excel reads as a formula. Remove the “=” and "
                          "upload the file again.") % {"cell": f"{get_column_letter(position + 1)}{number}"}
                    )  # fmt: skip
            rows.append((number, row))
    if len(rows) > settings.ROSTER_MAX_ROWS:
        raise _too_many_rows(len(rows))
    if not rows:
        raise RosterRefused(_("There are no rows under the headings."))
    return headings, index, rows


# --- Checking the rows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    column: str
    message: str


@dataclass
class Offer:
    """The person is a member of another union: a transfer can be asked for instead of a new membership."""

    member_id: int
    name: str
    union: str
    member_number: str


@dataclass
class CheckedRow:
    number: int  # the Excel row number
    cells: list
    fields: dict
    issues: list[Issue] = field(default_factory=list)
    offer: Offer | None = None

    @property
    def valid(self) -> bool:
        return not self.issues and self.offer is None


@dataclass
class RosterCheck:
    headings: list
    index: dict[str, int]
    rows: list[CheckedRow]

    @property
    def valid(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.valid]

    @property
    def offers(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.offer is not None]

    @property
    def rejected(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.issues]


def _text(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value) -> date | None:
    """A date cell, a date typed as text (2024-01-05, 2024/1/5, 2024年1月5日, 20240105) or an Excel serial."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and 10958 <= value < 2958466:  # 1930 to 9999: a date cell shown as a number
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = _text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


class _RowChecker:
    """Checks one row's cells and builds the Member fields; ``issues`` in Chinese, by column heading."""

    def __init__(self, index: dict[str, int], today: date):
        self.index = index
        self.today = today
        self.lengths = {name: Member._meta.get_field(name).max_length for name in ("name", "employer", "position")}
        self.messages = {
            "required": _("Required."),
            "id_rounded": _(
                "Excel stored this ID number as a number and rounded it. Format the column as text and type the "
                "number again."
            ),
            "sex_mismatch": _("Does not match the sex in the ID number."),
            "yes_no": _("Write 是 or 否."),
            "date": _("Not a date: write it as 2024-01-05."),
            "future": _("The date is in the future."),
            "before_birth": _("The date is before the date of birth in the ID number."),
            "too_young": _("The person was younger than %(age)d on this date.") % {"age": MIN_AGE},
            "ethnicity": _("Not one of the 56 ethnic groups."),
            "group_needs_new_form": _("A new-form group needs the form of employment 新就业形态."),
        }

    def _choice(self, name: str, text: str, issues: list) -> str:
        value = CHOICES[name].get(text)
        if value is None:
            issues.append(
                Issue(
                    _column(name),
                    _("“%(value)s” is not allowed here; write one of: %(choices)s.")
                    % {"value": text, "choices": "、".join(LABELS[name].values())},
                )
            )
            return ""
        return value

    def check(self, cells: list) -> tuple[dict, list[Issue]]:
        index, messages, issues = self.index, self.messages, []
        text = {name: _text(cells[position]) for name, position in index.items() if name != "joined_on"}

        name = text["name"]
        if not name:
            issues.append(Issue("姓名", messages["required"]))
        elif len(name) > self.lengths["name"]:
            issues.append(Issue("姓名", _too_long(self.lengths["name"])))

        id_number = birth = sex = None
        raw_id = cells[index["id_number"]]
        if isinstance(raw_id, float) and raw_id >= 1e15:
            issues.append(Issue("身份证号", messages["id_rounded"]))
        elif not text["id_number"]:
            issues.append(Issue("身份证号", messages["required"]))
        else:
            try:
                id_number = validate_id_number(text["id_number"])
            except ValidationError as error:
                issues.append(Issue("身份证号", error.messages[0]))
            else:
                birth, sex = birth_date_from_id(id_number), sex_from_id(id_number)

        phone = text["phone"]
        if phone:
            try:
                phone = validate_mobile(phone)
            except ValidationError as error:
                issues.append(Issue("手机号码", error.messages[0]))

        if text["sex"] and sex and CHOICES["sex"].get(text["sex"]) != sex:
            issues.append(Issue("性别", messages["sex_mismatch"]))

        ethnicity = text["ethnicity"].removesuffix("族")
        if ethnicity and ethnicity not in ETHNIC_GROUPS and ethnicity != "其他":
            issues.append(Issue("民族", messages["ethnicity"]))

        choices = {}
        for choice in ("education", "political_status", "household", "employment", "new_form_group"):
            choices[choice] = self._choice(choice, text[choice], issues) if text[choice] else ""
        if choices["new_form_group"] and not choices["employment"]:
            choices["employment"] = Member.Employment.NEW_FORM
        elif choices["new_form_group"] and choices["employment"] == Member.Employment.STANDARD:
            issues.append(Issue("新就业形态群体", messages["group_needs_new_form"]))

        flags = {}
        for flag in ("is_migrant_worker", "is_model_worker"):
            raw = cells[index[flag]]
            value = raw if isinstance(raw, bool) else YES_NO.get(text[flag].upper()) if text[flag] else None
            if value is None and text[flag]:
                issues.append(Issue(_column(flag), messages["yes_no"]))
            flags[flag] = value
        flags["is_model_worker"] = bool(flags["is_model_worker"])
        if flags["is_migrant_worker"] is None:
            # 农民工: a worker with a rural household registration (DOMAIN.md §3), unless the file says otherwise.
            flags["is_migrant_worker"] = choices["household"] == Member.Household.RURAL

        for name_, limit in (("employer", self.lengths["employer"]), ("position", self.lengths["position"])):
            if len(text[name_]) > limit:
                issues.append(Issue(_column(name_), _too_long(limit)))

        raw_joined, joined_on = cells[index["joined_on"]], self.today
        if raw_joined not in (None, ""):
            try:
                joined_on = _date(raw_joined)
            except ValueError:
                issues.append(Issue("入会日期", messages["date"]))
                joined_on = None
        if joined_on is None:
            pass
        elif joined_on > self.today:
            issues.append(Issue("入会日期", messages["future"]))
        elif birth and joined_on < birth:
            issues.append(Issue("入会日期", messages["before_birth"]))
        elif birth and joined_on < _add_years(birth, MIN_AGE):
            issues.append(Issue("入会日期", messages["too_young"]))

        fields = {
            "name": name,
            "id_number": id_number,
            "id_type": _id_type(id_number),
            "sex": sex,
            "birth_date": birth,
            "phone": phone,
            "ethnicity": (ethnicity + "族") if ethnicity and ethnicity != "其他" else (ethnicity or "汉族"),
            **choices,
            **flags,
            "employment": choices["employment"] or Member.Employment.STANDARD,
            "employer": text["employer"],
            "position": text["position"],
            "joined_on": joined_on,
        }
        return fields, issues


def _column(field_name: str) -> str:
    return next(column.heading for column in COLUMNS if column.field == field_name)


def _too_long(limit: int) -> str:
    return _("Too long: at most %(limit)d characters.") % {"limit": limit}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _id_type(id_number: str | None) -> str:
    """Residence permits of Hong Kong and Macao (81, 82) and Taiwan (83) residents follow GB 11643 too."""
    prefix = (id_number or "")[:2]
    if prefix in ("81", "82"):
        return Member.IdType.HK_MACAO
    if prefix == "83":
        return Member.IdType.TAIWAN
    return Member.IdType.RESIDENT


def check_roster(
    *, organisation: Organisation, data: bytes, on_progress: Callable[[float], None] | None = None
) -> RosterCheck:
    """Read and check every row of a roster for ``organisation``; write nothing.

    Besides each row's own checks: an ID number twice in the file rejects every row that has it; a member
    of this union already is rejected as a duplicate; a member of another union is offered as a transfer.
    Raises ``RosterRefused`` when the file cannot be read as a roster at all.
    """
    headings, index, rows = read_roster(data)
    checker = _RowChecker(index, timezone.localdate())
    checked = []
    for position, (number, cells) in enumerate(rows):
        fields, issues = checker.check(cells)
        checked.append(CheckedRow(number, cells, fields, issues))
        if on_progress and position % 5000 == 4999:
            on_progress(0.8 * position / len(rows))

    by_number: dict[str, list[CheckedRow]] = {}
    for row in checked:
        if row.fields["id_number"]:
            by_number.setdefault(row.fields["id_number"], []).append(row)
    for same in by_number.values():
        if len(same) > 1:
            numbers = "、".join(str(row.number) for row in same)
            for row in same:
                row.issues.append(Issue("身份证号", _("The same ID number is in rows %(rows)s.") % {"rows": numbers}))

    existing = _existing_members([number for number, same in by_number.items() if len(same) == 1])
    for number, member in existing.items():
        row = by_number[number][0]
        if member["status"] not in (Member.Status.ACTIVE, Member.Status.RETIRED):
            row.issues.append(
                Issue(
                    "身份证号",
                    _("This person's membership of %(union)s has ended (%(status)s). Ask the federation to restore "
                      "it instead of importing.")
                    % {"union": member["union"], "status": Member.Status(member["status"]).label},
                )
            )  # fmt: skip
        elif member["organisation_id"] == organisation.pk:
            row.issues.append(
                Issue(
                    "身份证号",
                    _("Already a member of this union (member number %(number)s).") % {"number": member["number"]},
                )
            )
        else:
            row.issues = []  # the person's record stays as it is; a transfer needs nothing else from the row
            row.offer = Offer(member["pk"], member["name"], member["union"], member["number"])
    if on_progress:
        on_progress(0.9)
    return RosterCheck(headings, index, checked)


def _existing_members(id_numbers: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(id_numbers), LOOKUP_CHUNK):
        for values in Member.objects.filter(id_number__in=id_numbers[start : start + LOOKUP_CHUNK]).values(
            "id_number",
            "pk",
            "name",
            "status",
            "organisation_id",
            union=F("organisation__name"),
            number=F("member_number"),
        ):
            found[values["id_number"]] = values
    return found


# --- What goes back to the user: preview rows and the error file -----------------------------------


def _letter(check: RosterCheck, heading: str) -> str:
    return get_column_letter(check.index[BY_HEADING[heading].field] + 1)


def _offer_message(offer: Offer) -> str:
    return _("%(name)s is already a member of %(union)s (member number %(number)s): ask for a transfer instead.") % {
        "name": offer.name,
        "union": offer.union,
        "number": offer.member_number,
    }


def _reason(row: CheckedRow) -> str:
    if row.offer is not None and not row.issues:
        return _offer_message(row.offer)
    return "；".join(f"{issue.column}：{issue.message}" for issue in row.issues)


def _preview(check: RosterCheck, *, requested: Collection[int] = ()) -> list[dict]:
    """The first errors and transfer offers, as kept in ``RosterImport.errors`` for the page."""
    errors = []
    for row in check.rejected:
        for issue in row.issues:
            errors.append(
                {
                    "row": row.number,
                    "column": issue.column,
                    "letter": _letter(check, issue.column),
                    "message": issue.message,
                }
            )
        if len(errors) >= PREVIEW_ERRORS:
            break
    offers = [
        {
            "row": row.number,
            "column": "身份证号",
            "letter": _letter(check, "身份证号"),
            "message": _offer_message(row.offer),
            "transfer": {
                "member": row.offer.member_id,
                "name": row.offer.name,
                "name_in_file": row.fields["name"],
                "union": row.offer.union,
                "number": row.offer.member_number,
                "requested": row.number in requested,
            },
        }
        for row in check.offers[:PREVIEW_TRANSFERS]
    ]
    return errors[:PREVIEW_ERRORS] + offers


def _plain(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _write_error_file(roster: RosterImport, check: RosterCheck, rows: list[CheckedRow]) -> None:
    """Every row not imported, as the user sent it, with a 错误原因 column; replaces the previous file."""
    if roster.error_file:
        roster.error_file.delete(save=False)
    if not rows:
        return
    # The columns as sent, less the reasons of an earlier error file that comes back corrected.
    keep = [position for position, cell in enumerate(check.headings) if _heading(cell) != ERROR_HEADING]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append([*(check.headings[position] for position in keep), ERROR_HEADING])
    for row in rows:
        cells = []
        for value in (row.cells[position] for position in keep):
            if isinstance(value, date | datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(_plain(value))
        sheet.append([*cells, _reason(row)])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        roster.error_file.save(f"{roster.pk}-{uuid4().hex[:8]}.xlsx", File(handle), save=False)


# --- Services -------------------------------------------------------------------------------------


def _progress_key(pk: int) -> str:
    return f"roster-import:{pk}:progress"


def _reporter(roster: RosterImport, start: int, end: int) -> Callable[[float], None]:
    """Report progress between ``start`` and ``end`` per cent.

    Written to the row and to the cache: inside the import's transaction only the cache is seen by the page.
    """
    last = [-1]

    def report(fraction: float) -> None:
        percent = int(start + (end - start) * min(max(fraction, 0.0), 1.0))
        if percent != last[0]:
            last[0] = percent
            cache.set(_progress_key(roster.pk), percent, timeout=6 * 3600)
            RosterImport.objects.filter(pk=roster.pk).update(progress=percent)

    return report


def roster_progress(roster_import: RosterImport) -> int:
    """The per cent done of a roster being checked or imported (the cache is fresher during an import)."""
    if roster_import.status not in (RosterImport.Status.VALIDATING, RosterImport.Status.IMPORTING):
        return 100
    return max(roster_import.progress, cache.get(_progress_key(roster_import.pk)) or 0)


def _read_file(roster: RosterImport) -> bytes:
    with roster.file.open("rb") as handle:
        return handle.read()


def _fail(roster: RosterImport, message: str) -> RosterImport:
    roster.status, roster.message, roster.progress = RosterImport.Status.FAILED, message[:300], 100
    roster.finished_at = timezone.now()
    roster.save(update_fields=["status", "message", "progress", "finished_at"])
    return roster


def roster_upload(*, actor, organisation: Organisation, upload: File) -> RosterImport:
    """Keep an uploaded roster for ``organisation`` and check it: at once when small, in the task when large.

    The file is stored under a random name, never served directly. A file that cannot be read as a roster
    ends FAILED with the reason; in no case does anything reach the members' tables before confirmation.
    """
    if not in_scope(actor, organisation.path):
        raise Http404
    if not organisation.is_union or not organisation.is_active:
        raise ValidationError(_("Members join an active grassroots union."))
    roster = RosterImport(organisation=organisation, uploaded_by=actor, original_name=(upload.name or "")[:200])
    roster.file.save(f"{uuid4().hex}.xlsx", upload, save=False)
    roster.save()
    cache.delete(_progress_key(roster.pk))
    with translation.override(settings.LANGUAGE_CODE):
        try:
            rows = inspect_workbook(_read_file(roster))
        except RosterRefused as refused:
            return _fail(roster, refused.message)
    if rows <= settings.ROSTER_ASYNC_ROWS:
        with _unstick(roster):
            return roster_validate(roster_import=roster)
    roster.total_rows = rows  # an estimate until the check counts the non-empty rows
    roster.save(update_fields=["total_rows"])
    transaction.on_commit(lambda: roster_process.delay(roster.pk))
    return roster


def roster_validate(*, roster_import: RosterImport, report_progress: bool = False) -> RosterImport:
    """Check a VALIDATING roster; leave it READY with counts, preview and error file, or FAILED with the reason.

    Writes nothing but the roster's own row. Safe to run twice: only a roster still VALIDATING is changed.
    """
    roster = roster_import
    if roster.status != RosterImport.Status.VALIDATING:
        return roster
    with translation.override(settings.LANGUAGE_CODE):
        progress = _reporter(roster, 0, 95) if report_progress else None
        try:
            check = check_roster(organisation=roster.organisation, data=_read_file(roster), on_progress=progress)
        except RosterRefused as refused:
            return _fail(roster, refused.message)
        _write_error_file(roster, check, [row for row in check.rows if not row.valid])
        valid = len(check.valid)
        roster.total_rows, roster.valid_rows = len(check.rows), valid
        roster.error_rows, roster.transfer_rows = len(check.rejected), len(check.offers)
        roster.errors, roster.status, roster.progress = _preview(check), RosterImport.Status.READY, 100
        roster.message = (
            "" if valid or check.offers else _("No row can be imported: correct the errors and upload again.")
        )
    fields = ["total_rows", "valid_rows", "error_rows", "transfer_rows", "errors", "error_file", "status", "progress"]
    RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.VALIDATING).update(
        **{name: getattr(roster, name) for name in fields}, message=roster.message
    )
    return roster


def roster_confirm(
    *,
    actor,
    roster_import: RosterImport,
    transfer_rows: Collection[int] = (),
    transfer_all: bool = False,
    remote_addr: str | None = None,
) -> RosterImport:
    """The user confirms a READY roster: import it now when small, or hand it to the task when large.

    ``transfer_rows`` are the Excel rows offered as transfers that the user ticked (``transfer_all``: every
    offer). A double click, or two users at once, cannot import twice: the row is locked and moves from READY
    to IMPORTING exactly once; the other click finds it locked or no longer READY and changes nothing.
    """
    if not in_scope(actor, roster_import.organisation.path):
        raise Http404
    try:
        with transaction.atomic():
            locked = RosterImport.objects.select_for_update(nowait=True).get(pk=roster_import.pk)
            if locked.status != RosterImport.Status.READY:
                return locked
            locked.status, locked.progress, locked.message = RosterImport.Status.IMPORTING, 0, ""
            locked.save(update_fields=["status", "progress", "message"])
            cache.delete(_progress_key(locked.pk))
            options = {"transfer_rows": sorted(transfer_rows), "transfer_all": transfer_all, "remote_addr": remote_addr}
            if locked.total_rows > settings.ROSTER_ASYNC_ROWS:
                transaction.on_commit(lambda: roster_process.delay(locked.pk, actor_id=actor.pk, **options))
                return locked
    except OperationalError:  # the row is locked: the first click is at work
        return RosterImport.objects.get(pk=roster_import.pk)
    with _unstick(locked):
        return roster_import_rows(roster_import=locked, actor=actor, **options)


def roster_import_rows(
    *,
    roster_import: RosterImport,
    actor,
    transfer_rows: Collection[int] = (),
    transfer_all: bool = False,
    remote_addr: str | None = None,
    report_progress: bool = False,
) -> RosterImport:
    """Import an IMPORTING roster: the rows still valid become members, in one transaction; ask for the ticked
    transfers; write the error file of every row not imported; leave the roster DONE.

    The file is checked again first, as the preview may be hours old. Safe to run twice: the work is done
    under the roster's row lock and only while it is IMPORTING. If someone registers one of the people in the
    meantime the unique ID number stops the transaction; the roster goes back to READY to be confirmed again.
    """
    roster = RosterImport.objects.select_related("organisation").get(pk=roster_import.pk)
    if roster.status != RosterImport.Status.IMPORTING:
        return roster
    with translation.override(settings.LANGUAGE_CODE):
        try:
            check = check_roster(
                organisation=roster.organisation,
                data=_read_file(roster),
                on_progress=_reporter(roster, 0, 40) if report_progress else None,
            )
        except RosterRefused as refused:
            return _fail(roster, refused.message)
        valid = check.valid
        ticked = set(transfer_rows)
        offers = [row for row in check.offers if transfer_all or row.number in ticked]
        # Reserved outside the import's transaction so that counters registering members are not held up
        # for the length of a large import; a failed import leaves a gap in the numbers, never a reuse.
        numbers = member_numbers(len(valid)) if valid else []
        try:
            with transaction.atomic():
                locked = RosterImport.objects.select_for_update().select_related("organisation").get(pk=roster.pk)
                if locked.status != RosterImport.Status.IMPORTING:
                    return locked
                progress = _reporter(locked, 40, 95) if report_progress else None
                _create_members(
                    roster=locked, actor=actor, rows=valid, numbers=numbers, remote_addr=remote_addr, progress=progress
                )
                requested = _request_transfers(roster=locked, actor=actor, rows=offers)
                _finish(locked, check, imported=len(valid), requested=requested)
        except IntegrityError:
            if not _existing_members([row.fields["id_number"] for row in valid]):
                raise
            logger.info("Roster import %s: people registered meanwhile; back to READY", roster.pk)
            RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.IMPORTING).update(
                status=RosterImport.Status.READY,
                progress=100,
                message=_("Some of these people were registered elsewhere meanwhile; nothing was imported. "
                          "Confirm again to import the rows that are still valid."),
            )  # fmt: skip
            return RosterImport.objects.get(pk=roster.pk)
    return locked


def _create_members(
    *, roster: RosterImport, actor, rows: list[CheckedRow], numbers: list[str], remote_addr, progress
) -> None:
    target = roster.organisation
    members = [
        Member(**row.fields, member_number=number, organisation=target, org_path=target.path)
        for row, number in zip(rows, numbers, strict=True)
    ]
    for start in range(0, len(members), BATCH):
        Member.objects.bulk_create(members[start : start + BATCH])
        if progress:
            progress(0.6 * (start + BATCH) / len(members))
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(
                member=member, organisation=target, started_on=member.joined_on,
                start_reason=MembershipPeriod.Reason.IMPORTED,
            )
            for member in members
        ],
        batch_size=BATCH,
    )  # fmt: skip
    if progress:
        progress(0.8)
    LogEntry.objects.bulk_create(
        _audit_entries(members, actor=actor, remote_addr=remote_addr, roster=roster), batch_size=BATCH
    )
    if progress:
        progress(1.0)


def _audited_fields() -> list[tuple[str, str, bool]]:
    """(name, attribute, masked) of the Member fields auditlog records, as registered in members/apps.py."""
    registered = auditlog.get_model_fields(Member)
    excluded, masked, included = (set(registered[key]) for key in ("exclude_fields", "mask_fields", "include_fields"))
    return [
        (field.name, field.attname, field.name in masked)
        for field in Member._meta.concrete_fields
        if track_field(field) and field.name not in excluded and (not included or field.name in included)
    ]


def _audit_entries(members: list[Member], *, actor, remote_addr, roster: RosterImport) -> Iterator[LogEntry]:
    """One CREATE entry per member, as auditlog writes them for a save (bulk_create sends no signals)."""
    content_type = ContentType.objects.get_for_model(Member)
    fields, cid, email = _audited_fields(), get_cid(), getattr(actor, "email", None)
    for member in members:
        changes = {}
        for name, attname, masked in fields:
            value = getattr(member, attname)
            if value is not None:
                text = str(value)
                changes[name] = ["None", mask_value(text) if masked else text]
        yield LogEntry(
            content_type=content_type, object_pk=str(member.pk), object_id=member.pk, object_repr=str(member),
            action=LogEntry.Action.CREATE, changes=changes, actor=actor, actor_email=email,
            remote_addr=remote_addr or None, cid=cid, additional_data={"roster_import": roster.pk},
        )  # fmt: skip


def _request_transfers(*, roster: RosterImport, actor, rows: list[CheckedRow]) -> set[int]:
    """Ask for each ticked transfer; a refusal (e.g. one already pending) becomes that row's error."""
    requested = set()
    members = Member.objects.in_bulk([row.offer.member_id for row in rows])
    reason = _("Roster import %(file)s") % {"file": roster.original_name}
    for row in rows:
        try:
            transfer_request(
                actor=actor,
                member=members[row.offer.member_id],
                to_organisation=roster.organisation,
                reason=reason[:200],
            )
        except ValidationError as error:
            row.issues.append(Issue("身份证号", error.messages[0]))
        else:
            requested.add(row.number)
    return requested


def _finish(roster: RosterImport, check: RosterCheck, *, imported: int, requested: set[int]) -> None:
    not_imported = [row for row in check.rows if not row.valid and row.number not in requested]
    _write_error_file(roster, check, not_imported)
    roster.status, roster.progress, roster.finished_at = RosterImport.Status.DONE, 100, timezone.now()
    roster.total_rows, roster.valid_rows, roster.imported_rows = len(check.rows), imported, imported
    roster.error_rows, roster.transfer_rows = len(check.rejected), len(check.offers)
    roster.errors = _preview(check, requested=requested)
    roster.message = _(
        "%(imported)s members imported; %(requested)s transfers asked for; %(left)s rows not imported."
    ) % {
        "imported": imported,
        "requested": len(requested),
        "left": len(not_imported),
    }
    roster.save()


@shared_task
def roster_process(
    roster_import_id: int,
    actor_id: int | None = None,
    transfer_rows: list[int] | None = None,
    transfer_all: bool = False,
    remote_addr: str | None = None,
) -> str:
    """Check a VALIDATING roster, or import an IMPORTING one (``actor_id`` is then who confirmed it).

    Any other state means the work is done: running twice, or after a redelivery, changes nothing.
    """
    roster = RosterImport.objects.select_related("organisation").filter(pk=roster_import_id).first()
    if roster is None:
        return "missing"
    with _unstick(roster):
        if roster.status == RosterImport.Status.VALIDATING:
            roster = roster_validate(roster_import=roster, report_progress=True)
        elif roster.status == RosterImport.Status.IMPORTING:
            roster = roster_import_rows(
                roster_import=roster, actor=get_user_model().objects.get(pk=actor_id),
                transfer_rows=transfer_rows or (), transfer_all=transfer_all, remote_addr=remote_addr,
                report_progress=True,
            )  # fmt: skip
    return roster.status


@contextmanager
def _unstick(roster: RosterImport):
    """On an unexpected error, leave no roster polling for ever: a check fails, an import can be confirmed again.

    Whatever the import wrote was rolled back with its transaction.
    """
    try:
        yield
    except Exception:
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The work stopped on an unexpected error and nothing was imported. Try again later.")
        Status = RosterImport.Status
        RosterImport.objects.filter(pk=roster.pk, status=Status.VALIDATING).update(
            status=Status.FAILED, progress=100, message=message, finished_at=timezone.now()
        )
        RosterImport.objects.filter(pk=roster.pk, status=Status.IMPORTING).update(
            status=Status.READY, progress=100, message=message
        )
        raise


# --- The template and the export ------------------------------------------------------------------

INSTRUCTIONS = (
    ("姓名", gettext_lazy("Required.")),
    ("身份证号", gettext_lazy("Required. 18 characters, the last may be X; sex and date of birth are read from it.")),
    ("手机号码", gettext_lazy("11 digits starting with 13 to 19.")),
    ("性别", gettext_lazy("May be left empty: it is read from the ID number.")),
    ("民族", gettext_lazy("Empty means 汉族.")),
    ("是否农民工", gettext_lazy("Empty means 是 when the household registration is 农村.")),
    ("就业形态", gettext_lazy("Empty means 标准 (新就业形态 when a new-form group is given).")),
    ("入会日期", gettext_lazy("Empty means the day of the import; write dates as 2024-01-05.")),
    (ERROR_HEADING, gettext_lazy("Only in the error file; it is ignored when the corrected file is uploaded.")),
)


def roster_template() -> bytes:
    """The xlsx template: the headings (required ones marked *), text-formatted ID and phone columns,
    drop-down lists for the choices, and a second sheet explaining each column."""
    with translation.override(settings.LANGUAGE_CODE):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "花名册"
        sheet.append([column.heading + ("*" if column.required else "") for column in COLUMNS])
        sheet.freeze_panes = "A2"
        required = PatternFill("solid", fgColor="FDE2E1")
        for position, column in enumerate(COLUMNS, start=1):
            letter = get_column_letter(position)
            heading = sheet.cell(row=1, column=position)
            heading.font = Font(bold=True)
            if column.required:
                heading.fill = required
            dimension = sheet.column_dimensions[letter]
            dimension.width = column.width
            if column.field in TEXT_FIELDS:
                dimension.number_format = "@"  # or Excel turns an 18-digit number into 1.10105E+17
            elif column.field == "joined_on":
                dimension.number_format = "yyyy-mm-dd"
            labels = list(LABELS[column.field].values()) if column.field in LABELS else None
            if column.field in ("is_migrant_worker", "is_model_worker"):
                labels = ["是", "否"]
            if labels:
                validation = DataValidation(
                    type="list", formula1='"{}"'.format(",".join(labels)), allow_blank=True, showErrorMessage=True,
                    errorStyle="warning",
                )  # fmt: skip
                validation.add(f"{letter}2:{letter}{settings.ROSTER_MAX_ROWS + 1}")
                sheet.add_data_validation(validation)
        notes = workbook.create_sheet("填写说明")
        notes.append(["列", "说明"])
        notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 16, 80
        for heading, text in INSTRUCTIONS:
            notes.append([heading, str(text)])
        for name, table in LABELS.items():
            notes.append([_column(name), "、".join(table.values())])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


EXPORT_HEADINGS = (
    "会员编号", "姓名", "身份证号", "手机号码", "性别", "出生日期", "民族", "学历", "政治面貌", "户籍类型",
    "是否农民工", "就业形态", "新就业形态群体", "工作单位", "职务", "是否劳模", "入会日期", "所在工会", "会籍状态",
)  # fmt: skip
_EXPORT_FIELDS = (
    "member_number", "name", "id_number", "phone", "sex", "birth_date", "ethnicity", "education", "political_status",
    "household", "is_migrant_worker", "employment", "new_form_group", "employer", "position", "is_model_worker",
    "joined_on", "organisation__name", "status",
)  # fmt: skip


def member_export_queryset(*, actor, organisation: Organisation | None = None, status: str = ""):
    """The members ``actor`` may export: their scope, narrowed to ``organisation``'s subtree and a status."""
    members = scope_queryset(Member.objects.all(), actor)
    if organisation is not None:
        if not in_scope(actor, organisation.path):
            raise Http404
        members = members.filter(org_path__startswith=organisation.path)
    if status:
        members = members.filter(status=status)
    return members.order_by("org_path", "pk")


def member_export(
    *, actor, output, organisation: Organisation | None = None, status: str = "", full_numbers: bool = False
) -> int:
    """Write the scoped members as xlsx to the binary file ``output``; return the number of members.

    ID numbers and phones are masked unless ``full_numbers`` (the caller checks the reveal permission).
    Choices are written with the roster's Chinese labels, so an export reads like a roster. The export,
    its filters and whether numbers were shown in full, goes into the audit log.
    """
    members = member_export_queryset(actor=actor, organisation=organisation, status=status)
    show = str if full_numbers else mask_identifier
    with translation.override(settings.LANGUAGE_CODE):
        statuses = {value: str(label) for value, label in Member.Status.choices}
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("会员")
        sheet.append(list(EXPORT_HEADINGS))
        count = 0
        for values in members.values_list(*_EXPORT_FIELDS).iterator(chunk_size=2000):
            row = dict(zip(_EXPORT_FIELDS, values, strict=True))
            for name in ("name", "ethnicity", "employer", "position", "organisation__name"):
                row[name] = _safe(row[name])
            for name, labels in LABELS.items():
                row[name] = labels.get(row[name], "")
            for name in ("is_migrant_worker", "is_model_worker"):
                row[name] = "是" if row[name] else "否"
            row["id_number"] = show(row["id_number"])
            row["phone"] = show(row["phone"]) if row["phone"] else ""
            row["status"] = statuses.get(row["status"], row["status"])
            sheet.append([row[name] for name in _EXPORT_FIELDS])
            count += 1
        workbook.save(output)
        log_export(
            actor=actor,
            model=Member,
            rows=count,
            description=_("Members with full ID numbers") if full_numbers else _("Members"),
            filters={
                "organisation": organisation.pk if organisation else None,
                "organisation_name": organisation.name if organisation else "",
                "status": status,
                "full_numbers": full_numbers,
            },
        )
    return count


def _safe(text: str) -> str:
    """Text that Excel would run as a formula is written with a leading apostrophe."""
    return "'" + text if text and text[0] in "=+-@" else text
