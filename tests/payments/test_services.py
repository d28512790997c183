"""The payment machinery through its services: requests, batches, the bank file and the bank's result."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from tests.factories import UserFactory
from unionportal.payments import bankfile, services
from unionportal.payments.models import PaymentBatch, PaymentLine, PaymentRequest

from .conftest import SOURCE, failed_row, make_request, paid_row, result_file, sent_batch

pytestmark = pytest.mark.django_db


def lines_of(batch):
    return list(batch.lines.select_related("request").order_by("number"))


def snapshot():
    """Everything the payments app saved, to compare before and after a refused import."""
    return (
        list(PaymentRequest.objects.order_by("pk").values()),
        list(PaymentBatch.objects.order_by("pk").values()),
        list(PaymentLine.objects.order_by("pk").values()),
    )


# --- Requests --------------------------------------------------------------------------------------


def test_request_is_created_once_and_a_repeat_returns_it(tree, thing):
    first = make_request(tree["union_sz"], 1)
    again = make_request(tree["union_sz"], 1)

    assert again.pk == first.pk
    assert first.status == PaymentRequest.Status.PENDING
    assert first.amount == Decimal("1000.00")


def test_second_live_request_with_other_amount_is_refused(tree, thing):
    make_request(tree["union_sz"], 1)

    with pytest.raises(ValidationError, match="已有支付申请"):
        make_request(tree["union_sz"], 1, amount="999.00")
    assert PaymentRequest.objects.count() == 1


def test_request_refuses_unknown_source_bad_account_and_bad_amounts(tree, thing):
    with pytest.raises(ValidationError):
        make_request(tree["union_sz"], 1, source="nobody.knows")
    with pytest.raises(ValidationError):
        make_request(tree["union_sz"], 2, account_number="12AB")
    for amount in ("0", "-5", "10.005"):
        with pytest.raises(ValidationError):
            make_request(tree["union_sz"], 3, amount=amount)
    assert not PaymentRequest.objects.exists()


def test_cancelled_request_may_be_asked_for_again(tree, thing):
    first = make_request(tree["union_sz"], 1)
    services.request_cancel(request=first)

    second = make_request(tree["union_sz"], 1, amount="900.00")

    assert second.pk != first.pk
    assert PaymentRequest.objects.get(pk=first.pk).status == PaymentRequest.Status.CANCELLED


# --- Happy path ------------------------------------------------------------------------------------


def test_batch_export_sent_and_all_paid(tree, thing, finance):
    # given two pending requests
    a = make_request(tree["union_sz"], 1, amount="1234.50")
    b = make_request(tree["union_sy"], 2, amount="88.00")

    # when finance builds a batch and exports it
    batch = services.batch_create(actor=finance, requests=[a, b])
    content = services.batch_export(actor=finance, batch=batch)

    # then the bank file has the documented layout, every cell text, amounts with two decimals
    batch.refresh_from_db()
    assert batch.number.startswith("ZF") and batch.status == PaymentBatch.Status.EXPORTED
    assert batch.total_amount == Decimal("1322.50") and batch.line_count == 2
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == bankfile.EXPORT_HEADERS
    assert rows[1] == ("1", a.payee_name, a.payee_id_number, a.bank_name, a.account_number, "1234.50", "测试事项",
                       "T000001", batch.number)  # fmt: skip
    assert rows[2][5] == "88.00"
    assert all(cell.number_format == "@" for cell in sheet[2])
    # and the export is in the audit trail
    export = LogEntry.objects.get(additional_data__kind="export")
    assert export.actor == finance and export.additional_data["rows"] == 2
    assert PaymentRequest.objects.filter(status=PaymentRequest.Status.IN_BATCH).count() == 2

    # when it is sent and the bank answers that both were paid
    services.batch_mark_sent(actor=finance, batch=batch)
    file = result_file([[1, "T000001", "1234.50", "成功", "", "B001"], [2, "T000002", 88, "成功", "", "B002"]])
    outcome = services.batch_import_result(actor=finance, batch=batch, file=file)

    # then both requests are paid, the owning app heard of each once, and the batch is reconciled
    assert outcome.applied and outcome.paid == 2
    assert set(PaymentRequest.objects.values_list("status", flat=True)) == {"paid"}
    assert [reference for reference, _, _ in thing.paid] == ["T000001", "T000002"]
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RECONCILED
    assert batch.paid_count == 2 and batch.paid_amount == Decimal("1322.50")
    assert PaymentLine.objects.get(number=1).bank_reference == "B001"


def test_value_date_column_sets_the_paid_date(tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1)])
    headers = ["序号", "业务编号", "金额(元)", "结果", "交易日期"]

    services.batch_import_result(
        actor=finance, batch=batch, file=result_file([[1, "T000001", "1000.00", "成功", date(2026, 11, 20)]], headers)
    )

    assert PaymentRequest.objects.get().paid_on == date(2026, 11, 20)
    assert thing.paid[0][1] == date(2026, 11, 20)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1), make_request(tree["union_sz"], 2)])
    lines = lines_of(batch)
    rows = [paid_row(lines[0]), failed_row(lines[1])]
    services.batch_import_result(actor=finance, batch=batch, file=result_file(rows))
    before = snapshot()

    outcome = services.batch_import_result(actor=finance, batch=batch, file=result_file(rows))

    assert outcome.applied and outcome.unchanged == 2 and outcome.paid == outcome.failed == 0
    assert snapshot() == before
    assert len(thing.paid) == 1 and len(thing.failed) == 1


def test_a_partial_result_leaves_the_batch_sent_until_the_rest_arrives(tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1), make_request(tree["union_sz"], 2)])
    lines = lines_of(batch)

    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines[0])]))
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SENT

    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines[1])]))
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RECONCILED


# --- Failures, correction, re-payment --------------------------------------------------------------


def test_failed_line_is_corrected_and_paid_in_a_later_batch(tree, thing, finance):
    # given a batch where the bank refused one payment (closed card)
    request = make_request(tree["union_sz"], 1)
    first = sent_batch(finance, [request])
    services.batch_import_result(actor=finance, batch=first, file=result_file([failed_row(lines_of(first)[0])]))
    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.FAILED and request.failure_reason == "账户已销户"
    assert thing.failed == [("T000001", "账户已销户", lines_of(first)[0].pk)]

    # a failed request cannot go into a batch before its account is corrected
    with pytest.raises(ValidationError):
        services.batch_create(actor=finance, requests=[request])

    # when finance proposes the new account and a colleague confirms it
    services.request_propose_account(
        actor=finance, request=request, bank_name="中国建设银行商洛分行", account_number="6217 0000 1111 2222 333",
        holder_name="收款人1",
    )  # fmt: skip
    services.request_confirm_account(
        actor=UserFactory(organisation=tree["city"], roles=["finance"]), request=request,
        account_number="6217000011112222333",
    )  # fmt: skip
    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.PENDING and request.account_number == "6217000011112222333"
    change = LogEntry.objects.filter(object_pk=str(request.pk), action=LogEntry.Action.UPDATE).latest("pk")
    assert "account_number" in change.changes_dict
    assert "6217000011112222333" not in str(change.changes)  # masked in the audit trail

    # and pays it in a second batch
    second = sent_batch(finance, [request])
    line = lines_of(second)[0]
    assert line.account_number == "6217000011112222333"
    assert lines_of(first)[0].account_number == "6228480000000000001"  # what went to the bank stays
    services.batch_import_result(actor=finance, batch=second, file=result_file([paid_row(line)]))

    # then it is paid once, through the second batch
    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.PAID
    assert PaymentLine.objects.filter(request=request, result="paid").count() == 1
    assert len(thing.paid) == 1


def test_correcting_is_only_for_failed_requests_and_in_scope(tree, thing, finance, other_county_finance):
    request = make_request(tree["union_sz"], 1)
    account = {"bank_name": "某行", "account_number": "1234567890", "holder_name": "收款人1"}
    with pytest.raises(ValidationError):
        services.request_propose_account(actor=finance, request=request, **account)
    with pytest.raises(Http404):
        services.request_propose_account(actor=other_county_finance, request=request, **account)


def failed_request(tree, finance):
    request = make_request(tree["union_sz"], 1)
    batch = sent_batch(finance, [request])
    services.batch_import_result(actor=finance, batch=batch, file=result_file([failed_row(lines_of(batch)[0])]))
    request.refresh_from_db()
    return request


def test_finance_alone_cannot_redirect_a_failed_payment(tree, thing, finance):
    request = failed_request(tree, finance)
    services.request_propose_account(
        actor=finance, request=request, bank_name="某行", account_number="6217000099998888777", holder_name="收款人1"
    )

    with pytest.raises(ValidationError):
        services.request_confirm_account(actor=finance, request=request, account_number="6217000099998888777")

    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.FAILED and request.account_number == "6228480000000000001"
    with pytest.raises(ValidationError):  # nor put it into a batch
        services.batch_create(actor=finance, requests=[request])


def test_the_account_holder_must_be_the_payee(tree, thing, finance):
    request = failed_request(tree, finance)

    with pytest.raises(ValidationError):
        services.request_propose_account(
            actor=finance, request=request, bank_name="某行", account_number="6217000099998888777", holder_name="张三"
        )

    request.refresh_from_db()
    assert request.proposed_account_number == ""


def test_the_checker_confirms_only_the_number_proposed(tree, thing, finance):
    request = failed_request(tree, finance)
    checker = UserFactory(organisation=tree["city"], roles=["finance"])
    services.request_propose_account(
        actor=finance, request=request, bank_name="某行", account_number="6217000099998888777", holder_name="收款人1"
    )

    with pytest.raises(ValidationError):
        services.request_confirm_account(actor=checker, request=request, account_number="6217000099998888000")
    services.request_confirm_account(actor=checker, request=request, account_number="6217 0000 9999 8888 777")

    request.refresh_from_db()
    assert (request.status, request.account_number, request.bank_name, request.proposed_by) == (
        PaymentRequest.Status.PENDING, "6217000099998888777", "某行", None
    )  # fmt: skip


def test_cancelled_batch_gives_its_requests_back(tree, thing, finance):
    request = make_request(tree["union_sz"], 1)
    batch = services.batch_create(actor=finance, requests=[request])

    services.batch_cancel(actor=finance, batch=batch)

    request.refresh_from_db()
    assert request.status == PaymentRequest.Status.PENDING
    second = services.batch_create(actor=finance, requests=[request])
    assert second.pk != batch.pk


def test_sent_batch_cannot_be_cancelled_nor_a_draft_marked_sent(tree, thing, finance):
    draft = services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], 1)])
    with pytest.raises(ValidationError):
        services.batch_mark_sent(actor=finance, batch=draft)
    sent = sent_batch(finance, [make_request(tree["union_sz"], 2)])
    with pytest.raises(ValidationError):
        services.batch_cancel(actor=finance, batch=sent)


def test_request_in_a_batch_cannot_be_cancelled(tree, thing, finance):
    request = make_request(tree["union_sz"], 1)
    services.batch_create(actor=finance, requests=[request])
    with pytest.raises(ValidationError):
        services.request_cancel(request=request)


def test_county_finance_batches_only_its_county(tree, thing, county_finance):
    mine = make_request(tree["union_sz"], 1)
    theirs = make_request(tree["union_sy"], 2)

    with pytest.raises(ValidationError):
        services.batch_create(actor=county_finance, requests=[mine, theirs])
    batch = services.batch_create(actor=county_finance, requests=[mine])
    assert batch.org_path == tree["shangzhou"].path


# --- Bad result files: each gets a clear message and changes nothing ------------------------------


@pytest.fixture
def sent(tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1), make_request(tree["union_sz"], 2)])
    return batch, lines_of(batch)


def refused(finance, batch, rows, language="en", **kwargs):
    before = snapshot()
    with translation.override(language):
        outcome = services.batch_import_result(actor=finance, batch=batch, file=result_file(rows, **kwargs))
        messages = [str(error) for error in outcome.errors]
    assert not outcome.applied
    assert snapshot() == before
    return messages


def test_unknown_business_number_is_refused(finance, sent, thing):
    batch, lines = sent
    errors = refused(finance, batch, [paid_row(lines[0]), [2, "LP9999", "1000.00", "成功", "", ""]])

    assert errors == ["Row 3, column “业务编号” (B): Unknown business number “LP9999”: it is not in this batch."]
    assert thing.paid == []


def test_changed_amount_is_refused(finance, sent):
    batch, lines = sent
    errors = refused(finance, batch, [[1, "T000001", "1000.01", "成功", "", ""], paid_row(lines[1])])

    assert errors == [
        "Row 2, column “金额” (C): The amount was changed: the batch sent 1000.00 yuan, the file says 1000.01 yuan."
    ]


def test_line_not_in_this_batch_and_duplicate_lines_are_refused(finance, sent, tree):
    batch, lines = sent
    errors = refused(
        finance, batch, [paid_row(lines[0]), paid_row(lines[0]), [7, "T000001", "1000.00", "成功", "", ""]]
    )

    assert "Row 3, column “序号” (A): Line 1 is also in row 2." in errors
    assert "Row 4, column “序号” (A): This batch has no line 7." in errors


def test_swapped_business_numbers_are_refused(finance, sent):
    batch, lines = sent
    errors = refused(finance, batch, [[1, "T000002", "1000.00", "成功", "", ""]])

    assert errors == ["Row 2, column “业务编号” (B): Line 1 is business number T000001, not T000002."]


def test_malformed_rows_are_refused_each_by_column(finance, sent):
    batch, lines = sent
    errors = refused(
        finance,
        batch,
        [["一", "T000001", "abc", "也许", "", ""], [2, "T000002", "1000.00", "失败", "", ""]],
    )

    assert len(errors) == 4
    assert any("“序号” (A)" in error for error in errors)
    assert any("“金额” (C)" in error for error in errors)
    assert any("“结果” (D)" in error for error in errors)
    assert "Row 3, column “失败原因” (E): A failed payment needs its reason." in errors


def test_contradicting_a_recorded_result_is_refused(finance, sent):
    batch, lines = sent
    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines[0])]))

    errors = refused(finance, batch, [failed_row(lines[0])])

    assert errors == ["Row 2, column “结果” (D): Line 1 was already recorded as Paid out."]


def test_not_a_workbook_or_missing_columns_is_refused_as_a_whole(finance, sent):
    batch, _lines = sent
    with pytest.raises(ValidationError):
        services.batch_import_result(actor=finance, batch=batch, file=io.BytesIO(b"not a workbook"))
    with pytest.raises(ValidationError, match="缺少"):
        services.batch_import_result(actor=finance, batch=batch, file=result_file([[1]], headers=["序号"]))


def test_result_for_a_batch_not_sent_is_refused(tree, thing, finance):
    batch = services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], 1)])
    with pytest.raises(ValidationError):
        services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines_of(batch)[0])]))


def test_callback_failure_rolls_the_whole_import_back(tree, finance):
    def broken(reference, paid_on, line, *, actor=None):
        raise RuntimeError("owning app refused")

    from unionportal.payments import sources

    sources.register_source(SOURCE, on_paid=broken, on_failed=broken, label="测试事项")
    try:
        batch = sent_batch(finance, [make_request(tree["union_sz"], 1)])
        before = snapshot()
        with pytest.raises(RuntimeError):
            services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines_of(batch)[0])]))
        assert snapshot() == before
    finally:
        sources.unregister_source(SOURCE)


def test_errors_are_told_in_chinese(finance, sent):
    batch, lines = sent
    errors = refused(
        finance, batch, [[1, "LP9999", "1000.00", "成功", "", ""], [2, "T000002", "999.00", "成功", "", ""]], "zh-hans"
    )

    assert errors == [
        "第 2 行「业务编号」列(B 列):业务编号“LP9999”不在本批次中。",
        "第 3 行「金额」列(C 列):金额被改动:本批次发出 1000.00 元,文件中为 999.00 元。",
    ]


def test_owning_app_finds_its_live_request(tree, thing):
    from unionportal.payments.selectors import request_for

    first = make_request(tree["union_sz"], 1)
    assert request_for(source=SOURCE, reference="T000001") == first
    services.request_cancel(request=first)
    assert request_for(source=SOURCE, reference="T000001") is None
