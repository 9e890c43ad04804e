"""The two-step login's security review: a secret of its own for each half-done login, roles
granted mid-session, resets that end sessions, the admin's login for the logged-in, lockout
per real client behind the proxy, recovery codes kept nowhere, htmx's way back after a
timeout, and the lockout that escalates to a block."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kongtun.accounts import totp
from kongtun.accounts.models import MFADevice
from kongtun.accounts.pending import VERIFIED
from kongtun.accounts.services import MFA_DAILY_LIMIT, Outcome, mfa_check, mfa_reset
from kongtun.accounts.sessions import CHECKED, PRIVILEGED, RECHECK_SECONDS, SEEN_AT
from kongtun.accounts.tests.helpers import (
    code,
    code_step,
    give_device,
    logged_in_as,
    password_step,
)
from kongtun.funds.models import FundRole
from kongtun.funds.permissions import Role


def _enrol_secret(client: Client) -> bytes:
    page = client.get(reverse("accounts-mfa-enrol"))
    assert page.status_code == 200
    return totp.from_base32("".join(page.context["secret_groups"]))


def _session_texts() -> list[str]:
    """Every stored session, decoded, as text."""
    return [str(s.get_decoded()) + s.session_data for s in Session.objects.all()]


def _wrong(secret: bytes) -> str:
    near = {code(secret, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


@pytest.fixture
def home(fund) -> str:
    return f"/f/{fund.code}/"


# 1. Setting up the app -----------------------------------------------------------------------


def test_each_half_done_login_gets_its_own_secret_so_one_noted_earlier_never_works(users):
    attacker, chair = Client(), Client()
    password_step(attacker, "chair")
    noted = _enrol_secret(attacker)
    password_step(chair, "chair")
    scanned = _enrol_secret(chair)
    assert scanned != noted
    assert not MFADevice.objects.filter(user=users["chair"]).exists()
    # The secret is in no session in the clear.
    assert not any(totp.to_base32(scanned) in text for text in _session_texts())
    chair.post(reverse("accounts-mfa-enrol"), {"code": code(scanned)})
    assert logged_in_as(chair) == users["chair"].pk
    # The attacker's noted secret confirms nothing now, and logs nobody in.
    late = attacker.post(reverse("accounts-mfa-enrol"), {"code": code(noted)})
    assert late["Location"] == reverse("accounts-mfa-code") and logged_in_as(attacker) is None
    password_step(attacker, "chair")
    for offset in (-1, 0, 1):
        assert code_step(attacker, code(noted, offset)).status_code == 200
    assert logged_in_as(attacker) is None
    assert MFADevice.objects.get(user=users["chair"]).confirmed_at is not None


# 2. Roles granted during a session -------------------------------------------------------------


def test_a_collector_made_treasurer_mid_session_must_log_in_again_with_the_code(
    client, users, home
):
    assert password_step(client, "collector").status_code == 302
    assert client.get(home).status_code == 200
    role = FundRole.objects.get(user=users["collector"])
    role.role = Role.TREASURER
    role.save()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={home.replace('/', '%2F')}"
    assert logged_in_as(client) is None
    assert [str(m) for m in client.get(response["Location"]).context["messages"]]
    # And the password alone is not enough any more.
    assert password_step(client, "collector")["Location"] == reverse("accounts-mfa-enrol")
    assert logged_in_as(client) is None


def test_a_grant_no_signal_announces_is_noticed_within_a_minute(client, users, home):
    password_step(client, "collector")
    assert client.get(home).status_code == 200
    FundRole.objects.filter(user=users["collector"]).update(role=Role.TREASURER)
    assert client.get(home).status_code == 200  # looked up less than a minute ago
    session = client.session
    session[CHECKED] = [time.time() - RECHECK_SECONDS - 1, session[CHECKED][1]]
    session.save()
    assert client.get(home).status_code == 302
    assert logged_in_as(client) is None


def test_a_granted_role_gets_the_privileged_idle_limit(client_for, users, home):
    client = client_for("collector")  # force_login: counted as a two-step login
    assert client.session[PRIVILEGED] is False
    role = FundRole.objects.get(user=users["collector"])
    role.role = Role.TREASURER
    role.save()
    assert client.get(home).status_code == 200
    assert client.session[PRIVILEGED] is True
    session = client.session
    session[SEEN_AT] = time.time() - (settings.SESSION_PRIVILEGED_IDLE_MINUTES + 1) * 60
    session.save()
    assert client.get(home).status_code == 302
    assert logged_in_as(client) is None


def test_only_force_login_is_taken_as_two_step(users, home):
    forced = Client()
    forced.force_login(users["treasurer"])
    assert forced.session[VERIFIED] is True
    assert forced.get(home).status_code == 200
    # Client.login's way in (password alone; axes needs a request, so its inner step is
    # called): the middleware ends that session.
    password_only = Client()
    password_only._login(users["treasurer"], "django.contrib.auth.backends.ModelBackend")  # type: ignore[attr-defined]
    assert logged_in_as(password_only) == users["treasurer"].pk
    assert VERIFIED not in password_only.session
    assert password_only.get(home).status_code == 302
    assert logged_in_as(password_only) is None
    # As it does any privileged session that lost its mark.
    session = forced.session
    del session[VERIFIED]
    session.save()
    assert forced.get(home).status_code == 302


# 3. A reset ends the user's sessions ---------------------------------------------------------


@pytest.mark.parametrize("how", ["admin", "command", "service"])
def test_a_reset_ends_every_open_session_of_that_user(client_for, users, home, how):
    give_device(users["treasurer"])
    phone, desk, chair = client_for("treasurer"), client_for("treasurer"), client_for("chair")
    assert phone.get(home).status_code == 200 and desk.get(home).status_code == 200
    if how == "admin":
        admin = client_for("admin")
        admin.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_step", "_selected_action": [users["treasurer"].pk]},
        )
        assert admin.get("/admin/").status_code == 200  # the admin's own session goes on
    elif how == "command":
        call_command("mfa_reset", "treasurer", stdout=open("/dev/null", "w"))  # noqa: SIM115
    else:
        mfa_reset(user=users["treasurer"], actor=users["admin"])
    for client in (phone, desk):
        assert client.get(home).status_code == 302
        assert logged_in_as(client) is None
    assert chair.get(home).status_code == 200
    # They can log in again and set up the app.
    assert password_step(Client(), "treasurer")["Location"] == reverse("accounts-mfa-enrol")


# 4. The admin's login for someone logged in --------------------------------------------------


def test_a_logged_in_non_staff_user_opening_the_admin_gets_a_403_not_a_loop(client_for):
    client = client_for("collector")
    first = client.get("/admin/")
    assert first.status_code == 302 and first["Location"].startswith("/admin/login/")
    page = client.get(first["Location"])
    assert page.status_code == 403
    assert 'id="admin-forbidden"' in page.content.decode()


# 5. Axes counts the real client behind the proxy ---------------------------------------------


def test_behind_the_proxy_a_lockout_is_per_real_client(settings, users):
    settings.BEHIND_PROXY = True
    proxy = "10.0.0.2"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    secretary = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(guesser, "secretary", "wrong")
    assert password_step(guesser, "secretary").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    # The same user from another client, through the same proxy, is not locked out.
    assert password_step(secretary, "secretary").status_code == 302
    assert logged_in_as(secretary) == users["secretary"].pk


def test_behind_the_proxy_an_ipv6_client_is_stored_as_its_64(settings, users):
    settings.BEHIND_PROXY = True
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:2:aaaa::9")
    password_step(client, "secretary", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["2001:db8:1:2::"]


# 6. Recovery codes are kept nowhere -----------------------------------------------------------


def test_no_recovery_code_is_left_in_any_session_after_setting_up(client, users):
    password_step(client, "chair")
    secret = _enrol_secret(client)
    done = client.post(reverse("accounts-mfa-enrol"), {"code": code(secret)})
    codes = done.context["codes"]
    assert len(codes) == 10
    client.get(reverse("web-home"))
    texts = _session_texts()
    assert texts
    for shown in codes:
        assert not any(shown in t or shown.replace(" ", "") in t for t in texts)


# 7. After a timeout, htmx goes back to the page, not the fragment ------------------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (
            "http://testserver/f/{fund}/members/?q=1",
            "/accounts/login/?next=%2Ff%2F{fund}%2Fmembers%2F%3Fq%3D1",
        ),
        ("https://evil.example/f/{fund}/members/", "/accounts/login/"),
        ("//evil.example/x", "/accounts/login/"),
        ("", "/accounts/login/"),
    ],
)
def test_an_htmx_request_after_a_timeout_comes_back_to_its_page(
    client_for, fund, current, expected
):
    client = client_for("treasurer")
    session = client.session
    session[SEEN_AT] = time.time() - (settings.SESSION_PRIVILEGED_IDLE_MINUTES + 1) * 60
    session.save()
    response = client.get(
        f"/f/{fund.code}/members/search/?q=x",
        headers={"HX-Request": "true", "HX-Current-URL": current.format(fund=fund.code)},
    )
    assert response["HX-Redirect"] == expected.format(fund=fund.code)
    assert logged_in_as(client) is None


# 8. The lockout escalates to a block ----------------------------------------------------------


def _fail(user, secret: bytes, times: int) -> Outcome:
    outcome = Outcome.WRONG
    for _ in range(times):
        # Wait out each short lock (moved by editing the device) and go on guessing.
        MFADevice.objects.filter(user=user).update(locked_until=None)
        outcome = mfa_check(user=user, code=_wrong(secret))
    return outcome


def test_too_many_wrong_codes_in_a_day_block_until_an_administrator_resets(client, users):
    user = users["treasurer"]
    secret = give_device(user)
    assert _fail(user, secret, MFA_DAILY_LIMIT - 1) is not Outcome.BLOCKED
    assert _fail(user, secret, 1) is Outcome.BLOCKED
    device = MFADevice.objects.get(user=user)
    assert device.blocked_at is not None
    # Not even the right code, nor a day later.
    MFADevice.objects.filter(user=user).update(
        locked_until=None, failures_since=timezone.now() - dt.timedelta(days=2)
    )
    assert mfa_check(user=user, code=code(secret)) is Outcome.BLOCKED
    password_step(client, "treasurer")
    page = code_step(client, code(secret, 1))
    assert page.status_code == 429 and 'id="mfa-blocked"' in page.content.decode()
    assert logged_in_as(client) is None
    mfa_reset(user=user, actor=users["admin"], reason="admin")
    assert password_step(client, "treasurer")["Location"] == reverse("accounts-mfa-enrol")


def test_wrong_codes_spread_over_more_than_a_day_do_not_block(users):
    user = users["treasurer"]
    secret = give_device(user)
    _fail(user, secret, MFA_DAILY_LIMIT - 1)
    MFADevice.objects.filter(user=user).update(
        failures_since=timezone.now() - dt.timedelta(hours=25)
    )
    assert _fail(user, secret, 1) is not Outcome.BLOCKED
    MFADevice.objects.filter(user=user).update(locked_until=None)
    assert mfa_check(user=user, code=code(secret)) is Outcome.ACCEPTED
    assert MFADevice.objects.get(user=user).failures_today == 1
