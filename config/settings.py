"""Settings for aidledger, read from the environment.

Defaults make `make run` work on a fresh machine (SQLite file in the project folder, debug on).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; an unsafe combination
refuses to start rather than run half-configured.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

# Only good enough for a laptop: with DEBUG off this key is refused below.
DEVELOPMENT_SECRET_KEY = "django-insecure-aidledger-development-only"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
# The same test as `check --deploy` (security.W009): 50 characters or more, at least 5
# different ones, and not a key Django generated as a placeholder.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
if not DEBUG and (
    SECRET_KEY == DEVELOPMENT_SECRET_KEY
    or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is unset, the development default, shorter than "
        f"{SECRET_KEY_MIN_LENGTH} characters, made of fewer than "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters, or starts with "
        "'django-insecure-'. Set SECRET_KEY to a long random value, for example the output of: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DEBUG is off but ALLOWED_HOSTS is empty. Set ALLOWED_HOSTS to the comma-separated "
        "host names the site is served on."
    )
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DEBUG is off but ALLOWED_HOSTS contains '*', which accepts any Host header. Name the "
        "host names the site is served on."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. On by default in production: http is redirected to https, the session and CSRF
# cookies are sent over https only, and browsers are told to insist on https (HSTS).
# HTTPS=0 with DEBUG=0 starts, but `manage.py check --deploy` then lists what is unsafe.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
# includeSubDomains covers hosts below the ledger's own host name, not its parent domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` asks for preload (security.W021). Preloading means submitting a registrable
# domain to the browsers' list (hstspreload.org); an internal ledger's host name is rarely
# that. Set SECURE_HSTS_PRELOAD=1 if yours is.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# The lists' covering indexes (INCLUDE columns, issue 8) are PostgreSQL's, the production
# database; SQLite builds the same indexes on their key columns and ignores INCLUDE
# (models.W040), which is all a small ledger on SQLite needs.
SILENCED_SYSTEM_CHECKS += ["models.W040"]

# Reverse proxies in front of the app (nginx, a load balancer). With one or more, the app
# trusts the X-Forwarded-Proto header they set to tell https from http, and the login
# throttle reads the client's address from X-Forwarded-For (ledger.security.client_ip).
# Only set it when the app cannot be reached except through those proxies: otherwise a
# client could send the headers itself.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Headers on every response (Django's SecurityMiddleware and XFrameOptionsMiddleware).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The Content-Security-Policy header (django-csp) on every response. No 'unsafe-inline'
# anywhere: templates carry no inline script, on*= handler or style attribute; JavaScript
# lives in static/js, styling in static/css (tests/test_security_headers.py checks every page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for the icons inside the admin's stylesheets
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# A login lasts SESSION_COOKIE_AGE seconds (a working day by default), or until the browser
# closes with SESSION_EXPIRE_AT_BROWSER_CLOSE=1.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)

# A refused form (missing or stale CSRF token) explains itself in the user's language.
CSRF_FAILURE_VIEW = "ledger.security.csrf_failure"

INSTALLED_APPS = [
    "ledger.apps.LedgerAdminConfig",  # django.contrib.admin, roles decide who enters
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "csp",
    "ledger.apps.LoginThrottleConfig",  # django-axes
    "django_tasks",
    "django_tasks_db",  # the background queue's table (TASKS below)
    # Ours, from the machinery up (README "Where things are"; import-linter keeps the order).
    "ledger",
    "aidledger",
    "evidence",
    "pairings",
    "projects",
    "periods",
    "summary",
    "sampledata",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ledger.middleware.ChineseFirstLocaleMiddleware",
    # A NUL in the query string is a 400 for every page (PostgreSQL refuses it in a query).
    "ledger.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # With DEBUG on too, a missing page is the site's 404 page, not Django's technical one.
    "ledger.middleware.SiteNotFoundPageMiddleware",
    # The one place that enforces "logged in or nothing": every view needs a login unless it
    # is marked @login_not_required (the login page, the language switch).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Then reading needs a role (ledger.permissions): a 403 page says whom to ask.
    "ledger.middleware.RoleRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Change history (django-simple-history) records the logged-in user who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

# The model of the bodies (working groups) ledger records are kept by: ledger.permissions
# scopes editors to the bodies of their account (the machinery names no app of ours).
LEDGER_BODY_MODEL = "aidledger.Body"
# The model of the team's members, which link accounts to bodies (the accounts admin).
LEDGER_MEMBER_MODEL = "aidledger.Member"
# Reporting periods (periods/) sit below the summary; these name the summary layer's functions
# they call: the summary's JSON as of a day, kept when a period is approved ("as reported"),
# and the data-quality findings of a span (the period's checklist, reminders, the banner).
LEDGER_PERIOD_SNAPSHOT = "summary.selectors.reported_summary"
LEDGER_PERIOD_FINDINGS = "summary.quality.findings"

# E-mail (ledger_reminders): printed to the console unless a backend is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aidledger@localhost")
# The site's address as the reminders' links start (no request to read it from).
LEDGER_SITE_URL = os.environ.get("LEDGER_SITE_URL", "http://127.0.0.1:8000")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two saves at once must both succeed. SQLite's default (deferred) transactions read
    # first and ask for the write lock later; of two overlapping saves, the second to write
    # was refused at once with "database is locked" (a 500). IMMEDIATE takes the write lock at
    # BEGIN, so the later save waits its turn, up to SQLITE_BUSY_TIMEOUT seconds. WAL lets
    # pages be read while a save is being written; synchronous=NORMAL is safe with WAL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes) on the site's and the admin's login alike: after
# LOGIN_FAILURE_LIMIT failures for one username from one address, that username is refused
# from that address for LOGIN_COOLOFF_MINUTES, counted from the failure that locked it
# (attempts during the lock do not extend it). A successful login clears the count.
# The axes backend must come first: it refuses a locked login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "ledger.security.client_ip"
AXES_LOCKOUT_CALLABLE = "ledger.security.login_locked_out"
AXES_VERBOSE = False  # no version banner in every process's log
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence files (evidence/): a private folder outside static/, STATIC_ROOT and any media
# folder, with no URL; files leave it only through the views that check who may see them.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", "").strip() or BASE_DIR / "var" / "evidence")
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# An image upload of more pixels is refused (evidence.files): a few hundred KB of PNG can
# hold 90 megapixels, which take a worker over a gigabyte to decode. 40 megapixels is more
# than a phone's photo; thumbnails stay within 150 MB (evidence.services).
EVIDENCE_MAX_PIXELS = env_int("EVIDENCE_MAX_PIXELS", 40_000_000, minimum=1)
# An evidence upload stops being stored once it passes the limit (evidence/uploads.py); others
# go to memory up to FILE_UPLOAD_MAX_MEMORY_SIZE (Django's default, stated), then to a temp file.
FILE_UPLOAD_HANDLERS = [
    "evidence.uploads.EvidenceSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The non-file part of a request (form fields) stays small; files are limited by the above.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Lists and exports (ledger/listing.py).
LIST_PAGE_SIZES = (25, 50, 100, 200)
LIST_DEFAULT_PAGE_SIZE = 50
# A list without totals counts its filtered rows up to this many, then says "10,000+ rows":
# an exact COUNT(*) over millions of rows would cost more than the page itself.
# A filter over records offers a <select> of at most this many, a search box beyond
# (ledger.lookups), which shows the first LOOKUP_RESULTS matches.
LOOKUP_SELECT_LIMIT = 50
LOOKUP_RESULTS = 20
LIST_COUNT_LIMIT = env_int("LIST_COUNT_LIMIT", 10_000, minimum=1)
EXPORT_CHUNK_ROWS = env_int("EXPORT_CHUNK_ROWS", 2000, minimum=1)
# On PostgreSQL, CSV exports are written by the database (COPY) where every column allows it.
EXPORT_CSV_COPY = env_bool("EXPORT_CSV_COPY", True)

# The data-quality checklist of a reporting period (summary/quality.py, README "Data-quality
# warnings"): a project with money planned and not all paid is flagged when nothing was paid
# from it in this many calendar months up to the period's end (its last month included).
LEDGER_QUALITY = {
    "no_disbursement_months": env_int("QUALITY_NO_DISBURSEMENT_MONTHS", 3, minimum=1),
}

# Imports (ledger/imports/): larger files are refused before they are read.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10_000_000, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
# What a file may hold, checked before and while it is read, so that no small file (an XLSX
# compresses a thousandfold) makes an import read for minutes or hold more than ~300 MB. A
# ledger has fewer than 30 columns: 20,000 rows of 30 cells are 600,000 cells, whose XML
# (shared strings included) unpacks to about 40 MB.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100, minimum=1)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 1_000_000, minimum=1)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env_int("IMPORT_XLSX_MAX_UNPACKED_BYTES", 60_000_000, minimum=1)
IMPORT_XLSX_MAX_SHARED_STRINGS = env_int("IMPORT_XLSX_MAX_SHARED_STRINGS", 1_000_000, minimum=1)
# An uploaded file waits here between the admin's preview and its confirmation, at most
# IMPORT_PENDING_SECONDS; it is named by a random token held in the uploader's session.
IMPORT_PENDING_DIR = Path(
    os.environ.get("IMPORT_PENDING_DIR", "").strip()
    or Path(tempfile.gettempdir()) / "aidledger-imports"
)
IMPORT_PENDING_SECONDS = env_int("IMPORT_PENDING_SECONDS", 3600, minimum=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Change history (django-simple-history). Reverting from the admin's history page is a write
# that would bypass the ledger's rules and the roles' permissions: turned off; a correction is
# made as an ordinary, checked change.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Background work (issue 17): django-tasks, the API Django 6 ships as django.tasks, with its
# database backend: the queue is a table of the ledger's own database, so no broker or extra
# server. `manage.py db_worker` runs the queued tasks (`make run` starts one beside the
# server; README "Background work"). The tests run tasks at once (tests/settings.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Word briefings and assessment packs (reports/). Finished files wait in REPORTS_ROOT, a private
# folder like EVIDENCE_ROOT, for REPORTS_EXPIRY_HOURS, then the worker or `reports_cleanup`
# deletes them. A pack whose evidence files add up to more than REPORTS_PACK_MAX_BYTES is
# refused before it is built. A job still "running" REPORTS_JOB_TIMEOUT_MINUTES after it
# started is taken for a dead worker's and marked failed.
REPORTS_ROOT = Path(os.environ.get("REPORTS_ROOT", "").strip() or BASE_DIR / "var" / "reports")
REPORTS_EXPIRY_HOURS = env_int("REPORTS_EXPIRY_HOURS", 72, minimum=1)
REPORTS_PACK_MAX_BYTES = env_int("REPORTS_PACK_MAX_BYTES", 2 * 1024 * 1024 * 1024, minimum=1)
REPORTS_JOB_TIMEOUT_MINUTES = env_int("REPORTS_JOB_TIMEOUT_MINUTES", 60, minimum=1)
