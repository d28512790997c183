from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from unionportal.accounts.roles import role_label

from .navigation import menu_for


def portal(request):
    # An error page may be drawn for a request that never reached the authentication middleware (a bad Host
    # header is refused by CommonMiddleware, before it): that request has no ``user``, and is anonymous.
    user = getattr(request, "user", None) or AnonymousUser()
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "portal_title": settings.PORTAL_TITLE or _("Shangluo Federation of Trade Unions"),
        # The menu is rendered once per role set, language and page, then served from the fragment cache
        # (templates/base.html): computed only on a miss.
        "main_menu": lambda: menu_for(user),
        "menu_key": _menu_key(user),
        "current_view": current,
        "user_roles": [role_label(code) for code in sorted(user.role_codes)] if user.is_authenticated else [],
    }


def _menu_key(user) -> str:
    """What the menu depends on: the roles, and superuser status (which grants every permission)."""
    if not user.is_authenticated:
        return ""
    if getattr(user, "is_member_account", False):
        return "+member"  # the member menu (the member menu of the apps' navigation.py), whatever the roles
    return ",".join(sorted(user.role_codes)) + ("+super" if user.is_superuser else "")
