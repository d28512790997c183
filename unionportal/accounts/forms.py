import django_filters
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .audit import ACTION_LABELS


class LoginForm(AuthenticationForm):
    error_messages = {
        # The same words whether the username exists or not, is inactive, or the password is wrong.
        "invalid_login": _(
            "The username or password is not correct. After %(limit)s failed attempts this account is "
            "locked on this computer for %(minutes)s minutes."
        ),
        "inactive": _("This account is disabled. Please contact your administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username, or ID number / mobile phone for members")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})

    def clean(self):
        from .security import sign_in_refused_here

        # Before the password is even checked: from a spraying address, the right password gets no further.
        if refused := sign_in_refused_here(self.request):
            raise forms.ValidationError(refused, code="address_paused")
        return super().clean()

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from .roles import SECOND_PERSON_ROLES, grantable_roles

        super().__init__(*args, **kwargs)
        second = _("needs a second security administrator")
        self.fields["roles"].choices = [
            (role.code, f"{role.label}（{second}）" if role.code in SECOND_PERSON_ROLES else role.label)
            for role in grantable_roles()
        ]


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("Enter the 6 digits shown in your authenticator app.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("Account"), field_name="actor__username", lookup_expr="icontains")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=list(ACTION_LABELS.items()), empty_label=_("All"))
    model = django_filters.ModelChoiceFilter(
        label=_("Record type"), field_name="content_type", queryset=None, empty_label=_("All")
    )
    object_repr = django_filters.CharFilter(label=_("Record"), lookup_expr="icontains")
    remote_addr = django_filters.CharFilter(label=_("Address"), lookup_expr="startswith")
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="timestamp",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="timestamp",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = LogEntry
        fields = []

    def __init__(self, *args, **kwargs):
        from django.contrib.contenttypes.models import ContentType

        super().__init__(*args, **kwargs)
        audited = ContentType.objects.get_for_models(*auditlog.get_models()).values()
        self.filters["model"].queryset = ContentType.objects.filter(pk__in=[ct.pk for ct in audited]).order_by(
            "app_label", "model"
        )
