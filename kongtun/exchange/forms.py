"""Forms of the exchange pages: they parse what people type; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund
from kongtun.web.fields import CleanCharField, ThaiDateField


class ExportForm(forms.Form):
    as_of = ThaiDateField(
        label=_("Figures as of"),
        help_text=_("CODI's annual figures are as of 30 September."),
    )
    include_full_data = forms.BooleanField(
        label=_("Include the full data (members' personal data)"),
        required=False,
        help_text=_(
            "Only when the province needs a copy of the fund's records, for example to keep a "
            "backup. National ID numbers stay encrypted."
        ),
    )
    purpose = CleanCharField(
        label=_("Why the province needs the personal data (PDPA)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Package file (.kongtun.zip)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class KeyRegisterForm(forms.Form):
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.none())
    key = CleanCharField(
        label=_("The fund's public key"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Paste the whole line from the fund's export page, starting with “kongtun-ed25519”."
        ),
    )

    def __init__(self, *args: Any, funds: QuerySet[Fund], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]
