"""The county's xlsx for a month: download the template, fill it in, upload it.

Layout (always in the portal's language, Chinese, whatever the page's language): row 1 the title; row 2 the
county's code and the month, which the upload checks so that a file for another county or month is refused;
row 3 the headings; one row per indicator from row 4, the indicator's **code in column A** (the key the upload
reads; names may be edited freely), then name, unit, computed value, the value to file and the reason for an
override. The upload is checked as a whole: headings where they belong (a shifted column is refused), known
codes, numbers that fit the indicator; every problem names its Excel row, and nothing is saved unless all
rows pass (``services.report_file`` then checks again, as for the web form).
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from unionportal.core import sheets
from unionportal.core.sheets import TOO_LARGE, UNREADABLE, Limits, SheetRefused, read_xlsx, safe

from .models import MonthlyReport
from .values import FigureError, display, month_label, parse_figure

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 2 * 1024 * 1024  # a month's template is a few kilobytes
HEADING_ROW = 3
FIRST_ROW = 4
MAX_ROWS = 500
MAX_COLUMNS = 26  # the template's six, and room for the stray columns the check below names


def _headings() -> list[str]:
    return [
        _("Indicator code"),
        _("Indicator"),
        _("Unit"),
        _("Computed value"),
        _("Value filed"),
        _("Reason for changing a computed value"),
    ]


def template_bytes(report: MonthlyReport) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        book = Workbook()
        sheet = book.active
        sheet.title = report.month.strftime("%Y-%m")
        sheet["A1"] = safe(
            _("%(county)s monthly report, %(month)s")
            % {"county": report.county.name, "month": month_label(report.month)}
        )
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A2"], sheet["B2"] = _("County code"), safe(report.county.code)
        sheet["C2"], sheet["D2"] = _("Month"), report.month.strftime("%Y-%m")
        for column, heading in enumerate(_headings(), start=1):
            cell = sheet.cell(row=HEADING_ROW, column=column, value=heading)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        for row, line in enumerate(report.current_revision.lines.all(), start=FIRST_ROW):
            sheets.cell(sheet, row, 1, line.code)
            sheets.cell(sheet, row, 2, line.name)
            sheets.cell(sheet, row, 3, line.get_unit_display())
            sheets.cell(sheet, row, 4, display(line.computed_value, line.value_kind) if line.is_computed else "")
            value = sheets.cell(sheet, row, 5, display(line.value, line.value_kind))
            value.number_format = "@"
            value.protection = Protection(locked=False)
            sheets.cell(sheet, row, 6, line.override_reason).protection = Protection(locked=False)
        for column, width in zip(range(1, 7), (30, 28, 8, 14, 14, 40), strict=True):
            sheet.column_dimensions[get_column_letter(column)].width = width
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_upload(upload, report: MonthlyReport) -> tuple[dict, dict]:
    """``(figures, reasons)`` by indicator code from an uploaded template; ValidationError listing every
    problem by Excel row otherwise. Reasons are read for computed indicators only."""
    with translation.override(settings.LANGUAGE_CODE):
        return _read(upload, report)


def _read(upload, report: MonthlyReport) -> tuple[dict, dict]:
    limits = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, header_rows=HEADING_ROW)
    try:
        rows = []
        for number, row in read_xlsx(upload, limits).rows():
            if number > FIRST_ROW + MAX_ROWS:
                break
            rows.append(list(row[:8]))
    except SheetRefused as refused:
        if refused.code == TOO_LARGE:
            raise ValidationError(_("The file is too large for a monthly report template.")) from None
        if refused.code == UNREADABLE:
            raise ValidationError(
                _("The file is not an Excel workbook (.xlsx). Download the template, fill it in and save it as .xlsx.")
            ) from None
        raise ValidationError(refused.message) from None
    rows += [[]] * max(0, FIRST_ROW - len(rows))
    for row in rows:
        row.extend([None] * (8 - len(row)))

    headings = [_text(cell) for cell in rows[HEADING_ROW - 1][:6]]
    if headings != _headings():
        expected = "、".join(_headings())
        raise ValidationError(
            _(
                "Row %(row)s: the columns are not those of the template (expected %(expected)s, found %(found)s). "
                "Columns may not be inserted, deleted or moved."
            )
            % {"row": HEADING_ROW, "expected": expected, "found": "、".join(h or "—" for h in headings)}
        )
    if any(_text(cell) for cell in rows[HEADING_ROW - 1][6:]):
        raise ValidationError(
            _("Row %(row)s: there are columns after the template's last column; remove them.") % {"row": HEADING_ROW}
        )

    county_code, month = _text(rows[1][1]), _text(rows[1][3])
    if county_code != report.county.code or month != report.month.strftime("%Y-%m"):
        raise ValidationError(
            _(
                "This file is not the template of %(county)s for %(month)s (row 2 says county %(code)s, "
                "month %(file_month)s). Download the template from this report's page."
            )
            % {
                "county": report.county.name,
                "month": month_label(report.month),
                "code": county_code or "—",
                "file_month": month or "—",
            }
        )
    lines = {line.code: line for line in report.current_revision.lines.all()}
    figures, reasons, errors, seen = {}, {}, [], {}
    for number, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        code = _text(row[0])
        if not any(_text(cell) for cell in row):
            continue
        if not code:
            errors.append(_("Row %(row)s: the indicator code (column A) is empty.") % {"row": number})
            continue
        line = lines.get(code)
        if line is None:
            errors.append(_("Row %(row)s: unknown indicator code %(code)s.") % {"row": number, "code": code})
            continue
        if code in seen:
            errors.append(
                _("Row %(row)s: %(indicator)s appears again (first in row %(first)s).")
                % {"row": number, "indicator": line.name, "first": seen[code]}
            )
            continue
        seen[code] = number
        if any(_text(cell) for cell in row[6:]):
            errors.append(
                _("Row %(row)s: there is something right of column F; the columns may be shifted.") % {"row": number}
            )
            continue
        try:
            parse_figure(
                row[4], name=line.name, value_kind=line.value_kind, unit=line.unit, non_negative=line.non_negative
            )
        except FigureError as exc:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": number, "problem": str(exc)})
            continue
        figures[code] = row[4]
        if line.is_computed:
            reasons[code] = _text(row[5])
    if errors:
        raise ValidationError(errors)
    if not figures:
        raise ValidationError(_("The file holds no figures."))
    return figures, reasons
