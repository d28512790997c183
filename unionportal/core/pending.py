"""The workbench: every app's pending items for the signed-in user, in one list.

An app contributes by defining, in its own ``pending.py``, a function decorated with ``@provider`` that
takes the user and returns ``PendingItem``s already scoped to that user. The workbench knows nothing of
the apps: it discovers their modules at start-up (``CoreConfig.ready``).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PendingItem:
    title: str
    count: int
    url: str
    overdue: int = 0  # how many of them are past their deadline; shown in red
    alert: bool = False  # every one of them is a failure to act on (e.g. a payment the bank returned): all in red


_providers: list[Callable] = []


def provider(func: Callable) -> Callable:
    _providers.append(func)
    return func


def pending_items(user) -> list[PendingItem]:
    items = [item for func in _providers for item in func(user)]
    return sorted((item for item in items if item.count), key=lambda item: (not item.alert, -item.overdue, item.title))
