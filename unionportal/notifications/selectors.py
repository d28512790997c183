"""Reads of the outbox, each already narrowed to what the user may see."""

from django.db.models import Q, QuerySet

from unionportal.org.scope import scope_q

from .models import Notice

VIEW_PERMISSION = "notifications.view_notice"


def inbox_for(user) -> QuerySet[Notice]:
    """The user's own inbox notices, newest first (withdrawn ones are not shown)."""
    return Notice.objects.filter(channel=Notice.Channel.INBOX, recipient_user=user).exclude(
        status=Notice.Status.CANCELLED
    )


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def outbox_for(user) -> QuerySet[Notice]:
    """Notices the user may list: their own inbox notices, and with ``view_notice`` the SMS in their subtree."""
    visible = Q(channel=Notice.Channel.INBOX, recipient_user=user)
    if user.has_perm(VIEW_PERMISSION):
        visible |= Q(channel=Notice.Channel.SMS) & scope_q(user, Notice.scope_path)
    return Notice.objects.filter(visible).select_related("recipient_user")


def notices_about(source: str, reference) -> QuerySet[Notice]:
    """Every notice about one person (``("members.member", 42)``), for a member's "my notices" page."""
    return Notice.objects.filter(member_source=source, member_reference=str(reference))
