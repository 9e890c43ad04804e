"""Two-step login: who needs it, setting up the app, codes, replay, lockout, recovery codes,
expiry of a half-done login, the admin's login, and resets."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.accounts import totp
from kongtun.accounts.models import MFADevice, RecoveryCode
from kongtun.accounts.pending import PENDING, VERIFIED
from kongtun.accounts.selectors import mfa_required
from kongtun.accounts.services import device_secret, recovery_codes_issue
from kongtun.accounts.tests.helpers import (
    code,
    code_step,
    give_device,
    logged_in_as,
    password_step,
)
from kongtun.audit.models import AuditEntry
from kongtun.conftest import PASSWORD
from kongtun.funds.models import FundRole
from kongtun.lib.crypto import decrypt


def _actions(user) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
            .order_by("seq")
            .values_list("action", flat=True)
        )


@pytest.mark.parametrize(
    ("name", "required"),
    [
        ("chair", True),
        ("treasurer", True),
        ("officer", True),
        ("admin", True),
        ("other_chair", True),
        ("secretary", False),
        ("committee", False),
        ("collector", False),
        ("auditor", False),
        ("nobody", False),
    ],
)
def test_who_needs_the_second_step(users, name, required):
    assert mfa_required(users[name]) is required


def test_a_switched_off_chair_role_or_a_staff_flag_decides(users):
    FundRole.objects.filter(user=users["chair"]).update(is_active=False)
    assert not mfa_required(users["chair"])
    users["nobody"].is_staff = True
    users["nobody"].save()
    assert mfa_required(users["nobody"])


def test_a_role_without_money_logs_in_with_the_password_alone(client, users, fund):
    response = password_step(client, "collector")
    assert response.status_code == 302
    assert logged_in_as(client) == users["collector"].pk
    assert client.get(response["Location"])["Location"] == f"/f/{fund.code}/"


def test_the_right_password_alone_does_not_log_a_treasurer_in(client, users, fund):
    give_device(users["treasurer"])
    response = password_step(client, "treasurer")
    assert response["Location"] == reverse("accounts-mfa-code")
    assert logged_in_as(client) is None
    page = client.get(f"/f/{fund.code}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert client.get(reverse("accounts-mfa-code")).status_code == 200


def test_the_code_logs_in_with_a_new_session_id_and_goes_on(client, users, fund):
    secret = give_device(users["treasurer"])
    password_step(client, "treasurer", next=f"/f/{fund.code}/members/")
    before = client.session.session_key
    page = client.get(reverse("accounts-mfa-code")).content.decode()
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    response = code_step(client, code(secret))
    assert response.status_code == 302 and response["Location"] == f"/f/{fund.code}/members/"
    assert logged_in_as(client) == users["treasurer"].pk
    assert client.session.session_key != before
    assert client.session[VERIFIED] is True
    assert PENDING not in client.session
    assert client.get(f"/f/{fund.code}/members/").status_code == 200


def test_a_code_works_once(client, users):
    secret = give_device(users["chair"])
    used = code(secret)
    password_step(client, "chair")
    assert code_step(client, used).status_code == 302
    client.post(reverse("accounts-logout"))
    password_step(client, "chair")
    with_replay = code_step(client, used)
    assert with_replay.status_code == 200 and logged_in_as(client) is None
    assert "code" in with_replay.context["form"].errors
    # The app's next code is still good.
    assert code_step(client, code(secret, 1)).status_code == 302
    assert logged_in_as(client) == users["chair"].pk


def test_five_wrong_codes_lock_even_the_right_one_and_are_audited(client, users):
    user = users["treasurer"]
    secret = give_device(user)
    right = code(secret)
    wrong = str((int(right) + 500_000) % 1_000_000).zfill(6)
    password_step(client, "treasurer")
    for _ in range(settings.MFA_FAILURE_LIMIT - 1):
        assert code_step(client, wrong).status_code == 200
    locked = code_step(client, wrong)
    assert locked.status_code == 429
    assert PENDING not in client.session  # the half-done login is over
    # Starting again with the password gives no fresh tries: the right code is refused.
    password_step(client, "treasurer")
    assert code_step(client, right).status_code == 429
    assert logged_in_as(client) is None
    actions = _actions(user)
    assert actions.count("accounts.mfa.wrong_code") == settings.MFA_FAILURE_LIMIT
    assert "accounts.mfa.locked" in actions
    # Once the lock ends the right code works.
    MFADevice.objects.filter(user=user).update(locked_until=timezone.now())
    password_step(client, "treasurer")
    assert code_step(client, right).status_code == 302


def test_a_right_code_clears_the_count_of_wrong_ones(client, users):
    user = users["treasurer"]
    secret = give_device(user)
    password_step(client, "treasurer")
    for _ in range(settings.MFA_FAILURE_LIMIT - 1):
        code_step(client, "000000" if code(secret) != "000000" else "111111")
    assert code_step(client, code(secret)).status_code == 302
    assert MFADevice.objects.get(user=user).failures == 0


def test_a_recovery_code_works_once_in_place_of_the_app(client, users):
    user = users["chair"]
    give_device(user)
    codes = recovery_codes_issue(user=user)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only keyed hashes are stored.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & {c.replace(" ", "") for c in codes}
    password_step(client, "chair")
    assert code_step(client, codes[3]).status_code == 302
    assert logged_in_as(client) == user.pk
    assert "accounts.mfa.recovery_used" in _actions(user)
    client.post(reverse("accounts-logout"))
    password_step(client, "chair")
    assert code_step(client, codes[3]).status_code == 200
    assert logged_in_as(client) is None
    assert code_step(client, codes[4].replace(" ", "-")).status_code == 302


def test_a_half_done_login_expires_after_five_minutes(client, users):
    secret = give_device(users["treasurer"])
    password_step(client, "treasurer")
    session = client.session
    pending = dict(session[PENDING])
    pending["at"] = time.time() - settings.MFA_PENDING_SECONDS - 1
    session[PENDING] = pending
    session.save()
    response = code_step(client, code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("accounts-login")
    assert logged_in_as(client) is None
    assert PENDING not in client.session


def test_the_code_page_without_a_password_sends_to_the_login(client, users):
    for name in ("accounts-mfa-code", "accounts-mfa-enrol"):
        assert client.get(reverse(name))["Location"] == reverse("accounts-login")


def test_setting_up_the_app_then_the_recovery_codes_then_logged_in(client, users, fund):
    user = users["chair"]
    response = password_step(client, "chair")
    assert response["Location"] == reverse("accounts-mfa-enrol")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert logged_in_as(client) is None
    # The QR code is drawn in the page itself: nothing is fetched from elsewhere.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "href" not in svg and "<img" not in html
    assert 'inputmode="numeric"' in html
    typed_secret = "".join(page.context["secret_groups"])
    # Nothing is stored until a code confirms the app; the secret waits, encrypted, in this
    # login's session only.
    assert not MFADevice.objects.filter(user=user).exists()
    assert typed_secret not in client.session[PENDING]["secret"]
    assert totp.from_base32(decrypt(client.session[PENDING]["secret"])) == totp.from_base32(
        typed_secret
    )
    # Coming back in the same login shows the same secret: someone who scanned it need not
    # scan again.
    assert "".join(client.get(reverse("accounts-mfa-enrol")).context["secret_groups"]) == (
        typed_secret
    )
    secret = totp.from_base32(typed_secret)
    wrong = client.post(reverse("accounts-mfa-enrol"), {"code": "12345"})
    assert wrong.status_code == 200 and logged_in_as(client) is None
    assert not MFADevice.objects.filter(user=user).exists()
    done = client.post(reverse("accounts-mfa-enrol"), {"code": code(secret)})
    # The answer to the right code itself shows the recovery codes, once.
    assert done.status_code == 200
    assert logged_in_as(client) == user.pk
    assert len(done.context["codes"]) == 10
    assert done.context["next_url"] == reverse("web-home")
    assert 'id="recovery-codes"' in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    device = MFADevice.objects.get(user=user)
    assert device.confirmed_at is not None
    assert typed_secret not in device.secret_encrypted  # encrypted at rest
    assert device_secret(device) == secret
    assert "accounts.mfa.enrolled" in _actions(user)
    # The next login asks for the code.
    client.post(reverse("accounts-logout"))
    assert password_step(client, "chair")["Location"] == reverse("accounts-mfa-code")


def test_the_admin_login_sends_to_ours(client, users):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"
    # Posting the password to the admin's address logs nobody in.
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert logged_in_as(client) is None
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_admin_reaches_the_admin_only_after_the_code(client, users):
    secret = give_device(users["admin"])
    assert password_step(client, "admin", next="/admin/")["Location"] == reverse(
        "accounts-mfa-code"
    )
    assert client.get("/admin/").status_code == 302
    response = code_step(client, code(secret))
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_moving_to_a_new_phone_needs_a_current_code(client, users):
    user = users["treasurer"]
    old = give_device(user)
    password_step(client, "treasurer")
    code_step(client, code(old))
    page = client.get(reverse("accounts-mfa"))
    assert page.status_code == 200 and page.context["enrolled"]
    refused = client.post(reverse("accounts-mfa"), {"code": "000000"})
    assert refused.status_code == 200 and MFADevice.objects.get(user=user).confirmed_at
    response = client.post(reverse("accounts-mfa"), {"code": code(old, 1)})
    assert response["Location"] == reverse("accounts-mfa-enrol")
    assert logged_in_as(client) is None  # logged in again only once the new phone is set up
    page = client.get(response["Location"])
    assert page.status_code == 200
    new = totp.from_base32("".join(page.context["secret_groups"]))
    assert new != old
    client.post(reverse("accounts-mfa-enrol"), {"code": code(new)})
    assert logged_in_as(client) == user.pk
    assert "accounts.mfa.reset" in _actions(user)


def test_the_administrator_resets_a_lost_phone(users):
    give_device(users["treasurer"])
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_step", "_selected_action": [users["treasurer"].pk]},
    )
    assert response.status_code == 302
    assert not MFADevice.objects.filter(user=users["treasurer"]).exists()
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="accounts.mfa.reset")
    assert entry.actor_id == users["admin"].pk
    client = Client()
    assert password_step(client, "treasurer")["Location"] == reverse("accounts-mfa-enrol")


def test_the_reset_command(users):
    give_device(users["admin"])
    call_command("mfa_reset", "admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not MFADevice.objects.filter(user=users["admin"]).exists()


LOGIN_IMPORT = re.compile(r"from django\.contrib\.auth import [^\n]*\blogin\b")


def _views(patterns, found):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            _views(p.url_patterns, found)
        else:
            found.append(p.callback)
    return found


def test_no_other_route_or_module_logs_anyone_in():
    """The only ways in are our login view (which hands the privileged to the code step) and
    pending_finish (which marks the session VERIFIED). The session middleware also ends any
    privileged session without that mark (a role granted mid-session); tests' force_login is
    marked by a fixture in kongtun/conftest.py, and only it."""
    from pathlib import Path

    from django.contrib.auth.views import LoginView
    from django.urls import get_resolver

    from kongtun.accounts.views import KongtunLoginView

    login_views = {
        getattr(view, "view_class", None)
        for view in _views(get_resolver().url_patterns, [])
        if isinstance(getattr(view, "view_class", None), type)
        and issubclass(view.view_class, LoginView)
    }
    assert login_views == {KongtunLoginView}
    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and (
            LOGIN_IMPORT.search(text := path.read_text(encoding="utf-8"))
            or "auth_login" in text
            or "auth.login(" in text
        )
    )
    assert callers == ["accounts/pending.py"]
