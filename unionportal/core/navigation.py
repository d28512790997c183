"""The main menu, by role: an entry shows when the user holds its permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every staff user


MAIN_MENU = [
    NavItem(_("Workbench"), "core:workbench"),
    NavItem(_("Members"), "members:member-lookup", "members.view_member"),
    NavItem(_("Mutual aid"), "mutualaid:claim-list", "mutualaid.view_claim"),
    NavItem(_("Organisations"), "members:organisation-list", "org.view_organisation"),
    NavItem(_("Notices"), "notifications:inbox"),
    NavItem(_("Outbox"), "notifications:outbox", "notifications.view_notice"),
    NavItem(_("Roster import"), "members:roster-list", "members.add_rosterimport"),
    NavItem(_("Organising drive"), "members:drive-list", "members.view_enterprise"),
    NavItem(_("Membership figures"), "members:figures", "members.view_member"),
    NavItem(_("Monthly reports"), "reporting:report-list", "reporting.view_monthlyreport"),
    NavItem(_("Report indicators"), "reporting:catalogue", "reporting.change_catalogue"),
    NavItem(_("Bulletins"), "reporting:bulletin-list", "reporting.view_bulletin"),
    NavItem(_("Dashboard"), "reporting:dashboard", "reporting.view_dashboard"),
    NavItem(_("Targets and weights"), "reporting:targets", "reporting.change_target"),
    NavItem(_("Payments"), "payments:batch-list", "payments.view_paymentbatch"),
    NavItem(_("Reconciliation"), "reconciliation:discrepancy-list", "reconciliation.view_discrepancy"),
    NavItem(_("Audit log"), "accounts:audit-list", "accounts.view_audit_log"),
    NavItem(_("Accounts and roles"), "accounts:user-list", "accounts.manage_security"),
    NavItem(_("Login lockouts"), "accounts:lockout-list", "accounts.manage_security"),
]


# A member's own account gets these instead of the staff workbench (roles.Role.staff is False for it).
MEMBER_HOME = "mutualaid:my-claims"
MEMBER_MENU = [
    NavItem(_("My claims"), MEMBER_HOME),
    NavItem(_("My cover"), "mutualaid:my-cover"),
    NavItem(_("Estimate"), "mutualaid:my-estimate"),
    NavItem(_("My notices"), "members:my-notices"),
    NavItem(_("Check a claim"), "mutualaid:status-check"),
]


def menu_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    if getattr(user, "is_member_account", False):
        return MEMBER_MENU
    return [item for item in MAIN_MENU if item.permission is None or user.has_perm(item.permission)]


def link_maker(view_name: str):
    """``reverse`` once for a list: a function from an object's id to its page, for pages of many rows.

    ``reverse`` walks the resolver on every call (about 30 µs); a list of 50 claims spent more on its links
    than on all its other cells together. The URL is reversed with a stand-in id and the id put in its place.
    """
    stand_in = "9182736450"
    head, tail = reverse(view_name, args=[int(stand_in)]).split(stand_in)
    return lambda pk: f"{head}{int(pk)}{tail}"
