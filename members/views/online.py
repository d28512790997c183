"""Members online: activate an account, set a password with a one-time code, ask for a code by SMS, my
notices; and, for the counter, issuing a one-time code for a member.

Refusals never say whether an ID number belongs to a member (see ``members.accounts``); every attempt is
counted per ID number and per address before anything is looked up.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from unionportal.accounts.security import client_ip
from unionportal.notifications.models import Notice

from .. import accounts, selectors
from ..accounts import own_member
from ..forms import ActivateForm, CodeForm, ResetRequestForm

MEMBER_HOME = "mutualaid:my-claims"
MEMBER_BACKEND = "members.backends.MemberLoginBackend"
NOTICES_SHOWN = 50


def _too_many(request, template, context):
    context["refused"] = True
    context["retry_minutes"] = settings.ACCOUNT_TRIES_WINDOW_MINUTES
    return render(request, template, context, status=429)


def _signed_in(request, user, message):
    # The member has just proved who they are (the three facts or a code): sign them in on this device.
    login(request, user, backend=MEMBER_BACKEND)
    messages.success(request, message)
    return redirect(MEMBER_HOME)


@never_cache
def activate(request):
    """Open a member account with ID number + registered phone + member number."""
    form = ActivateForm(request.POST or None)
    context = {"form": form, "title": _("Activate your account")}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not accounts.limits_allow(address=client_ip(request), id_number=data["id_number"]):
            return _too_many(request, "members/account_activate.html", context)
        try:
            user = accounts.account_activate(
                id_number=data["id_number"], phone=data["phone"], member_number=data["member_number"],
                password=data["password1"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            opened = _("Your account is open. From now on sign in with your ID number or phone.")
            return _signed_in(request, user, opened)
    return render(request, "members/account_activate.html", context)


@never_cache
def account_code(request):
    """Set a password with a one-time code: activation from the counter, or a reset (counter or SMS)."""
    form = CodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not accounts.limits_allow(address=client_ip(request), id_number=data["id_number"], scope="account.code"):
            return _too_many(request, "members/account_code.html", context)
        try:
            user = accounts.account_code_redeem(
                id_number=data["id_number"], code=data["code"], password=data["password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _signed_in(request, user, _("Your new password is set."))
    return render(request, "members/account_code.html", context)


@never_cache
def password_reset(request):
    """Ask for a reset code by SMS. The answer is the same whether or not an account matches."""
    form = ResetRequestForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        login_value = form.cleaned_data["login"]
        if not accounts.limits_allow(address=client_ip(request), id_number=login_value, scope="account.reset"):
            return _too_many(request, "members/password_reset.html", context)
        accounts.account_reset_code_send(login=login_value)
        messages.info(
            request,
            _(
                "If an account matches, a code is on its way to the phone registered with your union. "
                "It is valid for %(minutes)s minutes."
            )
            % {"minutes": settings.ACCOUNT_SMS_CODE_MINUTES},
        )
        return redirect("members:account-code")
    return render(request, "members/password_reset.html", context)


@login_required
def my_notices(request):
    """The messages the outbox sent about this member, newest first."""
    member = own_member(request.user)
    notices = list(
        Notice.objects.filter(
            member_source=member._meta.label_lower, member_reference=str(member.pk), status=Notice.Status.SENT
        ).order_by("-created_at", "-pk")[:NOTICES_SHOWN]
    )
    return render(request, "members/my_notices.html", {"member": member, "notices": notices})


@login_required
@permission_required("members.change_member", raise_exception=True)
@require_POST
def account_code_issue(request, pk):
    """The counter prints a one-time code for the member: activation, or a password reset (audited)."""
    member = selectors.access_member(request.user, pk)
    code = accounts.account_code_issue(actor=request.user, member=member)
    has_account = member.account_id is not None
    return render(
        request,
        "members/account_code_print.html",
        {"member": member, "code": code, "has_account": has_account, "printed_at": timezone.localtime(),
         "valid_days": settings.ACCOUNT_COUNTER_CODE_DAYS},
    )  # fmt: skip


urlpatterns = [
    path("activate/", activate, name="activate"),
    path("account/code/", account_code, name="account-code"),
    path("account/reset/", password_reset, name="password-reset"),
    path("me/notices/", my_notices, name="my-notices"),
    path("<int:pk>/account-code/", account_code_issue, name="account-code-issue"),
]
