"""The one writer of exported cells: no text cell may start a formula (issue 11, item 5).

A spreadsheet program evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a leading
tab or carriage return the same way), so a bank name typed as ``=HYPERLINK("http://x","y")`` on a claim form
would become a live link in the bank file or the bulletin. Every exported text cell goes through ``safe``,
which prefixes such text with ``'`` (OWASP's advice); openpyxl then stores it as text, never as a formula.
Numbers, dates and booleans pass unchanged, and so does text that is a plain number (``-12.5``, ``+3%``): it
cannot start a formula and the reader keeps it a number.

Use ``safe_row`` for ``sheet.append`` and CSV rows, ``cell(sheet, row, column, value)`` for openpyxl's
addressed cells, ``write_only_cell`` in write-only workbooks, and ``csv_writer`` for CSV files.
"""

import csv
import re

from openpyxl.cell import WriteOnlyCell

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?%?")


def safe(value):
    """``value`` as it may be written into an exported cell: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _is_plain_number(value):
        return "'" + value
    return value


def _is_plain_number(text: str) -> bool:
    return text[:1] in "+-" and any(ch.isdigit() for ch in text) and _PLAIN_NUMBER.fullmatch(text) is not None


def safe_row(values) -> list:
    return [safe(value) for value in values]


def cell(sheet, row: int, column: int, value):
    """``sheet.cell(row=, column=, value=)`` with the value made safe; returns the cell for styling."""
    return sheet.cell(row=row, column=column, value=safe(value))


def write_only_cell(sheet, value) -> WriteOnlyCell:
    return WriteOnlyCell(sheet, value=safe(value))


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, *args, **kwargs) -> _SafeWriter:
    """``csv.writer`` whose rows are made safe cell by cell."""
    return _SafeWriter(csv.writer(stream, *args, **kwargs))
