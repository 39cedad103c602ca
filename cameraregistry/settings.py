"""Settings for the Community Camera Registry.

Every value comes from the environment (see README.md, "Configuration"); nothing
here needs editing for a deployment.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cameraregistry.email_url import email_settings
from cameraregistry.env import env_bool, env_int, env_list, env_str
from cameraregistry.storage_url import storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (see README.md, Configuration).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Community Camera Registry")

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "cameraregistry",
    "agencies",
    "accounts",
    "audit",
    "registrations",
    "owners",
    "canvass",
    "footage",
    "administration",
    "api",
    "notifications",
    # The demo town (seed_demo: make run, tests, bench) and the demo sign-ins (refused unless DEMO_MODE and DEBUG).
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StaffSessionTimeoutMiddleware",
    "owners.middleware.OwnerSessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cameraregistry.middleware.NoStoreForPersonalDataMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it is first to see a view's exception: a refused action (audit not written) gets a 503 page.
    "audit.middleware.AuditFailureMiddleware",
]

ROOT_URLCONF = "cameraregistry.urls"
WSGI_APPLICATION = "cameraregistry.wsgi.application"

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
                "csp.context_processors.nonce",
                "cameraregistry.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in DATA_DIR unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, 0))
        }
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be understood: {error}") from None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # psycopg prepares each statement its server-side binding cursors run (only canvass.candidates'
        # _binary_cursor: Django's own cursors bind on the client and never prepare). The canvass query's
        # planning cost more than its execution at 150 m (0.33 vs 0.14 ms, EXPLAIN ANALYZE at 10k).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "registry.sqlite3",
            "OPTIONS": {
                # WAL lets readers proceed while one writer writes; IMMEDIATE avoids
                # "database is locked" upgrades in the middle of a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
            # Each gunicorn thread keeps its connection (opening one and its PRAGMAs cost ~40 ms a request under
            # load: API search p95 +125..154 ms over in-process without, +57 ms with, measured by bench/api_http.py).
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60, 0),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared by every app server in production (rate limits, lockout counters).
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL.")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Español"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static", ("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
# Evidence and import uploads: the local folder DATA_DIR/uploads, or a bucket (cameraregistry/storage_url.py).
STORAGE_URL = env_str("STORAGE_URL")
STORAGES = {
    "default": storage_settings(STORAGE_URL, DATA_DIR / "uploads"),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# WhiteNoise indexes every static file when its middleware starts: once per server process in production,
# but once per test client in the tests (~50 ms each, 15% of the suite). Tests look files up per request.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Email
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Camera Registry <registry@localhost>")
EMAIL_URL = env_str("EMAIL_URL")
# Who is emailed when the audit log cannot be written (with the agency's administrators).
ADMINS = [(address, address) for address in env_list("ADMINS")]
for _name, _address in ADMINS:
    if "@" not in _address or " " in _address:
        raise ImproperlyConfigured(f"ADMINS must be comma-separated email addresses; {_address!r} is not one.")
globals().update(email_settings(EMAIL_URL, DATA_DIR / "outbox"))

# Background work: django-tasks with its database backend (SQLite and PostgreSQL alike).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Sessions and cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
if SECURE:
    # The __Host- prefix makes the browser refuse these cookies unless Secure, Path=/ and
    # without Domain, so no sibling subdomain (often the city's own) can set or shadow them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: no inline script, no third-party origins except map tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")
_tile_origin = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Lockout after 5 consecutive failures until an administrator releases it (CJIS AC-7).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
# Staff sessions: 30 minutes idle, 12 hours absolute, checked on the server (CJIS IA-5 j).
STAFF_IDLE_TIMEOUT_SECONDS = env_int("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60, 60)
STAFF_ABSOLUTE_TIMEOUT_SECONDS = env_int("STAFF_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600, 60)
# TOTP: the axes lockout after 5 failures is the brute-force control; django-otp's own
# throttle would refuse a correct code typed right after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = SITE_NAME
# Sign-in throttle by address (accounts/throttle.py): after this many failures in an hour
# the address waits 1, 2, 4... minutes, up to the maximum; throttled tries never count
# toward an account's lockout. Per-agency automatic unlock is Agency.lockout_auto_unlock_minutes.
STAFF_SIGN_IN_ADDRESS_FAILURES = env_int("STAFF_SIGN_IN_ADDRESS_FAILURES", 10, 1)
STAFF_SIGN_IN_ADDRESS_MAX_BLOCK_MINUTES = env_int("STAFF_SIGN_IN_ADDRESS_MAX_BLOCK_MINUTES", 60, 1, 24 * 60)
# Privileged actions need a second-factor check this recent (accounts.access.fresh_mfa_required).
STAFF_FRESH_MFA_SECONDS = env_int("STAFF_FRESH_MFA_SECONDS", 15 * 60, 60)
# `manage.py staff_inactivity_run` disables accounts unused this long, warning a week before.
STAFF_INACTIVE_DAYS = env_int("STAFF_INACTIVE_DAYS", 90, 14)
# Lock the account, not the address: a whole station often shares one address, and
# an IP lockout would let one person lock every colleague out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# HSTS preload is a decision about the whole registrable domain (usually the city's, not
# the registry's subdomain), so it stays opt-in through SECURE_HSTS_PRELOAD.
SILENCED_SYSTEM_CHECKS += [] if SECURE_HSTS_PRELOAD else ["security.W021"]

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API would need session sign-in and inline script.
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community Camera Registry API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Send `Authorization: Bearer <token>` (an agency administrator creates tokens on the staff page "
        "API tokens). Errors are RFC 9457 application/problem+json."
    ),
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "canvass.models.CaseStatus",
        "AreaKindEnum": "canvass.models.AreaKind",
        "FootageRequestStatusEnum": "footage.models.RequestStatus",
    },
}
# Requests per token and minute, counted in the shared cache (CACHE_URL) across app servers.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120, 1, 100_000)

# Public registration: completed registrations per network and hour are an agency setting
# (Program settings); this caps every post of the form from one network in a clock hour, so a
# script cannot flood it. It rises by itself to 5 posts per registration an agency allows.
REGISTRATION_POST_LIMIT_PER_HOUR = env_int("REGISTRATION_POST_LIMIT_PER_HOUR", 200, 10, 100_000)
if env_str("REGISTRATION_RATE_LIMIT_PER_HOUR").strip():
    raise ImproperlyConfigured(
        "REGISTRATION_RATE_LIMIT_PER_HOUR is no longer used: completed registrations per network are each "
        "agency's Program setting, and REGISTRATION_POST_LIMIT_PER_HOUR caps raw posts. Remove it (see README.md)."
    )
# How long the private link in the confirmation email stays valid.
OWNER_LINK_MAX_AGE_DAYS = env_int("OWNER_LINK_MAX_AGE_DAYS", 30, 1, 365)
# The session a private link opens: idle and absolute limits, checked on the server.
OWNER_IDLE_TIMEOUT_SECONDS = env_int("OWNER_IDLE_TIMEOUT_SECONDS", 30 * 60, 60)
OWNER_ABSOLUTE_TIMEOUT_SECONDS = env_int("OWNER_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600, 60)
# Demo mode: demo sign-ins and TOTP helper; refused when DEBUG is false.
DEMO_MODE = env_bool("DEMO_MODE", False) and DEBUG

# Every handler scrubs link tokens, signed values, session ids and CSRF tokens (SECURITY.md:
# no tokens in any log). Django's own loggers are sent to the root handler, since the
# handlers Django installs by default would not carry the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_secrets": {"()": "cameraregistry.log_scrub.ScrubSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own error emails to ADMINS would carry request data (form fields included) out by email;
    # ADMINS get only the audit failure alert (audit/alerts.py). Django's messages still reach the console.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
}
CSRF_FAILURE_VIEW = "cameraregistry.views.csrf_failure"
# Also send audit chain-head anchors to syslog (/dev/log), e.g. for a remote log server.
AUDIT_SYSLOG = env_bool("AUDIT_SYSLOG", False)

# Field encryption keys (base64, 32 bytes each, newest first). Development and tests
# derive one from SECRET_KEY so nothing needs setting; production must set them.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is false (see README.md).")
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEYS = [base64.b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]

# Footage uploads (footage app): per-file size limit, enforced while streaming, and files per request.
FOOTAGE_MAX_FILE_BYTES = env_int("FOOTAGE_MAX_FILE_BYTES", 4 * 1024**3, 1)
FOOTAGE_MAX_FILES_PER_REQUEST = env_int("FOOTAGE_MAX_FILES_PER_REQUEST", 16, 1, 1000)

# Webhooks (webhooks app): an agency's endpoints get signed JSON events. Plain http to 127.0.0.1/localhost
# is allowed only with DEBUG or this setting (local receivers and tests); otherwise https to public addresses.
INSTALLED_APPS += ["webhooks"]
WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool("WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, 1, 60)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {"WebhookEventEnum": "webhooks.models.WebhookEvent", "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus"}
)
# /readyz: a worker must have run the heartbeat task (queued every minute by a timer) this recently.
READYZ_WORKER_MAX_AGE_SECONDS = env_int("READYZ_WORKER_MAX_AGE_SECONDS", 300, 60)

# /metrics (Prometheus): client addresses allowed without signing in (CIDR list); staff with the dashboard
# permission may always read it. Default: this machine only.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_network!r} is not an address or network.") from None
# First, so it times the whole request: one counter and one histogram update per request.
MIDDLEWARE.insert(0, "cameraregistry.metrics.MetricsMiddleware")
# API sync feed: tombstones of withdrawn, purged and merged registrations are kept this many days
# (purge_expired removes older ones); a mirror that syncs less often must do a full sync.
REGISTRATION_TOMBSTONE_DAYS = env_int("REGISTRATION_TOMBSTONE_DAYS", 90, 1, 3650)
# Last, so it is first to see a view's exception: a lost or refused database connection (PostgreSQL restarting,
# SQLite busy past its timeout) answers 503 with Retry-After instead of a 500 (cameraregistry/db_unavailable.py).
MIDDLEWARE.append("cameraregistry.db_unavailable.DatabaseUnavailableMiddleware")
