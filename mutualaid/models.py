"""Mutual-aid medical protection (职工互助保障): plans and their yearly terms, group enrolment and cover, claims.

Money is Decimal(12, 2) everywhere; the benefit itself is computed by ``mutualaid.benefit`` (pure functions)
from the plan version in force on the claim's admission date.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.transitions import Flow, StateEvent

MONEY = {"max_digits": 12, "decimal_places": 2}


class Plan(models.Model):
    """A protection product (互助保障项目), e.g. 在职职工住院综合; its terms live in yearly versions."""

    class Kind(models.TextChoices):
        INPATIENT = "inpatient", _("Inpatient, segmented reimbursement")
        FIXED_SUM = "fixed_sum", _("Fixed sum per share (critical illness)")
        ALLOWANCE = "allowance", _("Daily hospital allowance")
        ACCIDENT = "accident", _("Accidental injury")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        verbose_name = _("mutual-aid plan")
        verbose_name_plural = _("mutual-aid plans")
        ordering = ["code"]

    def __str__(self):
        return self.name


class PlanVersion(models.Model):
    """The terms of a plan from a date on. A claim is assessed against the version in force on admission."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("plan"))
    valid_from = models.DateField(_("in force from"))
    premium_per_share = models.DecimalField(_("premium per share"), **MONEY)
    max_shares = models.PositiveSmallIntegerField(_("maximum shares"), default=1)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), default=12)
    waiting_days = models.PositiveSmallIntegerField(_("waiting period for new joiners (days)"), default=90)
    renewal_grace_days = models.PositiveSmallIntegerField(
        _("renewal grace (days)"), default=30, help_text=_("Renewing within this many days of expiry waives the wait.")
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=16)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=60)
    deductible_per_stay = models.DecimalField(_("deductible per stay"), default=0, **MONEY)
    per_stay_cap_per_share = models.DecimalField(_("cap per stay, per share"), null=True, blank=True, **MONEY)
    per_period_cap_per_share = models.DecimalField(_("cap per cover period, per share"), null=True, blank=True, **MONEY)
    fixed_sum_per_share = models.DecimalField(_("fixed sum per share"), null=True, blank=True, **MONEY)
    daily_allowance_per_share = models.DecimalField(_("daily allowance per share"), null=True, blank=True, **MONEY)
    max_days_per_stay = models.PositiveSmallIntegerField(_("maximum days per stay"), null=True, blank=True)
    max_days_per_period = models.PositiveSmallIntegerField(_("maximum days per period"), null=True, blank=True)
    filing_window_days = models.PositiveSmallIntegerField(_("filing window after discharge (days)"), default=60)
    settlement_days = models.PositiveSmallIntegerField(
        _("days to pay after a complete file"), default=30, help_text=_("一个月理赔到位: the promised payment date.")
    )
    # Numbers the federation decides, per version (not environment): copied onto a claim where it matters.
    city_approval_threshold = models.DecimalField(
        _("city approval above"), default=20000, **MONEY,
        help_text=_("Above this benefit a county-level approver approves first, then a city-level approver."),
    )  # fmt: skip
    first_reminder_days = models.PositiveSmallIntegerField(
        _("first reminder (days before the promised date)"), default=7
    )
    second_reminder_days = models.PositiveSmallIntegerField(
        _("second reminder (days before the promised date)"), default=3
    )
    renewal_reminder_days = models.PositiveSmallIntegerField(
        _("renewal reminder (days before the cover ends)"), default=30,
        help_text=_("Members and their union are reminded this many days before a cover ends (续保提示); set on each "
                    "cover when its premium is paid."),
    )  # fmt: skip
    required_materials = models.JSONField(
        _("required materials"), default=list, blank=True,
        help_text=_("Material codes the counter checks for a claim under this plan."),
    )  # fmt: skip
    covered_diseases = models.TextField(
        _("covered diseases"), blank=True, help_text=_("For fixed-sum plans: one disease per line.")
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "valid_from"], name="one_version_per_start"),
            models.CheckConstraint(
                condition=Q(first_reminder_days__gte=models.F("second_reminder_days")),
                name="plan_version_reminders_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.plan} ({self.valid_from:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Not business logic but the table's invariant: whatever saves it (admin, shell, a future page), a version
        # in force is never rewritten. A new version from a date is made with ``plans.plan_version_new_from``.
        if self.is_locked():
            raise ValidationError(LOCKED_VERSION)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked():
            raise ValidationError(LOCKED_VERSION)
        return super().delete(*args, **kwargs)

    def is_locked(self, today: date | None = None) -> bool:
        """Whether these terms are fixed for good: in force already, or used by an enrolment.

        Members' covers and estimates, and claims assessed, rest on the version in force; changing it in place
        would change them all at once. A change of terms is a new version from a later date.
        """
        if self.pk is None:
            return False
        today = today or timezone.localdate()
        stored = PlanVersion.objects.filter(pk=self.pk).values_list("valid_from", flat=True).first()
        return (stored is not None and stored <= today) or EnrolmentBatch.objects.filter(plan_version=self).exists()

    def clean(self):
        if self.is_locked():
            raise ValidationError(LOCKED_VERSION)
        if self.valid_from and self.valid_from <= timezone.localdate():  # a new version, or one not yet in force
            raise ValidationError({"valid_from": _("A new version comes into force after today.")})


LOCKED_VERSION = _(
    "This plan version is in force or in use and cannot be changed: make a new version from a later date."
)


class PlanSegment(models.Model):
    """A band of the self-paid amount above the deductible and the rate paid on it."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="segments")
    lower = models.DecimalField(_("from (above the deductible)"), **MONEY)
    upper = models.DecimalField(_("up to"), null=True, blank=True, **MONEY)
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4, help_text=_("0.5 means 50 %."))

    class Meta:
        verbose_name = _("rate segment")
        verbose_name_plural = _("rate segments")
        ordering = ["version", "lower"]

    def __str__(self):
        return f"{self.lower}–{self.upper or '∞'}: {self.rate}"

    def save(self, *args, **kwargs):
        if self.pk is not None and self.version.is_locked():
            raise ValidationError(LOCKED_VERSION)  # a band of the terms in force is part of them
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_locked():
            raise ValidationError(LOCKED_VERSION)
        return super().delete(*args, **kwargs)


class Material(models.TextChoices):
    """The claim materials of DOMAIN.md §4; each plan version lists the ones it requires."""

    APPLICATION = "application", _("Application form with the union's stamp")
    ID_CARD = "id_card", _("ID card")
    DISCHARGE = "discharge", _("Discharge summary or diagnosis certificate")
    INVOICE = "invoice", _("Medical invoices")
    SETTLEMENT = "settlement", _("Medical insurance settlement statement")
    BANK_CARD = "bank_card", _("The member's own bank card")
    PATHOLOGY = "pathology", _("Pathology report")
    ACCIDENT = "accident", _("Accident certificate")
    PROXY = "proxy", _("Agent's ID card and authorisation")


def material_labels(codes) -> list[str]:
    """The materials as people read them, in Chinese: ``["医保结算单", ...]``."""
    return [str(Material(code).label) for code in codes]


class EnrolmentBatch(models.Model):
    """One union's group enrolment in one plan (参保): members, shares, who pays, and the payment."""

    class Payer(models.TextChoices):
        UNIT = "unit", _("Employer")
        UNION = "union", _("Union (subsidised enrolment)")
        SPONSOR = "sponsor", _("Sponsor")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")  # not used by the counter today: batches are created submitted
        SUBMITTED = "submitted", _("Submitted, waiting for payment")  # the union sent it; premiums not yet in
        PAID = "paid", _("Paid: cover active")  # the premium was received; its covers run; final
        CANCELLED = "cancelled", _("Cancelled")  # withdrawn before payment; final

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.PROTECT, related_name="enrolment_batches", verbose_name=_("union")
    )
    org_path = models.CharField(max_length=255, editable=False)
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, verbose_name=_("plan"))
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices)
    sponsor_name = models.CharField(_("sponsor"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_premium = models.DecimalField(_("total premium"), default=0, **MONEY)
    payment_reference = models.CharField(_("receipt or transfer reference"), max_length=60, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # The county this batch (and its covers) counted in when it was paid: set once, by the payment, and never rewritten.
    # ``org_path`` is the scope (it follows the union when the union moves, so that the new county sees its
    # rows); the monthly figures group by this column instead, so that a county's past months do not change
    # when a union moves away (approved reports, year on year and the bulletin stay what was reported).
    # A foreign key, not a path: a county keeps its id even if the county node itself is ever re-parented.
    counted_in_county = models.ForeignKey(
        "org.Organisation", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("counted in county"),
    )  # fmt: skip
    # The day the union submitted the batch: no premium is paid, and no cover starts, before it.
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("enrolment batch")
        verbose_name_plural = _("enrolment batches")
        ordering = ["-created_at", "-pk"]
        # The federation's finance or counter confirms that a premium was paid; the union that enrols does not.
        permissions = [("confirm_premium", _("Can confirm premium payments"))]

    def __str__(self):
        return self.number


ENROLMENT_FLOW = Flow(
    status=EnrolmentBatch.Status,
    initial=EnrolmentBatch.Status.SUBMITTED,
    moves={
        EnrolmentBatch.Status.DRAFT: {EnrolmentBatch.Status.SUBMITTED, EnrolmentBatch.Status.CANCELLED},
        EnrolmentBatch.Status.SUBMITTED: {EnrolmentBatch.Status.PAID, EnrolmentBatch.Status.CANCELLED},
    },
)


class EnrolmentBatchEvent(StateEvent):
    """One transition of an enrolment batch (written only by ``mutualaid.events``)."""

    batch = models.ForeignKey(EnrolmentBatch, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("enrolment batch event")
        verbose_name_plural = _("enrolment batch events")

    def get_to_status_display(self):
        return ENROLMENT_FLOW.label(self.to_status)


class Policy(models.Model):
    """A member's cover under one plan version for one term (a line of an enrolment batch)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        ACTIVE = "active", _("In force")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="policies", verbose_name=_("member")
    )
    batch = models.ForeignKey(EnrolmentBatch, on_delete=models.PROTECT, related_name="policies")
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, verbose_name=_("plan"))
    org_path = models.CharField(max_length=255, editable=False)
    shares = models.PositiveSmallIntegerField(_("shares"), default=1)
    premium = models.DecimalField(_("premium"), **MONEY)
    starts_on = models.DateField(_("cover starts"), null=True, blank=True)
    ends_on = models.DateField(_("cover ends"), null=True, blank=True)
    waiting_ends_on = models.DateField(_("waiting period ends"), null=True, blank=True)
    renews = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("renews")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The renewal reminder's day (the plan version's ``renewal_reminder_days`` before ``ends_on``, fixed when paid),
    # read with ``<= today`` and cleared by the scan that sends it: a day the clock did not run delays the reminder,
    # never loses it.
    renewal_remind_on = models.DateField(_("renewal reminder on"), null=True, blank=True, editable=False)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        indexes = [
            models.Index(fields=["member", "starts_on"], name="policy_member_start_idx"),
            models.Index(
                fields=["ends_on"], name="policy_active_end_idx", condition=Q(status="active")
            ),  # the renewal sheet reads only active covers near their end
            models.Index(
                fields=["renewal_remind_on"],
                name="policy_renewal_remind_idx",
                condition=Q(status="active", renewal_remind_on__isnull=False),
            ),  # the daily renewal clock reads only the covers whose reminder is due
        ]

    def __str__(self):
        return f"{self.member} · {self.plan_version.plan}"


def self_paid(total_cost, fund_paid, serious_illness_paid, self_funded):
    """自付 from the 医保结算单's figures (the one definition; ``Claim.self_paid`` and list rows use it)."""
    return total_cost - fund_paid - serious_illness_paid - self_funded


class Claim(models.Model):
    """A mutual-aid claim (理赔), from the counter to payment.

    Its states and allowed moves are ``CLAIM_FLOW`` below; every move goes through ``mutualaid.claims.flow``,
    and ``mutualaid.events`` writes its history.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")  # taken in; the file is not complete (a 材料告知单 lists what is missing)
        ACCEPTED = "accepted", _("Accepted (file complete)")  # the settlement clock runs from accepted_at to due_on
        ASSESSED = "assessed", _("Assessed")  # a reviewer computed (and possibly adjusted) the benefit
        APPROVED = "approved", _("Approved")  # by neither entrant nor assessor (county, then city above threshold)
        PAID = "paid", _("Paid")  # the bank confirmed the payment, or nothing was due; final
        RETURNED = "returned", _("Returned for materials")  # clock stopped; restarts when the file is complete
        REJECTED = "rejected", _("Rejected")  # refused with a coded reason; final
        WITHDRAWN = "withdrawn", _("Withdrawn")  # the member (online or at the counter) withdrew it; final

    OPEN = (Status.ACCEPTED, Status.ASSESSED, Status.APPROVED)  # the settlement clock is running

    class Type(models.TextChoices):
        INPATIENT = "inpatient", _("Inpatient stay")
        CRITICAL = "critical", _("Critical illness")
        ALLOWANCE = "allowance", _("Hospital allowance")
        ACCIDENT = "accident", _("Accidental injury")

    class Rejection(models.TextChoices):
        WAITING = "waiting", _("Admitted during the waiting period")
        NO_COVER = "no_cover", _("No cover on the admission date")
        LATE = "late", _("Filed after the filing window")
        DUPLICATE_INVOICE = "duplicate_invoice", _("Invoice already claimed")
        EXCLUDED = "excluded", _("Excluded cause")
        NOT_MEMBER = "not_member", _("Not a member")

    number = models.CharField(_("claim number"), max_length=20, unique=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="claims", verbose_name=_("member")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("cover"))
    org_path = models.CharField(max_length=255, editable=False)
    claim_type = models.CharField(_("claim type"), max_length=10, choices=Type.choices)
    hospital = models.CharField(_("hospital"), max_length=100)
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"))
    diagnosis = models.CharField(_("diagnosis"), max_length=200)
    total_cost = models.DecimalField(_("total cost"), default=0, **MONEY)
    fund_paid = models.DecimalField(_("paid by basic medical insurance"), default=0, **MONEY)
    serious_illness_paid = models.DecimalField(_("paid by serious-illness insurance"), default=0, **MONEY)
    self_funded = models.DecimalField(_("self-funded items"), default=0, **MONEY)
    materials_received = models.JSONField(_("materials received"), default=list, blank=True)
    # The benefit is paid only to the member's own card (社会化发放); the account is sensitive data.
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank card number"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_on = models.DateField(_("to be paid by"), null=True, blank=True)
    computed_benefit = models.DecimalField(_("computed benefit"), null=True, blank=True, **MONEY)
    benefit = models.DecimalField(_("benefit"), null=True, blank=True, **MONEY)
    # The breakdown as the assessor saw it (benefit.breakdown_to_data): later claims on the same cover change
    # what a fresh calculation would say of the period cap, never what this claim was assessed at.
    breakdown = models.JSONField(_("breakdown as assessed"), null=True, blank=True, editable=False)
    adjustment_reason = models.CharField(_("reason for adjustment"), max_length=200, blank=True)
    rejection = models.CharField(_("rejection reason"), max_length=20, choices=Rejection.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Why the counter took this claim although the member's stay overlaps another live claim of theirs (a transfer
    # between hospitals, say); empty when nothing overlapped. Staff only: never shown to the member.
    overlap_reason = models.CharField(
        _("reason for taking an overlapping stay"), max_length=200, blank=True, default="", db_default=""
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The plan version's threshold, copied when the claim is assessed: above it a county-level approver approves
    # first (``approved_by``), then a different, city-level one (``city_approved_by``).
    city_approval_threshold = models.DecimalField(
        _("city approval above"), null=True, blank=True, editable=False, **MONEY
    )
    city_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # The county this claim counted in when it was paid: set once, by the payment, and never rewritten.
    # ``org_path`` is the scope (it follows the union when the union moves, so that the new county sees its
    # rows); the monthly figures group by this column instead, so that a county's past months do not change
    # when a union moves away (approved reports, year on year and the bulletin stay what was reported).
    # A foreign key, not a path: a county keeps its id even if the county node itself is ever re-parented.
    counted_in_county = models.ForeignKey(
        "org.Organisation", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("counted in county"),
    )  # fmt: skip

    scope_path = "org_path"

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        permissions = [
            ("assess_claim", _("Can assess claims")),
            ("approve_claim", _("Can approve claims")),
            ("approve_claim_city", _("Can approve claims above the city threshold")),
        ]
        indexes = [
            # The daily settlement scan reads open claims by due date only: it must not grow with history.
            models.Index(
                fields=["due_on"],
                name="claim_open_due_idx",
                condition=Q(status__in=["accepted", "assessed", "approved"]),
            ),
            models.Index(fields=["org_path", "status"], name="claim_scope_status_idx"),
            models.Index(fields=["member", "admitted_on"], name="claim_member_admitted_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def self_paid(self):
        """自付: what the member paid after basic and serious-illness insurance, less self-funded items."""
        return self_paid(self.total_cost, self.fund_paid, self.serious_illness_paid, self.self_funded)


_C = Claim.Status
CLAIM_FLOW = Flow(
    status=Claim.Status,
    initial=_C.RECEIVED,
    moves={
        _C.RECEIVED: {_C.ACCEPTED, _C.REJECTED, _C.WITHDRAWN},
        _C.ACCEPTED: {_C.ASSESSED, _C.RETURNED, _C.REJECTED, _C.WITHDRAWN},
        # assessed → paid: approved with nothing to pay (the stay cost less than the deductible)
        _C.ASSESSED: {_C.APPROVED, _C.PAID, _C.RETURNED, _C.REJECTED, _C.WITHDRAWN},
        _C.APPROVED: {_C.PAID},  # finance holds it until the bank pays: no withdrawal once approved
        _C.RETURNED: {_C.ACCEPTED, _C.REJECTED, _C.WITHDRAWN},
    },
)


class ClaimClock(models.Model):
    """The settlement clock of one open claim: a row while the claim is open (``claim_flow`` adds it when the claim
    is accepted and removes it when the claim leaves the open states), holding the next step.

    A narrow table of its own, not a column on the claim: the daily scan moves a thousand clocks on with one
    UPDATE, and an UPDATE writes a new version of the whole row and an entry in every index of the table (a claim
    row is wide and carries a dozen indexes; this one has two).
    """

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="clock", verbose_name=_("claim")
    )
    # The next step (T−7, T−3, then the escalation the day after ``due_on``), read with ``<= today`` so a day the
    # clock did not run delays a reminder, never loses it. Null once escalated: nothing more to send.
    next_on = models.DateField(_("next reminder on"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement clock")
        verbose_name_plural = _("settlement clocks")
        indexes = [
            # The daily scan reads only the clocks whose next step is due: it must not grow with history.
            models.Index(fields=["next_on"], name="claimclock_next_on_idx", condition=Q(next_on__isnull=False)),
        ]

    def __str__(self):
        return f"{self.claim_id}: {self.next_on}"


class ClaimInvoice(models.Model):
    """A medical invoice on a claim. An invoice number can be claimed once, city-wide, ever."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self):
        return self.number


class ClaimEvent(StateEvent):
    """One transition of a claim (or a note on it, from = to): the claim's history, and what the member's timeline
    shows. Written only by ``mutualaid.events``."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        pgettext_lazy("state event", "from"), max_length=20, choices=Claim.Status.choices, blank=True
    )
    to_status = models.CharField(pgettext_lazy("state event", "to"), max_length=20, choices=Claim.Status.choices)

    class Meta(StateEvent.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")

    def __str__(self):
        return f"{self.claim}: {self.from_status} → {self.to_status}"


def _document_path(document, filename):
    # Never the member's name or ID in a path: the claim id and a random name only.
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"claims/{document.claim_id}/{uuid.uuid4().hex}.{suffix}"


class ClaimDocument(models.Model):
    """A scanned material of a claim. Kept in the default storage (the database: every node reads it), never at
    a public URL: the claim's scoped view serves it, and every opening is logged."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    material = models.CharField(_("material"), max_length=12, choices=Material.choices)
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.claim} · {self.get_material_display()}"
