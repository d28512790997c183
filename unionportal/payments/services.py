"""Writes of the payments app: requests, batches, the bank file out and the bank's result in.

Every service takes keyword-only arguments, locks the rows it changes (``select_for_update``, always in
primary-key order so that two services never wait on each other crosswise), returns early when the row
is already where it was asked to go, and refuses a move its state table does not allow with a
``ValidationError`` in the user's language. Services with an ``actor`` check the actor's scope: an
object outside it is a 404, as for a view.

Never paying twice rests on three things, each enough on its own for the case it covers:
the request row is locked and its status checked before a line is made or a result applied; the line
of a request in a live batch is unique (``payments_one_live_line``); a paid ``(source, reference)`` is
unique (``payments_paid_once``). See ``models.py``.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.accounts import audit
from unionportal.core import numbers
from unionportal.core.transitions import transition
from unionportal.org.scope import access, user_scope_path

from . import bankfile, events
from .models import BATCH_FLOW, REQUEST_FLOW, PaymentBatch, PaymentLine, PaymentRequest
from .sources import get_source, is_registered

BATCH_SEQUENCE = "payment-batch"
ACCOUNT_RE = re.compile(r"^\d{8,32}$")
MAX_AMOUNT = Decimal("9999999999.99")


# --- Requests --------------------------------------------------------------------------------------


def _clean_account(account_number: str) -> str:
    account = "".join(str(account_number).split())
    if not ACCOUNT_RE.match(account):
        raise ValidationError(_("The account number must be 8 to 32 digits."))
    return account


def _clean_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    except InvalidOperation:
        raise ValidationError(_("The amount is not a number.")) from None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        raise ValidationError(_("The amount must be more than 0 yuan."))
    if value != value.quantize(bankfile.CENT):
        # Rounding belongs to the app that computed the amount, once, at its named place.
        raise ValidationError(_("The amount must be in yuan with at most two decimals."))
    return value.quantize(bankfile.CENT)


def payment_request_create(
    *,
    source: str,
    reference: str,
    payee_name: str,
    payee_id_number: str,
    bank_name: str,
    account_number: str,
    amount: Decimal,
    org_path: str,
) -> PaymentRequest:
    """Ask for ``amount`` to be paid to a payee, for ``reference`` of the registered ``source``.

    Called by the owning app (e.g. when a claim is approved), usually in its own transaction. Safe to call
    twice: if a live request for the same ``(source, reference)`` exists with the same payee, account and
    amount it is returned unchanged; if it differs, or was already paid, the call is refused. A cancelled
    request does not count: the thing may be asked for again.
    """
    if not is_registered(source):
        raise ValidationError(_("Unknown payment source “%(source)s”.") % {"source": source})
    reference = str(reference).strip()
    payee_name = str(payee_name).strip()
    bank_name = str(bank_name).strip()
    if not reference or not payee_name or not bank_name:
        raise ValidationError(_("A payment needs a business number, a payee and a bank."))
    values = {
        "payee_name": payee_name,
        "payee_id_number": str(payee_id_number).strip().upper(),
        "bank_name": bank_name,
        "account_number": _clean_account(account_number),
        "amount": _clean_amount(amount),
        "org_path": org_path,
    }
    live = PaymentRequest.objects.exclude(status=PaymentRequest.Status.CANCELLED)
    existing = live.filter(source=source, reference=reference).first()
    if existing is None:
        try:
            with transaction.atomic():
                created = PaymentRequest.objects.create(source=source, reference=reference, **values)
                events.request_moved(created, old="", new=created.status, actor=None)
                return created
        except IntegrityError:  # another caller created it a moment ago
            existing = live.filter(source=source, reference=reference).first()
            if existing is None:
                raise
    if all(getattr(existing, name) == value for name, value in values.items()):
        return existing
    raise ValidationError(
        _("%(reference)s already has a payment request (%(status)s).")
        % {"reference": reference, "status": existing.get_status_display()}
    )


def _same_name(typed: str, payee: str) -> bool:
    return "".join(typed.split()) == "".join(payee.split())


@transaction.atomic
def request_propose_account(
    *, actor, request: PaymentRequest, bank_name: str, account_number: str, holder_name: str
) -> PaymentRequest:
    """Propose the payee's corrected bank and account for a failed request; a second person confirms it.

    The account holder's name, as typed from the bank card, must be the payee's name: the money goes to the
    payee's own account only. A new proposal replaces a pending one (and needs confirming in its turn). The
    proposal is in the audit trail, account numbers masked.
    """
    locked = access(PaymentRequest.objects.select_for_update(), actor, pk=request.pk)
    bank_name = bank_name.strip()
    account = _clean_account(account_number)
    if not bank_name:
        raise ValidationError(_("Say which bank holds the account."))
    if locked.status != PaymentRequest.Status.FAILED:
        raise ValidationError(_("Only a failed payment can have its account corrected."))
    if not _same_name(holder_name, locked.payee_name):
        raise ValidationError(
            _("The account holder's name must be the payee's name (%(payee)s).") % {"payee": locked.payee_name}
        )
    if (locked.proposed_bank_name, locked.proposed_account_number, locked.proposed_by_id) == (
        bank_name, account, actor.pk
    ):  # fmt: skip
        return locked  # a second click
    locked.proposed_bank_name, locked.proposed_account_number = bank_name, account
    locked.proposed_by, locked.proposed_at = actor, timezone.now()
    locked.save(
        update_fields=["proposed_bank_name", "proposed_account_number", "proposed_by", "proposed_at", "updated_at"]
    )
    return locked


@transaction.atomic
def request_confirm_account(*, actor, request: PaymentRequest, account_number: str) -> PaymentRequest:
    """A second person confirms the proposed account, typing its number again from the payee's bank card.

    The request then waits for a later batch with the new account. The proposer cannot confirm, and a number
    that is not the one proposed confirms nothing (the proposal may have been replaced meanwhile).
    """
    locked = access(PaymentRequest.objects.select_for_update(), actor, pk=request.pk)
    status = PaymentRequest.Status
    typed = "".join(str(account_number).split())
    if locked.status == status.PENDING and not locked.proposed_account_number and locked.account_number == typed:
        return locked  # confirmed a moment ago
    if locked.status != status.FAILED or not locked.proposed_account_number:
        raise ValidationError(_("There is no account change waiting for confirmation."))
    if locked.proposed_by_id == actor.pk:
        raise ValidationError(_("An account change is confirmed by someone other than the person who proposed it."))
    if typed != locked.proposed_account_number:
        raise ValidationError(_("The account number does not match the one proposed."))
    changes = {
        "bank_name": locked.proposed_bank_name, "account_number": locked.proposed_account_number,
        "proposed_bank_name": "", "proposed_account_number": "", "proposed_by": None, "proposed_at": None,
        "failure_reason": "",
    }  # fmt: skip
    return _move_request(locked, status.PENDING, actor=actor, note=_("account corrected"), changes=changes)


@transaction.atomic
def request_cancel(*, request: PaymentRequest, actor=None) -> PaymentRequest:
    """Withdraw a request that is not in the bank's hands (pending or failed); cancelled stays cancelled.

    The owning app calls it without ``actor`` (e.g. when a claim is withdrawn); a user with ``actor``.
    """
    queryset = PaymentRequest.objects.select_for_update()
    locked = access(queryset, actor, pk=request.pk) if actor is not None else queryset.get(pk=request.pk)
    status = PaymentRequest.Status
    if locked.status == status.CANCELLED:
        return locked
    if locked.status not in (status.PENDING, status.FAILED):
        raise ValidationError(
            _("A payment that is %(status)s cannot be cancelled.") % {"status": locked.get_status_display()}
        )
    return _move_request(locked, status.CANCELLED, actor=actor)


def _move_request(request: PaymentRequest, new: str, *, actor, note: str = "", changes=None) -> PaymentRequest:
    """A request the caller has locked moves through the shared helper, with its event row."""
    row, _moved = transition(
        request, new, flow=REQUEST_FLOW, actor=actor, record=events.request_moved, note=note, changes=changes,
        lock=False,
    )  # fmt: skip
    return row


def _move_batch(batch: PaymentBatch, new: str, *, actor, note: str = "", changes=None) -> PaymentBatch:
    row, _moved = transition(
        batch, new, flow=BATCH_FLOW, actor=actor, record=events.batch_moved, note=note, changes=changes, lock=False
    )
    return row


# --- Batches ---------------------------------------------------------------------------------------


def _lock_batch(actor, batch: PaymentBatch) -> PaymentBatch:
    return access(PaymentBatch.objects.select_for_update(), actor, pk=batch.pk)


def _batch_number() -> str:
    (value,) = numbers.allocate(BATCH_SEQUENCE)
    return f"ZF{timezone.localdate():%Y}{value:06d}"


@transaction.atomic
def batch_create(*, actor, requests) -> PaymentBatch:
    """Put pending requests (new, or failed and corrected) into a new draft batch, one line each.

    ``requests`` are requests or their primary keys, all in the actor's scope. The requests are locked
    first; if any is no longer pending (another batch took it, it was paid or cancelled meanwhile) the
    whole call is refused and nothing is made.
    """
    pks = sorted({getattr(item, "pk", item) for item in requests})
    if not pks:
        raise ValidationError(_("Choose at least one payment."))
    scope = user_scope_path(actor)
    if scope is None:
        raise ValidationError(_("You may not create payment batches."))
    locked = list(
        PaymentRequest.objects.select_for_update().filter(pk__in=pks, org_path__startswith=scope).order_by("pk")
    )
    if len(locked) != len(pks):
        raise ValidationError(_("Some of the chosen payments do not exist."))
    taken = [r for r in locked if r.status != PaymentRequest.Status.PENDING]
    if taken:
        raise ValidationError(
            _("These payments are no longer waiting for a batch: %(references)s.")
            % {"references": "、".join(r.reference for r in taken[:20])}
        )
    batch = PaymentBatch.objects.create(
        number=_batch_number(),
        org_path=scope,
        created_by=actor,
        line_count=len(locked),
        total_amount=sum((r.amount for r in locked), Decimal("0.00")),
    )
    PaymentLine.objects.bulk_create(
        PaymentLine(
            batch=batch,
            request=r,
            number=number,
            amount=r.amount,
            payee_name=r.payee_name,
            payee_id_number=r.payee_id_number,
            bank_name=r.bank_name,
            account_number=r.account_number,
        )
        for number, r in enumerate(sorted(locked, key=lambda r: (r.source, r.reference)), start=1)
    )
    PaymentRequest.objects.filter(pk__in=pks).update(status=PaymentRequest.Status.IN_BATCH, updated_at=timezone.now())
    events.batch_moved(batch, old="", new=batch.status, actor=actor)
    events.requests_moved_in_bulk(pks, old=PaymentRequest.Status.PENDING, new=PaymentRequest.Status.IN_BATCH,
                                  actor=actor, note=batch.number)  # fmt: skip
    return batch


@transaction.atomic
def batch_export(*, actor, batch: PaymentBatch) -> bytes:
    """The batch file for the bank (xlsx bytes; layout in ``bankfile``). Every download is logged.

    The first download moves a draft batch to exported; later downloads give the same file again.
    """
    locked = _lock_batch(actor, batch)
    if locked.status == PaymentBatch.Status.CANCELLED:
        raise ValidationError(_("The batch has been cancelled."))
    lines = list(locked.lines.select_related("request").exclude(result=PaymentLine.Result.CANCELLED).order_by("number"))
    content = bankfile.write_batch_file(locked, lines)
    if locked.status == PaymentBatch.Status.DRAFT:
        locked = _move_batch(locked, PaymentBatch.Status.EXPORTED, actor=actor, changes={"exported_at": timezone.now()})
    audit.log_export(
        actor=actor,
        model=PaymentLine,
        rows=len(lines),
        description=_("Bank file of payment batch %(number)s") % {"number": locked.number},
        filters={"batch": locked.number},
    )
    return content


@transaction.atomic
def batch_mark_sent(*, actor, batch: PaymentBatch) -> PaymentBatch:
    """The exported file has been handed to the bank; from now on only its result can change the batch."""
    locked = _lock_batch(actor, batch)
    status = PaymentBatch.Status
    if locked.status in (status.SENT, status.RECONCILED):
        return locked
    if locked.status != status.EXPORTED:
        raise ValidationError(_("Only an exported batch can be marked as sent: download the bank file first."))
    return _move_batch(locked, status.SENT, actor=actor, changes={"sent_by": actor, "sent_at": timezone.now()})


@transaction.atomic
def batch_cancel(*, actor, batch: PaymentBatch) -> PaymentBatch:
    """Withdraw a batch that has not reached the bank; its requests wait for another batch again."""
    locked = _lock_batch(actor, batch)
    status = PaymentBatch.Status
    if locked.status == status.CANCELLED:
        return locked
    if locked.status not in (status.DRAFT, status.EXPORTED):
        raise ValidationError(_("A batch sent to the bank cannot be cancelled; import the bank's result instead."))
    request_pks = list(locked.lines.values_list("request_id", flat=True))
    requests = list(PaymentRequest.objects.select_for_update().filter(pk__in=request_pks).order_by("pk"))
    returned = [r.pk for r in requests if r.status == PaymentRequest.Status.IN_BATCH]
    locked.lines.update(result=PaymentLine.Result.CANCELLED)
    PaymentRequest.objects.filter(pk__in=returned, status=PaymentRequest.Status.IN_BATCH).update(
        status=PaymentRequest.Status.PENDING, updated_at=timezone.now()
    )
    note = _("batch %(number)s withdrawn") % {"number": locked.number}
    events.requests_moved_in_bulk(
        returned, old=PaymentRequest.Status.IN_BATCH, new=PaymentRequest.Status.PENDING, actor=actor, note=note
    )
    return _move_batch(locked, status.CANCELLED, actor=actor)


# --- The bank's result -----------------------------------------------------------------------------


@dataclass
class ResultImport:
    """What a result import did, or every reason it did nothing (``errors``: then nothing was saved)."""

    rows: int = 0
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.errors


@transaction.atomic
def batch_import_result(*, actor, batch: PaymentBatch, file) -> ResultImport:
    """Record the bank's result file for a sent batch: paid lines pay their requests, failed ones return.

    Every row is checked before anything is written: line number in this batch, business number and
    amount as sent, result, reason of a failure, no line twice, no contradiction of a result already
    recorded. If any row has an error, nothing is saved and the errors come back by row and column.
    Otherwise, in this one transaction, each newly paid line marks its request paid and calls the
    source's ``on_paid``; each newly failed line marks its request failed with the reason and calls
    ``on_failed``. Rows that repeat a result already recorded change nothing, so importing the same file
    twice (or a second, partial file) is safe. The batch is reconciled when every line has its result.
    Raises ``ValidationError`` when the file as a whole cannot be read or the batch is not with the bank.
    """
    locked = _lock_batch(actor, batch)
    if locked.status not in (PaymentBatch.Status.SENT, PaymentBatch.Status.RECONCILED):
        raise ValidationError(_("The bank's result can only be imported for a batch sent to the bank."))
    sheet = bankfile.read_result_file(file)
    outcome = ResultImport(rows=len(sheet.rows))
    if not sheet.rows:
        raise ValidationError(_("The file has no rows."))

    lines = {line.number: line for line in locked.lines.select_related("request").select_for_update(of=("self",))}
    references = {line.request.reference for line in lines.values()}
    seen: dict[int, int] = {}
    for row in sheet.rows:
        outcome.errors.extend(row.errors)
        outcome.errors.extend(_check_row(sheet, row, lines, references, seen))
    if outcome.errors:
        return outcome

    today = timezone.localdate()
    changes = [(row, lines[row.number]) for row in sheet.rows]
    # Lock the requests too, in key order: an account correction or a second import waits here.
    requests = {
        r.pk: r
        for r in PaymentRequest.objects.select_for_update().filter(pk__in=[line.request_id for _, line in changes])
    }
    for row, line in changes:
        wanted = PaymentLine.Result.PAID if row.paid else PaymentLine.Result.FAILED
        if line.result == wanted:
            outcome.unchanged += 1
            continue
        request = requests[line.request_id]
        if request.status != PaymentRequest.Status.IN_BATCH:  # only by hand in the database
            raise ValidationError(
                _("%(reference)s is %(status)s; nothing was saved.")
                % {"reference": request.reference, "status": request.get_status_display()}
            )
        source = get_source(request.source)
        line.result, line.bank_reference = wanted, row.bank_reference
        if row.paid:
            line.paid_on = row.value_date or today
            line.save(update_fields=["result", "bank_reference", "paid_on"])
            request = _move_request(request, PaymentRequest.Status.PAID, actor=actor, note=locked.number,
                                    changes={"paid_on": line.paid_on})  # fmt: skip
            source.on_paid(request.reference, request.paid_on, line, actor=actor)
            outcome.paid += 1
        else:
            line.reason = row.reason
            line.save(update_fields=["result", "bank_reference", "reason"])
            request = _move_request(request, PaymentRequest.Status.FAILED, actor=actor, note=row.reason,
                                    changes={"failure_reason": row.reason})  # fmt: skip
            source.on_failed(request.reference, row.reason, line, actor=actor)
            outcome.failed += 1
    if outcome.paid or outcome.failed:
        _update_totals(locked, actor=actor)
    return outcome


def _check_row(sheet, row, lines: dict, references: set, seen: dict) -> list:
    """The errors of one result row against the batch (its own cells were checked when it was read)."""
    if row.number is None:
        if row.reference and row.reference not in references:
            message = _("Unknown business number “%(value)s”: it is not in this batch.") % {"value": row.reference}
            return [sheet.error(row.row, bankfile.REFERENCE, message)]
        return []
    line = lines.get(row.number)
    if line is None or line.result == PaymentLine.Result.CANCELLED:
        return [sheet.error(row.row, bankfile.NUMBER, _("This batch has no line %(n)d.") % {"n": row.number})]
    errors = []
    if row.number in seen:
        errors.append(
            sheet.error(
                row.row,
                bankfile.NUMBER,
                _("Line %(n)d is also in row %(row)d.") % {"n": row.number, "row": seen[row.number]},
            )
        )
    else:
        seen[row.number] = row.row
    if row.reference and row.reference != line.request.reference:
        if row.reference not in references:
            message = _("Unknown business number “%(value)s”: it is not in this batch.") % {"value": row.reference}
        else:
            message = _("Line %(n)d is business number %(expected)s, not %(value)s.") % {
                "n": row.number,
                "expected": line.request.reference,
                "value": row.reference,
            }
        errors.append(sheet.error(row.row, bankfile.REFERENCE, message))
    if row.amount is not None and row.amount != line.amount:
        errors.append(
            sheet.error(
                row.row,
                bankfile.AMOUNT,
                _("The amount was changed: the batch sent %(sent)s yuan, the file says %(value)s yuan.")
                % {"sent": bankfile.amount_text(line.amount), "value": bankfile.amount_text(row.amount)},
            )
        )
    if row.paid is not None and line.result in (PaymentLine.Result.PAID, PaymentLine.Result.FAILED):
        recorded_paid = line.result == PaymentLine.Result.PAID
        if recorded_paid != row.paid:
            errors.append(
                sheet.error(
                    row.row,
                    bankfile.RESULT,
                    _("Line %(n)d was already recorded as %(result)s.")
                    % {"n": row.number, "result": line.get_result_display()},
                )
            )
    return errors


def _update_totals(batch: PaymentBatch, *, actor) -> None:
    totals = batch.lines.aggregate(
        paid_count=Count("pk", filter=Q(result=PaymentLine.Result.PAID)),
        paid_amount=Sum("amount", filter=Q(result=PaymentLine.Result.PAID), default=Decimal("0.00")),
        failed_count=Count("pk", filter=Q(result=PaymentLine.Result.FAILED)),
        failed_amount=Sum("amount", filter=Q(result=PaymentLine.Result.FAILED), default=Decimal("0.00")),
    )
    for name, value in totals.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(totals))
    if batch.paid_count + batch.failed_count == batch.line_count:
        _move_batch(batch, PaymentBatch.Status.RECONCILED, actor=actor, changes={"reconciled_at": timezone.now()})
