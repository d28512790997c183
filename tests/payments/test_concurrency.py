"""Never pay twice: 50 concurrent attempts on PostgreSQL, and the database refusing a second payment itself."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from unionportal.payments import services
from unionportal.payments.models import PaymentBatch, PaymentLine, PaymentRequest

from .conftest import make_request, paid_row, result_file, sent_batch

THREADS = 50


def race(work, n=THREADS) -> list:
    """Run ``work(i)`` in ``n`` threads released at once, each on its own connection; their outcomes."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome of each attempt is what is asserted
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_batch_and_pay_attempts_pay_once(tree, thing, finance):
    """Half the threads import the bank's "paid" for the request, half try to put it in a new batch."""
    request = make_request(tree["union_sz"], 1)
    batch = sent_batch(finance, [request])
    line = PaymentLine.objects.select_related("request").get(batch=batch)
    content = result_file([paid_row(line)]).read()

    def attempt(i):
        if i % 2:
            return services.batch_create(actor=finance, requests=[request.pk])
        return services.batch_import_result(actor=finance, batch=batch, file=SimpleUploadedFile("r.xlsx", content))

    outcomes = race(attempt)

    imports = [o for o in outcomes if isinstance(o, services.ResultImport)]
    assert len(imports) == THREADS // 2, [o for o in outcomes if isinstance(o, Exception)][:3]
    assert sum(o.paid for o in imports) == 1  # exactly one import paid it
    assert sum(o.unchanged for o in imports) == THREADS // 2 - 1  # the rest found it already paid
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refusals) == THREADS // 2  # no new batch could take it
    assert PaymentBatch.objects.count() == 1
    assert PaymentRequest.objects.get(pk=request.pk).status == PaymentRequest.Status.PAID
    assert PaymentLine.objects.filter(request=request, result="paid").count() == 1
    assert len(thing.paid) == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_batch_creations_take_a_request_once(tree, thing, finance):
    request = make_request(tree["union_sz"], 1)

    outcomes = race(lambda i: services.batch_create(actor=finance, requests=[request.pk]))

    batches = [o for o in outcomes if isinstance(o, PaymentBatch)]
    assert len(batches) == 1
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, PaymentBatch))
    assert PaymentLine.objects.filter(request=request).count() == 1
    assert PaymentRequest.objects.get(pk=request.pk).status == PaymentRequest.Status.IN_BATCH


@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_second_payment_even_without_the_locks(tree, thing, finance):
    """Bypass the services: direct inserts and updates that would pay twice hit the constraints."""
    request = make_request(tree["union_sz"], 1)
    batch = sent_batch(finance, [request])
    line = PaymentLine.objects.select_related("request").get(batch=batch)
    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(line)]))
    other = PaymentBatch.objects.create(number="ZFTEST", org_path="", created_by=finance)

    # a second live line for the paid request
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=other, request=request, number=1, amount=request.amount, result="paid", paid_on=timezone.localdate()
        )
    # a second paid request for the same (source, reference)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRequest.objects.create(
            source=request.source,
            reference=request.reference,
            payee_name=request.payee_name,
            payee_id_number=request.payee_id_number,
            bank_name=request.bank_name,
            account_number=request.account_number,
            amount=request.amount,
            org_path=request.org_path,
            status="paid",
            paid_on=timezone.localdate(),
        )
    # a failed line of the request (allowed: failures may repeat) flipped to paid by a bare UPDATE
    failed = PaymentLine.objects.create(
        batch=other, request=request, number=2, amount=request.amount, result="failed", reason="账号错误"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.filter(pk=failed.pk).update(result="paid", paid_on=timezone.localdate())

    assert PaymentRequest.objects.filter(source=request.source, reference=request.reference).count() == 1
    assert PaymentLine.objects.filter(request=request, result="paid").count() == 1
