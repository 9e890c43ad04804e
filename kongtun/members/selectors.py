"""Reads of the member register. Every function takes the fund explicitly."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet

from kongtun.funds.models import Fund
from kongtun.lib.text import clean_text
from kongtun.lib.thaiid import InvalidNationalId, normalize_national_id, to_ascii_digits
from kongtun.members.models import Member, MemberType, Status
from kongtun.members.services import national_id_index


def member_search(*, fund: Fund, query: str = "", status: str = "") -> QuerySet[Member]:
    """Find members by national ID (any format), member number, or part of the name."""
    members = Member.objects.filter(fund=fund).select_related("branch")
    if status:
        members = members.filter(status=status)
    text = clean_text(query)
    if not text:
        return members
    digits = re.sub(r"[\s\-]", "", to_ascii_digits(text))
    if digits.isdigit() and len(digits) == 13:
        try:
            return members.filter(
                national_id_index=national_id_index(normalize_national_id(digits))
            )
        except InvalidNationalId:
            return members.none()
    if digits.isdigit():
        # People say "member 1" for "00001": the number with leading zeros counts as exact.
        padded = [digits.zfill(width) for width in range(len(digits) + 1, 13)]
        return members.filter(
            Q(number=digits) | Q(number__in=padded) | Q(number__startswith=digits)
        )
    q = Q()
    for word in text.split(" "):
        q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(title__icontains=word)
            | Q(number__iexact=word)
        )
    return members.filter(q)


def member_get(*, fund: Fund, code: Any) -> Member:
    return Member.objects.select_related("branch", "tambon__amphoe__province").get(
        fund=fund, code=code
    )


def member_counts(*, fund: Fund) -> dict[str, Any]:
    """Counts by status and, for current members, by type: the figures CODI's form asks for."""
    members = Member.objects.filter(fund=fund)
    by_status = dict(
        members.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    current = members.filter(status__in=[Status.ACTIVE, Status.LAPSED])
    by_type = dict(
        current.values_list("member_type").annotate(n=Count("pk")).values_list("member_type", "n")
    )
    return {
        "total": sum(by_status.values()),
        "current": by_status.get(Status.ACTIVE, 0) + by_status.get(Status.LAPSED, 0),
        "by_status": [(s.label, by_status.get(s.value, 0)) for s in Status],
        "by_type": [(t.label, by_type.get(t.value, 0)) for t in MemberType],
    }
