"""Numbers the federation decides are rows: printed notices show the plan version's value, not a constant."""

import pytest
from django.urls import reverse

from mutualaid import services
from tests.factories import claim_input


@pytest.mark.django_db
def test_the_receipt_prints_the_plan_versions_settlement_days(client, clerk, covered_member, inpatient_plan):
    inpatient_plan.versions.update(settlement_days=20)
    claim = services.claim_receive(
        actor=clerk, member=covered_member, data=claim_input(materials=["application", "id_card"])
    )  # incomplete: the receipt promises "N days after the file is complete"
    client.force_login(clerk)
    text = client.get(reverse("mutualaid:claim-receipt", args=[claim.pk])).content.decode()
    assert "材料齐全之日起 20 日内" in text and "30 日" not in text
