from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kongtun.funds.selectors import funds_of_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send people straight to their work: their fund, or their area's overview."""
    roles = funds_of_user(user=request.user)
    officer = request.user.officer_assignments.exists()  # type: ignore[union-attr]
    if len(roles) == 1 and not officer:
        return redirect("funds-home", fund_code=roles[0].fund.code)
    if officer and not roles:
        return redirect("network-overview")
    return render(request, "web/home.html", {"roles": roles, "officer": officer})


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
