"""Factdesk settings, read from the environment.

With no configuration at all Factdesk runs on the *embedded default*: an SQLite file and a
file-system Celery broker under ``var/``, so nothing has to be installed.  Production sets
``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis), ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
The README has the whole table.
"""

import contextlib
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; the real environment wins

VAR_DIR = Path(env("FACTDESK_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """``SECRET_KEY`` from the environment, else the local key that ``make setup`` writes.

    An empty key is left empty on purpose: Django refuses to sign anything with it, and
    ``config/wsgi.py`` refuses to serve, while commands that need no key (``analyze``) still run.
    """
    key = env("SECRET_KEY", default="")
    if key:
        return key
    key_file = Path(env("SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key")))
    if key_file.is_file():
        return key_file.read_text().strip()
    return ""


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "editorial",
    "factcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'factdesk.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    with contextlib.suppress(OSError):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default: a web process and a worker share the file, so use WAL and take the
    # write lock at the start of each transaction instead of failing half-way through it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
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

# --- Security -------------------------------------------------------------------------------
# HTTPS defaults to on whenever DEBUG is off: production is served over TLS (behind a proxy
# that sets X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER is on).

HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Limits ---------------------------------------------------------------------------------

# Largest request body the API accepts, in bytes (answers 413 above it).
FACTDESK_MAX_BODY_BYTES = env.int("FACTDESK_MAX_BODY_BYTES", default=1_000_000)
# Admin forms (a pasted article) may be larger than an API body; the API parser applies its own cap.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2 * FACTDESK_MAX_BODY_BYTES, 2_621_440)
# Largest article the analysis accepts, in characters.
FACTDESK_MAX_ARTICLE_CHARS = env.int("FACTDESK_MAX_ARTICLE_CHARS", default=1_000_000)

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/broker, shared by the web process and a
    # real worker process on the same machine.  Production uses Redis.
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    for _folder in (_queue_dir, _processed_dir, VAR_DIR / "broker" / "control"):
        # A read-only checkout can still run the commands that queue nothing (``analyze``).
        with contextlib.suppress(OSError):
            _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Email ----------------------------------------------------------------------------------


def _mailer(url_setting: str, default: str) -> dict:
    """A ``MAILERS`` entry from a URL (``smtp+tls://user:password@host:587``, ``consolemail://``, ...)."""
    parsed = env.email_url(url_setting, default=default)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS"),
        "use_ssl": parsed.get("EMAIL_USE_SSL"),
        "timeout": parsed.get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=30),
        "file_path": parsed.get("EMAIL_FILE_PATH"),
    }
    backend = parsed["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        options = {"file_path": options["file_path"]}  # the only option other backends take
    return {
        "BACKEND": backend,
        "OPTIONS": {key: value for key, value in options.items() if value not in ("", None)},
    }


MAILERS = {"default": _mailer("EMAIL_URL", "consolemail://")}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Factdesk <factdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["editorial.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["editorial.api.permissions.HasNewsroomKey"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.LimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Factdesk API",
    "DESCRIPTION": "Newsroom integrations: submit articles, read claims and attribution flags.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {"ClaimStatusEnum": "factcheck.workflow.ClaimStatus"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
