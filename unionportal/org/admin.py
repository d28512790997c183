from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Organisation, OrganisationEvent


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Particulars only: the admin never changes the tree's structure.

    treebeard's ``TreeAdmin`` moves nodes by drag and drop with its own form, past ``organisation_move``: the
    copies of the path in claims, covers and payments would stay behind and the freed path could be handed to
    the next node. So this is a plain ``ModelAdmin``: the tree columns and the active flag are read-only, there
    is no add or delete (a node is created under its parent in the portal, and deregistered, never deleted),
    and deregistration is an action that goes through the same service as the portal, with the same refusals.
    Moves and merges are made on the portal's organisation page.
    """

    list_display = ("name", "code", "kind", "path", "is_active")
    search_fields = ("name", "code")
    list_filter = ("kind", "is_active")
    ordering = ("path",)
    readonly_fields = ("path", "depth", "numchild", "is_active", "deregistered_on", "created_at", "updated_at")
    actions = ["deregister"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deregister the selected organisations"), permissions=["change"])
    def deregister(self, request, queryset):
        for node in queryset.order_by("-depth"):  # groups before the union above them
            try:
                services.organisation_deregister(
                    actor=request.user, organisation=node, reason=str(_("Deregistered in the admin"))
                )
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("%(name)s has been deregistered.") % {"name": node.name})


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(admin.ModelAdmin):
    """The tree's history, read-only."""

    list_display = ("created_at", "organisation", "kind", "from_parent", "to_parent", "other", "note", "actor")
    list_filter = ("kind",)
    search_fields = ("organisation__name", "organisation__code")
    list_select_related = ("organisation", "from_parent", "to_parent", "other", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
