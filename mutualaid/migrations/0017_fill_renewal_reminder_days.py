"""Copy the former ``RENEWAL_REMINDER_DAYS`` setting (30 if unset) into every plan version's renewal reminder days.

Covers already paid keep the reminder day they were given (``renewal_remind_on``), which the setting's value set,
so nothing else changes. Reversing leaves the field to be dropped by the schema migration before it.
"""

import os

from django.conf import settings
from django.db import migrations


def former_setting() -> int:
    value = getattr(settings, "RENEWAL_REMINDER_DAYS", None) or os.environ.get("RENEWAL_REMINDER_DAYS")
    return int(value) if value else 30


def forwards(apps, schema_editor):
    # ``update`` skips ``PlanVersion.save``, which refuses to rewrite a version in force: this carries the number the
    # version was already used with, it changes no terms.
    apps.get_model("mutualaid", "PlanVersion").objects.update(renewal_reminder_days=former_setting())


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0016_planversion_renewal_reminder_days")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
