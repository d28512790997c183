"""Demo targets, ranking weights and one published bulletin (the month three months ago, approved for every
county by ``reporting/demo.py``). Idempotent: existing targets and bulletins are left as they are."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from unionportal.core.demo import seeder
from unionportal.core.months import add_months
from unionportal.org.models import Organisation

from ..models import Bulletin, Indicator, RankingRule, Target
from . import services as ranking_services

# Annual targets per county (the seven of DOMAIN.md §2, in code order), varied a little by county.
TARGETS = {
    "mutualaid_premiums": Decimal("1200000"),
    "mutualaid_enrolments": Decimal("15000"),
    "members_new": Decimal("3000"),
    "warmth_visits": Decimal("300"),
    "warmth_amount": Decimal("60000"),
}


@seeder("reporting-ranking")
def seed() -> int:
    created = 0
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY).order_by("code"))
    city_staff = get_user_model().objects.filter(groups__name="city_staff", organisation__depth=1).first()
    if not counties or city_staff is None:
        return 0
    today = timezone.localdate()
    three = add_months(today, -3)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=TARGETS)}
    for year in sorted({three.year, today.year}):
        created += not RankingRule.objects.filter(year=year).exists()
        ranking_services.ranking_rule_for_year(year)
        for n, county in enumerate(counties):
            for code, value in TARGETS.items():
                if code in indicators:
                    _target, made = Target.objects.get_or_create(
                        year=year, county=county, indicator=indicators[code],
                        defaults={"value": (value * (10 + n % 4) / 10).quantize(Decimal(1))},
                    )  # fmt: skip
                    created += made
    if not Bulletin.objects.filter(month=three).exists():
        allowed, _why = ranking_services.can_publish(three, today=today)
        if allowed:
            ranking_services.bulletin_publish(actor=city_staff, month=three, today=today)
            created += 1
    return created
