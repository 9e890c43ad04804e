"""Settings fail safe: production refuses weak configuration, and SQLite must be durable.

Settings are read once per process, so anything about their production behaviour runs in a
fresh interpreter (a subprocess) or re-executes settings.py (runpy) under a controlled
environment that holds none of the test run's own variables.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler

from kongtun.web.dbcheck import check_sqlite_connection

ROOT = Path(settings.BASE_DIR)
SETTINGS_PY = ROOT / "kongtun" / "settings.py"
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def _settings_variables() -> set[str]:
    text = SETTINGS_PY.read_text(encoding="utf-8")
    found = set(re.findall(r'\benv(?:str|bool|int|list)\(\s*"([A-Z][A-Z0-9_]*)"', text))
    found |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]*)"', text))
    found |= set(re.findall(r'\b_secret\(\s*"([A-Z][A-Z0-9_]*)"', text))
    return found


SETTINGS_VARIABLES = _settings_variables()


def _env(tmp_path: Path, **values: str | None) -> dict[str, str]:
    """The current environment without any variable settings.py reads, plus `values`.

    The variables come from our own test run (pytest-env keys, FAST_PASSWORD_HASHER, the
    PostgreSQL run's DATABASE_URL), so a leak would make these tests pass for the wrong reason.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and name.removesuffix("_FILE") not in SETTINGS_VARIABLES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kongtun.settings",
        KONGTUN_VAR_DIR=str(tmp_path / "var"),
        KONGTUN_ENV_FILE=str(tmp_path / "no-such-file.env"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'kongtun.sqlite3'}",
    )
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _production(tmp_path: Path, **values: str | None) -> dict[str, str]:
    production: dict[str, str | None] = {
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "fund.example.org",
    }
    production.update(values)
    return _env(tmp_path, **production)


def _python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings_module(tmp_path: Path, **values: str) -> dict[str, Any]:
    """Execute settings.py afresh, in this process, under the environment `_env` gives."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(_env(tmp_path, **values))
        return runpy.run_path(str(SETTINGS_PY))
    finally:
        # settings.py also writes to os.environ (the env file's values): undo all of it.
        os.environ.clear()
        os.environ.update(saved)


# --- the list of variables --------------------------------------------------------------------


def test_env_example_lists_every_variable_settings_read():
    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG", "KONGTUN_VAR_DIR"} <= SETTINGS_VARIABLES
    listed = set(
        re.findall(
            r"^#?([A-Z][A-Z0-9_]*)=",
            (ROOT / ".env.example").read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    )
    assert SETTINGS_VARIABLES - listed == set(), "missing from .env.example"
    assert listed - SETTINGS_VARIABLES == set(), "listed in .env.example but never read"


# --- (a) Django's deployment checklist ----------------------------------------------------------


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = _python(
        _production(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # "0 silenced": no warning was made to pass by adding it to SILENCED_SYSTEM_CHECKS.
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_fails_when_https_is_off(tmp_path):
    """The check above can fail: plain HTTP in production is reported."""
    result = _python(
        _production(tmp_path, HTTPS="false"),
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W008" in output  # SECURE_SSL_REDIRECT
    assert "security.W012" in output  # SESSION_COOKIE_SECURE


# --- (b) SQLite durability ----------------------------------------------------------------------


@pytest.fixture
def sqlite_config(tmp_path) -> dict[str, Any]:
    """The database settings Kongtun builds for an SQLite file (whatever this run is on)."""
    module = _settings_module(tmp_path, DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/app.db")
    config: dict[str, Any] = module["DATABASES"]["default"]
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    return config


def _connect(config: dict[str, Any], django_db_blocker: Any) -> Any:
    """Open a connection the way Django does, so the app's connection_created check runs."""
    wrapper = ConnectionHandler({"default": config})["default"]
    try:
        with django_db_blocker.unblock():
            wrapper.ensure_connection()
    finally:
        if wrapper.connection is not None:
            wrapper.connection.close()
            wrapper.connection = None
    return wrapper


def _replace(init_command: str, pragma: str, value: str) -> str:
    statements = [s.strip() for s in init_command.split(";") if s.strip()]
    assert f"PRAGMA {pragma}" in " ".join(statements)
    kept = [s for s in statements if not s.startswith(f"PRAGMA {pragma}")]
    return " ".join(f"{s};" for s in [*kept, f"PRAGMA {pragma}={value}"])


def test_it_accepts_the_configured_sqlite_connection(sqlite_config, django_db_blocker):
    assert sqlite_config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    wrapper = ConnectionHandler({"default": sqlite_config})["default"]
    with django_db_blocker.unblock():
        try:
            wrapper.ensure_connection()  # the app's check has run and accepted it
            check_sqlite_connection(wrapper)
            raw = wrapper.connection
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        finally:
            wrapper.close()


@pytest.mark.parametrize(
    ("pragma", "value", "found"),
    [
        ("journal_mode", "DELETE", "'journal_mode': 'delete'"),
        ("synchronous", "NORMAL", "'synchronous': '1'"),
        # Django turns foreign keys on by itself; init_command runs after and can turn them off.
        ("foreign_keys", "OFF", "'foreign_keys': '0'"),
    ],
)
def test_it_refuses_sqlite_without_a_durability_pragma(
    sqlite_config, django_db_blocker, pragma, value, found
):
    options = sqlite_config["OPTIONS"]
    options["init_command"] = _replace(options["init_command"], pragma, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(f"found {{{found}}}")):
        _connect(sqlite_config, django_db_blocker)


def test_it_refuses_sqlite_with_no_options(sqlite_config, django_db_blocker):
    sqlite_config["OPTIONS"] = {}
    with pytest.raises(ImproperlyConfigured, match="Kongtun refuses this SQLite database"):
        _connect(sqlite_config, django_db_blocker)


def test_it_refuses_sqlite_without_immediate_transactions(sqlite_config, django_db_blocker):
    del sqlite_config["OPTIONS"]["transaction_mode"]
    with pytest.raises(ImproperlyConfigured, match="IMMEDIATE"):
        _connect(sqlite_config, django_db_blocker)


def test_it_refuses_an_in_memory_sqlite_database(sqlite_config, django_db_blocker):
    sqlite_config["NAME"] = ":memory:"
    with pytest.raises(ImproperlyConfigured, match="'journal_mode': 'memory'"):
        _connect(sqlite_config, django_db_blocker)


def test_the_app_will_not_start_on_an_in_memory_database(tmp_path):
    # kongtun.wsgi opens the database at import, so gunicorn stops at start-up.
    bad = _python(
        _production(tmp_path, DATABASE_URL="sqlite://:memory:"), "-c", "import kongtun.wsgi"
    )
    assert bad.returncode != 0
    assert "Kongtun refuses this SQLite database" in bad.stderr
    good = _python(_production(tmp_path), "-c", "import kongtun.wsgi")
    assert good.returncode == 0, good.stderr


# --- (c) secrets are required in production -----------------------------------------------------


@pytest.mark.parametrize("debug", ["false", None])
@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"])
def test_settings_refuse_to_load_without_a_key_when_debug_is_off(tmp_path, missing, debug):
    result = _python(
        _production(tmp_path, DEBUG=debug, **{missing: None}), "-c", "import kongtun.settings"
    )
    assert result.returncode != 0
    assert (
        f"django.core.exceptions.ImproperlyConfigured: {missing} must be set when DEBUG is off"
        in result.stderr
    )


def test_settings_load_with_every_key_set(tmp_path):
    """The control for the test above: the same environment with all keys loads."""
    result = _python(_production(tmp_path), "-c", "import kongtun.settings")
    assert result.returncode == 0, result.stderr


# --- (d) passwords ------------------------------------------------------------------------------


def test_argon2_hashes_passwords_in_production(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password\n"
        "print(settings.PASSWORD_HASHERS[0])\n"
        "print(make_password('a long pass phrase').split('$')[0])\n"
    )
    result = _python(_production(tmp_path), "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [ARGON2, "argon2"]


# --- (e) PostgreSQL keeps connections -----------------------------------------------------------


def test_postgresql_connections_are_persistent(tmp_path):
    module = _settings_module(
        tmp_path,
        DEBUG="true",
        DATABASE_URL="postgres://kongtun:pw@127.0.0.1:5432/kongtun",
    )
    database = module["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


# --- the local secrets file ---------------------------------------------------------------------


def test_make_run_writes_the_keys_once_and_settings_use_them(tmp_path):
    env_file = tmp_path / "kongtun.env"
    script = [str(ROOT / "scripts" / "make-env-file.sh"), str(env_file)]
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run(script, check=True, env=env, capture_output=True)
    first = env_file.read_text(encoding="utf-8")
    assert env_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    subprocess.run(script, check=True, env=env, capture_output=True)
    assert env_file.read_text(encoding="utf-8") == first  # a rerun keeps the keys

    keys = dict(re.findall(r"^([A-Z_]+)=(.+)$", first, re.MULTILINE))
    assert keys.keys() == {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"}
    assert len(set(keys.values())) == 3 and all(len(v) >= 40 for v in keys.values())

    module = _settings_module(tmp_path, DEBUG="false", KONGTUN_ENV_FILE=str(env_file))
    assert module["SECRET_KEY"] == keys["SECRET_KEY"]
    assert module["FIELD_ENCRYPTION_KEY"] == keys["FIELD_ENCRYPTION_KEY"]
    assert module["BLIND_INDEX_KEY"] == keys["BLIND_INDEX_KEY"]
