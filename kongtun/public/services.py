"""Publishing a committee meeting's summary on the fund's public page, and withdrawing it.

The summary is written for strangers, so before it goes out the text is screened for what
the public pages never show: a national ID number, a phone number, or the full name of a
person the fund knows (a member, a beneficiary, someone named in a claim or paid for one, a
committee member, one of the fund's users). The screen is a safety net for slips, not a
censor: it says what kind of thing it found, never whose, and the secretary takes it out.
`person_screen` gives the same screen for many short texts at once.

Both services are atomic and audited; a withdrawn summary stays in the database with who
withdrew it, when and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.accounts.models import User
from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.lib.text import TITLES, clean_text
from kongtun.members.models import Beneficiary, Member
from kongtun.public.models import MeetingSummary
from kongtun.welfare.models import Claim, Meeting, Payee

MAX_LENGTH = 4000  # MeetingSummary.text's max_length: about a page
REASON_LENGTH = 300  # MeetingSummary.withdrawn_reason's max_length

# Titles seen in front of committee members' and beneficiaries' names besides those a member
# record splits off (kongtun.lib.text.TITLES); stripped so "กำนันสมชาย ใจดี" is found as
# "สมชาย ใจดี" too.
MORE_TITLES = (
    "พระครู", "พระมหา", "พระ", "ดร.", "นพ.", "พญ.", "ผู้ใหญ่บ้าน", "ผู้ใหญ่", "กำนัน",
    "อาจารย์", "ครู", "คุณ", "ร.ต.อ.", "ร.ต.ท.", "ร.ต.ต.", "จ.ส.อ.", "ส.อ.", "Dr.",
)  # fmt: skip
_ALL_TITLES = sorted({*TITLES, *MORE_TITLES}, key=len, reverse=True)
SHORTEST_NAME = 4  # letters of first + last name: shorter keys match ordinary words

_SPACE = re.compile(r"\s+")
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]")
# What people write between the digits of one number: spaces, dots, dashes, slashes and
# brackets ("081.234.5678", "(081) 234-5678", "1/2345/67890/12/3"), a few at a time
# (" - "), never a line break.
_BETWEEN_DIGITS = re.compile(r"(?<=\d)(?:[^\S\n]|[.\-/()]){1,3}(?=\d)")
# Numbers a summary is full of that are no ID or phone number, taken out before the digits
# around them are joined: a date (15/01/2569, 15.01.69, 5-1-2569) and an amount with satang
# or a time (1,234.50, 250.00, 09.30). Without this, "จ่าย 20.00 300.00 30.00" would be 13
# digits in a row. The guards keep them from matching inside a longer number: "081.234.56"
# holds no "234.56".
_DATE = re.compile(r"(?<![\d.,/\-])\d{1,2}([./\-])\d{1,2}\1(?:\d{4}|\d{2})(?!\d|[./\-]\d)")
_DECIMAL = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}(?!\d|[.,]\d)")
_NOT_A_NUMBER = "|"  # what a date or an amount leaves: it joins no digits on either side
_DIGIT_GROUPS = re.compile(r"\d+(?: \d+)*")
# A Thai phone number: a mobile 0[689]x xxx xxxx, or a landline 0[2-7]x xxx xxx (9 digits
# with the area code), from 0 or +66; single spaces or dashes anywhere between the digits.
_PHONE = re.compile(r"(?<![\d+])(?:\+66|0)[ -]?(?:[689](?:[ -]?\d){8}|[2-7](?:[ -]?\d){7})(?!\d)")

# The kinds of thing the screen finds, the people in the order they are reported when a text
# names more than one.
NATIONAL_ID, PHONE = "national_id", "phone"
PEOPLE = ("member", "beneficiary", "claim", "payee", "committee", "user")

Screen = Callable[[str], str | None]


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- Screening the text ------------------------------------------------------------------------


def clean_summary(text: str) -> str:
    """The text as it will be published: each line cleaned (one Unicode form, no invisible
    marks, single spaces), paragraphs kept, at most one empty line between them."""
    lines = [clean_text(line) for line in str(text).replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _digits(text: str) -> str:
    """The text's numbers as the ID and phone screens read them: Thai (and any other) decimal
    digits as ASCII; dates and amounts out of the way; whatever separates the digits of one
    number (spaces, dots, dashes, slashes, brackets) as a single space."""
    ascii_digits = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    text = _DASHES.sub("-", ascii_digits)
    text = _DECIMAL.sub(_NOT_A_NUMBER, _DATE.sub(_NOT_A_NUMBER, text))
    return _BETWEEN_DIGITS.sub(" ", text)


def _has_national_id(text: str) -> bool:
    """A 13-digit number, however it is grouped: 1234567890123, 1-2345-67890-12-3,
    1 2345 67890 12 3, 1.2345.67890.12.3 (`text` as `_digits` gives it). Consecutive digit
    groups that add up to exactly 13 digits count, so an ID followed by a year
    ("… 12 3 2568") is still found, and any group of 13 or more digits."""
    for chain in _DIGIT_GROUPS.finditer(text):
        sizes = [len(group) for group in chain.group().split(" ")]
        if max(sizes) >= 13:
            return True
        for start in range(len(sizes)):
            total = 0
            for size in sizes[start:]:
                total += size
                if total >= 13:
                    break
            if total == 13:
                return True
    return False


def _compact(text: str) -> str:
    """For comparing names: no spaces and no invisible format marks (a soft hyphen, a
    zero-width space) at all, and case folded (Latin names)."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACE.sub("", visible).casefold()


def _without_title(name: str) -> str:
    name = name.strip()
    stripped = True
    while stripped:  # "ดร.นาย…" carries two
        stripped = False
        for title in _ALL_TITLES:
            if name.startswith(title) and len(name) > len(title):
                name, stripped = name[len(title) :].strip(), True
                break
    return name


def _name_key(first: str, last: str) -> str | None:
    """A person's first and last name run together; None when either is missing, when they
    are too short to tell apart from an ordinary word, or hold a digit (no name does: such
    a "name" is a placeholder like "กรรมการ 1", which would match ordinary text)."""
    first, last = _compact(first), _compact(last)
    if not first or not last or len(first) + len(last) < SHORTEST_NAME:
        return None
    if any(ch.isdigit() for ch in first + last):
        return None
    return first + last


def _full_name_key(full_name: str) -> str | None:
    """The key of a name kept in one field ("นางสมศรี ใจดี"): the title dropped, then the
    first word and the rest. A name of one word is no full name and is not looked for."""
    parts = _without_title(clean_text(full_name)).split(" ", 1)
    return _name_key(parts[0], parts[1]) if len(parts) == 2 else None


def _fund_names(fund: Fund) -> dict[str, int]:
    """The full name of everyone the fund knows, as keys, each with its kind's place in
    PEOPLE (the first kind when a person is of several).

    Names are stored in clear (only national IDs are encrypted), so one query per kind reads
    just the name columns and the search runs in memory: a fund has a few thousand people.
    The fund's users are everyone with a role in it, a past one too: their names are no
    more the public's than a member's.
    """
    members = Member.objects.filter(fund=fund).values_list("first_name", "last_name")
    claims = Claim.objects.filter(fund=fund).exclude(person_name="")
    one_field = {
        "beneficiary": Beneficiary.objects.filter(fund=fund).values_list("full_name", flat=True),
        "claim": claims.values_list("person_name", flat=True),
        "payee": Payee.objects.filter(fund=fund).values_list("name", flat=True),
        "committee": CommitteeMember.objects.filter(fund=fund).values_list("full_name", flat=True),
        "user": User.objects.filter(fund_roles__fund=fund)
        .exclude(full_name="")
        .values_list("full_name", flat=True)
        .distinct(),
    }
    names: dict[str, int] = {}
    for first, last in members.iterator():
        key = _name_key(first, last)
        if key is not None:
            names.setdefault(key, 0)
    for kind, query in one_field.items():
        rank = PEOPLE.index(kind)
        for full_name in query.iterator():
            key = _full_name_key(full_name)
            if key is not None:
                names.setdefault(key, rank)
    return names


def _person_in(compact: str, names: dict[str, int], lengths: list[int]) -> str | None:
    """The kind of the first-ranked person of `names` whose name is in `compact`, if any.

    Every stretch of the text as long as some name is looked up in the set: that costs the
    text's length times the few name lengths there are, whatever the number of names, so a
    page of short texts and a summary of a page are both quick.
    """
    best: int | None = None
    for size in lengths:
        for start in range(len(compact) - size + 1):
            rank = names.get(compact[start : start + size])
            if rank is not None and (best is None or rank < best):
                if rank == 0:
                    return PEOPLE[0]
                best = rank
    return None if best is None else PEOPLE[best]


def person_screen(fund: Fund) -> Screen:
    """A screen for many texts of `fund`: the fund's names are read once (six queries), and
    the screen answers, for a text, what it found that the public may not see: "national_id"
    or "phone" (a number that looks like one), or the kind of person the fund knows whose
    full name is in the text ("member", "beneficiary", "claim", "payee", "committee",
    "user"); None when nothing. It says what kind, never which number or whose name.

    Call it inside the fund's scope. Each text is judged as it would be published (cleaned by
    `clean_summary`), so an invisible mark between two digits or two names hides nothing; the
    names are compared without spaces, so "สมชาย ใจดี", "สมชายใจดี" and "นายสมชาย  ใจดี" are
    all found. It is a safety net for slips, not a guarantee.
    """
    names = _fund_names(fund)
    lengths = sorted({len(key) for key in names})

    def screen(text: str) -> str | None:
        text = clean_summary(text)
        digits = _digits(text)
        if _has_national_id(digits):
            return NATIONAL_ID
        if _PHONE.search(digits):
            return PHONE
        return _person_in(_compact(text), names, lengths)

    return screen


def _found_message(kind: str) -> str:
    """What was found, by kind only: the message never repeats a number or a name."""
    messages = {
        NATIONAL_ID: _(
            "The summary contains a 13-digit number that looks like a national ID number. "
            "Take it out: the public page never shows ID numbers."
        ),
        PHONE: _(
            "The summary contains what looks like a phone number. Take it out: the public "
            "page never shows phone numbers."
        ),
        "member": _(
            "The summary contains the full name of a member of the fund. Take the name out: "
            'the public page never names people. Write, for example, "a member of village 3".'
        ),
        "beneficiary": _(
            "The summary contains the full name of a member's beneficiary. Take the name "
            "out: the public page never names people."
        ),
        "claim": _(
            "The summary contains the full name of a person named in a welfare claim. Take "
            "the name out: the public page never names people."
        ),
        "payee": _(
            "The summary contains the full name of someone the fund paid a welfare benefit "
            "to. Take the name out: the public page never names people."
        ),
        "committee": _(
            "The summary contains the full name of a committee member. Write their position "
            'instead, for example "the chair": the public page never names people.'
        ),
        "user": _(
            "The summary contains the full name of someone who works on the fund's records. "
            'Write their position instead, for example "the secretary": the public page '
            "never names people."
        ),
    }
    return messages[kind]


# "1 ราย", "๓ คน", "2 families": a count of 1 to 4 people, which no public page shows.
_SMALL_COUNT = re.compile(
    r"(?<![\d๐-๙,.])[1-4๑-๔]\s?(?:ราย|คน|ครอบครัว|ครัวเรือน|persons?|people|famil(?:y|ies)|"
    r"households?|members?)(?![A-Za-z])",
    re.IGNORECASE,
)


def summary_problem(*, fund: Fund, text: str) -> str | None:
    """Why `text` may not be published for `fund` (a message for the secretary), or None.

    Call inside the fund's scope. The text is judged as it would be published (cleaned by
    `clean_summary`), by the screen of `person_screen`.
    """
    text = clean_summary(text)
    if not text:
        return _("Write the summary for the public.")
    if len(text) > MAX_LENGTH:
        return _(
            "The summary is %(length)s characters long; at most %(max)s fit on the public page."
        ) % {"length": f"{len(text):,}", "max": f"{MAX_LENGTH:,}"}
    found = person_screen(fund)(text)
    if found:
        return _found_message(found)
    if _SMALL_COUNT.search(text):
        return _(
            'The summary gives a count of 1 to 4 people. Write "fewer than 5" instead: the '
            "public page never shows so small a count, which could point at someone."
        )
    return None


# --- Publishing and withdrawing -----------------------------------------------------------------


def _snapshot(summary: MeetingSummary) -> dict[str, Any]:
    return {
        "meeting": summary.meeting.number,
        "meeting_date": summary.meeting.date.isoformat(),
        "text": summary.text,
    }


def publish_summary(*, fund: Fund, meeting: Meeting, text: str, by: Any) -> MeetingSummary:
    """Publish `text` as the public summary of a closed meeting of `fund`.

    A meeting has one summary in force; to change it, withdraw it and publish a new one, so
    the trail keeps every version the public saw.
    """
    if meeting.fund_id != fund.pk:
        raise _refuse("meeting", _("This meeting is not one of this fund's."))
    text = clean_summary(text)
    problem = summary_problem(fund=fund, text=text)
    if problem:
        raise _refuse("text", problem)
    with transaction.atomic():
        # The meeting's row is the lock: two people publishing at once give one summary and
        # one refusal (the constraint stops a second in force in any case).
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.state != Meeting.State.CLOSED:
            raise _refuse(
                "meeting",
                _("Only a meeting whose minutes are closed can have a public summary."),
            )
        if MeetingSummary.objects.filter(meeting=meeting, withdrawn_at__isnull=True).exists():
            raise _refuse(
                "meeting",
                _(
                    "This meeting already has a summary on the public page. Withdraw it "
                    "first if it should be replaced."
                ),
            )
        summary = MeetingSummary(
            fund=fund, meeting=meeting, text=text, published_by=by, published_at=timezone.now()
        )
        summary.full_clean(exclude=["withdrawn_by", "withdrawn_at"])
        summary.save()
        audit_log(
            fund=fund,
            actor=by,
            changes=[Change.of("public.summary.published", summary, after=_snapshot(summary))],
        )
    return summary


def withdraw_summary(*, summary: MeetingSummary, reason: str, by: Any) -> MeetingSummary:
    """Take a summary off the public page; it stays here with who withdrew it and why."""
    reason = clean_text(reason)
    if not reason:
        raise _refuse("reason", _("Say why the summary is withdrawn."))
    if len(reason) > REASON_LENGTH:
        raise _refuse(
            "reason", _("Keep the reason under %(max)s characters.") % {"max": REASON_LENGTH}
        )
    with transaction.atomic():
        summary = (
            MeetingSummary.objects.select_for_update()
            .select_related("fund", "meeting")
            .get(pk=summary.pk)
        )
        if summary.withdrawn_at is not None:
            raise _refuse("reason", _("This summary was already withdrawn."))
        summary.withdrawn_by = by
        summary.withdrawn_at = timezone.now()
        summary.withdrawn_reason = reason
        summary.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawn_reason"])
        audit_log(
            fund=summary.fund,
            actor=by,
            changes=[
                Change.of(
                    "public.summary.withdrawn",
                    summary,
                    before=_snapshot(summary),
                    after={"withdrawn": True},
                    reason=reason,
                )
            ],
        )
    return summary
