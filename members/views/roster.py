"""Roster import pages (花名册) and the member export. The work is in the ``members/roster/`` package."""

import io
import re
import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from unionportal.accounts.security import client_ip
from unionportal.org.models import Organisation
from unionportal.org.scope import scope_queryset

from .. import roster as rosters
from .. import selectors
from ..models import Member, RosterImport

IMPORT_PERMISSION = "members.add_rosterimport"
LIST_SIZE = 50
UNION_SELECT_MAX = 200  # unions in scope listed in a select; past this, typed with suggestions (~4,000 for the city)
UNION_SUGGESTIONS = 20
_CODE_IN_LABEL = re.compile(r"[（(]\s*([0-9A-Za-z]+)\s*[）)]\s*$")  # 某公司工会（611002001001）, as suggested


def _unions(user):
    """The active grassroots unions in ``user``'s scope: those a roster can be uploaded for."""
    return scope_queryset(Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True), user)


def _union_label(union: Organisation) -> str:
    return f"{union.name}（{union.code}）"


def _typed_union(unions, text: str) -> Organisation:
    """The one union of ``unions`` that ``text`` names: by its code, its label (name and code, as suggested) or
    its exact name; a ValidationError when none does, or several do."""
    text = text.strip()
    if code := _CODE_IN_LABEL.search(text):
        found = list(unions.filter(code=code.group(1))[:2])
    else:
        found = list(unions.filter(code=text)[:2]) or list(unions.filter(name=text)[:2])
    if not found:
        raise ValidationError(_("No union you look after has this code or name. Pick one from the list."))
    if len(found) > 1:
        raise ValidationError(_("Several unions have this name: type the code of the one you mean."))
    return found[0]


class RosterUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Union"), queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.unions = _unions(user).order_by("path")
        own = user.organisation if user.organisation_id and user.organisation.is_union else None
        # A select of thousands of unions is slow to send and useless to scroll: past UNION_SELECT_MAX the union
        # is typed (code or name), with suggestions from roster_union_suggestions as one types.
        self.typed = self.unions.count() > UNION_SELECT_MAX
        if self.typed:
            self.fields["organisation"] = forms.CharField(
                label=gettext_lazy("Union"),
                max_length=200,
                initial=_union_label(own) if own else "",
                help_text=gettext_lazy("Type the union's code or part of its name, and pick it from the list."),
                widget=forms.TextInput(
                    attrs={
                        "list": "roster-union-options", "autocomplete": "off",
                        "hx-get": reverse("members:roster-union-suggestions"),
                        "hx-trigger": "input changed delay:250ms",
                        "hx-target": "#roster-union-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
                    }
                ),
            )  # fmt: skip
            return
        field = self.fields["organisation"]
        field.queryset = self.unions
        field.label_from_instance = _union_label
        if own:
            field.initial = own.pk

    def clean_organisation(self):
        chosen = self.cleaned_data["organisation"]
        return _typed_union(self.unions, chosen) if self.typed else chosen

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > rosters.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB. Split the roster into several files.")
                % {"mb": rosters.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


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
