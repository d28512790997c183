"""The history of members' flows: the only writer of ``TransferEvent`` and ``EnterpriseEvent``.

Each function is a ``record`` for ``unionportal.core.transitions.transition`` (``row, old=, new=, actor=, note=``);
the ``…_in_bulk`` ones record a set update (a merge or a member leaving cancels their pending transfers in one
statement), so no status change bypasses the history.
"""

from .models import EnterpriseEvent, TransferEvent

NOTE_MAX = 300


def transfer_moved(transfer, *, old: str, new: str, actor, note: str = "") -> TransferEvent:
    return TransferEvent.objects.create(
        transfer=transfer, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]
    )


def transfers_moved_in_bulk(pks, *, old: str, new: str, actor, note: str = "") -> None:
    TransferEvent.objects.bulk_create(
        TransferEvent(transfer_id=pk, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]) for pk in pks
    )


def enterprise_moved(enterprise, *, old: str, new: str, actor, note: str = "") -> EnterpriseEvent:
    return EnterpriseEvent.objects.create(
        enterprise=enterprise, from_status=old, to_status=new, actor=actor, note=note[:NOTE_MAX]
    )
