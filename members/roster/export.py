"""The roster template to fill in, and the member export, which reads like a roster."""

import io

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from unionportal.accounts.audit import log_export
from unionportal.core.display import mask_identifier
from unionportal.core.sheets import safe_row
from unionportal.org.models import Organisation
from unionportal.org.scope import require_in_scope, scope_queryset

from ..models import Member
from .columns import COLUMNS, ERROR_HEADING, LABELS, TEXT_FIELDS, column_heading

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
            notes.append(safe_row([heading, str(text)]))
        for name, table in LABELS.items():
            notes.append(safe_row([column_heading(name), "、".join(table.values())]))
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
        require_in_scope(actor, organisation.path)
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
            for name, labels in LABELS.items():
                row[name] = labels.get(row[name], "")
            for name in ("is_migrant_worker", "is_model_worker"):
                row[name] = "是" if row[name] else "否"
            row["id_number"] = show(row["id_number"])
            row["phone"] = show(row["phone"]) if row["phone"] else ""
            row["status"] = statuses.get(row["status"], row["status"])
            sheet.append(safe_row(row[name] for name in _EXPORT_FIELDS))
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
