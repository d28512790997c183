from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Plan, PlanSegment, PlanVersion


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ("valid_from", "premium_per_share", "max_shares", "deductible_per_stay", "per_period_cap_per_share")
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """The city administrator configures plans here; each year's terms are a new version."""

    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [PlanVersionInline]


class PlanSegmentInline(admin.TabularInline):
    model = PlanSegment
    extra = 1


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("plan", "valid_from", "premium_per_share", "deductible_per_stay", "per_period_cap_per_share")
    list_filter = ("plan",)
    inlines = [PlanSegmentInline]
    fieldsets = (
        (None, {"fields": ("plan", "valid_from", "premium_per_share", "max_shares", "term_months")}),
        (_("Enrolment"), {"fields": ("waiting_days", "renewal_grace_days", "min_age", "max_age")}),
        (
            _("Benefit"),
            {
                "fields": (
                    "deductible_per_stay",
                    "per_stay_cap_per_share",
                    "per_period_cap_per_share",
                    "fixed_sum_per_share",
                    "daily_allowance_per_share",
                    "max_days_per_stay",
                    "max_days_per_period",
                    "covered_diseases",
                )
            },
        ),  # fmt: skip
        (_("Claims"), {"fields": ("filing_window_days", "settlement_days", "required_materials")}),
    )
