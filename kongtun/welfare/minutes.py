"""The minutes of a committee meeting as an A4 PDF, in Thai whatever the screen's language:
the paper is signed by the chair and the secretary and filed with the fund's records.

Each resolution gives what the rules decided with every reason in words, then what the
committee resolved. Claimants are named by member number only, never by national ID: the
minutes go round the committee and into the audit file, and many claims hold health data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from kongtun.funds.models import CommitteeMember
from kongtun.lib.bahttext import bahttext
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.welfare.explain import Line, explain, outcome_label
from kongtun.welfare.models import Attendance, Claim, Meeting
from kongtun.welfare.printing import place_th
from kongtun.welfare.rules import Recipient
from kongtun.welfare.services import quorum_of


@dataclass(frozen=True)
class Entry:
    """One resolution of the minutes."""

    claim: Claim
    who: str
    recipient: str
    event_date: str
    outcome: str
    lines: list[Line]
    approved: bool
    amount_words: str


def _entry(claim: Claim) -> Entry:
    if claim.recipient == Recipient.NON_MEMBER:
        who = claim.person_name
    else:
        assert claim.member is not None
        who = f"สมาชิกเลขที่ {claim.member.number}"
    approved = claim.approved_amount is not None and claim.status != Claim.Status.REJECTED
    amount: Decimal | None = claim.approved_amount
    return Entry(
        claim=claim,
        who=who,
        recipient=str(claim.get_recipient_display()),
        event_date=format_date(claim.event_date, "long"),
        outcome=outcome_label(claim.outcome),
        lines=explain(claim.reasons),
        approved=approved,
        amount_words=bahttext(amount) if approved and amount is not None else "",
    )


def attendance_rows(meeting: Meeting) -> list[Attendance]:
    """The meeting's seats as the minutes list them: the chair first, then by office."""
    rank = {value: i for i, value in enumerate(CommitteeMember.Position.values)}
    rows = Attendance.objects.filter(meeting=meeting).select_related("seat")
    return sorted(rows, key=lambda a: (rank.get(a.seat.position, len(rank)), a.seat.full_name))


def minutes_context(meeting: Meeting) -> dict[str, Any]:
    """What the minutes show (call with Thai active: dates and reasons are spelled out)."""
    rows = attendance_rows(meeting)
    claims = (
        Claim.objects.filter(meeting=meeting)
        .select_related("member", "benefit", "regulation")
        .order_by("decided_at", "pk")
    )
    return {
        "fund": meeting.fund,
        "place": place_th(meeting.fund),
        "meeting": meeting,
        "date": format_date(meeting.date, "long"),
        "present": [a.seat for a in rows if a.present],
        "absent": [a.seat for a in rows if not a.present],
        "quorum": quorum_of(meeting),
        "entries": [_entry(c) for c in claims],
        "is_open": meeting.state == Meeting.State.OPEN,
        "printed_on": format_date(timezone.localdate(), "long"),
    }


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes on A4 portrait, in Thai; a meeting still open prints as a draft."""
    with translation.override("th"):
        return render_pdf("welfare/meetings/minutes_pdf.html", minutes_context(meeting))
