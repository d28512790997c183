"""Counter lookup, member pages, service cards and transfers."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.accounts import audit
from unionportal.core.feedback import report_refusal
from unionportal.core.panels import member_panels
from unionportal.org.scope import in_scope

from .. import accounts, selectors, services
from ..forms import (
    AskTransferForm,
    CardForm,
    DeclineForm,
    LookupForm,
    MemberForm,
    MemberStatusForm,
    TransferForm,
    UnionChoiceForm,
)
from ..models import Member, MemberCard
from ..validators import same_name

CARD_SALT = "members.card"


@login_required
@permission_required("members.view_member", raise_exception=True)
def member_lookup(request):
    """The counter's one search box. Identifiers travel in the POST body, never in a URL or a log line."""
    form = LookupForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = selectors.member_lookup(request.user, form.cleaned_data["q"])
        if result.member is not None:
            return redirect("members:member-detail", pk=result.member.pk)
    return render(request, "members/member_lookup.html", {"form": form, "result": result})


@login_required
@permission_required("members.view_member", raise_exception=True)
def member_list(request):
    organisation = None
    if request.GET.get("org", "").isdigit():
        organisation = selectors.access_organisation(request.user, int(request.GET["org"]))
    status = request.GET.get("status", "")
    if status not in Member.Status.values:
        status = ""
    page = selectors.member_page(request.user, organisation=organisation, status=status, after=request.GET.get("after"))
    query = request.GET.copy()
    query["after"] = page.next_cursor
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "organisation": organisation,
            "status": status,
            "statuses": Member.Status.choices,
            "next_query": query.urlencode() if page.next_cursor else "",
            "first_page": not request.GET.get("after"),
        },
    )


@login_required
@permission_required("members.view_member", raise_exception=True)
def member_detail(request, pk):
    member = selectors.access_member(request.user, pk)
    # The cover card lists the member's mutual-aid covers (a reverse relation: members imports no app above it).
    prefetch_related_objects([member], "policies__plan_version__plan")
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "periods": member.periods.select_related("organisation"),
            "transfers": member.transfers.select_related("from_organisation", "to_organisation"),
            "cards": member.cards.all(),
            "claims": selectors.member_claims(request.user, member),
            "panels": member_panels(request.user, member),
            "status_form": MemberStatusForm(initial={"on": timezone.localdate()}),
            "card_form": CardForm(initial={"issued_on": timezone.localdate()}),
            "transfer_form": TransferForm(),
            "can_edit": request.user.has_perm("members.change_member"),
            "can_issue_code": accounts.may_issue_code(request.user, member),
        },
    )


@login_required
@permission_required("accounts.reveal_sensitive", raise_exception=True)
@require_POST
def member_reveal(request, pk):
    """Show the full ID number (or, with ``field=phone`` in the body, the phone) once, and log that it was shown
    (PIPL art. 28)."""
    member = selectors.access_member(request.user, pk)
    field = request.POST.get("field", "id_number")
    if field not in REVEALABLE:
        raise Http404
    audit.log_reveal(actor=request.user, instance=member, field=field)
    return render(request, REVEALABLE[field], {"member": member, "revealed": True})


REVEALABLE = {"id_number": "members/_id_number.html", "phone": "members/_phone.html"}


@login_required
@permission_required("members.add_member", raise_exception=True)
def member_create(request):
    unions = selectors.unions_for(request.user)
    default_union = request.user.organisation if request.user.organisation in unions else None
    union_form = UnionChoiceForm(request.POST or None, unions=unions, initial={"organisation": default_union})
    form = MemberForm(request.POST or None, initial={"joined_on": timezone.localdate()})
    existing = elsewhere = None
    if request.method == "POST" and union_form.is_valid() and form.is_valid():
        union = union_form.cleaned_data["organisation"]
        try:
            member = services.member_register(actor=request.user, organisation=union, data=_member_data(form))
        except services.AlreadyMember as exc:
            # Who the member is, and where, only for a union in the user's scope or for the member's own name
            # typed with the number; otherwise the one answer that tells nothing more (issue 11, item 13).
            if in_scope(request.user, exc.member.org_path) or same_name(form.cleaned_data["name"], exc.member.name):
                existing = exc.member
            else:
                elsewhere = services.ALREADY_ELSEWHERE
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered, member number %(number)s.")
                % {"name": member.name, "number": member.member_number},
            )
            return redirect("members:member-detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "union_form": union_form, "existing": existing, "elsewhere": elsewhere, "creating": True},
    )


def _member_data(form) -> dict:
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    if not data.get("sex"):
        data.pop("sex")
    return data


@login_required
@permission_required("members.change_member", raise_exception=True)
def member_edit(request, pk):
    member = selectors.access_member(request.user, pk)
    form = MemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        data = _member_data(form)
        data.pop("joined_on", None)
        # Says nothing of who holds the number: it may be a member of a union the user does not see.
        if (
            data.get("id_number") != member.id_number
            and Member.objects.filter(id_number=data["id_number"]).exclude(pk=member.pk).exists()
        ):
            form.add_error("id_number", _("This ID number belongs to another member."))
        if form.is_valid():
            changed = services.member_update(actor=request.user, member=member, data=data)
            if changed:
                messages.success(request, _("Saved."))
            return redirect("members:member-detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member, "creating": False})


@login_required
@permission_required("members.add_transfer", raise_exception=True)
@require_POST
def member_request_transfer(request):
    """From registration: the person is a member elsewhere, so the new union asks for the membership.

    The member is named by the ID number and the name the counter typed, in the body: never by a key in the URL,
    which would let anyone with the permission try every member of the city.
    """
    form = AskTransferForm(request.POST, unions=selectors.unions_for(request.user))
    if not form.is_valid():
        report_refusal(request, services.NoTransfer())
        return redirect("members:member-create")
    union = form.cleaned_data["organisation"]
    try:
        transfer = services.transfer_ask(
            actor=request.user, id_number=form.cleaned_data["id_number"], name=form.cleaned_data["name"],
            to_organisation=union,
        )  # fmt: skip
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("members:member-create")
    messages.success(
        request,
        _("Transfer asked for: %(from)s must release %(name)s before the membership moves to %(to)s.")
        % {"from": transfer.from_organisation.name, "name": transfer.member.name, "to": union.name},
    )
    return redirect("members:transfer-list")


@login_required
@permission_required("members.change_member", raise_exception=True)
@require_POST
def member_status(request, pk):
    member = selectors.access_member(request.user, pk)
    form = MemberStatusForm(request.POST)
    if form.is_valid():
        try:
            services.member_set_status(
                actor=request.user, member=member, status=form.cleaned_data["status"], on=form.cleaned_data["on"]
            )
            messages.success(request, _("Status changed."))
        except ValidationError as exc:
            report_refusal(request, exc)
    else:
        messages.error(request, _("Choose a status and a date."))
    return redirect("members:member-detail", pk=member.pk)


@login_required
@permission_required("members.change_member", raise_exception=True)
@require_POST
def member_card_issue(request, pk):
    member = selectors.access_member(request.user, pk)
    form = CardForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    elif MemberCard.objects.filter(number=form.cleaned_data["number"]).exists():
        messages.error(request, _("This card number is already issued."))
    else:
        services.member_card_issue(actor=request.user, member=member, **form.cleaned_data)
        messages.success(request, _("Service card recorded."))
    return redirect("members:member-detail", pk=member.pk)


@login_required
@permission_required("members.view_member", raise_exception=True)
def member_card_print(request, pk):
    """A printable membership card whose QR code opens the member at any counter; signed against forgery."""
    member = selectors.access_member(request.user, pk)
    token = signing.dumps({"m": member.pk, "n": member.member_number}, salt=CARD_SALT, compress=True)
    url = request.build_absolute_uri(reverse("members:card-scan", args=[token]))
    return render(
        request,
        "members/member_card.html",
        {
            "member": member,
            "card": member.cards.filter(status=MemberCard.Status.ACTIVE).first(),
            "qr_svg": segno.make(url, error="m").svg_inline(scale=4),
        },
    )


@login_required
@permission_required("members.view_member", raise_exception=True)
def card_scan(request, token):
    """A scanned card: a forged or altered code is refused; a genuine one opens the member (if in scope)."""
    try:
        data = signing.loads(token, salt=CARD_SALT)
    except signing.BadSignature:
        raise Http404 from None
    member = selectors.access_member(request.user, data["m"])
    if member.member_number != data.get("n"):
        raise Http404
    return redirect("members:member-detail", pk=member.pk)


# --- Transfers -------------------------------------------------------------------------------------


@login_required
@permission_required("members.add_transfer", raise_exception=True)
@require_POST
def transfer_send(request, pk):
    member = selectors.access_member(request.user, pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("members:member-detail", pk=member.pk)
    try:
        services.transfer_send(
            actor=request.user, member=member, to_organisation=form.cleaned_data["to_code"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            _("Transfer sent to %(union)s; it moves when they accept.") % {"union": form.cleaned_data["to_code"]},
        )
    return redirect("members:member-detail", pk=member.pk)


@login_required
@permission_required("members.view_member", raise_exception=True)
def transfer_list(request):
    return render(
        request,
        "members/transfer_list.html",
        {
            "to_decide": selectors.transfers_for(request.user, deciding=True),
            "waiting": selectors.transfers_for(request.user, deciding=False),
            "decline_form": DeclineForm(),
        },
    )


@login_required
@permission_required("members.change_transfer", raise_exception=True)
@require_POST
def transfer_decide(request, pk, decision):
    transfer = selectors.access_transfer(request.user, pk)
    try:
        if decision == "accept":
            result = services.transfer_accept(actor=request.user, transfer=transfer)
        elif decision == "decline":
            form = DeclineForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            result = services.transfer_decline(actor=request.user, transfer=transfer, note=note)
        else:
            result = services.transfer_cancel(actor=request.user, transfer=transfer)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Transfer: %(status)s.") % {"status": result.get_status_display()})
    return redirect("members:transfer-list")


urlpatterns = [
    path("", member_lookup, name="member-lookup"),
    path("list/", member_list, name="member-list"),
    path("new/", member_create, name="member-create"),
    path("<int:pk>/", member_detail, name="member-detail"),
    path("<int:pk>/edit/", member_edit, name="member-edit"),
    path("<int:pk>/reveal/", member_reveal, name="member-reveal"),
    path("<int:pk>/status/", member_status, name="member-status"),
    path("<int:pk>/card/", member_card_issue, name="member-card-issue"),
    path("<int:pk>/card/print/", member_card_print, name="member-card-print"),
    path("<int:pk>/transfer/", transfer_send, name="member-transfer"),
    path("ask-transfer/", member_request_transfer, name="member-ask-transfer"),
    path("card/<str:token>/", card_scan, name="card-scan"),
    path("transfers/", transfer_list, name="transfer-list"),
    re_path(r"^transfers/(?P<pk>\d+)/(?P<decision>accept|decline|cancel)/$", transfer_decide, name="transfer-decide"),
]
