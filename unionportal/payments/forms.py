"""Finance's forms: the bank's result file, and a failed payment's account corrected or confirmed."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ResultForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The bank's result file (.xlsx)"), validators=[FileExtensionValidator(["xlsx"])]
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        return upload


class CorrectAccountForm(forms.Form):
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=100)
    account_number = forms.CharField(label=gettext_lazy("Account number"), max_length=40)
    holder_name = forms.CharField(label=gettext_lazy("Account holder"), max_length=50)


class ConfirmAccountForm(forms.Form):
    account_number = forms.CharField(label=gettext_lazy("Account number"), max_length=40)
