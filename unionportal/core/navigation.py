"""The main menu, by role and area: an entry shows when the user holds its permission.

The menu is grouped by area (会员与组织, 互助保障, 帮扶, …), one drop-down per area. Each app lists its own entries
in its ``navigation.py`` (``MENU`` for staff, ``MEMBER_MENU`` for a member's own account), discovered at start-up
(``CoreConfig.ready``) as the workbench discovers ``pending.py``: the floor knows the areas, never the apps.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str


# The areas, in menu order. An app puts its entries in one of them by key.
GROUPS = [
    NavGroup("members", _("Members and unions")),
    NavGroup("mutualaid", _("Mutual aid")),
    NavGroup("hardship", _("Hardship assistance")),
    NavGroup("competitions", _("Competitions and honours")),
    NavGroup("rights", _("Rights protection")),
    NavGroup("payments", _("Payments and reconciliation")),
    NavGroup("reporting", _("Reports and bulletins")),
    NavGroup("system", _("System")),
]
_GROUP_KEYS = {group.key for group in GROUPS}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every staff user
    group: str = ""  # a key of GROUPS; "" for a top-level entry (the workbench)
    order: int = 50  # place within its area (or the member menu); equal orders keep discovery order

    def __post_init__(self):
        if self.group and self.group not in _GROUP_KEYS:
            raise ValueError(f"Unknown menu area {self.group!r} for {self.url_name}")


@dataclass(frozen=True)
class MenuEntry:
    """One entry of the rendered menu: a plain link (``items`` of one, no group) or an area's drop-down."""

    label: str
    items: tuple[NavItem, ...]
    key: str = ""

    @property
    def url_names(self) -> set[str]:
        return {item.url_name for item in self.items}


# The floor's own entries; the apps add theirs from their navigation.py (see register()).
_staff: list[NavItem] = [
    NavItem(_("Workbench"), "core:workbench"),
    NavItem(_("Notices"), "notifications:inbox", group="system"),
    NavItem(_("Outbox"), "notifications:outbox", "notifications.view_notice", group="system"),
    NavItem(_("Payments"), "payments:batch-list", "payments.view_paymentbatch", group="payments"),
    NavItem(_("Reconciliation"), "reconciliation:discrepancy-list", "reconciliation.view_discrepancy", "payments"),
    NavItem(_("Audit log"), "accounts:audit-list", "accounts.view_audit_log", group="system"),
    NavItem(_("Accounts and roles"), "accounts:user-list", "accounts.manage_security", group="system"),
    NavItem(_("Login lockouts"), "accounts:lockout-list", "accounts.manage_security", group="system"),
]
_member: list[NavItem] = []

# A member's own account gets these instead of the staff workbench (roles.Role.staff is False for it).
MEMBER_HOME = "mutualaid:my-claims"


def register(*, staff=(), member=()) -> None:
    """Add an app's entries (called by the discovery of each app's navigation.py; repeats are ignored)."""
    for target, items in ((_staff, staff), (_member, member)):
        target.extend(item for item in items if item not in target)
        target.sort(key=lambda item: item.order)  # a stable sort


def discover() -> None:
    """Import every installed app's navigation.py and register its ``MENU`` and ``MEMBER_MENU``."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.navigation"
        if config.name == "unionportal.core" or find_spec(name) is None:
            continue
        module = import_module(name)
        register(staff=getattr(module, "MENU", ()), member=getattr(module, "MEMBER_MENU", ()))


def staff_items(user) -> list[NavItem]:
    return [item for item in _staff if item.permission is None or user.has_perm(item.permission)]


def menu_for(user) -> list[MenuEntry]:
    """The user's menu: the top-level links, then one drop-down per area in GROUPS order (empty areas left out).

    An area with a single entry the user may open is a plain link: a drop-down of one is a click for nothing.
    """
    if not user.is_authenticated:
        return []
    if getattr(user, "is_member_account", False):
        return [MenuEntry(item.label, (item,)) for item in _member]
    items = staff_items(user)
    entries = [MenuEntry(item.label, (item,)) for item in items if not item.group]
    for group in GROUPS:
        mine = tuple(item for item in items if item.group == group.key)
        if len(mine) == 1:
            entries.append(MenuEntry(mine[0].label, mine, group.key))
        elif mine:
            entries.append(MenuEntry(group.label, mine, group.key))
    return entries


def link_maker(view_name: str):
    """``reverse`` once for a list: a function from an object's id to its page, for pages of many rows.

    ``reverse`` walks the resolver on every call (about 30 µs); a list of 50 claims spent more on its links
    than on all its other cells together. The URL is reversed with a stand-in id and the id put in its place.
    """
    stand_in = "9182736450"
    head, tail = reverse(view_name, args=[int(stand_in)]).split(stand_in)
    return lambda pk: f"{head}{int(pk)}{tail}"
