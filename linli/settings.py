"""Linli settings.

Everything that differs between a laptop demo and a district deployment comes from the
environment (see README, "Deploy on PostgreSQL"). Defaults give the embedded SQLite demo.
"""

import os
from pathlib import Path

from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from linli.envconfig import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    secret_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime files (SQLite database, generated keys, collected static, uploads) live here.
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("LINLI_DEBUG", default=False)
SECRET_KEY = secret_from_env("LINLI_SECRET_KEY", VAR_DIR)
# Keys for personal data: Fernet key for encryption at rest, HMAC key for searchable hashes.
DATA_ENCRYPTION_KEY = secret_from_env("LINLI_DATA_KEY", VAR_DIR, fernet=True)
DATA_HASH_KEY = secret_from_env("LINLI_HASH_KEY", VAR_DIR)
# Earlier data keys, still opening what they encrypted until `manage.py personal_data_rotate` has
# re-encrypted it; the cipher and the hash algorithm (core.field_crypto).
DATA_ENCRYPTION_OLD_KEYS = env_list("LINLI_DATA_OLD_KEYS", default=[])
FIELD_CIPHER = env_choice("LINLI_FIELD_CIPHER", default="fernet", choices=("fernet", "sm4"))
HASH_ALGORITHM = env_choice(
    "LINLI_HASH_ALGORITHM", default="hmac-sha256", choices=("hmac-sha256", "hmac-sm3")
)

ALLOWED_HOSTS = env_list("LINLI_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "admission",
    "workload",
    "workforce",
    "training",
    "finance",
    "services",
    "registry",
    "timebank",
    "dashboard",
    "notify",
    "oversight",
    "civic",
    "owners",
    "channel",
    "deliberation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their caching; personal data is never stored.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses an oversized body (413, in the user's language) before anything reads it.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    # Signs out an idle session, asks staff for their second factor, then sends an account with
    # a password to change to do so.
    "core.passwords.IdleTimeoutMiddleware",
    "core.passwords.SecondFactorMiddleware",
    "core.passwords.PasswordChangeRequiredMiddleware",
    # 429 past a rate of RATE_LIMITS; after the two above, so it knows the user and the address.
    "core.throttle.ThrottleMiddleware",
]

ROOT_URLCONF = "linli.urls"

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
                "core.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "linli.wsgi.application"

try:
    DATABASES = {
        "default": database_from_url(
            os.environ.get("DATABASE_URL", ""), sqlite_path=VAR_DIR / "linli.sqlite3"
        )
    }
except ValueError as exc:  # a malformed DATABASE_URL must say what is wrong, not crash later
    raise ImproperlyConfigured(str(exc)) from exc

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "core.auth.UsernameOrMobileBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("LINLI_PASSWORD_MIN_LENGTH", default=12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.LettersAndDigitsValidator"},
]
# A password older than this many days must be changed at the next page (0: never); a password
# staff set when opening an account must be changed at the first login (core.passwords).
PASSWORD_MAX_AGE_DAYS = env_int("LINLI_PASSWORD_MAX_AGE_DAYS", default=90, minimum=0)
# Staff sign in with a password and a code from an authenticator app (TOTP); residents with the
# password. LINLI_STAFF_SECOND_FACTOR=0 turns it off (the demo does, for its published accounts).
STAFF_SECOND_FACTOR = env_bool("LINLI_STAFF_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "Linli"
# Days an uploaded import file is kept when it is not imported (a committed one is deleted at once).
IMPORT_FILE_DAYS = env_int("LINLI_IMPORT_FILE_DAYS", default=7, minimum=1)
# A signed-in session that has been idle this long is signed out (core.passwords.IdleTimeout).
IDLE_TIMEOUT_MINUTES = env_int("LINLI_IDLE_TIMEOUT_MINUTES", default=30, minimum=1)
# Logins never lock an account (core.throttle). After LOGIN_CAPTCHA_AFTER failures of one login
# name (known or not), each further attempt needs a CAPTCHA and waits a delay that doubles from
# LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS after the last failure; failures are
# forgotten LOGIN_FAILURES_FORGOTTEN_AFTER seconds after the last one, or on a success. More
# failures from one address than LOGIN_ADDRESS_CAPTCHA_RATE allows make every login from there
# need a CAPTCHA.
LOGIN_CAPTCHA_AFTER = env_int("LINLI_LOGIN_CAPTCHA_AFTER", default=3, minimum=1)
LOGIN_DELAY_SECONDS = env_int("LINLI_LOGIN_DELAY_SECONDS", default=1, minimum=1)
LOGIN_DELAY_MAX_SECONDS = env_int("LINLI_LOGIN_DELAY_MAX_SECONDS", default=300, minimum=1)
LOGIN_FAILURES_FORGOTTEN_AFTER = 24 * 3600
LOGIN_ADDRESS_CAPTCHA_RATE = os.environ.get("LINLI_LOGIN_ADDRESS_CAPTCHA_RATE", "10/h")
LOGIN_SLOT_SECONDS = 30  # how long one attempt holds its login name while checking a password
# django-simple-captcha: the challenge image is served from this site (/captcha/), in its own font.
CAPTCHA_TIMEOUT = 15  # minutes
CAPTCHA_LENGTH = 4

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["linli.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = VAR_DIR / "media"

# API tokens (core.services.tokens): a new token lives LINLI_API_TOKEN_DAYS (default 90) unless its
# owner chooses fewer or more days, up to LINLI_API_TOKEN_MAX_DAYS (default 365).
API_TOKEN_MAX_DAYS = env_int("LINLI_API_TOKEN_MAX_DAYS", default=365, minimum=1)
API_TOKEN_DAYS = min(env_int("LINLI_API_TOKEN_DAYS", default=90, minimum=1), API_TOKEN_MAX_DAYS)

# Request bodies. core.middleware.RequestSizeLimitMiddleware answers 413 from the Content-Length,
# before reading, for a body above MAX_REQUEST_BODY (LINLI_MAX_BODY_MB, default 20 MB; request
# photos are at most 5 MB) or above LARGE_BODY_PATHS' limit for the registry's import upload
# (files up to 512 MB, registry.services.MAX_UPLOAD, plus the form around them). A body that is
# not a file upload (JSON, a form) stops at DATA_UPLOAD_MAX_MEMORY_SIZE; an uploaded file above
# FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file rather than held in memory.
MAX_REQUEST_BODY = env_int("LINLI_MAX_BODY_MB", default=20, minimum=1) * 1024 * 1024
LARGE_BODY_PATHS = {"/registry/imports/": 513 * 1024 * 1024}
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp; core.csp explains each choice and adds
# the LINLI_MAP_TILES server to img-src). Inline <script>/<style> need {{ request.csp_nonce }}.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("LINLI_HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Strict-Transport-Security on HTTPS responses: browsers keep to HTTPS for a year
    # (LINLI_HSTS_SECONDS; 0 sends none), on every subdomain unless LINLI_HSTS_SUBDOMAINS=0.
    SECURE_HSTS_SECONDS = env_int("LINLI_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LINLI_HSTS_SUBDOMAINS", default=True)
    # Submitting the site to browsers' HSTS preload list is a separate decision, hard to undo:
    # LINLI_HSTS_PRELOAD=1 adds "preload"; without it, check --deploy is not told to ask for it.
    SECURE_HSTS_PRELOAD = env_bool("LINLI_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # The proxy in front redirects http:// to https://; LINLI_SSL_REDIRECT=1 makes the app do it.
    SECURE_SSL_REDIRECT = env_bool("LINLI_SSL_REDIRECT", default=False)

# Redis, when configured, backs the cache and sessions so app processes stay stateless.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits on writes (core.throttle, django-ratelimit on the cache above, so with Redis every
# app process counts together): per group of endpoints, per client address and per account (the
# logged-in user, the API token, the Open311 api_key). A rate is N/period (s, m, h, d: "30/m",
# "100/5m"); an empty one lifts that limit. LINLI_RATE_LIMITS=0 turns them all off.
RATE_LIMITS = {
    "login": {"address": os.environ.get("LINLI_RATE_LOGIN", "30/m")},
    "open311": {
        "address": os.environ.get("LINLI_RATE_OPEN311", "30/m"),
        "account": os.environ.get("LINLI_RATE_OPEN311_KEY", "60/m"),
    },
    "write": {
        "address": os.environ.get("LINLI_RATE_WRITE", "300/m"),
        "account": os.environ.get("LINLI_RATE_WRITE_ACCOUNT", "60/m"),
    },
}
RATELIMIT_ENABLE = env_bool("LINLI_RATE_LIMITS", default=True)
RATELIMIT_CACHE_PREFIX = "linli:rl:"
# The client address is REMOTE_ADDR, unless that is one of these proxies (addresses or networks,
# comma-separated): then the nearest X-Forwarded-For hop that is not (core.throttle).
TRUSTED_PROXIES = env_list("LINLI_TRUSTED_PROXIES", default=[])
RATELIMIT_IP_META_KEY = "core.throttle.client_address"

# Text messages (notify.sms): "console" logs them (the demo), "http" posts them signed to an SMS
# gateway (README, "Messages"), "none" has no SMS channel.
SMS = {
    "BACKEND": os.environ.get("LINLI_SMS_BACKEND", "console"),
    "URL": os.environ.get("LINLI_SMS_URL", ""),
    "KEY_ID": os.environ.get("LINLI_SMS_KEY_ID", ""),
    "SECRET": os.environ.get("LINLI_SMS_SECRET", ""),
    "SIGN_NAME": os.environ.get("LINLI_SMS_SIGN_NAME", "邻里"),
    "TEMPLATE": os.environ.get("LINLI_SMS_TEMPLATE", ""),
    "TIMEOUT": env_int("LINLI_SMS_TIMEOUT", default=5, minimum=1),
    # A provider template per message kind, "kind=template_id,..." (else the free-text template).
    "TEMPLATES": dict(
        item.split("=", 1) for item in env_list("LINLI_SMS_TEMPLATES", default=[]) if "=" in item
    ),
}

# One-time codes by SMS (core.services.sms_codes: sign-up, password reset, the staff SMS second
# factor): how long a code lives, how many tries it allows, and how many may be sent to one
# number and from one address (rates N/period, comma-separated, each must hold). Codes go as the
# provider template LINLI_SMS_TEMPLATES "sms_code=<id>" (parameters code, minutes) when set.
SMS_CODE_MINUTES = env_int("LINLI_SMS_CODE_MINUTES", default=5, minimum=1)
SMS_CODE_ATTEMPTS = env_int("LINLI_SMS_CODE_ATTEMPTS", default=5, minimum=1)
SMS_CODE_RATES = {
    "mobile": env_list("LINLI_SMS_CODE_RATE_MOBILE", default=["1/m", "5/h", "10/d"]),
    "address": env_list("LINLI_SMS_CODE_RATE_ADDRESS", default=["20/h"]),
}
# WeChat template messages (notify.wechat): "console", "http" (a relay holding the official
# account's token), "none".
WECHAT = {
    "BACKEND": os.environ.get("LINLI_WECHAT_BACKEND", "console"),
    "URL": os.environ.get("LINLI_WECHAT_URL", ""),
    "KEY_ID": os.environ.get("LINLI_WECHAT_KEY_ID", ""),
    "SECRET": os.environ.get("LINLI_WECHAT_SECRET", ""),
    "TEMPLATE": os.environ.get("LINLI_WECHAT_TEMPLATE", ""),
    "TIMEOUT": env_int("LINLI_WECHAT_TIMEOUT", default=5, minimum=1),
}
# E-mail (Django's mail): "console" prints it (the demo), "smtp" sends through EMAIL_HOST.
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}[env_choice("LINLI_EMAIL_BACKEND", default="console", choices=("console", "smtp"))]
EMAIL_HOST = os.environ.get("LINLI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LINLI_EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = os.environ.get("LINLI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LINLI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LINLI_EMAIL_TLS", default=False)
EMAIL_TIMEOUT = env_int("LINLI_EMAIL_TIMEOUT", default=10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("LINLI_EMAIL_FROM", "linli@localhost")
# Links in SMS, e-mail and WeChat messages start with this address.
SITE_URL = os.environ.get("LINLI_SITE_URL", "http://127.0.0.1:8000")
# A send that times out or meets a server error is tried this many times, then falls back to
# the in-app message (notify.tasks).
NOTIFY_ATTEMPTS = env_int("LINLI_NOTIFY_ATTEMPTS", default=4, minimum=1)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LINLI_TASK_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINLI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
