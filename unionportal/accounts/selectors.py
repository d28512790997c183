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
from django.shortcuts import get_object_or_404

from unionportal.org.scope import scope_q

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


def staff_in_scope(user) -> QuerySet:
    """Staff accounts the security administrator may manage: their subtree's, never members' own accounts."""
    accounts = get_user_model().objects.filter(member__isnull=True)
    return accounts.filter(scope_q(user, "organisation__path")) if user.organisation_id else accounts


def access_staff_account(user, pk: int):
    """A staff account in ``user``'s subtree, or a 404 (the door of the role and password-reset pages)."""
    return get_object_or_404(staff_in_scope(user), pk=pk)


def access_role_grant(user, pk: int):
    """A grant waiting for a second administrator, of an account in ``user``'s subtree, or a 404."""
    from .models import RoleGrant

    return get_object_or_404(RoleGrant.objects.filter(user__in=staff_in_scope(user)).select_related("user"), pk=pk)
