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


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
