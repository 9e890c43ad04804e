"""Forms of the committee's work: a meeting, a person's check, a decision.

They parse what the officer types; kongtun.vetting.services decides what is allowed, and its
refusals come back next to these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.ledger.forms import AmountField
from kongtun.vetting.models import CommitteeMeeting, Decision, Outcome
from kongtun.web.fields import CleanCharField, ThaiDateField


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs.setdefault("class", "input")


class MeetingForm(forms.Form):
    number = forms.IntegerField(
        label=_("Meeting number in the fiscal year"),
        min_value=1,
        max_value=99,
        help_text=_("1 for ครั้งที่ 1/2570, the first meeting for fiscal year 2570."),
    )
    held_on = ThaiDateField(label=_("Date of the meeting"))
    place = CleanCharField(label=_("Place"), max_length=200, required=False)
    notes = CleanCharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class CheckForm(forms.Form):
    """What a person of the committee found for one check."""

    outcome = forms.ChoiceField(
        label=_("Finding"),
        choices=[(Outcome.MET, _("Met")), (Outcome.NOT_MET, _("Not met"))],
        widget=forms.RadioSelect,
    )
    note = CleanCharField(
        label=_("What was checked"),
        max_length=2000,
        help_text=_("The document seen, the visit or the call, and by whom."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class DecisionForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"), queryset=CommitteeMeeting.objects.none(), empty_label=None
    )
    outcome = forms.ChoiceField(
        label=_("The committee's decision"),
        choices=Decision.Result.choices,
        widget=forms.RadioSelect,
    )
    amount_approved = AmountField(
        label=_("Amount approved (baht)"),
        required=False,
        help_text=_("Only when approved; at most the amount requested."),
    )
    conditions = CleanCharField(
        label=_("Conditions or reasons"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, meetings: list[CommitteeMeeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = CommitteeMeeting.objects.filter(  # type: ignore[attr-defined]
            pk__in=[m.pk for m in meetings]
        ).order_by("-number")
        field.label_from_instance = lambda m: _("Meeting %(label)s") % {"label": m.label}  # type: ignore[attr-defined]
        _inputs(self)
