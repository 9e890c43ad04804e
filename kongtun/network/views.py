from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kongtun.network.selectors import area_summary


@login_required
def area_overview(request: HttpRequest) -> HttpResponse:
    """Aggregates of the funds in the officer's areas; never a member's personal data."""
    assignments = list(request.user.officer_assignments.all())  # type: ignore[union-attr]
    if not assignments:
        raise Http404
    areas = [area_summary(assignment=a) for a in assignments]
    return render(request, "network/overview.html", {"areas": areas})
