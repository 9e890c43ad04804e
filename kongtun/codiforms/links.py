"""Where in the system the records behind a figure are listed: the indicator's trace view,
an account's ledger for the period, or another page of the fund."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.urls import NoReverseMatch, reverse

from kongtun.codiforms.document import Form, Trace
from kongtun.ledger.models import JournalLine


def books_start(form: Form) -> dt.date:
    """Where "since the beginning" starts on a ledger page: the first line, or the founding."""
    first = JournalLine.objects.filter(fund=form.fund).aggregate(first=Min("date"))["first"]
    founded = form.fund.founded_on
    return min(founded, first) if first else founded


def trace_path(form: Form, trace: Trace, since: dt.date) -> str | None:
    """The path (with its query) of the page listing the records behind `trace`, or None
    when it has no page of its own (a total: its parts have)."""
    code = form.fund.code
    try:
        if trace.indicator:
            path = reverse("indicators-trace", kwargs={"fund_code": code, "key": trace.indicator})
            return f"{path}?on={form.on.isoformat()}"
        if trace.account_id is not None:
            path = reverse("ledger-ledger", kwargs={"fund_code": code, "account": trace.account_id})
            start, end = trace.start or since, trace.end or form.on
            return f"{path}?start={start.isoformat()}&end={end.isoformat()}"
        if trace.page:
            return reverse(trace.page, kwargs={"fund_code": code, **dict(trace.page_kwargs)})
    except NoReverseMatch:
        return None
    return None
