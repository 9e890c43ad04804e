"""Forms of the public side: a meeting summary to publish or withdraw (the fund's back
office), and the receipt look-up anyone may use.

They parse what people type; kongtun.public.services decides what may be published, and
its refusals come back next to these fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.ledger.forms import AmountField
from kongtun.lib.text import clean_text
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.public.services import REASON_LENGTH, clean_summary
from kongtun.web.fields import CleanCharField

PUBLISH, WITHDRAW = "publish", "withdraw"
# A receipt number as printed: "<fiscal year BE>/<running number>", e.g. 2569/000123.
_RECEIPT_NUMBER = re.compile(r"(\d{4})\s*[/-]\s*(\d{1,9})")


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.HiddenInput):
            field.widget.attrs.setdefault("class", "input")


class SummaryTextField(forms.CharField):
    """Lines cleaned as a name would be, but the paragraphs kept."""

    def to_python(self, value: Any) -> str:
        return clean_summary(super().to_python(value) or "")


class SummaryForm(forms.Form):
    meeting = forms.UUIDField(widget=forms.HiddenInput)
    # No max_length here: the service says how long the text is and how much fits.
    text = SummaryTextField(
        label=_("Summary for the public"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the committee discussed and decided, in general terms, for anyone to read. "
            "No names, ID numbers, phone numbers or details of anyone's claim: write "
            '"a member" or the position, e.g. "the treasurer".'
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class WithdrawForm(forms.Form):
    summary = forms.IntegerField(widget=forms.HiddenInput)
    reason = CleanCharField(
        label=_("Why is the summary withdrawn?"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the fund's records and the audit trail; not shown to the public."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class ReceiptLookupForm(forms.Form):
    """Fund, number and amount of a paper receipt; all three must match one receipt."""

    fund = CleanCharField(
        label=_("Fund"),
        max_length=200,
        help_text=_("Choose the fund from the list, or type its name or code."),
        widget=forms.TextInput(attrs={"list": "fund-list", "autocomplete": "off"}),
    )
    number = CleanCharField(
        label=_("Receipt number"),
        max_length=30,
        help_text=_("As printed on the receipt, for example 2569/000123."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    amount = AmountField(
        label=_("Amount (baht)"),
        help_text=_("The total printed on the receipt, for example 1,250.50."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def clean_number(self) -> tuple[int, int]:
        text = to_ascii_digits(clean_text(self.cleaned_data["number"]))
        found = _RECEIPT_NUMBER.fullmatch(text)
        if found is None or int(found.group(2)) == 0:
            raise forms.ValidationError(
                _("Type the receipt number as printed, for example 2569/000123."), code="invalid"
            )
        return int(found.group(1)), int(found.group(2))

    def receipt_key(self) -> tuple[str, int, int, Decimal]:
        """The fund as typed, the fiscal year, the running number and the amount."""
        data = self.cleaned_data
        year, seq = data["number"]
        return data["fund"], year, seq, data["amount"]
