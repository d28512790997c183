from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
    # A member's own account is linked by activation (``Member.account``), never by hand.
    readonly_fields = ("last_login", "date_joined")

    def has_delete_permission(self, request, obj=None):
        # Accounts are disabled, never deleted: their audit rows must keep pointing at them.
        return False
