from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from unionportal.org.models import Organisation

from . import drive
from .drive import MAX_UPLOAD_BYTES
from .models import GB11643_ID_TYPES, CertificateCase, Enterprise, Member
from .validators import (
    validate_id_number,
    validate_mobile,
    validate_not_in_future,
    validate_union_uscc,
    validate_uscc,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("ID number, member number, phone or name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "inputmode": "search"}),
    )


MEMBER_FIELDS = [
    "name", "id_type", "id_number", "sex", "ethnicity", "phone", "education", "skill_level", "political_status",
    "household", "is_migrant_worker", "employment", "new_form_group", "employer", "position", "is_model_worker",
    "joined_on",
]  # fmt: skip


class MemberForm(forms.ModelForm):
    """Registration and correction of a member's real-name particulars."""

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"joined_on": DATE}
        help_texts = {
            "sex": _("Taken from the ID number for resident ID cards."),
            "id_number": _("A lower-case x is accepted; an ID-card reader can type it here."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].required = False
        self.fields["joined_on"].required = False

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if self.cleaned_data.get("id_type", Member.IdType.RESIDENT) in GB11643_ID_TYPES:
            return validate_id_number(value)
        return value.strip().upper()

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_mobile(value) if value else ""

    def clean_joined_on(self):
        return validate_not_in_future(self.cleaned_data["joined_on"])

    def clean(self):
        data = super().clean()
        if data.get("employment") == Member.Employment.NEW_FORM and not data.get("new_form_group"):
            self.add_error("new_form_group", _("Choose the new-form group for a member in a new form of employment."))
        if data.get("employment") == Member.Employment.STANDARD:
            data["new_form_group"] = ""
        if data.get("id_type") != Member.IdType.RESIDENT and not data.get("sex"):
            self.add_error("sex", _("Choose the sex; it cannot be read from this kind of ID."))
        return data

    def validate_unique(self):
        # Uniqueness of the ID number is the service's business: it offers a transfer instead of an error.
        pass


class UnionChoiceForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Union"), queryset=Organisation.objects.none())

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unions


class AskTransferForm(UnionChoiceForm):
    """A transfer asked for at the counter: the member is the one with this ID number and this name."""

    id_number = forms.CharField(label=_("ID number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=50)


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        # No preselected choice: a status change ends or freezes a membership, so it is always a deliberate pick.
        choices=[("", "---------"), *((s.value, s.label) for s in Member.Status if s != Member.Status.ACTIVE)],
    )
    on = forms.DateField(label=_("Date"), widget=DATE, validators=[validate_not_in_future])


class CardForm(forms.Form):
    number = forms.RegexField(
        label=_("Card number"), regex=r"^\d{12,19}$",
        error_messages={"invalid": _("A card number is 12 to 19 digits.")},
    )  # fmt: skip
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE, validators=[validate_not_in_future])


class TransferForm(forms.Form):
    to_code = forms.CharField(
        label=_("Receiving union"),
        max_length=32,
        help_text=_("The receiving union's code or its unified social credit code."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean_to_code(self):
        code = self.cleaned_data["to_code"].strip().upper()
        union = (
            Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True).filter(code=code).first()
            or Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True, credit_code=code).first()
        )
        if union is None:
            raise ValidationError(_("No active grassroots union has this code."))
        return union


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Why it is declined"), max_length=200)


ORGANISATION_FIELDS = [
    "name", "short_name", "credit_code", "employer_name", "employer_credit_code", "employer_nature", "industry",
    "employee_count", "founded_on", "term_ends_on", "chair_name", "chair_full_time", "chair_phone", "address",
    "has_women_committee", "has_audit_committee", "has_workers_congress", "has_collective_contract",
]  # fmt: skip


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"founded_on": DATE, "term_ends_on": DATE}

    def clean_founded_on(self):
        return validate_not_in_future(self.cleaned_data["founded_on"])

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        if not value:
            return None
        code = validate_union_uscc(value)
        clash = Organisation.objects.filter(credit_code=code).exclude(pk=self.instance.pk).first()
        if clash:
            raise ValidationError(_("This credit code already belongs to %(name)s.") % {"name": clash.name})
        return code

    def clean_employer_credit_code(self):
        value = self.cleaned_data["employer_credit_code"]
        return validate_uscc(value) if value else ""

    def clean_chair_phone(self):
        value = self.cleaned_data["chair_phone"]
        return validate_mobile(value) if value else ""

    def validate_unique(self):
        pass  # credit_code checked above with a message naming the other union


CHILD_KINDS = {
    Organisation.Kind.CITY: [Organisation.Kind.COUNTY, Organisation.Kind.INDUSTRY, Organisation.Kind.PARK],
    Organisation.Kind.COUNTY: [
        Organisation.Kind.TOWNSHIP, Organisation.Kind.INDUSTRY, Organisation.Kind.PARK, Organisation.Kind.GRASSROOTS,
    ],
    Organisation.Kind.TOWNSHIP: [Organisation.Kind.GRASSROOTS],
    Organisation.Kind.INDUSTRY: [Organisation.Kind.GRASSROOTS],
    Organisation.Kind.PARK: [Organisation.Kind.GRASSROOTS],
    Organisation.Kind.GRASSROOTS: [Organisation.Kind.GROUP],
    Organisation.Kind.GROUP: [],
}  # fmt: skip


class OrganisationCreateForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["kind", "code", *ORGANISATION_FIELDS]

    def __init__(self, *args, parent: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = CHILD_KINDS[parent.kind]
        self.fields["kind"].choices = [(k.value, k.label) for k in allowed]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if Organisation.objects.filter(code=code).exists():
            raise ValidationError(_("Another organisation already uses this code."))
        return code


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent"), queryset=Organisation.objects.none())

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Organisation.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand: all active members move to the target union and this union is deregistered.")
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets


class DeregisterForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CertificateCaseForm(forms.ModelForm):
    class Meta:
        model = CertificateCase
        fields = ["kind", "certificate_number", "valid_from", "valid_until", "changed_on", "note"]
        widgets = {"valid_from": DATE, "valid_until": DATE, "changed_on": DATE}

    def clean_changed_on(self):
        return validate_not_in_future(self.cleaned_data["changed_on"])


# --- Members' own accounts --------------------------------------------------------------------------


def _id_field():
    return forms.CharField(
        label=_("ID number"), max_length=20, validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )  # fmt: skip


class _NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, mixing three of: lower-case, upper-case, digits, symbols."),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("New password again"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class ActivateForm(_NewPasswordForm):
    """Activation with what the member knows: ID number, the phone the union registered, the member number."""

    id_number = _id_field()
    phone = forms.CharField(
        label=_("Mobile phone registered with your union"), max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )  # fmt: skip
    member_number = forms.CharField(
        label=_("Member number"), max_length=20,
        help_text=_("On your member service card or from your union."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip
    field_order = ["id_number", "phone", "member_number", "password1", "password2"]


class CodeForm(_NewPasswordForm):
    """A one-time code from the counter (activation or reset) or from an SMS (reset)."""

    id_number = _id_field()
    code = forms.RegexField(
        label=_("One-time code"), regex=r"^\s*\d{8}\s*$", max_length=12,
        error_messages={"invalid": _("The code has 8 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )  # fmt: skip
    field_order = ["id_number", "code", "password1", "password2"]


class ResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("ID number or mobile phone"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )  # fmt: skip


# --- The organising drive (views/drive.py) ---------------------------------------------------------


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or credit code"), required=False, max_length=100)
    county = forms.ModelChoiceField(
        label=gettext_lazy("County or district"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", gettext_lazy("All")), *Enterprise.Status.choices], required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    include_small = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = drive.drive_counties(user=user)
        self.fields["owner"].queryset = drive.drive_owners(user=user)
        self.fields["include_small"].label = _("Also enterprises with fewer than %(n)d employees") % {
            "n": drive.drive_threshold()
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Enterprise list (.xlsx)"), validators=[FileExtensionValidator(["xlsx"])])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB. Split the list by county."))
        return upload


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[(value, label) for value, label in Enterprise.Status.choices if value in drive.OPEN_STATUSES],
    )


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = drive.drive_owner_candidates(enterprise=enterprise)


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("New note"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FoundUnionForm(forms.Form):
    parent = forms.ModelChoiceField(label=gettext_lazy("Under"), queryset=Organisation.objects.none())
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, help_text=gettext_lazy("The new union's code, unique city-wide.")
    )
    name = forms.CharField(label=gettext_lazy("Union name"), max_length=100)
    founded_on = forms.DateField(
        label=gettext_lazy("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_not_in_future],
    )  # fmt: skip

    def __init__(self, *args, actor, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = drive.parent_choices(actor=actor, enterprise=enterprise)
        self.fields["parent"].initial = enterprise.county_id
        self.fields["name"].initial = _("%(enterprise)s trade union") % {"enterprise": enterprise.name}
        self.fields["founded_on"].initial = timezone.localdate()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if Organisation.objects.filter(code=code).exists():
            raise ValidationError(_("This code is already used by another organisation."))
        return code
