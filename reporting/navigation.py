"""The reporting app's menu entries (discovered by unionportal.core.navigation)."""

from django.utils.translation import gettext_lazy as _

from unionportal.core.navigation import NavItem

MENU = [
    NavItem(_("Monthly reports"), "reporting:report-list", "reporting.view_monthlyreport", group="reporting"),
    NavItem(_("Bulletins"), "reporting:bulletin-list", "reporting.view_bulletin", group="reporting"),
    NavItem(_("Dashboard"), "reporting:dashboard", "reporting.view_dashboard", group="reporting"),
    NavItem(_("Targets and weights"), "reporting:targets", "reporting.change_target", group="reporting"),
    NavItem(_("Report indicators"), "reporting:catalogue", "reporting.change_catalogue", group="reporting"),
]
