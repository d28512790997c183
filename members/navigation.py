"""The members app's menu entries (discovered by unionportal.core.navigation)."""

from django.utils.translation import gettext_lazy as _

from unionportal.core.navigation import NavItem

MENU = [
    NavItem(_("Members"), "members:member-lookup", "members.view_member", group="members"),
    NavItem(_("Organisations"), "members:organisation-list", "org.view_organisation", group="members"),
    NavItem(_("Roster import"), "members:roster-list", "members.add_rosterimport", group="members"),
    NavItem(_("Organising drive"), "members:drive-list", "members.view_enterprise", group="members"),
    NavItem(_("Membership figures"), "members:figures", "members.view_member", group="members"),
]
MEMBER_MENU = [
    NavItem(_("My notices"), "members:my-notices", order=40),
]
