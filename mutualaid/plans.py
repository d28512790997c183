"""Plan terms change by new versions from a date, never by editing the version in force (issue 11, item 10)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PlanSegment, PlanVersion


@transaction.atomic
def plan_version_new_from(*, source: PlanVersion, valid_from: date) -> PlanVersion:
    """A copy of ``source``'s terms and rate bands, in force from ``valid_from`` (after today), to be edited.

    Covers and claims keep the version in force on their dates; members' estimates change on ``valid_from``.
    """
    if valid_from <= timezone.localdate():
        raise ValidationError(_("A new version comes into force after today."))
    if PlanVersion.objects.filter(plan_id=source.plan_id, valid_from=valid_from).exists():
        raise ValidationError(_("This plan already has a version from %(date)s.") % {"date": valid_from})
    segments = list(source.segments.all())
    version = PlanVersion.objects.get(pk=source.pk)
    version.pk = version.id = None
    version._state.adding = True
    version.valid_from = valid_from
    version.save()
    PlanSegment.objects.bulk_create(
        PlanSegment(version=version, lower=band.lower, upper=band.upper, rate=band.rate) for band in segments
    )
    return version
