"""The organising drive (建会集中行动): enterprise lists in, a ledger of employers without a union out.

Other departments (tax, market regulation, statistics, human resources) hand the federation lists of
enterprises. ``enterprise_list_import`` reads such a list (xlsx), checks every row and upserts the good
ones by credit code; ``drive_match`` links every enterprise whose credit code is some grassroots union's
employer code to that union. The ledger (台账) is what is left: enterprises with at least
``settings.DRIVE_MIN_EMPLOYEES`` employees and no union, worked county by county from 未对接 to 已建会.

Services (writes) take the acting user as ``actor`` and keyword-only arguments, check the actor's scope
(404 outside it, as for a view) and lock what they change. Changes of ``Enterprise`` rows are audited by
auditlog; the selectors below are the only scoped reads the drive pages use.
"""

from dataclasses import dataclass, field
from datetime import date

import openpyxl
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from unionportal.accounts.selectors import users_with_permission
from unionportal.core.sheets import UNREADABLE, Limits, SheetRefused, map_headings, read_xlsx
from unionportal.core.transitions import transition
from unionportal.org import services as org_services
from unionportal.org.models import Organisation
from unionportal.org.scope import access, in_scope, scope_queryset

from . import events
from .models import ENTERPRISE_FLOW, Enterprise, EnterpriseNote
from .validators import validate_uscc

# --- The list's file format ------------------------------------------------------------------------
# The departments exchange these lists with Chinese headers; the headers are the file format itself,
# the same whatever language the portal is shown in, so they are data here, not interface text.
NAME, CREDIT_CODE, COUNTY, EMPLOYEES, SOURCE = "企业名称", "统一社会信用代码", "所在县区", "职工人数", "来源部门"
HEADERS = (NAME, CREDIT_CODE, COUNTY, EMPLOYEES, SOURCE)
REQUIRED_HEADERS = (NAME, CREDIT_CODE, COUNTY, EMPLOYEES)  # 来源部门 may be left out: it is then 其他
SOURCES = {
    "税务": Enterprise.Source.TAX,
    "市场监管": Enterprise.Source.MARKET,
    "统计": Enterprise.Source.STATISTICS,
    "人社": Enterprise.Source.HUMAN_RESOURCES,
    "其他": Enterprise.Source.OTHER,
}
COUNTY_NAME_SUFFIX = "总工会"  # a list says 商州区 where the tree says 商州区总工会
MAX_EMPLOYEES = 2_147_483_647  # the column's limit (PositiveIntegerField)
UPDATABLE_FIELDS = ("name", "credit_code", "county_id", "employee_count", "source")
OPEN_STATUSES = (Enterprise.Status.NOT_CONTACTED, Enterprise.Status.CONTACTED, Enterprise.Status.PREPARING)
PARENT_KINDS = (
    Organisation.Kind.COUNTY,
    Organisation.Kind.TOWNSHIP,
    Organisation.Kind.INDUSTRY,
    Organisation.Kind.PARK,
)


def import_max_rows() -> int:
    """The most data rows one upload may hold; a list is a few thousand rows, read within the request."""
    return settings.DRIVE_IMPORT_MAX_ROWS


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of the uploaded list: the sheet's row number, the column's header and letter."""

    row: int
    column: str
    letter: str
    message: str

    def __str__(self):
        return _("Row %(row)d, column “%(column)s” (%(letter)s): %(message)s") % {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
        }


@dataclass
class ImportResult:
    """What an import did: counts of rows, and every row error (rows with an error were not saved)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


@dataclass
class _Row:
    number: int
    values: dict


# --- Import ----------------------------------------------------------------------------------------


def enterprise_list_import(*, actor, file, file_name: str = "") -> ImportResult:
    """Read an enterprise list (xlsx) and upsert its valid rows by credit code; then re-run the matching.

    Every row is checked (name, credit code, county in the actor's scope, employee count, source); a row
    with any error is reported by row and column and not saved, the others are. An enterprise already on
    the ledger gets its name, county, employee count and source updated and keeps its status, owner and
    notes. The whole import is one transaction: if it fails, nothing already saved changes. Raises
    ``ValidationError`` when the file as a whole cannot be used (not a workbook, headers missing, too long).
    """
    header, rows = _read_sheet(file)
    counties = _CountyLookup(actor)
    result = ImportResult(rows=len(rows))
    parsed: dict[str, tuple[int, dict]] = {}
    for row in rows:
        values, errors = _parse_row(row, header, counties)
        code = values.get("credit_code")
        if code and code in parsed and not errors:
            errors.append(
                _row_error(
                    row.number, header, CREDIT_CODE, _("Same credit code as row %(row)d.") % {"row": parsed[code][0]}
                )
            )
        if errors:
            result.errors.extend(errors)
        else:
            parsed[code] = (row.number, values)

    with transaction.atomic():
        _save_rows(actor=actor, parsed=parsed, header=header, result=result)
        result.matched = drive_match(actor=actor)
        # New rows are created in bulk, without an audit entry each: this entry records who brought in which list.
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Enterprise),
            object_pk="",
            object_repr=file_name or str(Enterprise._meta.verbose_name_plural),
            action=LogEntry.Action.CREATE,
            actor=actor,
            additional_data={
                "kind": "import",
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "error_rows": result.error_rows,
            },
        )
    result.errors.sort(key=lambda error: (error.row, HEADERS.index(error.column)))
    return result


def _save_rows(*, actor, parsed: dict[str, tuple[int, dict]], header: dict, result: ImportResult) -> None:
    codes = list(parsed)
    existing: dict[str, Enterprise] = {}
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        # Lock the rows being updated: a status change made meanwhile is kept, never overwritten.
        for enterprise in (
            Enterprise.objects.select_for_update(of=("self",)).select_related("county").filter(credit_code__in=chunk)
        ):
            existing[enterprise.credit_code] = enterprise
    new = []
    for code, (number, values) in parsed.items():
        enterprise = existing.get(code)
        if enterprise is None:
            new.append(Enterprise(**values))
            continue
        if not in_scope(actor, enterprise.county.path):
            result.errors.append(
                _row_error(
                    number,
                    header,
                    CREDIT_CODE,
                    _("This enterprise is already on the ledger of another county or district."),
                )
            )
            continue
        changed = [name for name in UPDATABLE_FIELDS if getattr(enterprise, name) != values[name]]
        if not changed:
            result.unchanged += 1
            continue
        for name in changed:
            setattr(enterprise, name, values[name])
        # One save per changed row, so the audit log keeps each old → new value (a re-import changes few rows).
        enterprise.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
        result.updated += 1
    try:
        # New rows are written in bulk: a first list is thousands of rows.
        with transaction.atomic():
            Enterprise.objects.bulk_create(new, batch_size=500)
    except IntegrityError:
        raise ValidationError(
            _("Another import added some of these enterprises at the same moment. Nothing was saved; upload again.")
        ) from None
    result.created = len(new)


MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 60  # the departments' lists carry extra columns, which are read past


def _read_sheet(file) -> tuple[dict[str, int], list[_Row]]:
    """The header (column name → index) and the non-empty data rows of the workbook's first sheet."""
    limits = Limits(max_bytes=MAX_UPLOAD_BYTES, max_rows=import_max_rows(), max_columns=MAX_COLUMNS)
    try:
        values = read_xlsx(file, limits).rows()
        header = map_headings(
            next(values, (1, ()))[1],
            {name: name for name in HEADERS},
            required=REQUIRED_HEADERS,
            missing_message=_(
                "The first row must name the columns; missing: %(columns)s. Download the template to see them."
            ),
        )
        rows = []
        for number, cells in values:
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            if len(rows) >= import_max_rows():
                raise ValidationError(
                    _("The list has more than %(n)d rows. Split it by county and upload the parts one by one.")
                    % {"n": import_max_rows()}
                )
            rows.append(_Row(number=number, values={name: _cell(cells, index) for name, index in header.items()}))
    except SheetRefused as refused:
        if refused.code == UNREADABLE:
            raise ValidationError(
                _("The file could not be read as an Excel workbook (.xlsx). Fill in the template and upload it again.")
            ) from None
        raise ValidationError(refused.message) from None
    return header, rows


def _cell(cells, index: int):
    return cells[index] if index < len(cells) else None


def _row_error(number: int, header: dict, column: str, message) -> RowError:
    return RowError(row=number, column=column, letter=get_column_letter(header[column] + 1), message=str(message))


def _parse_row(row: _Row, header: dict, counties: "_CountyLookup") -> tuple[dict, list[RowError]]:
    """The row's model values and its errors, one per bad cell."""
    values, errors = {}, []
    parsers = {
        NAME: ("name", _parse_name),
        CREDIT_CODE: ("credit_code", _parse_credit_code),
        COUNTY: ("county_id", counties.resolve),
        EMPLOYEES: ("employee_count", _parse_employee_count),
        SOURCE: ("source", _parse_source),
    }
    for column, (name, parse) in parsers.items():
        if column not in header:
            values[name] = Enterprise.Source.OTHER  # only 来源部门 may be absent
            continue
        try:
            values[name] = parse(row.values[column])
        except ValidationError as error:
            errors.append(_row_error(row.number, header, column, " ".join(error.messages)))
    return values, errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a number cell
    return str(value).strip()


def _parse_name(value) -> str:
    name = _text(value)
    if not name:
        raise ValidationError(_("The enterprise name is empty."))
    if len(name) > 100:
        raise ValidationError(_("The enterprise name is longer than 100 characters."))
    return name


def _parse_credit_code(value) -> str:
    if not _text(value):
        raise ValidationError(_("The credit code is empty."))
    return validate_uscc(_text(value))


def _parse_employee_count(value) -> int:
    error = ValidationError(
        _("The number of employees must be a whole number, 0 or more; found “%(value)s”."), params={"value": value}
    )
    if isinstance(value, bool):
        raise error
    if isinstance(value, float):
        if not value.is_integer():
            raise error
        value = int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValidationError(_("The number of employees is empty."))
        if not text.isdecimal():
            raise error
        value = int(text)
    if value is None:
        raise ValidationError(_("The number of employees is empty."))
    if not isinstance(value, int) or value < 0 or value > MAX_EMPLOYEES:
        raise error
    return value


def _parse_source(value) -> str:
    text = _text(value)
    if not text:
        return Enterprise.Source.OTHER
    try:
        return SOURCES[text]
    except KeyError:
        raise ValidationError(
            _("Unknown source department “%(value)s”; use one of %(choices)s."),
            params={"value": text, "choices": "、".join(SOURCES)},
        ) from None


class _CountyLookup:
    """Counties by code, full name, short name and name without 总工会; those outside the scope are refused."""

    def __init__(self, actor):
        self.by_key: dict[str, Organisation] = {}
        for county in Organisation.objects.filter(kind=Organisation.Kind.COUNTY, is_active=True):
            for key in (county.code, county.name, county.short_name, county.name.removesuffix(COUNTY_NAME_SUFFIX)):
                if key:
                    self.by_key.setdefault(key, county)
        self.actor = actor

    def resolve(self, value) -> int:
        text = "".join(_text(value).split())
        if not text:
            raise ValidationError(_("The county or district is empty."))
        county = self.by_key.get(text)
        if county is None:
            raise ValidationError(_("There is no county or district called “%(value)s”."), params={"value": text})
        if not in_scope(self.actor, county.path):
            raise ValidationError(_("%(county)s is outside your area."), params={"county": county.name})
        return county.pk


def import_template() -> openpyxl.Workbook:
    """The blank list to fill in: the headers, a drop-down of source departments, and a sheet of instructions."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Enterprises")
    sheet.append(list(HEADERS))
    for index, width in enumerate((40, 24, 14, 10, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    sheet.freeze_panes = "A2"
    sources = openpyxl.worksheet.datavalidation.DataValidation(type="list", formula1=f'"{",".join(SOURCES)}"')
    sheet.add_data_validation(sources)
    sources.add(f"{get_column_letter(HEADERS.index(SOURCE) + 1)}2:{get_column_letter(HEADERS.index(SOURCE) + 1)}20000")
    notes = workbook.create_sheet(_("Instructions"))
    for line in (
        _("One enterprise per row, from the second row on; keep the first row as it is."),
        _("%(column)s: the 18-character unified social credit code; rows are matched on it.") % {"column": CREDIT_CODE},
        _("%(column)s: the county or district's name (e.g. 商州区) or its code (e.g. 611002).") % {"column": COUNTY},
        _("%(column)s: a whole number.") % {"column": EMPLOYEES},
        _("%(column)s: one of %(choices)s.") % {"column": SOURCE, "choices": "、".join(SOURCES)},
        _("Uploading an updated list again updates names and numbers; statuses, owners and notes are kept."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook


# --- Matching --------------------------------------------------------------------------------------


def drive_match(*, actor=None) -> int:
    """Link each enterprise without a union to the active grassroots union whose employer code is its credit code.

    A linked enterprise is marked founded. Runs over the actor's scope (the whole ledger without an actor)
    and is safe to run any number of times; returns how many enterprises were linked.
    """
    unions = Organisation.objects.filter(
        kind=Organisation.Kind.GRASSROOTS, is_active=True, employer_credit_code=OuterRef("credit_code")
    ).order_by("pk")
    candidates = Enterprise.objects.filter(
        union__isnull=True,
        credit_code__in=Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True)
        .exclude(employer_credit_code="")
        .values("employer_credit_code"),
    )
    if actor is not None:
        candidates = scope_queryset(candidates, actor)
    linked = 0
    with transaction.atomic():
        for enterprise in candidates.select_for_update(of=("self",)).annotate(match=Subquery(unions.values("pk")[:1])):
            _move(enterprise, Enterprise.Status.FOUNDED, actor=actor, changes={"union_id": enterprise.match},
                  note=_("matched by credit code"))  # fmt: skip
            linked += 1
    return linked


# --- Working a ledger row --------------------------------------------------------------------------


def _lock(actor, enterprise: Enterprise) -> Enterprise:
    """The enterprise's row, locked, if the actor may see it (404 otherwise)."""
    return access(Enterprise.objects.select_for_update(of=("self",)).select_related("county"), actor, pk=enterprise.pk)


@transaction.atomic
def enterprise_set_status(*, actor, enterprise: Enterprise, status: str) -> Enterprise:
    """Move an enterprise between 未对接, 已对接 and 筹建中 in any direction.

    已建会 (founded) is reached only by linking a union (``enterprise_found_union`` or the matching), and an
    enterprise with a union stays founded.
    """
    enterprise = _lock(actor, enterprise)
    if enterprise.status == status:
        return enterprise
    if status not in OPEN_STATUSES:
        raise ValidationError(_("An enterprise is marked founded only by linking its union."))
    if enterprise.union_id is not None:
        raise ValidationError(_("This enterprise already has a union; its status stays founded."))
    return _move(enterprise, status, actor=actor)


def _move(enterprise: Enterprise, new: str, *, actor, note: str = "", changes=None) -> Enterprise:
    """An enterprise row the caller has locked moves through the shared helper, with its event row."""
    row, _moved = transition(
        enterprise, new, flow=ENTERPRISE_FLOW, actor=actor, record=events.enterprise_moved, note=note,
        changes=changes, lock=False,
    )  # fmt: skip
    return row


@transaction.atomic
def enterprise_assign_owner(*, actor, enterprise: Enterprise, owner) -> Enterprise:
    """Make ``owner`` (a drive worker of the enterprise's county, or ``None``) responsible for the enterprise."""
    enterprise = _lock(actor, enterprise)
    if (owner.pk if owner else None) == enterprise.owner_id:
        return enterprise
    if owner is not None and not drive_owner_candidates(enterprise=enterprise).filter(pk=owner.pk).exists():
        raise ValidationError(
            _("%(user)s does not work for %(county)s.") % {"user": owner, "county": enterprise.county}
        )
    enterprise.owner = owner
    enterprise.save(update_fields=["owner", "updated_at"])
    return enterprise


@transaction.atomic
def enterprise_note_add(*, actor, enterprise: Enterprise, text: str) -> EnterpriseNote:
    """Add a follow-up note (visit, call, agreement…) to the enterprise; notes are never edited or removed."""
    enterprise = _lock(actor, enterprise)
    text = text.strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    return EnterpriseNote.objects.create(enterprise=enterprise, author=actor, text=text)


@transaction.atomic
def enterprise_found_union(
    *, actor, enterprise: Enterprise, parent: Organisation, code: str, name: str, founded_on: date | None = None
) -> Organisation:
    """Create the enterprise's grassroots union under ``parent`` and link it: the enterprise becomes founded.

    The union takes the enterprise's name, credit code and employee count as its employer's. ``parent``
    must be a federation (county, township, industry, park) in the actor's scope within the enterprise's
    county. The enterprise row is locked first, so a double submit waits for the first and is refused.
    """
    enterprise = _lock(actor, enterprise)
    if enterprise.union_id is not None:
        raise ValidationError(_("%(enterprise)s is already linked to a union.") % {"enterprise": enterprise})
    if not parent_choices(actor=actor, enterprise=enterprise).filter(pk=parent.pk).exists():
        raise ValidationError(_("A new union goes under a federation of %(county)s.") % {"county": enterprise.county})
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError(_("The code %(code)s is already used.") % {"code": code})
    try:
        union = org_services.organisation_create(
            actor=actor,
            parent=parent,
            fields={
                "kind": Organisation.Kind.GRASSROOTS,
                "code": code,
                "name": name,
                "employer_name": enterprise.name,
                "employer_credit_code": enterprise.credit_code,
                "employer_nature": Organisation.EmployerNature.ENTERPRISE,
                "employee_count": enterprise.employee_count,
                "founded_on": founded_on or timezone.localdate(),
            },
        )
    except IntegrityError:  # the same code taken by someone else a moment ago
        raise ValidationError(_("The code %(code)s is already used.") % {"code": code}) from None
    if enterprise.status == Enterprise.Status.FOUNDED:  # founded earlier without a union link: link it now
        enterprise.union = union
        enterprise.save(update_fields=["union", "updated_at"])
    else:
        _move(enterprise, Enterprise.Status.FOUNDED, actor=actor, changes={"union": union}, note=union.name)
    return union


# --- Selectors -------------------------------------------------------------------------------------


def drive_threshold() -> int:
    return settings.DRIVE_MIN_EMPLOYEES


def access_enterprise(*, user, pk: int) -> Enterprise:
    return access(Enterprise.objects.select_related("county", "owner", "union"), user, pk=pk)


def enterprise_notes(*, enterprise: Enterprise) -> QuerySet:
    return enterprise.notes.select_related("author").order_by("-created_at", "-pk")


def drive_counties(*, user) -> QuerySet:
    """The county nodes in the user's scope."""
    return scope_queryset(Organisation.objects.filter(kind=Organisation.Kind.COUNTY), user).order_by("code")


def drive_ledger(
    *, user, county=None, status: str = "", owner=None, include_small: bool = False, search: str = ""
) -> QuerySet:
    """The ledger rows the user may see, filtered; by default only enterprises at or above the threshold."""
    rows = scope_queryset(Enterprise.objects.select_related("county", "owner", "union"), user)
    if not include_small:
        rows = rows.filter(employee_count__gte=drive_threshold())
    if county is not None:
        rows = rows.filter(county=county)
    if status:
        rows = rows.filter(status=status)
    if owner is not None:
        rows = rows.filter(owner=owner)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(credit_code__startswith=search.upper()))
    return rows.order_by("county__code", "-employee_count", "name", "pk")


def drive_owners(*, user) -> QuerySet:
    """Users who own an enterprise the user may see (the owner filter's choices)."""
    owned = scope_queryset(Enterprise.objects.filter(owner__isnull=False), user).values("owner")
    return get_user_model().objects.filter(pk__in=owned).order_by("username")


def drive_owner_candidates(*, enterprise: Enterprise) -> QuerySet:
    """Active users of the enterprise's county subtree who may work the ledger."""
    return users_with_permission(
        "members.change_enterprise", at_path=enterprise.county.path, below=True, superusers=True
    ).order_by("username")


def parent_choices(*, actor, enterprise: Enterprise) -> QuerySet:
    """Where a new union for the enterprise may go: active federations of its county, in the actor's scope."""
    return scope_queryset(
        Organisation.objects.filter(path__startswith=enterprise.county.path, kind__in=PARENT_KINDS, is_active=True),
        actor,
    ).order_by("path")


def drive_counts(*, user) -> dict:
    """Per county in the user's scope, for enterprises at or above the threshold: without a union (in all and
    by status) and founded. Two queries whatever the size of the ledger.
    """
    no_union = Q(union__isnull=True)
    figures = (
        scope_queryset(Enterprise.objects.filter(employee_count__gte=drive_threshold()), user)
        .values("county")
        .annotate(
            open=Count("pk", filter=no_union),
            not_contacted=Count("pk", filter=no_union & Q(status=Enterprise.Status.NOT_CONTACTED)),
            contacted=Count("pk", filter=no_union & Q(status=Enterprise.Status.CONTACTED)),
            preparing=Count("pk", filter=no_union & Q(status=Enterprise.Status.PREPARING)),
            founded=Count("pk", filter=Q(union__isnull=False)),
        )
        .order_by()
    )
    by_county = {row.pop("county"): row for row in figures}
    keys = ("open", "not_contacted", "contacted", "preparing", "founded")
    rows = [
        {"county": county, **by_county.get(county.pk, dict.fromkeys(keys, 0))} for county in drive_counties(user=user)
    ]
    total = {key: sum(row[key] for row in rows) for key in keys}
    return {"rows": rows, "total": total}
