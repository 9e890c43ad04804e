from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Branch, Fund
from kongtun.members.models import Beneficiary, Consent, Event, Member, MemberType, Status
from kongtun.members.services import BeneficiaryInput, MemberInput
from kongtun.web.fields import CleanCharField, NationalIdField, ThaiDateField

TITLE_CHOICES = [
    ("", "—"),
    ("นาย", "นาย"),
    ("นาง", "นาง"),
    ("นางสาว", "นางสาว"),
    ("ด.ช.", "เด็กชาย"),
    ("ด.ญ.", "เด็กหญิง"),
]


class MemberForm(forms.Form):
    number = CleanCharField(
        label=_("Member number"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to use the next number."),
    )
    title = forms.ChoiceField(label=_("Title"), choices=TITLE_CHOICES, required=False)
    first_name = CleanCharField(label=_("First name"), max_length=100)
    last_name = CleanCharField(label=_("Last name"), max_length=100)
    national_id = NationalIdField(label=_("National ID number"))
    birth_date = ThaiDateField(label=_("Date of birth"))
    joined_on = ThaiDateField(label=_("Date joined"))
    phone = CleanCharField(label=_("Phone"), required=False, max_length=30)
    house_no = CleanCharField(label=_("House number"), required=False, max_length=30)
    moo = forms.IntegerField(
        label=_("Village number (moo)"), required=False, min_value=1, max_value=99
    )
    street = CleanCharField(label=_("Lane / road"), required=False, max_length=200)
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False
    )
    member_type = forms.ChoiceField(
        label=_("Member type"), choices=MemberType.choices, initial=MemberType.GENERAL
    )
    sensitive_consent = forms.BooleanField(
        label=_("The member signed explicit consent for health and disability data"),
        required=False,
        help_text=_("Needed for the type “Person with disability” (PDPA section 26)."),
    )
    status = forms.ChoiceField(
        label=_("Starts as"),
        choices=[(Status.ACTIVE, _("Member (approved)")), (Status.APPLICANT, _("Applicant"))],
        initial=Status.ACTIVE,
    )

    def __init__(self, *args: Any, fund: Fund, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.fields["branch"].queryset = Branch.objects.filter(fund=fund)  # type: ignore[attr-defined]
        if editing:
            del self.fields["status"]
        if not self.is_bound and not editing:
            self.initial.setdefault("joined_on", timezone.localdate())
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "input")

    def to_input(self) -> MemberInput:
        d = self.cleaned_data
        return MemberInput(
            number=d["number"],
            title=d["title"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            national_id=d["national_id"],
            birth_date=d["birth_date"],
            joined_on=d["joined_on"],
            phone=d["phone"],
            house_no=d["house_no"],
            moo=d["moo"],
            street=d["street"],
            branch=d["branch"],
            member_type=d["member_type"],
            sensitive_consent=bool(d.get("sensitive_consent")),
            status=d.get("status", Status.ACTIVE),
        )

    @staticmethod
    def initial_from(member: Member, national_id: str) -> dict[str, Any]:
        return {
            "number": member.number,
            "title": member.title,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "national_id": national_id,
            "birth_date": member.birth_date,
            "joined_on": member.joined_on,
            "phone": member.phone,
            "house_no": member.house_no,
            "moo": member.moo,
            "street": member.street,
            "branch": member.branch_id,
            "member_type": member.member_type,
        }


class StatusForm(forms.Form):
    event = forms.ChoiceField(label=_("What happened"), choices=[])
    effective_on = ThaiDateField(label=_("On date"))
    note = CleanCharField(
        label=_("Note (e.g. committee resolution no.)"), required=False, max_length=500
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kongtun.members.models import TRANSITIONS

        event = self.fields["event"]
        assert isinstance(event, forms.ChoiceField)
        event.choices = [
            (e.value, e.label)
            for e in Event
            if e in TRANSITIONS and member.status in TRANSITIONS[e][0]
        ]
        if not self.is_bound:
            self.initial.setdefault("effective_on", timezone.localdate())


class BeneficiaryForm(forms.Form):
    full_name = CleanCharField(label=_("Full name"), max_length=200)
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=Beneficiary.Relationship.choices
    )
    national_id = NationalIdField(label=_("National ID number (if known)"), required=False)
    share_percent = forms.DecimalField(
        label=_("Share (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        initial=Decimal("100"),
    )

    def to_input(self) -> BeneficiaryInput:
        d = self.cleaned_data
        return BeneficiaryInput(
            full_name=d["full_name"],
            relationship=d["relationship"],
            share_percent=d["share_percent"],
            national_id=d["national_id"],
        )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent for"), choices=Consent.Purpose.choices)
    channel = forms.ChoiceField(label=_("How it was given"), choices=Consent.Channel.choices)
    given_on = ThaiDateField(label=_("Date given"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())


class WithdrawForm(forms.Form):
    withdrawn_on = ThaiDateField(label=_("Date withdrawn"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member register file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
