"""The printable member card: one credit-card-sized card on an A4 sheet, to print and cut.

The card shows only what a member shows at a meeting or a claim: fund, number, name, the
masked national ID, dates in Buddhist era, branch. Its QR code holds nothing but the member's
page inside the fund, so scanning it reveals nothing without a login of that fund.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

import segno
from django.utils import timezone, translation

from kongtun.funds.models import Branch
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Member


def member_qr_payload(*, member: Member, fund_url: str) -> str:
    """The member's URL inside the fund: `{fund_url}members/{member.code}/`.

    `fund_url` is the fund's absolute home URL, e.g. "https://kongtun.example/f/lp-wiang-nuea/".
    Raises ValueError if it is not an absolute http(s) URL of the member's own fund.
    """
    parts = urlsplit(fund_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"fund_url must be an absolute http(s) URL, not {fund_url!r}")
    base = fund_url if fund_url.endswith("/") else fund_url + "/"
    if parts.path.rstrip("/").rsplit("/", 1)[-1] != member.fund.code:
        raise ValueError(f"fund_url {fund_url!r} is not the URL of fund {member.fund.code!r}")
    return f"{base}members/{member.code}/"


def _qr_svg_data_uri(payload: str) -> str:
    # Level M survives scratches on a laminated card; the 4-module quiet zone is part of the
    # image so the layout cannot crowd it.
    qr = segno.make(payload, error="m", micro=False)
    uri: str = qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff")
    return uri


def _branch_label(branch: Branch | None) -> str:
    if branch is None:
        return ""
    if branch.kind == Branch.Kind.MOO and branch.number:
        return f"หมู่ที่ {branch.number} {branch.name}"
    return branch.name


def _width(text: str) -> int:
    """Letters that take room on the line: Thai vowels and tone marks above or below do not."""
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


# Beyond this many letters a name part no longer fits one line of the card at the normal size.
LONG_NAME = 24


def card_context(*, member: Member, fund_url: str) -> dict[str, Any]:
    """What card.html shows for one member (never the national ID in clear)."""
    given_name = f"{member.title}{member.first_name}"
    return {
        "fund_name": member.fund.name,
        "number": member.number,
        "given_name": given_name,
        "last_name": member.last_name,
        "long_name": max(_width(given_name), _width(member.last_name)) > LONG_NAME,
        "national_id_masked": member.national_id_masked,
        "birth_date": format_date(member.birth_date, "long"),
        "joined_on": format_date(member.joined_on, "long"),
        "branch": _branch_label(member.branch),
        "qr": _qr_svg_data_uri(member_qr_payload(member=member, fund_url=fund_url)),
        "issued_on": format_date(timezone.localdate(), "short"),
    }


def member_card_pdf(*, member: Member, fund_url: str) -> bytes:
    """The member's card as a PDF: an A4 sheet with one card at true size and a cut line."""
    with translation.override("th"):  # the card is a Thai document whatever the UI language
        card = card_context(member=member, fund_url=fund_url)
        return render_pdf(
            "members/card.html",
            {"cards": [card], "fund_name": card["fund_name"]},
        )
