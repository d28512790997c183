"""The mutual-aid app's menu entries (discovered by unionportal.core.navigation)."""

from django.utils.translation import gettext_lazy as _

from unionportal.core.navigation import NavItem

MENU = [
    NavItem(_("Claims"), "mutualaid:claim-list", "mutualaid.view_claim", group="mutualaid"),
    NavItem(_("Claims to review"), "mutualaid:queue", "mutualaid.view_claim", group="mutualaid"),
    NavItem(_("Group enrolment"), "mutualaid:enrolment-list", "mutualaid.view_enrolmentbatch", group="mutualaid"),
    NavItem(_("Mutual-aid figures"), "mutualaid:figures", "mutualaid.view_claim", group="mutualaid"),
]
MEMBER_MENU = [
    NavItem(_("My claims"), "mutualaid:my-claims", order=10),
    NavItem(_("My cover"), "mutualaid:my-cover", order=20),
    NavItem(_("Estimate"), "mutualaid:my-estimate", order=30),
    NavItem(_("Check a claim"), "mutualaid:status-check", order=90),
]
