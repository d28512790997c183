"""The counter's claim pages: take in, complete materials, receipt and checklist for the member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import selectors as member_selectors

from . import selectors, services
from .forms import ClaimForm, MaterialsForm
from .models import Claim, Material


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_list(request):
    status = request.GET.get("status", "")
    status = status if status in Claim.Status.values else ""
    before = request.GET.get("before", "")
    claims, next_before = selectors.claims_page(
        request.user, status=status, before=int(before) if before.isdigit() else None
    )
    return render(
        request,
        "mutualaid/claim_list.html",
        {"claims": claims, "status": status, "statuses": Claim.Status.choices, "next_before": next_before,
         "today": timezone.localdate(), "open_statuses": Claim.OPEN},
    )  # fmt: skip


@login_required
@permission_required("mutualaid.add_claim", raise_exception=True)
def claim_create(request, member_pk):
    member = member_selectors.member_get(request.user, member_pk)
    form = ClaimForm(request.POST or None, initial={"claim_type": Claim.Type.INPATIENT})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_receive(
                actor=request.user,
                member=member,
                data=services.ClaimInput(
                    **{key: data[key] for key in ("claim_type", "hospital", "admitted_on", "discharged_on",
                                                   "diagnosis", "total_cost", "fund_paid", "serious_illness_paid",
                                                   "self_funded", "invoices", "materials", "note")}
                ),
            )  # fmt: skip
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if claim.status == Claim.Status.ACCEPTED:
                messages.success(request, _("Claim %(number)s accepted; to be paid by %(due)s.") % {
                    "number": claim.number, "due": claim.due_on})  # fmt: skip
            else:
                messages.warning(request, _("Claim %(number)s received; materials are missing.") % {
                    "number": claim.number})  # fmt: skip
            return redirect("mutualaid:claim-detail", pk=claim.pk)
    return render(
        request,
        "mutualaid/claim_form.html",
        {"form": form, "member": member, "covers": selectors.covers_of(member)},
    )


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_detail(request, pk):
    claim = selectors.claim_get(request.user, pk)
    return render(
        request,
        "mutualaid/claim_detail.html",
        {
            "claim": claim,
            "events": claim.events.select_related("actor"),
            "invoices": claim.invoices.all(),
            "missing": [
                Material(code).label
                for code in services.missing_materials(claim.policy.plan_version, claim.materials_received)
            ],  # fmt: skip
            "received": [Material(code).label for code in claim.materials_received],
            "materials_form": MaterialsForm(),
        },
    )


@login_required
@permission_required("mutualaid.change_claim", raise_exception=True)
@require_POST
def claim_materials(request, pk):
    claim = selectors.claim_get(request.user, pk)
    form = MaterialsForm(request.POST)
    if form.is_valid():
        claim = services.claim_add_materials(actor=request.user, claim=claim, materials=form.cleaned_data["materials"])
        if claim.status == Claim.Status.ACCEPTED:
            messages.success(request, _("The file is complete: claim accepted, to be paid by %(due)s.") % {
                "due": claim.due_on})  # fmt: skip
        else:
            messages.info(request, _("Materials recorded."))
    return redirect("mutualaid:claim-detail", pk=claim.pk)


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_print(request, pk, document):
    """The receipt (受理回执) or the materials checklist (理赔材料告知单), print-styled on A4."""
    claim = selectors.claim_get(request.user, pk)
    missing = [Material(code).label for code in services.missing_materials(
        claim.policy.plan_version, claim.materials_received)]  # fmt: skip
    template = "mutualaid/print_receipt.html" if document == "receipt" else "mutualaid/print_checklist.html"
    return render(request, template, {"claim": claim, "missing": missing, "printed_at": timezone.localtime()})
