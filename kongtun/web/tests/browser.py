"""What every browser test needs: a real server process on its own database, and Chromium.

The server runs as its own process on its own database (SQLite file, or a fresh database on
the test PostgreSQL server), exactly as `make run` serves it, after `seed` (Python run by
`manage.py shell`) has put in what the test starts from. Screenshots go to test-artifacts/ so
a person can look at what the test saw.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_database(tmp: Path) -> tuple[str, Any]:
    """A fresh database for the server: a new SQLite file, or a new PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}", None
    import psycopg

    name = f"kongtun_browser_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


@contextmanager
def serve(tmp: Path, seed: str) -> Iterator[str]:
    """Migrate a fresh database, run `seed`, serve it with gunicorn; yield the base URL."""
    database_url, drop = _server_database(tmp)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KONGTUN_VAR_DIR": str(tmp / "var"),
        "KONGTUN_ENV_FILE": str(tmp / "none.env"),
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdefghijklmnop",
        "FIELD_ENCRYPTION_KEY": "browser-field-key",
        "BLIND_INDEX_KEY": "browser-index-key",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["shell", "-c", seed]):
        subprocess.run([*manage, *args], env=env, check=True, cwd=ROOT)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kongtun.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if drop:
            drop()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# A known authenticator secret (base32, 160 bits) for the seeds' chairs, treasurers, officers
# and administrators; `device_seed` gives a user a confirmed device with it.
TOTP_SECRET = "KONGTUNBROWSERTESTSECRET234567AB"


def device_seed(*usernames: str) -> str:
    """Python for a seed: give each of these users a confirmed device with TOTP_SECRET."""
    return (
        "from kongtun.accounts.models import User as _User\n"
        "from kongtun.accounts.services import mfa_device_install as _install\n"
        "from kongtun.accounts.totp import from_base32 as _b32\n"
        f"for _name in {list(usernames)!r}:\n"
        f"    _install(user=_User.objects.get(username=_name), secret=_b32({TOTP_SECRET!r}))\n"
    )


# The last step whose code this process typed, per secret: the server takes each code once, so
# a second login within the same 30 seconds must type the next step's code (one step ahead is
# accepted), and a third waits for the clock.
_typed_steps: dict[str, int] = {}


def fresh_code(secret: str) -> str:
    """A code the server has not seen from this process yet."""
    from kongtun.accounts import totp

    key = totp.from_base32(secret)
    while True:
        now = totp.step_at(time.time())
        for step in (now, now + 1):
            if step > _typed_steps.get(secret, -1):
                _typed_steps[secret] = step
                return totp.hotp(key, step)
        time.sleep(1)


def login(
    page: Any, base_url: str, username: str, password: str, totp_secret: str | None = None
) -> None:
    """Log in through the login page; with `totp_secret`, also through the code page.

    Returns once the browser has left the login pages (callers wait for their own landing page).
    """
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    if totp_secret is not None:
        page.wait_for_url("**/accounts/login/code/")
        page.fill("#id_code", fresh_code(totp_secret))
        page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
