"""The mutual-aid figures page: per county for a month, with the same month a year earlier and 24 months paid."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from unionportal.core.months import month_start, parse_month

from ..figures import scoped_month_figures


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def figures(request):
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or month_start(today)
    result = scoped_month_figures(request.user, year=month.year, month=month.month)
    chart = {"labels": [f"{m:%Y-%m}" for m, _a in result.series], "values": [str(a) for _m, a in result.series]}
    return render(
        request,
        "mutualaid/figures.html",
        {"figures": result, "table": [*result.rows, result.total], "month": result.month, "chart": chart},
    )
