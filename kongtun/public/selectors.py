"""Reads behind the receipt look-up form and the fund's own publishing screen, so their views
only parse, call and render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from kongtun.funds.models import Fund
from kongtun.public.models import MeetingSummary
from kongtun.welfare.models import Meeting

# --- The receipt look-up ------------------------------------------------------------------------


def _receipt_funds() -> QuerySet[Fund]:
    # A fund that keeps its books on its own computer issues its receipts there: none here.
    return Fund.objects.filter(runs_on=Fund.RunsOn.SERVER)


def receipt_funds() -> list[tuple[str, str]]:
    """(code, name) of the funds whose receipts can be checked here, for the form's list."""
    return list(_receipt_funds().order_by("name", "code").values_list("code", "name"))


def funds_typed(typed: str) -> list[Fund]:
    """The fund whose code was typed (or chosen from the list), else the funds of that exact
    name: the paper receipt shows the fund's name, not its code."""
    funds = _receipt_funds()
    by_code = list(funds.filter(code__iexact=typed.strip()))
    return by_code or list(funds.filter(name=typed))


# --- The publishing screen ----------------------------------------------------------------------


@dataclass
class MeetingSummaries:
    """A meeting's summary on the public page, if any, and those withdrawn, newest first."""

    in_force: MeetingSummary | None = None
    withdrawn: list[MeetingSummary] = field(default_factory=list)


def meetings_to_publish(*, fund: Fund, since: dt.date) -> list[Meeting]:
    """The fund's meetings closed since `since`, and any older one whose summary is still on
    the public page (so it can still be withdrawn), newest first. Call in the fund's scope."""
    published = MeetingSummary.objects.filter(fund=fund, withdrawn_at__isnull=True)
    return list(
        Meeting.objects.filter(fund=fund)
        .filter(
            Q(state=Meeting.State.CLOSED, date__gte=since)
            | Q(pk__in=published.values("meeting_id"))
        )
        .order_by("-date", "-number")
    )


def summaries_of(*, fund: Fund, meetings: list[Meeting]) -> dict[int, MeetingSummaries]:
    """Each meeting's summaries by the meeting's pk (a meeting without any is absent)."""
    found: dict[int, MeetingSummaries] = {}
    summaries = (
        MeetingSummary.objects.filter(fund=fund, meeting__in=meetings)
        .select_related("published_by", "withdrawn_by")
        .order_by("-published_at")
    )
    for summary in summaries:
        entry = found.setdefault(summary.meeting_id, MeetingSummaries())
        if summary.withdrawn_at is None:
            entry.in_force = summary
        else:
            entry.withdrawn.append(summary)
    return found
