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

    list_display = ("year", "note")
    inlines = [CatalogueEntryInline]
