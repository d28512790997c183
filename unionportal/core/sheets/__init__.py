"""Spreadsheets in and out: one safe reader for every upload and one writer that neutralises formulas.

``reading``: size, zip and zip-bomb guards, declared dimension and cell references against the template,
formulas, row-wise reading with python-calamine, heading mapping. ``writing``: every exported text cell.
"""

from .reading import (
    TOO_LARGE,
    UNREADABLE,
    Inspection,
    Limits,
    Sheet,
    SheetRefused,
    cell_name,
    inspect_xlsx,
    map_headings,
    plain_heading,
    read_csv,
    read_xlsx,
)
from .writing import cell, csv_writer, safe, safe_row, write_only_cell

__all__ = [
    "TOO_LARGE",
    "UNREADABLE",
    "Inspection",
    "Limits",
    "Sheet",
    "SheetRefused",
    "cell",
    "cell_name",
    "csv_writer",
    "inspect_xlsx",
    "map_headings",
    "plain_heading",
    "read_csv",
    "read_xlsx",
    "safe",
    "safe_row",
    "write_only_cell",
]
