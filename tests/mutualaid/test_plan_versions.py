"""A plan version in force is immutable: in the admin, in code, and through its rate bands (issue 11, item 10)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mutualaid.models import EnrolmentBatch, PlanSegment, PlanVersion
from tests.factories import UserFactory

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    client.force_login(UserFactory(organisation=tree["city"], roles=["city_admin"], is_staff=True))
    return client


def version_form(version, **changes) -> dict:
    data = {
        name: getattr(version, name)
        for name in (
            "valid_from", "premium_per_share", "max_shares", "term_months", "waiting_days", "renewal_grace_days",
            "min_age", "max_age", "deductible_per_stay", "filing_window_days", "settlement_days",
            "renewal_reminder_days", "first_reminder_days", "second_reminder_days", "city_approval_threshold",
        )
    }  # fmt: skip
    data.update(plan=version.plan_id, per_period_cap_per_share=version.per_period_cap_per_share or "")
    data.update(required_materials='["invoice"]', covered_diseases="")
    data.update({"segments-TOTAL_FORMS": "0", "segments-INITIAL_FORMS": "0"})
    data.update(changes)
    return {name: "" if value is None else str(value) for name, value in data.items()}


def test_the_admin_shows_the_version_in_force_read_only_and_keeps_it(admin_client, inpatient_plan):
    version = inpatient_plan.versions.get()
    url = reverse("admin:mutualaid_planversion_change", args=[version.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, version_form(version, deductible_per_stay="0", premium_per_share="1"))

    assert page.status_code == 200 and 'data-testid="new-version-from"' in page.content.decode()
    assert 'name="deductible_per_stay"' not in page.content.decode()  # read only
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.deductible_per_stay == D("500.00") and version.premium_per_share == D("120.00")


def test_its_rate_bands_cannot_be_changed_nor_the_version_deleted_in_the_admin(admin_client, inpatient_plan):
    version = inpatient_plan.versions.get()
    bands = list(version.segments.values_list("rate", flat=True))

    deleted = admin_client.post(reverse("admin:mutualaid_planversion_delete", args=[version.pk]), {"post": "yes"})

    assert deleted.status_code == 403
    assert list(PlanVersion.objects.get(pk=version.pk).segments.values_list("rate", flat=True)) == bands


def test_new_version_from_a_later_date_copies_the_terms_and_is_editable(admin_client, inpatient_plan):
    version = inpatient_plan.versions.get()
    start = timezone.localdate() + timedelta(days=30)

    response = admin_client.post(
        reverse("admin:mutualaid_planversion_new_from", args=[version.pk]), {"valid_from": start.isoformat()}
    )

    new = inpatient_plan.versions.get(valid_from=start)
    assert response.status_code == 302 and response.url == reverse("admin:mutualaid_planversion_change", args=[new.pk])
    assert new.deductible_per_stay == version.deductible_per_stay and new.segments.count() == 3
    edited = admin_client.post(response.url, version_form(new, deductible_per_stay="300", valid_from=start.isoformat()))
    assert edited.status_code == 302, edited.context["adminform"].form.errors if edited.context else edited
    new.refresh_from_db()
    assert new.deductible_per_stay == D("300.00")
    assert new.renewal_reminder_days == version.renewal_reminder_days  # copied; the admin edits it with the rest
    version.refresh_from_db()
    assert version.deductible_per_stay == D("500.00")


def test_a_new_version_cannot_start_today_or_before(admin_client, inpatient_plan):
    version = inpatient_plan.versions.get()
    response = admin_client.post(
        reverse("admin:mutualaid_planversion_new_from", args=[version.pk]),
        {"valid_from": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200 and inpatient_plan.versions.count() == 1


def test_code_cannot_rewrite_the_version_in_force_either(inpatient_plan):
    version = inpatient_plan.versions.get()
    version.deductible_per_stay = D("0")
    with pytest.raises(ValidationError):
        version.save()
    band = version.segments.first()
    band.rate = D("0.9")
    with pytest.raises(ValidationError):
        band.save()
    with pytest.raises(ValidationError):
        band.delete()


def test_a_version_not_yet_in_force_is_editable_until_an_enrolment_uses_it(tree, inpatient_plan):
    future = PlanVersion.objects.create(
        plan=inpatient_plan, valid_from=timezone.localdate() + timedelta(days=60), premium_per_share=D("130")
    )
    PlanSegment.objects.create(version=future, lower=D("0"), rate=D("0.5"))
    future.premium_per_share = D("140")
    future.save()  # still being prepared

    EnrolmentBatch.objects.create(
        number="CB-T1", organisation=tree["union_sz"], org_path=tree["union_sz"].path, plan_version=future,
        payer=EnrolmentBatch.Payer.UNIT, created_by=UserFactory(),
    )  # fmt: skip
    future.premium_per_share = D("150")

    assert future.is_locked()
    with pytest.raises(ValidationError):
        future.save()
