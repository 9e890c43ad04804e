"""A CODI form's figure as text, linked to its records when the page has a link for it."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from kongtun.codiforms.document import Figure
from kongtun.codiforms.rendering import figure_text

register = template.Library()


@register.simple_tag(takes_context=True)
def fig(context: template.Context, figure: Figure) -> str:
    text = figure_text(figure)
    url = (context.get("links") or {}).get(figure.key)
    if url:
        return format_html(
            '<a class="trace" href="{}" title="{}" data-key="{}">{}</a>',
            url,
            figure.trace.text,
            figure.key,
            text,
        )
    return format_html('<span data-key="{}">{}</span>', figure.key, text)


@register.filter
def is_figure(value: object) -> bool:
    return isinstance(value, Figure)


@register.filter
def at(items: tuple[str, ...], index: int) -> str:
    """The column heading of the cell at `index` (phones show it beside the value)."""
    return items[index] if 0 <= index < len(items) else ""


@register.filter
def make_range(count: int) -> range:
    return range(count)
