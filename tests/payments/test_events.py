"""Every change of a payment request or batch is an event row, the set updates of a batch included."""

import pytest
from django.urls import reverse

from tests.payments.conftest import make_request, paid_row, result_file, sent_batch
from tests.payments.test_services import lines_of
from unionportal.payments import services
from unionportal.payments.models import PaymentRequestEvent


def trail(row):
    return list(row.events.values_list("from_status", "to_status"))


@pytest.mark.django_db
def test_a_paid_request_and_its_batch_keep_their_history(client, tree, thing, finance):
    request = make_request(tree["union_sz"], 1)
    batch = sent_batch(finance, [request])
    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(lines_of(batch)[0])]))
    assert trail(request) == [("", "pending"), ("pending", "in_batch"), ("in_batch", "paid")]
    assert trail(batch) == [("", "draft"), ("draft", "exported"), ("exported", "sent"), ("sent", "reconciled")]
    assert set(batch.events.values_list("actor", flat=True)) == {finance.pk}
    client.force_login(finance)
    text = client.get(reverse("payments:batch-detail", args=[batch.pk])).content.decode()
    assert 'data-testid="state-events"' in text


@pytest.mark.django_db
def test_a_withdrawn_batch_gives_its_requests_back_with_an_event_each(tree, thing, finance):
    requests = [make_request(tree["union_sz"], n) for n in (1, 2)]
    batch = services.batch_create(actor=finance, requests=requests)
    services.batch_cancel(actor=finance, batch=batch)
    back = PaymentRequestEvent.objects.filter(from_status="in_batch", to_status="pending")
    assert sorted(back.values_list("request", flat=True)) == sorted(r.pk for r in requests)
    assert trail(batch)[-1] == ("draft", "cancelled")
