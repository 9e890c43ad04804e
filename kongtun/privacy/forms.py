from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_(
            "For example: the member's written request of 3 March 2569. Do not write the name."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand: names, national ID, address and evidence files are erased for good"),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("json", "JSON"), ("csv", "CSV")])
