"""Payment requests, the batches that carry them to the bank, and one line per request in a batch.

The never-pay-twice guarantee lives in the database, not only in the services' row locks:

* ``payments_one_live_request``: one request per ``(source, reference)`` that is not cancelled;
* ``payments_paid_once``: at most one *paid* request per ``(source, reference)``, whatever else changes;
* ``payments_one_live_line``: a request is on at most one line that is not failed or cancelled, so it
  cannot travel in two batches at once, nor be paid by two lines.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionportal.core.transitions import Flow, StateEvent

from .sources import source_label


class PaymentRequest(models.Model):
    """One thing to pay to one payee: a claim's benefit, a hardship grant, an allowance."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a batch")  # new, or failed and its account corrected
        IN_BATCH = "in_batch", _("In a batch")  # on a live line of a batch not yet reconciled
        PAID = "paid", _("Paid out")  # the bank reported it paid; final
        FAILED = "failed", _("Payment failed")  # the bank returned it; correct the account to pay it again
        CANCELLED = "cancelled", _("Withdrawn")  # the owning app withdrew it; final

    source = models.CharField(_("source"), max_length=50)
    reference = models.CharField(_("business number"), max_length=50)
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("payee's ID number"), max_length=30)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=32)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    org_path = models.CharField(_("organisation path"), max_length=255, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    # A failed payment's new account, proposed by one person and applied only when another confirms it
    # (maker–checker): one person alone must never be able to send a payee's money to an account of their choice.
    proposed_bank_name = models.CharField(_("proposed bank"), max_length=100, blank=True)
    proposed_account_number = models.CharField(_("proposed account number"), max_length=32, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("account change proposed by"),
    )  # fmt: skip
    proposed_at = models.DateTimeField(_("account change proposed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "source"], name="payments_request_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_request_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="payments_request_paid_has_date"
            ),
            models.UniqueConstraint(
                fields=["source", "reference"], condition=~Q(status="cancelled"), name="payments_one_live_request"
            ),
            # Implied by the one above today; kept on its own so that no later relaxation of "live" can
            # ever let a second payment of the same thing through.
            models.UniqueConstraint(
                fields=["source", "reference"], condition=Q(status="paid"), name="payments_paid_once"
            ),
        ]

    def __str__(self):
        return f"{self.source_label} {self.reference}"

    @property
    def source_label(self) -> str:
        return source_label(self.source)


class PaymentBatch(models.Model):
    """A batch of payments sent to the bank as one file (代发批次)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # built; the bank file not yet downloaded
        EXPORTED = "exported", _("Exported")  # the bank file was downloaded (each download is logged)
        SENT = "sent", _("Sent to the bank")  # handed to the bank; waiting for its result file
        RECONCILED = "reconciled", _("Reconciled")  # every line has the bank's result
        CANCELLED = "cancelled", _("Withdrawn")  # withdrawn before it reached the bank

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    org_path = models.CharField(_("organisation path"), max_length=255, db_index=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    paid_count = models.PositiveIntegerField(_("paid lines"), default=0)
    paid_amount = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=0)
    failed_count = models.PositiveIntegerField(_("failed lines"), default=0)
    failed_amount = models.DecimalField(_("failed"), max_digits=14, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent to the bank at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.number

    @property
    def pending_count(self) -> int:
        return self.line_count - self.paid_count - self.failed_count


_R, _B = PaymentRequest.Status, PaymentBatch.Status
REQUEST_FLOW = Flow(
    status=PaymentRequest.Status,
    initial=_R.PENDING,
    moves={
        _R.PENDING: {_R.IN_BATCH, _R.CANCELLED},
        _R.IN_BATCH: {_R.PAID, _R.FAILED, _R.PENDING},  # back to pending when its batch is withdrawn
        _R.FAILED: {_R.PENDING, _R.CANCELLED},  # pending again once the account is corrected
    },
)
BATCH_FLOW = Flow(
    status=PaymentBatch.Status,
    initial=_B.DRAFT,
    moves={
        _B.DRAFT: {_B.EXPORTED, _B.CANCELLED},
        _B.EXPORTED: {_B.SENT, _B.CANCELLED},
        _B.SENT: {_B.RECONCILED},
    },
)


class PaymentRequestEvent(StateEvent):
    """One transition of a payment request (written only by ``payments.events``)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("payment request event")
        verbose_name_plural = _("payment request events")

    def get_to_status_display(self):
        return REQUEST_FLOW.label(self.to_status)


class PaymentBatchEvent(StateEvent):
    """One transition of a payment batch (written only by ``payments.events``)."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("payment batch event")
        verbose_name_plural = _("payment batch events")

    def get_to_status_display(self):
        return BATCH_FLOW.label(self.to_status)


class PaymentLine(models.Model):
    """One request in one batch, with the payee and account as they went to the bank."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Waiting for the bank")
        PAID = "paid", _("Paid out")
        FAILED = "failed", _("Payment failed")
        CANCELLED = "cancelled", _("Withdrawn")  # the batch was cancelled before it was sent

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("batch"))
    request = models.ForeignKey(
        PaymentRequest, on_delete=models.PROTECT, related_name="lines", verbose_name=_("payment request")
    )
    number = models.PositiveIntegerField(_("line number"))
    # Copied when the batch is built: the bank file and its result are checked against these, and a
    # later account correction does not rewrite what was sent.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("payee's ID number"), max_length=30)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=32)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    reason = models.CharField(_("failure reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="payments_line_number_unique"),
            models.UniqueConstraint(fields=["batch", "request"], name="payments_line_request_once_per_batch"),
            models.UniqueConstraint(
                fields=["request"], condition=~Q(result__in=["failed", "cancelled"]), name="payments_one_live_line"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.batch.number}/{self.number}"
