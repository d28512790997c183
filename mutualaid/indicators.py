"""Mutual-aid indicators of the monthly report (DOMAIN.md §7), computed for every county at once.

Definitions are those of ``figures.py`` (the app's figures page shows the same numbers); registered with the
portal's indicator registry, which the reporting app reads without importing these models.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from members.figures import county_ids_by_path
from unionportal.core.indicators import Spec, source

from .figures import Tally, claims_accepted_by_county, county_month_tallies


@source(
    Spec("mutualaid_enrolments", _("Mutual-aid enrolments"), unit="person_time",
         description=_("Covers whose enrolment batch was paid in the month.")),
    Spec("mutualaid_premiums", _("Mutual-aid premiums"), unit="yuan", value_kind="money",
         description=_("Premiums of those covers.")),
    Spec("mutualaid_claims_accepted", _("Claims accepted"), unit="person_time",
         description=_("Claims whose file was completed in the month.")),
    Spec("mutualaid_claims_paid", _("Claims paid"), unit="person_time",
         description=_("Claims paid in the month.")),
    Spec("mutualaid_amount_paid", _("Amount paid on claims"), unit="yuan", value_kind="money",
         description=_("Benefits of the claims paid in the month.")),
    Spec("mutualaid_avg_days_to_pay", _("Average days to pay"), unit="day", value_kind="decimal",
         description=_("Mean days from acceptance to payment of the claims paid in the month.")),
    Spec("mutualaid_on_time_rate", _("Claims paid on time"), unit="percent", value_kind="decimal",
         description=_("Share of the claims paid in the month that were paid by their promised date.")),
)  # fmt: skip
def mutual_aid(month: date) -> dict[int, dict[str, int | Decimal | None]]:
    tallies = county_month_tallies(month)
    accepted = claims_accepted_by_county(month)
    result = {}
    for path, county_id in county_ids_by_path().items():
        tally = tallies.get(path, Tally())
        result[county_id] = {
            "mutualaid_enrolments": tally.enrolments,
            "mutualaid_premiums": tally.premiums,
            "mutualaid_claims_accepted": accepted.get(path, 0),
            "mutualaid_claims_paid": tally.claims_paid,
            "mutualaid_amount_paid": tally.amount_paid,
            "mutualaid_avg_days_to_pay": tally.avg_days_to_pay,
            "mutualaid_on_time_rate": tally.on_time_rate,
        }
    return result
