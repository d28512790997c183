"""An enrolment batch's history: submitted, then paid (once), written as event rows and shown on its page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mutualaid import services
from mutualaid.models import EnrolmentBatch
from tests.factories import make_member


@pytest.mark.django_db
def test_a_batch_is_submitted_then_paid_once_and_its_page_shows_it(client, tree, clerk, inpatient_plan):
    result = services.enrolment_batch_create(
        actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[make_member(union=tree["union_sz"])],
        shares=1, payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
    )  # fmt: skip
    for _ in range(2):  # a double click pays once
        services.enrolment_batch_pay(actor=clerk, batch=result.batch, reference="R-1", paid_on=timezone.localdate())
    events = list(result.batch.events.values_list("from_status", "to_status", "actor"))
    assert events == [("", "submitted", clerk.pk), ("submitted", "paid", clerk.pk)]
    client.force_login(clerk)
    text = client.get(reverse("mutualaid:enrolment-detail", args=[result.batch.pk])).content.decode()
    assert 'data-testid="state-events"' in text
