"""What goes back to the user about a roster: the first errors and transfer offers for the page, and the error
file of every row not imported, with the reason of each, to correct and upload again."""

import tempfile
from collections.abc import Collection
from datetime import date, datetime
from uuid import uuid4

import openpyxl
from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from unionportal.core.sheets import plain_heading, safe, safe_row

from ..models import RosterImport
from .checking import CheckedRow, Offer, RosterCheck
from .columns import BY_HEADING, ERROR_HEADING

PREVIEW_ERRORS = 200  # errors kept on the row for the preview; the error file has them all
PREVIEW_TRANSFERS = 500  # transfer offers listed one by one; "all of them" covers the rest


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


def preview(check: RosterCheck, *, requested: Collection[int] = ()) -> list[dict]:
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


def write_error_file(roster: RosterImport, check: RosterCheck, rows: list[CheckedRow]) -> None:
    """Every row not imported, as the user sent it, with a 错误原因 column; replaces the previous file."""
    if roster.error_file:
        roster.error_file.delete(save=False)
    if not rows:
        return
    # The columns as sent, less the reasons of an earlier error file that comes back corrected.
    keep = [position for position, cell in enumerate(check.headings) if plain_heading(cell) != ERROR_HEADING]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(safe_row([*(check.headings[position] for position in keep), ERROR_HEADING]))
    for row in rows:
        cells = []
        for value in (row.cells[position] for position in keep):
            if isinstance(value, date | datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(safe(_plain(value)))
        sheet.append([*cells, safe(_reason(row))])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        roster.error_file.save(f"{roster.pk}-{uuid4().hex[:8]}.xlsx", File(handle), save=False)
