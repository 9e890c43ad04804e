"""A login between its two steps: the password was right, the code is still to come.

Nothing here logs anyone in. The session holds who gave the right password, when, and where
they were going; `pending_finish` calls Django's login() only after the second step. The state
lasts `MFA_PENDING_SECONDS`: after that the password must be typed again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest

from kongtun.accounts import totp
from kongtun.accounts.models import User
from kongtun.lib.crypto import decrypt, encrypt

PENDING = "kongtun_mfa_pending"
# Set on the session by the second step: this login gave both factors.
VERIFIED = "kongtun_mfa_verified"


@dataclass(frozen=True)
class Pending:
    user: User
    next_url: str
    backend: str


def pending_start(
    request: HttpRequest, user: User, next_url: str, backend: str | None = None
) -> None:
    """Remember that `user` gave the right password (through `backend`, by default the one
    authenticate() set on the user)."""
    # A new session id now, and another at login(): an id someone planted before the
    # password was typed is worth nothing.
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "at": time.time(),
        "backend": backend or getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
    }


def pending_get(request: HttpRequest) -> Pending | None:
    """The login waiting for its code, or None (none, expired, or the user switched off)."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > settings.MFA_PENDING_SECONDS:
        pending_clear(request)
        return None
    user = User.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    if user is None:
        pending_clear(request)
        return None
    return Pending(user, str(data.get("next") or ""), str(data["backend"]))


def pending_enrol_secret(request: HttpRequest) -> bytes:
    """The secret to set up the app with, new for each pending login and kept only in its
    session (encrypted, as sessions are rows in the database) until a code confirms it.

    Someone else who knows the password gets a secret of their own, so they can neither see
    the one the real person scans nor plant one for them to scan."""
    data = request.session[PENDING]
    if "secret" not in data:
        data["secret"] = encrypt(totp.to_base32(totp.new_secret()))
        request.session.modified = True
    return totp.from_base32(decrypt(str(data["secret"])))


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def pending_finish(request: HttpRequest, pending: Pending) -> str:
    """Both factors given: log in (a new session id) and return where to go."""
    pending_clear(request)
    login(request, pending.user, backend=pending.backend)
    request.session[VERIFIED] = True
    return pending.next_url or str(settings.LOGIN_REDIRECT_URL)
