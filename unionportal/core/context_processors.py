from django.conf import settings
from django.utils.translation import gettext as _

from unionportal.accounts.roles import role_label

from .navigation import menu_for


def portal(request):
    user = request.user
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "portal_title": settings.PORTAL_TITLE or _("Shangluo Federation of Trade Unions"),
        "main_menu": menu_for(user),
        "current_view": current,
        "user_roles": _role_labels(user),
    }


def _role_labels(user) -> list[str]:
    if not user.is_authenticated:
        return []
    if getattr(user, "is_member_account", False):
        return [role_label("member")]  # a member's account holds that one role: no query for it
    return [role_label(code) for code in sorted(user.role_codes)]
