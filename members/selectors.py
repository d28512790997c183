"""Scoped reads of the organisation tree."""

from unionportal.accounts.scope import access, scope_queryset, user_scope_path

from .models import Organisation


def organisation_roots_for(user):
    """The top of what ``user`` may see: their own node (or the tree's roots for an unattached superuser)."""
    path = user_scope_path(user)
    if path is None:
        return Organisation.objects.none()
    if user.organisation_id:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.get_root_nodes()


def organisation_get(user, pk: int) -> Organisation:
    return access(Organisation, user, pk=pk)


def organisation_children(user, organisation: Organisation):
    return scope_queryset(Organisation.objects.get_children(organisation), user)
