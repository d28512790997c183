"""Copy the REPORTING_DUE_DAY, REPORTING_REMIND_DAY and REPORTING_BULLETIN_DAY settings (as they were when this
ran: the environment, else the old defaults 5, 3 and 10) into every year's catalogue and ranking rule."""

import os

from django.conf import settings
from django.db import migrations


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None) or os.environ.get(name)
    return int(value) if value else default


def forwards(apps, schema_editor):
    apps.get_model("reporting", "Catalogue").objects.update(
        due_day=_setting("REPORTING_DUE_DAY", 5), remind_day=_setting("REPORTING_REMIND_DAY", 3)
    )
    apps.get_model("reporting", "RankingRule").objects.update(bulletin_day=_setting("REPORTING_BULLETIN_DAY", 10))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_filing_and_bulletin_days_on_catalogue_and_rule")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
