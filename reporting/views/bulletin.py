"""Pages of the ranking, the bulletin (通报) and the dashboards: targets and weights (city staff), bulletins
(published ones for county and city staff; the live preview and the publish button for city staff), and the
city and county dashboards with their chart downloads."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.accounts import audit
from unionportal.core.feedback import attempt
from unionportal.core.months import add_months, parse_month, previous_month
from unionportal.org.models import Organisation
from unionportal.org.paths import city_path, county_path
from unionportal.org.scope import user_scope_path

from .. import dashboards, selectors
from ..bulletin import files as bulletin_files
from ..bulletin.data import bulletin_data, counties
from ..models import Bulletin, MonthlyReport, Target
from ..ranking import services as ranking_services
from ..ranking.forms import RankingRuleForm
from ..values import display, month_label
from ..workbook import XLSX_TYPE

VIEW_PERM = "reporting.view_bulletin"
DASHBOARD_PERM = "reporting.view_dashboard"


def _last_month() -> date:
    return previous_month(timezone.localdate())


# --- Targets and weights ---------------------------------------------------------------------------


@login_required
@permission_required(ranking_services.TARGET_PERM, raise_exception=True)
def targets(request):
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, this_year - 5), this_year + 1)
    rule = ranking_services.ranking_rule_for_year(year)
    indicators = ranking_services.targetable_indicators(year)
    county_list = counties()
    rule_form, errors, posted = RankingRuleForm(instance=rule, prefix="rule"), [], None
    if request.method == "POST":
        if request.POST.get("action") == "targets":
            values = {(c.pk, i.pk): request.POST.get(f"t_{c.pk}_{i.pk}", "") for c in county_list for i in indicators}
            try:
                changed = ranking_services.targets_set(actor=request.user, year=year, values=values)
            except ValidationError as exc:
                errors, posted = exc.messages, request.POST
            else:
                message = _("Targets for %(year)s saved (%(n)s changed).") % {"year": year, "n": changed}
                messages.success(request, message)
                return redirect(f"{request.path}?year={year}")
        elif request.POST.get("action") == "rule":
            if not request.user.has_perm(ranking_services.RULE_PERM):
                raise PermissionDenied
            rule_form = RankingRuleForm(request.POST, instance=rule, prefix="rule")
            if rule_form.is_valid():
                data = rule_form.cleaned_data
                if attempt(
                    request,
                    lambda: ranking_services.ranking_rule_set(
                        actor=request.user, year=year, weight_progress=data["weight_progress"],
                        weight_growth=data["weight_growth"], weight_on_time=data["weight_on_time"],
                        ratio_cap=data["ratio_cap"], growth_indicators=list(data["growth_indicators"]),
                        eligibility_indicator=data["eligibility_indicator"], bulletin_day=data["bulletin_day"],
                    ),
                    success=_("Ranking weights for %(year)s saved.") % {"year": year},
                ):  # fmt: skip
                    return redirect(f"{request.path}?year={year}")
                rule.refresh_from_db()
    stored = {(t.county_id, t.indicator_id): t.value for t in Target.objects.filter(year=year)}
    kinds = {i.pk: i.value_kind for i in indicators}
    grid = []
    for county in county_list:
        cells = []
        for indicator in indicators:
            name = f"t_{county.pk}_{indicator.pk}"
            value = stored.get((county.pk, indicator.pk))
            shown = display(value, kinds[indicator.pk]) if value is not None else ""
            cells.append({"name": name, "value": posted.get(name, shown) if posted is not None else shown,
                          "label": f"{county.name} {indicator.name}"})  # fmt: skip
        grid.append({"county": county, "cells": cells})
    return render(
        request,
        "reporting/targets.html",
        {"year": year, "years": range(this_year - 1, this_year + 2), "indicators": indicators, "grid": grid,
         "rule_form": rule_form, "errors": errors},
    )  # fmt: skip


# --- Bulletins -------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def bulletin_list(request):
    published = list(Bulletin.objects.select_related("published_by").defer("data"))
    context = {"bulletins": published}
    if request.user.has_perm(ranking_services.PUBLISH_PERM):
        done = {b.month for b in published}
        context["previews"] = [m for m in (add_months(_last_month(), -n) for n in range(3)) if m not in done]
    return render(request, "reporting/bulletin_list.html", context)


def _bulletin_source(request, month: date) -> tuple[dict, Bulletin | None]:
    """The published bulletin's frozen figures, or, for city staff, the live preview; otherwise 404."""
    bulletin = Bulletin.objects.select_related("published_by").filter(month=month).first()
    if bulletin is not None:
        return bulletin.data, bulletin
    if not request.user.has_perm(ranking_services.PUBLISH_PERM) or month > _last_month():
        raise Http404
    if not MonthlyReport.objects.filter(month=month).exists():
        raise Http404  # nothing was ever filed for that month: no preview (and no rule made for its year)
    return bulletin_data(month), None


def _month_or_404(value: str) -> date:
    month = parse_month(value)
    if month is None:
        raise Http404
    return month


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def bulletin_detail(request, month):
    month = _month_or_404(month)
    data, bulletin = _bulletin_source(request, month)
    can_publish, why = (False, "")
    if bulletin is None:
        can_publish, why = ranking_services.can_publish(month, today=timezone.localdate())
    charts = [{"chart": c, "rows": dashboards.chart_rows({**c, "label_heading": _("County")})} for c in data["charts"]]
    return render(
        request,
        "reporting/bulletin_detail.html",
        {"data": data, "bulletin": bulletin, "month": month, "title": bulletin_files.title(data),
         "rules": bulletin_files.rules_text(data), "charts": charts, "can_publish": can_publish, "why_not": why},
    )  # fmt: skip


@login_required
@permission_required(VIEW_PERM, raise_exception=True)
def bulletin_file(request, month, fmt):
    month = _month_or_404(month)
    data, bulletin = _bulletin_source(request, month)
    if fmt == "pdf":
        published = date_format(timezone.localtime(bulletin.published_at), "DATETIME_FORMAT") if bulletin else ""
        content, content_type = bulletin_files.pdf_bytes(data, published=published), bulletin_files.PDF_TYPE
    else:
        content, content_type = bulletin_files.xlsx_bytes(data), XLSX_TYPE
    audit.log_export(actor=request.user, model=Bulletin, rows=len(data["ranking"]),
                     description=f"{month:%Y-%m}.{fmt}", filters={"month": f"{month:%Y-%m}"})  # fmt: skip
    response = HttpResponse(content, content_type=content_type)
    name = _("bulletin-%(month)s") % {"month": f"{month:%Y-%m}"}
    response["Content-Disposition"] = content_disposition_header(fmt == "xlsx", f"{name}.{fmt}")
    return response


@login_required
@require_POST
def bulletin_publish(request, month):
    if not request.user.has_perm(ranking_services.PUBLISH_PERM):
        raise PermissionDenied
    month = _month_or_404(month)
    result = {}

    def publish():
        result["bulletin"], result["created"] = ranking_services.bulletin_publish(actor=request.user, month=month)

    attempt(request, publish, success=_("Bulletin of %(month)s published to the counties.") % {
        "month": month_label(month)})  # fmt: skip
    return redirect("reporting:bulletin-detail", month=f"{month:%Y-%m}")


# --- Dashboards ------------------------------------------------------------------------------------


def _county_of(user) -> Organisation | None:
    node = user.organisation
    if node is None:
        return None
    if node.kind == Organisation.Kind.COUNTY:
        return node
    return Organisation.objects.filter(kind=Organisation.Kind.COUNTY, path=county_path(node.path)).first()


def _sees_city(user) -> bool:
    path = user_scope_path(user)
    return path is not None and path == city_path(path)


def _dashboard_target(request, code: str):
    """``(county or None for the city, charts)``; a county outside the user's scope is a 404."""
    until = parse_month(request.GET.get("month", "")) or _last_month()
    if code == "city":
        if not _sees_city(request.user):
            raise Http404
        return None, until, dashboards.city_dashboard(until)
    county = selectors.access_county(request.user, code)
    return county, until, dashboards.county_dashboard(county, until)


@login_required
@permission_required(DASHBOARD_PERM, raise_exception=True)
def dashboard(request):
    if not _sees_city(request.user):
        county = _county_of(request.user)
        if county is None:
            raise Http404
        return redirect("reporting:county-dashboard", code=county.code)
    return dashboard_page(request, "city")


@login_required
@permission_required(DASHBOARD_PERM, raise_exception=True)
def dashboard_page(request, code):
    county, until, charts = _dashboard_target(request, code)
    suffix = f"?month={until:%Y-%m}"
    items = [
        {"chart": c, "rows": dashboards.chart_rows(c),
         "download": _chart_url(code, c["id"]) + suffix}
        for c in charts
    ]  # fmt: skip
    return render(
        request,
        "reporting/dashboard.html",
        {"county": county, "until": until, "charts": items,
         "counties": counties() if county is None else [], "sees_city": _sees_city(request.user)},
    )  # fmt: skip


def _chart_url(code, chart_id):
    return reverse("reporting:chart-download", kwargs={"code": code, "chart": chart_id})


@login_required
@permission_required(DASHBOARD_PERM, raise_exception=True)
def chart_download(request, code, chart):
    county, until, charts = _dashboard_target(request, code)
    found = next((c for c in charts if c["id"] == chart), None)
    if found is None:
        raise Http404
    response = HttpResponse(dashboards.chart_csv(found), content_type="text/csv; charset=utf-8")
    name = f"{code}-{chart}-{until:%Y-%m}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
