"""The one writer: every exported text cell that would start a formula comes out inert (issue 11, item 5)."""

import csv
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from members import roster as rosters
from reporting import dashboards
from tests.factories import UserFactory, make_member
from unionportal.core import sheets

ATTACK = '=HYPERLINK("http://x","y")'


def assert_inert(cell):
    assert cell.data_type != "f", cell.coordinate
    assert str(cell.value).startswith("'"), cell.value


@pytest.mark.parametrize("text", [ATTACK, "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_quoted(text):
    assert sheets.safe(text) == "'" + text


@pytest.mark.parametrize("value", ["商州区总工会", "", None, 12, -5, 3.5, "-12.5", "+3%", "-", "1,234.50"])
def test_plain_text_numbers_and_plain_number_text_pass_unchanged(value):
    expected = "'-" if value == "-" else value
    assert sheets.safe(value) == expected


def test_an_openpyxl_sheet_keeps_the_text_as_text():
    book = openpyxl.Workbook()
    book.active.append(sheets.safe_row([ATTACK, 5]))
    sheets.cell(book.active, 2, 1, "@x")
    buffer = io.BytesIO()
    book.save(buffer)

    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert_inert(sheet["A1"])
    assert_inert(sheet["A2"])
    assert sheet["B1"].value == 5 and sheet["B1"].data_type == "n"


def test_dashboard_csv_neutralises_organisation_names():
    chart = {"labels": [ATTACK, "山阳县"], "datasets": [{"label": "会员数", "values": ["12", None]}]}

    rows = list(csv.reader(io.StringIO(dashboards.chart_csv(chart).lstrip("\ufeff"))))

    assert rows[1] == ["'" + ATTACK, "12"]
    assert rows[2] == ["山阳县", ""]


def test_member_export_neutralises_every_text_field(tree):
    make_member(union=tree["union_sz"], name="甲", employer=ATTACK, position="@work")
    actor = UserFactory(username="export_clerk", organisation=tree["city"], roles=["city_staff"])
    output = io.BytesIO()

    rosters.member_export(actor=actor, output=output)

    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue())).active
    cells = [cell for cell in sheet[2] if isinstance(cell.value, str) and cell.value.startswith("'")]
    assert {cell.value for cell in cells} >= {"'" + ATTACK, "'@work"}
    for cell in cells:
        assert_inert(cell)


@given(st.text(max_size=30))
def test_no_written_text_can_start_a_formula_and_quoting_only_adds_the_apostrophe(text):
    written = sheets.safe(text)

    assert written == text or written == "'" + text
    if written == text and text[:1] in "-+":
        float(text.replace(",", "").rstrip("%") or "0")  # only a plain number keeps its sign in front
    else:
        assert not written.startswith(("=", "@", "\t", "\r"))
