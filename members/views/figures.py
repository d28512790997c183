from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from unionportal.core.months import month_start, parse_month

from .. import selectors
from ..figures import membership_figures


@login_required
@permission_required("members.view_member", raise_exception=True)
def figures(request):
    roots = list(selectors.organisation_roots_for(request.user))
    area = selectors.access_organisation(request.user, int(request.GET["org"])) if request.GET.get(
        "org", ""
    ).isdigit() else roots[0] if roots else None  # fmt: skip
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or month_start(today)
    result = membership_figures(request.user, area=area, month=month) if area else None
    chart = (
        {"labels": [f"{m:%Y-%m}" for m, _n in result.series], "values": [n for _m, n in result.series]}
        if result
        else {}
    )
    return render(
        request,
        "members/figures.html",
        {"figures": result, "area": area, "month": month, "chart": chart},
    )


urlpatterns = [path("figures/", figures, name="figures")]
