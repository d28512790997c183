"""Writes of the ranking and the bulletin: the year's ranking rule, the counties' targets, publishing.

Like ``services.py``: keyword-only arguments, permission and lock first, an early return when there is nothing
to do, audit rows through django-auditlog (every row is saved one by one so that each change is logged), and
notices queued in the same transaction (the outbox sends them on commit).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionportal.accounts.selectors import users_with_permission
from unionportal.core.months import month_start, next_month, previous_month
from unionportal.notifications import notice_enqueue
from unionportal.org.models import Organisation

from ..bulletin import data as reads
from ..models import Bulletin, Catalogue, Indicator, RankingRule, Target
from ..values import FigureError, month_label, parse_figure

TARGET_PERM = "reporting.change_target"
RULE_PERM = "reporting.change_rankingrule"
PUBLISH_PERM = "reporting.publish_bulletin"
VIEW_PERM = "reporting.view_bulletin"
# A new year's rule, when there is no earlier one to copy: growth of new members, enrolments and premiums;
# the 先进 condition on mutual-aid premiums (DOMAIN.md §7). Changed in the page or the admin, never here.
DEFAULT_GROWTH_CODES = ("members_new", "mutualaid_enrolments", "mutualaid_premiums")
DEFAULT_ELIGIBILITY_CODE = "mutualaid_premiums"


def bulletin_day(month: date) -> int:
    """The year's ranking rule's bulletin day (or the latest earlier rule's; the model's default, the 10th)."""
    day = RankingRule.objects.filter(year__lte=month.year).order_by("-year").values_list("bulletin_day", flat=True)
    return day.first() or RankingRule._meta.get_field("bulletin_day").default


def bulletin_due_on(month: date) -> date:
    """The day the bulletin of ``month`` is published with whatever is approved: the bulletin day of the next
    month."""
    following = next_month(month)
    return following.replace(day=min(bulletin_day(month), 28))


def ranking_rule_for_year(year: int) -> RankingRule:
    """The year's rule; made on first use as a copy of the latest earlier year's, or with the defaults."""
    existing = RankingRule.objects.filter(year=year).select_related("eligibility_indicator").first()
    if existing is not None:
        return existing
    earlier = RankingRule.objects.filter(year__lt=year).order_by("-year").first()
    try:
        with transaction.atomic():
            if earlier is not None:
                rule = RankingRule.objects.create(
                    year=year,
                    weight_progress=earlier.weight_progress,
                    weight_growth=earlier.weight_growth,
                    weight_on_time=earlier.weight_on_time,
                    ratio_cap=earlier.ratio_cap,
                    bulletin_day=earlier.bulletin_day,
                    eligibility_indicator_id=earlier.eligibility_indicator_id,
                )
                rule.growth_indicators.set(earlier.growth_indicators.all())
            else:
                rule = RankingRule.objects.create(
                    year=year, eligibility_indicator=Indicator.objects.filter(code=DEFAULT_ELIGIBILITY_CODE).first()
                )
                rule.growth_indicators.set(Indicator.objects.filter(code__in=DEFAULT_GROWTH_CODES))
    except IntegrityError:  # another request made it first
        pass
    return RankingRule.objects.select_related("eligibility_indicator").get(year=year)


def targetable_indicators(year: int) -> list[Indicator]:
    """Indicators a target can be set for: the summable ones (counts and amounts) of the year's catalogue, or of
    the latest earlier one that a new year will copy, or every active one before any catalogue exists; plus any
    that already has a target that year. A read: it makes no catalogue (the next year's is copied only when its
    first draft is made, so that this year's later changes still reach it)."""
    catalogue = Catalogue.objects.filter(year__lte=year).order_by("-year").first()
    if catalogue is not None:
        entries = catalogue.entries.select_related("indicator").filter(indicator__is_active=True)
        candidates = [e.indicator for e in entries]
    else:
        candidates = list(Indicator.objects.filter(is_active=True).order_by("code"))
    chosen = [i for i in candidates if reads.is_summable(i)]
    have = {i.pk for i in chosen}
    extra = Indicator.objects.filter(pk__in=Target.objects.filter(year=year).values("indicator")).exclude(pk__in=have)
    return chosen + list(extra)


@transaction.atomic
def ranking_rule_set(
    *,
    actor,
    year: int,
    weight_progress: Decimal,
    weight_growth: Decimal,
    weight_on_time: Decimal,
    ratio_cap: Decimal,
    growth_indicators: list[Indicator],
    eligibility_indicator: Indicator | None,
    bulletin_day: int | None = None,
) -> RankingRule:
    """Change the year's weights and settings. Published bulletins keep the rule they were published with."""
    if not actor.has_perm(RULE_PERM):
        raise PermissionDenied
    weights = (weight_progress, weight_growth, weight_on_time)
    if any(w is None or w < 0 for w in weights) or sum(weights) <= 0:
        raise ValidationError(_("Weights are zero or more, and at least one is more than zero."))
    if ratio_cap is None or ratio_cap < 1:
        raise ValidationError(_("The cap on a ratio is at least 1."))
    if bulletin_day is not None and not 1 <= bulletin_day <= 28:
        raise ValidationError(_("The bulletin day is a day of the month from 1 to 28."))
    for indicator in [*growth_indicators, *([eligibility_indicator] if eligibility_indicator else [])]:
        if not reads.is_summable(indicator):
            raise ValidationError(
                _("%(indicator)s is a rate or an average and cannot be added up over the year.")
                % {"indicator": indicator.name}
            )
    rule = RankingRule.objects.select_for_update().get(pk=ranking_rule_for_year(year).pk)
    fields = {
        "weight_progress": weight_progress,
        "weight_growth": weight_growth,
        "weight_on_time": weight_on_time,
        "ratio_cap": ratio_cap,
        "eligibility_indicator": eligibility_indicator,
    }
    if bulletin_day is not None:
        fields["bulletin_day"] = bulletin_day
    changed = [name for name, value in fields.items() if getattr(rule, name) != value]
    for name in changed:
        setattr(rule, name, fields[name])
    if changed:
        rule.save(update_fields=[*changed, "updated_at"])
    if {i.pk for i in rule.growth_indicators.all()} != {i.pk for i in growth_indicators}:
        rule.growth_indicators.set(growth_indicators)
    return rule


@transaction.atomic
def targets_set(*, actor, year: int, values: dict[tuple[int, int], object]) -> int:
    """Set annual targets: ``values`` maps (county id, indicator id) to the raw figure; empty removes the target.

    Everything is checked first (numbers, more than zero, known counties and targetable indicators); a
    ValidationError lists every problem naming the county and the indicator, and nothing is saved. Only the
    targets that change are written, one row at a time (each change is an audit row). Returns how many changed.
    """
    if not actor.has_perm(TARGET_PERM):
        raise PermissionDenied
    rule = ranking_rule_for_year(year)
    RankingRule.objects.select_for_update().filter(pk=rule.pk).first()  # one editor of the year at a time
    county_names = dict(
        Organisation.objects.filter(kind=Organisation.Kind.COUNTY, is_active=True).values_list("pk", "name")
    )
    indicators = {i.pk: i for i in targetable_indicators(year)}
    existing = {(t.county_id, t.indicator_id): t for t in Target.objects.filter(year=year)}
    errors, parsed = [], {}
    for (county_id, indicator_id), raw in values.items():
        indicator = indicators.get(indicator_id)
        if county_id not in county_names or indicator is None:
            errors.append(_("Unknown county or indicator for a target."))
            continue
        label = f"{county_names[county_id]} · {indicator.name}"
        try:
            value = parse_figure(raw, name=label, value_kind=indicator.value_kind, unit=indicator.unit)
        except FigureError as exc:
            errors.append(str(exc))
            continue
        if value is not None and value <= 0:
            errors.append(_("%(target)s: a target is more than zero (leave it empty for none).") % {"target": label})
            continue
        parsed[(county_id, indicator_id)] = value
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    changed = 0
    for (county_id, indicator_id), value in parsed.items():
        target = existing.get((county_id, indicator_id))
        if value is None:
            if target is not None:
                target.delete()
                changed += 1
        elif target is None:
            Target.objects.create(year=year, county_id=county_id, indicator_id=indicator_id, value=value)
            changed += 1
        elif target.value != value:
            target.value = value
            target.save(update_fields=["value", "updated_at"])
            changed += 1
    return changed


def _bulletin_readers() -> list:
    """County staff who read bulletins: active accounts attached to a county federation with the permission."""
    return list(
        users_with_permission(VIEW_PERM)
        .filter(organisation__kind=Organisation.Kind.COUNTY)
        .select_related("organisation")
    )


def can_publish(month: date, *, today: date) -> tuple[bool, str]:
    """``(may publish, why not)``: a month that has ended, and either approved for every county or on or after
    its bulletin day."""
    month = month_start(month)
    if month > previous_month(today):
        return False, _("The bulletin of %(month)s can be published once the month has ended.") % {
            "month": month_label(month)
        }
    from ..selectors import filing_status

    statuses = filing_status(month)
    all_approved = len(statuses) == len(reads.counties()) and all(row["approved"] for row in statuses)
    if all_approved or today >= bulletin_due_on(month):
        return True, ""
    return False, _(
        "Not every county's figures for %(month)s are approved yet. Publish once they are, or from %(day)s "
        "with the figures approved by then (the counties still missing are named in the bulletin)."
    ) % {"month": month_label(month), "day": date_format(bulletin_due_on(month), "DATE_FORMAT")}


@transaction.atomic
def bulletin_publish(
    *, actor=None, month: date, today: date | None = None, trigger: str = Bulletin.Trigger.BUTTON
) -> tuple[Bulletin, bool]:
    """Publish the bulletin of ``month`` and tell county staff; ``(bulletin, created)``.

    Publishing twice (a double click, the button and the clock on the same day, two workers) makes one bulletin
    and one notice per reader: the unique month decides and the second call returns the first bulletin. The
    figures are copied into the row: a correction approved later changes the next bulletin, not this one.
    ``actor`` is None for the clock.
    """
    if actor is not None and not actor.has_perm(PUBLISH_PERM):
        raise PermissionDenied
    month = month_start(month)
    existing = Bulletin.objects.filter(month=month).first()
    if existing is not None:
        return existing, False
    today = today or timezone.localdate()
    allowed, why = can_publish(month, today=today)
    if not allowed:
        raise ValidationError(why)
    with translation.override(settings.LANGUAGE_CODE):  # the copy is in the portal's language
        data = reads.bulletin_data(month)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                month=month,
                complete=data["complete"],
                data=data,
                trigger=trigger,
                published_at=timezone.now(),
                published_by=actor,
            )
    except IntegrityError:  # published meanwhile by another request or the clock
        return Bulletin.objects.get(month=month), False
    context = {"month": month_label(month)}
    for user in _bulletin_readers():
        notice_enqueue(
            "bulletin.published",
            f"bulletin:{bulletin.pk}:published:{user.pk}",
            user=user,
            context=context,
            organisation=user.organisation.path,
        )
    return bulletin, True


def bulletins_publish_due(*, today: date | None = None) -> Bulletin | None:
    """The clock: on or after the bulletin day, publish the previous month's bulletin if nobody has. Safe to run
    twice."""
    today = today or timezone.localdate()
    month = previous_month(today)
    if today < bulletin_due_on(month) or Bulletin.objects.filter(month=month).exists():
        return None
    bulletin, _created = bulletin_publish(month=month, today=today, trigger=Bulletin.Trigger.SCHEDULE)
    return bulletin
