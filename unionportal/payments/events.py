"""The history of payments: the only writer of ``PaymentRequestEvent`` and ``PaymentBatchEvent``.

Each function is a ``record`` for ``unionportal.core.transitions.transition``; ``requests_moved_in_bulk`` records
the set updates (a batch taking its requests, a withdrawn batch giving them back), so no change bypasses the
history. An event from a program (the owning app asking for a payment) has no actor.
"""

from .models import PaymentBatchEvent, PaymentRequestEvent

NOTE_MAX = 300


def request_moved(request, *, old: str, new: str, actor, note: str = "") -> PaymentRequestEvent:
    return PaymentRequestEvent.objects.create(
        request=request, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]
    )


def requests_moved_in_bulk(pks, *, old: str, new: str, actor, note: str = "") -> None:
    PaymentRequestEvent.objects.bulk_create(
        PaymentRequestEvent(request_id=pk, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX])
        for pk in pks
    )


def batch_moved(batch, *, old: str, new: str, actor, note: str = "") -> PaymentBatchEvent:
    return PaymentBatchEvent.objects.create(
        batch=batch, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]
    )
