"""The organising drive's pages: the ledger (建会台账) with its counts per county, the list import, one
enterprise's page (status, owner, notes, founding its union). The work is done in ``members/drive.py``.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.feedback import attempt

from .. import drive
from ..forms import FoundUnionForm, ImportForm, LedgerFilterForm, NoteForm, OwnerForm, StatusForm

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = drive.MAX_UPLOAD_BYTES
MAX_ERRORS_SHOWN = 200


# --- Views -----------------------------------------------------------------------------------------


@login_required
@permission_required("members.view_enterprise", raise_exception=True)
def drive_list(request):
    """The ledger: counts per county, then the filtered, paginated rows."""
    user = request.user
    filter_form = LedgerFilterForm(request.GET, user=user)
    filter_form.is_valid()  # an invalid choice is just left out of the filter
    data = filter_form.cleaned_data
    rows = drive.drive_ledger(
        user=user,
        county=data.get("county"),
        status=data.get("status", ""),
        owner=data.get("owner"),
        include_small=data.get("include_small", False),
        search=data.get("q", "").strip(),
    )
    return render(
        request,
        "members/drive_list.html",
        {
            "filter": filter_form,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "counts": drive.drive_counts(user=user),
            "threshold": drive.drive_threshold(),
        },
    )


@login_required
@permission_required("members.add_enterprise", raise_exception=True)
def drive_import(request):
    """Upload a list; the result (with every row error) is shown on the same page."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = drive.enterprise_list_import(actor=request.user, file=upload, file_name=upload.name)
        except ValidationError as error:
            form.add_error("file", error)
    return render(
        request,
        "members/drive_import.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:MAX_ERRORS_SHOWN] if result else [],
            "more_errors": max(len(result.errors) - MAX_ERRORS_SHOWN, 0) if result else 0,
            "headers": drive.HEADERS,
            "sources": "、".join(drive.SOURCES),
        },
    )


@login_required
@permission_required("members.add_enterprise", raise_exception=True)
def drive_template(request):
    buffer = io.BytesIO()
    drive.import_template().save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=_("enterprise-list-template") + ".xlsx")


@login_required
@permission_required("members.change_enterprise", raise_exception=True)
@require_POST
def drive_rematch(request):
    """Run the matching again, e.g. after unions were registered since the last import."""
    linked = drive.drive_match(actor=request.user)
    messages.success(request, _("%(n)d enterprises were linked to their unions.") % {"n": linked})
    return redirect("members:drive-list")


@login_required
@permission_required("members.view_enterprise", raise_exception=True)
def drive_detail(request, pk):
    return _detail(request, drive.access_enterprise(user=request.user, pk=pk))


@login_required
@permission_required("members.change_enterprise", raise_exception=True)
@require_POST
def drive_status(request, pk):
    enterprise = drive.access_enterprise(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, enterprise, status_form=form)
    return _apply(
        request,
        enterprise,
        lambda: drive.enterprise_set_status(
            actor=request.user, enterprise=enterprise, status=form.cleaned_data["status"]
        ),
        _("The status has been changed."),
    )


@login_required
@permission_required("members.change_enterprise", raise_exception=True)
@require_POST
def drive_owner(request, pk):
    enterprise = drive.access_enterprise(user=request.user, pk=pk)
    form = OwnerForm(request.POST, enterprise=enterprise)
    if not form.is_valid():
        return _detail(request, enterprise, owner_form=form)
    return _apply(
        request,
        enterprise,
        lambda: drive.enterprise_assign_owner(
            actor=request.user, enterprise=enterprise, owner=form.cleaned_data["owner"]
        ),
        _("The owner has been changed."),
    )


@login_required
@permission_required("members.change_enterprise", raise_exception=True)
@require_POST
def drive_note(request, pk):
    enterprise = drive.access_enterprise(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, enterprise, note_form=form)
    return _apply(
        request,
        enterprise,
        lambda: drive.enterprise_note_add(actor=request.user, enterprise=enterprise, text=form.cleaned_data["text"]),
        _("The note has been added."),
    )


@login_required
@permission_required(["members.change_enterprise", "org.add_organisation"], raise_exception=True)
@require_POST
def drive_found(request, pk):
    enterprise = drive.access_enterprise(user=request.user, pk=pk)
    if enterprise.union_id is not None:  # a second click after the first one finished
        messages.error(request, _("%(enterprise)s is already linked to a union.") % {"enterprise": enterprise})
        return redirect("members:drive-detail", enterprise.pk)
    form = FoundUnionForm(request.POST, actor=request.user, enterprise=enterprise)
    if not form.is_valid():
        return _detail(request, enterprise, found_form=form)
    return _apply(
        request,
        enterprise,
        lambda: drive.enterprise_found_union(actor=request.user, enterprise=enterprise, **form.cleaned_data),
        _("The union has been founded and linked to the enterprise."),
    )


def _apply(request, enterprise, action, success_message):
    """Run a service; its refusal becomes an error message. Either way, back to the enterprise's page."""
    attempt(request, action, success=success_message)
    return redirect("members:drive-detail", enterprise.pk)


def _detail(request, enterprise, **bound_forms):
    user = request.user
    can_change = user.has_perm("members.change_enterprise")
    can_found = can_change and user.has_perm("org.add_organisation") and enterprise.union_id is None
    context = {
        "enterprise": enterprise,
        "notes": drive.enterprise_notes(enterprise=enterprise),
        "events": enterprise.events.select_related("actor"),
        "can_change": can_change,
        "status_form": StatusForm(initial={"status": enterprise.status}),
        "owner_form": OwnerForm(enterprise=enterprise, initial={"owner": enterprise.owner_id}),
        "note_form": NoteForm(),
        "found_form": FoundUnionForm(actor=user, enterprise=enterprise) if can_found else None,
        **bound_forms,
    }
    return render(request, "members/drive_detail.html", context)


urlpatterns = [
    path("drive/", drive_list, name="drive-list"),
    path("drive/import/", drive_import, name="drive-import"),
    path("drive/template.xlsx", drive_template, name="drive-template"),
    path("drive/match/", drive_rematch, name="drive-match"),
    path("drive/<int:pk>/", drive_detail, name="drive-detail"),
    path("drive/<int:pk>/status/", drive_status, name="drive-status"),
    path("drive/<int:pk>/owner/", drive_owner, name="drive-owner"),
    path("drive/<int:pk>/notes/", drive_note, name="drive-note"),
    path("drive/<int:pk>/found/", drive_found, name="drive-found"),
]
