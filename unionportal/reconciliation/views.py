"""The reconciliation page: what the nightly checks found in the last month, in the user's subtree."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from unionportal.core import paging

from . import selectors

PAGE_SIZE = 50


@login_required
@permission_required("reconciliation.view_discrepancy", raise_exception=True)
def discrepancy_list(request):
    # Newest first, paged by key (core.paging): a month of faults on a bad night can run to thousands of rows.
    page = paging.newest_first(
        selectors.discrepancies_recent(request.user),
        before=paging.before_param(request.GET.get("before")),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "reconciliation/discrepancy_list.html",
        {"page": page.rows, "next_before": page.next_before, "run": selectors.latest_run()},
    )
