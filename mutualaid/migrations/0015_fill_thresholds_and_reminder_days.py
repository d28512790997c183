"""Copy the numbers that were settings into the rows that now hold them, and start the clocks' due columns.

- every plan version's city-approval threshold from ``CLAIM_CITY_APPROVAL_THRESHOLD`` (the setting as it was
  when this ran; 20,000 if unset), and each claim already assessed or approved from its plan version;
- open claims' next settlement step: the first of T−7, T−3 and the escalation the day after ``due_on`` that is
  today or later (a step already passed was sent by the old clock; an overdue claim's escalation is re-queued
  under the old dedupe key, so the outbox sends nothing twice);
- active covers' renewal reminder day, ``RENEWAL_REMINDER_DAYS`` before they end, for covers not yet past it.
"""

import os
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import migrations
from django.db.models import Case, DateField, ExpressionWrapper, F, Value, When
from django.utils import timezone

OPEN = ("accepted", "assessed", "approved")


def threshold_setting() -> Decimal:
    value = getattr(settings, "CLAIM_CITY_APPROVAL_THRESHOLD", None) or os.environ.get("CLAIM_CITY_APPROVAL_THRESHOLD")
    return Decimal(str(value)) if value else Decimal("20000")


def forwards(apps, schema_editor):
    PlanVersion = apps.get_model("mutualaid", "PlanVersion")
    Claim = apps.get_model("mutualaid", "Claim")
    Policy = apps.get_model("mutualaid", "Policy")
    PlanVersion.objects.update(city_approval_threshold=threshold_setting())
    today = timezone.localdate()
    for version in PlanVersion.objects.all():
        claims = Claim.objects.filter(policy__plan_version=version)
        claims.filter(status__in=("assessed", "approved", "paid")).update(
            city_approval_threshold=version.city_approval_threshold
        )
        first = _days_before("due_on", version.first_reminder_days)
        second = _days_before("due_on", version.second_reminder_days)
        escalation = _days_before("due_on", -1)
        claims.filter(status__in=OPEN, due_on__isnull=False).update(
            next_reminder_on=Case(
                When(due_on__gte=today + timedelta(days=version.first_reminder_days), then=first),
                When(due_on__gte=today + timedelta(days=version.second_reminder_days), then=second),
                default=escalation,
            )
        )
    # The setting is gone (the number is now on the plan version, 0017); its environment variable still counts here.
    days = int(getattr(settings, "RENEWAL_REMINDER_DAYS", None) or os.environ.get("RENEWAL_REMINDER_DAYS") or 30)
    Policy.objects.filter(status="active", ends_on__gte=today + timedelta(days=days)).update(
        renewal_remind_on=_days_before("ends_on", days)
    )


def _days_before(field: str, days: int):
    return ExpressionWrapper(F(field) - Value(timedelta(days=days)), output_field=DateField())


def backwards(apps, schema_editor):
    apps.get_model("mutualaid", "Claim").objects.update(next_reminder_on=None, city_approval_threshold=None)
    apps.get_model("mutualaid", "Policy").objects.update(renewal_remind_on=None)


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0014_claim_flow_due_columns_threshold_and_batch_events")]

    operations = [migrations.RunPython(forwards, backwards)]
