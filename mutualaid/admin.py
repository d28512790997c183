from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Plan, PlanSegment, PlanVersion
from .plans import plan_version_new_from


class PlanVersionInline(admin.TabularInline):
    """The plan's versions, read only: terms are edited on a version of their own, before it comes into force."""

    model = PlanVersion
    fields = ("valid_from", "premium_per_share", "max_shares", "deductible_per_stay", "per_period_cap_per_share")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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

    # The bands are part of the terms: fixed with the version once it is in force or in use.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_locked())

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked())


class NewVersionForm(forms.Form):
    valid_from = forms.DateField(label=_("in force from"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    """A version in force (or used by an enrolment) is shown read only, with "new version from" beside it."""

    list_display = ("plan", "valid_from", "premium_per_share", "deductible_per_stay", "per_period_cap_per_share")
    list_filter = ("plan",)
    inlines = [PlanSegmentInline]
    fieldsets = (
        (None, {"fields": ("plan", "valid_from", "premium_per_share", "max_shares", "term_months")}),
        (
            _("Enrolment"),
            {"fields": ("waiting_days", "renewal_grace_days", "renewal_reminder_days", "min_age", "max_age")},
        ),
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
        (
            _("Claims"),
            {
                "fields": (
                    "filing_window_days",
                    "settlement_days",
                    "first_reminder_days",
                    "second_reminder_days",
                    "city_approval_threshold",
                    "required_materials",
                )
            },
        ),
    )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, unquote(object_id))
        if version is not None and version.is_locked() and request.method == "GET":
            messages.info(
                request,
                gettext("These terms are in force or in use and cannot be changed. To change them, make a new "
                         "version from a later date: “New version from”."),
            )  # fmt: skip
            extra_context = {
                **(extra_context or {}),
                "new_version_url": reverse("admin:mutualaid_planversion_new_from", args=[version.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/new-version/",
                self.admin_site.admin_view(self.new_version_view),
                name="mutualaid_planversion_new_from",
            ),
            *super().get_urls(),
        ]

    def new_version_view(self, request, pk):
        """Copy a version's terms and bands into a new version from a later date, then edit that one."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        source = get_object_or_404(PlanVersion, pk=pk)
        form = NewVersionForm(request.POST or None, initial={"valid_from": timezone.localdate() + timedelta(days=1)})
        if request.method == "POST" and form.is_valid():
            try:
                version = plan_version_new_from(source=source, valid_from=form.cleaned_data["valid_from"])
            except ValidationError as error:
                form.add_error("valid_from", error)
            else:
                messages.success(request, gettext("New version made: change its terms before it comes into force."))
                return redirect("admin:mutualaid_planversion_change", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("New version of %(version)s") % {"version": source},
            "source": source,
            "form": form,
        }
        return TemplateResponse(request, "admin/mutualaid/planversion/new_version.html", context)
