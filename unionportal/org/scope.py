"""Organisation scope: the one way any view, queryset, export or API narrows data to a user's subtree.

Every model that hangs off the organisation tree names the path of its node in ``scope_path``
(``"path"`` on the tree itself, ``"organisation__path"`` on a member, and so on). A user whose node has
path ``P`` sees exactly the rows whose node path starts with ``P``: one indexed prefix query.

Objects outside the scope do not exist for the user: ``access`` answers 404, never 403, so that
"not allowed" and "not there" cannot be told apart (Zulip's ``access_*`` pattern).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

WHOLE_TREE = ""


def user_scope_path(user) -> str | None:
    """The tree path a user may see under; ``WHOLE_TREE`` for everything; ``None`` for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.organisation_id:
        return user.organisation.path
    if user.is_superuser:  # the emergency account made with createsuperuser, attached to no node
        return WHOLE_TREE
    return None


def scope_path_field(model: type[Model]) -> str:
    try:
        return model.scope_path
    except AttributeError:
        raise ImproperlyConfigured(
            f"{model.__name__} has no scope_path: say which node path scopes it, e.g. 'organisation__path'."
        ) from None


def scope_q(user, path_field: str) -> Q:
    """The filter behind ``scope_queryset``, for the rare query that must add to it with ``|``."""
    path = user_scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_TREE:
        return Q()
    return Q(**{f"{path_field}__startswith": path})


def scope_queryset(queryset: QuerySet, user, *, path_field: str | None = None) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see. ``path_field`` overrides the model's ``scope_path``."""
    field = path_field or scope_path_field(queryset.model)
    if user_scope_path(user) is None:
        return queryset.none()
    return queryset.filter(scope_q(user, field))


def access(model_or_queryset, user, **lookup):
    """The only way a view reaches a single object: it is in the user's scope, or it is a 404."""
    queryset = model_or_queryset
    if isinstance(model_or_queryset, type) and issubclass(model_or_queryset, Model):
        queryset = model_or_queryset._default_manager.all()
    return get_object_or_404(scope_queryset(queryset, user), **lookup)


def in_scope(user, path: str) -> bool:
    """Whether a node with tree path ``path`` lies in the user's subtree."""
    scope = user_scope_path(user)
    return scope is not None and path.startswith(scope)


def require_in_scope(actor, path: str) -> None:
    """The one scope check of a service: the node with tree path ``path`` is in ``actor``'s subtree, or 404.

    Services take objects the caller already holds; a view reached them through ``access``, but a task, an
    import or another service may not have, so a service that writes checks again, answering as a view does.
    """
    if not in_scope(actor, path):
        raise Http404


class ScopedQuerysetMixin:
    """For class-based views (Django and DRF alike): every queryset they use is scoped."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)
