from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from members import selectors as member_selectors
from members.models import Member

from . import selectors
from .models import Claim, ClaimInvoice, EnrolmentBatch, Material, Plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
MAX_AMOUNT = Decimal("9999999999.99")  # what a DecimalField(12, 2) holds
INVOICE_NUMBER_LENGTH = ClaimInvoice._meta.get_field("number").max_length


class ClaimForm(forms.Form):
    claim_type = forms.ChoiceField(label=_("Claim type"), choices=Claim.Type.choices)
    hospital = forms.CharField(label=_("Hospital"), max_length=100)
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DATE)
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DATE)
    diagnosis = forms.CharField(label=_("Diagnosis"), max_length=200)
    total_cost = forms.DecimalField(label=_("Total cost (yuan)"), **MONEY)
    fund_paid = forms.DecimalField(label=_("Paid by basic medical insurance"), **MONEY)
    serious_illness_paid = forms.DecimalField(label=_("Paid by serious-illness insurance"), initial=0, **MONEY)
    self_funded = forms.DecimalField(label=_("Self-funded items"), initial=0, **MONEY)
    invoices = forms.CharField(
        label=_("Invoices"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "SX2026-0001234 12000.00"}),
        help_text=_("One invoice per line: its number, a space, and its amount."),
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials received"), choices=Material.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=60)
    bank_account = forms.RegexField(
        label=_("The member's own bank card number"), regex=r"^\d{12,19}$", max_length=19,
        error_messages={"invalid": _("A bank card number has 12 to 19 digits.")},
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    # Shown once the counter has been warned that the stay overlaps another claim of the member's.
    overlap_confirmed = forms.BooleanField(
        label=_("I have checked the other claim(s): this is a different stay or a transfer between hospitals"),
        required=False,
    )
    overlap_reason = forms.CharField(label=_("Reason for taking an overlapping stay"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("overlap_confirmed") and not cleaned.get("overlap_reason", "").strip():
            self.add_error("overlap_reason", _("Give the reason for taking an overlapping stay."))
        return cleaned

    def clean_invoices(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["invoices"].splitlines(), start=1):
            parts = line.replace(",", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) == 2 and len(parts[0]) > INVOICE_NUMBER_LENGTH:
                raise ValidationError(
                    _("Line %(n)d: an invoice number has at most %(max)d characters.")
                    % {"n": number, "max": INVOICE_NUMBER_LENGTH}
                )
            try:
                if len(parts) != 2:
                    raise ValueError
                amount = Decimal(parts[1])
                # NaN and Infinity are Decimals too (their exponent is a letter), and 1e30 is not money.
                if not amount.is_finite() or amount.as_tuple().exponent < -2 or not 0 < amount <= MAX_AMOUNT:
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise ValidationError(
                    _("Line %(n)d: write the invoice number, a space, and an amount such as 1200.50.") % {"n": number}
                ) from None
            rows.append((parts[0].upper(), amount.quantize(Decimal("0.01"))))
        if not rows:
            raise ValidationError(_("Enter at least one invoice."))
        return rows


class MaterialsForm(forms.Form):
    materials = forms.MultipleChoiceField(
        label=_("Materials brought in"), choices=Material.choices, widget=forms.CheckboxSelectMultiple
    )


class AssessForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to pay (yuan)"), required=False, max_digits=12, decimal_places=2, min_value=Decimal("0"),
        help_text=_("Leave empty to pay the computed benefit."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason for an adjustment"), max_length=200, required=False)


class ReturnForm(forms.Form):
    missing = forms.MultipleChoiceField(
        label=_("Materials to bring"), choices=Material.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note for the member"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *Claim.Rejection.choices])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A withdrawn claim cannot be reopened; the member is told by SMS."),
    )  # fmt: skip


class EstimateForm(forms.Form):
    claim_type = forms.ChoiceField(label=_("Claim type"), choices=Claim.Type.choices)
    total_cost = forms.DecimalField(label=_("Total cost (yuan)"), **MONEY)
    fund_paid = forms.DecimalField(label=_("Paid by basic medical insurance"), initial=0, **MONEY)
    serious_illness_paid = forms.DecimalField(label=_("Paid by serious-illness insurance"), initial=0, **MONEY)
    self_funded = forms.DecimalField(label=_("Self-funded items"), initial=0, **MONEY)
    days = forms.IntegerField(label=_("Days in hospital"), min_value=0, max_value=366, initial=0, required=False)


class DocumentForm(forms.Form):
    material = forms.ChoiceField(label=_("Material"), choices=Material.choices)
    file = forms.FileField(label=_("Scan (PDF, JPEG or PNG)"))


# Group enrolment (views/enrolment.py)


class EnrolmentForm(forms.Form):
    union = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Union"))
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True), label=gettext_lazy("Plan"))
    shares = forms.IntegerField(label=gettext_lazy("Shares per member"), min_value=1, initial=1)
    payer = forms.ChoiceField(choices=EnrolmentBatch.Payer.choices, label=gettext_lazy("Paid by"))
    sponsor_name = forms.CharField(
        label=gettext_lazy("Sponsor"), max_length=100, required=False,
        help_text=gettext_lazy("When a sponsor pays: who."),
    )  # fmt: skip
    basic_insurance = forms.BooleanField(
        label=gettext_lazy("The members take part in basic medical insurance"), required=False
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Members"),
    )  # fmt: skip
    upload = forms.FileField(
        label=gettext_lazy("Or upload an xlsx"), required=False,
        help_text=gettext_lazy("One ID number per row under a heading 身份证号."),
    )  # fmt: skip

    def __init__(self, *args, user, union=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = member_selectors.unions_for(user)
        if union is not None:
            self.fields["members"].queryset = selectors.active_members(union)

    def clean(self):
        data = super().clean()
        if data.get("payer") == EnrolmentBatch.Payer.SPONSOR and not (data.get("sponsor_name") or "").strip():
            self.add_error("sponsor_name", _("Name the sponsor who pays."))
        if not data.get("basic_insurance"):
            self.add_error("basic_insurance", _("Confirm that the members take part in basic medical insurance."))
        if not data.get("members") and not data.get("upload"):
            raise ValidationError(_("Tick the members to enrol or upload a list of their ID numbers."))
        return data


class PaymentForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Receipt or transfer reference"), max_length=60)
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError(_("The payment date cannot be in the future."))
        return paid_on


# The claim status check without an account (views/public.py)


class StatusForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Claim number"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )  # fmt: skip
    id_number = forms.CharField(
        label=gettext_lazy("ID number of the member"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )  # fmt: skip
