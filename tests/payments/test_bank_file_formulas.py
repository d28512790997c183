"""A bank name typed as a formula on a claim form is inert in the bank file, and the result still matches."""

import io

import openpyxl

from unionportal.payments import services
from unionportal.payments.models import PaymentLine

from .conftest import make_request, paid_row, result_file

ATTACK = '=HYPERLINK("http://x","y")'


def test_text_cells_of_the_bank_file_cannot_become_formulas_and_the_result_file_still_matches(tree, thing, finance):
    request = make_request(tree["union_sz"], 1, bank_name=ATTACK, payee_name="@张三")
    batch = services.batch_create(actor=finance, requests=[request])

    content = services.batch_export(actor=finance, batch=batch)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    bank, payee = sheet["D2"], sheet["B2"]
    for cell in (bank, payee):
        assert cell.data_type != "f" and cell.value.startswith("'")
    assert bank.value == "'" + ATTACK
    assert sheet["F2"].value == "1000.00" and sheet["H2"].value == request.reference

    services.batch_mark_sent(actor=finance, batch=batch)
    line = PaymentLine.objects.get(batch=batch)
    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(line)]))
    line.refresh_from_db()
    assert line.result == PaymentLine.Result.PAID
