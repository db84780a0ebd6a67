"""Settings, read from the environment with safe production defaults.

Production is the default: DEBUG off, HTTPS-only cookies, HSTS, a required secret key.
`make run` and the test suite opt into local conveniences through CHANGAI_* variables.
"""

import base64
import os
import string
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.hashers import floor_problem

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


DEBUG = env_bool("CHANGAI_DEBUG", False)
# Demo mode allows the demo accounts (listed in the README) and skips the forced first
# password change and the administrators' second factor. Never on in production.
DEMO_MODE = env_bool("CHANGAI_DEMO_MODE", False)
# Local HTTP (make run, tests): cookies without Secure, no redirect to HTTPS.
HTTPS = env_bool("CHANGAI_HTTPS", True)
# An audit event no app declared (core/registry.py) fails the write while developing and in tests;
# in production it is logged and the row written anyway.
AUDIT_STRICT_EVENTS = env_bool("CHANGAI_AUDIT_STRICT_EVENTS", DEBUG)


def _audit_keys(raw: str) -> dict[str, str]:
    """CHANGAI_AUDIT_KEYS = "id:secret[,id:secret…]": the first signs new audit rows, the others are kept
    to verify rows signed before a rotation (docs/audit-chain.md). Ids are 1–8 letters or digits."""
    keys: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, _sep, secret = item.partition(":")
        if not (key_id.isascii() and key_id.isalnum() and 1 <= len(key_id) <= 8) or len(secret) < 32:
            raise ImproperlyConfigured(
                "CHANGAI_AUDIT_KEYS: each key is id:secret, id 1-8 letters or digits, secret 32+."
            )
        keys[key_id] = secret
    return keys


# The audit chain's MAC keys live in the environment, never in the database it protects. Without them
# the chain is keyed with a key derived from SECRET_KEY (`check --deploy` warns: set them in production).
AUDIT_KEYS = _audit_keys(os.environ.get("CHANGAI_AUDIT_KEYS", ""))
# Anchors: the chain's head and row count, signed, written outside the table (copy them off the host).
AUDIT_ANCHOR_DIR = Path(os.environ.get("CHANGAI_AUDIT_ANCHOR_DIR", str(BASE_DIR / "var" / "audit-anchors")))


def _key_bytes(secret: str) -> bytes:
    """A secret written in hex, or in base64 (standard or URL-safe, padding optional); b"" when it is neither."""
    if len(secret) % 2 == 0 and all(c in string.hexdigits for c in secret):
        return bytes.fromhex(secret)
    standard = secret.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except ValueError:
        return b""


def _pii_keys(raw: str) -> dict[str, bytes]:
    """CHANGAI_PII_KEYS = "id:secret[,id:secret…]": the first encrypts new personal data, the others still
    decrypt what they encrypted before a rotation (docs/personal-data.md). Ids are 1–8 letters or digits;
    each secret is 32 random bytes or more, written in hex or base64."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, _sep, secret = item.partition(":")
        material = _key_bytes(secret.strip())
        if not (key_id.isascii() and key_id.isalnum() and 1 <= len(key_id) <= 8) or len(material) < 32:
            raise ImproperlyConfigured(
                "CHANGAI_PII_KEYS: each key is id:secret, id 1-8 letters or digits, secret 32+ bytes in hex or base64."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"CHANGAI_PII_KEYS: key id {key_id!r} is given twice.")
        keys[key_id] = material
    return keys


# Personal data at rest (core/crypto.py): the keys live in the environment, never in the database they
# protect. Without them a key derived from SECRET_KEY is used (`check --deploy` warns: set them in
# production before the first personal data is stored).
PII_KEYS = _pii_keys(os.environ.get("CHANGAI_PII_KEYS", ""))
# The cipher for new writes: SM4-GCM (GB/T 39786, 密评) or AES-256-GCM where the OpenSSL build lacks SM4.
# Values written under the other one still decrypt, since each value names its algorithm.
PII_ALGORITHM = os.environ.get("CHANGAI_PII_ALGORITHM", "sm4-gcm")
if PII_ALGORITHM not in {"sm4-gcm", "aes-256-gcm"}:
    raise ImproperlyConfigured("CHANGAI_PII_ALGORITHM must be sm4-gcm or aes-256-gcm.")
# The talent pool's retention rule (docs/personal-data.md, Retention): a removed person's ID number and phone are
# erased this many years after the removal.
try:
    TALENT_RETENTION_YEARS = int(os.environ.get("CHANGAI_TALENT_RETENTION_YEARS", "3"))
except ValueError:
    raise ImproperlyConfigured("CHANGAI_TALENT_RETENTION_YEARS must be a whole number of years.") from None
if not 0 <= TALENT_RETENTION_YEARS <= 30:
    raise ImproperlyConfigured("CHANGAI_TALENT_RETENTION_YEARS must be between 0 and 30.")

# The fall-back key is public (it is in this file): only a debug or demo run may use it. Plain
# HTTP alone is no reason (TLS may end at a proxy), so production refuses to start without a key,
# and `check --deploy` reports the fall-back wherever it is in use (core/checks.py).
LOCAL_SECRET_KEY = "local-only-" + "x" * 50  # noqa: S105 - public on purpose, refused in production
SECRET_KEY = os.environ.get("CHANGAI_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE:
        SECRET_KEY = LOCAL_SECRET_KEY
    else:
        raise ImproperlyConfigured("CHANGAI_SECRET_KEY must be set in production.")

ALLOWED_HOSTS = [h for h in os.environ.get("CHANGAI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CHANGAI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]


def _base_url(value: str) -> str:
    """CHANGAI_BASE_URL: where people reach the site (https://changai.example.gov.cn), for the links in e-mails
    sent from the worker, where no request says the host. Unset: the first allowed host, over HTTPS unless off."""
    value = value.strip().rstrip("/")
    if not value:
        host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost"
        return f"{'https' if HTTPS else 'http'}://{host}"
    scheme, _sep, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in "?# "):
        raise ImproperlyConfigured(
            "CHANGAI_BASE_URL must be an http:// or https:// address such as https://changai.example.gov.cn."
        )
    return value


BASE_URL = _base_url(os.environ.get("CHANGAI_BASE_URL", ""))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "orgs",
    "accounts",
    "reporting",
    "analytics",
    "assessment",
    "ledger",
    "policies",
    "training",
    "sites",
    "cases",
    "publishing",
    "talent",
    "competitions",
    "studios",
    "suggestions",
    "dataexport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.AccountPolicyMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.RefusalAuditMiddleware",
    "core.middleware.StorageFullMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "changai.urls"
WSGI_APPLICATION = "changai.wsgi.application"
ASGI_APPLICATION = "changai.asgi.application"

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
                "core.context_processors.platform",
                "core.context_processors.nav",
                "reporting.context_processors.reporting_nav",
                "analytics.context_processors.analytics_nav",
            ],
        },
    }
]

# Database: SQLite (WAL, immediate transactions) unless DATABASE_URL names another.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CHANGAI_SQLITE_PATH", str(BASE_DIR / "var" / "changai.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
# A read replica (a PostgreSQL hot standby of the primary) for the analytics pages and API: core/replica.py
# says what goes there and docs/deploy.md how to set one up. Its sessions are read-only, so a write sent there
# by mistake fails instead of diverging; the test suite runs it as a mirror of the test database.
REPLICA_URL = os.environ.get("CHANGAI_REPLICA_URL", "")
if REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("CHANGAI_REPLICA_URL needs PostgreSQL: set DATABASE_URL to the primary as well.")
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("CHANGAI_REPLICA_URL must name a PostgreSQL database (postgres://…).")
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The default cache holds what every process must agree on (the generation of accepted data that dashboard
# answers are keyed by, sign-in failure counters, export limits): gunicorn's workers and the background worker
# are separate processes, so a per-process memory cache would let one serve a stale dashboard after another
# accepted a report. Files shared on this host by default; Redis for several hosts; memory for the tests.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CHANGAI_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
if os.environ.get("CHANGAI_CACHE") == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CHANGAI_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CHANGAI_REDIS_URL"],
        }
    }
# Progress of a running job: the worker writes it, the web process reads it, so never a per-process cache
# (core/jobs.py says why it is not kept on the job row). Without Redis, files shared on this host.
CACHES["jobs"] = (
    dict(CACHES["default"])
    if os.environ.get("CHANGAI_REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CHANGAI_JOB_PROGRESS_DIR", str(BASE_DIR / "var" / "job-progress")),
    }
)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id's cost of a sign-in (accounts/hashers.py says why these defaults, and refuses less than the floor).
ARGON2_TIME_COST = env_int("CHANGAI_ARGON2_TIME_COST", 2)
ARGON2_MEMORY_KIB = env_int("CHANGAI_ARGON2_MEMORY_KIB", 47_104)
ARGON2_PARALLELISM = env_int("CHANGAI_ARGON2_PARALLELISM", 1)
if _argon2_problem := floor_problem(ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM):
    raise ImproperlyConfigured(_argon2_problem)
PASSWORD_MIN_LENGTH = env_int("CHANGAI_PASSWORD_MIN_LENGTH", 8)
PASSWORD_HISTORY = env_int("CHANGAI_PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("CHANGAI_PASSWORD_MAX_AGE_DAYS", 90)
# How long a one-time activation (people import, accounts/activation.py) may be used after it is issued.
ACTIVATION_DAYS = env_int("CHANGAI_ACTIVATION_DAYS", 7)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.validators.PasswordHistoryValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CaseInsensitiveModelBackend",
]

# Lockout: the (username, address) pair after 5 failures, for 15 minutes; an address alone
# after many failures across usernames (password spraying). See accounts/lockout.py.
AXES_ENABLED = env_bool("CHANGAI_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CHANGAI_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the security administrator's page lists recent failures
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
LOCKOUT_ADDRESS_FAILURES = env_int("CHANGAI_LOCKOUT_ADDRESS_FAILURES", 30)

# Sessions: idle timeout and an absolute lifetime, both enforced on the server.
SESSION_IDLE_SECONDS = env_int("CHANGAI_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("CHANGAI_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "changai_sessionid"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "changai_csrftoken"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

# Only a trusted reverse proxy's header is believed; see core/net.py.
TRUSTED_PROXY_COUNT = env_int("CHANGAI_TRUSTED_PROXY_COUNT", 0)

SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("CHANGAI_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["CHANGAI_PROXY_SSL_HEADER"], "https")

# Content security policy (django-csp 4): no inline scripts, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 100

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("CHANGAI_STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("CHANGAI_MANIFEST_STATIC", not DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not env_bool("CHANGAI_MANIFEST_STATIC", not DEBUG)
# Without the manifest (local runs), pick up edited static files without a restart.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
MEDIA_ROOT = Path(os.environ.get("CHANGAI_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded workbooks between preview and confirmation (reporting/excel/storage.py); never served.
REPORTING_IMPORT_DIR = Path(os.environ.get("CHANGAI_IMPORT_DIR", BASE_DIR / "var" / "imports"))

EMAIL_BACKEND = os.environ.get("CHANGAI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("CHANGAI_FROM_EMAIL", "changai@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ActiveTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api_auth.AccountInGoodStanding",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # core.api's throttles read the rates at request time and trust only core.net.client_ip.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.UserRateThrottle", "core.api.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("CHANGAI_API_RATE", "120/min"),
        "anon": os.environ.get("CHANGAI_API_ANON_RATE", "30/min"),
    },
}
# Per-address limit on file exports (core.exports), per minute.
EXPORT_RATE_PER_MINUTE = env_int("CHANGAI_EXPORT_RATE_PER_MINUTE", 10)
SPECTACULAR_SETTINGS = {
    "TITLE": "产改通 API",
    "DESCRIPTION": "产业工人队伍建设改革工作平台 JSON API（/api/v1）",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # No call to the public validator.swagger.io (intranet; nothing leaves it).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": False},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get names of their own rather than generated hashes.
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "orgs.choices.OrgKind",
        "RoleEnum": "orgs.choices.Role",
        "GroupRoleEnum": "ledger.choices.GroupRole",
        "OfficerKindEnum": "ledger.choices.OfficerKind",
        "ReportStatusEnum": "reporting.choices.ReportStatus",
        "KeyTaskEnum": "ledger.choices.KeyTask",
        "ClassKindEnum": "training.choices.ClassKind",
        "StudioKindEnum": "studios.choices.StudioKind",
        "SuggestionKindEnum": "suggestions.choices.SuggestionKind",
        "NamingLevelEnum": "talent.choices.HonourLevel",
    },
    # Every operation declares the error answers it can give, in the one shape core.api answers with.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.standard_error_responses",
    ],
}

# Background work (django-tasks with the database backend): `manage.py run_worker` (db_worker plus recovery)
# runs the queue; `make run` starts one next to the server. Long imports and recomputes go there past these sizes.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Excel confirm: values the previewed plan would write (its `total_changes`) above which it runs in the worker.
IMPORT_INLINE_LIMIT = env_int("CHANGAI_IMPORT_INLINE_LIMIT", 500)
# Assessment recompute: participants of the round above which it runs in the worker.
ASSESSMENT_INLINE_LIMIT = env_int("CHANGAI_ASSESSMENT_INLINE_LIMIT", 300)

OTP_TOTP_ISSUER = "产改通"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHANGAI_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
