"""Finance's payment pages: batches (list, build, detail, bank file, sent, result) and failed payments.

Views stay thin: they reach objects through ``selectors`` (404 outside the user's subtree) and change
them through ``services``; a service's refusal becomes an error message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.feedback import attempt

from . import selectors, services
from .forms import ConfirmAccountForm, CorrectAccountForm, ResultForm
from .models import PaymentBatch
from .sources import source_choices

PAGE_SIZE = 50
MAX_CHOICES = 500  # requests offered at once on the batch page
MAX_ERRORS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@permission_required("payments.view_paymentbatch", raise_exception=True)
def batch_list(request):
    status = request.GET.get("status", "")
    if status not in PaymentBatch.Status.values:
        status = ""
    batches = selectors.batch_list(user=request.user, status=status)
    return render(
        request,
        "payments/batch_list.html",
        {
            "page": Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page")),
            "statuses": PaymentBatch.Status.choices,
            "status": status,
        },
    )


@login_required
@permission_required("payments.add_paymentbatch", raise_exception=True)
def batch_create(request):
    """Pending payments in scope, filtered by source, with checkboxes; posting them builds a batch."""
    source = request.GET.get("source", "")
    if request.method == "POST":
        chosen = [value for value in request.POST.getlist("requests") if value.isdigit()]
        try:
            batch = services.batch_create(actor=request.user, requests=[int(value) for value in chosen])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Batch %(number)s has been created.") % {"number": batch.number})
            return redirect("payments:batch-detail", batch.pk)
    requests = selectors.pending_requests(user=request.user, source=source)
    return render(
        request,
        "payments/batch_form.html",
        {
            "requests": requests[:MAX_CHOICES],
            "total": requests.count(),
            "max_choices": MAX_CHOICES,
            "sources": source_choices(),
            "source": source,
        },
    )


@login_required
@permission_required("payments.view_paymentbatch", raise_exception=True)
def batch_detail(request, pk):
    return _detail(request, selectors.access_payment_batch(user=request.user, pk=pk))


@login_required
@permission_required("payments.change_paymentbatch", raise_exception=True)
@require_POST
def batch_export(request, pk):
    """The bank file, downloaded (a POST: it is logged and may move the batch to exported)."""
    batch = selectors.access_payment_batch(user=request.user, pk=pk)
    try:
        content = services.batch_export(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payments:batch-detail", batch.pk)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.xlsx"'
    return response


@login_required
@permission_required("payments.change_paymentbatch", raise_exception=True)
@require_POST
def batch_mark_sent(request, pk):
    batch = selectors.access_payment_batch(user=request.user, pk=pk)
    return _apply(
        request,
        batch,
        lambda: services.batch_mark_sent(actor=request.user, batch=batch),
        _("The batch is marked as sent to the bank."),
    )


@login_required
@permission_required("payments.change_paymentbatch", raise_exception=True)
@require_POST
def batch_cancel(request, pk):
    batch = selectors.access_payment_batch(user=request.user, pk=pk)
    return _apply(
        request,
        batch,
        lambda: services.batch_cancel(actor=request.user, batch=batch),
        _("The batch has been cancelled; its payments wait for another batch."),
    )


@login_required
@permission_required("payments.change_paymentbatch", raise_exception=True)
@require_POST
def batch_result(request, pk):
    """Upload the bank's result: errors are shown and nothing saved, or everything is applied at once."""
    batch = selectors.access_payment_batch(user=request.user, pk=pk)
    form = ResultForm(request.POST, request.FILES)
    outcome = None
    if form.is_valid():
        try:
            outcome = services.batch_import_result(actor=request.user, batch=batch, file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if outcome.applied:
                messages.success(
                    request,
                    _("The bank's result has been recorded: %(paid)d paid, %(failed)d failed, %(unchanged)d unchanged.")
                    % {"paid": outcome.paid, "failed": outcome.failed, "unchanged": outcome.unchanged},
                )
                return redirect("payments:batch-detail", batch.pk)
    batch.refresh_from_db()
    return _detail(request, batch, result_form=form, outcome=outcome)


@login_required
@permission_required("payments.view_paymentrequest", raise_exception=True)
def request_failed_list(request):
    requests = selectors.failed_requests(user=request.user)
    return render(
        request,
        "payments/request_failed_list.html",
        {"page": Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page")), "form": CorrectAccountForm()},
    )


@login_required
@permission_required("payments.change_paymentrequest", raise_exception=True)
@require_POST
def request_correct(request, pk):
    """Propose a failed payment's new account; a colleague confirms it before it is paid (maker–checker)."""
    payment = selectors.access_payment_request(user=request.user, pk=pk)
    form = CorrectAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the bank, the account number and the account holder's name."))
        return redirect("payments:request-failed-list")
    try:
        services.request_propose_account(actor=request.user, request=payment, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The new account of %(payee)s is proposed; a colleague confirms it before it is paid.")
            % {"payee": payment.payee_name},
        )
    return redirect("payments:request-failed-list")


@login_required
@permission_required("payments.change_paymentrequest", raise_exception=True)
@require_POST
def request_confirm(request, pk):
    """Confirm a colleague's proposed account by typing its number again; the payment waits for the next batch."""
    payment = selectors.access_payment_request(user=request.user, pk=pk)
    form = ConfirmAccountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the proposed account number again to confirm it."))
        return redirect("payments:request-failed-list")
    try:
        services.request_confirm_account(actor=request.user, request=payment, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The account of %(payee)s has been corrected; the payment waits for the next batch.")
            % {"payee": payment.payee_name},
        )
    return redirect("payments:request-failed-list")


def _apply(request, batch, action, success_message):
    attempt(request, action, success=success_message)
    return redirect("payments:batch-detail", batch.pk)


def _detail(request, batch, **extra):
    context = {
        "batch": batch,
        "lines": selectors.batch_lines(batch=batch),
        "events": batch.events.select_related("actor"),
        "result_form": ResultForm(),
        "outcome": None,
        "can_change": request.user.has_perm("payments.change_paymentbatch"),
        **extra,
    }
    outcome = context["outcome"]
    context["errors"] = outcome.errors[:MAX_ERRORS_SHOWN] if outcome else []
    context["more_errors"] = max(len(outcome.errors) - MAX_ERRORS_SHOWN, 0) if outcome else 0
    return render(request, "payments/batch_detail.html", context)
