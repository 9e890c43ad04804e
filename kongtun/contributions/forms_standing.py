"""Forms of plans, terms, a member's plan and reinstatement, arrears and lapse: they parse
what the treasurer types; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.contributions.models import Frequency, Plan, Terms
from kongtun.funds.models import Branch, Fund
from kongtun.ledger.forms import AmountField
from kongtun.web.fields import CleanCharField, ThaiDateField

ZERO = Decimal("0.00")
# Ten years of months or days: a longer wait before lapsing is a typing mistake.
MAX_LAPSE = {Terms.LapseUnit.MONTHS: 120, Terms.LapseUnit.DAYS: 3650}


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs.setdefault("class", "input")


class FeeField(AmountField):
    """Baht that may be zero (no fee), never negative."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(signed=True, allow_zero=True, **kwargs)
        self.widget.attrs["inputmode"] = "decimal"

    def to_python(self, value: Any) -> Decimal | None:
        amount = super().to_python(value)
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("The fee cannot be negative."), code="min")
        return amount

    def clean(self, value: Any) -> Decimal:
        amount = super().clean(value)
        return ZERO if amount is None else amount


def _offered(fund: Fund) -> Any:
    return Plan.objects.filter(fund=fund, is_active=True).order_by("pk")


class PlanForm(forms.Form):
    name = CleanCharField(
        label=_("Name of the plan"),
        max_length=100,
        help_text=_("For example: one baht a day, 30 baht a month."),
    )
    frequency = forms.ChoiceField(
        label=_("Paid every"), choices=Frequency.choices, widget=forms.RadioSelect
    )
    amount = AmountField(label=_("Amount per period (baht)"))
    entry_fee = FeeField(label=_("Entry fee (baht)"), required=False, initial="0.00")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class PlanActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", _("Offer to members")), ("0", _("Stop offering"))],
        coerce=lambda v: v == "1",
    )


class TermsForm(forms.Form):
    default_plan = forms.ModelChoiceField(
        label=_("Plan for new members"), queryset=Plan.objects.none(), empty_label=None
    )
    lapse_after = forms.IntegerField(
        label=_("A member lapses after (0 = never)"),
        min_value=0,
        max_value=MAX_LAPSE[Terms.LapseUnit.DAYS],
        help_text=_("Counted from the last day their payments cover."),
    )
    lapse_unit = forms.ChoiceField(
        label=_("Counted in"), choices=Terms.LapseUnit.choices, widget=forms.RadioSelect
    )
    reinstatement = forms.ChoiceField(
        label=_("A lapsed member comes back by"),
        choices=Terms.Reinstatement.choices,
        widget=forms.RadioSelect,
    )
    reinstatement_fee = FeeField(label=_("Reinstatement fee (baht)"), required=False)

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_plan"].queryset = _offered(fund)  # type: ignore[attr-defined]
        self.fields["lapse_after"].widget.attrs["inputmode"] = "numeric"
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        after, unit = data.get("lapse_after"), data.get("lapse_unit")
        if after is not None and unit in MAX_LAPSE and after > MAX_LAPSE[unit]:
            self.add_error(
                "lapse_after",
                _("At most %(max)s %(unit)s.")
                % {"max": MAX_LAPSE[unit], "unit": Terms.LapseUnit(unit).label},
            )
        return data

    @staticmethod
    def initial_of(terms: Terms | None) -> dict[str, Any]:
        if terms is None:
            return {"lapse_after": 3, "lapse_unit": "months", "reinstatement": "pay_arrears"}
        return {
            "default_plan": terms.default_plan_id,
            "lapse_after": terms.lapse_after,
            "lapse_unit": terms.lapse_unit,
            "reinstatement": terms.reinstatement,
            "reinstatement_fee": terms.reinstatement_fee,
        }


class MemberPlanForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("New plan"), queryset=Plan.objects.none())
    on = ThaiDateField(
        label=_("From (date)"),
        help_text=_(
            "The new plan starts on the first day of the member's next period on or after "
            "this date, so no period is split."
        ),
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = _offered(fund)  # type: ignore[attr-defined]
        _inputs(self)


class ReinstateForm(forms.Form):
    on = ThaiDateField(label=_("Reinstated on"), required=False, help_text=_("Empty means today."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def day(self) -> dt.date:
        on: dt.date | None = self.cleaned_data.get("on")
        return on or timezone.localdate()


class AsOfForm(forms.Form):
    """A day to look at (today when empty), read from the query string."""

    as_of = ThaiDateField(label=_("As of"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def day(self) -> dt.date:
        on: dt.date | None = self.cleaned_data.get("as_of")
        return on or timezone.localdate()


class ArrearsForm(AsOfForm):
    branch = forms.ModelChoiceField(
        label=_("Village or community"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All branches"),
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(fund=fund)  # type: ignore[attr-defined]
        self.fields["branch"].widget.attrs.setdefault("class", "input")
