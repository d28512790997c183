from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Django's admin, for system configuration by city-level administrators only.

    The admin does not apply the organisation scope, so it is closed to anyone attached below the root
    of the tree: county and grassroots staff work through the portal's own scoped pages.
    """

    site_header = _("Union portal administration")
    site_title = _("Union portal administration")
    index_title = _("System configuration")

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        if user.is_superuser and user.organisation_id is None:
            return True
        return user.organisation_id is not None and user.organisation.is_root()


class PortalAdminConfig(AdminConfig):
    default_site = "unionportal.core.admin_site.PortalAdminSite"
