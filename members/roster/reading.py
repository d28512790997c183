"""Reading an uploaded roster: what calamine cannot see is checked on the raw xlsx, then calamine reads the cells.

Messages about the file are written in the portal's default language (Chinese): the caller translates under
``translation.override(settings.LANGUAGE_CODE)``, as they also go into the downloadable error file.
"""

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from unionportal.core.sheets import (
    Limits,
    SheetRefused,
    cell_name,
    inspect_xlsx,
    map_headings,
    read_xlsx,
)

from .columns import COLUMNS, ERROR_HEADING

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # a 100,000-row roster saved by Excel is under 10 MB
MAX_UNPACKED_BYTES = 600 * 1024 * 1024  # what a genuine roster of that size unpacks to, with room; stops zip bombs
SPARE_COLUMNS = 10  # the error file's own column, and a few notes a union may keep beside the table


class RosterRefused(Exception):
    """The file cannot be read as a roster: nothing of it is imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def limits() -> Limits:
    return Limits(
        max_bytes=MAX_UPLOAD_BYTES,
        max_rows=settings.ROSTER_MAX_ROWS,
        max_columns=len(COLUMNS) + SPARE_COLUMNS,
        max_unpacked=MAX_UNPACKED_BYTES,
    )


def inspect_workbook(data: bytes) -> int:
    """Check what calamine cannot see, without reading the cells; return an upper bound of the data rows.

    Refuses (through the shared guard, ``unionportal.core.sheets``): anything that is not an xlsx file, a
    damaged archive, a zip bomb, a sheet reaching beyond the template's columns or far beyond its rows,
    formulas, merged cells. Streams the first sheet's XML once (about half a second per 100,000 rows).
    """
    try:
        seen = inspect_xlsx(data, limits(), refuse_merged=True, too_many_rows=lambda n: _too_many_rows(n).message)
    except SheetRefused as refused:
        raise RosterRefused(refused.message) from None
    return max(seen.rows - 1, 0)


def _too_many_rows(count: int) -> RosterRefused:
    return RosterRefused(
        _("The file has %(count)s rows; one upload takes at most %(limit)s. Split it into several files.")
        % {
            "count": number_format(count, force_grouping=True),
            "limit": number_format(settings.ROSTER_MAX_ROWS, force_grouping=True),
        }
    )


def read_roster(data: bytes) -> tuple[list, dict[str, int], list[tuple[int, list]]]:
    """Read the first sheet: its heading cells, the column index of each field, and the non-empty rows.

    Rows come as ``(Excel row number, cells)``; row 1 is the heading row. Empty rows are skipped. The shared
    reader guards the file again (it may have waited in storage) and reads it row by row.
    """
    try:
        sheet = read_xlsx(data, limits(), refuse_merged=True, blank="", integers=False)
        rows_read = sheet.rows()
        _number, first = next(rows_read, (1, []))
        if not any(cell not in (None, "") for cell in first):
            raise RosterRefused(_("Row 1 must hold the template's headings, and it is empty."))
        headings = list(first)
        while headings and headings[-1] in (None, ""):
            headings.pop()
        index = map_headings(
            headings,
            {column.heading: column.field for column in COLUMNS},
            unknown="refuse",
            skip=(ERROR_HEADING,),
            missing_message=_("Columns are missing from row 1: %(columns)s. Use the template's headings unchanged."),
        )
        rows = []
        for number, row in rows_read:
            if any(cell not in (None, "") for cell in row):
                for position, cell in enumerate(row):
                    if cell.__class__ is str and cell.startswith("="):
                        raise RosterRefused(
                            _("Cell %(cell)s starts with “=”, which Excel reads as a formula. Remove the “=” and "
                              "upload the file again.") % {"cell": cell_name(number, position)}
                        )  # fmt: skip
                rows.append((number, row))
    except SheetRefused as refused:
        raise RosterRefused(refused.message) from None
    if len(rows) > settings.ROSTER_MAX_ROWS:
        raise _too_many_rows(len(rows))
    if not rows:
        raise RosterRefused(_("There are no rows under the headings."))
    return headings, index, rows
