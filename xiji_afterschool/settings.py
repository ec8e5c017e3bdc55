"""Settings for Xiji After-School. Every knob is an environment variable (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET_KEY = "dev-only-placeholder-secret-key-change-me"  # noqa: S105 — refused when DEBUG is off


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", PLACEHOLDER_SECRET_KEY)
if not DEBUG and (SECRET_KEY == PLACEHOLDER_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])

# Resident ID numbers and mobiles are encrypted at rest (xiji_afterschool/crypto.py, issue 14 item 6). Field keys:
# comma-separated, the first encrypts, all decrypt (rotation: README, Encryption at rest). The lookup key makes the keyed
# hashes that find and de-duplicate them. With DEBUG on and nothing set: fixed development keys; with DEBUG off and
# nothing set: the system check xiji.E001 refuses to start (check --deploy, migrate, runserver).
XIJI_FIELD_KEYS = env_list("XIJI_FIELD_KEYS", [])
XIJI_LOOKUP_KEY = os.environ.get("XIJI_LOOKUP_KEY", "")
if DEBUG and not XIJI_FIELD_KEYS:
    from xiji_afterschool.crypto import DEV_FIELD_KEY

    XIJI_FIELD_KEYS = [DEV_FIELD_KEY]
if DEBUG and not XIJI_LOOKUP_KEY:
    from xiji_afterschool.crypto import DEV_LOOKUP_KEY

    XIJI_LOOKUP_KEY = DEV_LOOKUP_KEY

INSTALLED_APPS = [
    "xiji_afterschool.adminapps.GuardedAdminConfig",  # django.contrib.admin with the second factor (adminsite.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",  # django-csp: registers its settings checks
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "xiji_afterschool",
    "schools",
    "enrollment",
    "funding",
    "safety",
    "xiji_afterschool.bureau",
]

MIDDLEWARE = [
    # First, so it compresses what every later middleware wrote: pages go out gzipped to a slow phone (issue 15 §6).
    # Django's GZip pads each response with random bytes (Heal The Breach), and the CSRF token is masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "csp.middleware.CSPMiddleware",
    # after authentication: a signed-in reader's pages and every file are no-store (xiji_afterschool/headers.py)
    "xiji_afterschool.headers.SecurityHeadersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # after authentication: keeps the request (the person, the client's address) for the audit trail's writer
    "xiji_afterschool.auditing.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiji_afterschool.sessions.SessionLimitsMiddleware",
    # after the session limits: an expired session is signed out before it is sent to change its password
    "xiji_afterschool.sessions.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout flagged by the axes backend into the Chinese page
]

ROOT_URLCONF = "xiji_afterschool.urls"
WSGI_APPLICATION = "xiji_afterschool.wsgi.application"

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
                "xiji_afterschool.context_processors.navigation",
            ],
        },
    },
]

# Database: a SQLite file on a laptop, PostgreSQL (psycopg2) in production and CI.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection the database dropped (a restart) is replaced at the next request, not failed on.
        conn_health_checks=True,
    )
}
# PostgreSQL session settings of every connection (libpq's `options`), a deployment's to change. JIT off by default:
# the short page queries never gain from it, and where a misestimate lifts one past jit_above_cost it paid 55 ms of
# compiling for 7 ms of work (issue 16; docs/scaling.md). Add e.g. "-c work_mem=16MB" where a report sorts to disk.
DATABASE_SESSION_OPTIONS = os.environ.get("DATABASE_SESSION_OPTIONS", "-c jit=off").strip()
if DATABASE_SESSION_OPTIONS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = DATABASE_SESSION_OPTIONS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
# The axes backend first: every login form (the app's /login/, /admin/login/, any later API) passes through it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "schools.services.accounts.MobileOrUsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# 等保2.0 identity checks (issue 13 §2), the same for staff and parents: see schools/rules/passwords.py.
PASSWORD_MAX_LENGTH = int(os.environ.get("PASSWORD_MAX_LENGTH", "128"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "mobile")},
    },
    {"NAME": "schools.rules.passwords.NotIdentifierValidator"},
    {"NAME": "schools.rules.passwords.ComplexityValidator", "OPTIONS": {"min_length": 8, "min_classes": 3}},
    {"NAME": "schools.rules.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": PASSWORD_MAX_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The client address: REMOTE_ADDR unless this many reverse proxies we run stand in front (each appends the address
# it saw to X-Forwarded-For; the client is the one the outermost trusted proxy saw). Never a client-chosen header.
XIJI_TRUSTED_PROXIES = int(os.environ.get("XIJI_TRUSTED_PROXIES", "0"))

# Failed-login throttle (django-axes): per account (the normalised login: a mobile in any spelling is one account)
# and per client address, the same counters for /login/ and /admin/login/. Counters live in the database, so a
# Redis outage neither breaks sign-in nor lifts the throttle.
AXES_FAILURE_LIMIT = int(os.environ.get("XIJI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("XIJI_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "schools.services.accounts.axes_username"
AXES_CLIENT_IP_CALLABLE = "xiji_afterschool.clients.client_address"
AXES_LOCKOUT_CALLABLE = "schools.views.accounts.locked_out"
AXES_RESET_ON_SUCCESS = False  # our user_logged_in receiver clears the account's counter only (schools/signals.py)
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept (with whether it locked), beside axes' success log
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken"]

# The admin's second factor (TOTP, django-otp): on by default in production. Enrol: manage.py totp_enrol <username>.
XIJI_ADMIN_OTP = env_bool("XIJI_ADMIN_OTP", not DEBUG)
OTP_TOTP_ISSUER = "Xiji After-School"

# Sessions: an idle limit and an absolute lifetime, each for staff and for parents (a user whose only role is
# parent); xiji_afterschool/sessions.py enforces them. The cookie lives as long as the longest of them.
XIJI_IDLE_MINUTES_STAFF = int(os.environ.get("XIJI_IDLE_MINUTES_STAFF", "30"))
XIJI_IDLE_MINUTES_PARENT = int(os.environ.get("XIJI_IDLE_MINUTES_PARENT", str(7 * 24 * 60)))
XIJI_SESSION_MAX_HOURS = int(os.environ.get("XIJI_SESSION_MAX_HOURS", "12"))
XIJI_SESSION_MAX_HOURS_PARENT = int(os.environ.get("XIJI_SESSION_MAX_HOURS_PARENT", str(30 * 24)))
SESSION_COOKIE_AGE = max(XIJI_SESSION_MAX_HOURS, XIJI_SESSION_MAX_HOURS_PARENT) * 3600

# Redis: broker and cache when set; otherwise tasks run eagerly and the cache is local memory.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Background jobs survive a crash (xiji_afterschool/jobs.py): a task is acknowledged when it ends, and a worker
# killed mid-task gives its message back; the stale-job sweep below queues again a job whose worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers keep the project's log handlers (the day files) instead of installing Celery's own on the root.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis hands an unacknowledged message to another worker after this long: longer than any job's time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 3, "socket_timeout": 10}
CELERY_BROKER_CONNECTION_TIMEOUT = 3  # requesting a job with Redis down answers within seconds
# A worker process that grew past this (KiB) is replaced after its task: a heavy workbook cannot starve the next.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("XIJI_WORKER_MAX_MEMORY_KB", str(400 * 1024)))
XIJI_JOB_STALE_MINUTES = int(os.environ.get("XIJI_JOB_STALE_MINUTES", "5"))  # no heartbeat for this long: dead
XIJI_JOB_MAX_ATTEMPTS = int(os.environ.get("XIJI_JOB_MAX_ATTEMPTS", "3"))  # runs before a job is FAILED for good
XIJI_JOB_SOFT_TIME_LIMIT = int(os.environ.get("XIJI_JOB_SOFT_TIME_LIMIT", "300"))  # seconds; the job fails cleanly
XIJI_JOB_TIME_LIMIT = XIJI_JOB_SOFT_TIME_LIMIT + 60  # then the worker process is killed (and the sweep takes over)
# Roster import (parsed in a worker): an .xlsx is a zip; its unpacked size is checked before it is opened.
XIJI_IMPORT_MAX_UNPACKED_MB = int(os.environ.get("XIJI_IMPORT_MAX_UNPACKED_MB", "20"))
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic jobs, all in one place (times are Asia/Shanghai).
CELERY_BEAT_SCHEDULE = {
    "activate-due-placements": {
        "task": "enrollment.activate_due_placements_task",
        "schedule": crontab(hour=5, minute=30),  # before the school day: placed children become attending
    },
    "raise-late-pickups": {
        "task": "safety.raise_late_pickups_task",
        "schedule": crontab(),  # every minute: a child not collected 15 minutes after the session is told at once
    },
    "release-held-text-messages": {
        "task": "schools.release_held_text_messages_task",
        "schedule": crontab(minute="*/5"),  # quiet hours over: held texts go out; a lost queued text is sent again
    },
    "escalate-overdue-hazards": {
        "task": "safety.escalate_overdue_hazards_task",
        "schedule": crontab(hour=7, minute=0),  # R31: a hazard past its deadline goes to the bureau, once
    },
    "refresh-console": {
        "task": "bureau.refresh_console_nightly_task",
        "schedule": crontab(hour=2, minute=30),  # R34: the console's numbers for every school, after the day's logs
    },
    "send-deadline-reminders": {
        "task": "bureau.send_deadline_reminders_task",
        "schedule": crontab(hour=7, minute=30),  # plans, claims, reports, rectifications due soon or overdue
    },
    "sweep-stale-jobs": {
        "task": "xiji_afterschool.sweep_stale_jobs_task",
        "schedule": crontab(minute="*/2"),  # a job whose worker died is queued again or failed, never "running"
    },
    "retention-sweep": {
        "task": "schools.retention_sweep_task",
        "schedule": crontab(
            hour=3, minute=15
        ),  # issue #14: delete or anonymise what is kept longer than the county says
    },
    "send-flag-digest": {
        "task": "bureau.send_flag_digest_task",
        "schedule": crontab(hour=7, minute=45),  # R12: confirmed flags waiting for the county's review, once a day
    },
}

# Text messages (SMS): the one sender class (xiji_afterschool/sms.py says how a real provider plugs in).
SMS_SENDER = os.environ.get("XIJI_SMS_SENDER", "").strip() or "xiji_afterschool.sms.ConsoleSender"
# One-time codes that prove a mobile (issue 14, schools/services/verification.py): how long a code lives, wrong tries
# per code, and how many codes a mobile number and a client address may ask for.
XIJI_SMS_CODE_MINUTES = int(os.environ.get("XIJI_SMS_CODE_MINUTES", "5"))
XIJI_SMS_CODE_ATTEMPTS = int(os.environ.get("XIJI_SMS_CODE_ATTEMPTS", "5"))
XIJI_SMS_CODE_INTERVAL_SECONDS = int(os.environ.get("XIJI_SMS_CODE_INTERVAL_SECONDS", "60"))  # per mobile
XIJI_SMS_CODE_PER_MOBILE_DAY = int(os.environ.get("XIJI_SMS_CODE_PER_MOBILE_DAY", "5"))
XIJI_SMS_CODE_PER_ADDRESS_HOUR = int(os.environ.get("XIJI_SMS_CODE_PER_ADDRESS_HOUR", "10"))

# Internationalisation: Simplified Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
# One way to write a date per language, on every page (#15 item 5): xiji_afterschool/formats/{zh_Hans,en}/formats.py.
FORMAT_MODULE_PATH = ["xiji_afterschool.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# Static files compressed (gzip) and with hashed names cached for a year, by whitenoise: in production and in the
# demo (`make demo` collects them first and sets XIJI_COMPRESSED_STATIC=1); plain files only for a developer's
# runserver and the tests, which do not run collectstatic.
XIJI_COMPRESSED_STATIC = env_bool("XIJI_COMPRESSED_STATIC", not DEBUG)
# Files on disk are readable by the service account only (issue #14 item 4): every stored file (uploads, exports,
# letters: FileSystemStorage applies both modes on save) and every folder made for one. Files written by code outside
# the storage (the log files, a command's output) are opened with the same mode.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if XIJI_COMPRESSED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not XIJI_COMPRESSED_STATIC  # compressed: only what collectstatic wrote
WHITENOISE_AUTOREFRESH = not XIJI_COMPRESSED_STATIC
# Production links hashed names, cached for a year ("immutable"); the demo runs with DEBUG, where Django links the
# plain names: an hour, then a cheap 304.
WHITENOISE_MAX_AGE = 3600 if XIJI_COMPRESSED_STATIC else 0

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security: strict in production, relaxed only for the laptop default.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): our own files only, and nothing inline — no <script> or <style> blocks, no
# style="" or on…="" attributes (tests/test_headers.py scans the templates). data: images are Bootstrap's icons and
# the inspection report's thumbnails.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Logs (issue 13 §3): the console and one file a day, kept XIJI_LOG_RETENTION_DAYS (at least 180, the
# Cybersecurity Law's minimum); personal numbers masked in every line; a 4xx is one line, a 5xx has its traceback.
XIJI_LOG_DIR = os.environ.get("XIJI_LOG_DIR", str(BASE_DIR / "logs"))
XIJI_LOG_RETENTION_DAYS = max(180, int(os.environ.get("XIJI_LOG_RETENTION_DAYS", "1095")))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_4xx": {"()": "xiji_afterschool.logs.OneLineForClientErrors"}},
    "formatters": {
        "plain": {
            "()": "xiji_afterschool.logs.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line_4xx"]},
        "file": {
            "()": "xiji_afterschool.logs.DailyFileHandler",
            "directory": XIJI_LOG_DIR,
            "retention_days": XIJI_LOG_RETENTION_DAYS,
            "formatter": "plain",
            "filters": ["one_line_4xx"],
        },
    },
    # Everything reaches the two handlers through the root (so pytest's caplog sees it too); the named loggers
    # only set how much they say. Django's own handlers are replaced: every 5xx with its traceback, DEBUG off too.
    "root": {"handlers": ["console", "file"], "level": "WARNING"},
    "loggers": {
        name: {"handlers": [], "level": level, "propagate": True}
        for name, level in [
            ("django", "INFO"),
            ("celery", "INFO"),
            ("axes", "INFO"),
            ("xiji", os.environ.get("XIJI_LOG_LEVEL", "INFO")),
        ]
    },
}

# The session date index's INCLUDE columns are a PostgreSQL feature; SQLite (demo, README tests) ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
