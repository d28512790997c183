from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory, id_number, xlsx_upload
from unionportal.payments import services, sources

SOURCE = "tests.thing"
RESULT_HEADERS = ["序号", "业务编号", "金额", "结果", "失败原因", "银行流水号"]


class Recorder:
    """A fake owning app: records the callbacks it receives."""

    def __init__(self):
        self.paid: list[tuple] = []
        self.failed: list[tuple] = []

    def on_paid(self, reference, paid_on, line, *, actor=None):
        self.paid.append((reference, paid_on, line.pk))

    def on_failed(self, reference, reason, line, *, actor=None):
        self.failed.append((reference, reason, line.pk))


@pytest.fixture
def thing():
    recorder = Recorder()
    sources.register_source(SOURCE, on_paid=recorder.on_paid, on_failed=recorder.on_failed, label="测试事项")
    yield recorder
    sources.unregister_source(SOURCE)


@pytest.fixture
def finance(tree):
    return UserFactory(username="finance1", organisation=tree["city"], roles=["finance"])


@pytest.fixture
def county_finance(tree):
    return UserFactory(username="finance_sz", organisation=tree["shangzhou"], roles=["finance"])


@pytest.fixture
def other_county_finance(tree):
    return UserFactory(username="finance_sy", organisation=tree["shanyang"], roles=["finance"])


def make_request(node, n: int, amount="1000.00", **fields):
    return services.payment_request_create(
        source=fields.pop("source", SOURCE),
        reference=fields.pop("reference", f"T{n:06d}"),
        payee_name=fields.pop("payee_name", f"收款人{n}"),
        payee_id_number=id_number(f"612501198801{n % 28 + 1:02d}{n % 1000:03d}"),
        bank_name=fields.pop("bank_name", "中国农业银行商洛分行"),
        account_number=fields.pop("account_number", f"6228480{n:012d}"),
        amount=Decimal(amount),
        org_path=node.path,
    )


def result_file(rows, headers=RESULT_HEADERS, name="回盘.xlsx") -> SimpleUploadedFile:
    return xlsx_upload(rows, headers, name=name)


def paid_row(line, bank_reference="B1"):
    return [line.number, line.request.reference, str(line.amount), "成功", "", bank_reference]


def failed_row(line, reason="账户已销户"):
    return [line.number, line.request.reference, str(line.amount), "失败", reason, ""]


def sent_batch(actor, requests):
    batch = services.batch_create(actor=actor, requests=requests)
    services.batch_export(actor=actor, batch=batch)
    return services.batch_mark_sent(actor=actor, batch=batch)
