from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import User


class PortalUserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's help text links to the admin's password form, which the portal does not offer.
        self.fields["password"].help_text = _(
            "Passwords are never set here. The security administrator resets one on the portal's "
            "accounts page; the owner must then choose a new one at the next sign-in."
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts for the system administrator: create one on its node, edit the person, disable it.

    Separation of duties: roles are read-only here (the security administrator grants them on the portal's
    ``accounts:user-roles`` page, never to themselves, the auditor's and their own role with a second
    administrator), and the admin has no password form: no administrator sets another's password.
    """

    form = PortalUserChangeForm
    list_display = ("username", "name", "organisation", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "phone", "email")}),
        (_("Place and roles"), {"fields": ("organisation", "groups", "is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "name", "organisation", "password1", "password2")}),)
    # A member's own account is linked by activation, never by hand (and a select of every member would not load).
    readonly_fields = ("last_login", "date_joined", "groups")

    def has_delete_permission(self, request, obj=None):
        # Accounts are disabled, never deleted: their audit rows must keep pointing at them.
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied
