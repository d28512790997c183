"""One way to change state: each flow's allowed moves as data, one function that moves a row, one event shape.

Every flow of the portal (claim, enrolment batch, payment, transfer, hardship file, grant, competition, rights
case, monthly report) is a ``status`` column with a ``TextChoices`` and a handful of allowed moves. This module
holds the discipline they share, so no app writes it again:

- ``Flow`` is the table of allowed moves, kept beside the model's ``Status`` (a comment per state there);
- ``transition`` locks the row, returns early when it is already in the target state (a double click, a task
  run twice), refuses a move the table does not allow with a Chinese message, saves only the fields it changed,
  and writes one event row through the ``record`` function the app's ``events`` module passes in;
- ``StateEvent`` is the one event shape (old, new, actor, note, time) each app's event table inherits.

Side effects (notices, payment requests) stay with the caller, queued with ``transaction.on_commit`` or done in
the same transaction when they must commit or fail with the move.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class IllegalTransition(ValidationError):
    """A move the flow's table does not allow. A ValidationError, so forms and the API show its message."""


@dataclasses.dataclass(frozen=True)
class Flow:
    """The allowed moves of one status column: ``{from_state: {to_state, ...}}``.

    ``initial`` is the state a new row is created in (its event has an empty ``from``). States with no entry are
    final. Moves to the same state are never listed: ``transition`` treats them as "already there".
    """

    status: type[models.TextChoices]
    moves: Mapping[str, Iterable[str]]
    initial: str
    field: str = "status"
    _table: dict[str, frozenset[str]] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self):
        known = set(self.status.values)
        table = {old: frozenset(new) for old, new in self.moves.items()}
        for old, targets in table.items():
            unknown = ({old} | targets) - known
            if unknown:
                raise ValueError(f"{self.status.__qualname__}: unknown states in the flow: {sorted(unknown)}")
            if old in targets:
                raise ValueError(f"{self.status.__qualname__}: {old} → {old} is not a move")
        if self.initial not in known:
            raise ValueError(f"{self.status.__qualname__}: unknown initial state {self.initial}")
        object.__setattr__(self, "_table", table)

    def allows(self, old: str, new: str) -> bool:
        return new in self._table.get(old, ())

    def targets(self, old: str) -> frozenset[str]:
        return self._table.get(old, frozenset())

    def is_final(self, state: str) -> bool:
        return not self._table.get(state)

    def label(self, state: str) -> str:
        return str(self.status(state).label) if state in self.status.values else state

    def check(self, old: str, new: str) -> None:
        if not self.allows(old, new):
            raise IllegalTransition(
                _("This cannot be done now: it is “%(old)s” and cannot become “%(new)s”.")
                % {"old": self.label(old), "new": self.label(new)},
                code="illegal_transition",
            )


Recorder = Callable[..., object]


def transition(
    instance: models.Model,
    new: str,
    *,
    flow: Flow,
    actor,
    record: Recorder,
    note: str = "",
    changes: Mapping[str, object] | None = None,
    check: Callable[[models.Model], None] | None = None,
    lock: bool = True,
) -> tuple[models.Model, bool]:
    """Move ``instance`` to state ``new``; return ``(the locked row, whether it moved)``.

    Must run inside a transaction (the lock lasts until it commits). The row is re-read under
    ``SELECT … FOR UPDATE``: two clicks or two workers queue here, the second finds the row already moved and
    returns ``(row, False)`` having written nothing. ``check`` runs on the locked row before anything changes
    (maker–checker, materials complete…) and raises ``ValidationError`` to refuse. ``changes`` are other fields
    set together with the state; only the state and those fields are saved (plus ``updated_at`` if the model
    has one). ``record(row, old=, new=, actor=, note=)`` writes the event row: the app's ``events`` module.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic: the row lock ends with it")
    row = type(instance)._default_manager.select_for_update().get(pk=instance.pk) if lock else instance
    old = getattr(row, flow.field)
    if old == new:
        return row, False
    flow.check(old, new)
    if check is not None:
        check(row)
    setattr(row, flow.field, new)
    fields = [flow.field]
    for name, value in (changes or {}).items():
        setattr(row, name, value)
        fields.append(name)
    if any(f.name == "updated_at" for f in row._meta.concrete_fields) and "updated_at" not in fields:
        fields.append("updated_at")
    row.save(update_fields=fields)
    record(row, old=old, new=new, actor=actor, note=note)
    return row, True


class StateEvent(models.Model):
    """The one shape of a flow's history: which state it left, which it entered, who, why, when.

    Each app's event table inherits this and adds the foreign key to its row; the app's ``events`` module is the
    only writer. An event from a program (the bank's result file, a clock) has no actor.
    """

    # "from"/"to" alone are an organisation move's 原上级/新上级; a state event's are 原状态/新状态.
    from_status = models.CharField(pgettext_lazy("state event", "from"), max_length=20, blank=True)
    to_status = models.CharField(pgettext_lazy("state event", "to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=gettext_lazy("by"),
    )  # fmt: skip
    note = models.CharField(gettext_lazy("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(gettext_lazy("time"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"
