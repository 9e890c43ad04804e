"""Form fields for Thai input: Buddhist-era dates and national IDs as people type them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.lib.text import clean_text
from kongtun.lib.thaidate import InvalidDate, format_date, parse_date
from kongtun.lib.thaiid import InvalidNationalId, normalize_national_id


class ThaiDateInput(forms.TextInput):
    """A text box, not a date picker: pickers work in CE and invite BE years typed as CE."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": _("dd/mm/yyyy (BE), e.g. 25/12/2568"), "inputmode": "numeric"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return format_date(value, "numeric")
        return super().format_value(value)


class ThaiDateField(forms.Field):
    widget = ThaiDateInput

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        try:
            return parse_date(value)
        except InvalidDate as exc:
            raise forms.ValidationError(exc.reason, code="invalid") from exc


class NationalIdField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("13 digits; Thai digits, spaces and dashes are fine."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value and not self.required:
            return ""
        try:
            return normalize_national_id(value)
        except InvalidNationalId as exc:
            raise forms.ValidationError(exc.reason, code="invalid") from exc


class CleanCharField(forms.CharField):
    """Text with invisible characters removed and Unicode normalised before validation."""

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value))
