"""Who may see which funds from above: network and provincial officers, by the areas they hold.

Officers read aggregates across the funds of their areas and never a member's personal data.
A fund outside every area an officer holds does not exist for them (404), as a fund user of
another fund gets. Recording the provincial committee's work (screening, decisions, imports)
needs a province-level assignment; district and subdistrict networks only read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce, wraps
from operator import or_
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from kongtun.funds.models import Fund, OfficerAssignment

View = Callable[..., HttpResponse]


def assignments_of(user: Any) -> list[OfficerAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.officer_assignments.order_by("level", "area_code"))


def _area_filter(assignments: list[OfficerAssignment]) -> Q | None:
    if not assignments:
        return None
    return reduce(or_, (a.fund_filter() for a in assignments))


def funds_visible_to(user: Any) -> QuerySet[Fund]:
    """The funds in any of the user's areas (none for a user who holds no area)."""
    area = _area_filter(assignments_of(user))
    if area is None:
        return Fund.objects.none()
    return Fund.objects.filter(area).select_related("tambon__amphoe__province")


def funds_recordable_by(user: Any) -> QuerySet[Fund]:
    """The funds whose provincial committee work this user may record."""
    area = _area_filter([a for a in assignments_of(user) if a.level == "province"])
    if area is None:
        return Fund.objects.none()
    return Fund.objects.filter(area).select_related("tambon__amphoe__province")


def province_codes_of(user: Any) -> list[str]:
    return [a.area_code for a in assignments_of(user) if a.level == "province"]


def fund_for_officer(user: Any, fund_code: str) -> Fund:
    """The fund, if it lies in one of the user's areas; 404 otherwise (never 403: a fund
    outside the area is not confirmed to exist)."""
    fund = funds_visible_to(user).filter(code=fund_code).first()
    if fund is None:
        raise Http404
    return fund


def officer_required(view: View) -> View:
    """Only users who hold an area; everyone else gets 404, as for a page that is not there."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not assignments_of(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def province_officer_required(view: View) -> View:
    """Only users who hold a province: they record the provincial committee's work."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not province_codes_of(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
