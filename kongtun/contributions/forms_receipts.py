"""Forms of the receipts' pages: they parse what people type; the services decide the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.web.fields import CleanCharField, ThaiDateField


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "input")


class ReceiptFilterForm(forms.Form):
    """Which receipts the list shows: a period in BE and a member number, each optional."""

    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)
    member = CleanCharField(label=_("Member number"), max_length=20, required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A GET without any filter is not an error: it is every receipt.
        has_filter = data is not None and any(data.get(k) for k in ("start", "end", "member"))
        super().__init__(data if has_filter else None, **kwargs)
        _inputs(self)
        self.fields["member"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> tuple[dt.date | None, dt.date | None, str]:
        """The chosen start, end and member number (call after is_valid(), or unbound)."""
        data = self.cleaned_data if self.is_bound else {}
        return data.get("start"), data.get("end"), data.get("member", "")


class VoidForm(forms.Form):
    reason = CleanCharField(
        label=_("Why is the receipt voided?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: the amount was typed wrongly, or the money was not received. "
            "The receipt number stays used, and the member's payment is taken back."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
