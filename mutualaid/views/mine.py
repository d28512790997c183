"""A member's own mutual-aid pages (phone first): my claims, one claim's timeline, my cover, the estimate.

Every page starts from ``own_member``: a staff account gets a 404, an anonymous visitor the sign-in page, and
a claim number that is not the member's own is a 404 like one that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.accounts import own_member
from unionportal.core.feedback import report_refusal

from .. import benefit, selectors
from ..claims import flow as claim_flow
from ..claims import mine
from ..forms import EstimateForm, WithdrawForm


@login_required
def my_claims(request):
    member = own_member(request.user)
    claims = selectors.my_claims(member)
    for claim in claims:
        claim.days_left = mine.days_left(claim)
    return render(request, "mutualaid/my_claims.html", {"member": member, "claims": claims})


@login_required
def my_claim_detail(request, number):
    member = own_member(request.user)
    view = mine.claim_view(selectors.my_claim_get(member, number))
    return render(request, "mutualaid/my_claim_detail.html", {"member": member, "view": view, "claim": view.claim})


@login_required
def my_claim_withdraw(request, number):
    """The member withdraws their own claim before approval: a confirmation page, then the POST."""
    member = own_member(request.user)
    claim = selectors.my_claim_get(member, number)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim_flow.claim_withdraw(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Your claim %(number)s is withdrawn.") % {"number": claim.number})
        return redirect("mutualaid:my-claim-detail", number=claim.number)
    return render(request, "mutualaid/claim_withdraw.html", {
        "claim": claim, "form": form, "back": reverse("mutualaid:my-claim-detail", args=[claim.number]),
        "withdrawable": claim.status in claim_flow.WITHDRAWABLE, "member_page": True,
    })  # fmt: skip


@login_required
def my_cover(request):
    member = own_member(request.user)
    covers = selectors.my_covers(member)
    today = timezone.localdate()
    for cover in covers:
        cover.renew_by = mine.renewal_date(cover)
        cover.in_waiting = bool(cover.waiting_ends_on and cover.waiting_ends_on >= today)
        cover.current = bool(cover.starts_on and cover.ends_on and cover.starts_on <= today <= cover.ends_on)
    return render(request, "mutualaid/my_cover.html", {"member": member, "covers": covers})


@login_required
def my_estimate(request):
    member = own_member(request.user)
    form = EstimateForm(request.GET or None)
    cover = breakdown = None
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            cover, breakdown = mine.estimate(
                member=member,
                claim_type=data["claim_type"],
                settlement=benefit.Settlement(
                    data["total_cost"], data["fund_paid"], data["serious_illness_paid"], data["self_funded"]
                ),
                days=data["days"] or 0,
            )
        except benefit.BenefitError as exc:
            error = exc.message % exc.params if exc.params else exc.message
        else:
            if cover is None:
                error = _("You have no cover of this kind today.")
    return render(
        request,
        "mutualaid/my_estimate.html",
        {"member": member, "form": form, "cover": cover, "breakdown": breakdown, "error": error},
    )
