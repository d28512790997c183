"""The payments floor's own nightly checks: batch totals, and paid lines against their sources."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core.display import format_yuan
from unionportal.payments.models import PaymentBatch, PaymentLine
from unionportal.payments.sources import registered_sources

from .checks import Finding, register_check

ZERO = Decimal("0.00")
CHUNK = 1000  # references asked of a source at once


def _sum(result: str):
    return Sum("lines__amount", filter=Q(lines__result=result), default=ZERO)


@register_check("payments.batch_totals", label=gettext_lazy("Payment batches whose lines do not add up"))
def batch_totals(today):
    """Every batch: paid + failed + pending lines equal its total, and the stored sums match the lines."""
    Result = PaymentLine.Result
    batches = (
        PaymentBatch.objects.exclude(status=PaymentBatch.Status.CANCELLED)
        .annotate(
            lines_counted=Count("lines", filter=~Q(lines__result=Result.CANCELLED)),
            lines_paid=_sum(Result.PAID),
            lines_failed=_sum(Result.FAILED),
            lines_pending=_sum(Result.PENDING),
        )
        .order_by("pk")
    )
    for batch in batches.iterator(chunk_size=500):
        paid, failed, pending = batch.lines_paid, batch.lines_failed, batch.lines_pending
        problems = []
        if paid + failed + pending != batch.total_amount or batch.lines_counted != batch.line_count:
            problems.append(
                _("paid %(paid)s + failed %(failed)s + pending %(pending)s ≠ total %(total)s")
                % {
                    "paid": format_yuan(paid),
                    "failed": format_yuan(failed),
                    "pending": format_yuan(pending),
                    "total": format_yuan(batch.total_amount),
                }  # fmt: skip
            )
        if paid != batch.paid_amount or failed != batch.failed_amount:
            problems.append(
                _("the batch records paid %(paid)s and failed %(failed)s")
                % {"paid": format_yuan(batch.paid_amount), "failed": format_yuan(batch.failed_amount)}
            )
        if batch.status == PaymentBatch.Status.RECONCILED and pending:
            problems.append(_("reconciled with %(pending)s still pending") % {"pending": format_yuan(pending)})
        if problems:
            yield Finding(
                subject=_("batch %(number)s") % {"number": batch.number}, detail="; ".join(problems)[:500],
                org_path=batch.org_path,
            )  # fmt: skip


@register_check("payments.source_marked_paid", label=gettext_lazy("Paid lines whose business is not marked paid"))
def source_marked_paid(today):
    """Every line the bank paid: the owning app holds its reference as paid (asked through the source registry)."""
    sources = {source.code: source for source in registered_sources()}
    paid = PaymentLine.objects.filter(result=PaymentLine.Result.PAID).order_by("pk")
    codes = paid.values_list("request__source", flat=True).distinct().order_by()
    for code in codes:
        source = sources.get(code)
        if source is None or source.paid_among is None:
            yield Finding(
                subject=_("source %(code)s") % {"code": code},
                detail=_("Paid lines of a source that cannot be asked whether they are paid."),
            )
            continue
        lines = paid.filter(request__source=code).values_list(
            "request__reference", "batch__number", "amount", "request__org_path"
        )
        chunk = []
        for row in lines.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield from _unmarked(source, chunk)
                chunk = []
        if chunk:
            yield from _unmarked(source, chunk)


def _unmarked(source, rows):
    marked = source.paid_among([reference for reference, *_rest in rows])
    for reference, batch_number, amount, org_path in rows:
        if reference not in marked:
            yield Finding(
                subject=f"{source.label} {reference}",
                detail=_("Paid %(amount)s in batch %(batch)s, but not marked paid.")
                % {"amount": format_yuan(amount), "batch": batch_number},
                org_path=org_path,
            )
