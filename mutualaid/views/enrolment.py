"""Group enrolment pages (参保): the batches, a new batch for one union, payment, and the 续保提示单.

The checks of each member, the premium and the cover dates are the services' (``enrolment_batch_create``,
``enrolment_batch_pay``); this module only gathers the members (ticked, or read from an xlsx of ID numbers)
and shows the outcome.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import selectors as member_selectors
from members.models import Member
from members.validators import validate_id_number
from unionportal.core import paging
from unionportal.core.display import mask_identifier
from unionportal.core.feedback import report_refusal
from unionportal.core.sheets import TOO_LARGE, UNREADABLE, Limits, SheetRefused, read_xlsx
from unionportal.org.scope import scope_queryset

from .. import selectors, services
from ..enrolment import renewal
from ..forms import EnrolmentForm, PaymentForm
from ..models import EnrolmentBatch, Policy

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a union's list of ID numbers: far below this
MAX_UPLOAD_ROWS = 5000
MAX_UPLOAD_COLUMNS = 60  # a union's own sheet may keep other columns beside 身份证号
ID_HEADING = "身份证号"
MAX_SHEET_DAYS = 366


def _running_covers(union) -> dict[int, list[str]]:
    """Member id → names of the plans whose cover is running today (enrolling again makes a renewal)."""
    covers: dict[int, list[str]] = {}
    rows = Policy.objects.filter(
        member__organisation=union, status=Policy.Status.ACTIVE, ends_on__gte=timezone.localdate()
    ).values_list("member_id", "plan_version__plan__name")
    for member_id, plan_name in rows:
        covers.setdefault(member_id, []).append(plan_name)
    return covers


def _members_with_covers(members, union) -> list[tuple[Member, list[str]]]:
    covers = _running_covers(union) if union else {}
    return [(member, covers.get(member.pk, [])) for member in members]


def members_from_xlsx(upload, union) -> tuple[list[Member], list[str]]:
    """The active members of ``union`` named by ID number in the first sheet's 身份证号 column.

    Returns (members, errors); any error means the list must not be used. Errors name the Excel row.
    """
    limits = Limits(max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_UPLOAD_ROWS, max_columns=MAX_UPLOAD_COLUMNS)
    try:
        rows = []
        for _number, row in read_xlsx(upload, limits).rows():
            rows.append(row)
            if len(rows) > MAX_UPLOAD_ROWS + 1:
                break
    except SheetRefused as refused:
        if refused.code == UNREADABLE:
            return [], [_("The file cannot be read as an xlsx workbook.")]
        if refused.code == TOO_LARGE:
            return [], [_("The file is too large.")]
        return [], [refused.message]
    if not rows:
        return [], [_("The sheet is empty.")]
    headings = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    if ID_HEADING not in headings:
        return [], [_("The first row has no column %(heading)s.") % {"heading": ID_HEADING}]
    if len(rows) > MAX_UPLOAD_ROWS + 1:
        return [], [_("At most %(n)d rows in one upload.") % {"n": MAX_UPLOAD_ROWS}]
    column = headings.index(ID_HEADING)
    errors, wanted = [], {}
    for number, row in enumerate(rows[1:], start=2):
        cell = row[column] if column < len(row) else None
        value = "" if cell is None else str(cell).strip()
        if not value:
            if any(c not in (None, "") for c in row):
                errors.append((number, _("Row %(row)d: the ID number is missing.") % {"row": number}))
            continue
        try:
            id_number = validate_id_number(value)
        except ValidationError as exc:
            errors.append((number, _("Row %(row)d: %(error)s") % {"row": number, "error": exc.messages[0]}))
            continue
        if id_number in wanted:
            message = _("Row %(row)d: the ID number is also on row %(first)d.")
            errors.append((number, message % {"row": number, "first": wanted[id_number]}))
            continue
        wanted[id_number] = number
    found = {m.id_number: m for m in selectors.active_members(union).filter(id_number__in=list(wanted))}
    for id_number, number in wanted.items():
        if id_number not in found:
            message = _("Row %(row)d: %(id)s is not an active member of %(union)s.")
            errors.append((number, message % {"row": number, "id": mask_identifier(id_number), "union": union.name}))
    if not wanted and not errors:
        errors.append((0, _("The file lists no ID numbers.")))
    errors.sort(key=lambda error: error[0])
    return [found[i] for i in wanted if i in found], [message for _row, message in errors]


@login_required
@permission_required("mutualaid.view_enrolmentbatch", raise_exception=True)
def batch_list(request):
    """Newest batches first, keyset by id; a 续保提示单 for any union in scope."""
    batches = scope_queryset(
        EnrolmentBatch.objects.select_related("organisation", "plan_version__plan"), request.user
    ).order_by("-pk")
    page = paging.newest_first(batches, before=paging.before_param(request.GET.get("before")), size=PAGE_SIZE)
    rows, next_before = page.rows, page.next_before
    return render(
        request,
        "mutualaid/enrolment_list.html",
        {"batches": rows[:PAGE_SIZE], "next_before": next_before, "unions": member_selectors.unions_for(request.user),
         "days": renewal.sheet_days()},
    )  # fmt: skip


def _chosen_union(request):
    """The union the form is for: the posted or asked one (in scope), else the officer's own."""
    unions = member_selectors.unions_for(request.user)
    wanted = request.POST.get("union") or request.GET.get("union") or ""
    if wanted.isdigit():
        return unions.filter(pk=int(wanted)).first()
    if request.user.organisation_id:
        return unions.filter(pk=request.user.organisation_id).first()
    return None


@login_required
@permission_required("mutualaid.add_enrolmentbatch", raise_exception=True)
def batch_create(request):
    union = _chosen_union(request)
    initial = {"union": union, "shares": 1, "payer": EnrolmentBatch.Payer.UNIT}
    form = EnrolmentForm(request.POST or None, request.FILES or None, user=request.user, union=union, initial=initial)
    upload_errors, refused = [], []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        union = data["union"]
        members = list(data["members"])
        if data["upload"]:
            uploaded, upload_errors = members_from_xlsx(data["upload"], union)
            members += [m for m in uploaded if m not in members]
        if not upload_errors:
            try:
                result = services.enrolment_batch_create(
                    actor=request.user, organisation=union, plan=data["plan"], members=members,
                    shares=data["shares"], payer=data["payer"], sponsor_name=data["sponsor_name"],
                    basic_insurance_confirmed=data["basic_insurance"],
                )  # fmt: skip
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                refused = [
                    {"name": member.name, "id_number": member.id_number, "reason": str(reason)}
                    for member, reason in result.errors
                ]
                if result.batch is not None:
                    # The refusals are not stored with the batch: the result page shows them from the session.
                    request.session[f"enrolment-refused-{result.batch.pk}"] = refused
                    messages.success(request, _("Batch %(number)s built: %(count)d members, %(renewals)d renewals.") % {
                        "number": result.batch.number, "count": result.batch.policies.count(),
                        "renewals": result.renewals})  # fmt: skip
                    return redirect("mutualaid:enrolment-detail", pk=result.batch.pk)
                form.add_error(None, _("No member could be enrolled: nothing was created."))
    return render(
        request,
        "mutualaid/enrolment_form.html",
        {
            "form": form,
            "union": union,
            "members": _members_with_covers(form.fields["members"].queryset, union),
            "chosen": {str(pk) for pk in form["members"].value() or []},
            "upload_errors": upload_errors,
            "refused": refused,
        },
    )


@login_required
@permission_required("mutualaid.view_enrolmentbatch", raise_exception=True)
def batch_detail(request, pk):
    batch = selectors.access_batch(request.user, pk)
    policies = list(batch.policies.all())
    can_pay = batch.status == EnrolmentBatch.Status.SUBMITTED and request.user.has_perm("mutualaid.confirm_premium")
    return render(
        request,
        "mutualaid/enrolment_detail.html",
        {
            "batch": batch,
            "policies": policies,
            "renewals": [p for p in policies if p.renews_id],
            "refused": request.session.get(f"enrolment-refused-{batch.pk}", []),
            "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}) if can_pay else None,
            "events": batch.events.select_related("actor"),
        },
    )


@login_required
@permission_required("mutualaid.confirm_premium", raise_exception=True)
@require_POST
def batch_pay(request, pk):
    """Record the payment. A second submit finds the batch paid and changes nothing (the service says so)."""
    batch = selectors.access_batch(request.user, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("mutualaid:enrolment-detail", pk=batch.pk)
    was_paid = batch.status == EnrolmentBatch.Status.PAID
    try:
        batch = services.enrolment_batch_pay(
            actor=request.user,
            batch=batch,
            reference=form.cleaned_data["reference"],
            paid_on=form.cleaned_data["paid_on"],
        )
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        if was_paid:
            messages.info(
                request, _("The payment of batch %(number)s was already recorded.") % {"number": batch.number}
            )
        else:
            messages.success(request, _("Payment recorded: cover starts on %(start)s.") % {
                "start": batch.paid_on + timedelta(days=1)})  # fmt: skip
    return redirect("mutualaid:enrolment-detail", pk=batch.pk)


@login_required
@permission_required("mutualaid.view_enrolmentbatch", raise_exception=True)
def renewal_sheet(request):
    """续保提示单 for one union (``?union=``): covers ending within ``days`` days (by default the plan versions'
    renewal reminder days, ``renewal.sheet_days``), on A4."""
    union_pk = request.GET.get("union", "")
    if not union_pk.isdigit():
        raise Http404
    union = member_selectors.access_organisation(request.user, int(union_pk))
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() else renewal.sheet_days(today=timezone.localdate())
    if not 1 <= days <= MAX_SHEET_DAYS:
        raise Http404
    today = timezone.localdate()
    lines = renewal.renewal_sheet(union=union, days=days, today=today)
    return render(
        request,
        "mutualaid/renewal_sheet.html",
        {"union": union, "lines": lines, "days": days, "today": today, "until": today + timedelta(days=days),
         "printed_at": timezone.localtime()},
    )  # fmt: skip
