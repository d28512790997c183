"""Writes on the monthly figures: the catalogue, the prefill, filing, the city's decision, corrections, the clock.

Every transition locks the report row (``select_for_update``), returns early when the report is already
where the call would put it (a double click, a retried API call), refuses a move the state table does not
allow with a Chinese message, writes a ``ReportEvent`` and queues its notices in the same transaction (the
outbox dispatches them on commit). A refusal changes nothing: figures are parsed and checked as a whole
before the first line is written.

State table of the current revision::

    draft ──submit──▶ submitted ──approve──▶ approved ──correction (reason)──▶ revision n+1: draft …
      ▲                  │
      └──── returned ◀───┘ return (comment); the county fixes and resubmits
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionportal.accounts.selectors import users_with_permission
from unionportal.core import indicators as registry
from unionportal.core.months import month_start, next_month, previous_month
from unionportal.notifications import notice_enqueue
from unionportal.org.models import Organisation
from unionportal.org.paths import city_path
from unionportal.org.scope import require_in_scope

from .models import (
    Catalogue,
    CatalogueEntry,
    CheckRule,
    Indicator,
    MonthlyReport,
    ReportEvent,
    ReportLine,
    ReportRevision,
)
from .values import FigureError, cross_check, display, month_label, parse_figure

logger = logging.getLogger(__name__)

Status = ReportRevision.Status
Channel = ReportEvent.Channel
FILE_PERM = "reporting.file_monthlyreport"
APPROVE_PERM = "reporting.approve_monthlyreport"


def filing_days(month: date) -> tuple[int, int]:
    """``(due day, reminder day)`` of ``month``'s reports: rows of the year's catalogue (or the latest earlier
    one's), which the federation edits; the model's defaults (5th, 3rd) before any catalogue exists."""
    days = Catalogue.objects.filter(year__lte=month.year).order_by("-year").values_list("due_day", "remind_day")
    found = days.first()
    if found is None:
        return Catalogue._meta.get_field("due_day").default, Catalogue._meta.get_field("remind_day").default
    return found


def due_day(month: date) -> int:
    return filing_days(month)[0]


def due_on(month: date) -> date:
    """The deadline of a month's report: the due day of the next month (capped at the 28th)."""
    return next_month(month).replace(day=min(due_day(month), 28))


# --- Catalogue -------------------------------------------------------------------------------------


def indicators_sync() -> int:
    """Make sure every computed indicator the apps register has its ``Indicator`` row; returns how many
    were created. Existing rows are left as city staff configured them (name, activity)."""
    created = 0
    for spec in registry.specs():
        _indicator, made = Indicator.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": str(spec.name)[:60],
                "unit": spec.unit,
                "source": Indicator.Source.COMPUTED,
                "value_kind": spec.value_kind,
                "description": str(spec.description)[:300],
            },
        )
        created += made
    return created


def catalogue_for_year(year: int) -> Catalogue:
    """The year's catalogue; made on first use as a copy of the latest earlier year's (so next year needs no
    code and no configuration unless the city changes something), or, for the first year, every active
    indicator, computed ones first in the order their apps register them."""
    existing = Catalogue.objects.filter(year=year).first()
    if existing is not None:
        return existing
    indicators_sync()
    earlier = Catalogue.objects.filter(year__lt=year).order_by("-year").first()
    try:
        with transaction.atomic():
            catalogue = Catalogue.objects.create(year=year)
            if earlier is not None:
                entries = [(e.indicator_id, e.position) for e in earlier.entries.all()]
            else:
                order = {spec.code: i for i, spec in enumerate(registry.specs())}
                active = sorted(
                    Indicator.objects.filter(is_active=True),
                    key=lambda ind: (ind.source != Indicator.Source.COMPUTED, order.get(ind.code, 0), ind.code),
                )
                entries = [(ind.pk, 10 * (i + 1)) for i, ind in enumerate(active)]
            CatalogueEntry.objects.bulk_create(
                CatalogueEntry(catalogue=catalogue, indicator_id=pk, position=pos) for pk, pos in entries
            )
    except IntegrityError:  # another worker made it first
        return Catalogue.objects.get(year=year)
    return catalogue


# --- Prefill ---------------------------------------------------------------------------------------


def _snapshot(indicator: Indicator, position: int) -> dict:
    return {
        "indicator": indicator,
        "position": position,
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "source": indicator.source,
        "value_kind": indicator.value_kind,
        "non_negative": indicator.non_negative,
    }


def _as_figure(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def reports_prefill(*, month: date) -> int:
    """Create the month's draft for every county federation that has none yet, computed figures filled in.

    Returns how many reports were created. Safe to run twice and on two workers at once: the unique
    (county, month) constraint decides, and the loser skips. The figures are computed once for all counties
    (one grouped query per source), whatever the number of counties.
    """
    month = month_start(month)
    counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY, is_active=True).order_by("path"))
    have = set(MonthlyReport.objects.filter(month=month).values_list("county_id", flat=True))
    todo = [county for county in counties if county.pk not in have]
    if not todo:
        return 0
    catalogue = catalogue_for_year(month.year)
    entries = list(catalogue.entries.select_related("indicator").filter(indicator__is_active=True))
    computed_codes = [e.indicator.code for e in entries if e.indicator.source == Indicator.Source.COMPUTED]
    values = registry.compute(month, computed_codes) if computed_codes else {}
    try:
        # All counties in one go: a handful of statements whatever their number. The drafts are the system's,
        # recorded by their PREFILLED events (bulk writes send no audit signals; every later change does).
        with transaction.atomic():
            return _create_drafts(todo, month, entries, values)
    except IntegrityError:
        pass
    # Another run created some of these reports meanwhile: one county at a time, skipping those it made.
    created = 0
    for county in todo:
        try:
            with transaction.atomic():
                created += _create_drafts([county], month, entries, values)
        except IntegrityError:
            continue
    return created


def _create_drafts(counties, month: date, entries, values) -> int:
    reports = MonthlyReport.objects.bulk_create(
        MonthlyReport(county=county, month=month, org_path=county.path, due_on=due_on(month)) for county in counties
    )
    revisions = ReportRevision.objects.bulk_create(ReportRevision(report=report, number=1) for report in reports)
    lines = []
    for report, revision in zip(reports, revisions, strict=True):
        county_values = values.get(report.county_id, {})
        for entry in entries:
            line = ReportLine(revision=revision, **_snapshot(entry.indicator, entry.position))
            if line.source == Indicator.Source.COMPUTED:
                spec = registry.get_spec(line.code)
                default = None if spec and spec.value_kind == Indicator.ValueKind.DECIMAL else 0
                line.computed_value = line.value = _as_figure(county_values.get(line.code, default))
            lines.append(line)
        report.current_revision = revision
    ReportLine.objects.bulk_create(lines)
    MonthlyReport.objects.bulk_update(reports, ["current_revision"])
    ReportEvent.objects.bulk_create(
        ReportEvent(report=report, revision=report.current_revision, kind=ReportEvent.Kind.PREFILLED,
                    to_status=Status.DRAFT, channel=Channel.SYSTEM)
        for report in reports
    )  # fmt: skip
    return len(reports)


# --- Filing ----------------------------------------------------------------------------------------


@dataclass
class FileResult:
    revision: ReportRevision
    changed: int = 0  # lines whose value or reason changed
    submitted: bool = False
    already_submitted: bool = False  # a repeated submission that changed nothing
    warnings: list[str] = field(default_factory=list)


def _lock(report: MonthlyReport) -> MonthlyReport:
    locked = MonthlyReport.objects.select_for_update().select_related("county").get(pk=report.pk)
    locked.current_revision = ReportRevision.objects.get(pk=locked.current_revision_id)
    return locked


def _labels(report: MonthlyReport) -> dict:
    return {"county": report.county.name, "month": month_label(report.month)}


def _locked_message(report) -> str:
    return _(
        "The report of %(county)s for %(month)s is approved and the month is locked; "
        "open a correction with its reason to change it."
    ) % _labels(report)


def _parse(lines: dict[str, ReportLine], figures: dict, reasons: dict) -> tuple[dict, dict, list[str]]:
    """Parse everything first; ``(new values, new reasons, errors)``. Unknown codes are errors."""
    errors = []
    unknown = sorted(set(figures) - set(lines)) + sorted(set(reasons) - set(lines))
    for code in dict.fromkeys(unknown):
        errors.append(_("Unknown indicator code %(code)s: it is not in this report.") % {"code": code})
    new_values, new_reasons = {}, {}
    for code, line in lines.items():
        if code in figures:
            try:
                value = parse_figure(
                    figures[code],
                    name=line.name,
                    value_kind=line.value_kind,
                    unit=line.unit,
                    non_negative=line.non_negative,
                )
            except FigureError as exc:
                errors.append(str(exc))
                continue
            if value is None and line.is_computed:
                value = line.computed_value  # an emptied computed figure goes back to what the portal computed
            new_values[code] = value
        if code in reasons:
            new_reasons[code] = (reasons[code] or "").strip()[:300]
    for code, line in lines.items():
        value = new_values.get(code, line.value)
        reason = new_reasons.get(code, line.override_reason)
        if line.is_computed and value != line.computed_value and not reason:
            errors.append(
                _("%(indicator)s: the computed figure is %(computed)s; give the reason for changing it.")
                % {"indicator": line.name, "computed": display(line.computed_value, line.value_kind) or "—"}
            )
    return new_values, new_reasons, errors


def _check_complete(lines: dict[str, ReportLine]) -> tuple[list[str], list[str]]:
    """Before a submission: every entered figure filled in, and the cross-checks."""
    errors = [
        _("Enter %(indicator)s (0 if there is none).") % {"indicator": line.name}
        for line in lines.values()
        if not line.is_computed and line.value is None
    ]
    rules = CheckRule.objects.filter(is_active=True).select_related("left", "right")
    more, warnings = cross_check(
        {code: line.value for code, line in lines.items()},
        {code: line.name for code, line in lines.items()},
        {code: line.value_kind for code, line in lines.items()},
        rules,
    )
    return errors + more, warnings


@transaction.atomic
def report_file(
    *,
    actor,
    report: MonthlyReport,
    figures: dict,
    reasons: dict | None = None,
    submit: bool = False,
    channel: str = Channel.WEB,
) -> FileResult:
    """Save figures on the report's current revision and, with ``submit``, submit it.

    ``figures`` maps indicator codes to raw values (text, numbers); codes left out keep their value.
    ``reasons`` maps codes of computed indicators to the reason for an override. Everything is checked
    before anything is written: a ValidationError lists every problem in Chinese and nothing is saved.

    A second submission of a submitted revision with the same figures (a double click, a retried API call)
    changes nothing and says so (``already_submitted``); with different figures it is refused, so that
    nothing the city is reviewing is overwritten silently. An approved month is locked.
    """
    require_in_scope(actor, report.org_path)
    if not actor.has_perm(FILE_PERM):
        raise PermissionDenied
    report = _lock(report)
    revision = report.current_revision
    reasons = reasons or {}
    lines = {line.code: line for line in revision.lines.all()}
    new_values, new_reasons, errors = _parse(lines, figures, reasons)
    if revision.status == Status.APPROVED:
        raise ValidationError(_locked_message(report))
    if revision.status == Status.SUBMITTED:
        unchanged = all(lines[c].value == v for c, v in new_values.items()) and all(
            lines[c].override_reason == r for c, r in new_reasons.items()
        )
        if submit and unchanged and not errors:
            return FileResult(revision=revision, already_submitted=True)
        raise ValidationError(
            _(
                "The report of %(county)s for %(month)s was submitted on %(when)s and is waiting for the city; "
                "nothing was changed. Ask the city to return it if a figure must change."
            )
            % {**_labels(report), "when": date_format(timezone.localtime(revision.submitted_at), "DATETIME_FORMAT")}
        )
    if errors:
        raise ValidationError(errors)

    changed = []
    for code, line in lines.items():
        value = new_values.get(code, line.value)
        reason = new_reasons.get(code, line.override_reason)
        if line.is_computed and value == line.computed_value:
            reason = ""  # no override, nothing to explain
        if (value, reason) != (line.value, line.override_reason):
            line.value, line.override_reason = value, reason
            line.save(update_fields=["value", "override_reason"])
            changed.append(code)
    result = FileResult(revision=revision, changed=len(changed))
    if changed:
        ReportEvent.objects.create(
            report=report,
            revision=revision,
            kind=ReportEvent.Kind.SAVED,
            from_status=revision.status,
            to_status=revision.status,
            channel=channel,
            actor=actor,
            comment="、".join(lines[code].name for code in changed)[:300],
        )
    if submit:
        errors, result.warnings = _check_complete(lines)
        if errors:
            raise ValidationError(errors)  # the whole call rolls back, saved figures included
        _submit(report, revision, actor=actor, channel=channel)
        result.submitted = True
    return result


def _submit(report: MonthlyReport, revision: ReportRevision, *, actor, channel) -> None:
    now = timezone.now()
    before = revision.status
    revision.status, revision.submitted_at, revision.submitted_by = Status.SUBMITTED, now, actor
    revision.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    fields = []
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        fields.append("first_submitted_at")
        # Late, never moved: a report submitted after its due day stays in its own month, marked late.
        if timezone.localdate(now) > report.due_on and not report.is_late:
            report.is_late = True
            fields.append("is_late")
    if fields:
        report.save(update_fields=[*fields, "updated_at"])
    kind = ReportEvent.Kind.RESUBMITTED if before == Status.RETURNED else ReportEvent.Kind.SUBMITTED
    event = ReportEvent.objects.create(
        report=report,
        revision=revision,
        kind=kind,
        from_status=before,
        to_status=Status.SUBMITTED,
        channel=channel,
        actor=actor,
    )
    _tell(_city_approvers(report), "report.submitted", f"report:{event.pk}:submitted", report=report,
          context={**_labels(report), "revision": revision.number})  # fmt: skip


# --- The city's decision ---------------------------------------------------------------------------


def _decide_lock(actor, report) -> MonthlyReport:
    require_in_scope(actor, report.org_path)
    if not actor.has_perm(APPROVE_PERM):
        raise PermissionDenied
    return _lock(report)


@transaction.atomic
def report_approve(*, actor, report: MonthlyReport) -> MonthlyReport:
    """Approve the submitted revision: it becomes the month's approved figures and the month locks."""
    report = _decide_lock(actor, report)
    revision = report.current_revision
    if revision.status == Status.APPROVED:
        return report
    if revision.status != Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be approved; this one is %(status)s.")
            % {"status": revision.get_status_display()}
        )
    revision.status, revision.decided_at, revision.decided_by = Status.APPROVED, timezone.now(), actor
    revision.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    report.approved_revision = revision
    report.save(update_fields=["approved_revision", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        revision=revision,
        kind=ReportEvent.Kind.APPROVED,
        from_status=Status.SUBMITTED,
        to_status=Status.APPROVED,
        actor=actor,
    )
    _tell(_county_staff(report), "report.approved", f"report:{event.pk}:approved", report=report,
          context=_labels(report))  # fmt: skip
    return report


@transaction.atomic
def report_return(*, actor, report: MonthlyReport, comment: str) -> MonthlyReport:
    """Send the submitted revision back to the county with a comment saying what to fix."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what the county should fix: a comment is required to return a report."))
    report = _decide_lock(actor, report)
    revision = report.current_revision
    if revision.status == Status.RETURNED:
        return report
    if revision.status != Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be returned; this one is %(status)s.")
            % {"status": revision.get_status_display()}
        )
    revision.status, revision.return_comment = Status.RETURNED, comment[:300]
    revision.decided_at, revision.decided_by = timezone.now(), actor
    revision.save(update_fields=["status", "return_comment", "decided_at", "decided_by", "updated_at"])
    event = ReportEvent.objects.create(
        report=report,
        revision=revision,
        kind=ReportEvent.Kind.RETURNED,
        from_status=Status.SUBMITTED,
        to_status=Status.RETURNED,
        actor=actor,
        comment=comment[:300],
    )
    _tell(_county_staff(report), "report.returned", f"report:{event.pk}:returned", report=report,
          context={**_labels(report), "comment": comment})  # fmt: skip
    return report


@transaction.atomic
def report_correction_open(*, actor, report: MonthlyReport, reason: str) -> ReportRevision:
    """After approval, open revision n+1 (a copy of the approved figures) to correct them, with a reason.

    The approved revision stays as it is and stays the month's approved figures until the correction is
    approved in turn. Opening a correction while one is open returns that one.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the correction."))
    require_in_scope(actor, report.org_path)
    if not (actor.has_perm(FILE_PERM) or actor.has_perm(APPROVE_PERM)):
        raise PermissionDenied
    report = _lock(report)
    current = report.current_revision
    if current.number > 1 and current.status != Status.APPROVED and current.reason:
        return current  # a correction is already open
    if current.status != Status.APPROVED:
        raise ValidationError(_("Only an approved report needs a correction; change this one directly."))
    number = (report.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = ReportRevision.objects.create(report=report, number=number, reason=reason[:300], created_by=actor)
    ReportLine.objects.bulk_create(
        ReportLine(
            revision=revision,
            indicator_id=line.indicator_id,
            position=line.position,
            code=line.code,
            name=line.name,
            unit=line.unit,
            source=line.source,
            value_kind=line.value_kind,
            non_negative=line.non_negative,
            computed_value=line.computed_value,
            value=line.value,
            override_reason=line.override_reason,
        )
        for line in current.lines.all()
    )
    report.current_revision = revision
    report.save(update_fields=["current_revision", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        revision=revision,
        kind=ReportEvent.Kind.CORRECTION,
        from_status=Status.APPROVED,
        to_status=Status.DRAFT,
        actor=actor,
        comment=reason[:300],
    )
    return revision


# --- The clock -------------------------------------------------------------------------------------


def _tell(users, kind: str, key: str, *, report: MonthlyReport, context: dict) -> None:
    """One inbox notice of ``kind`` to each of ``users``, deduplicated per person under ``key``."""
    for user in users:
        notice_enqueue(kind, f"{key}:{user.pk}", user=user, context=context, organisation=report.org_path)


def _county_staff(report: MonthlyReport) -> list:
    return list(users_with_permission(FILE_PERM, at_path=report.org_path))


def _city_approvers(report: MonthlyReport) -> list:
    return list(users_with_permission(APPROVE_PERM, at_path=city_path(report.org_path)))


@dataclass
class CycleResult:
    prefilled: int = 0
    reminded: int = 0
    marked_late: int = 0


def reports_remind(*, today: date) -> int:
    """From the reminder day until the due day: tell county staff whose report is not submitted yet.

    One notice per report and person (the outbox's dedupe key), however often this runs."""
    if today.day < filing_days(previous_month(today))[1]:
        return 0
    waiting = MonthlyReport.objects.filter(
        first_submitted_at=None, due_on__gte=today, current_revision__status=Status.DRAFT
    ).select_related("county")
    reminded = 0
    for report in waiting:
        with transaction.atomic():
            _tell(_county_staff(report), "report.reminder", f"report:{report.pk}:reminder", report=report,
                  context={**_labels(report), "due": report.due_on})  # fmt: skip
            reminded += 1
    return reminded


def reports_mark_late(*, today: date) -> int:
    """After the due day: mark the reports never submitted as late and tell the city. Safe to run twice:
    a conditional UPDATE claims each report, so only one run writes its event and notices."""
    marked = 0
    overdue = MonthlyReport.objects.filter(first_submitted_at=None, due_on__lt=today, is_late=False)
    for report in overdue.select_related("county"):
        with transaction.atomic():
            if not MonthlyReport.objects.filter(pk=report.pk, is_late=False).update(is_late=True):
                continue  # another run took it
            status = report.current_revision.status if report.current_revision_id else ""
            ReportEvent.objects.create(
                report=report,
                revision_id=report.current_revision_id,
                kind=ReportEvent.Kind.MARKED_LATE,
                from_status=status,
                to_status=status,
                channel=Channel.SYSTEM,
            )
            _tell(_county_staff(report) + _city_approvers(report), "report.late", f"report:{report.pk}:late",
                  report=report, context={**_labels(report), "due": report.due_on})  # fmt: skip
            marked += 1
    return marked


def cycle_run(*, today: date | None = None) -> CycleResult:
    """The daily clock of the monthly cycle; deciding by date makes a missed day harmless.

    Every day: the previous month's drafts exist for every county (made on the 1st; a later run only fills
    gaps, e.g. a county added since); from the reminder day (3rd) to the due day: reminders; after the due
    day (from the 6th): late marks. Each step is safe to run twice.
    """
    today = today or timezone.localdate()
    return CycleResult(
        prefilled=reports_prefill(month=previous_month(today)),
        reminded=reports_remind(today=today),
        marked_late=reports_mark_late(today=today),
    )


# --- Catalogue configuration (city staff) ----------------------------------------------------------


@transaction.atomic
def catalogue_set(*, actor, year: int, indicator_ids: list[int]) -> Catalogue:
    """Make ``indicator_ids`` (in that order) the year's catalogue. Reports already made keep their lines;
    drafts made from now on follow the new catalogue."""
    if not actor.has_perm("reporting.change_catalogue"):
        raise PermissionDenied
    known = set(Indicator.objects.filter(pk__in=indicator_ids, is_active=True).values_list("pk", flat=True))
    if not indicator_ids or set(indicator_ids) - known:
        raise ValidationError(_("Choose at least one active indicator for the catalogue."))
    catalogue = catalogue_for_year(year)
    catalogue = Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    catalogue.entries.all().delete()
    CatalogueEntry.objects.bulk_create(
        CatalogueEntry(catalogue=catalogue, indicator_id=pk, position=10 * (i + 1))
        for i, pk in enumerate(dict.fromkeys(indicator_ids))
    )
    catalogue.save(update_fields=["updated_at"])
    return catalogue
