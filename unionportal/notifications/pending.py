"""The outbox's item on the staff workbench: unread notices in the user's inbox."""

from django.urls import reverse
from django.utils.translation import gettext as _

from unionportal.core.pending import PendingItem, provider

from . import selectors


@provider
def unread_notices(user):
    count = selectors.unread_count(user)
    if not count:
        return []
    return [PendingItem(title=_("Unread notices"), count=count, url=reverse("notifications:inbox"))]
