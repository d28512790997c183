"""The one safe reader for every uploaded spreadsheet (xlsx, and CSV where an upload takes it).

Every upload goes through ``read_xlsx`` (or ``read_csv``) with the ``Limits`` of its template:

1. the file's size (``max_bytes``), before anything is unpacked;
2. that an xlsx is a zip holding a workbook (an old .xls or an encrypted workbook is named as such);
3. zip bombs: the declared unpacked size and ratio of every part, then the bytes actually unpacked while
   streaming (declared sizes can lie);
4. what calamine cannot see, on the raw sheet XML, streamed once: formulas, merged cells (where refused), the
   **declared dimension and every cell reference beyond the template's columns and rows**, and cells with no
   reference at all (calamine would place them anywhere). A 7 KB file with one cell at ``XFD8000`` would
   otherwise make the reader build 8,000 × 16,384 cells (issue 11, item 7): it is refused here, before a
   single cell is read;
5. then python-calamine reads the sheet **row by row** (``iter_rows``), never the empty area around it.

``map_headings`` turns a heading row into field keys (missing and unknown columns named), and ``cell_name``
gives the Excel name of a cell for row errors. Messages are in the portal's language; callers that store them
(the roster's error file) translate under ``translation.override(settings.LANGUAGE_CODE)``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import python_calamine
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also any password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20


class SheetRefused(ValidationError):
    """The upload cannot be read as the template: nothing of it is used; ``message`` says why."""


@dataclass(frozen=True)
class Limits:
    """What one template allows. ``max_rows`` counts data rows under ``header_rows``; ``spare_rows`` are the
    blank but formatted rows Excel writes below a table, tolerated in the declared size (not as data)."""

    max_bytes: int
    max_rows: int
    max_columns: int
    header_rows: int = 1
    spare_rows: int = 1000
    max_unpacked: int = 200 * 1024 * 1024  # all parts together, as unpacked
    max_ratio: int = 200  # unpacked / packed of one part; genuine sheet XML stays well under 100
    ratio_floor: int = 8 * 1024 * 1024  # parts smaller than this unpacked are never a bomb

    @property
    def last_row(self) -> int:
        return self.header_rows + self.max_rows + self.spare_rows


@dataclass
class Inspection:
    """What the guard saw in the sheet's XML: ``rows`` elements and the largest row and column referenced."""

    rows: int = 0
    last_row: int = 0
    last_column: int = 0


UNREADABLE = "unreadable"  # the code of refusals that say "this is not a readable xlsx at all"
TOO_LARGE = "too_large"  # the file itself is over ``max_bytes``


def _refused(message: str, code: str = "refused") -> SheetRefused:
    return SheetRefused(message, code=code)


def not_xlsx_message() -> str:
    return _("The file is not an Excel workbook (.xlsx). Fill in the template and save it as .xlsx.")


def damaged_message() -> str:
    return _(
        "The file is damaged and cannot be opened. Open it in Excel, save it again as .xlsx and upload the new copy."
    )


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(size)s; one upload takes at most that.") % {"size": _size(limit)}


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{max(count // 1024, 1)} KB"


def cell_name(row: int, column: int) -> str:
    """``(2, 0)`` → ``"A2"``: the Excel name of a cell, by Excel row number and 0-based column index."""
    return f"{get_column_letter(column + 1)}{row}"


def _data(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _bounded(source, limits: Limits) -> bytes:
    size = getattr(source, "size", None)
    if size is not None and size > limits.max_bytes:
        raise _refused(too_large_message(limits.max_bytes), TOO_LARGE)
    data = _data(source)
    if len(data) > limits.max_bytes:
        raise _refused(too_large_message(limits.max_bytes), TOO_LARGE)
    return data


# --- The guard, on the raw xlsx ---------------------------------------------------------------------

_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA = re.compile(rb"<" + _NS + rb"f[\s/>]")
_ROW = re.compile(rb"<" + _NS + rb"row[\s>]")
_MERGE = re.compile(rb"<" + _NS + rb'mergeCell\s[^>]*?ref="([A-Z]+(\d+)(?::[A-Z]+\d+)?)"')
_CELL_REF = re.compile(rb'\sr="([A-Z]+\d+)"')
_CELL_WITHOUT_REF = re.compile(rb"<" + _NS + rb"c(?=[\s/>])(?![^>]*\sr=)")
_DIMENSION = re.compile(rb"<" + _NS + rb'dimension\s[^>]*?ref="([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?"')
_SHEET = re.compile(rb"<" + _NS + rb"sheet\s[^>]*>")
_REL_ID = re.compile(rb'\s[A-Za-z_][\w.-]*:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<" + _NS + rb"Relationship\s[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


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
    raise _refused(_("The workbook has no worksheet."), UNREADABLE)


def _too_big_unpacked() -> SheetRefused:
    return _refused(_("The workbook is far larger once unpacked than any filled-in template; it is refused."))


def _beyond(limits: Limits, row: int, column: int) -> SheetRefused:
    return _refused(
        _("The sheet reaches cell %(cell)s, beyond the template (%(columns)s columns, %(rows)s rows). Delete the "
          "rows and columns outside the table in Excel and upload the file again.")
        % {
            "cell": cell_name(max(row, 1), max(column, 1) - 1),
            "columns": limits.max_columns,
            "rows": number_format(limits.header_rows + limits.max_rows, force_grouping=True),
        }
    )  # fmt: skip


def _greater(limit: str, alphabet: str) -> bytes:
    """A pattern for the strings over ``alphabet`` (in its order) that sort after ``limit``: longer ones, or as
    long and greater at the first difference. ``_greater("BL", A–Z)`` matches ``BM``…``BZ``, ``C?``…, ``AAA``…"""
    first = alphabet[0] if alphabet[0] != "0" else "1"
    options = [f"[{first}-{alphabet[-1]}][{alphabet[0]}-{alphabet[-1]}]{{{len(limit)},}}"]
    for position, char in enumerate(limit):
        above = alphabet[alphabet.index(char) + 1 :]
        if above:
            rest = len(limit) - position - 1
            options.append(f"{limit[:position]}[{above[0]}-{above[-1]}][{alphabet[0]}-{alphabet[-1]}]{{{rest}}}")
    return "|".join(options).encode()


def _check_columns(limits: Limits, row: int, column: int) -> None:
    """Columns are refused at once (16,384 of them per row is the bomb); rows once the count is known."""
    if column > limits.max_columns:
        raise _beyond(limits, row, column)


def _check_parts(archive: zipfile.ZipFile, limits: Limits, sheet_path: str) -> None:
    """Declared sizes first (cheap), then every other part unpacked for real, counting the bytes."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > limits.max_unpacked:
            raise _too_big_unpacked()
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _too_big_unpacked()
    unpacked = 0
    for info in archive.infolist():
        if info.filename == sheet_path or info.is_dir():
            continue  # the sheet is counted while it is scanned
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limits.max_unpacked or (
                    unpacked > limits.ratio_floor and unpacked > limits.max_ratio * max(info.compress_size, 1)
                ):
                    raise _too_big_unpacked()


def inspect_xlsx(
    data: bytes,
    limits: Limits,
    *,
    refuse_merged: bool = False,
    too_many_rows: Callable[[int], str] | None = None,
) -> Inspection:
    """Check what calamine cannot see, without reading a cell. Raises ``SheetRefused``; returns what it saw.

    ``too_many_rows(count)`` words the refusal of a sheet with far more row elements than the template takes
    (the caller names its own limit); without it the extent message is used.
    """
    if data.startswith(OLE_MAGIC):
        raise _refused(
            _("This is an old-style .xls workbook or a password-protected one. Save it in Excel as an unprotected "
              "“Excel workbook (*.xlsx)” and upload that file."), UNREADABLE
        )  # fmt: skip
    if not data.startswith(ZIP_MAGIC):
        raise _refused(not_xlsx_message(), UNREADABLE)
    seen = Inspection()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "xl/workbook.xml" not in archive.namelist():
            raise _refused(not_xlsx_message(), UNREADABLE)
        path = _first_sheet_path(archive)
        _check_parts(archive, limits, path)
        # Only references beyond the template match this pattern, so a genuine sheet costs one fast scan.
        pattern = rb'r="(?:(?:%s)\d+|[A-Z]+(?:%s))"' % (
            _greater(get_column_letter(limits.max_columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            _greater(str(limits.last_row), "0123456789"),
        )
        suspect, suspect_spaced = re.compile(rb" " + pattern), re.compile(rb"\s" + pattern)
        formula, merges, unpacked, tail, dimension_checked = None, set(), 0, b"", False
        packed = max(archive.getinfo(path).compress_size, 1)
        with archive.open(path) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limits.max_unpacked or (
                    unpacked > limits.ratio_floor and unpacked > limits.max_ratio * packed
                ):
                    raise _too_big_unpacked()
                buffer = tail + chunk
                if not dimension_checked and b"sheetData" in buffer:
                    dimension_checked = True
                    if dimension := _DIMENSION.search(buffer):
                        first_col, first_row, last_col, last_row = dimension.groups()
                        column = (last_col or first_col or b"A").decode()
                        row = int(last_row or first_row or 1)
                        if len(column) > 3:
                            raise _beyond(limits, row, limits.max_columns + 1)
                        _check_columns(limits, row, column_index_from_string(column))
                        seen.last_row = max(seen.last_row, row)
                # Count what ends in the new bytes only: what lies in the tail was counted last time.
                seen.rows += len(_ROW.findall(buffer)) - len(_ROW.findall(tail))
                # Attributes are separated by a space in every writer seen; any other white space takes the
                # slower pattern. (A row's own r="" does not place cells: calamine goes by the cells' references.)
                spaced = b"\nr=" in buffer or b"\tr=" in buffer or b"\rr=" in buffer
                for match in (suspect_spaced if spaced else suspect).finditer(buffer):
                    ref = match.group(0)[4:-1]
                    column_letters = ref.rstrip(b"0123456789").decode()
                    row = int(ref[len(column_letters) :])
                    column = column_index_from_string(column_letters) if len(column_letters) <= 3 else 1 << 20
                    _check_columns(limits, row, column)
                    seen.last_row = max(seen.last_row, row)
                # Up to the last complete tag: a cell cut by the chunk's end is seen whole with the next one.
                # Counting (in C) spares the pattern when every cell starts with its reference, as writers do.
                whole = buffer[: buffer.rfind(b">") + 1]
                cells = whole.count(b"<c ") + whole.count(b"<c>") + whole.count(b"<c/>")
                if (cells != whole.count(b'<c r="') or b":c" in whole) and _CELL_WITHOUT_REF.search(whole):
                    raise _refused(
                        _("The sheet has cells without a position; save it again in Excel as .xlsx and upload it.")
                    )
                # The substring tests (in C) spare the regular expressions most chunks.
                if formula is None and (b"<f" in buffer or b":f" in buffer) and (match := _FORMULA.search(buffer)):
                    cell = _CELL_REF.search(buffer, max(buffer.rfind(b"<c ", 0, match.start()), 0), match.start())
                    formula = cell.group(1).decode() if cell else ""
                if b"mergeCell" in buffer:
                    merges.update(_MERGE.findall(buffer))
                tail = buffer[-512:]
    except SheetRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        KeyError,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ):
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression; the others: a
        # truncated or corrupt archive or stream.
        raise _refused(damaged_message(), UNREADABLE) from None
    if seen.rows - limits.header_rows > limits.max_rows + limits.spare_rows:
        count = seen.rows - limits.header_rows
        raise _refused(too_many_rows(count)) if too_many_rows else _beyond(limits, seen.rows, 1)
    if seen.last_row > limits.last_row:
        raise _beyond(limits, seen.last_row, 1)
    if formula is not None:
        raise _refused(
            _("The sheet contains formulas (the first in cell %(cell)s). Copy the sheet and paste it as values "
              "only, then upload it again.") % {"cell": formula or "?"}
        )  # fmt: skip
    if merges and refuse_merged:
        first_row, cell_range = min((int(row), ref.decode()) for ref, row in merges)
        if first_row == 1:
            raise _refused(
                _("The heading row has merged cells (%(range)s). Unmerge them so that every column has its own "
                  "heading, as in the template.") % {"range": cell_range}
            )  # fmt: skip
        raise _refused(
            _("The sheet has merged cells (from %(range)s). Unmerge them and fill in every cell.")
            % {"range": cell_range}
        )
    return seen


# --- Reading the cells --------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A checked sheet; ``rows()`` yields ``(Excel row number, cells)`` one row at a time, from row 1."""

    _rows: Callable[[], Iterator[list]]
    inspection: Inspection

    def rows(self) -> Iterator[tuple[int, list]]:
        yield from enumerate(self._rows(), start=1)


def _tidy(value, blank, integers: bool):
    if value == "" or value is None:
        return blank
    if integers and value.__class__ is float and value.is_integer():
        return int(value)
    return value


def read_xlsx(
    source,
    limits: Limits,
    *,
    refuse_merged: bool = False,
    too_many_rows: Callable[[int], str] | None = None,
    blank=None,
    integers: bool = True,
) -> Sheet:
    """Guard ``source`` (bytes or an uploaded file) and open its first sheet for row-wise reading.

    Cells come as calamine reads them (str, float, bool, date, datetime, time, timedelta), an empty cell as
    ``blank``, and, with ``integers``, a whole float as an int (as openpyxl reads ``5``).
    """
    data = _bounded(source, limits)
    inspection = inspect_xlsx(data, limits, refuse_merged=refuse_merged, too_many_rows=too_many_rows)
    try:
        sheet = python_calamine.load_workbook(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception:  # calamine raises its own types for every kind of damage
        raise _refused(damaged_message(), UNREADABLE) from None

    def rows() -> Iterator[list]:
        # iter_rows starts at row 1 but at the first used column: put the columns before it back.
        before = [blank] * (sheet.start[1] if sheet.start else 0)
        try:
            for row in sheet.iter_rows():
                yield before + [_tidy(cell, blank, integers) for cell in row]
        except SheetRefused:
            raise
        except Exception:
            raise _refused(damaged_message(), UNREADABLE) from None

    return Sheet(_rows=rows, inspection=inspection)


def read_csv(source, limits: Limits, *, blank=None) -> Sheet:
    """A CSV upload under the same limits: UTF-8 (with or without BOM) or GB18030 as Excel saves it in China.

    Cells are text; a cell starting with ``=`` is left as text (nothing here evaluates it).
    """
    data = _bounded(source, limits)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("The file is neither UTF-8 nor GB18030 text; save it as “CSV UTF-8” and upload it again."))
    if "\x00" in text:
        raise _refused(not_xlsx_message(), UNREADABLE)

    def rows() -> Iterator[list]:
        try:
            for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
                if number > limits.last_row or len(row) > limits.max_columns:
                    raise _beyond(limits, number, len(row))
                yield [cell if cell != "" else blank for cell in row]
        except csv.Error:
            raise _refused(damaged_message(), UNREADABLE) from None

    return Sheet(_rows=rows, inspection=Inspection())


# --- Headings -----------------------------------------------------------------------------------------


def plain_heading(value) -> str:
    """A heading as typed, without spaces inside and the template's required-mark ``*``."""
    return "".join(str(value).split()).rstrip("*＊") if value not in (None, "") else ""


def map_headings(
    cells,
    columns: Mapping[str, str],
    *,
    required=None,
    unknown: str = "ignore",
    skip=(),
    row: int = 1,
    missing_message: str | None = None,
) -> dict[str, int]:
    """Heading cells → ``{field key: column index}``, by ``columns`` (heading text → field key).

    ``required`` (keys; all of ``columns`` by default) missing are named in one message; with
    ``unknown="refuse"`` a heading not in ``columns`` (nor in ``skip``) is refused naming its column, as are
    an empty heading before the last one and a heading given twice. With ``"ignore"`` extra columns are read
    past and the first of a repeated heading wins.
    """
    headings = list(cells or ())
    while headings and headings[-1] in (None, ""):
        headings.pop()
    index: dict[str, int] = {}
    for position, cell in enumerate(headings):
        heading, letter = plain_heading(cell), get_column_letter(position + 1)
        key = columns.get(heading)
        if heading in skip:
            continue
        if key is None:
            if unknown != "refuse":
                continue
            if not heading:
                raise _refused(_("Column %(letter)s has no heading.") % {"letter": letter})
            raise _refused(
                _("The heading “%(heading)s” in column %(letter)s is not one of the template's. Use the template's "
                  "headings unchanged.") % {"heading": heading, "letter": letter}
            )  # fmt: skip
        if key in index:
            if unknown == "refuse":
                raise _refused(_("The heading “%(heading)s” appears twice.") % {"heading": heading})
            continue
        index[key] = position
    wanted = list(columns.values()) if required is None else list(required)
    names = {key: heading for heading, key in reversed(list(columns.items()))}
    missing = [names.get(key, key) for key in dict.fromkeys(wanted) if key not in index]
    if missing:
        message = missing_message or _(
            "Columns are missing from row %(row)s: %(columns)s. Use the template's headings."
        )
        raise _refused(message % {"row": row, "columns": "、".join(missing)})
    return index
