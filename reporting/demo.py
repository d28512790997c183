"""Demo monthly figures: the catalogue, and the last three months' reports of the seven counties in every state.

The year's earlier months are filed on time and approved, so that year-to-date figures have a year behind them.

Three months ago: all approved, 洛南县 late. Two months ago: approved, but 商州区 corrected after approval
(revision 2) and 丹凤县 still waiting for the city. Last month (the current cycle): 洛南县 submitted, 山阳县
returned with a comment, the others drafts to file (late, once the due day has passed, by the daily clock).
The history is backdated to plausible days so that only the planned report is late. Idempotent: a report that
already moved past its prefilled draft is left alone.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from unionportal.core.demo import seeder
from unionportal.core.months import next_month, previous_month
from unionportal.org.models import Organisation

from . import services
from .models import CheckRule, Indicator, MonthlyReport, ReportEvent

ENTERED = [
    # code, name, unit, value kind
    ("warmth_visits", "送温暖走访慰问人次", Indicator.Unit.PERSON_TIME, Indicator.ValueKind.WHOLE),
    ("warmth_amount", "送温暖慰问金额", Indicator.Unit.YUAN, Indicator.ValueKind.MONEY),
    ("competitions_held", "劳动技能竞赛场次（平台外）", Indicator.Unit.ORGANISATION, Indicator.ValueKind.WHOLE),
    ("competition_entrants", "劳动技能竞赛参赛人次（平台外）", Indicator.Unit.PERSON_TIME, Indicator.ValueKind.WHOLE),
]
RULES = [
    # left, operator, right, blocking
    ("members_new_migrant", CheckRule.Operator.LE, "members_new", True),
    ("members_new_new_form", CheckRule.Operator.LE, "members_new", True),
    # Claims paid this month were often accepted last month: a warning, not a refusal.
    ("mutualaid_claims_paid", CheckRule.Operator.LE, "mutualaid_claims_accepted", False),
]


def _aware(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _filer(county: Organisation):
    """The county's demo account (county_shangzhou, county_shanyang), else a sign-in-less one for the history."""
    User = get_user_model()
    user = User.objects.filter(organisation=county, groups__name="county_staff", is_active=True).first()
    if user is None:
        user = User(username=f"county_{county.code}", name=f"{county.name[:-3]}填报员", organisation=county)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name="county_staff"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def _figures(report: MonthlyReport, salt: int) -> dict:
    n = report.month.month + salt
    enrolments = 1400 + (n * 331) % 1300  # Shangluo: ~178,000 a year over seven counties
    claims_accepted = 110 + (n * 37) % 80
    claims_paid = claims_accepted - (n % 9)
    return {
        "warmth_visits": str(20 + (n * 7) % 30),
        "warmth_amount": f"{(n * 1373) % 9000 + 1000}.00",
        "competitions_held": str(n % 3),
        "competition_entrants": str((n % 3) * 24),
        # The demo city's own records are a few dozen people; the counties' reports carry the size of a real
        # county, each such figure with its reason (DEMO_REASON), as a county would explain an override.
        "unions_new": str(2 + n % 6),
        "members_new": str(180 + (n * 53) % 240),
        "members_new_migrant": str(70 + (n * 17) % 90),
        "members_new_new_form": str(20 + (n * 11) % 40),
        "mutualaid_enrolments": str(enrolments),
        "mutualaid_premiums": f"{enrolments * 60}.00",
        "mutualaid_claims_accepted": str(claims_accepted),
        "mutualaid_claims_paid": str(claims_paid),
        "mutualaid_amount_paid": f"{claims_paid * (820 + (n * 97) % 400)}.00",
        "mutualaid_avg_days_to_pay": f"{14 + (n * 3) % 12}.5",
        "mutualaid_on_time_rate": f"{92 + n % 8}.0",
    }


DEMO_REASON = "演示数据：含尚未录入平台的线下受理业务"


def _reasons(figures: dict) -> dict:
    """A reason for every figure given for a computed indicator (the demo's overrides)."""
    computed = set(Indicator.objects.filter(source=Indicator.Source.COMPUTED).values_list("code", flat=True))
    return {code: DEMO_REASON for code in figures if code in computed}


def _backdate(report: MonthlyReport, *, submitted_on, decided_on=None) -> None:
    """Put the demo's clicks on the days they would have happened (the services stamp them now)."""
    report.refresh_from_db()
    MonthlyReport.objects.filter(pk=report.pk).update(
        first_submitted_at=_aware(submitted_on), is_late=submitted_on > report.due_on
    )
    revisions = report.revisions.all()
    revisions.exclude(submitted_at=None).update(submitted_at=_aware(submitted_on))
    if decided_on:
        revisions.exclude(decided_at=None).update(decided_at=_aware(decided_on, 15))
    events = report.events.all()
    events.filter(kind=ReportEvent.Kind.PREFILLED).update(created_at=_aware(next_month(report.month), 1))
    events.filter(kind__in=["saved", "submitted", "resubmitted"]).update(created_at=_aware(submitted_on))
    events.filter(kind__in=["approved", "returned", "correction"]).update(
        created_at=_aware(decided_on or submitted_on, 15)
    )


def _untouched(report: MonthlyReport) -> bool:
    return not report.events.exclude(kind=ReportEvent.Kind.PREFILLED).exists()


def _seed_earlier_months(*, before, counties, city_staff) -> int:
    """The year's months before the three above: filed on time and approved, so that the year-to-date figures
    of the ranking and the bulletin have a year behind them."""
    created = 0
    month = before.replace(month=1)
    while month < before:
        services.catalogue_for_year(month.year)
        created += services.reports_prefill(month=month)
        for salt, county in enumerate(counties):
            report = MonthlyReport.objects.get(county=county, month=month)
            if not _untouched(report):
                continue
            figures = _figures(report, salt)
            services.report_file(
                actor=_filer(county), report=report, figures=figures, reasons=_reasons(figures), submit=True
            )
            services.report_approve(actor=city_staff, report=report)
            _backdate(
                report, submitted_on=report.due_on - timedelta(days=1), decided_on=report.due_on + timedelta(days=3)
            )
        month = next_month(month)
    return created


@seeder("reporting")
def seed() -> int:
    created = services.indicators_sync()
    for code, name, unit, kind in ENTERED:
        _indicator, made = Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "value_kind": kind, "source": Indicator.Source.ENTERED}
        )
        created += made
    by_code = {i.code: i for i in Indicator.objects.all()}
    for left, operator, right, blocking in RULES:
        _rule, made = CheckRule.objects.get_or_create(
            left=by_code[left], operator=operator, right=by_code[right], defaults={"blocking": blocking}
        )
        created += made
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY).order_by("code"))
    if not counties:
        return created
    city_staff = get_user_model().objects.filter(groups__name="city_staff", organisation__depth=1).first()
    if city_staff is None:
        return created

    last = previous_month(timezone.localdate())
    months = [previous_month(previous_month(last)), previous_month(last), last]
    created += _seed_earlier_months(before=months[0], counties=counties, city_staff=city_staff)
    for month in months:
        services.catalogue_for_year(month.year)
        created += services.reports_prefill(month=month)
    reports = {
        (r.county.code, r.month): r
        for r in MonthlyReport.objects.filter(month__in=months).select_related("county", "current_revision")
    }
    three, two, one = months
    for salt, county in enumerate(counties):
        filer = _filer(county)

        def file(report, *, submit=True, filer=filer, salt=salt):
            figures = _figures(report, salt)
            services.report_file(actor=filer, report=report, figures=figures, reasons=_reasons(figures), submit=submit)

        report = reports.get((county.code, three))
        if report and _untouched(report):
            file(report)
            services.report_approve(actor=city_staff, report=report)
            late = county.code == "611021"  # 洛南县 filed three months ago after the due day
            _backdate(report, submitted_on=report.due_on + timedelta(days=3 if late else -2),
                      decided_on=report.due_on + timedelta(days=5))  # fmt: skip

        report = reports.get((county.code, two))
        if report and _untouched(report):
            file(report)
            if county.code == "611022":  # 丹凤县: still with the city
                _backdate(report, submitted_on=report.due_on - timedelta(days=1))
            else:
                services.report_approve(actor=city_staff, report=report)
                if county.code == "611002":  # 商州区: corrected after approval
                    services.report_correction_open(actor=filer, report=report, reason="补录一次送温暖走访")
                    figures = _figures(report, salt)
                    figures["warmth_visits"] = str(int(figures["warmth_visits"]) + 1)
                    services.report_file(
                        actor=filer, report=report, figures=figures, reasons=_reasons(figures), submit=True
                    )
                    services.report_approve(actor=city_staff, report=report)
                _backdate(report, submitted_on=report.due_on - timedelta(days=2),
                          decided_on=report.due_on + timedelta(days=4))  # fmt: skip

        report = reports.get((county.code, one))
        if report and _untouched(report) and county.code in ("611021", "611024"):
            file(report)
            if county.code == "611024":  # 山阳县: returned with a comment
                services.report_return(
                    actor=city_staff, report=report, comment="送温暖慰问金额与财务台账不符，请核实。"
                )
            submitted_on = min(timezone.localdate(), report.due_on)
            _backdate(report, submitted_on=submitted_on, decided_on=submitted_on if county.code == "611024" else None)
    # Reports of the current cycle never submitted by the due day are marked late as the clock would.
    created += services.reports_mark_late(today=timezone.localdate())
    return created


from .ranking import demo as ranking_demo  # noqa: E402, F401 - targets, weights and a published bulletin, seeded after the reports
