"""The monthly report template and the bulletin xlsx write organisation names and reasons inert."""

import io

from openpyxl import load_workbook

from reporting import workbook
from reporting.bulletin import files as bulletin_files

ATTACK = '=HYPERLINK("http://x","y")'


def test_report_template_neutralises_names_and_reasons(reports):
    report = reports["shangzhou"]
    report.county.name = ATTACK
    line = report.current_revision.lines.first()
    line.override_reason = "-1+1 说明"
    line.save(update_fields=["override_reason"])

    sheet = load_workbook(io.BytesIO(workbook.template_bytes(report))).active

    assert sheet["A1"].data_type != "f" and sheet["A1"].value.startswith("'=HYPERLINK")
    reason = sheet.cell(row=workbook.FIRST_ROW, column=6)
    assert reason.data_type != "f" and reason.value == "'-1+1 说明"


def test_bulletin_xlsx_neutralises_county_names():
    data = {
        "ranking": [],
        "charts": [{"title": "会员", "labels": [ATTACK], "datasets": [{"label": "会员数", "values": ["7"]}]}],
    }
    rows = [["1", ATTACK, "94.00"]]
    book = bulletin_files.Workbook()
    bulletin_files._sheet(book, "排名", rows, first=True)
    buffer = io.BytesIO()
    book.save(buffer)

    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["B1"]
    assert cell.data_type != "f" and cell.value == "'" + ATTACK
    assert data  # the full bulletin path is exercised in test_bulletin; here the one sheet writer
