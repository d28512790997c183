"""How the JSON API knows who is calling: expiring tokens for programs, the browser's session for pages.

Both classes stand in ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``, so every view has them unless it
names its own (only the anonymous endpoints do, with none).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from .security import second_factor_pending


class SecondFactorRequired(exceptions.AuthenticationFailed):
    default_detail = _("Finish signing in with the code from your authenticator app before using the API.")
    default_code = "second_factor_required"
    says_why = True  # the error handler shows this message, not the generic "please sign in"


class PasswordChangeRequired(exceptions.AuthenticationFailed):
    default_detail = _("Your password was reset. Sign in on the portal and choose a new one first.")
    default_code = "password_change_required"
    says_why = True


class TwoFactorSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (with its CSRF check), refusing a session that still owes the second factor.

    The web middleware redirects such a session to the code page but lets ``/api/`` through, so without this
    a password-only session could read and write through the API what its pages hold back.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and second_factor_pending(request._request) is not None:
            raise SecondFactorRequired()
        if result is not None and result[0].must_change_password:
            raise PasswordChangeRequired()
        return result


class TwoFactorSessionScheme(SessionScheme):
    """The schema's name for it: the browser's session cookie, as DRF's own session authentication."""

    target_class = "unionportal.accounts.api_auth.TwoFactorSessionAuthentication"
