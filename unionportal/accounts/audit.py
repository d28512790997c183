"""The audit trail: who changed, saw or exported personal data and money, when, and from where.

Changes are recorded by django-auditlog for every model registered here (``register`` is called from
each app's ``AppConfig.ready``). Reveals of full identifiers and exports are recorded by
``log_reveal`` and ``log_export``. Rows are append-only: nothing in the application edits or deletes
them, and the database itself refuses to (migration ``0002_audit_log_append_only``).
"""

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from unionportal.core.display import mask_identifier
from unionportal.org.scope import WHOLE_TREE, scope_q, user_scope_path

from .security import client_ip

REVEAL = "reveal"
EXPORT = "export"
# Account events written by ``log_event`` (the kind is kept in ``additional_data``).
SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
ROLES = "roles"  # roles added and removed at once: {"added": [...], "removed": [...]}
ROLE_ASKED = "role_asked"  # a grant that needs a second administrator: {"role": ...}
ROLE_CONFIRMED = "role_confirmed"  # {"role": ..., "asked_by": ...}
PASSWORD_RESET = "password_reset"  # noqa: S105 - by the security administrator; a change is forced at the next sign-in
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - by the account's owner: {"how": "form" | "code" | "activation"}

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


def mask_value(value: str) -> str:
    """Masking used for registered ``mask_fields`` in the change log (AUDITLOG_MASK_CALLABLE)."""
    if value in ("", "None"):
        return value
    return mask_identifier(value)


def register(model, *, secret_fields=(), **options) -> None:
    """Track every create, update and delete of ``model``.

    Personal identifiers go in ``mask_fields`` (the log shows them masked, enough to recognise one). Secrets
    (one-time codes, tokens, password hashes, a text that carries a code) go in ``secret_fields``: a secret has
    no safe masked form (the last digits of an 8-digit code are an eighth of it), so the log never records
    them at all, not even that they changed. ``tests/accounts/test_audit_secrets.py`` walks every registered
    model and fails on a secret-like field that is still recorded.
    """
    if secret_fields:
        options["exclude_fields"] = [*options.get("exclude_fields", ()), *secret_fields]
    auditlog.register(model, **options)


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, but reading the client address the way the rest of the portal trusts it."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request) or None

    @staticmethod
    def _get_remote_port(request):
        return None


def log_reveal(*, actor, instance, field: str) -> LogEntry:
    """Record that ``actor`` opened the full, unmasked value of ``field`` on ``instance``."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data={"kind": REVEAL, "field": field},
    )


def log_export(*, actor, model, rows: int, description: str = "", filters: dict | None = None) -> LogEntry:
    """Record an export of ``rows`` rows of ``model`` (the filters used tell what left the building)."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=description or model._meta.verbose_name_plural,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        additional_data={"kind": EXPORT, "rows": rows, "filters": filters or {}},
    )


def log_event(*, actor, instance, kind: str, request=None, action=LogEntry.Action.UPDATE, **data) -> LogEntry:
    """Record an account event (sign-in, roles, password) on ``instance``, with what it changed in ``data``.

    Never pass a secret in ``data``: a password, a code or a token has no place in the trail (see
    ``register``'s ``secret_fields``).
    """
    extra = {"remote_addr": client_ip(request) or None} if request is not None else {}
    return LogEntry.objects.log_create(
        instance, force_log=True, action=action, actor=actor, additional_data={"kind": kind, **data}, **extra
    )


def log_sign_in(sender, request, user, **kwargs) -> None:
    """Every successful sign-in, staff and members alike (Django's ``user_logged_in``; the API token endpoint
    calls it too, with ``channel="api"``)."""
    log_event(
        actor=user, instance=user, kind=SIGN_IN, request=request, action=LogEntry.Action.ACCESS,
        channel=kwargs.get("channel", "web"),
    )  # fmt: skip


def log_sign_out(sender, request, user, **kwargs) -> None:
    """Every sign-out, asked for or by the idle timeout (Django's ``user_logged_out``)."""
    if user is not None:
        log_event(actor=user, instance=user, kind=SIGN_OUT, request=request, action=LogEntry.Action.ACCESS)


def describe(entry) -> str:
    """An account event's words for the auditor (``""`` for ordinary changes, shown by their fields)."""
    from .roles import role_label

    data = entry.additional_data or {}
    kind = data.get("kind")
    if kind == ROLES:
        parts = []
        if data.get("added"):
            parts.append(_("added %(roles)s") % {"roles": "、".join(role_label(c) for c in data["added"])})
        if data.get("removed"):
            parts.append(_("removed %(roles)s") % {"roles": "、".join(role_label(c) for c in data["removed"])})
        return _("Roles changed: %(changes)s") % {"changes": "；".join(parts)}
    if kind == ROLE_ASKED:
        return _("Asked to grant the role %(role)s (waits for a second administrator)") % {
            "role": role_label(data.get("role", ""))
        }
    if kind == ROLE_CONFIRMED:
        return _("Confirmed the grant of the role %(role)s asked by %(asked_by)s") % {
            "role": role_label(data.get("role", "")),
            "asked_by": data.get("asked_by", ""),
        }
    if kind == PASSWORD_RESET:
        return str(_("Password reset by the security administrator; a change is required at the next sign-in"))
    if kind == PASSWORD_CHANGED:
        return str(PASSWORD_HOW.get(data.get("how"), _("Password changed")))
    if kind == SIGN_IN:
        return str(_("Signed in (API token)") if data.get("channel") == "api" else _("Signed in"))
    if kind == SIGN_OUT:
        return str(_("Signed out"))
    return ""


PASSWORD_HOW = {
    "form": _("Password changed by its owner"),
    "code": _("Password set with a one-time code"),
    "activation": _("Account activated and password set"),
}


def audit_entries_for(user):
    """The audit rows a user may browse: actions by accounts in their subtree.

    Rows by a member's own account belong to the member's union. Rows without an actor (scheduled jobs, the
    command line) belong to no node; only users at the top of the tree see them.
    """
    visible = scope_q(user, "actor__organisation__path")
    # A member's own account has no node: its sign-ins and password changes belong to the member's union.
    if user_scope_path(user) is not None:
        visible |= Q(actor__organisation__isnull=True) & scope_q(user, "actor__member__org_path")
    path = user_scope_path(user)
    if path == WHOLE_TREE or (path and user.organisation.is_root()):
        visible |= Q(actor__isnull=True)
    return LogEntry.objects.select_related("actor", "content_type").filter(visible)


def access_audit_entry(user, pk: int):
    """One audit row the user may browse, or 404."""
    return get_object_or_404(audit_entries_for(user), pk=pk)
