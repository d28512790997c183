"""The organisation tree: browse, create, edit, move, merge, deregister; legal-person certificate cases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Substr
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from unionportal.core.feedback import report_refusal
from unionportal.org import services as org_services
from unionportal.org.models import CHANGE_REPORT_DAYS, Organisation
from unionportal.org.scope import in_scope, scope_queryset

from .. import selectors, services
from ..forms import (
    CertificateCaseForm,
    DeregisterForm,
    MergeForm,
    MoveForm,
    OrganisationCreateForm,
    OrganisationForm,
)
from ..models import Member


@login_required
@permission_required("org.view_organisation", raise_exception=True)
def organisation_list(request):
    roots = list(selectors.organisation_roots_for(request.user))
    if len(roots) == 1:
        return redirect("members:organisation-detail", pk=roots[0].pk)
    return render(request, "members/organisation_list.html", {"organisations": roots})


@login_required
@permission_required("org.view_organisation", raise_exception=True)
def organisation_detail(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    parent = Organisation.objects.get_parent(organisation)
    children = list(selectors.organisation_children(request.user, organisation))
    # Active members of each child's whole subtree, in one grouped query on the copied tree path.
    width = len(organisation.path) + Organisation.steplen
    counts = dict(
        Member.objects.filter(org_path__startswith=organisation.path, status=Member.Status.ACTIVE)
        .annotate(prefix=Substr("org_path", 1, width))
        .values_list("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for child in children:
        child.active_members = counts.get(child.path, 0)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "parent": parent if parent and in_scope(request.user, parent.path) else None,
            "children": children,
            "active_members": sum(counts.values()),
            "events": organisation.events.select_related("actor", "from_parent", "to_parent", "other")[:20],
            "cases": organisation.certificate_cases.select_related("handled_by")[:20],
            "can_change": request.user.has_perm("org.change_organisation"),
            "can_file": request.user.has_perm("members.add_certificatecase") and organisation.is_union,
        },
    )


@login_required
@permission_required("org.add_organisation", raise_exception=True)
def organisation_create(request, pk):
    parent = selectors.access_organisation(request.user, pk)
    form = OrganisationCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            node = org_services.organisation_create(actor=request.user, parent=parent, fields=form.cleaned_data)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": node.name})
            return redirect("members:organisation-detail", pk=node.pk)
    return render(request, "members/organisation_form.html", {"form": form, "parent": parent})


@login_required
@permission_required("org.change_organisation", raise_exception=True)
def organisation_edit(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        changed = org_services.organisation_update(
            actor=request.user, organisation=organisation, data=form.cleaned_data
        )
        if changed:
            messages.success(request, _("Saved."))
            organisation.refresh_from_db()
            if organisation.particulars_changed_on and set(changed) & set(Organisation.REGISTERED_PARTICULARS):
                messages.warning(
                    request,
                    _("Registered particulars changed: file a change case for the legal-person certificate "
                      "within %(days)s days.") % {"days": CHANGE_REPORT_DAYS},
                )  # fmt: skip
        return redirect("members:organisation-detail", pk=organisation.pk)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": organisation})


def _structure_page(request, organisation, form, action, template_context=None):
    return render(
        request,
        "members/organisation_action.html",
        {"organisation": organisation, "form": form, "action": action, **(template_context or {})},
    )


@login_required
@permission_required("org.change_organisation", raise_exception=True)
def organisation_move(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    parents = scope_queryset(
        Organisation.objects.filter(is_active=True).exclude(
            kind__in=[Organisation.Kind.GRASSROOTS, Organisation.Kind.GROUP]
        ).exclude(path__startswith=organisation.path),
        request.user,
    ).order_by("path")  # fmt: skip
    form = MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.organisation_move(
                actor=request.user, organisation=organisation, new_parent=form.cleaned_data["new_parent"]
            )
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Moved; the history keeps where it was."))
            return redirect("members:organisation-detail", pk=organisation.pk)
    return _structure_page(request, organisation, form, _("Move"))


@login_required
@permission_required("org.change_organisation", raise_exception=True)
def organisation_merge(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    targets = selectors.unions_for(request.user).exclude(pk=organisation.pk)
    form = MergeForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            note = org_services.organisation_merge(
                actor=request.user, source=organisation, target=form.cleaned_data["target"]
            )
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("Merged into %(name)s; %(note)s.") % {"name": form.cleaned_data["target"].name, "note": note},
            )
            return redirect("members:organisation-detail", pk=form.cleaned_data["target"].pk)
    return _structure_page(request, organisation, form, _("Merge"))


@login_required
@permission_required("org.change_organisation", raise_exception=True)
def organisation_deregister(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    form = DeregisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.organisation_deregister(
                actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("%(name)s has been deregistered.") % {"name": organisation.name})
            return redirect("members:organisation-detail", pk=organisation.pk)
    return _structure_page(request, organisation, form, _("Deregister"))


@login_required
@permission_required("members.add_certificatecase", raise_exception=True)
def certificate_case_create(request, pk):
    organisation = selectors.access_organisation(request.user, pk)
    form = CertificateCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.certificate_case_file(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("%(case)s recorded.") % {"case": case.get_kind_display()})
            if case.reported_late:
                messages.warning(
                    request,
                    _("The change was reported more than %(days)s days after it happened.")
                    % {"days": CHANGE_REPORT_DAYS},
                )
            return redirect("members:organisation-detail", pk=organisation.pk)
    return _structure_page(request, organisation, form, _("Certificate case"))


@login_required
@permission_required("members.view_certificatecase", raise_exception=True)
def certificate_attention(request):
    """Unions whose certificate expires soon or has expired, or whose change is unreported (kept daily)."""
    unions = scope_queryset(Organisation.objects.exclude(alert="").filter(is_active=True), request.user).order_by(
        "alert", "certificate_valid_until", "path"
    )
    return render(request, "members/certificate_attention.html", {"unions": unions})


urlpatterns = [
    path("organisations/", organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/new/", organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/edit/", organisation_edit, name="organisation-edit"),
    path("organisations/<int:pk>/move/", organisation_move, name="organisation-move"),
    path("organisations/<int:pk>/merge/", organisation_merge, name="organisation-merge"),
    path("organisations/<int:pk>/deregister/", organisation_deregister, name="organisation-deregister"),
    path("organisations/<int:pk>/certificate/", certificate_case_create, name="certificate-case-create"),
    path("certificates/attention/", certificate_attention, name="certificate-attention"),
]
