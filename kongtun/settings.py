"""Kongtun's one settings module: every knob is an environment variable (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kongtun.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KONGTUN_VAR_DIR", BASE_DIR / "var"))


def _load_env_file(path: Path) -> None:
    # `make run` writes generated secrets here once, so a laptop install keeps the same keys
    # across restarts without anyone typing them. Real environment variables always win.
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_env_file(Path(os.environ.get("KONGTUN_ENV_FILE", VAR_DIR / "kongtun.env")))

DEBUG = envbool("DEBUG", False)
# On a laptop the app is served over plain HTTP on loopback; anywhere else it must sit behind HTTPS.
HTTPS = envbool("HTTPS", not DEBUG)

_DEV_ONLY = "dev-only-insecure-"


def _secret(name: str) -> str:
    value = envstr(name)
    if value:
        return value
    if DEBUG:
        return _DEV_ONLY + name.lower() + "-0123456789abcdef0123456789abcdef"
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example)")


SECRET_KEY = _secret("SECRET_KEY")
# Keys for national IDs: one encrypts them at rest, the other makes the keyed look-up index.
FIELD_ENCRYPTION_KEY = _secret("FIELD_ENCRYPTION_KEY")
BLIND_INDEX_KEY = _secret("BLIND_INDEX_KEY")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # django.contrib.admin, with its login page sent to ours (the two-step login).
    "kongtun.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "axes",
    "kongtun.web",
    "kongtun.geo",
    "kongtun.accounts",
    "kongtun.audit",
    "kongtun.funds",
    "kongtun.members",
    "kongtun.ledger",
    "kongtun.contributions",
    "kongtun.welfare",
    "kongtun.network",
    "kongtun.indicators",
    "kongtun.codiforms",
    "kongtun.vetting",
    "kongtun.outcomes",
    "kongtun.exchange",
    "kongtun.public",
    "kongtun.privacy",
    "kongtun.demo",
    "kongtun.backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content security and permissions policies on every response, error pages included.
    "kongtun.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kongtun.web.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kongtun.accounts.sessions.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, because it calls the view itself inside the fund's scope.
    "kongtun.funds.tenancy.FundScopeMiddleware",
]

ROOT_URLCONF = "kongtun.urls"
WSGI_APPLICATION = "kongtun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            "builtins": ["kongtun.web.templatetags.thai"],
        },
    }
]

FORM_RENDERER = "kongtun.web.forms.Renderer"

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kongtun.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL with synchronous=FULL keeps every acknowledged commit through a power cut, and
    # IMMEDIATE transactions take the write lock up front so two writers never deadlock.
    # kongtun.web.dbcheck refuses any connection where these did not take effect.
    _db["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
    # Tests need a file, not memory: an in-memory database cannot run in WAL mode.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-kongtun.sqlite3")}
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "web-home"
LOGOUT_REDIRECT_URL = "accounts-login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if envbool("FAST_PASSWORD_HASHER", False):
    # Tests only: Argon2 is deliberately slow, and the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lock per (user name, real client) also behind the proxy, where REMOTE_ADDR is
# the proxy for everyone (kongtun/accounts/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "kongtun.accounts.client_ip.axes_client_ip"

SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age above is then an idle timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Two-step login and session limits (kongtun/accounts) ------------------------------------
# Chairs, treasurers, officers and administrators log in with a code from an authenticator app
# (kongtun.accounts.selectors.mfa_required). Their sessions end sooner when idle, and every
# session ends after an absolute limit (kongtun.accounts.sessions).
MFA_FAILURE_LIMIT = AXES_FAILURE_LIMIT
MFA_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
MFA_PENDING_SECONDS = 5 * 60  # between the password and the code
SESSION_PRIVILEGED_IDLE_MINUTES = envint("SESSION_PRIVILEGED_IDLE_MINUTES", 15)
SESSION_ABSOLUTE_HOURS = envint("SESSION_ABSOLUTE_HOURS", 12)
# Password and code attempts per minute from one address, whatever the user names.
LOGIN_RATE_PER_MINUTE = envint("LOGIN_RATE_PER_MINUTE", 20)
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind our reverse proxy the client is the right-most X-Forwarded-For entry (the public
# look-ups count clients by it) and the proxy says whether the request came over HTTPS.
BEHIND_PROXY = envbool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: a member register is small; anything larger is refused before it is parsed.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and envbool("STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# --- Backups (docs/backup.md) ----------------------------------------------------------------
# The passphrase scheduled backups are encrypted with; kept in the environment (kongtun.env),
# never in the database. Restores ask for it (or read --passphrase-file).
BACKUP_PASSPHRASE = envstr("BACKUP_PASSPHRASE")
# The in-process backup runner: only the web server's environment turns it on.
BACKUP_SCHEDULER = envbool("BACKUP_SCHEDULER", False)
# First part of backup file names (the installation, never a fund or a person).
BACKUP_NAME = envstr("BACKUP_NAME", "kongtun")
# Folder of pg_dump/pg_restore, when they are not where pg_config or Debian puts them.
PG_BINDIR = envstr("PG_BINDIR")
