"""Recording who viewed which member: called by every page that shows a member's personal data."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from kongtun.audit.models import MemberView
from kongtun.members.models import Member


def record_member_view(*, request: HttpRequest, member: Member, what: str) -> None:
    """One row per page shown. `what` says which page: "detail", "edit", "reveal_id", "card",
    "claim", "export", …. Anonymous requests never reach a member's page, so none is recorded."""
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
