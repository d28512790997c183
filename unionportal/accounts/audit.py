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
from django.utils.translation import gettext_lazy as _

from unionportal.core.display import mask_identifier

from .scope import WHOLE_TREE, scope_q, user_scope_path
from .security import client_ip

REVEAL = "reveal"
EXPORT = "export"

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


def audit_entries_for(user):
    """The audit rows a user may browse: actions by accounts in their subtree.

    Rows without an actor (scheduled jobs, the command line) belong to no node; only users at the top
    of the tree see them.
    """
    visible = scope_q(user, "actor__organisation__path")
    path = user_scope_path(user)
    if path == WHOLE_TREE or (path and user.organisation.is_root()):
        visible |= Q(actor__isnull=True)
    return LogEntry.objects.select_related("actor", "content_type").filter(visible)
