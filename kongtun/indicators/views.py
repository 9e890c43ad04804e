"""The indicators page and the trace pages: parse the date, call one selector, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kongtun.funds.permissions import VIEW_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.indicators import trace as traces
from kongtun.indicators.selectors import indicators_or_none
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.lib.thaidate import be_year
from kongtun.web.fields import ThaiDateField


class OnDateForm(forms.Form):
    """The date the figures are counted at the end of: today unless one is given."""

    on = ThaiDateField(label=_("As of"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data if data and data.get("on") else None)
        self.fields["on"].widget.attrs.setdefault("class", "input")
        self.initial["on"] = timezone.localdate()

    def clean_on(self) -> dt.date | None:
        on: dt.date | None = self.cleaned_data.get("on")
        if on is not None and not FIRST_BE_YEAR <= be_year(on) <= LAST_BE_YEAR:
            raise forms.ValidationError(
                _("Choose a date from %(first)s to %(last)s (Buddhist era).")
                % {"first": FIRST_BE_YEAR, "last": LAST_BE_YEAR}
            )
        return on

    def day(self) -> dt.date:
        """The chosen date (after is_valid(), or unbound for today)."""
        chosen = self.cleaned_data.get("on") if self.is_bound else None
        return chosen or self.initial["on"]

    @classmethod
    def showing(cls, day: dt.date) -> OnDateForm:
        """The form again with `day` in it as people write it (BE), whatever was typed."""
        form = cls()
        form.initial["on"] = day
        return form


@require_GET
@fund_permission_required(VIEW_FUND)
def indicators_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = OnDateForm(request.GET)
    if form.is_bound and not form.is_valid():
        return render(request, "indicators/home.html", {"form": form}, status=400)
    on = form.day()
    found = indicators_or_none(fund=current_fund(request), on=on)
    context = {
        "form": OnDateForm.showing(on),
        "on": on,
        "indicators": found,
        "groups": traces.figures(found) if found else [],
    }
    return render(request, "indicators/home.html", context)


@require_GET
@fund_permission_required(VIEW_FUND)
def indicator_trace(request: HttpRequest, fund_code: str, key: str) -> HttpResponse:
    try:
        permission = traces.trace_permission(key)
    except traces.UnknownTrace:
        raise Http404 from None
    if not has_fund_permission(request, permission):
        raise PermissionDenied
    form = OnDateForm(request.GET)
    if form.is_bound and not form.is_valid():
        return render(request, "indicators/trace.html", {"form": form, "key": key}, status=400)
    on = form.day()
    found = traces.trace(current_fund(request), key, on)
    context = {"form": OnDateForm.showing(on), "key": key, "trace": found}
    return render(request, "indicators/trace.html", context)
