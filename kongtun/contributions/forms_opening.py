"""The opening-balance workbook upload: the file only; the import decides what is in it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OpeningForm(forms.Form):
    file = forms.FileField(
        label=_("Opening balances workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
