"""Forms of a regulation version: its title and text, a benefit's rules with its table, and
adoption. They read what the secretary types; the services decide what a rule may be.

A benefit's fields come from the model (`fields_for_model`), so money is read by the money
field's own form field (a DecimalField: never a float) and the limits are the model's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import fields_for_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kongtun.web.fields import CleanCharField, ThaiDateField
from kongtun.welfare.describe import category_choices
from kongtun.welfare.models import Benefit, Regulation, Tier
from kongtun.welfare.services import BENEFIT_FIELDS

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise

# Blank rows offered under a benefit's table; more can be added after saving.
EMPTY_TIER_ROWS = 4
MAX_TIER_ROWS = 60

# The benefit's fields in the groups the form shows them in; `table` marks the group the
# table of amounts goes in.
FIELDSETS: list[tuple[Promise, tuple[str, ...]]] = [
    (_("The benefit"), ("name", "key", "category", "position")),
    (_("Who may receive it"), ("for_member", "for_child", "for_beneficiary", "for_non_member")),
    (_("Waiting period and membership"), ("waiting_days", "wait_from", "min_membership_years")),
    (_("Age"), ("min_age", "max_age")),
    (_("Amount and table"), ("basis", "amount", "step_amount")),
    (
        _("Limits"),
        (
            "per_event_cap",
            "max_nights_per_event",
            "max_nights_per_year",
            "per_year_cap",
            "times_per_year",
            "lifetime_cap",
            "once_only",
        ),
    ),
    (_("Dues"), ("max_arrears_months", "deduct_arrears")),
    (_("Filing and documents"), ("filing_days", "documents")),
    (_("Other conditions"), ("requires_no_prior_claims", "conditions")),
]
TABLE_FIELDSET = 4

HELP_TEXTS: dict[str, Promise] = {
    "name": _("As the regulation names it, e.g. “In hospital”."),
    "key": _(
        "A short code in Latin letters, digits and dashes, e.g. “illness”. Keep it the same in "
        "every version: it is how what a member received counts across versions."
    ),
    "category": _("The category the fund reports this benefit under to CODI."),
    "position": _("Benefits are listed in this order."),
    "for_non_member": _(
        "Help for people in need who are not members: paid from its own yearly budget, and it "
        "cannot also be for members."
    ),
    "waiting_days": _(
        "How long someone must have been a member before the event. 0 means no waiting."
    ),
    "wait_from": _("The day the waiting period starts."),
    "min_membership_years": _("Empty if the benefit has no such condition."),
    "min_age": _("Age in whole years on the day of the event; empty for no limit."),
    "max_age": _("Age in whole years on the day of the event; empty for no limit."),
    "basis": _("How the amount is worked out."),
    "amount": _(
        "For a fixed amount: the amount. Paid by the night: the amount a night. "
        "Not used for the actual cost or a table."
    ),
    "step_amount": _(
        "Only for a table: the amount added for each whole year beyond its last row. 0 for none."
    ),
    "per_event_cap": _("The most paid for one event (one stay in hospital); empty for no limit."),
    "max_nights_per_event": _("Paid by the night only; empty for no limit."),
    "max_nights_per_year": _("Paid by the night only, counted in the fund's year."),
    "per_year_cap": _("The most one person receives in the fund's year; empty for no limit."),
    "times_per_year": _("How many times in the fund's year; empty for no limit."),
    "lifetime_cap": _("The most one person ever receives; empty for no limit."),
    "once_only": _("For example a death benefit."),
    "max_arrears_months": _(
        "How far behind with dues a member may be on the day of the event; "
        "0 means fully paid up, empty means dues are not checked."
    ),
    "deduct_arrears": _("What the member still owes is taken from the payout and receipted."),
    "filing_days": _("The claim must be filed within this many days; empty for no deadline."),
    "documents": _("One document a line, e.g. “Doctor's certificate”."),
    "requires_no_prior_claims": _(
        "Only someone who never received any benefit of the fund may receive it."
    ),
    "conditions": _("Anything the rules above cannot say; the committee checks it when deciding."),
}
# Number fields with a default: left empty they take the default instead of an error.
_DEFAULTED: dict[str, int | Decimal] = {
    "position": 0,
    "waiting_days": 0,
    "amount": Decimal("0.00"),
    "step_amount": Decimal("0.00"),
}


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.NumberInput | forms.TextInput | forms.Textarea):
            field.widget.attrs.setdefault("class", "input")
        if isinstance(field, forms.DecimalField):
            field.widget.attrs["inputmode"] = "decimal"
        elif isinstance(field, forms.IntegerField):
            field.widget.attrs["inputmode"] = "numeric"


class RegulationForm(forms.Form):
    title = CleanCharField(
        label=pgettext_lazy("regulation", "Title"),
        max_length=300,
        help_text=_("For example: Regulation of the welfare fund, 2568."),
    )
    text = forms.CharField(
        label=_("Text of the regulation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "The regulation as the meeting adopts it. The benefits' rules are set below it, one "
            "benefit at a time, and printed after the text."
        ),
    )
    non_member_budget = fields_for_model(Regulation, fields=["non_member_budget"])[
        "non_member_budget"
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["non_member_budget"].help_text = _(
            "The most the fund gives people in need who are not members in one fund year; "
            "empty means no limit is set."
        )
        _inputs(self)

    @staticmethod
    def initial_of(regulation: Regulation) -> dict[str, Any]:
        return {
            "title": regulation.title,
            "text": regulation.text,
            "non_member_budget": regulation.non_member_budget,
        }


class TierForm(forms.Form):
    """One row of the table; a row left empty is skipped."""

    from_years = fields_for_model(Tier, fields=["from_years"])["from_years"]
    amount = fields_for_model(Tier, fields=["amount"])["amount"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_years"].required = False
        self.fields["amount"].required = False
        self.fields["from_years"].widget.attrs["aria-label"] = _("From years")
        self.fields["amount"].widget.attrs["aria-label"] = _("Amount (baht)")
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        years, amount = data.get("from_years"), data.get("amount")
        if (years is None) != (amount is None) and not self.errors:
            missing = "amount" if amount is None else "from_years"
            self.add_error(
                missing, _("Give both the years and the amount, or leave the row empty.")
            )
        return data

    def row(self) -> tuple[int, Decimal] | None:
        years, amount = self.cleaned_data.get("from_years"), self.cleaned_data.get("amount")
        if years is None or amount is None:
            return None
        return years, amount


TierFormSet = forms.formset_factory(
    TierForm,
    extra=EMPTY_TIER_ROWS,
    max_num=MAX_TIER_ROWS,
    absolute_max=MAX_TIER_ROWS,
    validate_max=True,
)


class BenefitForm(forms.Form):
    """All of a benefit's rules, with its table of amounts as a formset (`self.tiers`)."""

    def __init__(
        self,
        data: Any = None,
        *,
        benefit: Benefit | None = None,
        position: int = 0,
    ) -> None:
        """`position`: where a benefit goes when the order is left empty (new: the end)."""
        initial: dict[str, Any] = {"position": position}
        rows = []
        if benefit is not None:
            initial = {name: getattr(benefit, name) for name in BENEFIT_FIELDS}
            rows = [{"from_years": t.from_years, "amount": t.amount} for t in benefit.tiers.all()]
        self.position = initial["position"]
        super().__init__(data, initial=initial)
        self.fields.update(fields_for_model(Benefit, fields=BENEFIT_FIELDS))
        for name, text in HELP_TEXTS.items():
            self.fields[name].help_text = text
        self.fields["category"].choices = [("", "—"), *category_choices()]  # type: ignore[attr-defined]
        for name in ("basis", "wait_from"):
            self.fields[name].widget = forms.RadioSelect(
                choices=self.fields[name].choices  # type: ignore[attr-defined]
            )
        for name in ("documents", "conditions"):
            self.fields[name].widget.attrs["rows"] = 4
        for name in _DEFAULTED:
            self.fields[name].required = False
        # Posted rows are read as typed, not compared with the saved ones: a row left as it was
        # is still a row of the table.
        self.tiers = TierFormSet(data, initial=None if data is not None else rows, prefix="tiers")
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, default in _DEFAULTED.items():
            if name in data and data[name] is None:
                data[name] = self.position if name == "position" else default
        if not self.tiers.is_valid():
            raise forms.ValidationError(_("Please correct the rows of the table marked in red."))
        return data

    def values(self) -> dict[str, Any]:
        """The rules as benefit_save takes them."""
        return {name: self.cleaned_data[name] for name in BENEFIT_FIELDS}

    def tier_rows(self) -> list[tuple[int, Decimal]]:
        rows = (f.row() for f in self.tiers.forms)
        return [r for r in rows if r is not None]

    def fieldsets(self) -> list[tuple[Promise, list[forms.BoundField], bool]]:
        """(legend, fields, whether the table goes here) for each group of the form."""
        return [
            (legend, [self[name] for name in names], i == TABLE_FIELDSET)
            for i, (legend, names) in enumerate(FIELDSETS)
        ]


class ConfirmForm(forms.Form):
    """A button with nothing to type (removing a benefit): what the service refuses lands here."""


class AdoptForm(forms.Form):
    effective_from = ThaiDateField(
        label=_("In force from"),
        help_text=_(
            "Claims for events from this day are judged by this version; earlier events keep "
            "the version in force then."
        ),
    )
    resolution = CleanCharField(
        label=_("Adopted by resolution"),
        max_length=100,
        help_text=_("The meeting and resolution number, e.g. “Meeting 3/2568, resolution 5”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def day(self) -> dt.date:
        day: dt.date = self.cleaned_data["effective_from"]
        return day
