"""Checking a roster's rows: each row on its own, then against the rest of the file and the members' table.

Nothing is written here. Issues are in Chinese, by column heading: they go into the downloadable error file,
so the caller checks under ``translation.override(settings.LANGUAGE_CODE)``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.org.models import Organisation

from ..models import Member
from ..services import ALREADY_ELSEWHERE
from ..validators import PROVINCES, same_name, sex_from_id, validate_id_number, validate_mobile
from .columns import CHOICES, ETHNIC_GROUPS, LABELS, MIN_AGE, YES_NO, column_heading
from .reading import read_roster

LOOKUP_CHUNK = 5000  # ID numbers per query when looking for existing members


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
    existing: dict[str, dict] = field(default_factory=dict)  # what the members' table said, by ID number

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
    if len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit():
        try:  # 2024-01-05, as the template asks: parsed in C, in a tenth of the time
            return date.fromisoformat(text)
        except ValueError:
            pass  # 2024-02-30, or digits of another script: the expression below decides
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return date(*(int(part) for part in match.groups()))


def _quick_id_number(text: str, today: date) -> str | None:
    """``text`` when it is a valid resident ID number exactly as stored (GB 11643-1999), else None.

    validate_id_number takes ~10 µs a row (stdnum, and the time zone looked up for every row): a third of the
    whole check of a large roster. This takes the usual case, a valid number typed plainly, in ~1 µs, by the
    same rules; anything else goes to validate_id_number, which normalises it or says what is wrong. A test
    holds the two to the same answers.
    """
    if len(text) != 18 or not text.isascii() or not text[:17].isdigit() or text[:2] not in PROVINCES:
        return None
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if born > today or born.year < 1900:
        return None
    checksum = (1 - 2 * int(text[:17], 13)) % 11  # stdnum's formula for the check character
    return text if text[17] == ("X" if checksum == 10 else str(checksum)) else None


class _RowChecker:
    """Checks one row's cells and builds the Member fields; ``issues`` in Chinese, by column heading."""

    def __init__(self, index: dict[str, int], today: date):
        self.index = index
        self.today = today
        self.texts = [(name, position) for name, position in index.items() if name != "joined_on"]
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
                    column_heading(name),
                    _("“%(value)s” is not allowed here; write one of: %(choices)s.")
                    % {"value": text, "choices": "、".join(LABELS[name].values())},
                )
            )
            return ""
        return value

    def check(self, cells: list) -> tuple[dict, list[Issue]]:
        index, messages, issues = self.index, self.messages, []
        # Most cells are text, stripped here without a call: _text on every cell took a tenth of the check.
        text = {
            name: cell.strip() if (cell := cells[position]).__class__ is str else _text(cell)
            for name, position in self.texts
        }

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
            id_number = _quick_id_number(text["id_number"], self.today)
            if id_number is None:
                try:
                    id_number = validate_id_number(text["id_number"])
                except ValidationError as error:
                    issues.append(Issue("身份证号", error.messages[0]))
            if id_number is not None:
                birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
                sex = sex_from_id(id_number)

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
                issues.append(Issue(column_heading(flag), messages["yes_no"]))
            flags[flag] = value
        flags["is_model_worker"] = bool(flags["is_model_worker"])
        if flags["is_migrant_worker"] is None:
            # 农民工: a worker with a rural household registration (DOMAIN.md §3), unless the file says otherwise.
            flags["is_migrant_worker"] = choices["household"] == Member.Household.RURAL

        for name_, limit in (("employer", self.lengths["employer"]), ("position", self.lengths["position"])):
            if len(text[name_]) > limit:
                issues.append(Issue(column_heading(name_), _too_long(limit)))

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
    *,
    organisation: Organisation,
    data: bytes,
    today: date | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> RosterCheck:
    """Read and check every row of a roster for ``organisation`` on ``today``; write nothing.

    Besides each row's own checks: an ID number twice in the file rejects every row that has it; a member
    of this union already is rejected as a duplicate; a member of another union is offered as a transfer.
    Raises ``RosterRefused`` when the file cannot be read as a roster at all.
    """
    headings, index, rows = read_roster(data)
    checker = _RowChecker(index, today or timezone.localdate())
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

    existing = existing_members(looked_up(checked))
    apply_existing(checked, existing, organisation=organisation)
    if on_progress:
        on_progress(0.9)
    return RosterCheck(headings, index, checked, existing)


def looked_up(rows: list[CheckedRow]) -> list[str]:
    """The ID numbers checked against the members' table: each one that is valid and once in the file."""
    seen: dict[str, int] = {}
    for row in rows:
        if number := row.fields["id_number"]:
            seen[number] = seen.get(number, 0) + 1
    return [number for number, count in seen.items() if count == 1]


def apply_existing(rows: list[CheckedRow], existing: dict[str, dict], *, organisation: Organisation) -> None:
    """Reject the rows of people whose membership has ended or who are members here already; offer a transfer
    for members of other unions whose name in the file is their name on record (any other row with their ID
    number is only "already a member elsewhere"). ``existing`` is what ``existing_members`` found for
    ``looked_up(rows)``."""
    for row in rows:
        member = existing.get(row.fields["id_number"])
        if member is None:
            continue
        if member["organisation_id"] != organisation.pk and not same_name(row.fields["name"], member["name"]):
            # The file's name is not the member's: say no more than that the number is taken, or a roster of
            # guessed ID numbers would list who is a member of which union, and their member numbers.
            row.issues.append(Issue("身份证号", str(ALREADY_ELSEWHERE)))
        elif member["status"] not in (Member.Status.ACTIVE, Member.Status.RETIRED):
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


_FOUND = ("id_number", "pk", "name", "status", "organisation_id", "union", "number")  # of each existing member


def existing_members(id_numbers: list[str]) -> dict[str, dict]:
    """The members holding any of ``id_numbers``, by ID number; one query per ``LOOKUP_CHUNK`` numbers."""
    found = {}
    for start in range(0, len(id_numbers), LOOKUP_CHUNK):
        chunk = id_numbers[start : start + LOOKUP_CHUNK]
        if connection.vendor == "postgresql":
            rows = _members_by_id_number(chunk)
        else:
            rows = Member.objects.filter(id_number__in=chunk).values_list(
                *_FOUND[:5], "organisation__name", "member_number"
            )
        for row in rows:
            found[row[0]] = dict(zip(_FOUND, row, strict=True))
    return found


def _members_by_id_number(id_numbers: list[str]) -> list[tuple]:
    """On PostgreSQL, one index probe per ID number, whatever the size of the table.

    Given ``id_number IN (5,000 numbers)`` the planner reads the whole table once it holds more than about
    ten times as many members (it prices each probe as a disk read): 55 ms a query at 250,000 members, where
    the probes take 10 ms. ``LIMIT 1`` keeps the lateral subquery from being merged into a join, and so it is
    probed once per number (which is unique).
    """
    member, union = (connection.ops.quote_name(model._meta.db_table) for model in (Member, Organisation))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT m.id_number, m.id, m.name, m.status, m.organisation_id, o.name, m.member_number
                FROM unnest(%s::varchar[]) AS wanted (id_number)
                CROSS JOIN LATERAL (SELECT * FROM {member} WHERE id_number = wanted.id_number LIMIT 1) AS m
                JOIN {union} AS o ON o.id = m.organisation_id""",  # noqa: S608 - table names from the models
            [id_numbers],
        )
        return cursor.fetchall()
