"""Sessions: idle and absolute limits (time moved by editing the session's own timestamps),
a new id at login, cookie flags, and the per-address limit on login attempts."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kongtun.accounts.sessions import LOGIN_AT, PRIVILEGED, SEEN_AT
from kongtun.accounts.tests.helpers import code, code_step, give_device, logged_in_as, password_step
from kongtun.conftest import PASSWORD


def _age(client: Client, *, idle_minutes: float = 0, since_login_hours: float = 0) -> None:
    session = client.session
    now = time.time()
    session[SEEN_AT] = now - idle_minutes * 60
    session[LOGIN_AT] = now - since_login_hours * 3600
    session.save()


@pytest.fixture
def home(fund) -> str:
    return f"/f/{fund.code}/"


def test_a_login_starts_the_clocks_and_marks_privileged_users(client_for):
    treasurer, collector = client_for("treasurer"), client_for("collector")
    assert treasurer.session[PRIVILEGED] is True and collector.session[PRIVILEGED] is False
    assert abs(treasurer.session[LOGIN_AT] - time.time()) < 60


def test_a_privileged_session_ends_after_its_idle_limit(client_for, home):
    client = client_for("treasurer")
    _age(client, idle_minutes=settings.SESSION_PRIVILEGED_IDLE_MINUTES - 1)
    assert client.get(home).status_code == 200  # and the page refreshed the idle clock
    assert time.time() - client.session[SEEN_AT] < 60
    _age(client, idle_minutes=settings.SESSION_PRIVILEGED_IDLE_MINUTES + 1)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={home.replace('/', '%2F')}"
    assert logged_in_as(client) is None
    assert client.get(home).status_code == 302
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]]  # says why, in words


def test_an_ordinary_session_keeps_the_longer_idle_limit(client_for, home):
    client = client_for("collector")
    _age(client, idle_minutes=settings.SESSION_PRIVILEGED_IDLE_MINUTES + 1)
    assert client.get(home).status_code == 200
    _age(client, idle_minutes=settings.SESSION_COOKIE_AGE / 60 + 1)
    assert client.get(home).status_code == 302
    assert logged_in_as(client) is None


@pytest.mark.parametrize("name", ["treasurer", "collector"])
def test_every_session_ends_after_the_absolute_limit_however_active(client_for, home, name):
    client = client_for(name)
    _age(client, since_login_hours=settings.SESSION_ABSOLUTE_HOURS - 0.1)
    assert client.get(home).status_code == 200
    _age(client, since_login_hours=settings.SESSION_ABSOLUTE_HOURS + 0.1)
    assert client.get(home).status_code == 302
    assert logged_in_as(client) is None


def test_an_htmx_request_past_the_limit_is_sent_to_the_login_page(client_for, home):
    client = client_for("treasurer")
    _age(client, idle_minutes=settings.SESSION_PRIVILEGED_IDLE_MINUTES + 1)
    response = client.get(home, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_the_limits_are_at_most_the_targets():
    # RELIABILITY.md S5: idle <= 15 min and absolute <= 12 h for privileged sessions.
    assert settings.SESSION_PRIVILEGED_IDLE_MINUTES <= 15
    assert settings.SESSION_ABSOLUTE_HOURS <= 12


def test_login_gives_a_new_session_id(client, users):
    client.get(reverse("accounts-login"))
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    planted = session.session_key
    password_step(client, "collector")
    assert logged_in_as(client) == users["collector"].pk
    assert client.session.session_key != planted


def test_session_cookies_are_httponly_and_samesite(client, users):
    secret = give_device(users["chair"])
    password_step(client, "chair")
    response = code_step(client, code(secret))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_SECURE == settings.HTTPS
    assert settings.CSRF_COOKIE_HTTPONLY and settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_login_attempts_from_one_address_are_limited_across_user_names(client, users):
    for n in range(settings.LOGIN_RATE_PER_MINUTE):
        # Different user names: the per-user lockout never triggers.
        assert password_step(client, f"guess{n}", "wrong").status_code == 200
    refused = password_step(client, "collector", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert 'id="too-many"' in refused.content.decode()
    assert logged_in_as(client) is None
    # Another address still gets in.
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert password_step(other, "collector", PASSWORD).status_code == 302


def test_codes_count_against_the_same_budget(client, users):
    secret = give_device(users["chair"])
    for n in range(settings.LOGIN_RATE_PER_MINUTE - 2):
        password_step(client, f"guess{n}", "wrong")
    password_step(client, "chair")
    assert code_step(client, "12").status_code == 200  # not even a code: still an attempt
    assert code_step(client, code(secret)).status_code == 429
    assert logged_in_as(client) is None
