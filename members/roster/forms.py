"""The roster upload form, and the unions a roster may be uploaded for (listed, or typed past a few hundred)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import roster as rosters
from unionportal.org.models import Organisation
from unionportal.org.scope import scope_queryset

UNION_SELECT_MAX = 200  # unions in scope listed in a select; past this, typed with suggestions (~4,000 for the city)
UNION_SUGGESTIONS = 20
_CODE_IN_LABEL = re.compile(r"[（(]\s*([0-9A-Za-z]+)\s*[）)]\s*$")  # 某公司工会（611002001001）, as suggested


def _unions(user):
    """The active grassroots unions in ``user``'s scope: those a roster can be uploaded for."""
    return scope_queryset(Organisation.objects.filter(kind=Organisation.Kind.GRASSROOTS, is_active=True), user)


def _union_label(union: Organisation) -> str:
    return f"{union.name}（{union.code}）"


def _typed_union(unions, text: str) -> Organisation:
    """The one union of ``unions`` that ``text`` names: by its code, its label (name and code, as suggested) or
    its exact name; a ValidationError when none does, or several do."""
    text = text.strip()
    if code := _CODE_IN_LABEL.search(text):
        found = list(unions.filter(code=code.group(1))[:2])
    else:
        found = list(unions.filter(code=text)[:2]) or list(unions.filter(name=text)[:2])
    if not found:
        raise ValidationError(_("No union you look after has this code or name. Pick one from the list."))
    if len(found) > 1:
        raise ValidationError(_("Several unions have this name: type the code of the one you mean."))
    return found[0]


class RosterUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Union"), queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.unions = _unions(user).order_by("path")
        own = user.organisation if user.organisation_id and user.organisation.is_union else None
        # A select of thousands of unions is slow to send and useless to scroll: past UNION_SELECT_MAX the union
        # is typed (code or name), with suggestions from roster_union_suggestions as one types.
        self.typed = self.unions.count() > UNION_SELECT_MAX
        if self.typed:
            self.fields["organisation"] = forms.CharField(
                label=gettext_lazy("Union"),
                max_length=200,
                initial=_union_label(own) if own else "",
                help_text=gettext_lazy("Type the union's code or part of its name, and pick it from the list."),
                widget=forms.TextInput(
                    attrs={
                        "list": "roster-union-options", "autocomplete": "off",
                        "hx-get": reverse("members:roster-union-suggestions"),
                        "hx-trigger": "input changed delay:250ms",
                        "hx-target": "#roster-union-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
                    }
                ),
            )  # fmt: skip
            return
        field = self.fields["organisation"]
        field.queryset = self.unions
        field.label_from_instance = _union_label
        if own:
            field.initial = own.pk

    def clean_organisation(self):
        chosen = self.cleaned_data["organisation"]
        return _typed_union(self.unions, chosen) if self.typed else chosen

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > rosters.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB. Split the roster into several files.")
                % {"mb": rosters.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload
