from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.core.display import mask_identifier


class Notice(models.Model):
    """One message to one recipient: an SMS to a phone or a note in a staff user's inbox.

    The row is the outbox entry and its delivery history at once. Its text is rendered when it is queued,
    so a later change of wording never rewrites what was sent. ``dedupe_key`` is the caller's name for the
    message (``claim:123:accepted``): queueing the same key again returns this row, which is how "never
    twice" survives a caller that retries.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        INBOX = "inbox", _("Inbox")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")  # waiting for next_attempt_at; the only state a sender may claim
        SENDING = "sending", _("Sending")  # claimed by one worker; put back by the sweep if it went quiet
        SENT = "sent", _("Sent")  # the gateway took it (SMS) or it was delivered to the inbox; final
        FAILED = "failed", _("Failed")  # refused by the gateway, or out of attempts; final
        CANCELLED = "cancelled", _("Withdrawn")  # withdrawn before sending; final

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=64)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient user"),
        on_delete=models.PROTECT,  # accounts are disabled, never deleted
        null=True,
        blank=True,
        related_name="notices",
    )
    # The member (or other person) the notice is about, as a plain pair, so that this app imports no
    # business app: ("members.member", "42"). Member pages list "my notices" with it.
    member_source = models.CharField(_("about (source)"), max_length=50, blank=True)
    member_reference = models.CharField(_("about (reference)"), max_length=50, blank=True)
    # The tree path of the organisation the notice concerns, copied when queued: the outbox page is scoped
    # by it like every other list (an empty path is seen only by whole-tree accounts).
    organisation_path = models.CharField(_("organisation path"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("time sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "organisation_path"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep reads only what is due; the queue is small next to the history.
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="notice_due_idx"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="notice_sending_idx"),
            models.Index(fields=["member_source", "member_reference"], name="notice_member_idx"),
            models.Index(
                fields=["recipient_user"], condition=Q(channel="inbox", read_at__isnull=True), name="notice_unread_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel="sms") & ~Q(recipient_phone=""))
                | Q(channel="inbox", recipient_user__isnull=False),
                name="notice_has_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_display}"

    @property
    def recipient_display(self) -> str:
        if self.channel == self.Channel.SMS:
            return mask_identifier(self.recipient_phone)
        return str(self.recipient_user) if self.recipient_user_id else ""

    @property
    def is_secret(self) -> bool:
        """A one-time code and the like: the outbox and the member's notices show the subject only."""
        from .kinds import is_secret

        return is_secret(self.kind)

    @property
    def is_unread(self) -> bool:
        return self.channel == self.Channel.INBOX and self.read_at is None
