"""Login security (等保 2.0): client address, password strength, idle logout and two-factor login."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device


def client_ip(request) -> str:
    """The client's address as the portal trusts it.

    X-Forwarded-For is read only when ``TRUSTED_PROXY_COUNT`` proxies are configured, and then the entry
    the nearest trusted proxy added: entries further left are whatever the client chose to send.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(count, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def axes_client_ip(request) -> str:
    return client_ip(request)


def _spraying_limit():
    from unionportal.core.ratelimit import Limit

    return Limit(
        "login.address",
        settings.LOGIN_FAILURES_PER_ADDRESS,
        timedelta(minutes=settings.LOGIN_FAILURES_WINDOW_MINUTES),
    )


def sign_in_refused_here(request) -> str | None:
    """Password spraying: the message to refuse a sign-in with when this address failed too often, else None.

    django-axes locks a username at an address; one address trying many usernames (one or two passwords each)
    is caught here instead. The limit counts failures of every username from the address, in the database
    like the other rate limits (a Redis outage changes nothing), and is set high enough (50 in 15 minutes by
    default) that a service hall behind one NAT address does not reach it through its clerks' typos.
    """
    from unionportal.core.ratelimit import exceeded

    if request is None or not exceeded(_spraying_limit(), client_ip(request) or "-"):
        return None
    return _(
        "Too many failed sign-ins from this network address. Sign-in from here is paused; try again in "
        "%(minutes)s minutes, or ask your administrator."
    ) % {"minutes": settings.LOGIN_FAILURES_WINDOW_MINUTES}


def count_sign_in_failure(sender, credentials, request=None, **kwargs) -> None:
    """Django's ``user_login_failed``: one more failure for the client's address (web form and API alike)."""
    from unionportal.core.ratelimit import hit

    if request is not None:
        hit(_spraying_limit(), client_ip(request) or "-")


class CharacterClassValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must mix at least %(n)d kind of characters: lower-case letters, "
            "upper-case letters, digits and symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower-case letters, "
            "upper-case letters, digits and symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


# Paths a signed-in user may reach before the two-factor check (and that never count as activity that
# needs it): signing in and out, the two-factor pages themselves, health checks, static files, the API
# (its session authentication applies the same rule and refuses instead of redirecting; tokens are only
# issued after the second factor).
_TWO_FACTOR_EXEMPT_NAMES = {"login", "logout", "otp-verify", "otp-setup"}
_EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/", "/api/")


def _is_exempt(request) -> bool:
    if request.path.startswith(_EXEMPT_PREFIXES):
        return True
    # Middleware runs before URL resolution, so resolve here (cheap: Django caches the resolver).
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace == "accounts" and match.url_name in _TWO_FACTOR_EXEMPT_NAMES


class IdleTimeoutMiddleware:
    """Sign out a session that has been idle longer than ``IDLE_TIMEOUT``.

    The last-activity stamp is written at most once a minute, so a busy counter does not write its
    session row on every request.
    """

    SESSION_KEY = "_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            if last is not None and now - last > settings.IDLE_TIMEOUT.total_seconds():
                logout(request)
                minutes = int(settings.IDLE_TIMEOUT.total_seconds() // 60)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Please sign in again.")
                    % {"minutes": minutes},
                )
                return _to_login(request)
            if last is None or now - last >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


def requires_two_factor(user) -> bool:
    return settings.OTP_REQUIRED_FOR_ADMINS and user.has_role(*settings.OTP_REQUIRED_ROLES)


# Set once a signed-in user is known to need no second factor, so that later requests of the session skip the
# device and role look-ups. A new sign-in starts a new session; pairing an authenticator verifies the session at
# once.
_TWO_FACTOR_FREE_KEY = "_two_factor_free"


def second_factor_pending(request) -> str | None:
    """The two-factor step a signed-in session still owes, as a URL name; None when it owes nothing.

    The one rule for every door: the web middleware sends the session to the returned page, and the API's
    session authentication refuses it (``api_auth.TwoFactorSessionAuthentication``). A user with a confirmed
    authenticator owes a code after the password (``accounts:otp-verify``); a user whose role requires
    two-factor and who has none yet owes a pairing (``accounts:otp-setup``).
    """
    user = request.user
    if not user.is_authenticated or request.session.get(_TWO_FACTOR_FREE_KEY) == user.pk:
        return None
    if user.is_verified():
        return None
    if user_has_device(user):
        return "accounts:otp-verify"
    if requires_two_factor(user):
        return "accounts:otp-setup"
    request.session[_TWO_FACTOR_FREE_KEY] = user.pk
    return None


class TwoFactorMiddleware:
    """Hold a password-only session at the two-factor step (the rule: ``second_factor_pending``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not _is_exempt(request):
            step = second_factor_pending(request)
            if step is not None:
                return _redirect_with_next(request, step)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """After a reset by the security administrator, the account chooses a new password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.must_change_password
            and not _is_exempt(request)
            and request.path_info != reverse("accounts:password-change")
        ):
            messages.info(request, _("Your password was reset. Choose a new one to continue."))
            return _htmx_aware_redirect(request, reverse("accounts:password-change"))
        return self.get_response(request)


def _redirect_with_next(request, url_name):
    target = reverse(url_name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return _htmx_aware_redirect(request, target)


def _to_login(request):
    if request.headers.get("HX-Request"):
        return _htmx_aware_redirect(request, reverse(settings.LOGIN_URL))
    return redirect_to_login(request.get_full_path())


def _htmx_aware_redirect(request, target):
    # An HTMX swap would paste the login page into a fragment; ask HTMX for a full page load instead.
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
