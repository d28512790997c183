"""The counter's claim pages: take in, complete materials, receipt and checklist for the member."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import accounts as member_accounts
from members import selectors as member_selectors
from unionportal.accounts import audit
from unionportal.core import paging
from unionportal.core.feedback import report_refusal
from unionportal.core.navigation import link_maker

from .. import benefit, selectors, services
from ..claims import documents, mine, payouts, review
from ..claims import flow as claim_flow
from ..forms import (
    AssessForm,
    ClaimForm,
    DocumentForm,
    EstimateForm,
    MaterialsForm,
    RejectForm,
    ReturnForm,
    WithdrawForm,
)  # fmt: skip
from ..models import Claim, material_labels


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_list(request):
    """Newest claims, or (POST) a search: an ID number is typed there, and travels in the body, never the URL."""
    status = request.GET.get("status", "")
    status = status if status in Claim.Status.values else ""
    query = request.POST.get("q", "").strip()[:50] if request.method == "POST" else ""
    if query:
        claims, next_before = selectors.claims_search(request.user, query), None
    else:
        claims, next_before = selectors.claims_page(
            request.user, status=status, before=paging.before_param(request.GET.get("before"))
        )
    return render(
        request,
        "mutualaid/claim_list.html",
        {"claims": claims, "status": status, "statuses": Claim.Status.choices, "next_before": next_before,
         "today": timezone.localdate(), "open_statuses": Claim.OPEN, "query": query, "searched": bool(query)},
    )  # fmt: skip


@login_required
@permission_required("mutualaid.add_claim", raise_exception=True)
def claim_create(request, member_pk):
    member = member_selectors.access_member(request.user, member_pk)
    form = ClaimForm(request.POST or None, initial={"claim_type": Claim.Type.INPATIENT})
    overlapping = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        overlap_reason = data["overlap_reason"] if data["overlap_confirmed"] else ""
        try:
            claim = services.claim_receive(
                actor=request.user,
                member=member,
                data=services.ClaimInput(
                    **{key: data[key] for key in ("claim_type", "hospital", "admitted_on", "discharged_on",
                                                   "diagnosis", "total_cost", "fund_paid", "serious_illness_paid",
                                                   "self_funded", "invoices", "materials", "bank_name",
                                                   "bank_account", "note")},
                    overlap_reason=overlap_reason,
                ),
            )  # fmt: skip
        except services.OverlappingStay as exc:
            # Nothing was saved; the form comes back as typed, with the other claims and the confirmation.
            overlapping = exc.claims
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
        {"form": form, "member": member, "covers": selectors.covers_of(member), "overlapping": overlapping,
         "ask_overlap": bool(overlapping) or bool(form.data.get("overlap_confirmed"))},
    )  # fmt: skip


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_detail(request, pk):
    claim = selectors.access_claim_page(request.user, pk)
    missing_codes = services.missing_materials(claim.policy.plan_version, claim.materials_received)
    return render(
        request,
        "mutualaid/claim_detail.html",
        {
            "claim": claim,
            "events": claim.events.select_related("actor"),
            "invoices": claim.invoices.all(),
            "missing": material_labels(missing_codes),
            "received": material_labels(claim.materials_received),
            "materials_form": MaterialsForm(),
            "documents": claim.documents.all(),
            "document_form": DocumentForm(),
            "breakdown": review.breakdown_shown(claim),
            "assess_form": AssessForm(),
            "return_form": ReturnForm(),
            "reject_form": RejectForm(),
            "overdue": review.overdue(claim),
            "reviewable": claim.status in (Claim.Status.ACCEPTED, Claim.Status.ASSESSED),
            "awaiting_check": claim.status == Claim.Status.RECEIVED and not missing_codes,
            "decided": claim.status in (Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.REJECTED),
            "waits_for_city": claim.status == Claim.Status.ASSESSED and claim.approved_by_id is not None,
            "withdrawable": claim.status in claim_flow.WITHDRAWABLE,
            "payment_failure": payouts.payment_failure(claim),
        },
    )


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def queue(request):
    """Claims waiting for the user's step, oldest due date first; overdue ones in red."""
    stage = "approve" if request.user.has_perm("mutualaid.approve_claim") else "assess"
    stage = request.GET.get("stage", stage)
    status = Claim.Status.ASSESSED if stage == "approve" else Claim.Status.ACCEPTED
    claims = selectors.queue(request.user, status=status)
    claim_page = link_maker("mutualaid:claim-detail")
    for row in claims:
        row.url = claim_page(row.pk)
    return render(
        request,
        "mutualaid/queue.html",
        {"claims": claims, "stage": stage, "today": timezone.localdate()},
    )


@login_required
@require_POST
def claim_decide(request, pk, action):
    """Assess, approve, return or reject: each checks its permission, the service checks everything else."""
    needed = {
        "assess": "mutualaid.assess_claim", "approve": "mutualaid.approve_claim",
        "return": "mutualaid.assess_claim", "reject": "mutualaid.assess_claim",
    }[action]  # fmt: skip
    if not request.user.has_perm(needed):
        raise PermissionDenied
    claim = selectors.access_claim(request.user, pk)
    try:
        if action == "assess":
            form = AssessForm(request.POST)
            if not form.is_valid():
                raise ValidationError(list(form.errors.values())[0])
            claim = claim_flow.claim_assess(
                actor=request.user, claim=claim, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]
            )
        elif action == "approve":
            claim = claim_flow.claim_approve(actor=request.user, claim=claim)
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose the materials the member must bring."))
            claim = claim_flow.claim_return(
                actor=request.user, claim=claim, missing=form.cleaned_data["missing"], note=form.cleaned_data["note"]
            )
        else:
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose the reason for rejecting the claim."))
            claim = claim_flow.claim_reject(
                actor=request.user, claim=claim, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Claim %(number)s: %(status)s.") % {
            "number": claim.number, "status": claim.get_status_display()})  # fmt: skip
    return redirect("mutualaid:claim-detail", pk=claim.pk)


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_estimate(request, member_pk):
    """试算: what a stay would pay back under the member's cover today, before any claim exists."""
    member = member_selectors.access_member(request.user, member_pk)
    form = EstimateForm(request.GET or None)
    breakdown, cover, error = None, None, ""
    if form.is_valid():
        data = form.cleaned_data
        cover = services.cover_on(member, data["claim_type"], timezone.localdate())
        if cover is None:
            error = _("No cover of this kind today.")
        else:
            try:
                breakdown = review.estimate(
                    policy=cover,
                    settlement=benefit.Settlement(
                        data["total_cost"], data["fund_paid"], data["serious_illness_paid"], data["self_funded"]
                    ),
                    days=data["days"] or 0,
                )
            except benefit.BenefitError as exc:
                error = exc.message % exc.params if exc.params else exc.message
    return render(
        request,
        "mutualaid/estimate.html",
        {"member": member, "form": form, "breakdown": breakdown, "cover": cover, "error": error},
    )


@login_required
@permission_required("mutualaid.change_claim", raise_exception=True)
@require_POST
def claim_materials(request, pk):
    claim = selectors.access_claim(request.user, pk)
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
@permission_required("mutualaid.change_claim", raise_exception=True)
@require_POST
def claim_accept_checked(request, pk):
    claim = selectors.access_claim(request.user, pk)
    try:
        claim = services.claim_accept_checked(actor=request.user, claim=claim)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        if claim.status == Claim.Status.ACCEPTED:
            messages.success(request, _("The file is complete: claim accepted, to be paid by %(due)s.") % {
                "due": claim.due_on})  # fmt: skip
    return redirect("mutualaid:claim-detail", pk=claim.pk)


@login_required
@permission_required("mutualaid.change_claim", raise_exception=True)
def claim_withdraw(request, pk):
    """The counter withdraws a claim for the member, before approval: a confirmation page, then the POST."""
    claim = selectors.access_claim(request.user, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_flow.claim_withdraw(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Claim %(number)s withdrawn; the member is told by SMS.") % {
                "number": claim.number})  # fmt: skip
        return redirect("mutualaid:claim-detail", pk=claim.pk)
    return render(request, "mutualaid/claim_withdraw.html", {
        "claim": claim, "form": form, "back": reverse("mutualaid:claim-detail", args=[claim.pk]),
        "withdrawable": claim.status in claim_flow.WITHDRAWABLE,
    })  # fmt: skip


@login_required
@permission_required("mutualaid.change_claim", raise_exception=True)
@require_POST
def claim_document_upload(request, pk):
    claim = selectors.access_claim(request.user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    else:
        try:
            documents.claim_document_add(
                actor=request.user,
                claim=claim,
                material=form.cleaned_data["material"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Scan attached."))
    return redirect("mutualaid:claim-detail", pk=claim.pk)


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_document(request, pk, document_pk):
    """A scan, to someone who may see the claim; medical data, so every opening is logged."""
    claim = selectors.access_claim(request.user, pk)
    document = selectors.access_document(claim, document_pk)
    audit.log_reveal(actor=request.user, instance=document, field="file")
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(False, document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("mutualaid.view_claim", raise_exception=True)
def claim_print(request, pk, document):
    """The receipt (受理回执) or the materials checklist (理赔材料告知单), print-styled on A4."""
    claim = selectors.access_claim(request.user, pk)
    missing = material_labels(services.missing_materials(claim.policy.plan_version, claim.materials_received))
    templates = {
        "receipt": "mutualaid/print_receipt.html",
        "checklist": "mutualaid/print_checklist.html",
        "result": "mutualaid/print_result.html",
    }
    context = {
        "claim": claim,
        "missing": missing,
        "printed_at": timezone.localtime(),
        "breakdown": review.breakdown_shown(claim),
        # The notice goes to the member: the plain words of an adjustment, not the assessor's internal note.
        "adjustment": mine.adjustment_label(mine.ADJUSTMENT_CODE) if review.adjusted(claim) else "",
        "can_issue_code": document == "receipt" and member_accounts.may_issue_code(request.user, claim.member),
    }
    if document == "receipt" and request.method == "POST":
        # The receipt printed with a one-time code for the member's online account (activation, or a reset by
        # the counter clerk with the member present).
        if not member_accounts.may_issue_code(request.user, claim.member):
            raise PermissionDenied
        context.update(
            code=member_accounts.account_code_issue(actor=request.user, member=claim.member),
            member=claim.member, valid_days=settings.ACCOUNT_COUNTER_CODE_DAYS,
        )  # fmt: skip
    return render(request, templates[document], context)
