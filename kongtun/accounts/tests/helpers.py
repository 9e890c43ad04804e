"""Logging in through the real two steps in tests (force_login skips both on purpose)."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from kongtun.accounts import totp
from kongtun.accounts.models import User
from kongtun.accounts.services import mfa_device_install
from kongtun.conftest import PASSWORD


def give_device(user: User) -> bytes:
    """A confirmed device with a secret the test knows."""
    secret = totp.new_secret()
    mfa_device_install(user=user, secret=secret)
    return secret


def code(secret: bytes, offset: int = 0) -> str:
    """The app's code now, or `offset` steps away (the server accepts one either side)."""
    return totp.hotp(secret, totp.step_at(time.time()) + offset)


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(
        reverse("accounts-login"), {"username": username, "password": password, **extra}
    )


def code_step(client: Client, typed: str):
    return client.post(reverse("accounts-mfa-code"), {"code": typed})


def logged_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None
