"""Writes on the organisation tree, members and transfers.

Every service takes the acting user, checks that what it touches lies in the actor's scope (a 404 for
the caller, as for a view), locks the rows it changes, and leaves the audit trail through the
registered models plus an event row where the domain keeps a history.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.accounts.scope import in_scope
from unionportal.core import numbers
from unionportal.core.transitions import transition

from . import events
from .models import (
    TRANSFER_FLOW,
    CertificateCase,
    Member,
    MemberCard,
    MembershipPeriod,
    Organisation,
    OrganisationEvent,
    Transfer,
)  # fmt: skip
from .validators import birth_date_from_id, sex_from_id, validate_id_number

MEMBER_SEQUENCE = "member"


class AlreadyMember(ValidationError):
    """The ID number belongs to an existing member: offer a transfer instead of a duplicate."""

    def __init__(self, member: Member):
        self.member = member
        super().__init__(
            _("%(name)s is already a member of %(union)s (member number %(number)s)."),
            code="already_member",
            params={"name": member.name, "union": member.organisation.name, "number": member.member_number},
        )


def _require_scope(actor, organisation: Organisation) -> None:
    if not in_scope(actor, organisation.path):
        raise Http404


def member_numbers(count: int) -> list[str]:
    """Reserve ``count`` member numbers: the city prefix and eight digits, never reused."""
    prefix = settings.MEMBER_NUMBER_PREFIX
    return [f"{prefix}{n:08d}" for n in numbers.allocate(MEMBER_SEQUENCE, count)]


# --- Organisations ---------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, actor, parent: Organisation, fields: dict) -> Organisation:
    """Create a node under ``parent`` (which must be in the actor's scope)."""
    _require_scope(actor, parent)
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
    with a change case within 30 days: the date of the change is kept until then.
    """
    _require_scope(actor, organisation)
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
    """Move a node (and everything under it) to a new parent; members' copied paths follow in one UPDATE."""
    _require_scope(actor, organisation)
    _require_scope(actor, new_parent)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    target = Organisation.objects.get(pk=new_parent.pk)
    if target.path.startswith(node.path):
        raise ValidationError(_("A node cannot be moved under itself or under one of its own branches."))
    if node.depth == 1:
        raise ValidationError(_("The city federation cannot be moved."))
    old_parent = Organisation.objects.get_parent(node)
    if old_parent.pk == target.pk:
        return node
    old_path = node.path
    Organisation.objects.move(node, target, "last-child")  # only the moved subtree's paths change
    node.refresh_from_db()
    # Keep Member.org_path in step: replace the old prefix with the new one for the whole subtree.
    Member.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(node.path), Substr(F("org_path"), len(old_path) + 1))
    )
    OrganisationEvent.objects.create(
        organisation=node, kind=OrganisationEvent.Kind.MOVED, from_parent=old_parent, to_parent=target, actor=actor
    )
    return node


@transaction.atomic
def organisation_merge(*, actor, source: Organisation, target: Organisation, on: date | None = None) -> int:
    """Merge union ``source`` into union ``target``: its active members move over, it is deregistered.

    Returns how many members moved.
    """
    _require_scope(actor, source)
    _require_scope(actor, target)
    on = on or timezone.localdate()
    if source.pk == target.pk:
        raise ValidationError(_("A union cannot be merged into itself."))
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    source, target = locked[source.pk], locked[target.pk]
    if not (source.is_union and target.is_union):
        raise ValidationError(_("Only grassroots unions can be merged."))
    if not target.is_active:
        raise ValidationError(_("%(name)s has been deregistered.") % {"name": target})
    if Organisation.objects.get_children(source).filter(is_active=True).exists():
        raise ValidationError(_("Move or deregister the union groups under %(name)s first.") % {"name": source})
    members = list(Member.objects.select_for_update().filter(organisation=source, status=Member.Status.ACTIVE))
    for member in members:
        _move_member(member, target, on, MembershipPeriod.Reason.MERGED)
    _cancel_pending(Transfer.objects.filter(from_organisation=source), actor=actor, note=_("Union merged"))
    _deregister(source, on)
    OrganisationEvent.objects.create(
        organisation=source, kind=OrganisationEvent.Kind.MERGED, other=target, actor=actor,
        note=_("%(n)d members moved") % {"n": len(members)},
    )  # fmt: skip
    OrganisationEvent.objects.create(
        organisation=target, kind=OrganisationEvent.Kind.ABSORBED, other=source, actor=actor,
        note=_("%(n)d members moved") % {"n": len(members)},
    )  # fmt: skip
    return len(members)


@transaction.atomic
def organisation_deregister(*, actor, organisation: Organisation, reason: str, on: date | None = None) -> None:
    """Deregister a node that no longer has active members or active nodes under it."""
    _require_scope(actor, organisation)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if node.depth == 1:
        raise ValidationError(_("The city federation cannot be deregistered."))
    if not node.is_active:
        return
    active_members = Member.objects.filter(org_path__startswith=node.path, status=Member.Status.ACTIVE).count()
    if active_members:
        raise ValidationError(
            _("%(name)s still has %(n)d active members: transfer them or merge the union first."),
            params={"name": node.name, "n": active_members},
        )
    if Organisation.objects.get_descendants(node).filter(is_active=True).exists():
        raise ValidationError(_("Deregister the organisations under %(name)s first.") % {"name": node.name})
    _deregister(node, on or timezone.localdate())
    OrganisationEvent.objects.create(
        organisation=node, kind=OrganisationEvent.Kind.DEREGISTERED, note=reason[:200], actor=actor
    )


def _deregister(node: Organisation, on: date) -> None:
    node.is_active = False
    node.deregistered_on = on
    node.save(update_fields=["is_active", "deregistered_on", "updated_at"])


# --- Legal-person certificates --------------------------------------------------------------------


@transaction.atomic
def certificate_case_file(
    *,
    actor,
    organisation: Organisation,
    kind: str,
    certificate_number: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    changed_on: date | None = None,
    note: str = "",
) -> CertificateCase:
    """Record a certificate case at the counter and bring the union's certificate fields up to date."""
    _require_scope(actor, organisation)
    node = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not node.is_union:
        raise ValidationError(_("Legal-person certificates are issued to grassroots unions."))
    K = CertificateCase.Kind
    if kind in (K.NEW, K.RENEW, K.REISSUE) and not (certificate_number and valid_until):
        raise ValidationError(_("Enter the certificate number and its expiry date."))
    if kind in (K.CHANGE, K.RENEW, K.REISSUE, K.CANCEL) and not node.certificate_number:
        raise ValidationError(_("This union holds no certificate yet: file a new certificate first."))
    if kind == K.NEW and node.certificate_number:
        raise ValidationError(
            _("This union already holds certificate %(number)s.") % {"number": node.certificate_number}
        )
    today = timezone.localdate()
    if kind == K.CHANGE:
        changed_on = changed_on or node.particulars_changed_on or today
    late = bool(changed_on and (today - changed_on).days > settings.CERTIFICATE_CHANGE_REPORT_DAYS)
    case = CertificateCase.objects.create(
        organisation=node, kind=kind, certificate_number=certificate_number or node.certificate_number,
        valid_from=valid_from, valid_until=valid_until, changed_on=changed_on, reported_late=late,
        note=note, handled_by=actor,
    )  # fmt: skip
    if kind == K.CANCEL:
        node.certificate_number, node.certificate_valid_until = "", None
    elif kind == K.CHANGE:
        node.particulars_changed_on = None
    else:
        node.certificate_number, node.certificate_valid_until = certificate_number, valid_until
    node.alert = certificate_alert_for(node, today)
    node.save(
        update_fields=["certificate_number", "certificate_valid_until", "particulars_changed_on", "alert", "updated_at"]
    )
    return case


def certificate_alert_for(node: Organisation, today: date) -> str:
    A = Organisation.Alert
    if not node.is_active:
        return A.NONE
    if node.certificate_valid_until:
        if node.certificate_valid_until < today:
            return A.EXPIRED
        if node.certificate_valid_until <= today + timedelta(days=settings.CERTIFICATE_EXPIRY_WARNING_DAYS):
            return A.EXPIRING
    if node.particulars_changed_on and (today - node.particulars_changed_on).days > (
        settings.CERTIFICATE_CHANGE_REPORT_DAYS
    ):
        return A.CHANGE_UNREPORTED
    return A.NONE


def certificate_alerts_refresh(*, today: date | None = None) -> int:
    """Recompute ``Organisation.alert`` for the unions that need attention, and clear it elsewhere.

    Reads only unions with a certificate, a pending change or a standing alert; writes only rows whose alert
    changes. Safe to run twice or on two workers: the result depends on the data and the date alone.
    """
    today = today or timezone.localdate()
    candidates = Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS).exclude(
        certificate_valid_until__isnull=True, particulars_changed_on__isnull=True, alert=""
    )
    changed = 0
    for node in candidates.only("pk", "alert", "is_active", "certificate_valid_until", "particulars_changed_on"):
        alert = certificate_alert_for(node, today)
        if alert != node.alert:
            changed += Organisation.objects.filter(pk=node.pk).update(alert=alert)
    return changed


# --- Members ---------------------------------------------------------------------------------------


def member_check_new_id(id_number: str) -> str:
    """Validate an ID number for a new member; raise ``AlreadyMember`` if the person is already one."""
    number = validate_id_number(id_number)
    existing = Member.objects.select_related("organisation").filter(id_number=number).first()
    if existing is not None:
        raise AlreadyMember(existing)
    return number


@transaction.atomic
def member_register(*, actor, organisation: Organisation, data: dict) -> Member:
    """Register a new member in a grassroots union. Sex and birth date come from the ID number."""
    _require_scope(actor, organisation)
    if not organisation.is_union or not organisation.is_active:
        raise ValidationError(_("Members join an active grassroots union."))
    id_number = member_check_new_id(data["id_number"])
    joined_on = data.get("joined_on") or timezone.localdate()
    member = Member(
        **{**data, "id_number": id_number, "joined_on": joined_on},
        member_number=member_numbers(1)[0],
        sex=sex_from_id(id_number) if data.get("id_type", Member.IdType.RESIDENT) == Member.IdType.RESIDENT
        else data["sex"],
        birth_date=birth_date_from_id(id_number),
        organisation=organisation,
        org_path=organisation.path,
    )  # fmt: skip
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # Two clerks registered the same person at the same moment: the unique index decided.
        raise AlreadyMember(Member.objects.get(id_number=id_number)) from None
    MembershipPeriod.objects.create(
        member=member, organisation=organisation, started_on=joined_on, start_reason=MembershipPeriod.Reason.JOINED
    )
    return member


@transaction.atomic
def member_update(*, actor, member: Member, data: dict) -> list[str]:
    _require_scope(actor, member.organisation)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, data[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return changed


END_REASONS = {
    Member.Status.RETIRED: MembershipPeriod.Reason.RETIRED,
    Member.Status.LEFT: MembershipPeriod.Reason.LEFT,
    Member.Status.DECEASED: MembershipPeriod.Reason.DECEASED,
    Member.Status.TRANSFERRED_OUT: MembershipPeriod.Reason.TRANSFERRED_OUT,
}


@transaction.atomic
def member_set_status(*, actor, member: Member, status: str, on: date | None = None) -> Member:
    """Record retirement, leaving, death or a transfer out of the city.

    A retired member keeps membership at the last union (the period stays open); the others end it.
    """
    _require_scope(actor, member.organisation)
    on = on or timezone.localdate()
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if locked.status == status:
        return locked
    if locked.status != Member.Status.ACTIVE and status != Member.Status.ACTIVE:
        raise ValidationError(_("Only an active member's status can be changed this way."))
    if status != Member.Status.RETIRED and status in END_REASONS:
        MembershipPeriod.objects.filter(member=locked, ended_on__isnull=True).update(
            ended_on=on, end_reason=END_REASONS[status]
        )
    _cancel_pending(Transfer.objects.filter(member=locked), actor=actor, note=locked.get_status_display())
    locked.status, locked.status_changed_on = status, on
    locked.save(update_fields=["status", "status_changed_on", "updated_at"])
    return locked


@transaction.atomic
def member_card_issue(*, actor, member: Member, number: str, issued_on: date) -> MemberCard:
    """Record a service card; a card still in use is cancelled by its replacement."""
    _require_scope(actor, member.organisation)
    for card in MemberCard.objects.select_for_update().filter(member=member, status=MemberCard.Status.ACTIVE):
        card.status = MemberCard.Status.CANCELLED
        card.save(update_fields=["status"])
    return MemberCard.objects.create(member=member, number=number, issued_on=issued_on)


def _move_member(member: Member, target: Organisation, on: date, reason: str) -> None:
    MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on, end_reason=reason)
    MembershipPeriod.objects.create(member=member, organisation=target, started_on=on, start_reason=reason)
    member.organisation, member.org_path = target, target.path
    member.save(update_fields=["organisation", "org_path", "updated_at"])


# --- Transfers -------------------------------------------------------------------------------------


def _check_transfer_target(member: Member, target: Organisation) -> None:
    if not target.is_union or not target.is_active:
        raise ValidationError(_("A member can only be transferred to an active grassroots union."))
    if target.pk == member.organisation_id:
        raise ValidationError(_("%(name)s is already a member of %(union)s.") % {"name": member, "union": target})
    if member.status not in (Member.Status.ACTIVE, Member.Status.RETIRED):
        raise ValidationError(
            _("%(name)s's membership has ended (%(status)s); register again instead.")
            % {"name": member, "status": member.get_status_display()}
        )


def _cancel_pending(transfers, *, actor, note: str) -> None:
    """Withdraw pending transfers in one statement, each with its event row (no change bypasses the history)."""
    pks = list(transfers.filter(status=Transfer.Status.PENDING).select_for_update().values_list("pk", flat=True))
    Transfer.objects.filter(pk__in=pks, status=Transfer.Status.PENDING).update(
        status=Transfer.Status.CANCELLED, decided_at=timezone.now(), decision_note=note[:200]
    )
    events.transfers_moved_in_bulk(pks, old=Transfer.Status.PENDING, new=Transfer.Status.CANCELLED, actor=actor,
                                   note=note)  # fmt: skip


def _move_transfer(transfer: Transfer, new: str, *, actor, note: str = "", changes=None) -> Transfer:
    """A transfer already locked by the caller moves through the shared helper (refused if the table lacks it)."""
    row, _moved = transition(
        transfer, new, flow=TRANSFER_FLOW, actor=actor, record=events.transfer_moved, note=note,
        changes={"decided_by": actor, "decided_at": timezone.now(), **(changes or {})}, lock=False,
    )  # fmt: skip
    return row


def _create_pending(**fields) -> Transfer:
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(**fields)
            events.transfer_moved(transfer, old="", new=transfer.status, actor=fields["requested_by"],
                                  note=fields.get("reason", ""))  # fmt: skip
            return transfer
    except IntegrityError:
        raise ValidationError(
            _("%(name)s already has a transfer waiting for a decision.") % {"name": fields["member"]},
            code="pending_transfer",
        ) from None


@transaction.atomic
def transfer_send(*, actor, member: Member, to_organisation: Organisation, reason: str = "") -> Transfer:
    """The member's union sends the membership to another union, which then accepts or declines."""
    _require_scope(actor, member.organisation)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    _check_transfer_target(locked, to_organisation)
    return _create_pending(
        member=locked, from_organisation=locked.organisation, to_organisation=to_organisation,
        reason=reason, requested_by=actor,
    )  # fmt: skip


@transaction.atomic
def transfer_request(*, actor, member: Member, to_organisation: Organisation, reason: str = "") -> Transfer:
    """The new union asks for a person who is a member elsewhere; the old union releases or declines.

    The actor need not see the old union: the person came to the new union's counter in person.
    """
    _require_scope(actor, to_organisation)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    _check_transfer_target(locked, to_organisation)
    return _create_pending(
        member=locked, from_organisation=locked.organisation, to_organisation=to_organisation,
        reason=reason, requested_by=actor, asked_by_receiver=True,
    )  # fmt: skip


def _lock_pending(actor, transfer: Transfer) -> Transfer | None:
    locked = Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)
    _require_scope(actor, locked.deciding_organisation)
    return locked if locked.status == Transfer.Status.PENDING else None


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer, on: date | None = None) -> Transfer:
    """The deciding union accepts: the old period closes, a new one opens, the member number stays.

    A second click, or two officers at once, finds the transfer no longer pending and changes nothing.
    """
    locked = _lock_pending(actor, transfer)
    if locked is None:
        return Transfer.objects.get(pk=transfer.pk)
    member = Member.objects.select_for_update().get(pk=locked.member_id)
    target = Organisation.objects.get(pk=locked.to_organisation_id)
    if not target.is_active:
        raise ValidationError(_("%(name)s has been deregistered.") % {"name": target})
    _move_member(member, target, on or timezone.localdate(), MembershipPeriod.Reason.TRANSFER)
    return _move_transfer(locked, Transfer.Status.ACCEPTED, actor=actor)


@transaction.atomic
def transfer_decline(*, actor, transfer: Transfer, note: str) -> Transfer:
    locked = _lock_pending(actor, transfer)
    if locked is None:
        return Transfer.objects.get(pk=transfer.pk)
    if not note.strip():
        raise ValidationError(_("Say why the transfer is declined."))
    return _move_transfer(locked, Transfer.Status.DECLINED, actor=actor, note=note,
                          changes={"decision_note": note[:200]})  # fmt: skip


@transaction.atomic
def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The side that started a transfer withdraws it while it is still pending."""
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    starter = locked.to_organisation if locked.asked_by_receiver else locked.from_organisation
    _require_scope(actor, starter)
    if locked.status == Transfer.Status.PENDING:
        locked = _move_transfer(locked, Transfer.Status.CANCELLED, actor=actor)
    return locked
