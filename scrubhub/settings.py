"""ScrubHub settings: one file, read from the environment.

Defaults serve `make run` on a laptop with no servers (SQLite and Celery on kombu's
filesystem transport). Production sets DJANGO_DEBUG=false and real values; a bad value
stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SCRUBHUB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# Public on purpose: only ever used with DJANGO_DEBUG on, refused in production below.
_DEV_SECRET_KEY = "django-insecure-scrubhub-development-only-key-change-me-0123456789"  # noqa: S105  # nosec B105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random string of 50 characters or more."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The address in links in emails, texts and QR codes. In development it follows the port the
# site is served on (`make run PORT=8101` passes PORT), so links lead back to this copy;
# production must name its public address, or every link would lead to 127.0.0.1.
SITE_URL = os.environ.get("SCRUBHUB_SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SCRUBHUB_SITE_URL must be set to the site's public address when DJANGO_DEBUG is "
            "false, e.g. https://scrubs.example.org."
        )
    SITE_URL = f"http://127.0.0.1:{env_int('PORT', 8000)}"
elif not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SCRUBHUB_SITE_URL must start with https://, not {SITE_URL!r}.")
# Map tiles for the points map. Empty: markers on a plain background and the list (no
# third-party requests). E.g. https://tile.example.org/{z}/{x}/{y}.png with its attribution.
SCRUBHUB_MAP_TILE_URL = os.environ.get("SCRUBHUB_MAP_TILE_URL", "")
SCRUBHUB_MAP_TILE_ATTRIBUTION = os.environ.get("SCRUBHUB_MAP_TILE_ATTRIBUTION", "")
if SCRUBHUB_MAP_TILE_URL and not SCRUBHUB_MAP_TILE_URL.startswith("https://"):
    raise ImproperlyConfigured("SCRUBHUB_MAP_TILE_URL must be an https:// address.")

INSTALLED_APPS = [
    # Django's admin, signing in and out through allauth (scrubhub/admin_site.py).
    "scrubhub.admin_site.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "template_partials",
    "django_celery_beat",
    "scrubhub.accounts",
    "scrubhub.hubs",
    "scrubhub.notifications",
    "scrubhub.audit",
    "scrubhub.cache",
    "makers",
    "packages",
    "dropoffs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go compressed (a phone on a poor signal); whitenoise, above, already sends the
    # static files pre-compressed and never reaches this. Django's GZip pads each response
    # against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "scrubhub.security.SessionTimeoutMiddleware",
    "scrubhub.security.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "scrubhub.urls"
WSGI_APPLICATION = "scrubhub.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "csp.context_processors.nonce",
                "scrubhub.hubs.context_processors.current_hub",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'scrubhub.sqlite3'}"
if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL"):
    # The laptop defaults keep their database and queue here.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or _DEFAULT_DATABASE_URL, conn_max_age=60
        )
    }
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address we understand: {exc}"
    ) from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the laptop default; waiting on a lock beats "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (django-allauth) --------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Makers sign in by a link (django-sesame): see makers/signin.py.
    "sesame.backends.ModelBackend",
]
# Sign-in links: scoped, work once (a sign-in changes last_login, which is in the token's
# hash), expire, and are not tied to the browser that asked, so a link asked for on a
# computer works on a phone.
SESAME_MAX_AGE = env_int("SCRUBHUB_SIGNIN_LINK_MINUTES", 60) * 60
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "token"  # noqa: S105 - the query parameter's name, not a secret  # nosec B105
# Sign-in codes by text, for makers on a phone only: short-lived, as a code can be read
# over a shoulder (makers/signin.py).
SCRUBHUB_SIGNIN_CODE_MINUTES = env_int("SCRUBHUB_SIGNIN_CODE_MINUTES", 10)
if not 1 <= SCRUBHUB_SIGNIN_CODE_MINUTES <= 60:
    raise ImproperlyConfigured("SCRUBHUB_SIGNIN_CODE_MINUTES must be from 1 to 60.")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "role_home"
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "scrubhub.accounts.adapter.AccountAdapter"
# People join a hub through the hub's own form, never through a bare account sign-up.
ACCOUNT_ALLOW_SIGNUPS = False
# Two-step sign-in (an authenticator app) for staff; a hub can require it of its staff.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ScrubHub"
MFA_PASSKEY_LOGIN_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",  # a rate, not a secret  # nosec B105
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache (allauth's rate limits live here) -------------------------------------------
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL and not REDIS_CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_CACHE_URL must start with redis:// or rediss://.")
CACHES = {
    "default": (
        {
            # While Redis cannot be reached, the limits are counted in the "database" cache
            # below, and Redis is tried again every few seconds (scrubhub/cache/backends.py).
            "BACKEND": "scrubhub.cache.backends.RedisWithDatabaseFallback",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {
                "FALLBACK": "database",
                "RETRY_SECONDS": env_int("SCRUBHUB_CACHE_RETRY_SECONDS", 10),
                # A Redis that has stopped answering must not hold a person's request.
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
            },
        }
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The table scrubhub/cache's migration makes. Room for every counter of a busy outage:
    # culling would forget some of them, and with them their limits.
    "database": {
        "BACKEND": "scrubhub.cache.backends.DatabaseCounterCache",
        "LOCATION": "scrubhub_cache_fallback",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# django-ratelimit raises whatever the cache raises (the fallback above handles Redis being
# down); it "fails" only when a counter vanishes between its add and incr (a window ending,
# or Redis going or coming back in between). That one request is let through, not refused.
RATELIMIT_FAIL_OPEN = True

# Behind a proxy, the header it sets with the client's address (e.g. HTTP_X_REAL_IP); the
# limits on joining and kit look-ups count per client address.
RATELIMIT_IP_META_KEY = os.environ.get("SCRUBHUB_CLIENT_IP_HEADER", "REMOTE_ADDR")
SCRUBHUB_JOIN_RATE = os.environ.get("SCRUBHUB_JOIN_RATE", "60/h")
SCRUBHUB_KIT_LOOKUP_RATE = os.environ.get("SCRUBHUB_KIT_LOOKUP_RATE", "300/h")
# Opening or answering the page a parent or guardian's link leads to.
SCRUBHUB_GUARDIAN_RATE = os.environ.get("SCRUBHUB_GUARDIAN_RATE", "60/h")

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
# One language for now, so the translation machinery stays off: with it on, every string
# not in a catalogue walks six empty English catalogues first, a fifth of a list page's
# time. Every string is still marked for translation: add a language to LANGUAGES, turn
# this on and put LocaleMiddleware back after SessionMiddleware.
USE_I18N = False
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
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

# --- Forms ------------------------------------------------------------------------------
FORMS_URLFIELD_ASSUME_HTTPS = True
# Widgets render with the site's templates, so templates/django/forms/ can override Django's
# own: its <select> is one template rather than an include per <option> (3 ms rather than 4.5 for a
# hub's list of 175 points). Needs "django.forms" in INSTALLED_APPS for the rest of them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ScrubHub <noreply@scrubhub.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Texts, and optionally email, through GOV.UK Notify -------------------------------
# Notify sends with templates: one text template whose whole content is ((body)), and one
# email template of ((subject)) and ((body)), carry any message of ours.
_SMS_BACKENDS = {
    "console": "scrubhub.notifications.sms.ConsoleSmsBackend",
    "notify": "scrubhub.notifications.notify.NotifySmsBackend",
}
SCRUBHUB_SMS_BACKEND = os.environ.get("SCRUBHUB_SMS_BACKEND", "").strip().lower()
# Production that never chose a text sender is warned by `check --deploy` (notifications/checks).
SMS_BACKEND_CHOSEN = bool(SCRUBHUB_SMS_BACKEND)
SCRUBHUB_SMS_BACKEND = SCRUBHUB_SMS_BACKEND or "console"
if SCRUBHUB_SMS_BACKEND not in _SMS_BACKENDS:
    raise ImproperlyConfigured(
        f"SCRUBHUB_SMS_BACKEND must be console or notify, not {SCRUBHUB_SMS_BACKEND!r}."
    )
SMS_BACKEND = _SMS_BACKENDS[SCRUBHUB_SMS_BACKEND]
SCRUBHUB_EMAIL_BACKEND = os.environ.get("SCRUBHUB_EMAIL_BACKEND", "").strip().lower() or "django"
if SCRUBHUB_EMAIL_BACKEND not in {"django", "notify"}:
    raise ImproperlyConfigured(
        "SCRUBHUB_EMAIL_BACKEND must be django (EMAIL_BACKEND, SMTP in production) or notify, "
        f"not {SCRUBHUB_EMAIL_BACKEND!r}."
    )
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTIFY_API_KEY = os.environ.get("SCRUBHUB_NOTIFY_API_KEY", "").strip()
NOTIFY_SMS_TEMPLATE_ID = os.environ.get("SCRUBHUB_NOTIFY_SMS_TEMPLATE_ID", "").strip().lower()
NOTIFY_EMAIL_TEMPLATE_ID = os.environ.get("SCRUBHUB_NOTIFY_EMAIL_TEMPLATE_ID", "").strip().lower()
NOTIFY_BASE_URL = os.environ.get(
    "SCRUBHUB_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
).rstrip("/")
# What Notify sends in "Authorization: Bearer ..." with each delivery receipt. Empty: the
# receipt address refuses everything and the beat task asks Notify instead.
NOTIFY_CALLBACK_TOKEN = os.environ.get("SCRUBHUB_NOTIFY_CALLBACK_TOKEN", "").strip()
NOTIFY_TIMEOUT_SECONDS = env_int("SCRUBHUB_NOTIFY_TIMEOUT_SECONDS", 10)
_uses_notify = {SCRUBHUB_SMS_BACKEND, SCRUBHUB_EMAIL_BACKEND} & {"notify"}
if _uses_notify or NOTIFY_API_KEY:
    if not NOTIFY_API_KEY:
        raise ImproperlyConfigured(
            "SCRUBHUB_NOTIFY_API_KEY must be set to a GOV.UK Notify API key when "
            "SCRUBHUB_SMS_BACKEND or SCRUBHUB_EMAIL_BACKEND is notify."
        )
    # Notify's key: the key's name, the service id, then the secret (two UUIDs).
    if not re.fullmatch(rf"[\w.-]+-{_UUID}-{_UUID}", NOTIFY_API_KEY, flags=re.IGNORECASE):
        raise ImproperlyConfigured(
            "SCRUBHUB_NOTIFY_API_KEY is not a GOV.UK Notify API key: copy the whole key, "
            "its name then two ids (name-xxxxxxxx-xxxx-...-xxxxxxxx-xxxx-...)."
        )
    for _name, _value, _needed in (
        ("SCRUBHUB_NOTIFY_SMS_TEMPLATE_ID", NOTIFY_SMS_TEMPLATE_ID, SCRUBHUB_SMS_BACKEND),
        ("SCRUBHUB_NOTIFY_EMAIL_TEMPLATE_ID", NOTIFY_EMAIL_TEMPLATE_ID, SCRUBHUB_EMAIL_BACKEND),
    ):
        if _needed == "notify" and not re.fullmatch(_UUID, _value):
            raise ImproperlyConfigured(
                f"{_name} must be the id of a Notify template (xxxxxxxx-xxxx-xxxx-xxxx-"
                f"xxxxxxxxxxxx), not {_value!r}."
            )
    if not NOTIFY_BASE_URL.startswith("https://") and not DEBUG:
        raise ImproperlyConfigured("SCRUBHUB_NOTIFY_BASE_URL must be an https:// address.")
if NOTIFY_CALLBACK_TOKEN and len(NOTIFY_CALLBACK_TOKEN) < 20:
    raise ImproperlyConfigured(
        "SCRUBHUB_NOTIFY_CALLBACK_TOKEN must be 20 characters or more (a long random string)."
    )

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if not CELERY_BROKER_URL.startswith(("filesystem://", "redis://", "rediss://", "memory://")):
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must start with redis://, rediss:// or filesystem://, "
        f"not {CELERY_BROKER_URL.split(':', 1)[0]!r}."
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any countdown we use, so Redis never hands a waiting task out twice.
        "visibility_timeout": 2 * 60 * 60,
        # A person's request must never hang on a broker outage: fail fast, the sweep retries.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 0,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Our tasks are safe to run twice, so acknowledge after running: a crashed worker loses nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "scrubhub.notifications.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "message-status-poll": {
        # Asks the provider how messages went when no delivery receipt came back.
        "task": "scrubhub.notifications.tasks.poll_message_status",
        "schedule": 300.0,
    },
    "kit-reminders": {
        "task": "scrubhub.notifications.tasks.send_reminders",
        # Mid-morning: a friendly time to hear about a kit, never at night.
        "schedule": crontab(minute=30, hour=10),
    },
    "erase-after-retention": {
        # Stood-down hubs keep volunteers' details only for their retention period.
        "task": "makers.tasks.erase_after_retention",
        "schedule": crontab(minute=45, hour=2),
    },
    "prune-form-submissions": {
        "task": "makers.tasks.prune_form_submissions",
        "schedule": crontab(minute=15, hour=3),
    },
    "prune-import-batches": {
        # Volunteer sheets uploaded but never imported hold people's details: gone in a day.
        "task": "makers.tasks.prune_import_batches",
        "schedule": crontab(minute=25),
    },
    "weekly-summaries": {
        # Each hub chooses its own day and hour (HubMessageSettings); this tick checks hourly.
        "task": "scrubhub.notifications.tasks.send_due_weekly_summaries",
        "schedule": crontab(minute=0),
    },
}
OUTBOX_MAX_ATTEMPTS = env_int("SCRUBHUB_OUTBOX_MAX_ATTEMPTS", 5)

# --- Security ---------------------------------------------------------------------------
# Uploads. The only file anyone sends is a volunteer sheet (makers.sheets), refused above
# SCRUBHUB_IMPORT_MAX_MB by the import page before it reads the request's body; the rest
# are Django's limits, written out: other fields at most 2.5 MB, one file per request, a
# file kept in memory up to 2.5 MB and in a temporary file beyond.
SCRUBHUB_IMPORT_MAX_BYTES = env_int("SCRUBHUB_IMPORT_MAX_MB", 5) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF token from the cookie; forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
# Session time-outs (scrubhub/security.py): staff see other people's data, so theirs are short.
SCRUBHUB_STAFF_IDLE_SECONDS = env_int("SCRUBHUB_STAFF_IDLE_SECONDS", 30 * 60)
SCRUBHUB_STAFF_MAX_SECONDS = env_int("SCRUBHUB_STAFF_MAX_SECONDS", 12 * 60 * 60)
SCRUBHUB_MAKER_IDLE_SECONDS = env_int("SCRUBHUB_MAKER_IDLE_SECONDS", 3 * 24 * 60 * 60)
SCRUBHUB_MAKER_MAX_SECONDS = env_int("SCRUBHUB_MAKER_MAX_SECONDS", 30 * 24 * 60 * 60)
SESSION_COOKIE_AGE = SCRUBHUB_MAKER_MAX_SECONDS
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS to this exact host, never to sub-domains.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SCRUBHUB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
