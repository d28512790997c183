"""Who holds what, where: the one way to ask "which users hold permission P at node N".

Permissions come from roles only (``roles.ROLES``; ``backends.RoleBackend`` ignores per-user permissions and
groups that are not roles), so the holders of a permission are the active users with a role that grants it.
Asking through the roles keeps the answer the same as ``user.has_perm`` and spares the two joins through
``auth_permission`` that each app used to spell by hand.

``at_path`` is a node's materialised path: the users attached to that node, or, with ``below=True``, to it and
every node under it. Without ``at_path``, anywhere. The result is a queryset (distinct, by id) that callers may
narrow further (``.filter(organisation__kind=…)``, ``.filter(organisation_id__in=…)``).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .roles import ROLES


def roles_granting(perm: str) -> list[str]:
    """The role codes whose permissions include ``perm`` (``"app_label.codename"``)."""
    return sorted(code for code, role in ROLES.items() if perm in role.permissions)


def _at(users: QuerySet, at_path: str | None, below: bool) -> QuerySet:
    if at_path is None:
        return users
    return users.filter(organisation__path__startswith=at_path) if below else users.filter(organisation__path=at_path)


def users_with_permission(
    perm: str, *, at_path: str | None = None, below: bool = False, superusers: bool = False
) -> QuerySet:
    """Active users holding ``perm`` through a role, at (or ``below``) ``at_path``; superusers too if asked."""
    holds = Q(groups__name__in=roles_granting(perm))
    if superusers:
        holds |= Q(is_superuser=True)
    users = get_user_model().objects.filter(is_active=True).filter(holds)
    return _at(users, at_path, below).distinct().order_by("pk")


def users_with_role(role: str, *, at_path: str | None = None, below: bool = False) -> QuerySet:
    """Active users holding the role ``role`` at (or ``below``) ``at_path``."""
    users = get_user_model().objects.filter(is_active=True, groups__name=role)
    return _at(users, at_path, below).distinct().order_by("pk")
