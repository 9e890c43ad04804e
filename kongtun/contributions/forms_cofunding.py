"""Forms of the co-funding pages: they parse what people type; the services decide."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.contributions import matching
from kongtun.contributions.cofunding import local_gov_income_accounts
from kongtun.contributions.models import Funder
from kongtun.funds.models import Fund
from kongtun.ledger.forms import AccountChoiceField, AmountField, TokenField, active_money_accounts
from kongtun.ledger.models import Account
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.web.fields import CleanCharField, ThaiDateField


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput):
            field.widget.attrs.setdefault("class", "input")


class NumberField(forms.IntegerField):
    """A whole number as people type it, Thai digits included."""

    def __init__(self, **kwargs: Any) -> None:
        # A text box: a number input drops Thai digits and turns into a spinner on phones.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        return super().to_python(to_ascii_digits(str(value or "")).strip().replace(",", ""))


class YearField(NumberField):
    """A fiscal year in Buddhist era; a CE year typed by habit is refused, not shifted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs["maxlength"] = "4"

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not FIRST_BE_YEAR <= value <= LAST_BE_YEAR:
            raise forms.ValidationError(
                _("Type the fiscal year in Buddhist era, e.g. %(year)s."),
                params={"year": matching.government_year_of(timezone.localdate())},
                code="year",
            )


class RatioField(forms.Field):
    """Baht matched per baht: 1, 1.000 or 0.5; at most three decimals."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        text = to_ascii_digits(str(value or "")).strip()
        if not text:
            return None
        try:
            ratio = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError(
                _("Please type a number, for example 1 or 0.5."), code="invalid"
            ) from exc
        if not ratio.is_finite() or ratio != ratio.quantize(Decimal("0.001")):
            raise forms.ValidationError(
                _("Please type a number with at most three decimals."), code="invalid"
            )
        return ratio

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.3f}"
        return value


class CoContributionForm(forms.Form):
    funder = forms.ChoiceField(
        label=_("Who paid"), choices=Funder.choices, widget=forms.RadioSelect
    )
    payer = CleanCharField(
        label=_("Paid by (name)"),
        max_length=200,
        required=False,
        help_text=_("As on the transfer or letter, e.g. อบต.เวียงเหนือ."),
    )
    fiscal_year = YearField(label=_("For fiscal year (BE)"))
    round = NumberField(
        label=_("Round"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Needed for CODI money: 1 for the year's first round, 2 for the second…"),
    )
    date = ThaiDateField(label=_("Received on"))
    amount = AmountField(label=_("Amount (baht)"))
    reference = CleanCharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Letter or transfer number, if any."),
    )
    money_account = AccountChoiceField(
        label=_("Received into (cash or bank)"), queryset=Account.objects.none(), empty_label=None
    )
    income_account = AccountChoiceField(
        label=_("Local government account"),
        queryset=Account.objects.none(),
        required=False,
        empty_label=_("As usual for who paid"),
        help_text=_("Only for local government money: TAO, municipality or PAO."),
    )
    idempotency_key = TokenField()

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        money = active_money_accounts(fund)
        self.fields["money_account"].queryset = money  # type: ignore[attr-defined]
        self.fields["income_account"].queryset = local_gov_income_accounts(fund)  # type: ignore[attr-defined]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("funder", Funder.CODI)
            self.initial.setdefault("fiscal_year", matching.government_year_of(today))
            self.initial.setdefault("date", today)
            self.initial.setdefault("money_account", money.filter(role="bank").first())
            self.initial.setdefault("idempotency_key", str(uuid.uuid4()))
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("income_account") and data.get("funder") != Funder.LOCAL_GOV:
            self.add_error("income_account", _("Choose this only for money from local government."))
        return data

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "funder": d["funder"],
            "payer": d["payer"],
            "fiscal_year": d["fiscal_year"],
            "round": d["round"],
            "date": d["date"],
            "amount": d["amount"],
            "reference": d["reference"],
            "money_account": d["money_account"],
            "income_account": d["income_account"],
            "idempotency_key": d["idempotency_key"],
        }


class MatchingTermsForm(forms.Form):
    """One co-funder's terms for one year; the co-funder is chosen on the page, not here."""

    funder = forms.ChoiceField(choices=Funder.choices, widget=forms.HiddenInput)
    ratio = RatioField(
        label=_("Baht matched per baht of members' contributions"),
        help_text=_("1 for one to one; 0.5 for half."),
    )
    cap_per_member = AmountField(label=_("At most per member (baht)"))
    max_rounds = NumberField(
        label=_("At most rounds per member"),
        min_value=1,
        max_value=99,
        help_text=_("A member matched in this many earlier years is not matched again."),
    )
    min_membership_days = NumberField(
        label=_("Days of membership by 30 September"),
        min_value=0,
        max_value=3660,
        help_text=_(
            "365 for a full year. In a year with 29 February (e.g. FY2567), 366 means a "
            "full calendar year."
        ),
    )

    def __init__(
        self, data: Any = None, *, proposed: matching.Rule | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        if proposed is not None and not self.is_bound:
            self.initial.update(
                {
                    "ratio": proposed.ratio,
                    "cap_per_member": proposed.cap,
                    "max_rounds": proposed.max_rounds,
                    "min_membership_days": proposed.min_days,
                }
            )
        _inputs(self)

    def to_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class MatchingRecordForm(forms.Form):
    """Recording a round takes only the co-funder; the form carries the service's errors."""

    funder = forms.ChoiceField(choices=Funder.choices, widget=forms.HiddenInput)
