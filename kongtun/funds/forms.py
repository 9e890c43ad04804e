from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.funds.models import Branch, CommitteeMember, Fund
from kongtun.funds.permissions import Role
from kongtun.web.fields import CleanCharField, ThaiDateField


class FundSettingsForm(forms.Form):
    name = CleanCharField(label=_("Fund name"), max_length=200)
    municipality_name = CleanCharField(label=_("Municipality"), max_length=200, required=False)
    founded_on = ThaiDateField(label=_("Founded on"))
    fiscal_year = forms.ChoiceField(label=_("Fiscal year"), choices=Fund.FiscalYear.choices)
    admin_cost_cap_percent = forms.DecimalField(
        label=_("Administration cost cap (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=_("CODI allows at most 20 percent unless the fund’s regulation sets less."),
    )

    @classmethod
    def for_fund(cls, fund: Fund, data: Any = None) -> FundSettingsForm:
        initial = {name: getattr(fund, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class BranchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Branch.Kind.choices)
    number = forms.IntegerField(
        label=_("Village number"), required=False, min_value=1, max_value=99
    )
    name = CleanCharField(label=_("Name"), max_length=200)


class CommitteeSeatForm(forms.Form):
    full_name = CleanCharField(label=_("Full name"), max_length=200)
    position = forms.ChoiceField(label=_("Position"), choices=CommitteeMember.Position.choices)
    representing = forms.ChoiceField(
        label=_("Representing"), choices=CommitteeMember.Representing.choices
    )
    term_start = ThaiDateField(label=_("Term starts"))
    term_end = ThaiDateField(label=_("Term ends"))


class GrantForm(forms.Form):
    full_name = CleanCharField(label=_("Full name"), max_length=200)
    username = forms.SlugField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and dashes, e.g. somchai-k. The person logs in with it."),
    )
    password = forms.CharField(
        label=_("First password"),
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 8 characters, not only digits. Tell it to the person privately."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("May log in to this fund"), required=False)
