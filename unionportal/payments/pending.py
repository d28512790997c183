"""Payments' item on finance's workbench: payments the bank returned, waiting for a corrected account (in red)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider

from . import selectors


@provider
def failed_payments(user):
    if not user.has_perm("payments.change_paymentrequest"):
        return []
    count = selectors.failed_requests(user=user).count()
    return [
        PendingItem(
            title=_("Failed payments to correct"), count=count, url=reverse("payments:request-failed-list"), alert=True
        )
    ]
