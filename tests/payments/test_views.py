"""The payment pages as finance (allowed), as finance of another county (404), and anonymous (login)."""

import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.factories import UserFactory
from unionportal.payments import services
from unionportal.payments.models import PaymentBatch, PaymentRequest

from .conftest import failed_row, make_request, paid_row, result_file, sent_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(tree, thing, county_finance):
    """A batch of Shangzhou, built by Shangzhou's finance."""
    return services.batch_create(actor=county_finance, requests=[make_request(tree["union_sz"], 1)])


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_finance_builds_exports_sends_and_reconciles_through_the_pages(client, tree, thing, finance):
    a = make_request(tree["union_sz"], 1, amount="1234.50")
    make_request(tree["union_sy"], 2)
    client.force_login(finance)

    listing = page(client.get(reverse("payments:batch-create"), {"source": "tests.thing"}))
    assert "T000001" in listing and "T000002" in listing
    assert a.account_number not in listing  # masked
    response = client.post(reverse("payments:batch-create"), {"requests": [str(a.pk)]})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("payments:batch-detail", args=[batch.pk])
    assert "1,234.50" in page(client.get(response.url))

    download = client.post(reverse("payments:batch-export", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].endswith(f'{batch.number}.xlsx"')
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[1][5] == "1234.50"
    assert LogEntry.objects.filter(actor=finance, additional_data__kind="export").count() == 1

    client.post(reverse("payments:batch-sent", args=[batch.pk]))
    line = batch.lines.select_related("request").get()
    response = client.post(reverse("payments:batch-result", args=[batch.pk]), {"file": result_file([paid_row(line)])})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.RECONCILED
    assert PaymentRequest.objects.get(pk=a.pk).status == PaymentRequest.Status.PAID
    assert "ZF" in page(client.get(reverse("payments:batch-list")))


def test_bad_result_file_shows_errors_and_saves_nothing(client, tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1)])
    client.force_login(finance)

    response = client.post(
        reverse("payments:batch-result", args=[batch.pk]),
        {"file": result_file([[1, "LP404", "5.00", "成功", "", ""]])},
    )

    text = page(response)
    assert 'data-testid="result-errors"' in text and "LP404" in text
    assert PaymentRequest.objects.get().status == PaymentRequest.Status.IN_BATCH


def test_failed_payment_is_corrected_from_the_failed_list(client, tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1)])
    line = batch.lines.select_related("request").get()
    services.batch_import_result(actor=finance, batch=batch, file=result_file([failed_row(line)]))
    client.force_login(finance)

    assert "账户已销户" in page(client.get(reverse("payments:request-failed-list")))
    client.post(
        reverse("payments:request-correct", args=[line.request_id]),
        {"bank_name": "中国银行商洛分行", "account_number": "6216610000000000001", "holder_name": "收款人1"},
    )
    confirm = reverse("payments:request-confirm", args=[line.request_id])
    assert confirm not in page(client.get(reverse("payments:request-failed-list")))  # not to the proposer
    client.post(confirm, {"account_number": "6216610000000000001"})
    assert PaymentRequest.objects.get().status == PaymentRequest.Status.FAILED  # one person alone changes nothing

    client.force_login(UserFactory(username="finance2", organisation=tree["city"], roles=["finance"]))
    listing = page(client.get(reverse("payments:request-failed-list")))
    assert confirm in listing and "6216610000000000001" not in listing  # masked
    client.post(confirm, {"account_number": "6216610000000000001"})

    request = PaymentRequest.objects.get()
    assert request.status == PaymentRequest.Status.PENDING and request.account_number == "6216610000000000001"


def test_a_new_account_in_another_name_is_refused(client, tree, thing, finance):
    batch = sent_batch(finance, [make_request(tree["union_sz"], 1)])
    line = batch.lines.select_related("request").get()
    services.batch_import_result(actor=finance, batch=batch, file=result_file([failed_row(line)]))
    client.force_login(finance)

    response = client.post(
        reverse("payments:request-correct", args=[line.request_id]),
        {"bank_name": "中国银行商洛分行", "account_number": "6216610000000000001", "holder_name": "李四"},
        follow=True,
    )

    assert any("户名" in str(m) for m in response.context["messages"])
    assert PaymentRequest.objects.get().proposed_account_number == ""


def test_list_query_count_does_not_grow_with_batches(client, tree, thing, finance, django_assert_max_num_queries):
    for n in range(5):
        services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], n + 1)])
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        page(client.get(reverse("payments:batch-list")))


def test_finance_of_another_county_gets_404_on_the_batch_and_its_actions(client, batch, other_county_finance):
    client.force_login(other_county_finance)

    assert client.get(reverse("payments:batch-detail", args=[batch.pk])).status_code == 404
    for name in ("batch-export", "batch-sent", "batch-cancel", "batch-result"):
        assert client.post(reverse(f"payments:{name}", args=[batch.pk])).status_code == 404
    request_pk = batch.lines.get().request_id
    response = client.post(
        reverse("payments:request-correct", args=[request_pk]),
        {"bank_name": "某行", "account_number": "123456789", "holder_name": "收款人1"},
    )
    assert response.status_code == 404
    confirm = client.post(reverse("payments:request-confirm", args=[request_pk]), {"account_number": "123456789"})
    assert confirm.status_code == 404
    assert batch.number not in page(client.get(reverse("payments:batch-list")))
    assert "T000001" not in page(client.get(reverse("payments:batch-create")))
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.DRAFT


def test_county_finance_sees_its_own_batch(client, batch, county_finance):
    client.force_login(county_finance)
    assert batch.number in page(client.get(reverse("payments:batch-detail", args=[batch.pk])))


def test_staff_without_the_finance_role_is_refused(client, batch, county_user):
    client.force_login(county_user)
    assert client.get(reverse("payments:batch-list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, batch):
    for url in (
        reverse("payments:batch-list"),
        reverse("payments:batch-create"),
        reverse("payments:batch-detail", args=[batch.pk]),
        reverse("payments:request-failed-list"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
    response = client.post(reverse("payments:batch-export", args=[batch.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_menu_shows_payments_to_finance(client, finance):
    client.force_login(finance)
    assert reverse("payments:batch-list") in page(client.get(reverse("core:workbench")))


def test_detail_query_count_does_not_grow_with_lines(client, tree, thing, finance, django_assert_max_num_queries):
    batch = services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], n) for n in range(1, 21)])
    client.force_login(finance)
    with django_assert_max_num_queries(12):
        text = page(client.get(reverse("payments:batch-detail", args=[batch.pk])))
    assert text.count("data-line=") == 20


def test_batch_page_filters_by_source(client, tree, thing, finance):
    from unionportal.payments import sources

    sources.register_source("tests.other", on_paid=thing.on_paid, on_failed=thing.on_failed, label="另一事项")
    try:
        make_request(tree["union_sz"], 1)
        make_request(tree["union_sz"], 2, source="tests.other", reference="OTHER2")
        client.force_login(finance)

        text = page(client.get(reverse("payments:batch-create"), {"source": "tests.other"}))

        assert "OTHER2" in text and "T000001" not in text
    finally:
        sources.unregister_source("tests.other")


def test_admin_shows_payments_read_only(client, tree, thing, finance, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    admin = UserFactory(username="root", organisation=tree["city"], is_superuser=True, is_staff=True)
    batch = services.batch_create(actor=finance, requests=[make_request(tree["union_sz"], 1)])
    client.force_login(admin)

    text = page(client.get(reverse("admin:payments_paymentbatch_change", args=[batch.pk])))

    assert batch.number in text and 'name="_save"' not in text
    assert page(client.get(reverse("admin:payments_paymentrequest_changelist")))
