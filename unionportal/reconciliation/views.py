"""The reconciliation page: what the nightly checks found in the last month, in the user's subtree."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors

PAGE_SIZE = 50


@login_required
@permission_required("reconciliation.view_discrepancy", raise_exception=True)
def discrepancy_list(request):
    rows = selectors.discrepancies_recent(request.user)
    return render(
        request,
        "reconciliation/discrepancy_list.html",
        {"page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "run": selectors.latest_run()},
    )
