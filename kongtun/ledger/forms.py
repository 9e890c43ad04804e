"""Forms of the books' pages: they parse what people type; the services decide what is allowed."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund
from kongtun.ledger.core import AccountType
from kongtun.ledger.models import Account, PeriodClose, ReconciliationItem, Source, Voucher
from kongtun.ledger.services import ReconciliationItemInput, VoucherLineInput
from kongtun.ledger.statements import fiscal_year_bounds
from kongtun.lib.thaidate import MONTHS_EN, MONTHS_TH, be_year
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.models import Member
from kongtun.web.fields import CleanCharField, ThaiDateField

MAX_VOUCHER_LINES = 10
MAX_RECONCILIATION_ITEMS = 8

ACCOUNT_TYPE_LABELS = {
    AccountType.ASSET: _("Assets"),
    AccountType.LIABILITY: _("Liabilities"),
    AccountType.EQUITY: _("Fund balance"),
    AccountType.INCOME: _("Income"),
    AccountType.EXPENSE: _("Expenses"),
}

# Commas must group thousands: "1,50" is a European decimal comma, and reading it as 150 baht
# would be a hundredfold error.
_AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?")


class AmountField(forms.Field):
    """Baht as people type them: 1,250.50, 1250 or Thai digits; a Decimal, never a float."""

    widget = forms.TextInput

    def __init__(self, *, signed: bool = False, allow_zero: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signed, self.allow_zero = signed, allow_zero
        self.widget.attrs.update(
            {
                # Phones' decimal keypads have no minus sign.
                "inputmode": "text" if signed else "decimal",
                "autocomplete": "off",
                "class": "amount",
                "maxlength": "24",
            }
        )

    def to_python(self, value: Any) -> Decimal | None:
        text = to_ascii_digits(str(value or "")).strip().replace(" ", "").replace("\u2212", "-")
        if not text:
            return None
        if not _AMOUNT.fullmatch(text):
            raise forms.ValidationError(
                _("Please type an amount in baht, for example 1,250.50."), code="invalid"
            )
        try:
            amount = Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise forms.ValidationError(_("This amount is too large."), code="invalid") from exc
        if abs(amount) >= Decimal("1000000000000"):
            raise forms.ValidationError(_("This amount is too large."), code="invalid")
        if not self.signed and amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."), code="min")
        if self.signed and amount == 0 and not self.allow_zero:
            raise forms.ValidationError(_("The amount cannot be zero."), code="zero")
        return amount

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        return value


class TokenField(forms.CharField):
    """A one-time token in the form: the same submission sent twice is recorded once."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=80,
            error_messages={"required": _("This form has expired. Please fill it in again.")},
            **kwargs,
        )


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _account_label(account: Account) -> str:
    return f"{account.code} {account.name}"


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = _account_label(obj)
        if obj.bank_account_no:
            label += f" ({obj.bank_account_no})"
        return label


def active_money_accounts(fund: Fund) -> QuerySet[Account]:
    return Account.objects.filter(fund=fund, role__in=("cash", "bank"), is_active=True).order_by(
        "code"
    )


def voucher_line_accounts(fund: Fund, kind: str) -> QuerySet[Account]:
    """What a voucher's lines may name.

    A receipt credits income, a receivable collected, a payable or the opening balances; a
    payment debits an expense, an advance or a payable, or another cash or bank account (a
    deposit of cash into the bank is a payment out of cash into the bank: a transfer).
    """
    accounts = Account.objects.filter(fund=fund, is_active=True)
    if kind == Voucher.Kind.RECEIPT:
        accounts = accounts.exclude(role__in=("cash", "bank")).exclude(type=AccountType.EXPENSE)
    else:
        accounts = accounts.exclude(type__in=(AccountType.INCOME, AccountType.EQUITY))
    return accounts.order_by("type", "code")


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "input")


# --- Accounts --------------------------------------------------------------------------------


class AccountForm(forms.Form):
    code = CleanCharField(
        label=_("Account code"),
        max_length=20,
        help_text=_("Digits, e.g. 1112 for a second bank account or 5106 for a new expense."),
    )
    name_th = CleanCharField(label=_("Name in Thai"), max_length=200)
    name_en = CleanCharField(label=_("Name in English (optional)"), max_length=200, required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[(t.value, label) for t, label in ACCOUNT_TYPE_LABELS.items()]
    )
    is_bank = forms.BooleanField(
        label=_("This is a bank account of the fund"),
        required=False,
        help_text=_("Its balance then shows with the cash, and it gets its own bank book."),
    )
    bank_account_no = CleanCharField(
        label=_("Bank account number"),
        max_length=40,
        required=False,
        help_text=_("Bank, branch and number as on the passbook."),
    )
    source = forms.ChoiceField(
        label=_("Whose money (for income accounts)"),
        choices=[("", "—"), *Source.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Kind of expense (for expense accounts)"),
        choices=[
            ("", _("Other expense")),
            ("welfare", _("Welfare for members")),
            ("admin", _("Administration")),
        ],
        required=False,
        help_text=_("Administration expenses count towards the fund's administration-cost cap."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
        self.fields["is_bank"].widget.attrs["class"] = "check"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("is_bank") and not data.get("bank_account_no"):
            self.add_error("bank_account_no", _("Please type the bank account number."))
        return data

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "name_th": d["name_th"],
            "name_en": d["name_en"],
            "type": d["type"],
            "source": d["source"],
            "bank_account_no": d["bank_account_no"],
            "role": _role(d),
        }


def _role(d: dict[str, Any]) -> str:
    """Statements sort expenses by role: a fund's own welfare or administration account
    must count as such, or the administration-cost ratio could be dodged."""
    if d["is_bank"]:
        return "bank"
    if d["type"] == AccountType.EXPENSE and d.get("category"):
        return f"{d['category']}.{d['code']}"
    return ""


# --- Vouchers --------------------------------------------------------------------------------


class VoucherLineForm(forms.Form):
    account = AccountChoiceField(label=_("Account"), queryset=Account.objects.none())
    amount = AmountField(label=_("Amount (baht)"))
    source = forms.ChoiceField(
        label=_("Whose money"),
        choices=[("", _("As the account says")), *Source.choices],
        required=False,
    )
    description = CleanCharField(label=_("Details"), max_length=300, required=False)

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["account"].empty_label = "—"  # type: ignore[attr-defined]
        _inputs(self)


class BaseLineFormSet(forms.BaseFormSet):
    def filled(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and not f.errors and f.cleaned_data]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.filled():
            raise forms.ValidationError(
                _("Please fill in at least one line with an account and an amount.")
            )

    def total(self) -> Decimal:
        """Σ of the amounts typed that can be read, also while other fields have errors."""
        total = Decimal("0.00")
        for form in self.forms:
            raw = form["amount"].value()
            try:
                amount = form.fields["amount"].clean(raw) if raw else None
            except forms.ValidationError:
                amount = None
            if amount:
                total += amount
        return total


VoucherLineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(
        VoucherLineForm,
        formset=BaseLineFormSet,
        extra=MAX_VOUCHER_LINES,
        max_num=MAX_VOUCHER_LINES,
        absolute_max=MAX_VOUCHER_LINES,
        validate_max=True,
    ),
)


class VoucherForm(forms.Form):
    """The voucher's head; its lines are a formset checked together with it."""

    date = ThaiDateField(label=_("Date"))
    party = CleanCharField(label=_("Received from"), max_length=200)
    description = CleanCharField(label=_("What it is for"), max_length=500)
    money_account = AccountChoiceField(
        label=_("Cash or bank account"), queryset=Account.objects.none(), empty_label=None
    )
    member_number = CleanCharField(
        label=_("Member number (for a welfare payment to a member)"),
        max_length=20,
        required=False,
        help_text=_("The payment then shows in the member's passbook."),
    )
    token = TokenField()

    def __init__(self, data: Any = None, *, fund: Fund, kind: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.kind = kind
        self.fund = fund
        if kind != Voucher.Kind.PAYMENT:
            del self.fields["member_number"]
        self.fields["money_account"].queryset = active_money_accounts(fund)  # type: ignore[attr-defined]
        if kind == Voucher.Kind.PAYMENT:
            self.fields["party"].label = _("Paid to")
            self.fields["money_account"].label = _("Paid from (cash or bank)")
        else:
            self.fields["money_account"].label = _("Received into (cash or bank)")
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("token", new_token())
        self.lines = VoucherLineFormSet(
            data, prefix="lines", form_kwargs={"accounts": voucher_line_accounts(fund, kind)}
        )
        _inputs(self)

    def clean_member_number(self) -> Member | None:
        number = self.cleaned_data.get("member_number", "")
        if not number:
            return None
        member = Member.objects.filter(fund=self.fund, number=number).first()
        if member is None:
            raise forms.ValidationError(_("No member of this fund has that number."))
        return member

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.lines.is_valid():
            raise forms.ValidationError(_("Please correct the lines marked in red."))
        return data

    def line_inputs(self) -> list[VoucherLineInput]:
        return [
            VoucherLineInput(
                account=f.cleaned_data["account"],
                amount=f.cleaned_data["amount"],
                source=f.cleaned_data["source"],
                description=f.cleaned_data["description"],
            )
            for f in self.lines.filled()
        ]

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": self.kind,
            "date": d["date"],
            "party": d["party"],
            "description": d["description"],
            "money_account": d["money_account"],
            "lines": self.line_inputs(),
            "idempotency_key": d["token"],
            "member": d.get("member_number"),
        }


class DecisionForm(forms.Form):
    """Approving takes no input; the form carries the service's errors back to the page."""


class RejectForm(forms.Form):
    reason = CleanCharField(
        label=_("Why is it rejected?"),
        max_length=500,
        help_text=_("The person who made the voucher sees this reason."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Bill, receipt or photo (PDF, JPEG or PNG, up to 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


# --- Journal ---------------------------------------------------------------------------------


class ReverseForm(forms.Form):
    on = ThaiDateField(label=_("Date of the reversal"))
    reason = CleanCharField(label=_("Why is the entry reversed?"), max_length=400)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())
        _inputs(self)


# --- Books -----------------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


class PeriodForm(forms.Form):
    """The period a book shows: from/to in BE; the current month when nothing is chosen."""

    start = ThaiDateField(label=_("From"), required=False)
    end = ThaiDateField(label=_("To"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A GET without a period is not an error: it is the current month.
        has_period = data is not None and any(data.get(k) for k in ("start", "end", "account"))
        super().__init__(data if has_period else None, **kwargs)
        first, last = month_bounds(timezone.localdate())
        self.initial.setdefault("start", first)
        self.initial.setdefault("end", last)
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period (call after is_valid(), or unbound for the default)."""
        data = self.cleaned_data if self.is_bound else {}
        return (
            data.get("start") or self.initial["start"],
            data.get("end") or self.initial["end"],
        )


class BankBookForm(PeriodForm):
    account = AccountChoiceField(
        label=_("Bank account"), queryset=Account.objects.none(), empty_label=None, required=False
    )
    field_order = ["account", "start", "end"]

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        banks = Account.objects.filter(fund=fund, role="bank").order_by("code")
        self.fields["account"].queryset = banks  # type: ignore[attr-defined]
        self.initial.setdefault("account", banks.first())
        _inputs(self)

    def chosen(self) -> Account | None:
        data = self.cleaned_data if self.is_bound else {}
        account: Account | None = data.get("account") or self.initial.get("account")
        return account


# --- Bank reconciliation ---------------------------------------------------------------------


class ReconciliationItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=ReconciliationItem.Kind.choices)
    description = CleanCharField(label=_("Description"), max_length=300)
    amount = AmountField(
        label=_("Amount (+ or −)"),
        signed=True,
        help_text=_("+ if it makes the bank show more than the books, − if less."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def has_changed(self) -> bool:
        # The kind always has a value; a row counts as filled only if something was typed.
        return any(self[name].value() for name in ("description", "amount"))


class BaseItemFormSet(forms.BaseFormSet):
    def filled(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and not f.errors and f.cleaned_data]


ReconciliationItemFormSet = cast(
    type[BaseItemFormSet],
    forms.formset_factory(
        ReconciliationItemForm,
        formset=BaseItemFormSet,
        extra=MAX_RECONCILIATION_ITEMS,
        max_num=MAX_RECONCILIATION_ITEMS,
        absolute_max=MAX_RECONCILIATION_ITEMS,
        validate_max=True,
    ),
)


class ReconciliationForm(forms.Form):
    account = AccountChoiceField(
        label=_("Bank account"), queryset=Account.objects.none(), empty_label=None
    )
    statement_date = ThaiDateField(label=_("Date of the bank statement"))
    statement_balance = AmountField(
        label=_("Balance on the bank statement (baht)"),
        signed=True,
        allow_zero=True,
        help_text=_("As printed in the passbook or statement on that date."),
    )
    token = TokenField()

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        banks = Account.objects.filter(fund=fund, role="bank").order_by("code")
        self.fields["account"].queryset = banks  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("statement_date", timezone.localdate())
            self.initial.setdefault("token", new_token())
        self.items = ReconciliationItemFormSet(data, prefix="items")
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.items.is_valid():
            raise forms.ValidationError(_("Please correct the items marked in red."))
        return data

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "account": d["account"],
            "statement_date": d["statement_date"],
            "statement_balance": d["statement_balance"],
            "items": [
                ReconciliationItemInput(
                    kind=f.cleaned_data["kind"],
                    description=f.cleaned_data["description"],
                    amount=f.cleaned_data["amount"],
                )
                for f in self.items.filled()
            ],
            "idempotency_key": d["token"],
        }


# --- Periods ---------------------------------------------------------------------------------


class CloseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Close"),
        choices=PeriodClose.Kind.choices,
        initial=PeriodClose.Kind.MONTH,
        widget=forms.RadioSelect,
    )
    month = forms.TypedChoiceField(
        label=_("Month (when closing a month)"), choices=[], coerce=int, required=False
    )
    year = forms.IntegerField(
        label=_("Year (BE)"),
        min_value=2500,
        max_value=2700,
        help_text=_("For a fiscal year: the BE year it is named by."),
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        names = MONTHS_EN if (get_language() or "th").startswith("en") else MONTHS_TH
        month = self.fields["month"]
        assert isinstance(month, forms.ChoiceField)
        month.choices = [(i, name.capitalize()) for i, name in enumerate(names, start=1)]
        if not self.is_bound:
            last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
            self.initial.update({"month": last_month.month, "year": be_year(last_month)})
        _inputs(self)
        self.fields["kind"].widget.attrs["class"] = "check"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, year = data.get("kind"), data.get("year")
        if kind == PeriodClose.Kind.MONTH and not data.get("month"):
            self.add_error("month", _("Please choose the month."))
        if year and kind == PeriodClose.Kind.MONTH and data.get("month"):
            data["start"], data["end"] = month_bounds(dt.date(year - 543, data["month"], 1))
        elif year and kind == PeriodClose.Kind.YEAR:
            data["start"], data["end"] = fiscal_year_bounds(self.fund, year)
        return data

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "start": d["start"], "end": d["end"]}


class ReopenForm(forms.Form):
    reason = CleanCharField(
        label=_("Why is it reopened?"),
        max_length=500,
        help_text=_("Recorded in the audit trail, e.g. the committee resolution."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
