"""Registries through which the apps above tell the tree what hangs off it, without the tree importing them.

**Path copies.** For one-index scoped scans at millions of rows, some tables copy their node's path into a
column of their own (``Member.org_path``, ``Claim.org_path``, …). Each such column is registered here from its
app's ``AppConfig.ready``::

    register_path_copy(Claim, "org_path")

and ``rewrite_path_copies`` (called by ``services.organisation_move`` and ``organisation_merge`` inside their
transaction) rewrites every registered column for the moved subtree, one ``UPDATE`` per column. A copy that is
not registered would keep the old path and show its rows to the wrong county: a test walks every model and
fails on a ``*_path`` column that is not registered (or declared not to be a copy).

**Merge and deregistration hooks.** Merging unions moves their members, and a node with active members cannot
be deregistered: both are facts of ``members``. It registers a merge hook and a deregistration check here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Model, Value
from django.db.models.functions import Concat, Substr


@dataclass(frozen=True)
class PathCopy:
    model: type[Model]
    field: str
    # Whether the copy follows a merged union to the union it merged into. ``Member.org_path`` does not: the
    # members' hook moves the active members (with their membership periods); the others stay at the old
    # union, which keeps its path (deregistered, never reused).
    follows_merge: bool = True

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


_path_copies: dict[str, PathCopy] = {}
_merge_hooks: list[Callable] = []
_deregister_checks: list[Callable] = []


def register_path_copy(model: type[Model], field: str, *, follows_merge: bool = True) -> None:
    """Declare that ``model.field`` holds a copy of a node's path that must follow the node when it moves."""
    model._meta.get_field(field)  # fails at start-up on a typo
    copy = PathCopy(model, field, follows_merge)
    _path_copies[copy.label] = copy


def path_copies() -> list[PathCopy]:
    return list(_path_copies.values())


def rewrite_path_copies(old_path: str, new_path: str, *, exact: bool = False, merge: bool = False) -> dict[str, int]:
    """Replace the prefix ``old_path`` with ``new_path`` in every registered copy; return rows per copy.

    With ``exact`` only copies equal to ``old_path`` change (a merge takes over the union itself, not the
    paths of the deregistered groups under it). With ``merge`` only the copies that follow a merge change.
    The caller holds the transaction and the lock on the node.
    """
    counts = {}
    for copy in path_copies():
        if merge and not copy.follows_merge:
            continue
        if exact:
            rows = copy.model._base_manager.filter(**{copy.field: old_path})
            counts[copy.label] = rows.update(**{copy.field: new_path})
        else:
            rows = copy.model._base_manager.filter(**{f"{copy.field}__startswith": old_path})
            counts[copy.label] = rows.update(
                **{copy.field: Concat(Value(new_path), Substr(F(copy.field), len(old_path) + 1))}
            )
    return counts


def register_merge_hook(hook: Callable) -> None:
    """``hook(*, source, target, on, actor) -> str``: what else a merge of unions moves; returns a note."""
    _merge_hooks.append(hook)


def merge_hooks() -> list[Callable]:
    return list(_merge_hooks)


def register_deregister_check(check: Callable) -> None:
    """``check(node) -> str | None``: why ``node`` (with its subtree) cannot be deregistered, or ``None``."""
    _deregister_checks.append(check)


def deregister_checks() -> list[Callable]:
    return list(_deregister_checks)
