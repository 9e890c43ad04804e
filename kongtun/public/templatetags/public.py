"""Showing a public table's values by their column's kind, the same on every public page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import MONTHS_EN_SHORT, MONTHS_TH_SHORT, format_date
from kongtun.public.suppress import HIDDEN, Count
from kongtun.public.tables import Column

register = template.Library()


def month_label(value: str) -> str:
    """ "2026-09" → "ก.ย. 69" (Thai) or "Sep 2026" (English)."""
    year, month = (int(part) for part in value.split("-"))
    if (get_language() or "th").startswith("th"):
        return f"{MONTHS_TH_SHORT[month - 1]} {(year + 543) % 100:02d}"
    return f"{MONTHS_EN_SHORT[month - 1]} {year}"


def count_text(value: Count) -> str:
    shown = value.public()
    if shown == HIDDEN:
        return _("hidden")
    return f"{shown:,}" if isinstance(shown, int) else shown


@register.filter
def public_count(value: Count) -> SafeString:
    """A count in a marked span: the privacy crawl reads every one and finds no 1 to 4."""
    return format_html('<span class="count" data-kind="count">{}</span>', count_text(value))


@register.filter
def public_cell(value: Any, column: Column) -> SafeString | str:
    kind = column.kind
    if value is None:
        return "—"
    if kind == "count":
        return public_count(value)
    if kind == "money":
        return format_baht(Decimal(value))
    if kind == "percent":
        return f"{value:.2f}%"
    if kind == "number":
        return f"{value:,}" if value >= 10000 else str(value)
    if kind == "date":
        return format_date(value, "short")
    if kind == "datetime":
        local = timezone.localtime(value)
        return f"{format_date(local.date(), 'short')} {local:%H:%M}"
    if kind == "month":
        return month_label(value)
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "url":
        return format_html('<a href="{}">{}</a>', value, pgettext("link", "Open"))
    if kind == "hash":
        return format_html('<code class="hash">{}</code>', value)
    return str(value)


@register.filter
def cell_class(column: Column) -> str:
    return "num" if column.kind in ("money", "count", "number", "percent") else ""
