from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.transitions import Flow, StateEvent
from unionportal.org.models import Organisation

from .validators import validate_id_number, validate_uscc


class CertificateCase(models.Model):
    """A union legal-person certificate case handled at a county-level federation (工会法人资格)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New certificate")
        CHANGE = "change", _("Change of particulars")
        RENEW = "renew", _("Renewal")
        REISSUE = "reissue", _("Reissue")
        CANCEL = "cancel", _("Cancellation")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certificate_cases", verbose_name=_("union")
    )
    kind = models.CharField(_("case"), max_length=10, choices=Kind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    changed_on = models.DateField(_("date of the change"), null=True, blank=True)
    reported_late = models.BooleanField(_("reported late"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("certificate case")
        verbose_name_plural = _("certificate cases")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()}"


class Member(models.Model):
    """One person, one membership, city-wide (会员实名制). The membership follows the job between unions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # a member of ``organisation``
        TRANSFERRED_OUT = "transferred_out", _("Transferred out of the city")
        RETIRED = "retired", _("Retired")  # keeps membership at the last union
        LEFT = "left", _("Left")
        DECEASED = "deceased", _("Deceased")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class IdType(models.TextChoices):
        RESIDENT = "resident", _("Resident ID card")
        HK_MACAO = "hk_macao", _("Residence permit for Hong Kong and Macao residents")
        TAIWAN = "taiwan", _("Residence permit for Taiwan residents")
        FOREIGN = "foreign", _("Foreigner's permanent residence ID card")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("Primary school or below")
        JUNIOR = "junior", _("Junior secondary")
        SENIOR = "senior", _("Senior secondary or vocational")
        COLLEGE = "college", _("Junior college")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Postgraduate")

    class SkillLevel(models.TextChoices):
        NONE = "", _("None")
        GRADE5 = "grade5", _("Junior worker")
        GRADE4 = "grade4", _("Intermediate worker")
        GRADE3 = "grade3", _("Senior worker")
        GRADE2 = "grade2", _("Technician")
        GRADE1 = "grade1", _("Senior technician")

    class Political(models.TextChoices):
        MASSES = "masses", _("Ordinary citizen")
        LEAGUE = "league", _("Communist Youth League member")
        PARTY = "party", _("Communist Party member")
        DEMOCRATIC = "democratic", _("Member of a democratic party")

    class Household(models.TextChoices):
        URBAN = "urban", _("Urban")
        RURAL = "rural", _("Rural")

    class Employment(models.TextChoices):
        STANDARD = "standard", _("Standard employment")
        NEW_FORM = "new_form", _("New forms of employment")

    class NewFormGroup(models.TextChoices):
        NONE = "", _("None")
        TRUCK_DRIVER = "truck_driver", _("Truck driver")
        RIDE_HAILING = "ride_hailing", _("Ride-hailing driver")
        COURIER = "courier", _("Courier")
        FOOD_DELIVERY = "food_delivery", _("Food delivery rider")
        DOMESTIC = "domestic", _("Domestic worker")
        MALL_INFO = "mall_info", _("Shopping-mall information worker")
        STREAMER = "streamer", _("Online streamer")
        SECURITY = "security", _("Security guard")
        OTHER = "other", _("Other new form")

    member_number = models.CharField(_("member number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("date of birth"))
    id_type = models.CharField(_("ID type"), max_length=10, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    skill_level = models.CharField(_("skill level"), max_length=8, choices=SkillLevel.choices, blank=True)
    political_status = models.CharField(_("political status"), max_length=12, choices=Political.choices, blank=True)
    household = models.CharField(_("household registration"), max_length=8, choices=Household.choices, blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    employment = models.CharField(
        _("form of employment"), max_length=10, choices=Employment.choices, default=Employment.STANDARD
    )
    new_form_group = models.CharField(
        _("new-form group"), max_length=16, choices=NewFormGroup.choices, blank=True, default=""
    )
    employer = models.CharField(_("workplace"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, db_index=True)
    joined_on = models.DateField(_("joined on"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("union")
    )
    # The union's tree path, copied so that scoped lists are one index range scan at any depth. Kept in
    # step by services.member_* and organisation_move (one UPDATE per move).
    org_path = models.CharField(max_length=255, editable=False)
    # The member's own online account (opened by activation). The link lives here, on the members' floor, so
    # that accounts know nothing of members; ``user.member`` reads it back.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("online account"),
        on_delete=models.PROTECT,  # accounts are disabled, never deleted
        null=True,
        blank=True,
        related_name="member",
        editable=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            # Serves the scoped list (org_path LIKE 'P%' ORDER BY org_path, id) and its keyset cursor
            # ((org_path, id) > (p, i)) with one range scan; on PostgreSQL the column uses the "C"
            # collation (migration 0004) so that one plain btree index does all three.
            models.Index(fields=["org_path", "id"], name="member_scope_keyset_idx"),
            models.Index(fields=["name"], name="member_name_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["organisation", "status"], name="member_org_status_idx"),
            models.Index(fields=["joined_on"], name="member_joined_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The number's own rules, whoever saves it (the admin, a script, a future form): an ID card and the
        # mainland residence permits of Hong Kong, Macao and Taiwan residents share GB 11643's check character.
        if self.id_type in GB11643_ID_TYPES and self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from None


# The ID types whose numbers follow GB 11643 (18 characters, the last a check character).
GB11643_ID_TYPES = (Member.IdType.RESIDENT, Member.IdType.HK_MACAO, Member.IdType.TAIWAN)


class MembershipPeriod(models.Model):
    """One stretch of membership in one union; a transfer closes one period and opens the next."""

    class Reason(models.TextChoices):
        JOINED = "joined", _("Joined")
        TRANSFER = "transfer", _("Transfer")
        IMPORTED = "imported", _("Roster import")
        RETIRED = "retired", _("Retired")
        LEFT = "left", _("Left")
        DECEASED = "deceased", _("Deceased")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out of the city")
        MERGED = "merged", _("Union merged")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="periods")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("union"))
    started_on = models.DateField(pgettext_lazy("period", "from"))
    start_reason = models.CharField(_("how it began"), max_length=16, choices=Reason.choices)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=16, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("membership period")
        verbose_name_plural = _("membership periods")
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="one_open_period"),
        ]

    def __str__(self):
        return f"{self.member} @ {self.organisation}"


class MemberCard(models.Model):
    """The member service card (工会会员服务卡), issued with a partner bank."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        LOST = "lost", _("Reported lost")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("card number"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("member service card")
        verbose_name_plural = _("member service cards")
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="active"), name="one_active_card"),
        ]

    def __str__(self):
        return self.number


class Transfer(models.Model):
    """A member's move between unions (会员关系接转).

    Usually the old union sends and the new union accepts or declines. When the new union registers a person
    who is already a member elsewhere (at the counter or in a roster), it asks instead, and the old union
    releases or declines: ``asked_by_receiver`` says which side decides.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving union")  # the deciding union accepts or declines
        ACCEPTED = "accepted", _("Accepted")  # the member moved; final
        DECLINED = "declined", _("Declined")  # with the decider's note; final
        CANCELLED = "cancelled", _("Withdrawn")  # by its starter, or as the member left or the union merged; final

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member"))
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from union")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to union")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    asked_by_receiver = models.BooleanField(_("asked for by the receiving union"), default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A second pending transfer of the same member is refused by the database itself.
            models.UniqueConstraint(fields=["member"], condition=Q(status="pending"), name="one_pending_transfer"),
        ]

    def __str__(self):
        return f"{self.member}: {self.from_organisation} → {self.to_organisation}"

    @property
    def deciding_organisation(self) -> Organisation:
        return self.from_organisation if self.asked_by_receiver else self.to_organisation


TRANSFER_FLOW = Flow(
    status=Transfer.Status,
    initial=Transfer.Status.PENDING,
    moves={Transfer.Status.PENDING: {Transfer.Status.ACCEPTED, Transfer.Status.DECLINED, Transfer.Status.CANCELLED}},
)


class TransferEvent(StateEvent):
    """One transition of a transfer (written only by ``members.events``)."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("transfer event")
        verbose_name_plural = _("transfer events")

    def get_to_status_display(self):
        return TRANSFER_FLOW.label(self.to_status)


class Enterprise(models.Model):
    """A row of the organising-drive ledger (建会台账): an employer that may still need a union."""

    class Status(models.TextChoices):
        NOT_CONTACTED = "not_contacted", _("Not contacted")  # on the ledger, nobody has called yet
        CONTACTED = "contacted", _("Contacted")  # the county has talked to the employer
        PREPARING = "preparing", _("Preparing a union")  # a union is being set up (筹建)
        FOUNDED = "founded", _("Union founded")  # reached only by linking its union; final

    class Source(models.TextChoices):
        TAX = "tax", _("Tax bureau")
        MARKET = "market", _("Market regulation")
        STATISTICS = "statistics", _("Statistics bureau")
        HUMAN_RESOURCES = "hr", _("Human resources and social security")
        OTHER = "other", _("Other")

    name = models.CharField(_("enterprise"), max_length=100)
    credit_code = models.CharField(_("credit code"), max_length=18, unique=True, validators=[validate_uscc])
    county = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="drive_enterprises", verbose_name=_("county")
    )
    employee_count = models.PositiveIntegerField(_("employees"))
    source = models.CharField(_("source department"), max_length=12, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NOT_CONTACTED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("owner"),
    )  # fmt: skip
    union = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="drive_entries",
        verbose_name=_("union"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "county__path"

    class Meta:
        verbose_name = _("drive enterprise")
        verbose_name_plural = _("drive enterprises")

    def __str__(self):
        return self.name


_E = Enterprise.Status
# The three open states move freely both ways (the drive's officers correct each other); founded only by a link.
ENTERPRISE_FLOW = Flow(
    status=Enterprise.Status,
    initial=_E.NOT_CONTACTED,
    moves={
        _E.NOT_CONTACTED: {_E.CONTACTED, _E.PREPARING, _E.FOUNDED},
        _E.CONTACTED: {_E.NOT_CONTACTED, _E.PREPARING, _E.FOUNDED},
        _E.PREPARING: {_E.NOT_CONTACTED, _E.CONTACTED, _E.FOUNDED},
    },
)


class EnterpriseEvent(StateEvent):
    """One transition of a drive enterprise (written only by ``members.events``)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("drive enterprise event")
        verbose_name_plural = _("drive enterprise events")

    def get_to_status_display(self):
        return ENTERPRISE_FLOW.label(self.to_status)


class EnterpriseNote(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("follow-up note"), max_length=500)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:30]


class RosterImport(models.Model):
    """One uploaded roster (花名册): validated, previewed, then imported on confirmation.

    Large files are validated and imported by a Celery task; the row keeps the progress, so the page
    survives a reload and the work survives the browser closing.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        READY = "ready", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="roster_imports", verbose_name=_("union")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    transfer_rows = models.PositiveIntegerField(_("rows offered as transfers"), default=0)
    imported_rows = models.PositiveIntegerField(_("imported rows"), default=0)
    # The first errors, for the preview: [{"row": 7, "column": "身份证号", "message": "..."}]; all of them go
    # into the downloadable error file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    error_file = models.FileField(_("error file"), upload_to="rosters/errors/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_path = "organisation__path"

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.original_name


class AccountCode(models.Model):
    """A one-time code that lets a member set the password of their online account.

    ``counter`` codes are printed by a counter clerk (on the claim receipt or a slip from the member's page)
    and activate a new account or reset a forgotten password; ``sms`` codes are sent to the member's phone
    to reset a password. Only a keyed hash is stored; a code works once, until ``expires_at``, and dies after
    ``MAX_ATTEMPTS`` wrong tries.
    """

    class Purpose(models.TextChoices):
        COUNTER = "counter", _("Issued at the counter")
        SMS = "sms", _("Sent by SMS")

    MAX_ATTEMPTS = 5

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="account_codes")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account code")
        verbose_name_plural = _("account codes")
        indexes = [
            models.Index(fields=["member"], condition=Q(used_at__isnull=True), name="account_code_open_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.get_purpose_display()}"
