"""Mutual aid's items on the staff workbench: claims waiting for the user's step, overdue ones counted apart."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider
from unionportal.org.scope import scope_queryset

from .models import Claim


def _item(user, *, status, title, stage):
    counts = scope_queryset(Claim.objects.filter(status=status), user).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=timezone.localdate()))
    )
    return PendingItem(title=title, count=counts["n"], overdue=counts["late"],
                       url=reverse("mutualaid:queue") + f"?stage={stage}")  # fmt: skip


@provider
def claims_waiting(user):
    items = []
    if user.has_perm("mutualaid.assess_claim"):
        items.append(_item(user, status=Claim.Status.ACCEPTED, title=_("Claims to assess"), stage="assess"))
    if user.has_perm("mutualaid.approve_claim"):
        items.append(_item(user, status=Claim.Status.ASSESSED, title=_("Claims to approve"), stage="approve"))
    if user.has_perm("mutualaid.add_claim"):
        received = scope_queryset(Claim.objects.filter(status__in=[Claim.Status.RECEIVED, Claim.Status.RETURNED]), user)
        items.append(PendingItem(title=_("Claims waiting for materials"), count=received.count(),
                                 url=reverse("mutualaid:claim-list") + "?status=received"))  # fmt: skip
    return items
