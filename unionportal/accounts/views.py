import base64

import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionportal.core import paging

from . import selectors, services
from .audit import ACTION_LABELS, access_audit_entry, audit_entries_for, describe
from .forms import AuditFilter, LoginForm, RolesForm, TokenForm
from .models import RoleGrant
from .roles import role_label
from .security import requires_two_factor, safe_next

AUDIT_PAGE_SIZE = 50
USERS_SHOWN = 100


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(idle_minutes=int(settings.IDLE_TIMEOUT.total_seconds() // 60), **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("next") and not request.user.is_authenticated:
            messages.info(request, _("Please sign in to continue."))
        return super().get(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user, actor=self.request.user, how="form", request=self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def security(request):
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "roles": [role_label(code) for code in sorted(user.role_codes)],
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "two_factor_required": requires_two_factor(user),
        },
    )


@login_required
def otp_setup(request):
    """Pair an authenticator app: show its QR code, confirm with the first code it shows."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:security")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.two_factor_confirm(device=device)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on. You will be asked for a code after your password."))
            return redirect(safe_next(request, reverse("core:workbench")))
        form.add_error("token", _("That code does not match. Check the time on your phone and try the newest code."))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5),
            "secret": base64.b32encode(device.bin_key).decode(),
            "required": requires_two_factor(user),
            "next": safe_next(request, ""),
        },
    )


@login_required
def otp_verify(request):
    user = request.user
    next_url = safe_next(request, reverse("core:workbench"))
    if user.is_verified():
        return redirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("That code is not correct or has expired. Enter the newest code from your app."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": safe_next(request, "")})


@login_required
@require_POST
def otp_disable(request):
    if requires_two_factor(request.user):
        messages.error(request, _("Your role requires two-factor sign-in; it cannot be turned off."))
    else:
        services.two_factor_remove(user=request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:security")


@login_required
@permission_required("accounts.view_audit_log", raise_exception=True)
def audit_list(request):
    """The audit log, newest first, filtered; keyset pages (``?before=<id>``) stay fast at any depth."""
    entries = audit_entries_for(request.user).order_by("-pk")
    audit_filter = AuditFilter(request.GET or None, queryset=entries)
    rows = audit_filter.qs if audit_filter.is_bound and audit_filter.is_valid() else entries
    keyset = paging.newest_first(rows, before=paging.before_param(request.GET.get("before")), size=AUDIT_PAGE_SIZE)
    page = keyset.rows
    for entry in page:
        entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        entry.event_text = describe(entry)
    query = request.GET.copy()
    query.pop("before", None)
    if keyset.next_before:
        query["before"] = keyset.next_before
    return render(
        request,
        "accounts/audit_list.html",
        {
            "filter": audit_filter,
            "entries": page,
            "next_query": query.urlencode() if keyset.next_before else "",
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@login_required
@permission_required("accounts.view_audit_log", raise_exception=True)
def audit_detail(request, pk):
    entry = access_audit_entry(request.user, pk)
    entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
    entry.event_text = describe(entry)
    return render(request, "accounts/audit_detail.html", {"entry": entry})


def _active_lockouts():
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


@login_required
@permission_required("accounts.manage_security", raise_exception=True)
def lockout_list(request):
    return render(request, "accounts/lockout_list.html", {"attempts": _active_lockouts()})


@login_required
@permission_required("accounts.manage_security", raise_exception=True)
@require_POST
def lockout_release(request, pk):
    attempt = _active_lockouts().filter(pk=pk).first()
    if attempt is not None:
        services.lockout_release(attempt=attempt)
        messages.success(
            request,
            _("%(username)s at %(address)s can sign in again.")
            % {"username": attempt.username, "address": attempt.ip_address},
        )
    return redirect("accounts:lockout-list")


def _security_admin(view):
    """Login, the security permission and the security administrator's role (a superuser alone is not enough)."""

    @login_required
    @permission_required("accounts.manage_security", raise_exception=True)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role("security_admin"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_security_admin
def user_list(request):
    """Staff accounts in scope, with their roles and the grants waiting for a second administrator."""
    query = request.GET.get("q", "").strip()
    accounts = selectors.staff_in_scope(request.user).order_by("username")
    if query:
        accounts = accounts.filter(username__icontains=query) | accounts.filter(name__icontains=query)
    rows = list(accounts[:USERS_SHOWN])
    for row in rows:
        row.role_labels = [role_label(code) for code in sorted(row.role_codes)]
    pending = (
        RoleGrant.objects.filter(status=RoleGrant.Status.PENDING, user__in=selectors.staff_in_scope(request.user))
        .select_related("user", "requested_by")
        .order_by("requested_at")
    )
    for grant in pending:
        grant.role_label = role_label(grant.role)
    return render(request, "accounts/user_list.html", {"accounts": rows, "query": query, "pending": pending})


@_security_admin
def user_roles(request, pk):
    """The security administrator sets an account's roles (never their own)."""
    account = selectors.access_staff_account(request.user, pk)
    form = RolesForm(request.POST or None, initial={"roles": sorted(account.role_codes)})
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.user_roles_set(
                actor=request.user, user=account, roles=set(form.cleaned_data["roles"]), request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The roles of %(account)s are saved.") % {"account": account.username})
            for grant in pending:
                messages.info(
                    request,
                    _("The role %(role)s waits for another security administrator to confirm it.")
                    % {"role": role_label(grant.role)},
                )
            return redirect("accounts:user-roles", pk=account.pk)
    pending = account.role_grants.filter(status=RoleGrant.Status.PENDING).select_related("requested_by")
    for grant in pending:
        grant.role_label = role_label(grant.role)
    return render(
        request,
        "accounts/user_roles.html",
        {"account": account, "form": form, "pending": pending, "is_self": account.pk == request.user.pk},
    )


@_security_admin
@require_POST
def role_grant_confirm(request, pk):
    grant = selectors.access_role_grant(request.user, pk)
    try:
        services.role_grant_confirm(actor=request.user, grant=grant, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(account)s now holds the role %(role)s.")
            % {"account": grant.user.username, "role": role_label(grant.role)},
        )
    return redirect("accounts:user-roles", pk=grant.user_id)


@_security_admin
@require_POST
def user_password_reset(request, pk):
    """Reset a staff password: a temporary one, shown once, to be changed at the next sign-in."""
    account = selectors.access_staff_account(request.user, pk)
    try:
        temporary = services.user_password_reset(actor=request.user, user=account, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:user-roles", pk=account.pk)
    return render(request, "accounts/user_password_reset.html", {"account": account, "temporary": temporary})
