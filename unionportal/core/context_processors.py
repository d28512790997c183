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
        "user_roles": [role_label(code) for code in sorted(user.role_codes)] if user.is_authenticated else [],
    }
