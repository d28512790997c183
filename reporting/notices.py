"""The notices of the monthly cycle, sent through the shared outbox to staff inboxes."""

from django.utils.translation import gettext_lazy as _

from unionportal.notifications import register_kind

REMINDER = _("The monthly report of %(county)s for %(month)s is due on %(due)s and has not been submitted yet.")
LATE = _("The monthly report of %(county)s for %(month)s was not submitted by %(due)s and is marked late.")
SUBMITTED = _("%(county)s submitted its monthly report for %(month)s (revision %(revision)s).")
RETURNED = _("The city returned the monthly report of %(county)s for %(month)s: %(comment)s")
APPROVED = _("The city approved the monthly report of %(county)s for %(month)s.")
BULLETIN = _("The city published the monthly bulletin for %(month)s: ranking, city totals and late counties.")


def register() -> None:
    register_kind("report.reminder", title=_("Monthly report due"), text=REMINDER)
    register_kind("report.late", title=_("Monthly report late"), text=LATE)
    register_kind("report.submitted", title=_("Monthly report submitted"), text=SUBMITTED)
    register_kind("report.returned", title=_("Monthly report returned"), text=RETURNED)
    register_kind("report.approved", title=_("Monthly report approved"), text=APPROVED)
    register_kind("bulletin.published", title=_("Monthly bulletin published"), text=BULLETIN)
