"""Reading an uploaded roster: what calamine cannot see is checked on the raw xlsx, then calamine reads the cells.

Messages about the file are written in the portal's default language (Chinese): the caller translates under
``translation.override(settings.LANGUAGE_CODE)``, as they also go into the downloadable error file.
"""

import io
import re
import zipfile
import zlib

import python_calamine
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .columns import BY_HEADING, COLUMNS, ERROR_HEADING

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # a 100,000-row roster saved by Excel is under 10 MB
MAX_UNPACKED_BYTES = 600 * 1024 * 1024  # what a genuine roster of that size unpacks to, with room; stops zip bombs


class RosterRefused(Exception):
    """The file cannot be read as a roster: nothing of it is imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
                # Count what ends in the new bytes only: what lies in the tail was counted last time.
                rows += len(_ROW.findall(buffer)) - len(_ROW.findall(tail))
                # The substring tests (in C) spare the regular expressions most chunks: a third of the time.
                # Every formula tag holds "<f" or, with a namespace prefix, ":f"; every merge "mergeCell".
                if formula is None and (b"<f" in buffer or b":f" in buffer) and (match := _FORMULA.search(buffer)):
                    cell = _CELL_REF.search(buffer, max(buffer.rfind(b"<c ", 0, match.start()), 0), match.start())
                    formula = cell.group(1).decode() if cell else ""
                if b"mergeCell" in buffer:
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


def plain_heading(value) -> str:
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
        heading, letter = plain_heading(cell), get_column_letter(position + 1)
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
