"""The one safe reader: real xlsx files made here, including the 7 KB ``XFD8000`` sheet and zip bombs."""

import io
import time
import zipfile

import openpyxl
import pytest

from unionportal.core import sheets
from unionportal.core.sheets import Limits, SheetRefused

LIMITS = Limits(max_bytes=1024 * 1024, max_rows=100, max_columns=6)


def xlsx(rows, prepare=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through ``change`` (bytes → bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def far_cell_bomb() -> bytes:
    """Issue 11 item 7: a few kilobytes, one cell at XFD8000 (8,000 × 16,384 cells to a naive reader)."""
    return xlsx(
        [["姓名", "身份证号"], ["甲", "1"]], prepare=lambda sheet: sheet.cell(row=8000, column=16384, value="x")
    )


def declared_dimension_bomb() -> bytes:
    """A sheet whose XML declares A1:XFD1048576 and whose one far cell has no row element of its own number."""
    return rewrite_sheet(
        xlsx([["姓名", "身份证号"], ["甲", "1"]]),
        lambda xml: xml.replace(b'<dimension ref="A1:B2"', b'<dimension ref="A1:XFD1048576"'),
    )


def lying_dimension_bomb() -> bytes:
    """The declared dimension is small, but a cell sits at XFD8000."""
    return rewrite_sheet(
        xlsx([["姓名", "身份证号"], ["甲", "1"]]),
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )


def zip_bomb() -> bytes:
    """A valid workbook plus one part of 300 MB of zeros (a few hundred KB packed)."""
    data = xlsx([["姓名"], ["甲"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                part.write(block)
    return buffer.getvalue()


def rows_of(data, limits=LIMITS, **kwargs):
    return list(sheets.read_xlsx(data, limits, **kwargs).rows())


def test_reads_rows_with_excel_row_numbers_and_whole_numbers_as_ints():
    data = xlsx([["姓名", "人数", "比例"], ["甲", 5, 1.5], [], [None, None, "丙"]])

    rows = rows_of(data)

    assert rows[0] == (1, ["姓名", "人数", "比例"])
    assert rows[1] == (2, ["甲", 5, 1.5])
    assert rows[3] == (4, [None, None, "丙"])


def test_a_sheet_not_starting_in_column_a_keeps_its_columns():
    data = xlsx([], prepare=lambda sheet: sheet.cell(row=2, column=3, value="x"))

    assert rows_of(data)[-1] == (2, [None, None, "x"])


@pytest.mark.parametrize("make", [far_cell_bomb, declared_dimension_bomb, lying_dimension_bomb])
def test_a_sheet_reaching_beyond_the_template_is_refused_quickly_without_reading_the_area(make, monkeypatch):
    data = make()
    assert len(data) < 20_000

    def never(*args, **kwargs):
        raise AssertionError("calamine was asked to read the sheet")

    monkeypatch.setattr(sheets.reading.python_calamine, "load_workbook", never)
    started = time.perf_counter()
    with pytest.raises(SheetRefused, match="XFD") as refused:
        sheets.read_xlsx(data, LIMITS)
    assert time.perf_counter() - started < 1
    assert refused.value.code == "refused"


def test_far_rows_in_a_narrow_sheet_are_refused_too():
    data = xlsx([["姓名"]], prepare=lambda sheet: sheet.cell(row=500_000, column=1, value="x"))

    with pytest.raises(SheetRefused, match="A500000"):
        sheets.read_xlsx(data, LIMITS)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = zip_bomb()
    started = time.perf_counter()

    with pytest.raises(SheetRefused, match="解压"):
        sheets.read_xlsx(data, Limits(max_bytes=10 * 1024 * 1024, max_rows=100, max_columns=6))
    assert time.perf_counter() - started < 2


def test_parts_over_the_unpacked_total_are_refused_whatever_their_ratio():
    data = xlsx([["姓名"], ["甲"]], prepare=lambda sheet: [sheet.append([f"职工{n}"]) for n in range(2000)])
    limits = Limits(max_bytes=1024 * 1024, max_rows=5000, max_columns=6, max_unpacked=20_000)

    with pytest.raises(SheetRefused, match="解压"):
        sheets.read_xlsx(data, limits)


def test_the_file_size_is_checked_first():
    with pytest.raises(SheetRefused) as refused:
        sheets.read_xlsx(b"PK\x03\x04" + b"\0" * 2000, Limits(max_bytes=1000, max_rows=1, max_columns=1))
    assert refused.value.code == sheets.TOO_LARGE


@pytest.mark.parametrize(
    "data",
    [b"name,id\n1,2\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, b"PK\x03\x04broken"],
    ids=["csv", "xls", "broken-zip"],
)
def test_what_is_not_an_xlsx_is_refused_as_unreadable(data):
    with pytest.raises(SheetRefused) as refused:
        sheets.read_xlsx(data, LIMITS)
    assert refused.value.code == sheets.UNREADABLE


def test_formulas_are_refused_naming_the_cell():
    data = xlsx([["姓名", "人数"], ["甲", "=1+1"]])

    with pytest.raises(SheetRefused, match="B2"):
        sheets.read_xlsx(data, LIMITS)


def test_merged_cells_are_refused_where_the_template_says_so():
    data = xlsx([["姓名", "人数"], ["甲", 1]], prepare=lambda sheet: sheet.merge_cells("A2:B2"))

    assert rows_of(data)
    with pytest.raises(SheetRefused, match="A2:B2"):
        sheets.read_xlsx(data, LIMITS, refuse_merged=True)


def test_headings_map_to_keys_naming_missing_and_unknown_columns():
    columns = {"姓名": "name", "身份证号": "id_number", "手机": "phone"}

    assert sheets.map_headings([" 姓 名 ", "身份证号*", "手机", "备注"], columns) == {
        "name": 0,
        "id_number": 1,
        "phone": 2,
    }
    with pytest.raises(SheetRefused, match="身份证号、手机"):
        sheets.map_headings(["姓名"], columns)
    with pytest.raises(SheetRefused, match="D 列.*备注"):
        sheets.map_headings(["姓名", "身份证号", "手机", "备注"], columns, unknown="refuse")
    with pytest.raises(SheetRefused, match="两次"):
        sheets.map_headings(["姓名", "姓名", "身份证号", "手机"], columns, unknown="refuse")


def test_csv_is_read_under_the_same_limits_in_utf8_and_gb18030():
    text = "姓名,人数\n甲,=1+1\n"
    for encoding in ("utf-8-sig", "gb18030"):
        rows = list(sheets.read_csv(text.encode(encoding), LIMITS).rows())
        assert rows == [(1, ["姓名", "人数"]), (2, ["甲", "=1+1"])]
    with pytest.raises(SheetRefused):
        list(sheets.read_csv(("a," * 20 + "\n").encode(), LIMITS).rows())
