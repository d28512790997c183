from django import forms
from django.utils.translation import gettext_lazy as _

from ..bulletin.data import is_summable
from ..models import Indicator, RankingRule


class RankingRuleForm(forms.ModelForm):
    """The year's weights and settings; saved through ``ranking_services.ranking_rule_set``."""

    class Meta:
        model = RankingRule
        fields = ["weight_progress", "weight_growth", "weight_on_time", "ratio_cap", "growth_indicators",
                  "eligibility_indicator", "bulletin_day"]  # fmt: skip
        widgets = {"growth_indicators": forms.CheckboxSelectMultiple}
        help_texts = {
            "weight_progress": _("Weights need not add up to 100: the score divides by their sum."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        summable = [i.pk for i in Indicator.objects.filter(is_active=True) if is_summable(i)]
        queryset = Indicator.objects.filter(pk__in=summable).order_by("code")
        self.fields["growth_indicators"].queryset = queryset
        self.fields["eligibility_indicator"].queryset = queryset
        self.fields["bulletin_day"].required = False  # left empty: the rule keeps its day
