from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from kongtun.accounts.tests.helpers import code, code_step, give_device, logged_in_as
from kongtun.conftest import PASSWORD


def _login(client, username, password):
    return client.post(reverse("accounts-login"), {"username": username, "password": password})


def test_a_member_of_staff_logs_in_and_lands_in_their_fund(client, users, fund):
    response = _login(client, "secretary", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == f"/f/{fund.code}/"


def test_a_treasurer_logs_in_with_the_code_and_lands_in_their_fund(client, users, fund):
    secret = give_device(users["treasurer"])
    _login(client, "treasurer", PASSWORD)
    response = code_step(client, code(secret))
    assert client.get(response["Location"])["Location"] == f"/f/{fund.code}/"


def test_wrong_password_is_explained_in_thai(client, users):
    response = _login(client, "treasurer", "wrong")
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_it_locks_the_account_after_repeated_failures(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "secretary", "wrong").status_code == 200
    assert _login(client, "secretary", "wrong").status_code == 429  # the one that locks
    locked = _login(client, "secretary", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    assert logged_in_as(client) is None
    # Another user from the same address is not locked out by someone else's mistakes.
    assert _login(client, "committee", PASSWORD).status_code == 302
    assert logged_in_as(client) == users["committee"].pk


def test_a_locked_treasurer_never_reaches_the_code_step(client, users):
    give_device(users["treasurer"])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "treasurer", "wrong")
    assert _login(client, "treasurer", PASSWORD).status_code == 429
    assert client.get(reverse("accounts-mfa-code"))["Location"] == reverse("accounts-login")


def test_officers_land_on_their_area(client, users):
    secret = give_device(users["officer"])
    _login(client, "officer", PASSWORD)
    response = code_step(client, code(secret))
    assert client.get(response["Location"])["Location"] == reverse("network-overview")
