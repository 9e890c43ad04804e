"""Recording who viewed which member: called by every page that shows a member's personal data."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone

from kongtun.audit.models import MemberView
from kongtun.lib.text import clean_text
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.models import Member


def record_member_view(*, request: HttpRequest, member: Member, what: str) -> None:
    """One row per page shown. `what` is one of MemberView.What ("detail", "reveal_id",
    "passbook", …). Anonymous requests never reach a member's page, so none is recorded."""
    if not request.user.is_authenticated:
        return
    MemberView.objects.create(
        fund_id=member.fund_id,
        member=member,
        user=request.user,
        at=timezone.now(),
        what=what[:20],
        path=request.path[:300],
    )


def looks_like_national_id(query: str) -> bool:
    """13 digits once spaces and dashes are gone (Thai digits count): the member search then
    finds by national ID, read the same way as `member_search` reads it."""
    digits = re.sub(r"[\s\-]", "", to_ascii_digits(clean_text(query)))
    return digits.isdigit() and len(digits) == 13


def record_id_search(*, request: HttpRequest, query: str, members: Iterable[Member]) -> None:
    """A search by national ID tells whoever typed it who holds that number: one row per
    member found. Searches by name or number show only what the member list shows anyway."""
    if not looks_like_national_id(query):
        return
    for member in members:
        record_member_view(request=request, member=member, what=MemberView.What.SEARCH_ID)
