"""The bank files: the batch file we send (代发文件) and the result file the bank returns (回盘文件).

Both are xlsx workbooks whose first sheet has one header row and one row per payment. The headers are
the file format itself, the same whatever language the portal is shown in, so they are data here.
The layout is documented for the bank in ``docs/bank-file.md``; keep the two in step.

Batch file (one row per line of the batch, in line order)::

    序号 | 收款人姓名 | 证件号码 | 开户行 | 账号 | 金额(元) | 业务类型 | 业务编号 | 批次号

Every cell is text (number format ``@``): account and ID numbers keep their leading zeros and all their
digits, and amounts are written with exactly two decimals (``1234.50``), no grouping, so that nothing is
rounded or reformatted on the way. Text that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
is written with a leading ``'`` by the shared writer (``unionportal.core.sheets.safe``).

Result file (the bank's answer; columns in any order, extra columns ignored)::

    序号 | 业务编号 | 金额 | 结果 | 失败原因 | 银行流水号 | 交易日期 (optional)

``结果`` is ``成功`` or ``失败``; ``失败原因`` is required for 失败; ``交易日期`` (a date) defaults to the day the
file is imported. ``序号`` names the line; ``业务编号`` and ``金额`` must be that line's, or the row is refused.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from unionportal.core.sheets import UNREADABLE, Limits, SheetRefused, map_headings, read_xlsx, safe_row

from .sources import source_label

# Batch file columns.
NUMBER, PAYEE, ID_NUMBER, BANK, ACCOUNT, AMOUNT_YUAN, KIND, REFERENCE, BATCH = (
    "序号",
    "收款人姓名",
    "证件号码",
    "开户行",
    "账号",
    "金额(元)",
    "业务类型",
    "业务编号",
    "批次号",
)
EXPORT_HEADERS = (NUMBER, PAYEE, ID_NUMBER, BANK, ACCOUNT, AMOUNT_YUAN, KIND, REFERENCE, BATCH)

# Result file columns.
AMOUNT, RESULT, REASON, BANK_REFERENCE, VALUE_DATE = "金额", "结果", "失败原因", "银行流水号", "交易日期"
RESULT_HEADERS = (NUMBER, REFERENCE, AMOUNT, RESULT, REASON, BANK_REFERENCE, VALUE_DATE)
REQUIRED_RESULT_HEADERS = (NUMBER, REFERENCE, AMOUNT, RESULT)
HEADER_ALIASES = {AMOUNT_YUAN: AMOUNT, "金额（元）": AMOUNT}  # the bank may echo our own header back
PAID, FAILED = "成功", "失败"

CENT = Decimal("0.01")
MAX_RESULT_ROWS = 20_000
MAX_RESULT_BYTES = 20 * 1024 * 1024  # 20,000 rows of seven short columns are about 1 MB
MAX_RESULT_COLUMNS = 60  # the bank may add columns of its own; they are read past


def amount_text(amount: Decimal) -> str:
    """``Decimal('1234.5')`` → ``'1234.50'``: the form amounts take in the bank files."""
    return str(Decimal(amount).quantize(CENT))


def write_batch_file(batch, lines) -> bytes:
    """The batch file of ``batch`` as xlsx bytes (layout in the module docstring)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = batch.number
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    with translation.override(settings.LANGUAGE_CODE):  # the bank reads Chinese, whoever downloads
        for line in lines:
            # Text cells are neutralised: a bank name typed as "=HYPERLINK(…)" must not become a formula.
            sheet.append(
                safe_row(
                    [
                        str(line.number),
                        line.payee_name,
                        line.payee_id_number,
                        line.bank_name,
                        line.account_number,
                        amount_text(line.amount),
                        source_label(line.request.source),
                        line.request.reference,
                        batch.number,
                    ]
                )
            )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"
    for index, width in enumerate((6, 12, 22, 28, 26, 14, 16, 18, 16), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of the result file: the sheet's row number, the column's header and letter."""

    row: int
    column: str
    letter: str
    message: str

    def __str__(self):
        return _("Row %(row)d, column “%(column)s” (%(letter)s): %(message)s") % {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
        }


@dataclass
class ResultRow:
    """A result-file row read and checked for form; whether it fits the batch is checked by the service."""

    row: int
    number: int | None = None
    reference: str = ""
    amount: Decimal | None = None
    paid: bool | None = None
    reason: str = ""
    bank_reference: str = ""
    value_date: date | None = None
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ResultSheet:
    header: dict[str, int]
    rows: list[ResultRow]

    def error(self, row: int, column: str, message) -> RowError:
        letter = get_column_letter(self.header[column] + 1) if column in self.header else "?"
        return RowError(row=row, column=column, letter=letter, message=str(message))


def read_result_file(file) -> ResultSheet:
    """Read the bank's result file; every row comes back with the errors of its own cells.

    Raises ``ValidationError`` when the file as a whole cannot be used (not xlsx, headers missing, too long).
    """
    limits = Limits(max_bytes=MAX_RESULT_BYTES, max_rows=MAX_RESULT_ROWS, max_columns=MAX_RESULT_COLUMNS)
    try:
        values = read_xlsx(file, limits).rows()
        header = map_headings(
            next(values, (1, ()))[1],
            {name: name for name in RESULT_HEADERS} | HEADER_ALIASES,
            required=REQUIRED_RESULT_HEADERS,
            missing_message=_("The first row must name the columns; missing: %(columns)s."),
        )
        sheet = ResultSheet(header=header, rows=[])
        for number, cells in values:
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            if len(sheet.rows) >= MAX_RESULT_ROWS:
                raise ValidationError(_("The file has more than %(n)d rows.") % {"n": MAX_RESULT_ROWS})
            sheet.rows.append(_parse_row(sheet, number, cells))
    except SheetRefused as refused:
        if refused.code == UNREADABLE:
            raise ValidationError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
        raise ValidationError(refused.message) from None
    return sheet


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_row(sheet: ResultSheet, number: int, cells) -> ResultRow:
    def cell(column):
        index = sheet.header.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    row = ResultRow(row=number)

    def fail(column, message):
        row.errors.append(sheet.error(number, column, message))

    text = _text(cell(NUMBER))
    if not text:
        fail(NUMBER, _("The line number is empty."))
    elif not text.isdigit() or isinstance(cell(NUMBER), float) and not cell(NUMBER).is_integer():
        fail(NUMBER, _("“%(value)s” is not a line number.") % {"value": text})
    else:
        row.number = int(text)

    row.reference = _text(cell(REFERENCE))
    if not row.reference:
        fail(REFERENCE, _("The business number is empty."))

    raw = cell(AMOUNT)
    text = _text(raw).replace(",", "")
    try:
        amount = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(text)
        if not amount.is_finite() or amount != amount.quantize(CENT):
            raise InvalidOperation
        row.amount = amount.quantize(CENT)
    except InvalidOperation:
        fail(AMOUNT, _("“%(value)s” is not an amount in yuan with at most two decimals.") % {"value": _text(raw)})

    result = _text(cell(RESULT))
    if result == PAID:
        row.paid = True
    elif result == FAILED:
        row.paid = False
    else:
        fail(RESULT, _("The result must be “%(paid)s” or “%(failed)s”.") % {"paid": PAID, "failed": FAILED})

    row.reason = _text(cell(REASON))[:200]
    if row.paid is False and not row.reason:
        fail(REASON, _("A failed payment needs its reason."))
    row.bank_reference = _text(cell(BANK_REFERENCE))[:64]

    raw = cell(VALUE_DATE)
    if isinstance(raw, datetime):
        row.value_date = raw.date()
    elif isinstance(raw, date):
        row.value_date = raw
    elif _text(raw):
        try:
            row.value_date = date.fromisoformat(_text(raw).replace("/", "-")[:10])
        except ValueError:
            fail(VALUE_DATE, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": _text(raw)})
    return row
