"""Forms of collection day: they parse what the collector types; the services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, NamedTuple

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kongtun.contributions.models import Frequency
from kongtun.contributions.selectors import MemberPosition
from kongtun.funds.models import Branch, Fund
from kongtun.ledger.forms import AccountChoiceField, AmountField, active_money_accounts
from kongtun.web.fields import CleanCharField, ThaiDateField

ZERO = Decimal("0.00")

# How far ahead the quick buttons pay. Twelve days ahead means nothing to a member of a
# "one baht a day" plan, so daily plans step in months of days.
AHEAD: dict[str, tuple[int, ...]] = {
    Frequency.DAILY: (30, 90, 180, 365),
    Frequency.MONTHLY: (1, 3, 6, 12),
    Frequency.YEARLY: (1, 2, 3),
}


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "input")


class KeyField(forms.UUIDField):
    """The form's one-time key, made when the form is shown: the same form sent twice (double
    click, retry, a second tab) records one receipt."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        message = _("This form has expired. Please fill it in again.")
        super().__init__(error_messages={"required": message, "invalid": message}, **kwargs)


class SessionOpenForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Village or community (optional)"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All of the fund"),
    )
    place = CleanCharField(
        label=_("Place (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: the village hall, the temple."),
    )

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(fund=fund)  # type: ignore[attr-defined]
        _inputs(self)


class FindForm(forms.Form):
    q = CleanCharField(label=_("Member number or name"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "autocomplete": "off", "class": "input", "enterkeyhint": "search"}
        )


class PayForm(forms.Form):
    amount = AmountField(label=_("Amount received (baht)"))
    key = KeyField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["class"] = "amount input big-amount"


class DeskPayForm(PayForm):
    date = ThaiDateField(label=_("Date received"))
    money_account = AccountChoiceField(label=_("Received into"), queryset=None, empty_label=None)

    field_order = ["date", "money_account", "amount", "key"]

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["money_account"].queryset = active_money_accounts(fund)  # type: ignore[attr-defined]
        self.fields["date"].widget.attrs["class"] = "input"
        self.fields["money_account"].widget.attrs["class"] = "input"


class CountedField(AmountField):
    """Cash counted may be nothing at all (a morning when no one paid)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(signed=True, allow_zero=True, **kwargs)
        self.widget.attrs["inputmode"] = "decimal"


class CloseForm(forms.Form):
    counted = CountedField(label=_("Cash counted (baht)"))
    note = CleanCharField(
        label=_("Note on the difference"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only when the cash counted differs from the receipts."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
        self.fields["counted"].widget.attrs["class"] = "amount input big-amount"


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class QuickChoice(NamedTuple):
    """A button that fills the amount: what it pays and how far the member is then paid."""

    label: str
    amount: Decimal
    reaches: dt.date
    periods: int  # ahead of being paid up today; 0 for "pay up to date"


def _reaches(pos: MemberPosition, amount: Decimal) -> dt.date:
    # The fee owed is taken first, as payment_record does; the rest extends the coverage.
    paid_through, _left = pos.schedule.coverage(pos.credit + max(amount - pos.fees_due, ZERO))
    return paid_through


def _ahead_label(frequency: str, n: int) -> str:
    if frequency == Frequency.DAILY:
        return ngettext("+%(n)s day", "+%(n)s days", n) % {"n": n}
    if frequency == Frequency.YEARLY:
        return ngettext("+%(n)s year", "+%(n)s years", n) % {"n": n}
    return ngettext("+%(n)s month", "+%(n)s months", n) % {"n": n}


def default_amount(pos: MemberPosition) -> Decimal:
    """What the member owes to be fully paid up today, or else one period ahead."""
    return pos.due_now or pos.amount_for(1)


def quick_choices(pos: MemberPosition) -> list[QuickChoice]:
    """Pay up to date, then up to date and whole periods ahead (amount_for), each once."""
    offers: list[tuple[str, Decimal, int]] = []
    if pos.due_now:
        offers.append((str(_("Pay up to date")), pos.due_now, 0))
    for n in AHEAD.get(pos.plan.frequency, AHEAD[Frequency.MONTHLY]):
        amount = pos.amount_for(n)
        if amount and all(amount != seen for _label, seen, _n in offers):
            offers.append((_ahead_label(pos.plan.frequency, n), amount, n))
    return [QuickChoice(label, amount, _reaches(pos, amount), n) for label, amount, n in offers]
