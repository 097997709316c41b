"""Tuoguan settings: one file, driven by the environment (see README "Configuration").

Development defaults are safe to run on a laptop; with DJANGO_DEBUG=False every secret
must come from the environment and `manage.py check --deploy` must be clean.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from tuoguan.core.env import env_bool, env_int, env_int_or_none, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG", True)
# pytest imports Django through pytest-django; tests run tasks inline and skip slow hashing.
TESTING = "pytest" in sys.modules

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    FIELD_ENCRYPTION_KEY = env_str(
        "TUOGUAN_FIELD_KEY", "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc="
    )
else:
    # No fallback: a production server without its own keys must not start.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    FIELD_ENCRYPTION_KEY = env_str("TUOGUAN_FIELD_KEY")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Our apps come first: for a msgid that Django's own catalogues also translate ("group",
# "Filter", "Add"…), the first installed app's catalogue wins, and ours must.
INSTALLED_APPS = [
    "tuoguan.core",
    "tuoguan.audit",
    "tuoguan.notifications",
    "tuoguan.orgs",
    "tuoguan.accounts",
    "tuoguan.programs",
    "tuoguan.enrolment",
    "tuoguan.care",
    "tuoguan.supervision",
    "tuoguan.awards",
    "tuoguan.funds",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks.backends.database",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tuoguan.core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The live view's unchanged poll: 304 in one statement, before the session is loaded.
    "tuoguan.care.middleware.LiveViewPollMiddleware",
    # Django's, taking a session the live view's poll read already (core/middleware.py).
    "tuoguan.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its reply is translated), before anything reads a parameter.
    "tuoguan.core.middleware.InputTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: it needs to know whether the reply is for someone logged in.
    "tuoguan.core.middleware.ReplyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuoguan.orgs.middleware.ActiveMembershipMiddleware",
    "tuoguan.core.middleware.StaffIdleTimeoutMiddleware",
    "tuoguan.audit.middleware.AuditContextMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "tuoguan.orgs.context_processors.layout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections in production: a new connection per request costs
        # several times the request itself.
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE lets the web server and the task worker share the file without
    # "database is locked" on concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with no health check of a connection that served a request a moment ago.
    DATABASES["default"]["ENGINE"] = "tuoguan.core.postgresql"
    # Only core.rawsql's cursors bind on the server, so only its statements (the hot ones of
    # enrolment morning) are prepared, the fifth time a connection runs each. Set it empty
    # behind a pooler in transaction mode, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = env_int_or_none(
        "DJANGO_PG_PREPARE_THRESHOLD", 5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tuoguan.accounts.backends.MobileOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout is keyed on the account, never on the IP alone: a whole union office shares one
# address, and one mistyping colleague must not lock out the others.
AXES_FAILURE_LIMIT = env_int("TUOGUAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TUOGUAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Beyond the lock per account and address: failures against one account from any number of
# addresses, and from one address against any number of accounts, within the window. The
# account's owner is told when the account-wide limit locks it.
TUOGUAN_LOGIN_ACCOUNT_LIMIT = env_int("TUOGUAN_LOGIN_ACCOUNT_LIMIT", 20)
TUOGUAN_LOGIN_ADDRESS_LIMIT = env_int("TUOGUAN_LOGIN_ADDRESS_LIMIT", 100)
TUOGUAN_LOGIN_WINDOW = timedelta(minutes=env_int("TUOGUAN_LOGIN_WINDOW_MINUTES", 60))
AXES_HANDLER = "tuoguan.accounts.lockout.LockoutHandler"
# One row per failure (who, from where, when): what the two limits above count.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- Sessions, security -----------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A staff session (any union role) idle this long ends; 0: never. Parents are not affected.
TUOGUAN_STAFF_IDLE_MINUTES = env_int("TUOGUAN_STAFF_IDLE_MINUTES", 30)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Bodies larger than this are refused with 400 before any view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TUOGUAN_MAX_BODY_BYTES", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
TUOGUAN_MAX_IMPORT_BYTES = env_int("TUOGUAN_MAX_IMPORT_BYTES", 5 * 1024 * 1024)
# Hostile input (tuoguan/core/inputs.py, parsers.py, files.py, xlsx.py): JSON nested deeper
# than this is refused; so is an image whose header claims more pixels (phone photos are
# ~12 MP), and an .xlsx whose parts unpack beyond a size or a ratio (a "zip bomb").
TUOGUAN_MAX_JSON_DEPTH = env_int("TUOGUAN_MAX_JSON_DEPTH", 32)
TUOGUAN_MAX_IMAGE_PIXELS = env_int("TUOGUAN_MAX_IMAGE_PIXELS", 40_000_000)
TUOGUAN_MAX_XLSX_UNPACKED_BYTES = env_int("TUOGUAN_MAX_XLSX_UNPACKED_BYTES", 50 * 1024 * 1024)
TUOGUAN_MAX_XLSX_RATIO = env_int("TUOGUAN_MAX_XLSX_RATIO", 100)

# --- Cache --------------------------------------------------------------------------------
_redis_url = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
if TESTING:
    # Uploads made by tests must never land among a developer's real files.
    import tempfile

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tuoguan-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Background tasks (Django Tasks API, django-tasks backport) --------------------------
_TASKS_BACKEND = (
    "django_tasks.backends.immediate.ImmediateBackend"
    if TESTING
    else env_str("TUOGUAN_TASKS_BACKEND", "django_tasks.backends.database.DatabaseBackend")
)
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKEND,
        # The database backend writes a task's row in the transaction that queues it (an
        # outbox: committed together or not at all, and no extra commit per task). Other
        # backends would run or send it at once, so they wait for the commit.
        "ENQUEUE_ON_COMMIT": not _TASKS_BACKEND.endswith(".DatabaseBackend"),
    }
}

# --- Notifications ------------------------------------------------------------------------
# Channels beside the in-app inbox, which is always on. See tuoguan/notifications/channels.py.
TUOGUAN_NOTIFY_CHANNELS = env_list("TUOGUAN_NOTIFY_CHANNELS", ["console", "email"])
TUOGUAN_SMS_BACKEND = env_str("TUOGUAN_SMS_BACKEND", "console")
TUOGUAN_WECHAT_BACKEND = env_str("TUOGUAN_WECHAT_BACKEND", "console")
TUOGUAN_NOTIFY_MAX_ATTEMPTS = env_int("TUOGUAN_NOTIFY_MAX_ATTEMPTS", 3)
# A critical incident notice unacknowledged this long is sent again, once, and the union above
# the person told learns who has not answered (care.services.incidents).
TUOGUAN_INCIDENT_ACK_MINUTES = env_int("TUOGUAN_INCIDENT_ACK_MINUTES", 30)
# How often the parent's live view asks whether the child's day has changed (seconds).
TUOGUAN_LIVE_POLL_SECONDS = env_int("TUOGUAN_LIVE_POLL_SECONDS", 15)
# Room cameras: a guardian's signed stream link lasts this long (the player renews it while the
# page stays open and the child is still checked in); local test streams (HLS folders) live
# outside MEDIA_ROOT so that no web server publishes them without the signed link.
TUOGUAN_CAMERA_LINK_MINUTES = env_int("TUOGUAN_CAMERA_LINK_MINUTES", 5)
TUOGUAN_CAMERA_STREAMS_DIR = Path(
    env_str("TUOGUAN_CAMERA_STREAMS_DIR", str(VAR_DIR / "camera-streams"))
)
if TESTING:
    TUOGUAN_CAMERA_STREAMS_DIR = MEDIA_ROOT / "camera-streams"
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "tuoguan@localhost")

# --- Children's data ------------------------------------------------------------------------
# Cybersecurity Law Art. 21: logs are kept at least six months.
TUOGUAN_AUDIT_RETENTION_DAYS = env_int("TUOGUAN_AUDIT_RETENTION_DAYS", 3 * 365)

# --- Lists ----------------------------------------------------------------------------------
# Rows per page of every list, on the pages (tuoguan.core.kit.paginate) and in the API.
TUOGUAN_PAGE_SIZE = 50

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tuoguan.accounts.api_auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The JSON parser caps the depth and refuses unusable text (tuoguan/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "tuoguan.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": TUOGUAN_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tuoguan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tuoguan API",
    "DESCRIPTION": "Union childcare classes for workers' children (工会爱心托管班).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, used by every field that offers it (tests/test_openapi_schema.py
    # fails on a new clash).
    "ENUM_NAME_OVERRIDES": {
        "EmergencyKindEnum": "tuoguan.care.models.incidents.EmergencyKind",
        "GrassrootsKindEnum": "tuoguan.orgs.models.GrassrootsKind",
        "IncidentKindEnum": "tuoguan.care.models.incidents.IncidentKind",
        "MealKindEnum": "tuoguan.care.models.meals.MealKind",
        "DayNoteKindEnum": "tuoguan.care.models.liveview.DayNoteKind",
        "MediaChoiceEnum": "tuoguan.care.models.photos.MediaChoice",
        "AllergenEnum": "tuoguan.care.models.meals.Allergen",
        "GroupKindEnum": "tuoguan.programs.models.term.GroupKind",
        "ProgramTypeEnum": "tuoguan.programs.models.program.ProgramType",
        "TargetGroupEnum": "tuoguan.programs.models.program.TargetGroup",
        "CampaignStatusEnum": "tuoguan.awards.models.CampaignStatus",
        "CampaignLevelEnum": "tuoguan.awards.models.CampaignLevel",
        "NominationStatusEnum": "tuoguan.awards.models.NominationStatus",
        "ObjectionStatusEnum": "tuoguan.awards.models.ObjectionStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
