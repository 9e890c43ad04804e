"""Template filters for Thai display: Buddhist-era dates, baht amounts, masked IDs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import format_date

register = template.Library()


# expects_localtime: a stored moment (UTC) is shown on the day it was in Thailand, not the day
# in UTC, which is the day before until 07:00.
@register.filter(expects_localtime=True)
def be_date(value: dt.date | None, style: str = "short") -> str:
    return format_date(value, style)


@register.filter
def baht(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return format_baht(Decimal(value))


@register.simple_tag(takes_context=True)
def fund_can(context: template.Context, permission: str) -> bool:
    request = context.get("request")
    return permission in getattr(request, "fund_permissions", frozenset())
