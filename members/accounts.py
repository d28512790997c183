"""Members' own online accounts: activation, one-time codes (counter and SMS), password resets.

What a refusal may say is the point of this module. A wrong ID check character is a typing mistake and gets
its own message (``validate_id_number``, before anything is looked up). Every other mismatch (an unknown ID
number, a phone or member number that does not belong to it, a wrong, used or expired code) gets one and the
same answer, ``NO_MATCH``, so that the forms cannot be used to find out who is a member. Attempts are
limited per ID number and per address (``core.ratelimit``, counted in the database); the caller checks
``limits_allow`` before calling a service.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.accounts import services as account_services
from unionportal.core.ratelimit import Limit, allow
from unionportal.notifications import notice_enqueue, register_kind
from unionportal.org.scope import in_scope, require_in_scope

from .backends import member_account_for
from .models import AccountCode, Member
from .validators import normalise_id_number

MEMBER_ROLE = "member"
CODE_DIGITS = 8

register_kind(
    "account.reset_code",
    title=gettext_lazy("Password reset code"),
    text=gettext_lazy(
        "[Union portal] Your code to set a new password is %(code)s, valid for %(minutes)s minutes. "
        "Do not tell anyone, staff included."
    ),
    secret=True,
)


def own_member(user) -> Member:
    """The member a member's own account belongs to: the only person its pages show.

    Staff accounts (and anyone else) get a 404: the member pages do not exist for them.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_member_account", False):
        raise Http404
    member = getattr(user, "member", None)  # Member.account, read with the user
    if member is None:
        raise Http404
    return member


register_kind(
    "account.password_changed",
    title=gettext_lazy("Password changed"),
    text=gettext_lazy(
        "[Union portal] The password of your online account was set at %(time)s. If this was not you, "
        "go to your union's service counter at once."
    ),
)


def no_match() -> ValidationError:
    return ValidationError(
        _(
            "These details do not match an account we can open. Check every digit, or ask the service counter "
            "for an activation code."
        ),
        code="no_match",
    )


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"account-code:{code}".encode(), hashlib.sha256).hexdigest()


def limits_allow(*, address: str, id_number: str, scope: str = "account") -> bool:
    """Count one attempt for the address and the ID number; False once either is over its limit."""
    window = timedelta(minutes=settings.ACCOUNT_TRIES_WINDOW_MINUTES)
    return allow(
        [
            (Limit(f"{scope}.address", settings.ACCOUNT_TRIES_PER_ADDRESS, window), address or "-"),
            (Limit(f"{scope}.id", settings.ACCOUNT_TRIES_PER_ID, window), normalise_id_number(id_number)),
        ]
    )


def _member_for(id_number: str) -> Member | None:
    return Member.objects.filter(id_number=normalise_id_number(id_number)).first()


def _set_password(member: Member, password: str, *, how: str, **details):
    """Create the member's account, or give the existing one a new password; the account is returned.

    ``how`` (activation, code) and ``details`` go to the audit row; the member gets an SMS (``password_sms``).
    """
    User = get_user_model()
    user = User.objects.select_for_update(of=("self",)).filter(member=member).first()
    new = user is None
    if new:
        user = User(username=f"m{member.member_number}", name=member.name, phone=member.phone)
    if not user.is_active:
        raise ValidationError(
            _("This account is disabled. Please ask the service counter of your union."), code="disabled"
        )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    if new:
        member.account = user
        member.save(update_fields=["account", "updated_at"])
    user.groups.add(Group.objects.get(name=MEMBER_ROLE))
    if new:
        # Codes printed before the account existed were activation codes; none of them may later reset the
        # password of the account now open (a code printed by someone other than the counter, kept back).
        AccountCode.objects.filter(member=member, used_at__isnull=True).update(expires_at=timezone.now())
    account_services.password_changed(user=user, actor=user, how=how, **details)
    return user


def password_sms(*, user, actor, how: str) -> None:
    """Every password change of a member's account tells the member by SMS (a hook of accounts.services).

    The text says when, never what: no password, no code.
    """
    member = getattr(user, "member", None)  # Member.account; a staff account has none (the reverse raises)
    if member is None or not member.phone:
        return
    now = timezone.now()
    notice_enqueue(
        "account.password_changed", f"account:{user.pk}:password:{now.isoformat()}", sms_to=member.phone,
        context={"time": now}, member_ref=member, organisation=member.org_path,
    )  # fmt: skip


def may_issue_code(actor, member: Member) -> bool:
    """Who may print a one-time code for a member.

    Anyone who may change the member (in scope) may print an activation code for a member with no account. A
    code for an account that is already open resets its password: that belongs to the counter, with the
    member present (the counter clerk's role), not to the union officer or county staff.
    """
    if not in_scope(actor, member.org_path) or not actor.has_perm("members.change_member"):
        return False
    has_account = member.account_id is not None
    return not has_account or actor.has_role("counter_clerk")


@transaction.atomic
def account_activate(*, id_number: str, phone: str, member_number: str, password: str):
    """Open a member's account with ID number + phone + member number, and set its password.

    Refused with ``NO_MATCH`` when any of the three does not fit; with the password rules' own messages when
    the password is too weak (only after the three matched).
    """
    member = _member_for(id_number)
    matches = (
        member is not None
        and member.status in (Member.Status.ACTIVE, Member.Status.RETIRED)
        and member.phone
        and hmac.compare_digest(member.phone, (phone or "").strip())
        and hmac.compare_digest(member.member_number, (member_number or "").strip())
    )
    if not matches:
        raise no_match()
    # Two activations of one member at the same moment: the second waits here and then finds the account.
    Member.objects.select_for_update().filter(pk=member.pk).first()
    if get_user_model().objects.filter(member=member).exists():
        raise ValidationError(
            _("An account already exists for you. Sign in, or reset your password with a code."), code="exists"
        )
    return _set_password(member, password, how="activation")


@transaction.atomic
def account_code_issue(*, actor, member: Member) -> str:
    """A counter clerk issues a one-time code (activation or password reset); returns the code to print.

    Earlier unused counter codes of the member stop working. The code row is audited (who issued it, when),
    which is how a reset by the counter stays in the audit trail.
    """
    require_in_scope(actor, member.org_path)
    if not actor.has_perm("members.change_member"):
        raise Http404
    if not may_issue_code(actor, member):
        raise PermissionDenied
    return _issue(member=member, purpose=AccountCode.Purpose.COUNTER, actor=actor)[0]


def _issue(*, member: Member, purpose: str, actor=None) -> tuple[str, AccountCode]:
    """A new code for the member (earlier open codes of the same purpose stop working): (code, its row)."""
    now = timezone.now()
    AccountCode.objects.filter(member=member, purpose=purpose, used_at__isnull=True).update(expires_at=now)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    lifetime = (
        timedelta(days=settings.ACCOUNT_COUNTER_CODE_DAYS)
        if purpose == AccountCode.Purpose.COUNTER
        else timedelta(minutes=settings.ACCOUNT_SMS_CODE_MINUTES)
    )
    row = AccountCode.objects.create(
        member=member, purpose=purpose, code_hash=_hash(code), expires_at=now + lifetime, issued_by=actor
    )
    return code, row


def account_code_redeem(*, id_number: str, code: str, password: str):
    """Set the password of the member's account with a one-time code, creating the account if need be.

    A wrong code counts against every open code of the member (a code dies after ``AccountCode.MAX_ATTEMPTS``
    wrong tries); a used or expired code, a wrong one and an unknown ID number get the same ``NO_MATCH``.
    A weak password is refused with nothing changed (the code stays usable).
    """
    member = _member_for(id_number)
    if member is None:
        raise no_match()
    given = _hash((code or "").strip())
    with transaction.atomic():
        now = timezone.now()
        # Locked: two requests with the same code cannot both use it.
        open_codes = list(
            AccountCode.objects.select_for_update().filter(
                member=member, used_at__isnull=True, expires_at__gt=now, attempts__lt=AccountCode.MAX_ATTEMPTS
            )
        )
        found = next((row for row in open_codes if hmac.compare_digest(row.code_hash, given)), None)
        if found is not None:
            user = _set_password(member, password, how="code", purpose=found.purpose)
            found.used_at = now
            found.save(update_fields=["used_at"])
            return user
        # Committed with this block, so that the wrong try stays counted although the request is refused.
        for row in open_codes:
            row.attempts += 1
            row.save(update_fields=["attempts"])
    raise no_match()


@transaction.atomic
def account_reset_code_send(*, login: str) -> None:
    """Send a password-reset code by SMS to the phone of the member account that ``login`` names.

    Does nothing, silently, when no account matches or the member has no phone: the page says the same
    thing either way.
    """
    user = member_account_for(login)
    if user is None or not user.is_active or not user.member.phone:
        return
    member = user.member
    code, row = _issue(member=member, purpose=AccountCode.Purpose.SMS)
    notice_enqueue(
        "account.reset_code", f"account:{member.pk}:code:{row.pk}", sms_to=member.phone,
        context={"code": code, "minutes": settings.ACCOUNT_SMS_CODE_MINUTES}, member_ref=member,
        organisation=member.org_path,
    )  # fmt: skip
