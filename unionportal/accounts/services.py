"""Writes on accounts. Each leaves its audit row through the registered models (see apps.py) or ``audit.log_event``.

Roles and passwords follow separation of duties (等保 2.0): only the security administrator grants roles or
resets a password, never for their own account; the auditor and security-administrator roles need a second
security administrator; a reset password must be changed at the next sign-in.
"""

import secrets
import string

from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from unionportal.org.scope import in_scope

from . import audit
from .models import RoleGrant, User
from .roles import ROLES, SECOND_PERSON_ROLES

# Called after any password of an account changes, with (user=, actor=, how=): upper floors add what they need
# (members: an SMS to the member). Registered from an AppConfig.ready, so this floor imports none of them.
_password_change_hooks = []


def on_password_change(hook):
    _password_change_hooks.append(hook)
    return hook


@transaction.atomic
def two_factor_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per account: drop any half-finished pairing left behind.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()


@transaction.atomic
def two_factor_remove(*, user) -> None:
    for device in TOTPDevice.objects.filter(user=user):
        device.delete()  # one by one, so each deletion is audited


def lockout_release(*, attempt: AccessAttempt) -> None:
    attempt.delete()


def _require_security_admin(actor, user) -> None:
    """The actor is a security administrator acting on someone else's staff account in their scope."""
    if not actor.has_role("security_admin") or not actor.has_perm("accounts.manage_security"):
        raise PermissionDenied
    if user.is_member_account or (user.organisation_id and not in_scope(actor, user.organisation.path)):
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError(_("No one may change their own roles or reset their own password here."))


@transaction.atomic
def user_roles_set(*, actor, user: User, roles: set[str], request=None) -> list[RoleGrant]:
    """Give ``user`` exactly ``roles``. Returns the grants left waiting for a second administrator.

    Removals and ordinary additions take effect at once; an addition of a ``SECOND_PERSON_ROLES`` role becomes
    a pending ``RoleGrant`` instead. One audit row says which roles were added and removed, and by whom.
    """
    _require_security_admin(actor, user)
    unknown = set(roles) - {code for code, role in ROLES.items() if role.staff}
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    # Two administrators changing one account at once: the second waits here and reads the first one's roles.
    User.objects.select_for_update(of=("self",)).filter(pk=user.pk).first()
    current = set(user.groups.values_list("name", flat=True))
    added = set(roles) - current
    removed = (current - set(roles)) & {code for code, role in ROLES.items() if role.staff}
    asked = added & SECOND_PERSON_ROLES
    added -= asked
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
        # A role taken away also cancels its pending grant, so a later confirmation cannot bring it back.
        RoleGrant.objects.filter(user=user, role__in=removed, status=RoleGrant.Status.PENDING).update(
            status=RoleGrant.Status.CANCELLED, decided_by=actor, decided_at=timezone.now()
        )
    if added or removed:
        audit.log_event(
            actor=actor, instance=user, kind=audit.ROLES, request=request, added=sorted(added), removed=sorted(removed)
        )
    pending = []
    for code in sorted(asked):
        grant = RoleGrant.objects.filter(user=user, role=code, status=RoleGrant.Status.PENDING).first()
        if grant is None:
            grant = RoleGrant.objects.create(user=user, role=code, requested_by=actor)
            audit.log_event(actor=actor, instance=user, kind=audit.ROLE_ASKED, request=request, role=code)
        pending.append(grant)
    user.__dict__.pop("_role_codes", None)
    return pending


@transaction.atomic
def role_grant_confirm(*, actor, grant: RoleGrant, request=None) -> None:
    """A second security administrator confirms a pending grant: the account now holds the role."""
    grant = RoleGrant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    _require_security_admin(actor, grant.user)
    if grant.status != RoleGrant.Status.PENDING:
        return
    if grant.requested_by_id == actor.pk:
        raise ValidationError(_("A second security administrator must confirm this grant, not the one who asked."))
    grant.status = RoleGrant.Status.CONFIRMED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    grant.user.groups.add(Group.objects.get(name=grant.role))
    audit.log_event(
        actor=actor,
        instance=grant.user,
        kind=audit.ROLE_CONFIRMED,
        request=request,
        role=grant.role,
        asked_by=grant.requested_by.username,
    )


def _temporary_password() -> str:
    # Four kinds of characters, so it passes the portal's own rules; shown once, to be changed at sign-in.
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _i in range(10))
    return f"{core}-{secrets.choice(string.ascii_uppercase)}{secrets.choice(string.digits)}"


@transaction.atomic
def user_password_reset(*, actor, user: User, request=None) -> str:
    """The security administrator resets a staff password; returns a temporary one to hand over in person.

    The account must choose a new password at its next sign-in (``must_change_password``), every API token of
    the account is revoked, and the reset is audited. An authenticator stays paired: a reset alone does not let
    the one who reset it sign in as a two-factor user.
    """
    _require_security_admin(actor, user)
    temporary = _temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.log_event(actor=actor, instance=user, kind=audit.PASSWORD_RESET, request=request)
    _after_password_change(user=user, actor=actor, how="reset")
    return temporary


def password_changed(*, user: User, actor, how: str, request=None, **details) -> None:
    """Call after an account's owner set a new password (``how``: form, code, activation): audit and follow-ups.

    ``details`` go to the audit row (e.g. the code's purpose); never a secret.
    """
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit.log_event(actor=actor, instance=user, kind=audit.PASSWORD_CHANGED, request=request, how=how, **details)
    _after_password_change(user=user, actor=actor, how=how)


def _after_password_change(*, user, actor, how: str) -> None:
    # Whoever held a token signed in with the old password loses it (a stolen phone, a script with a leaked
    # password). Sessions end by themselves: Django ties them to the password hash.
    AuthToken.objects.filter(user=user).delete()
    for hook in _password_change_hooks:
        hook(user=user, actor=actor, how=how)
