from django.contrib import admin

from .models import WorkdayCorrection


@admin.register(WorkdayCorrection)
class WorkdayCorrectionAdmin(admin.ModelAdmin):
    """The city's corrections to the holiday schedule (core.workdays): a row per holiday or make-up working day."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
    search_fields = ["note"]
