"""Django settings for shinchoku.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL`` — ``sqlite:///path`` or ``postgres://user:pass@host:port/db``. Default: an SQLite
  file under the data folder (embedded default, no server needed).
- ``SHINCHOKU_DATA_DIR`` — data folder (default ``./data`` under the project checkout).
- ``SHINCHOKU_SECRET_KEY`` — required when ``SHINCHOKU_DEBUG`` is off.
- ``SHINCHOKU_DEBUG`` — ``1`` for development (the default), ``0`` in production.
- ``SHINCHOKU_ALLOWED_HOSTS`` — comma-separated host names.
- ``SHINCHOKU_BASE_URL`` — the address people reach shinchoku at (links in reminder e-mails).
- ``SHINCHOKU_EMAIL_BACKEND`` / ``EMAIL_HOST`` / ``EMAIL_PORT`` / ``EMAIL_HOST_USER`` /
  ``EMAIL_HOST_PASSWORD`` / ``EMAIL_USE_TLS`` — reminders; console backend by default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(os.environ.get("SHINCHOKU_DATA_DIR", BASE_DIR / "data"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("SHINCHOKU_DEBUG", True)
SECRET_KEY = os.environ.get("SHINCHOKU_SECRET_KEY") or (
    "insecure-development-key-do-not-use-in-production" if DEBUG else None
)
if not SECRET_KEY:
    raise RuntimeError("SHINCHOKU_SECRET_KEY must be set when SHINCHOKU_DEBUG=0")
ALLOWED_HOSTS = [h for h in os.environ.get("SHINCHOKU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shinchoku.core.middleware.ChangeContextMiddleware",
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
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
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
# The address people reach shinchoku at, for links in reminder e-mails.
SHINCHOKU_BASE_URL = os.environ.get("SHINCHOKU_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
