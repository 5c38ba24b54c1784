"""Django settings for shinchoku.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL`` — ``sqlite:///path`` or ``postgres://user:pass@host:port/db``. Default: an SQLite
  file under the data folder (embedded default, no server needed).
- ``SHINCHOKU_DATA_DIR`` — data folder (default ``./data`` under the project checkout): SQLite file,
  uploads, collected static files, the generated secret key.
- ``SHINCHOKU_DEBUG`` — ``0`` (the default: production behaviour) or ``1`` for development.
- ``SHINCHOKU_SECRET_KEY`` — when unset, a random key is made once into the data folder
  (``core/secret.py``); in production a short or publicly known key is refused.
- ``SHINCHOKU_HTTPS`` — ``1`` behind a TLS reverse proxy: X-Forwarded-Proto trusted, HTTPS redirect,
  secure cookies, HSTS.
- ``SHINCHOKU_ALLOWED_HOSTS`` — comma-separated host names.
- ``SHINCHOKU_BASE_URL`` — the address people reach shinchoku at (links in reminder e-mails sent from
  the command line); ``PORT`` — the port ``scripts/serve.sh`` listens on (default 8000).
- ``SHINCHOKU_EMAIL_BACKEND`` / ``EMAIL_HOST`` / ``EMAIL_PORT`` / ``EMAIL_HOST_USER`` /
  ``EMAIL_HOST_PASSWORD`` / ``EMAIL_USE_TLS`` — reminders; console backend by default.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from shinchoku.core import secret

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(os.environ.get("SHINCHOKU_DATA_DIR", BASE_DIR / "data"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Secure by default: development conveniences (debug pages) only when asked for.
DEBUG = _flag("SHINCHOKU_DEBUG", False)
SECRET_KEY = secret.secret_key(os.environ.get("SHINCHOKU_SECRET_KEY"), DATA_DIR, production=not DEBUG)
ALLOWED_HOSTS = [h for h in os.environ.get("SHINCHOKU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "shinchoku.core",
    "shinchoku.plans",
    "shinchoku.indicators",
    "shinchoku.rounds",
    "shinchoku.evaluations",
    "shinchoku.effects",
    "shinchoku.audits",
    "shinchoku.meetings",
    "shinchoku.procedures",
    "shinchoku.reports",
    "shinchoku.public",
    "shinchoku.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shinchoku.core.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shinchoku.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into the 429 page
]

ROOT_URLCONF = "shinchoku.urls"
WSGI_APPLICATION = "shinchoku.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shinchoku.core.context_processors.tenant",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shinchoku.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the benchmark's readers and an editor's writes overlap; busy timeout instead of
    # "database is locked" when two people save at the same moment.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "shinchoku.core.auth_backends.LoginThrottleBackend",  # django-axes: refuses a locked-out login first
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# WhiteNoise serves the (vendored) static files from the app itself, also with DEBUG off; no CDN.
# scripts/serve.sh collects them into the data folder (gzip copies beside them) at every start.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise reads it at start; collectstatic fills it
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploads: a 20 MB workbook is already far beyond any real plan; refuse bigger ones early.
SHINCHOKU_MAX_UPLOAD_BYTES = int(os.environ.get("SHINCHOKU_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
# What an imported file may hold once read (shinchoku/core/filereaders.py): a 1,000-item plan workbook
# is 1.5 MB unzipped, 8 columns wide and 5,000 rows on its largest sheet.
SHINCHOKU_MAX_UNZIPPED_BYTES = int(os.environ.get("SHINCHOKU_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024))
SHINCHOKU_MAX_SHEET_ROWS = int(os.environ.get("SHINCHOKU_MAX_SHEET_ROWS", 100_000))
SHINCHOKU_MAX_SHEET_COLUMNS = int(os.environ.get("SHINCHOKU_MAX_SHEET_COLUMNS", 1_000))
SHINCHOKU_MAX_IMPORT_CELLS = int(os.environ.get("SHINCHOKU_MAX_IMPORT_CELLS", 2_000_000))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("SHINCHOKU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shinchoku@localhost")
# Links in reminder e-mails (core/notify.py: base_url): the request's own address when sent from the
# web; otherwise SHINCHOKU_BASE_URL; otherwise the local server on PORT.
SHINCHOKU_BASE_URL = os.environ.get("SHINCHOKU_BASE_URL", "")
SHINCHOKU_PORT = int(os.environ.get("PORT") or 8000)

# Behind a TLS reverse proxy (docs/deploy.md). The proxy must set X-Forwarded-Proto and
# X-Forwarded-For (replacing what the client sent). HSTS for a year, for shinchoku's host name and
# the names below it.
SHINCHOKU_HTTPS = _flag("SHINCHOKU_HTTPS", False)
if SHINCHOKU_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): everything from shinchoku itself, no inline script or style
# (no style="" either), no plug-ins, no framing. htmx runs with its inline indicator style off
# (base.html, htmx-config); page behaviour is in static/js/shinchoku.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Failed logins (django-axes, database handler, so that every server process sees the same count):
# 5 failures for one username from one address lock that pair out for 15 minutes — an office that
# reaches shinchoku through one address is not locked out by one person's typos. Every failure is
# logged with username and address (logger "axes"); the attempts are listed in the admin.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS: list[str] = []  # log username and address in clear (the password is always masked)
AXES_LOCKOUT_CALLABLE = "shinchoku.core.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "shinchoku.core.middleware.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
