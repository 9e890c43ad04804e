"""Session limits: privileged sessions end after a shorter idle time, every session after an
absolute time since login.

The ordinary idle limit is the session cookie's age (SESSION_IDLE_MINUTES, renewed on every
request). Users who need two-step login (`mfa_required`) get SESSION_PRIVILEGED_IDLE_MINUTES;
everyone gets SESSION_ABSOLUTE_HOURS from the moment they logged in, however active. The times
live in the session itself and are set by Django's `user_logged_in` signal, so every way of
logging in (our login view, the test client's force_login) starts the clock; whether the user
is privileged is decided then, not on every request, so a page costs no extra query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from kongtun.accounts.selectors import mfa_required

LOGIN_AT = "kongtun_login_at"
SEEN_AT = "kongtun_seen_at"
PRIVILEGED = "kongtun_privileged"


@receiver(user_logged_in)
def _start_the_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[PRIVILEGED] = mfa_required(user)


def expired(session: Any, now: float) -> bool:
    """Whether a logged-in session is past its idle or absolute limit."""
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return False  # set on the next request; see the middleware
    if now - float(login_at) > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return True
    idle = (
        settings.SESSION_PRIVILEGED_IDLE_MINUTES
        if session.get(PRIVILEGED)
        else settings.SESSION_COOKIE_AGE // 60
    )
    return now - float(seen_at) > idle * 60


class SessionLimitsMiddleware:
    """Log out a session past its limit and send the person to the login page, saying why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            if expired(session, now):
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were logged out because the session was left open too long. "
                        "Please log in again."
                    ),
                )
                url = reverse("accounts-login")
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                # This runs before django-htmx's middleware, so the header is read directly.
                if request.headers.get("HX-Request") == "true":
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            if session.get(LOGIN_AT) is None:
                # A session from before these limits: its clock starts now.
                session[LOGIN_AT] = now
                session[PRIVILEGED] = mfa_required(user)
            session[SEEN_AT] = now
        return self.get_response(request)
