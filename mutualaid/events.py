"""The history of mutual aid's flows: the only writer of ``ClaimEvent`` and ``EnrolmentBatchEvent``.

Each function is a ``record`` for ``unionportal.core.transitions.transition`` (``row, old=, new=, actor=, note=``)
or a note on a row that stays where it is (from = to: an approval that waits for the city, a payment the bank
returned). An event from a program (the bank's result file, a clock) has no actor.
"""

from .models import Claim, ClaimEvent, EnrolmentBatch, EnrolmentBatchEvent

NOTE_MAX = 300


def claim_moved(claim: Claim, *, old: str, new: str, actor, note: str = "") -> ClaimEvent:
    """A claim changed state (``old`` is empty when it was created)."""
    return ClaimEvent.objects.create(claim=claim, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX])


def claim_received(claim: Claim, *, actor, note: str = "") -> ClaimEvent:
    return claim_moved(claim, old="", new=claim.status, actor=actor, note=note)


def claim_noted(claim: Claim, *, actor, note: str) -> ClaimEvent:
    """Something happened to a claim that did not change its state; staff see it, the member's timeline not."""
    return claim_moved(claim, old=claim.status, new=claim.status, actor=actor, note=note)


def enrolment_batch_moved(batch: EnrolmentBatch, *, old: str, new: str, actor, note: str = "") -> EnrolmentBatchEvent:
    return EnrolmentBatchEvent.objects.create(
        batch=batch, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]
    )
