"""`{% backup_status_card %}`: the last good backup, for those who look after backups only."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from kongtun.backups.selectors import backup_status, can_manage_backups

register = template.Library()


@register.simple_tag(takes_context=True)
def backup_status_card(context: template.Context, show_link: bool = True) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not can_manage_backups(user):
        return ""
    on_page = (
        request.resolver_match is not None and request.resolver_match.url_name == "backups-page"
    )
    return render_to_string(
        "backups/_card.html",
        {"status": backup_status(), "show_link": show_link and not on_page},
        request=request,
    )
