"""Settings for the union federation portal, read from the environment.

Two shapes, one file:

* the embedded default (no variables set): SQLite and a filesystem Celery broker under ``var/``, so
  ``make run`` needs nothing but Python;
* production and tests: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (broker and cache), plus the
  security switches listed in the README.
"""

from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import environ
from celery.schedules import crontab
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Everything the embedded default writes (database, broker queue, cache, uploads) lives here.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept in var/ for the embedded default."""
    if key := env("SECRET_KEY", default=""):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Number of reverse proxies in front of gunicorn whose X-Forwarded-For may be trusted. With 0 the
# header is ignored, so a client cannot forge the address that login lockout and the audit log record.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "unionportal.core.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "treebeard",
    # The portal's floors, ground up: shared machinery, then members, then the business apps.
    "unionportal.org",
    "unionportal.accounts",
    "unionportal.core",
    "unionportal.notifications",
    "unionportal.payments",
    "unionportal.reconciliation",
    "members",
    "mutualaid",
    "hardship",
    "competitions",
    "rights",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything below, so that it also marks their redirects and refusals (static files never get here).
    "unionportal.core.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "unionportal.accounts.security.IdleTimeoutMiddleware",
    "unionportal.accounts.security.TwoFactorMiddleware",
    "unionportal.accounts.security.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unionportal.accounts.audit.AuditMiddleware",
    # Must stay last: it turns axes' lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionportal.urls"
WSGI_APPLICATION = "unionportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionportal.core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has a web process and a worker writing to one file: WAL lets readers go on
    # while one writes, and IMMEDIATE transactions wait for the lock instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Rendered pieces of pages that depend on nothing but the roles and the language (the menu, choice lists):
# kept in each process's own memory, so that a Redis outage never reaches a page through them.
CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}  # Redis needs none; the health check connects with the same options
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: the embedded default's worker and beat need no server at all.
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # The exchange tables (celery.exchange, celery.pidbox.exchange): kombu's default is ./control, in whatever
        # folder the worker was started from.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # every task is safe to run twice, so a worker crash re-delivers it
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Exactly one beat sends the clocks: the one holding a lease row in the database (unionportal/core/beat.py).
# A second beat waits as a standby and takes over within BEAT_LEASE_SECONDS of the first one dying.
CELERY_BEAT_SCHEDULER = "unionportal.core.beat:LeaderScheduler"
BEAT_LEASE_SECONDS = env.int("BEAT_LEASE_SECONDS", default=60)
# The clocks of the portal. Each entry names a task that takes no arguments, reads only what is due and
# is safe to run twice; one beat sends them (the lease above), however many are started.
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {
        "task": "unionportal.core.tasks.heartbeat",
        "schedule": env.float("HEARTBEAT_SECONDS", default=60.0),
    },
    "members-certificate-alerts": {
        "task": "members.tasks.refresh_certificate_alerts",
        "schedule": crontab(hour=1, minute=10),
    },
    "notifications-send-due": {
        "task": "unionportal.notifications.tasks.send_due_notices",
        "schedule": 60.0,
    },
    "core-purge-rate-limits": {
        "task": "unionportal.core.tasks.purge_rate_limits",
        "schedule": crontab(hour=3, minute=20),
    },
    "mutualaid-settlement-clock": {
        "task": "mutualaid.tasks.settlement_clock",
        "schedule": crontab(hour=7, minute=30),  # before the counters open
    },
    "mutualaid-renewal-reminders": {
        "task": "mutualaid.tasks.renewal_reminders",
        "schedule": crontab(hour=9, minute=0),  # SMS in office hours
    },
    "reporting-monthly-cycle": {
        # Daily, deciding by date: drafts on the 1st, reminders from the 3rd, late marks after the due day.
        "task": "reporting.tasks.monthly_cycle",
        "schedule": crontab(hour=0, minute=30),
    },
    "reconciliation-nightly": {
        # Nightly, after the day's bank results: batches add up, paid lines are marked paid, caps and budgets hold.
        "task": "unionportal.reconciliation.tasks.reconcile_money",
        "schedule": crontab(hour=2, minute=40),
    },
    "reporting-bulletin-clock": {
        # Daily: on or after the ranking rule's bulletin day, publishes last month's bulletin if city staff have not.
        "task": "reporting.tasks.bulletin_clock",
        "schedule": crontab(hour=8, minute=0),
    },
}
# /healthz calls the worker down when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = timedelta(minutes=3)

# --- Accounts and login security (等保 2.0) --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "unionportal.accounts.backends.RoleBackend",
    "members.backends.MemberLoginBackend",  # members: ID number or phone + password
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "unionportal.accounts.security.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "unionportal.accounts.passwords.NotCurrentPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock a username at one address after 5 failures; the lock lasts 30 minutes. Locking by the pair, not
# by address alone, means one clerk's typos never lock the whole service hall behind one NAT address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCK_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "unionportal.accounts.security.axes_client_ip"
# A member's ID number and phone count as one username; unknown ID numbers are counted under a keyed hash.
AXES_USERNAME_CALLABLE = "members.backends.axes_username"
AXES_VERBOSE = False
# Password spraying (many usernames from one address): sign-in from an address pauses after this many failures
# of any usernames in the window, counted in the database (security.sign_in_refused_here). High enough that a
# service hall behind one NAT address does not reach it through typos (axes locks each username at 5 anyway).
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=50)
LOGIN_FAILURES_WINDOW_MINUTES = env.int("LOGIN_FAILURES_WINDOW_MINUTES", default=15)

# Idle staff sessions end after 30 minutes without a request; SESSION_COOKIE_AGE bounds a working day.
IDLE_TIMEOUT = timedelta(minutes=env.int("IDLE_TIMEOUT_MINUTES", default=30))
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor (TOTP) is open to every staff account; for these roles it is required unless relaxed
# (the demo relaxes it so that every demo account can sign in with its password alone).
OTP_REQUIRED_ROLES = ["city_admin", "security_admin"]
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Union Portal")

# --- HTTPS and cookies (all on in production; see README) -----------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images from this server only; no inline
# script and no on…= handler anywhere (templates bind behaviour with data-attributes, static/js/portal.js).
# Style *attributes* stay allowed (style-src-attr): a few templates size a box or a progress bar with one, and
# an attribute styles its own element only: it cannot select other elements or read a page the way an
# injected <style> sheet can, and <style> elements are refused (style-src-elem falls back to style-src).
# data: images are the small SVGs Bootstrap's stylesheet draws its form controls with.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
CSRF_FAILURE_VIEW = "unionportal.core.views.csrf_failure"

# --- Language, time, formats ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["unionportal.formats"]

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads (claim scans, rosters and their error files, attachments, certificates) go through the default
# storage, which every web node and worker reads: rows of the database by default, on PostgreSQL and on the
# embedded SQLite alike (README, "Stored files"). They hold personal data: never served from a public URL,
# only through views that check the viewer's scope.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="unionportal.core.storage.DatabaseStorage")
STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Where files uploaded before the database storage lie; `manage.py import_media` copies them in.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Audit trail ----------------------------------------------------------------------------------
AUDITLOG_MASK_CALLABLE = "unionportal.accounts.audit.mask_value"
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Rows are never deleted by the application; the database refuses it on PostgreSQL. The auditor's
# pages promise at least this much history (Cybersecurity Law art. 21: six months).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)

# --- JSON API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "unionportal.accounts.api_auth.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "EXCEPTION_HANDLER": "unionportal.core.api.errors.handle",
    "PAGE_SIZE": 50,
}
# API tokens (django-rest-knox): stored as hashes, one per sign-in, revocable (POST /api/v1/auth/logout/ and
# logout-all/), revoked when the password changes. A token unused for API_TOKEN_IDLE_HOURS expires; each use
# pushes the expiry on (at most once a minute), but never past API_TOKEN_MAX_DAYS after it was issued.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_IDLE_HOURS", default=12)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.int("API_TOKEN_MAX_DAYS", default=30)),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",  # the header programs already send: "Authorization: Token <token>"
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Union Portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Notices --------------------------------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="unionportal.notifications.sms.ConsoleBackend")
# The outbox: attempts before a notice is given up (1, 2, 4, 8 … minutes apart), and how long a row may stay
# "sending" before the sweep takes it for a crashed worker's and sends it again.
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=5)
NOTICE_SENDING_TIMEOUT = timedelta(minutes=env.int("NOTICE_SENDING_TIMEOUT_MINUTES", default=5))

# --- Members and unions (DOMAIN.md §2-3) -----------------------------------------------------------
MEMBER_NUMBER_PREFIX = env("MEMBER_NUMBER_PREFIX", default="611000")
# The workbench lists certificates expiring within this many days (shown in the alert). The 30 days to report a
# change are fixed by regulation: ``unionportal.org.models.CHANGE_REPORT_DAYS``.
CERTIFICATE_EXPIRY_WARNING_DAYS = env.int("CERTIFICATE_EXPIRY_WARNING_DAYS", default=60)
DRIVE_MIN_EMPLOYEES = env.int("DRIVE_MIN_EMPLOYEES", default=25)  # the organising drive's ledger threshold
DRIVE_IMPORT_MAX_ROWS = env.int("DRIVE_IMPORT_MAX_ROWS", default=20_000)  # one enterprise list upload
ROSTER_ASYNC_ROWS = env.int("ROSTER_ASYNC_ROWS", default=1000)  # larger rosters run as a Celery task
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=100_000)  # one upload; larger files are refused
MEMBER_SEARCH_LIMIT = 50  # name search shows at most this many matches

# --- Mutual aid (DOMAIN.md §4) ---------------------------------------------------------------------
# The city-approval threshold, the settlement reminder days and the renewal reminder days (续保提示) are on each
# plan version (rows the federation edits), not here.
# The claim status check without an account: at most this many tries per ID number and per address.
STATUS_CHECK_PER_ID = env.int("STATUS_CHECK_PER_ID", default=5)
STATUS_CHECK_PER_ADDRESS = env.int("STATUS_CHECK_PER_ADDRESS", default=20)
STATUS_CHECK_WINDOW_MINUTES = env.int("STATUS_CHECK_WINDOW_MINUTES", default=15)
# Member accounts online: codes printed at the counter last days, codes sent by SMS minutes; activation and
# code attempts are limited per ID number and per address like the status check.
ACCOUNT_COUNTER_CODE_DAYS = env.int("ACCOUNT_COUNTER_CODE_DAYS", default=7)
ACCOUNT_SMS_CODE_MINUTES = env.int("ACCOUNT_SMS_CODE_MINUTES", default=10)
ACCOUNT_TRIES_PER_ID = env.int("ACCOUNT_TRIES_PER_ID", default=5)
ACCOUNT_TRIES_PER_ADDRESS = env.int("ACCOUNT_TRIES_PER_ADDRESS", default=20)
ACCOUNT_TRIES_WINDOW_MINUTES = env.int("ACCOUNT_TRIES_WINDOW_MINUTES", default=15)
CLAIM_DOCUMENT_MAX_BYTES = env.int("CLAIM_DOCUMENT_MAX_BYTES", default=10_000_000)  # one scanned material

# --- Monthly figures (DOMAIN.md §7) ----------------------------------------------------------------
# The due, reminder and bulletin days are rows: the year's catalogue (due_day, remind_day) and ranking rule
# (bulletin_day), edited by the federation, not set here.

# --- The portal itself ----------------------------------------------------------------------------
# Shown in the header; empty means the translated default name (the demo city, Shangluo).
PORTAL_TITLE = env("PORTAL_TITLE", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
