"""Writes on the organisation tree: create, change, move, merge, deregister.

Every service takes the acting user, checks that the node lies in the actor's scope (a 404 for the caller,
as for a view), locks what it changes, and writes an ``OrganisationEvent`` (registered with the audit log,
so every move and merge is on record with the old and the new parent by name). What hangs off the tree in the
apps above is reached through ``registry``: the path copies a move rewrites, the members a merge moves, the
reasons a node cannot be deregistered.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .models import Organisation, OrganisationEvent, RetiredPath
from .paths import county_path
from .scope import in_scope, require_in_scope


def _require_target_scope(actor, node: Organisation, target: Organisation) -> None:
    """The target of a move or merge must be in the actor's scope too; across counties that means the city's.

    A refusal, not a 404: the actor reached the node legitimately and chose the target from a list.
    """
    if in_scope(actor, target.path):
        return
    if county_path(node.path) != county_path(target.path):
        raise ValidationError(
            _("%(target)s is in another county: only the city federation can move or merge across counties.")
            % {"target": target.name},
            code="other_county",
        )
    raise ValidationError(_("%(target)s is outside your organisation.") % {"target": target.name}, code="out_of_scope")


@transaction.atomic
def organisation_create(*, actor, parent: Organisation, fields: dict) -> Organisation:
    """Create a node under ``parent`` (which must be in the actor's scope). Its path was never anyone's."""
    require_in_scope(actor, parent.path)
    parent = Organisation.objects.select_for_update().get(pk=parent.pk)
    if not parent.is_active:
        raise ValidationError(_("%(name)s has been deregistered; nothing can be added under it.") % {"name": parent})
    node = Organisation.objects.add_child(parent, fields)
    OrganisationEvent.objects.create(organisation=node, kind=OrganisationEvent.Kind.CREATED, actor=actor)
    return node


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, data: dict) -> list[str]:
    """Change the given fields; return the names of those that really changed.

    A change of registered particulars of a union holding a legal-person certificate must be reported
    with a change case within ``CHANGE_REPORT_DAYS`` (30, by regulation): the date of the change is kept until then.
    """
    require_in_scope(actor, organisation.path)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in data.items() if getattr(node, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(node, name, data[name])
    update_fields = [*changed, "updated_at"]
    particulars = set(changed) & set(Organisation.REGISTERED_PARTICULARS)
    if node.certificate_number and particulars and node.particulars_changed_on is None:
        node.particulars_changed_on = timezone.localdate()
        update_fields.append("particulars_changed_on")
    node.save(update_fields=update_fields)
    OrganisationEvent.objects.create(
        organisation=node,
        kind=OrganisationEvent.Kind.CHANGED,
        note="、".join(str(Organisation._meta.get_field(name).verbose_name) for name in changed)[:200],
        actor=actor,
    )
    return changed


@transaction.atomic
def organisation_move(*, actor, organisation: Organisation, new_parent: Organisation) -> Organisation:
    """Move a node and its subtree under ``new_parent``, with everything that hangs off it.

    In one transaction: treebeard rewrites the subtree's paths; every registered path copy (members, covers,
    claims, batches, payment requests, notices, reports, …) follows with one UPDATE per column; the old path
    is retired so that no node created later under the old parent can take it (see ``RetiredPath``). Both
    ends must be in the actor's scope: across counties, only the city federation can move.
    """
    require_in_scope(actor, organisation.path)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    target = Organisation.objects.select_for_update().get(pk=new_parent.pk)
    _require_target_scope(actor, node, target)
    if node.depth == 1:
        raise ValidationError(_("The city federation cannot be moved."))
    if target.path.startswith(node.path):
        raise ValidationError(_("A node cannot be moved under itself or under one of its own branches."))
    if not target.is_active:
        raise ValidationError(_("%(name)s has been deregistered; nothing can be added under it.") % {"name": target})
    old_parent = Organisation.objects.get_parent(node)
    if old_parent.pk == target.pk:
        return node
    old_path = node.path
    Organisation.objects.move(node, target, "last-child")  # only the moved subtree's paths change
    node.refresh_from_db()
    registry.rewrite_path_copies(old_path, node.path)
    RetiredPath.objects.get_or_create(path=old_path)
    OrganisationEvent.objects.create(
        organisation=node, kind=OrganisationEvent.Kind.MOVED, from_parent=old_parent, to_parent=target, actor=actor,
        note=_("From %(old)s to %(new)s") % {"old": old_parent.name, "new": target.name},
    )  # fmt: skip
    return node


@transaction.atomic
def organisation_merge(*, actor, source: Organisation, target: Organisation, on: date | None = None) -> str:
    """Merge union ``source`` into union ``target``; return the note of what moved.

    The members' hook moves the active members; every registered copy that carries the union's own path
    (covers, claims, batches, payment requests, notices) is rewritten to the target's, so the union that took
    the members in sees their history. ``source`` is deregistered and keeps its path, which is never reused.
    """
    require_in_scope(actor, source.path)
    on = on or timezone.localdate()
    if source.pk == target.pk:
        raise ValidationError(_("A union cannot be merged into itself."))
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    source, target = locked[source.pk], locked[target.pk]
    _require_target_scope(actor, source, target)
    if not (source.is_union and target.is_union):
        raise ValidationError(_("Only grassroots unions can be merged."))
    if not source.is_active:
        raise ValidationError(_("%(name)s has been deregistered.") % {"name": source})
    if not target.is_active:
        raise ValidationError(_("%(name)s has been deregistered.") % {"name": target})
    if Organisation.objects.get_children(source).filter(is_active=True).exists():
        raise ValidationError(_("Move or deregister the union groups under %(name)s first.") % {"name": source})
    notes = [hook(source=source, target=target, on=on, actor=actor) for hook in registry.merge_hooks()]
    registry.rewrite_path_copies(source.path, target.path, exact=True, merge=True)
    _deregister(source, on)
    note = "；".join(filter(None, notes))
    # The notes name both unions, so that the audit log's copy of the event reads without looking up ids.
    OrganisationEvent.objects.create(
        organisation=source, kind=OrganisationEvent.Kind.MERGED, other=target, actor=actor,
        note=(_("Into %(name)s: %(note)s") % {"name": target.name, "note": note})[:200],
    )  # fmt: skip
    OrganisationEvent.objects.create(
        organisation=target, kind=OrganisationEvent.Kind.ABSORBED, other=source, actor=actor,
        note=(_("From %(name)s: %(note)s") % {"name": source.name, "note": note})[:200],
    )  # fmt: skip
    return note


def deregister_refusal(node: Organisation) -> str | None:
    """Why ``node`` cannot be deregistered now (portal and admin alike), or ``None``."""
    if node.depth == 1:
        return _("The city federation cannot be deregistered.")
    for check in registry.deregister_checks():
        if reason := check(node):
            return reason
    if Organisation.objects.get_descendants(node).filter(is_active=True).exists():
        return _("Deregister the organisations under %(name)s first.") % {"name": node.name}
    return None


@transaction.atomic
def organisation_deregister(*, actor, organisation: Organisation, reason: str, on: date | None = None) -> None:
    """Deregister a node that no longer has active members or active nodes under it. It keeps its path."""
    require_in_scope(actor, organisation.path)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not node.is_active:
        return
    if refusal := deregister_refusal(node):
        raise ValidationError(refusal)
    _deregister(node, on or timezone.localdate())
    OrganisationEvent.objects.create(
        organisation=node, kind=OrganisationEvent.Kind.DEREGISTERED, note=reason[:200], actor=actor
    )


def _deregister(node: Organisation, on: date) -> None:
    node.is_active = False
    node.deregistered_on = on
    node.save(update_fields=["is_active", "deregistered_on", "updated_at"])
