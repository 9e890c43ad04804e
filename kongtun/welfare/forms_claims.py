"""Forms of the claims pages: they parse what the clerk and the treasurer type; the services
decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Fund
from kongtun.ledger.forms import AccountChoiceField, AmountField, TokenField, active_money_accounts
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.models import Member
from kongtun.members.selectors import member_search
from kongtun.web.fields import CleanCharField, ThaiDateField
from kongtun.welfare.models import Benefit, Claim, Regulation
from kongtun.welfare.selectors import regulation_in_force
from kongtun.welfare.services import ClaimInput

# The label of a document that is none of the benefit's required ones.
OTHER = "other"


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput):
            field.widget.attrs.setdefault("class", "input")


def member_by_number(fund: Fund, text: str) -> Member | None:
    """The fund's member with this number; "1" finds "00001", as people say it."""
    number = to_ascii_digits(text).strip()
    if not number:
        return None
    exact = Member.objects.filter(fund=fund, number=number).first()
    if exact is not None or not number.isdigit():
        return exact
    same = [
        m
        for m in member_search(fund=fund, query=number)[:50]
        if m.number.isdigit() and m.number.lstrip("0") == number.lstrip("0")
    ]
    return same[0] if len(same) == 1 else None


def benefit_choices(fund: Fund) -> list[tuple[str, str]]:
    """What a clerk may choose from: the benefits of the regulation in force today, then any
    that only earlier versions had (a claim for an old event is judged by the version in force
    on its day, which may still have them)."""
    today = regulation_in_force(fund, timezone.localdate())
    if today is None:
        return []
    choices = [(b.key, b.name) for b in today.benefits.all()]
    known = {key for key, _name in choices}
    earlier = (
        Benefit.objects.filter(
            regulation__fund=fund,
            regulation__status=Regulation.Status.ADOPTED,
            regulation__version__lt=today.version,
        )
        .select_related("regulation")
        .order_by("-regulation__version", "position")
    )
    for benefit in earlier:
        if benefit.key not in known:
            known.add(benefit.key)
            label = _("%(name)s (regulation version %(version)s)") % {
                "name": benefit.name,
                "version": benefit.regulation.version,
            }
            choices.append((benefit.key, label))
    return choices


class ClaimForm(forms.Form):
    member_number = CleanCharField(
        label=_("Member number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty only for help to a non-member."),
    )
    benefit = forms.ChoiceField(label=_("Benefit"))
    recipient = forms.ChoiceField(
        label=_("For whom"),
        choices=Claim._meta.get_field("recipient").flatchoices,
        initial="member",
        widget=forms.RadioSelect,
    )
    event_date = ThaiDateField(
        label=_("Date of the event"),
        help_text=_("The day of the birth, the admission to hospital, the death…"),
    )
    nights = forms.IntegerField(
        label=_("Nights in hospital"), min_value=0, max_value=366, required=False
    )
    claimed = AmountField(
        label=_("Amount claimed (baht)"),
        required=False,
        help_text=_("For benefits that pay the actual cost: the total of the receipts."),
    )
    person_name = CleanCharField(
        label=_("Name of the person"),
        max_length=200,
        required=False,
        help_text=_("The child, or the non-member to be helped."),
    )
    person_birth_date = ThaiDateField(label=_("Their date of birth"), required=False)
    person_address = CleanCharField(label=_("Their address"), max_length=300, required=False)
    details = CleanCharField(
        label=_("What happened"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = TokenField()

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fund = fund
        choices = [("", "—"), *benefit_choices(fund)]
        self.fields["benefit"].choices = choices  # type: ignore[attr-defined]
        self.fields["nights"].widget.attrs["inputmode"] = "numeric"
        self.fields["member_number"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )
        _inputs(self)

    def clean_member_number(self) -> str:
        text: str = self.cleaned_data["member_number"]
        self.member = member_by_number(self.fund, text) if text else None
        if text and self.member is None:
            raise forms.ValidationError(
                _("No member of this fund has the number %(number)s.") % {"number": text}
            )
        return text

    def to_input(self) -> ClaimInput:
        d = self.cleaned_data
        return ClaimInput(
            benefit_key=d["benefit"],
            recipient=d["recipient"],
            event_date=d["event_date"],
            member=self.member,
            person_name=d["person_name"],
            person_birth_date=d["person_birth_date"],
            person_address=d["person_address"],
            nights=d["nights"],
            claimed=d["claimed"],
            details=d["details"],
        )


class DocumentForm(forms.Form):
    label = forms.ChoiceField(label=_("Which document"))
    other_label = CleanCharField(
        label=_("What it is, if another document"), max_length=200, required=False
    )
    file = forms.FileField(
        label=_("File (PDF, or a photo in JPEG or PNG; at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, benefit: Benefit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in benefit.document_list]
        self.fields["label"].choices = [*choices, (OTHER, _("Another document"))]  # type: ignore[attr-defined]
        _inputs(self)

    def document_label(self) -> str:
        label: str = self.cleaned_data["label"]
        return self.cleaned_data["other_label"] if label == OTHER else label


class WithdrawForm(forms.Form):
    reason = CleanCharField(
        label=_("Why the claim is withdrawn"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)


class PayForm(forms.Form):
    date = ThaiDateField(label=_("Date paid"))
    money_account = AccountChoiceField(label=_("Paid from"), queryset=None, empty_label=None)

    def __init__(self, data: Any = None, *, fund: Fund, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        accounts = active_money_accounts(fund)
        self.fields["money_account"].queryset = accounts  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("money_account", accounts.filter(role="cash").first())
        _inputs(self)


class AcknowledgeForm(forms.Form):
    on = ThaiDateField(label=_("Received on"))
    how = CleanCharField(
        label=_("How it was acknowledged"),
        max_length=200,
        help_text=_("For example: signed the payment slip, a thumbprint, a bank transfer."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())
            self.initial.setdefault("how", _("Signed the payment slip"))
        _inputs(self)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All claims")), *Claim.Status.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
