"""The monthly report pages: the month's list, one report (filing form, the city's decision, history), xlsx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.accounts import audit
from unionportal.core.feedback import attempt, report_refusal
from unionportal.core.months import parse_month, previous_month

from .. import selectors, services, workbook
from ..forms import CheckRuleForm, EnteredIndicatorForm
from ..models import Catalogue, CheckRule, Indicator, MonthlyReport, ReportEvent, ReportRevision
from ..values import display, month_label

VIEW_PERM = "reporting.view_monthlyreport"


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_list(request):
    months = selectors.report_months(request.user)
    month = parse_month(request.GET.get("month", "")) or (months[0] if months else previous_month(timezone.localdate()))
    reports = list(selectors.reports_for_month(request.user, month))
    return render(
        request,
        "reporting/report_list.html",
        {"month": month, "months": months, "reports": reports, "statuses": ReportRevision.Status},
    )


def _form_rows(revision, posted=None):
    """The lines with what the form shows: the posted text after a refusal, else the stored value."""
    rows = []
    for line in revision.lines.all():
        value = display(line.value, line.value_kind)
        reason = line.override_reason
        if posted is not None:
            value = posted.get(f"v_{line.code}", value)
            reason = posted.get(f"r_{line.code}", reason)
        rows.append(
            {"line": line, "value": value, "reason": reason, "computed": display(line.computed_value, line.value_kind)}
        )
    return rows


def _detail(request, report, *, posted=None, errors=None, warnings=None, status=200):
    user = request.user
    revision = report.current_revision
    can_file = user.has_perm(services.FILE_PERM) and revision.is_editable
    context = {
        "report": report,
        "revision": revision,
        "rows": _form_rows(revision, posted),
        "can_file": can_file,
        "can_decide": user.has_perm(services.APPROVE_PERM) and revision.status == ReportRevision.Status.SUBMITTED,
        "can_correct": revision.status == ReportRevision.Status.APPROVED
        and (user.has_perm(services.FILE_PERM) or user.has_perm(services.APPROVE_PERM)),
        "revisions": selectors.revisions_with_lines(report),
        "events": selectors.report_events(report),
        "errors": errors or [],
        "warnings": warnings or [],
        "month_label": month_label(report.month),
        "statuses": ReportRevision.Status,
    }
    return render(request, "reporting/report_detail.html", context, status=status)


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_detail(request, pk):
    report = selectors.access_report(request.user, pk)
    if request.method != "POST":
        return _detail(request, report)
    if not request.user.has_perm(services.FILE_PERM):
        raise PermissionDenied
    submit = request.POST.get("action") == "submit"
    codes = [line.code for line in report.current_revision.lines.all()]
    figures = {code: request.POST[f"v_{code}"] for code in codes if f"v_{code}" in request.POST}
    reasons = {code: request.POST[f"r_{code}"] for code in codes if f"r_{code}" in request.POST}
    try:
        result = services.report_file(
            actor=request.user, report=report, figures=figures, reasons=reasons, submit=submit
        )
    except ValidationError as exc:
        report = selectors.access_report(request.user, pk)
        return _detail(request, report, posted=request.POST, errors=exc.messages, status=200)
    for warning in result.warnings:
        messages.warning(request, warning)
    if result.already_submitted:
        messages.info(request, _("This report was already submitted; nothing was changed."))
    elif result.submitted:
        message = _("Report submitted to the city.")
        if selectors.access_report(request.user, pk).is_late:
            message += " " + _("It was submitted after the due day and is marked late.")
        messages.success(request, message)
    else:
        messages.success(request, _("Figures saved (%(n)s changed).") % {"n": result.changed})
    return redirect("reporting:report-detail", pk=pk)


@login_required
@require_POST
def report_decide(request, pk, action):
    if not request.user.has_perm(services.APPROVE_PERM):
        raise PermissionDenied
    report = selectors.access_report(request.user, pk)
    try:
        if action == "approve":
            services.report_approve(actor=request.user, report=report)
            messages.success(request, _("Report approved; the month is locked."))
        else:
            services.report_return(actor=request.user, report=report, comment=request.POST.get("comment", ""))
            messages.success(request, _("Report returned to the county."))
    except ValidationError as exc:
        report_refusal(request, exc)
    return redirect("reporting:report-detail", pk=pk)


@login_required
@require_POST
def report_correct(request, pk):
    report = selectors.access_report(request.user, pk)
    try:
        revision = services.report_correction_open(
            actor=request.user, report=report, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Revision %(n)s opened for the correction.") % {"n": revision.number})
    return redirect("reporting:report-detail", pk=pk)


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def report_template(request, pk):
    """The county's xlsx for the month: the figures as they stand, codes in the first column."""
    report = selectors.access_report(request.user, pk)
    content = workbook.template_bytes(report)
    audit.log_export(
        actor=request.user,
        model=MonthlyReport,
        rows=report.current_revision.lines.count(),
        description=str(report),
        filters={"report": report.pk},
    )
    name = f"{report.county.code}-{report.month:%Y-%m}.xlsx"
    response = HttpResponse(content, content_type=workbook.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def report_upload(request, pk):
    """The filled-in template: checked as a whole; any problem names its row and nothing is saved."""
    if not request.user.has_perm(services.FILE_PERM):
        raise PermissionDenied
    report = selectors.access_report(request.user, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose the xlsx file to upload."))
        figures, reasons = workbook.read_upload(upload, report)
        result = services.report_file(
            actor=request.user, report=report, figures=figures, reasons=reasons, channel=ReportEvent.Channel.XLSX
        )
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Excel file read: %(n)s figures changed.") % {"n": result.changed})
    return redirect("reporting:report-detail", pk=pk)


@login_required
@permission_required("reporting.change_catalogue", raise_exception=True)
def catalogue(request):
    """The city's page for the catalogue: this year's and next year's indicators in order, entered indicators,
    cross-checks."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, this_year - 5), this_year + 1)
    indicator_form, rule_form = EnteredIndicatorForm(prefix="ind"), CheckRuleForm(prefix="rule")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "catalogue":
            chosen = [int(pk) for pk in request.POST.getlist("include") if pk.isdigit()]
            order = {pk: request.POST.get(f"position_{pk}", "") for pk in chosen}
            chosen.sort(key=lambda pk: (int(order[pk]) if order[pk].isdigit() else 9999, pk))
            if attempt(request, lambda: services.catalogue_set(actor=request.user, year=year, indicator_ids=chosen),
                       success=_("Catalogue for %(year)s saved.") % {"year": year}):  # fmt: skip
                return redirect(f"{request.path}?year={year}")
        elif action == "indicator":
            indicator_form = EnteredIndicatorForm(request.POST, prefix="ind")
            if indicator_form.is_valid():
                indicator_form.save()
                messages.success(request, _("Indicator added; include it in a year's catalogue to collect it."))
                return redirect(f"{request.path}?year={year}")
        elif action == "rule":
            rule_form = CheckRuleForm(request.POST, prefix="rule")
            if rule_form.is_valid():
                rule_form.save()
                messages.success(request, _("Cross-check added."))
                return redirect(f"{request.path}?year={year}")
        elif action == "rule-toggle":
            rule = CheckRule.objects.filter(pk=request.POST.get("rule")).first()
            if rule is not None:
                rule.is_active = not rule.is_active
                rule.save(update_fields=["is_active"])
            return redirect(f"{request.path}?year={year}")
    services.indicators_sync()
    current = Catalogue.objects.filter(year=year).first()
    positions = dict(current.entries.values_list("indicator_id", "position")) if current else {}
    indicators = sorted(Indicator.objects.filter(is_active=True),
                        key=lambda ind: (ind.pk not in positions, positions.get(ind.pk, 0), ind.code))  # fmt: skip
    return render(
        request,
        "reporting/catalogue.html",
        {
            "year": year, "years": range(this_year - 1, this_year + 2), "catalogue": current,
            "indicators": indicators, "positions": positions,
            "rules": CheckRule.objects.select_related("left", "right"),
            "indicator_form": indicator_form, "rule_form": rule_form,
        },
    )  # fmt: skip
