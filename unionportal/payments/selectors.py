"""Scoped reads of the payments pages: every queryset here is narrowed to the user's subtree."""

from django.db.models import QuerySet

from unionportal.org.scope import access, scope_queryset

from .models import PaymentBatch, PaymentLine, PaymentRequest


def batch_list(*, user, status: str = "") -> QuerySet:
    batches = scope_queryset(PaymentBatch.objects.select_related("created_by"), user)
    return batches.filter(status=status) if status else batches


def access_payment_batch(*, user, pk: int) -> PaymentBatch:
    return access(PaymentBatch.objects.select_related("created_by", "sent_by"), user, pk=pk)


def batch_lines(*, batch: PaymentBatch) -> QuerySet:
    return PaymentLine.objects.filter(batch=batch).select_related("request").order_by("number")


def pending_requests(*, user, source: str = "") -> QuerySet:
    requests = scope_queryset(PaymentRequest.objects.filter(status=PaymentRequest.Status.PENDING), user)
    if source:
        requests = requests.filter(source=source)
    return requests.order_by("source", "created_at", "pk")


def failed_requests(*, user) -> QuerySet:
    failed = PaymentRequest.objects.filter(status=PaymentRequest.Status.FAILED).select_related("proposed_by")
    return scope_queryset(failed, user).order_by("-updated_at", "-pk")


def access_payment_request(*, user, pk: int) -> PaymentRequest:
    return access(PaymentRequest, user, pk=pk)


def request_lines(*, request: PaymentRequest) -> QuerySet:
    return request.lines.select_related("batch").order_by("-batch__created_at")


def request_for(*, source: str, reference: str) -> PaymentRequest | None:
    """The live (not cancelled) payment request of ``(source, reference)``, for the owning app's pages."""
    return (
        PaymentRequest.objects.exclude(status=PaymentRequest.Status.CANCELLED)
        .filter(source=source, reference=reference)
        .first()
    )
