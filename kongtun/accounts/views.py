"""Login in two steps for those who need it: the password, then a code from their app.

The password step never logs anyone in who needs the second one: it leaves a pending login in
the session (kongtun.accounts.pending) and sends them to the code page, or to set up the app
if they have none yet. Only a right code calls login().
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kongtun.accounts import totp
from kongtun.accounts.forms import CodeForm, LoginForm
from kongtun.accounts.models import RecoveryCode, User
from kongtun.accounts.pending import (
    Pending,
    pending_clear,
    pending_enrol_secret,
    pending_finish,
    pending_get,
    pending_start,
)
from kongtun.accounts.selectors import mfa_device, mfa_enrolled, mfa_required
from kongtun.accounts.services import (
    AlreadyEnrolled,
    Outcome,
    mfa_check,
    mfa_enrol_confirm,
    mfa_reset,
    recovery_codes_issue,
)
from kongtun.public.ratelimit import Limit, allow

ISSUER = "Kongtun"


def _login_limit() -> Limit:
    # One budget for every password and code typed from one address, whatever the user name:
    # axes locks one user name; this slows a script that tries many.
    return Limit("login", settings.LOGIN_RATE_PER_MINUTE)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/too_many.html", status=429)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


def _locked(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    pending_clear(request)
    context = {"minutes": settings.MFA_LOCKOUT_MINUTES, "blocked": outcome is Outcome.BLOCKED}
    return render(request, "accounts/mfa_locked.html", context, status=429)


LOCKED = (Outcome.LOCKED, Outcome.BLOCKED)
WRONG_CODE = _lazy(
    "This code is not right. Type the 6 digits the app shows now for Kongtun; "
    "a code works only once."
)


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.info(
        request,
        _(
            "Please type your username and password again. The code must be typed within "
            "5 minutes of the password."
        ),
    )
    return redirect("accounts-login")


class KongtunLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allow(request, _login_limit()):
            return _too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if not mfa_required(user):
            return super().form_valid(form)
        pending_start(self.request, user, self.get_success_url())
        return redirect("accounts-mfa-code" if mfa_enrolled(user) else "accounts-mfa-enrol")


def _checked(request: HttpRequest, pending: Pending) -> tuple[Outcome, CodeForm]:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return Outcome.WRONG, form
    outcome = mfa_check(user=pending.user, code=form.cleaned_data["code"])
    if outcome is Outcome.WRONG:
        form.add_error("code", str(WRONG_CODE))
    return outcome, form


@never_cache
def mfa_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the app, or a recovery code."""
    pending = pending_get(request)
    if pending is None:
        return _start_again(request)
    if not mfa_enrolled(pending.user):
        return redirect("accounts-mfa-enrol")
    form = CodeForm()
    if request.method == "POST":
        if not allow(request, _login_limit()):
            return _too_many(request)
        outcome, form = _checked(request, pending)
        if outcome in LOCKED:
            return _locked(request, outcome)
        if outcome is Outcome.RECOVERY:
            messages.warning(
                request,
                _(
                    "You logged in with a recovery code; it will not work again. If your "
                    "phone is lost, set up the app on your new phone under “Two-step login”."
                ),
            )
        if outcome in (Outcome.ACCEPTED, Outcome.RECOVERY):
            return redirect(pending_finish(request, pending))
    return render(request, "accounts/code.html", {"form": form, "person": pending.user})


@never_cache
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Setting up the app after the password: scan (or type) the secret, confirm with a code;
    the answer to the right code logs the person in and shows the recovery codes, once."""
    pending = pending_get(request)
    if pending is None:
        return _start_again(request)
    if mfa_enrolled(pending.user):
        return redirect("accounts-mfa-code")
    secret = pending_enrol_secret(request)
    form = CodeForm()
    if request.method == "POST":
        if not allow(request, _login_limit()):
            return _too_many(request)
        form = CodeForm(request.POST)
        outcome = Outcome.WRONG
        if form.is_valid():
            try:
                outcome = mfa_enrol_confirm(
                    user=pending.user, secret=secret, code=form.cleaned_data["code"]
                )
            except AlreadyEnrolled:
                return redirect("accounts-mfa-code")
        if outcome is Outcome.ACCEPTED:
            codes = recovery_codes_issue(user=pending.user)
            next_url = pending_finish(request, pending)
            # Shown in this answer and kept nowhere else: not even the session holds them.
            return _recovery_codes(request, codes, next_url)
        form.add_error("code", str(WRONG_CODE))
    uri = totp.provisioning_uri(secret, pending.user.username, ISSUER)
    qr = segno.make(uri, error="m", micro=False)
    # segno writes the SVG itself from the address: no user text goes into it unescaped.
    svg = qr.svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="mfa-qr", title=_("QR code")
    )
    context = {
        "form": form,
        "person": pending.user,
        "qr_svg": mark_safe(svg),  # noqa: S308
        "secret_groups": totp.grouped(totp.to_base32(secret)).split(),
    }
    return render(request, "accounts/enrol.html", context)


def _recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The new recovery codes, shown this once."""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse(settings.LOGIN_REDIRECT_URL)
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url}
    )
    add_never_cache_headers(response)
    return response


@never_cache
@login_required
def mfa_manage(request: HttpRequest) -> HttpResponse:
    """One's own two-step login: whether it is set up, and starting again with a new phone
    (which needs a current code, so a borrowed open session cannot take the account over)."""
    user = request.user
    assert isinstance(user, User)
    device = mfa_device(user)
    enrolled = device is not None and device.confirmed_at is not None
    form = CodeForm()
    if request.method == "POST" and enrolled:
        if not allow(request, _login_limit()):
            return _too_many(request)
        form = CodeForm(request.POST)
        outcome = Outcome.WRONG
        if form.is_valid():
            outcome = mfa_check(user=user, code=form.cleaned_data["code"])
        if outcome in LOCKED:
            logout(request)
            return _locked(request, outcome)
        if outcome in (Outcome.ACCEPTED, Outcome.RECOVERY):
            mfa_reset(user=user, actor=user, reason="own")
            backend = request.session.get(BACKEND_SESSION_KEY)
            logout(request)
            pending_start(request, user, reverse(settings.LOGIN_REDIRECT_URL), backend)
            return redirect("accounts-mfa-enrol")
        form.add_error("code", _("This code is not right. Type the 6 digits the app shows now."))
    context = {
        "form": form,
        "enrolled": enrolled,
        "required": mfa_required(user),
        "codes_left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
    }
    return render(request, "accounts/manage.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts-login")
