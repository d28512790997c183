from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CheckRule, Indicator


class EnteredIndicatorForm(forms.ModelForm):
    """An indicator the counties enter (送温暖走访, competitions outside the portal …)."""

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "value_kind", "non_negative", "description"]
        help_texts = {"code": _("Lower-case letters, digits and underscores; it cannot be changed later.")}

    def save(self, commit=True):
        self.instance.source = Indicator.Source.ENTERED
        return super().save(commit)


class CheckRuleForm(forms.ModelForm):
    class Meta:
        model = CheckRule
        fields = ["left", "operator", "right", "blocking"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Indicator.objects.filter(is_active=True).order_by("code")
        self.fields["left"].queryset = self.fields["right"].queryset = active
