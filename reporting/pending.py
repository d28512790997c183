"""The monthly report on the staff workbench: reports to file (county staff), reports to approve (city staff)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider
from unionportal.org.scope import scope_queryset

from .models import MonthlyReport, ReportRevision

Status = ReportRevision.Status


@provider
def reports_waiting(user):
    items = []
    url = reverse("reporting:report-list")
    if user.has_perm("reporting.file_monthlyreport"):
        counts = scope_queryset(
            MonthlyReport.objects.filter(current_revision__status__in=[Status.DRAFT, Status.RETURNED]), user
        ).aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
        items.append(
            PendingItem(title=_("Monthly reports to file"), count=counts["n"], overdue=counts["late"], url=url)
        )
    if user.has_perm("reporting.approve_monthlyreport"):
        waiting = scope_queryset(MonthlyReport.objects.filter(current_revision__status=Status.SUBMITTED), user)
        items.append(PendingItem(title=_("Monthly reports to approve"), count=waiting.count(), url=url))
    return items


@provider
def bulletin_to_publish(user):
    """City staff: last month's bulletin, once it may be published and nobody has (overdue from the bulletin day)."""
    if not user.has_perm("reporting.publish_bulletin"):
        return []
    from unionportal.core.months import previous_month

    from .models import Bulletin
    from .ranking.services import bulletin_due_on, can_publish

    today = timezone.localdate()
    month = previous_month(today)
    if Bulletin.objects.filter(month=month).exists() or not MonthlyReport.objects.filter(month=month).exists():
        return []
    if not can_publish(month, today=today)[0]:
        return []
    url = reverse("reporting:bulletin-detail", args=[f"{month:%Y-%m}"])
    return [PendingItem(title=_("Bulletin to publish"), count=1, overdue=int(today > bulletin_due_on(month)), url=url)]
