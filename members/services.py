"""Writes on members, transfers and certificates (the tree itself: ``unionportal.org.services``).

Every service takes the acting user, checks that what it touches lies in the actor's scope (a 404 for
the caller, as for a view), locks the rows it changes, and leaves the audit trail through the
registered models plus an event row where the domain keeps a history.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core import numbers
from unionportal.core.transitions import transition
from unionportal.org.models import CHANGE_REPORT_DAYS, Organisation
from unionportal.org.scope import require_in_scope

from . import events
from .models import (
    TRANSFER_FLOW,
    CertificateCase,
    Member,
    MemberCard,
    MembershipPeriod,
    Transfer,
)  # fmt: skip
from .validators import (
    birth_date_from_id,
    normalise_id_number,
    same_name,
    sex_from_id,
    validate_id_number,
    validate_not_in_future,
)

MEMBER_SEQUENCE = "member"


ALREADY_ELSEWHERE = gettext_lazy("Already a member elsewhere.")


class AlreadyMember(ValidationError):
    """The ID number belongs to an existing member: offer a transfer instead of a duplicate.

    The message names nobody: who the member is, and where, is the caller's to show, and only to someone who
    sees that union or who typed the member's own name with the number (``same_name``).
    """

    def __init__(self, member: Member):
        self.member = member
        super().__init__(ALREADY_ELSEWHERE, code="already_member")


class NoTransfer(ValidationError):
    """No transfer can be asked for with this ID number and name: unknown number, other name, or no such union.

    One answer for all of them, so that the form cannot be used to find out who is a member, or where.
    """

    def __init__(self):
        super().__init__(_("No transfer can be asked for with this ID number and name."), code="no_transfer")


def member_numbers(count: int) -> list[str]:
    """Reserve ``count`` member numbers: the city prefix and eight digits, never reused."""
    prefix = settings.MEMBER_NUMBER_PREFIX
    return [f"{prefix}{n:08d}" for n in numbers.allocate(MEMBER_SEQUENCE, count)]


# --- Organisations ---------------------------------------------------------------------------------


def merge_members(*, source: Organisation, target: Organisation, on: date, actor) -> str:
    """The members' part of a union merge (a hook of ``org.services.organisation_merge``).

    Active members move over with a new membership period; pending transfers out of the union are cancelled.
    """
    members = list(Member.objects.select_for_update().filter(organisation=source, status=Member.Status.ACTIVE))
    for member in members:
        _move_member(member, target, on, MembershipPeriod.Reason.MERGED)
    _cancel_pending(Transfer.objects.filter(from_organisation=source), actor=actor, note=_("Union merged"))
    return _("%(n)d members moved") % {"n": len(members)}


def active_members_refusal(node: Organisation) -> str | None:
    """A node with active members in its subtree cannot be deregistered (a hook of ``org.services``)."""
    active_members = Member.objects.filter(org_path__startswith=node.path, status=Member.Status.ACTIVE).count()
    if active_members:
        return _("%(name)s still has %(n)d active members: transfer them or merge the union first.") % {
            "name": node.name,
            "n": active_members,
        }
    return None


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
    require_in_scope(actor, organisation.path)
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
    late = bool(changed_on and (today - changed_on).days > CHANGE_REPORT_DAYS)
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
    if node.particulars_changed_on and (today - node.particulars_changed_on).days > CHANGE_REPORT_DAYS:
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
    require_in_scope(actor, organisation.path)
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
    require_in_scope(actor, member.organisation.path)
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
    require_in_scope(actor, member.organisation.path)
    on = validate_not_in_future(on or timezone.localdate())
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
    require_in_scope(actor, member.organisation.path)
    validate_not_in_future(issued_on)
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
    require_in_scope(actor, member.organisation.path)
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
    require_in_scope(actor, to_organisation.path)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    _check_transfer_target(locked, to_organisation)
    return _create_pending(
        member=locked, from_organisation=locked.organisation, to_organisation=to_organisation,
        reason=reason, requested_by=actor, asked_by_receiver=True,
    )  # fmt: skip


@transaction.atomic
def transfer_ask(*, actor, id_number: str, name: str, to_organisation: Organisation, reason: str = "") -> Transfer:
    """The new union asks for a member of another union, known by the ID number and the name typed at its counter.

    The member is found only by the pair: an unknown ID number and a name that is not the member's get the same
    ``NoTransfer``, and nothing is created. Once the pair matches, the refusals of ``transfer_request`` (a transfer
    already waiting, a membership that has ended) may name the member: the counter has shown who they are.
    """
    require_in_scope(actor, to_organisation.path)
    member = Member.objects.filter(id_number=normalise_id_number(id_number)).first()
    if member is None or not same_name(name, member.name):
        raise NoTransfer
    return transfer_request(actor=actor, member=member, to_organisation=to_organisation, reason=reason)


def _lock_pending(actor, transfer: Transfer) -> Transfer | None:
    locked = Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)
    require_in_scope(actor, locked.deciding_organisation.path)
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
    require_in_scope(actor, starter.path)
    if locked.status == Transfer.Status.PENDING:
        locked = _move_transfer(locked, Transfer.Status.CANCELLED, actor=actor)
    return locked
