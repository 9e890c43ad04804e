"""Session limits: privileged sessions end after a shorter idle time, every session after an
absolute time since login.

The ordinary idle limit is the session cookie's age (SESSION_IDLE_MINUTES, renewed on every
request). Users who need two-step login (`mfa_required`) get SESSION_PRIVILEGED_IDLE_MINUTES;
everyone gets SESSION_ABSOLUTE_HOURS from the moment they logged in, however active. The times
live in the session itself and are set by Django's `user_logged_in` signal, so every way of
logging in (our login view, the test client's force_login) starts the clock.

Whether the user needs two-step login is looked up again during the session, not only at
login: a collector made treasurer while logged in has not given a code, so a session that
is now privileged without the second step (pending.VERIFIED) is ended and the person logs in
again with the code. The look-up is cached in the session for RECHECK_SECONDS, or until a role
changes in this process (a counter in the cache, raised by a save of a role, an officer's
assignment or a user); a page costs no query in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from kongtun.accounts.models import User
from kongtun.accounts.pending import VERIFIED
from kongtun.accounts.selectors import mfa_required
from kongtun.funds.models import FundRole, OfficerAssignment

LOGIN_AT = "kongtun_login_at"
SEEN_AT = "kongtun_seen_at"
PRIVILEGED = "kongtun_privileged"
# When PRIVILEGED was last looked up, and the roles' version it was looked up at.
CHECKED = "kongtun_privileged_checked"
RECHECK_SECONDS = 60
ROLES_VERSION = "kongtun:accounts:roles-version"


def roles_version() -> int:
    return int(cache.get(ROLES_VERSION) or 0)


@receiver(post_save, sender=FundRole)
@receiver(post_delete, sender=FundRole)
@receiver(post_save, sender=OfficerAssignment)
@receiver(post_delete, sender=OfficerAssignment)
@receiver(post_save, sender=User)
def _roles_changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # every login saves last_login; no role changed
    # Other processes have their own cache and notice within RECHECK_SECONDS.
    cache.add(ROLES_VERSION, 0, timeout=None)
    cache.incr(ROLES_VERSION)


@receiver(user_logged_in)
def _start_the_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[PRIVILEGED] = mfa_required(user)
    request.session[CHECKED] = [now, roles_version()]


def privileged(session: Any, user: Any, now: float) -> bool:
    """Whether the user needs two-step login, looked up at most every RECHECK_SECONDS or when
    a role changed; kept in the session."""
    checked = session.get(CHECKED)
    version = roles_version()
    if (
        not isinstance(checked, list)
        or len(checked) != 2
        or now - float(checked[0]) > RECHECK_SECONDS
        or checked[1] != version
        or PRIVILEGED not in session
    ):
        session[PRIVILEGED] = mfa_required(user)
        session[CHECKED] = [now, version]
    return bool(session[PRIVILEGED])


def _same_origin_path(request: HttpRequest, url: str) -> str:
    """The path (and query) of `url` if it is on this site, else ""."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (
        parts.netloc and parts.netloc != request.get_host()
    ):
        return ""
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


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
            if session.get(LOGIN_AT) is None:
                # A session from before these limits: its clock starts now.
                session[LOGIN_AT] = now
                session[SEEN_AT] = now
            if privileged(session, user, now) and not session.get(VERIFIED):
                return self._to_login(
                    request,
                    _(
                        "Your role now needs two-step login. Please log in again, with the "
                        "code from the app."
                    ),
                )
            if expired(session, now):
                return self._to_login(
                    request,
                    _(
                        "You were logged out because the session was left open too long. "
                        "Please log in again."
                    ),
                )
            session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _to_login(request: HttpRequest, why: str) -> HttpResponse:
        # This runs before django-htmx's middleware, so the headers are read directly.
        htmx = request.headers.get("HX-Request") == "true"
        if htmx:
            # The request is for a fragment; come back to the page it was on.
            back = _same_origin_path(request, request.headers.get("HX-Current-URL", ""))
        else:
            back = request.get_full_path() if request.method == "GET" else ""
        logout(request)
        messages.info(request, why)
        url = reverse("accounts-login")
        if back:
            url += "?" + urlencode({"next": back})
        if htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
