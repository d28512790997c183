"""The catalogue of the monthly report, configured by the city: indicators, cross-checks, yearly catalogues.

Reports themselves are not edited here: they move only through the services (events, locks, scope).
"""

from django.contrib import admin

from .models import Catalogue, CatalogueEntry, CheckRule, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "source", "value_kind", "non_negative", "is_active")
    list_filter = ("source", "unit", "is_active")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # A computed indicator's code and source belong to its app; filed lines keep a copy of the code.
        if obj is not None:
            return ("code", "source", "value_kind") if obj.source == Indicator.Source.COMPUTED else ("code",)
        return ()


@admin.register(CheckRule)
class CheckRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "blocking", "is_active")
    list_filter = ("blocking", "is_active")
    autocomplete_fields = ("left", "right")


class CatalogueEntryInline(admin.TabularInline):
    model = CatalogueEntry
    extra = 1
    autocomplete_fields = ("indicator",)


@admin.register(Catalogue)
class CatalogueAdmin(admin.ModelAdmin):
    """A year's indicators in order. Changing it affects the drafts made from then on, never filed months."""

    list_display = ("year", "due_day", "remind_day", "note")
    inlines = [CatalogueEntryInline]


# --- Ranking configuration (also on the targets page). Bulletins are published only through their service. ---

from .models import RankingRule, Target  # noqa: E402


@admin.register(RankingRule)
class RankingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "year", "weight_progress", "weight_growth", "weight_on_time", "ratio_cap", "bulletin_day",
        "eligibility_indicator",
    )  # fmt: skip
    filter_horizontal = ("growth_indicators",)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("year", "county", "indicator", "value")
    list_filter = ("year", "indicator")
    autocomplete_fields = ("indicator",)
