"""The reconciliation's item on the workbench of finance and the auditor: what the latest night found."""

from django.urls import reverse
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider

from . import selectors


@provider
def discrepancies(user):
    if not user.has_perm("reconciliation.view_discrepancy"):
        return []
    count = selectors.discrepancies_open(user).count()
    if not count:
        return []
    return [
        PendingItem(
            title=_("Money discrepancies found last night"),
            count=count,
            overdue=count,
            url=reverse("reconciliation:discrepancy-list"),
        )  # fmt: skip
    ]
