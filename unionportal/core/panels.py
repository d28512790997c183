"""Sections that the apps above ``members`` add to the staff member page (a hardship file, titles, cases…).

``members`` imports none of those apps. An app contributes by defining, in its own ``panels.py``, a function
decorated with ``@member_panel`` that takes the user and the member and returns a ``Panel`` (or None when it has
nothing to show, or the user may not see it). The functions must scope what they read to the user, as every
page does. Discovered at start-up (``CoreConfig.ready``), like the workbench's ``pending.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    title: str
    template: str  # rendered with ``panel`` (this object) and ``member`` in its context
    context: dict = field(default_factory=dict)
    order: int = 50


_providers: list[Callable] = []


def member_panel(func: Callable) -> Callable:
    if func not in _providers:
        _providers.append(func)
    return func


def member_panels(user, member) -> list[Panel]:
    panels = (func(user, member) for func in _providers)
    return sorted((panel for panel in panels if panel is not None), key=lambda panel: panel.order)
