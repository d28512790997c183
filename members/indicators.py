"""Membership indicators of the monthly report (DOMAIN.md §7), computed for every county at once.

Registered with the portal's indicator registry; the reporting app discovers this module and never
imports the members models.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from unionportal.core.indicators import Spec, source

from .figures import county_ids_by_path, county_month_counts


@source(
    Spec("unions_new", _("New unions"), unit="organisation",
         description=_("Grassroots unions founded in the month.")),
    Spec("members_new", _("New members"), unit="person",
         description=_("Members who joined in the month.")),
    Spec("members_new_migrant", _("New members: migrant workers"), unit="person",
         description=_("Of the new members, migrant workers.")),
    Spec("members_new_new_form", _("New members: new forms of employment"), unit="person",
         description=_("Of the new members, workers in new forms of employment.")),
)  # fmt: skip
def membership(month: date) -> dict[int, dict[str, int]]:
    names = {"unions_new": "unions_new", "joined": "members_new", "joined_migrant": "members_new_migrant",
             "joined_new_form": "members_new_new_form"}  # fmt: skip
    counts = county_month_counts(month)
    return {
        county_id: {code: counts.get(path, {}).get(name, 0) for name, code in names.items()}
        for path, county_id in county_ids_by_path().items()
    }
