"""The members app's items on the staff workbench."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider
from unionportal.org.models import Organisation
from unionportal.org.scope import scope_queryset

from . import selectors


@provider
def transfers_to_decide(user):
    if not user.has_perm("members.change_transfer"):
        return []
    count = selectors.transfers_for(user, deciding=True).count()
    return [PendingItem(title=_("Member transfers waiting for your decision"), count=count,
                        url=reverse("members:transfer-list"))]  # fmt: skip


@provider
def certificate_alerts(user):
    if not user.has_perm("members.view_certificatecase"):
        return []
    alerts = scope_queryset(Organisation.objects.exclude(alert="").filter(is_active=True), user)
    counts = dict.fromkeys(Organisation.Alert.values, 0)
    counts.update(alerts.values_list("alert").annotate(n=Count("pk")).order_by())
    overdue = counts[Organisation.Alert.EXPIRED] + counts[Organisation.Alert.CHANGE_UNREPORTED]
    total = overdue + counts[Organisation.Alert.EXPIRING]
    return [PendingItem(title=_("Union legal-person certificates needing attention"), count=total,
                        url=reverse("members:certificate-attention"), overdue=overdue)]  # fmt: skip
