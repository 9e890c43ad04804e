"""Forms of the committee's meetings: opening one, who came, and a resolution on a claim.

They parse what the secretary types; kongtun.welfare.services decides what is allowed (the
quorum, who may approve, how much), and its refusals come back next to these fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.ledger.forms import AmountField
from kongtun.web.fields import CleanCharField, ThaiDateField
from kongtun.welfare.models import Attendance
from kongtun.welfare.services import Resolution

APPROVE, REJECT = "approve", "reject"
MAX_VOTES = 99  # a committee is a handful of people: more is a typing mistake


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            field.widget.attrs.setdefault("class", "input")


class MeetingForm(forms.Form):
    number = CleanCharField(
        label=_("Meeting number"),
        max_length=30,
        help_text=_("As in the minutes, e.g. 3/2569: the third meeting of 2569."),
    )
    date = ThaiDateField(label=_("Date of the meeting"))
    place = CleanCharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class AttendanceForm(forms.Form):
    """A box for each committee seat of the meeting; the seats not ticked were absent."""

    present = forms.TypedMultipleChoiceField(
        label=_("Committee members present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, rows: list[Attendance], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"present": [a.seat_id for a in rows if a.present]})
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        field.choices = [  # type: ignore[attr-defined]
            (a.seat_id, f"{a.seat.full_name} ({a.seat.get_position_display()})") for a in rows
        ]

    def seats(self) -> set[int]:
        return set(self.cleaned_data["present"])


class DecideForm(forms.Form):
    """The committee's resolution on one claim, as the minutes record it."""

    decision = forms.ChoiceField(
        label=_("The committee's decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    resolution = CleanCharField(label=_("Resolution number"), max_length=50)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=MAX_VOTES)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=MAX_VOTES)
    votes_abstain = forms.IntegerField(
        label=_("Abstentions"), min_value=0, max_value=MAX_VOTES, required=False
    )
    amount = AmountField(
        label=_("Amount approved (baht)"),
        required=False,
        help_text=_("Leave empty to approve what the rules give; less needs a reason."),
    )
    note = CleanCharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject the claim, or to approve less than the rules give."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("votes_for", "votes_against", "votes_abstain"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        _inputs(self)

    def resolution_input(self) -> Resolution:
        data = self.cleaned_data
        approve = data["decision"] == APPROVE
        amount: Decimal | None = data["amount"] if approve else None
        return Resolution(
            approve=approve,
            number=data["resolution"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"] or 0,
            amount=amount,
            note=data["note"],
        )
