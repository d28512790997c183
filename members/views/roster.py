"""Roster import pages (花名册) and the member export. The work is in the ``members/roster/`` package."""

import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from unionportal.accounts.security import client_ip
from unionportal.org.models import Organisation
from unionportal.org.scope import scope_queryset

from .. import roster as rosters
from .. import selectors
from ..models import Member, RosterImport
from ..roster.forms import _CODE_IN_LABEL, UNION_SUGGESTIONS, RosterUploadForm, _union_label, _unions

IMPORT_PERMISSION = "members.add_rosterimport"
LIST_SIZE = 50


def _export_nodes(user):
    """What the export can be narrowed to on the list page: the user's node and the federations under it.

    Any node in scope works through ``?organisation=<id>`` (an organisation page can link to it).
    """
    nodes = scope_queryset(Organisation.objects.exclude(kind=Organisation.Kind.GROUP), user)
    if user.organisation_id:
        own = user.organisation
        return nodes.filter(path__startswith=own.path, depth__lte=own.depth + 1).order_by("path")
    return nodes.filter(depth__lte=2).order_by("path")


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def roster_list(request):
    """Upload a roster for one of the user's unions, and see the recent uploads in scope."""
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            roster = rosters.roster_upload(
                actor=request.user, organisation=form.cleaned_data["organisation"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("organisation", error)
        else:
            return redirect("members:roster-detail", pk=roster.pk)
    imports = scope_queryset(RosterImport.objects.select_related("organisation", "uploaded_by"), request.user)
    return render(
        request,
        "members/roster_list.html",
        {
            "form": form,
            "imports": imports[:LIST_SIZE],
            "headings": [column.heading for column in rosters.COLUMNS],
            "async_rows": settings.ROSTER_ASYNC_ROWS,
            "max_rows": settings.ROSTER_MAX_ROWS,
            "export_nodes": _export_nodes(request.user) if request.user.has_perm("members.view_member") else [],
            "statuses": Member.Status.choices,
        },
    )


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def roster_union_suggestions(request):
    """The unions in scope whose code starts with, or whose name holds, what was typed in the upload form's union
    field: at most UNION_SUGGESTIONS, as <option>s of its datalist."""
    typed = request.GET.get("organisation", "").strip()[:100]
    unions = Organisation.objects.none()
    if typed:
        code = _CODE_IN_LABEL.search(typed)
        match = Q(code=code.group(1)) if code else Q(code__startswith=typed) | Q(name__contains=typed)
        unions = _unions(request.user).filter(match).order_by("path")[:UNION_SUGGESTIONS]
    return render(request, "members/roster_union_options.html", {"options": [_union_label(union) for union in unions]})


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def roster_template(request):
    return FileResponse(
        io.BytesIO(rosters.roster_template()),
        as_attachment=True,
        filename=_("member-roster-template.xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def roster_detail(request, pk):
    """The preview of a checked roster, the progress of one at work, or the outcome; as the row says now."""
    roster = selectors.access_roster_import(request.user, pk)
    errors = [entry for entry in roster.errors if "transfer" not in entry]
    offers = [entry for entry in roster.errors if "transfer" in entry]
    return render(
        request,
        "members/roster_detail.html",
        {
            "roster": roster,
            "errors": errors,
            "more_errors": max(roster.error_rows - len({entry["row"] for entry in errors}), 0),
            "offers": offers,
            "more_offers": max(roster.transfer_rows - len(offers), 0),
            "working": roster.status in (RosterImport.Status.VALIDATING, RosterImport.Status.IMPORTING),
            **_progress(roster),
        },
    )


def _progress(roster: RosterImport) -> dict:
    """What the progress partial shows: the per cent done and whether the work seems to have stalled."""
    return {
        "progress": rosters.roster_progress(roster),
        "stalled": rosters.roster_stalled(roster),
        "stalled_minutes": int(rosters.STALLED_AFTER.total_seconds() // 60),
    }


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def roster_progress(request, pk):
    """The progress bar, polled by htmx every second; once the work is over the page reloads itself."""
    roster = selectors.access_roster_import(request.user, pk)
    working = roster.status in (RosterImport.Status.VALIDATING, RosterImport.Status.IMPORTING)
    if request.htmx and not working:
        return HttpResponseClientRefresh()
    return render(request, "members/roster_progress.html", {"roster": roster, "working": working, **_progress(roster)})


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_POST
def roster_confirm(request, pk):
    roster = selectors.access_roster_import(request.user, pk)
    ticked = {int(row) for row in request.POST.getlist("transfer") if row.isdigit()}
    # The outcome (or the progress bar) is on the roster's page; a second click lands there too.
    rosters.roster_confirm(
        actor=request.user,
        roster_import=roster,
        transfer_rows=ticked,
        transfer_all=request.POST.get("transfer_all") == "1",
        remote_addr=client_ip(request) or None,
    )
    return redirect("members:roster-detail", pk=roster.pk)


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_POST
def roster_cancel(request, pk):
    """Cancel a roster waiting for confirmation or refused; a second click finds it cancelled already."""
    roster = selectors.access_roster_import(request.user, pk)
    try:
        rosters.roster_cancel(actor=request.user, roster_import=roster)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("members:roster-detail", pk=roster.pk)


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def roster_errors(request, pk):
    """The rows not imported, with the reason of each, as an xlsx file."""
    roster = selectors.access_roster_import(request.user, pk)
    if not roster.error_file:
        raise Http404
    stem = roster.original_name.rsplit(".", 1)[0] or "roster"
    return FileResponse(
        roster.error_file.open("rb"),
        as_attachment=True,
        filename=_("%(name)s-errors.xlsx") % {"name": stem},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@permission_required("members.view_member", raise_exception=True)
@require_GET
def member_export(request):
    """The members in scope as xlsx, optionally under one node and of one status; masked unless asked and allowed."""
    organisation = None
    if request.GET.get("organisation", "").isdigit():
        organisation = selectors.access_organisation(request.user, int(request.GET["organisation"]))
    status = request.GET.get("status", "")
    if status and status not in Member.Status.values:
        status = ""
    full_numbers = request.GET.get("full") == "1"
    if full_numbers and not request.user.has_perm("accounts.reveal_sensitive"):
        raise PermissionDenied
    # FileResponse streams the file in blocks and closes it afterwards; past 16 MB it lives on disk.
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    rosters.member_export(
        actor=request.user, output=output, organisation=organisation, status=status, full_numbers=full_numbers
    )
    output.seek(0)
    name = organisation.name if organisation else _("members")
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{name}-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


urlpatterns = [
    path("roster/", roster_list, name="roster-list"),
    path("roster/template/", roster_template, name="roster-template"),
    path("roster/unions/", roster_union_suggestions, name="roster-union-suggestions"),
    path("roster/<int:pk>/", roster_detail, name="roster-detail"),
    path("roster/<int:pk>/progress/", roster_progress, name="roster-progress"),
    path("roster/<int:pk>/confirm/", roster_confirm, name="roster-confirm"),
    path("roster/<int:pk>/cancel/", roster_cancel, name="roster-cancel"),
    path("roster/<int:pk>/errors/", roster_errors, name="roster-errors"),
    path("export/", member_export, name="member-export"),
]
