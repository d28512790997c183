"""Members' sign-in: ``MemberLoginBackend`` authenticates a member by ID number or mobile phone and password.

It shares the sign-in page, the API token endpoint and the django-axes lock with the staff backend
(``unionportal.accounts.backends.RoleBackend``). The lock counts per username and address, where "username" is
the account the typed login resolves to (``axes_username``): the ID number and the phone of one member lock
together, and an unknown ID number is counted under a keyed hash, so that no ID number is written in clear
into the lockout table.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

ID_LIKE = re.compile(r"^\d{17}[\dX]$")
PHONE_LIKE = re.compile(r"^1\d{10}$")


def _normalise(login: str) -> str:
    return re.sub(r"\s+", "", login or "").upper()


def member_account_for(login: str):
    """The active-or-not member account that an ID number or a phone names, or None (also when ambiguous)."""
    value = _normalise(login)
    User = get_user_model()
    if ID_LIKE.match(value):
        return User.objects.filter(member__id_number=value).first()
    if PHONE_LIKE.match(value):
        # Two members may share a phone (a couple, a family phone): then the phone names nobody.
        found = list(User.objects.filter(member__phone=value)[:2])
        return found[0] if len(found) == 1 else None
    return None


class MemberLoginBackend(BaseBackend):
    """Authenticate a member by ID number or phone and password; anything else is left to the other backends.

    It grants no permissions (a member's pages need none) and so never touches the permission caches of the
    staff backend; ``login()`` after an activation names it, so a member's session always resolves here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = member_account_for(username)
        if user is None:
            # Run the hasher anyway, so that "no such member" takes as long as "wrong password".
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and _may_sign_in(user):
            return user
        return None

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and _may_sign_in(user) else None


def _may_sign_in(user) -> bool:
    """An active account, whose member is not recorded as deceased.

    A member who left or moved away keeps the account: claims filed before are still paid and followed
    online. After a death the family uses the claim status check, not the dead person's account.
    """
    member = getattr(user, "member", None)  # read with the user (PortalUserManager, ``read_with_user``)
    return user.is_active and (member is None or member.status != member.Status.DECEASED)


def axes_username(request, credentials) -> str:
    """The name django-axes counts failures under (AXES_USERNAME_CALLABLE)."""
    typed = (credentials or {}).get("username")
    if typed is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get("username", "")
    value = _normalise(typed)
    if ID_LIKE.match(value) or PHONE_LIKE.match(value):
        account = member_account_for(value)
        if account is not None:
            return account.username
        digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
        return f"#{digest[:24]}"
    return (typed or "")[:150]  # AccessAttempt.username is a varchar(255); no username is longer than 150
