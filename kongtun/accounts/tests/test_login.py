from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from kongtun.conftest import PASSWORD


def _login(client, username, password):
    return client.post(reverse("accounts-login"), {"username": username, "password": password})


def test_a_member_of_staff_logs_in_and_lands_in_their_fund(client, users, fund):
    response = _login(client, "treasurer", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == f"/f/{fund.code}/"


def test_wrong_password_is_explained_in_thai(client, users):
    response = _login(client, "treasurer", "wrong")
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_it_locks_the_account_after_repeated_failures(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "treasurer", "wrong")
    locked = _login(client, "treasurer", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    # Another user from the same address is not locked out by someone else's mistakes.
    assert _login(client, "chair", PASSWORD).status_code == 302


def test_officers_land_on_their_area(client, users):
    response = _login(client, "officer", PASSWORD)
    assert client.get(response["Location"])["Location"] == reverse("network-overview")

