"""Monthly figures from the county federations (一月一交账, DOMAIN.md §7).

The shapes, from the catalogue down:

- ``Indicator``: one figure the city asks for (code, Chinese name, unit, computed or entered, value kind).
  Computed ones are defined by the apps (``<app>/indicators.py``, see ``unionportal/core/indicators.py``);
  entered ones are configured by city staff.
- ``CheckRule``: a cross-check between two indicators ("理赔人次 ≤ 理赔受理人次"), configured as a row.
- ``Catalogue`` / ``CatalogueEntry``: which indicators a year's reports carry, and in which order. Next
  year's catalogue is a new row and its entries: no code changes.
- ``MonthlyReport``: one per county federation and month (unique). It holds the deadline and the late mark,
  and points at its current revision and at its latest approved one.
- ``ReportRevision``: one filing of the month. Revision 1 is the draft prefilled on the 1st; a correction
  after approval opens revision n+1 with its reason, and the earlier revisions stay as they were.
- ``ReportLine``: one indicator's figure in one revision. A line **copies** the indicator's code, name,
  unit and kinds when the revision is made: a past month keeps what it was filed with, whatever later
  happens to the indicator row or to the catalogue (renamed, re-united, dropped next year). The foreign key
  to the indicator stays for joins; ``PROTECT`` keeps a filed indicator from being deleted.
- ``ReportEvent``: one row per transition (who, when, comment), the report's history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.org.models import Organisation

FIGURE = {"max_digits": 16, "decimal_places": 2}  # whole numbers, money in 元 and one-decimal rates alike


class Indicator(models.Model):
    """One figure of the monthly report."""

    class Unit(models.TextChoices):
        PERSON = "person", pgettext_lazy("unit", "persons")  # 人
        ORGANISATION = "organisation", pgettext_lazy("unit", "organisations")  # 个
        YUAN = "yuan", pgettext_lazy("unit", "yuan")  # 元
        PERSON_TIME = "person_time", pgettext_lazy("unit", "person-times")  # 人次
        DAY = "day", pgettext_lazy("unit", "days")  # 天
        PERCENT = "percent", pgettext_lazy("unit", "per cent")  # %

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the portal's data")
        ENTERED = "entered", _("Entered by the county")

    class ValueKind(models.TextChoices):
        WHOLE = "whole", _("Whole number")
        MONEY = "money", _("Money (two decimals)")
        DECIMAL = "decimal", _("Decimal (one decimal)")

    code = models.SlugField(
        _("code"), max_length=40, unique=True,
        help_text=_("Stable identifier used in the xlsx template and the API; "
                    "for a computed indicator, the code its app registers."),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    value_kind = models.CharField(_("value kind"), max_length=10, choices=ValueKind.choices, default=ValueKind.WHOLE)
    non_negative = models.BooleanField(_("non-negative"), default=True)
    description = models.CharField(_("definition"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.get_unit_display()})"

    def clean(self):
        from unionportal.core import indicators

        if self.source == self.Source.COMPUTED and not indicators.is_computed(self.code):
            raise ValidationError(
                {"code": _("No app computes an indicator with the code %(code)s.") % {"code": self.code}}
            )


class CheckRule(models.Model):
    """A cross-check between two indicators of the same report: ``left <operator> right``.

    A blocking rule refuses the submission; a non-blocking one warns (for pairs that usually hold but need
    not every month, e.g. claims paid this month against claims accepted this month).
    """

    class Operator(models.TextChoices):
        LE = "le", "≤"
        LT = "lt", "<"
        GE = "ge", "≥"
        GT = "gt", ">"
        EQ = "eq", "="

    left = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("left"))
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices, default=Operator.LE)
    right = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("right"))
    blocking = models.BooleanField(_("blocks submission"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cross-check rule")
        verbose_name_plural = _("cross-check rules")
        constraints = [
            models.UniqueConstraint(fields=["left", "operator", "right"], name="reporting_checkrule_unique"),
        ]

    def __str__(self):
        return f"{self.left.name} {self.get_operator_display()} {self.right.name}"

    def clean(self):
        if self.left_id and self.left_id == self.right_id:
            raise ValidationError(_("A cross-check compares two different indicators."))


class Catalogue(models.Model):
    """The indicators of one year's monthly reports, in order (``CatalogueEntry``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The filing calendar of the year's reports, decided by the federation (DOMAIN.md §7): the day of the next
    # month a report is due, and the day reminders to counties that have not submitted start.
    due_day = models.PositiveSmallIntegerField(
        _("due day of the next month"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    remind_day = models.PositiveSmallIntegerField(
        _("reminders start on day"), default=3, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    indicators = models.ManyToManyField(Indicator, through="CatalogueEntry", related_name="catalogues")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator catalogue")
        verbose_name_plural = _("indicator catalogues")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_day__gte=1, remind_day__lte=models.F("due_day"), due_day__lte=28),
                name="reporting_catalogue_days_in_order",
            ),
        ]

    def __str__(self):
        return _("Indicator catalogue %(year)s") % {"year": self.year}


class CatalogueEntry(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "indicator"], name="reporting_catalogue_indicator_unique"),
        ]

    def __str__(self):
        return f"{self.catalogue.year} · {self.indicator}"


class MonthlyReport(models.Model):
    """One county federation's figures for one month (unique), across its revisions."""

    county = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="monthly_reports", verbose_name=_("county federation"),
        limit_choices_to={"kind": Organisation.Kind.COUNTY},
    )  # fmt: skip
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    # The county's tree path, copied for scoping (one prefix query, like Member.org_path).
    org_path = models.CharField(max_length=255, editable=False)
    due_on = models.DateField(_("due on"))
    # The revision being worked on (the latest), and the latest approved one (what rankings and bulletins read).
    current_revision = models.ForeignKey(
        "ReportRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("current revision"),
    )  # fmt: skip
    approved_revision = models.ForeignKey(
        "ReportRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved revision"),
    )  # fmt: skip
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    # Submitted after the due day, or still not submitted when it passed. A late report stays in its month.
    is_late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "org_path"]
        permissions = [
            ("file_monthlyreport", _("Can file the county's monthly report")),
            ("approve_monthlyreport", _("Can approve or return monthly reports")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="reporting_one_report_per_county_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="reporting_report_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["month", "org_path"], name="reporting_report_month_idx"),
            # The late scan reads only reports never submitted whose due day has passed.
            models.Index(fields=["due_on"], name="reporting_unsubmitted_due_idx", condition=Q(first_submitted_at=None)),
        ]

    def __str__(self):
        return f"{self.county} {self.month:%Y-%m}"

    @property
    def status(self) -> str:
        return self.current_revision.status if self.current_revision_id else ReportRevision.Status.DRAFT

    @property
    def is_locked(self) -> bool:
        """Approved and no correction open: nothing may be filed for the month."""
        return self.current_revision_id is not None and self.current_revision.status == ReportRevision.Status.APPROVED


class ReportRevision(models.Model):
    """One filing of a county's month: its lines, its status, who moved it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # prefilled on the 1st (or opened for a correction); the county edits it
        SUBMITTED = "submitted", _("Submitted")  # filed by the county, waiting for the city; read-only to the county
        RETURNED = "returned", _("Returned")  # sent back by the city with a comment; the county fixes and resubmits
        # accepted by the city; the month is locked (a correction after this is a new revision)
        APPROVED = "approved", _("Approved")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    return_comment = models.CharField(_("comment on return"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "report__org_path"

    class Meta:
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reporting_revision_number_unique"),
        ]

    def __str__(self):
        return f"{self.report} #{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ReportLine(models.Model):
    """One indicator's figure in one revision, with the indicator as it was when the revision was made."""

    revision = models.ForeignKey(ReportRevision, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The snapshot: a later change of the indicator or the catalogue never rewrites a filed month.
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=16, choices=Indicator.Unit.choices)
    source = models.CharField(_("source"), max_length=10, choices=Indicator.Source.choices)
    value_kind = models.CharField(_("value kind"), max_length=10, choices=Indicator.ValueKind.choices)
    non_negative = models.BooleanField(_("non-negative"), default=True)
    # What the portal computed at prefill (computed indicators only; None when there is nothing to average).
    computed_value = models.DecimalField(_("computed value"), null=True, blank=True, **FIGURE)
    # What the county files: the computed value unless overridden, or the entered figure.
    value = models.DecimalField(_("filed value"), null=True, blank=True, **FIGURE)
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        ordering = ["revision", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "code"], name="reporting_line_code_unique"),
        ]

    def __str__(self):
        return f"{self.code}={self.value}"

    @property
    def is_computed(self) -> bool:
        return self.source == Indicator.Source.COMPUTED

    @property
    def is_overridden(self) -> bool:
        return self.is_computed and self.value != self.computed_value

    @property
    def value_text(self) -> str:
        """The filed figure as people read it: no decimals on a count, two on money, "—" for none."""
        from .values import display

        return display(self.value, self.value_kind) or "—"


class ReportEvent(models.Model):
    """One transition of a report (or a correction opened, a late mark): who, when, and their comment."""

    class Kind(models.TextChoices):
        PREFILLED = "prefilled", _("Prefilled")
        SAVED = "saved", _("Figures saved")
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        CORRECTION = "correction", _("Correction opened")
        MARKED_LATE = "marked_late", _("Marked late")

    class Channel(models.TextChoices):
        SYSTEM = "system", _("System")
        WEB = "web", _("Web form")
        XLSX = "xlsx", _("Excel upload")
        API = "api", _("API")

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events")
    revision = models.ForeignKey(ReportRevision, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(
        pgettext_lazy("state event", "from"), max_length=10, choices=ReportRevision.Status.choices, blank=True
    )
    to_status = models.CharField(
        pgettext_lazy("state event", "to"), max_length=10, choices=ReportRevision.Status.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.report}: {self.kind}"


# --- Targets, ranking and bulletins (一评比、一通报) -------------------------------------------------------
#
# - ``RankingRule``: how a year's monthly ranking is scored (weights, the cap on a ratio, the indicators whose
#   growth counts, the indicator whose target decides 先进 eligibility). One row per year: no code change.
# - ``Target``: a county's annual target for one indicator.
# - ``Bulletin``: the published 通报 of a month, with its figures **copied** into ``data``: a later correction
#   never rewrites a published bulletin; it shows on the next one.


class RankingRule(models.Model):
    """The ranking's configuration for one year (see ``reporting/ranking/score.py`` for the computation)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    weight_progress = models.DecimalField(
        _("weight of progress against target"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    weight_growth = models.DecimalField(
        _("weight of year-on-year growth"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    weight_on_time = models.DecimalField(
        _("weight of on-time filing"), max_digits=5, decimal_places=2, default=Decimal("15")
    )
    ratio_cap = models.DecimalField(
        _("cap on a ratio"), max_digits=4, decimal_places=2, default=Decimal("1.50"),
        help_text=_("A ratio above this (e.g. 1.50: 50% ahead of schedule) counts as this, "
                    "so that one indicator cannot carry the score."),
    )  # fmt: skip
    growth_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("indicators whose growth counts")
    )
    eligibility_indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("indicator of the 先进 condition"),
        help_text=_("A county behind schedule on this indicator's target cannot be rated 先进 (mutual-aid premiums)."),
    )  # fmt: skip
    bulletin_day = models.PositiveSmallIntegerField(
        _("bulletin published on day"), default=10, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the next month the bulletin is published with whatever is approved."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ranking rule")
        verbose_name_plural = _("ranking rules")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_progress__gte=0, weight_growth__gte=0, weight_on_time__gte=0),
                name="reporting_rankingrule_weights_non_negative",
            ),
            models.CheckConstraint(condition=Q(ratio_cap__gte=1), name="reporting_rankingrule_cap_at_least_one"),
            models.CheckConstraint(
                condition=Q(bulletin_day__gte=1, bulletin_day__lte=28), name="reporting_rankingrule_bulletin_day"
            ),
        ]

    def __str__(self):
        return _("Ranking rule %(year)s") % {"year": self.year}

    def clean(self):
        if (self.weight_progress or 0) + (self.weight_growth or 0) + (self.weight_on_time or 0) <= 0:
            raise ValidationError(_("At least one weight must be more than zero."))


class Target(models.Model):
    """A county's annual target for one indicator (a whole number or an amount, summed over the year)."""

    year = models.PositiveSmallIntegerField(_("year"))
    county = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("county federation"),
        limit_choices_to={"kind": Organisation.Kind.COUNTY},
    )  # fmt: skip
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    value = models.DecimalField(_("annual target"), **FIGURE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "county__path"

    class Meta:
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")
        ordering = ["-year", "county__path", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "county", "indicator"], name="reporting_target_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="reporting_target_positive"),
        ]

    def __str__(self):
        return f"{self.year} {self.county} {self.indicator.name}: {self.value}"


class Bulletin(models.Model):
    """The published bulletin (通报) of one month: one per month, its figures frozen in ``data``."""

    class Trigger(models.TextChoices):
        BUTTON = "button", _("Published by city staff")
        SCHEDULE = "schedule", _("Published on the bulletin day")

    month = models.DateField(_("month"), unique=True)
    # Every county's figures were approved when it was published (otherwise the late ones are named in it).
    complete = models.BooleanField(_("all counties approved"), default=False)
    data = models.JSONField(_("figures as published"), encoder=DjangoJSONEncoder)
    trigger = models.CharField(_("published by"), max_length=10, choices=Trigger.choices, default=Trigger.BUTTON)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("publisher"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-month"]
        permissions = [
            ("publish_bulletin", _("Can publish the monthly bulletin")),
            ("view_dashboard", _("Can view the dashboards of the monthly figures")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="reporting_bulletin_month_first_day"),
        ]

    def __str__(self):
        return _("Bulletin %(month)s") % {"month": f"{self.month:%Y-%m}"}
