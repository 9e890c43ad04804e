"""The year report's forms: its text, its rows of problems and obstacles, and reopening it.

The rows are a plain formset with a few empty rows at the end, so the page works without
JavaScript: an empty row is ignored, a ticked "remove" drops a row, and saving shows new empty
rows for more. kongtun.outcomes.services checks everything again before it writes.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.outcomes.models import (
    MAX_DESCRIPTION,
    MAX_HELP,
    MAX_HIGHLIGHTS,
    MAX_ISSUES,
    MAX_REASON,
    MAX_RESULTS,
    Category,
    Issue,
    Kind,
    Severity,
    YearReport,
)
from kongtun.outcomes.services import IssueInput
from kongtun.web.fields import CleanCharField

EMPTY_ROWS = 3


def _inputs(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "input")


def _choices(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Problem or obstacle"), choices=_choices(Kind.choices))
    category = forms.ChoiceField(label=_("Category"), choices=_choices(Category.choices))
    severity = forms.ChoiceField(label=_("How serious"), choices=_choices(Severity.choices))
    description = CleanCharField(
        label=_("What happened"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    help_requested = CleanCharField(
        label=_("Help asked of the network or province"),
        max_length=MAX_HELP,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)

    def to_input(self) -> IssueInput:
        d = self.cleaned_data
        return IssueInput(
            kind=d["kind"],
            category=d["category"],
            severity=d["severity"],
            description=d["description"],
            help_requested=d["help_requested"],
        )


class BaseIssueFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def kept(self) -> list[IssueForm]:
        """The rows to store, in page order: typed in and not marked for removal."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.empty_permitted:
                continue
            if getattr(form, "cleaned_data", {}).get("DELETE"):
                continue
            rows.append(cast(IssueForm, form))
        return rows


IssueFormSet = cast(
    type[BaseIssueFormSet],
    forms.formset_factory(
        IssueForm,
        formset=BaseIssueFormSet,
        extra=EMPTY_ROWS,
        can_delete=True,
        # Room for the empty rows on top of a full report; the service counts the kept ones.
        max_num=MAX_ISSUES + EMPTY_ROWS,
        absolute_max=MAX_ISSUES + EMPTY_ROWS,
        validate_max=True,
    ),
)


class ReportForm(forms.Form):
    """The report's text; its rows are `self.issues`, checked together with it."""

    results = CleanCharField(
        label=_("Results of the year"),
        max_length=MAX_RESULTS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What the fund did this year: members, welfare given, meetings, money raised, "
            "work with others. Needed before the report can be submitted."
        ),
    )
    highlights = CleanCharField(
        label=_("Good practice and innovation"),
        max_length=MAX_HIGHLIGHTS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Something the fund does well or has tried that other funds could learn from."),
    )

    def __init__(self, data: Any = None, *, report: YearReport | None = None, **kwargs: Any):
        if report is not None and data is None:
            kwargs.setdefault(
                "initial", {"results": report.results, "highlights": report.highlights}
            )
        super().__init__(data, **kwargs)
        initial_rows: list[dict[str, str]] = []
        if report is not None and report.pk and data is None:
            initial_rows = [
                {
                    "kind": i.kind,
                    "category": i.category,
                    "severity": i.severity,
                    "description": i.description,
                    "help_requested": i.help_requested,
                }
                for i in Issue.objects.filter(report=report).order_by("position")
            ]
        self.issues = IssueFormSet(data, prefix="issues", initial=initial_rows or None)
        _inputs(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.issues.is_valid():
            raise forms.ValidationError(_("Please correct the rows marked in red."))
        if len(self.issues.kept()) > MAX_ISSUES:
            raise forms.ValidationError(
                _("A report can list at most %(n)s problems and obstacles.") % {"n": MAX_ISSUES}
            )
        return data

    def issue_inputs(self) -> list[IssueInput]:
        return [f.to_input() for f in self.issues.kept()]


class ReopenForm(forms.Form):
    reason = CleanCharField(
        label=_("Why is the report reopened?"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit trail with the report as it was submitted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _inputs(self)
