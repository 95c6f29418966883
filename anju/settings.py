"""Anju settings, read from the environment with safe defaults for the embedded mode.

Embedded mode (the default, ANJU_ENV=embedded) runs on SQLite under var/ with a
filesystem task queue and generates its secrets into var/secrets.env on first use.
Production mode (ANJU_ENV=production) refuses to start without real secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from anju.core.embedded_secrets import load_embedded_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ANJU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
ANJU_ENV = env.str("ANJU_ENV", default="embedded")
EMBEDDED = ANJU_ENV != "production"
if EMBEDDED:
    load_embedded_secrets(VAR_DIR / "secrets.env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "anju.core",
    "anju.security",
    "anju.audit",
    "anju.properties",
    "anju.owners",
    "anju.imports",
    "anju.servicedesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anju.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anju.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "anju.urls"
WSGI_APPLICATION = "anju.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "anju" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anju.servicedesk.context_processors.desk",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'anju.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the embedded worker and web server write without "database is locked";
    # IMMEDIATE takes the write lock when a transaction begins, so a writer waits its turn
    # (timeout) instead of failing at once when the worker committed between its read and
    # its write (a deferred transaction cannot wait there).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite builds them without the
    # extra columns, which is what this warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles plans that cost more than jit_above_cost: on the queue's counts that
    # was 5 s of a 7 s page (docs/benchmarks.md). OLTP queries never win it back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # The few statements the app marks hot (core.db.hot_cursor) are prepared once per
    # connection; ORM queries never are (Django binds them in the client). Behind a
    # PgBouncer older than 1.21 in transaction mode, set ANJU_DB_PREPARED_STATEMENTS=false.
    if env.bool("ANJU_DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a connection per request costs more than the request itself.
# `DATABASE_URL=…?conn_max_age=0` (or ANJU_DB_CONN_MAX_AGE) overrides it.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("ANJU_DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "security.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "anju" / "locale"]
TIME_ZONE = env.str("ANJU_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "ANJU_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG or env.bool("ANJU_TESTING", default=False):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = EMBEDDED

# Shared by every process of the deployment: configuration tokens (the working calendar,
# the SLA configuration) must reach the web workers and the task workers alike. Embedded:
# Django's file-based cache under var/ (one machine); at scale: CACHE_URL=redis://…
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

# --- Task engine (Celery) --------------------------------------------------------------
CELERY_BROKER_URL = env.str("ANJU_BROKER_URL", default="filesystem://")
_queue_dir = VAR_DIR / "queue"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("out", "processed"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("ANJU_TASKS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {
        "task": "servicedesk.sweep_milestones",
        "schedule": env.int("ANJU_SLA_SWEEP_SECONDS", default=60),
        # Sweeps queued while no worker ran are dropped: the next one does their work.
        "options": {"expires": env.int("ANJU_SLA_SWEEP_SECONDS", default=60)},
    },
    # Calendar changes whose deadlines are still to be recomputed: each change queues the
    # work itself; this catches a message lost to a broker outage or a killed worker.
    "deadline-recompute": {
        "task": "servicedesk.recompute_deadlines",
        "schedule": env.int("ANJU_RECOMPUTE_SECONDS", default=900),
        "options": {"expires": env.int("ANJU_RECOMPUTE_SECONDS", default=900)},
    },
    # API tokens past their expiry (authentication refuses them; this deletes them).
    "api-token-purge": {
        "task": "core.purge_expired_tokens",
        "schedule": 24 * 3600,
        "options": {"expires": 3600},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Personal data protection -----------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new
# key, run `manage.py rotate_field_keys`, then drop the old one).
ANJU_FIELD_KEYS = env.list("ANJU_FIELD_KEYS")
# Key for the HMAC blind indexes used for exact look-ups without decrypting.
ANJU_BLIND_INDEX_KEY = env.str("ANJU_BLIND_INDEX_KEY")

# --- Product rules (PRODUCT.md; all editable here) --------------------------------------
ANJU_LIFECYCLE_RUNNING_IN_MONTHS = env.int("ANJU_LIFECYCLE_RUNNING_IN_MONTHS", default=12)
ANJU_LIFECYCLE_STABLE_MONTHS = env.int("ANJU_LIFECYCLE_STABLE_MONTHS", default=24)
ANJU_SEARCH_LIMIT = env.int("ANJU_SEARCH_LIMIT", default=20)
ANJU_IMPORT_MAX_ROWS = env.int("ANJU_IMPORT_MAX_ROWS", default=200_000)
ANJU_IMPORT_MAX_ERRORS_SHOWN = env.int("ANJU_IMPORT_MAX_ERRORS_SHOWN", default=500)
ANJU_EXPORT_MAX_ROWS = env.int("ANJU_EXPORT_MAX_ROWS", default=100_000)
ANJU_PAGE_SIZE = env.int("ANJU_PAGE_SIZE", default=25)
# Long lists (owners, queue tabs) count up to this many rows; more show as "10,000+".
ANJU_LIST_COUNT_CAP = env.int("ANJU_LIST_COUNT_CAP", default=10_000)
# The home dashboard counts a project's owners at most this often (0: on every visit).
ANJU_DASHBOARD_CACHE_SECONDS = env.int("ANJU_DASHBOARD_CACHE_SECONDS", default=300)
# Service desk (issue: service desk). Business periods of a working day, for hour SLAs.
ANJU_BUSINESS_HOURS = env.list("ANJU_BUSINESS_HOURS", default=["08:30-12:00", "13:30-18:00"])
# 群诉预警: this many distinct owners complaining about one category in one building or
# phase within this many days raise a group-complaint alert.
ANJU_GROUP_COMPLAINT_OWNERS = env.int("ANJU_GROUP_COMPLAINT_OWNERS", default=5)
ANJU_GROUP_COMPLAINT_DAYS = env.int("ANJU_GROUP_COMPLAINT_DAYS", default=7)
# A breached milestone is escalated to the project's managers after this long.
ANJU_SLA_ESCALATE_AFTER_MINUTES = env.int("ANJU_SLA_ESCALATE_AFTER_MINUTES", default=60)
ANJU_SLA_SWEEP_SECONDS = env.int("ANJU_SLA_SWEEP_SECONDS", default=60)
ANJU_QUEUE_POLL_SECONDS = env.int("ANJU_QUEUE_POLL_SECONDS", default=15)
# The navbar's notification bell refreshes itself this often (one small query).
ANJU_BELL_POLL_SECONDS = env.int("ANJU_BELL_POLL_SECONDS", default=30)

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anju.core.api.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["anju.core.api.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "anju.core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anju.core.api_errors.exception_handler",
    "PAGE_SIZE": 50,
}
# Hours a new API token lasts (0: until revoked). An expired token is refused and deleted
# when presented; the beat job core.purge_expired_tokens deletes the others daily.
ANJU_API_TOKEN_TTL_HOURS = env.int("ANJU_API_TOKEN_TTL_HOURS", default=0)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=ANJU_API_TOKEN_TTL_HOURS) if ANJU_API_TOKEN_TTL_HOURS else None,
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anju 安居 API",
    "DESCRIPTION": _("Property registry and owner files of the Anju customer-service system."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logging: never write personal data in clear ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "anju.audit.logging.RequestIdFilter"},
        "redact": {"()": "anju.audit.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("ANJU_LOG_LEVEL", default="INFO")},
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not EMBEDDED:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "ENUM_NAME_OVERRIDES": {
            "OwnerKindEnum": "anju.owners.models.Owner.Kind",
            "PhoneKindEnum": "anju.owners.models.OwnerPhone.Kind",
        },
    }
)

if env.bool("ANJU_TESTING", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
