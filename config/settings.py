"""Factdesk settings, read from the environment.

With no configuration at all Factdesk runs on the *embedded default*: an SQLite file and a
file-system Celery broker under ``var/``, so nothing has to be installed.  Production sets
``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis), ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
The README has the whole table.
"""

import contextlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu.entity import Queue

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
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our static files: no CDN
    "editorial",
    "factcheck",
    "factcheck.notifications",
    "factcheck.webhooks",
]

MIDDLEWARE = [
    "monitoring.metrics.RequestMetrics",
    "django.middleware.security.SecurityMiddleware",
    "httpapi.bodies.BodyLimitMiddleware",
    "httpapi.paths.TrailingSlashMiddleware",
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
    # SQLite builds the covering indexes (the standards dashboard's) without their INCLUDE columns,
    # which only PostgreSQL, production's database, reads: nothing to warn the embedded default about.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
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
# Load balancers probe health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Limits ---------------------------------------------------------------------------------

# Largest request body, in bytes, on any path: the API answers 413 above it, before reading it
# (httpapi/bodies.py).  The default admits a 10 MB HTML page inside a JSON body, with room for the
# escapes JSON adds; Django's own limit on a form's body is the same.
FACTDESK_MAX_BODY_BYTES = env.int("FACTDESK_MAX_BODY_BYTES", default=16_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTDESK_MAX_BODY_BYTES
# Largest article the analysis accepts, in characters.
FACTDESK_MAX_ARTICLE_CHARS = env.int("FACTDESK_MAX_ARTICLE_CHARS", default=1_000_000)
# Most claims (sentences to check) one article may have: an article with more is not analysed (its
# analysis fails, naming the limit), so that no body can become an unbounded number of claims.
FACTDESK_MAX_CLAIMS_PER_ARTICLE = env.int("FACTDESK_MAX_CLAIMS_PER_ARTICLE", default=5_000)
# The analysis preview (POST /api/v1/analyze) runs in the web request: its own, smaller cap on the
# text, in characters (400 above it).  With the claims cap, it bounds the time a preview holds a
# web worker.
FACTDESK_ANALYZE_MAX_CHARS = env.int("FACTDESK_ANALYZE_MAX_CHARS", default=100_000)
# Distinct addresses an article's links may have fetched per analysis, in the order they appear; the
# links after them are attached as sources not fetched, with the reason (an editor may fetch one).
FACTDESK_MAX_FETCHES_PER_ARTICLE = env.int("FACTDESK_MAX_FETCHES_PER_ARTICLE", default=100)

# --- Fetching sources ------------------------------------------------------------------------
# Workers fetch the web pages behind claims.  Every destination is checked on the address actually
# connected to: loopback, private, link-local and other reserved addresses are refused unless listed
# in FACTDESK_FETCH_ALLOW_NETWORKS (CIDRs, for tests and intranets).
FACTDESK_FETCH = {
    "connect_timeout": env.float("FACTDESK_FETCH_CONNECT_TIMEOUT", default=5.0),
    "read_timeout": env.float("FACTDESK_FETCH_READ_TIMEOUT", default=15.0),
    "total_timeout": env.float("FACTDESK_FETCH_TOTAL_TIMEOUT", default=60.0),
    "max_redirects": env.int("FACTDESK_FETCH_MAX_REDIRECTS", default=5),
    "max_bytes": env.int("FACTDESK_FETCH_MAX_BYTES", default=5_000_000),
    "per_host_concurrency": env.int("FACTDESK_FETCH_PER_HOST", default=4),
    "allow_networks": env.list("FACTDESK_FETCH_ALLOW_NETWORKS", default=[]),
    "user_agent": env(
        "FACTDESK_FETCH_USER_AGENT",
        default=f"Factdesk/1.0 (+{SITE_URL}; fact-check source archiver)",
    ),
}
# Attempts at a source before a transient failure (timeout, 5xx, 429) is recorded as final.
FACTDESK_FETCH_MAX_ATTEMPTS = env.int("FACTDESK_FETCH_MAX_ATTEMPTS", default=5)
# Longest wait between two attempts, in seconds (a longer Retry-After is cut to this).
FACTDESK_FETCH_RETRY_CAP = env.int("FACTDESK_FETCH_RETRY_CAP", default=900)
# How long a fetch holds its source before another worker may take it over, in seconds (default:
# the fetch's total_timeout plus 30 s to extract and store).  A worker that dies mid-fetch leaves it.
FACTDESK_FETCH_LEASE = env.int("FACTDESK_FETCH_LEASE", default=0)
# A source added this long ago and never fetched is queued again (its message was lost).
FACTDESK_FETCH_REQUEUE_AFTER_SECONDS = env.int("FACTDESK_FETCH_REQUEUE_AFTER_SECONDS", default=120)
# A search of the providers queued this long ago and not finished is queued again (its message was
# lost, or its worker died); above the search's own retries (about four minutes with timeouts).
FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS = env.int("FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS", default=600)
# Queue the fetch as soon as a source is added (the tests turn this off and fetch explicitly).
FACTDESK_FETCH_ON_ADD = env.bool("FACTDESK_FETCH_ON_ADD", default=True)

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
# Publishing a task from a request is bounded: a broker that is down is tried this many more times
# (about a second in all), then the message is dropped and the work stays recorded in the database
# for its sweep (factcheck/queue.py).  The request answers as if the broker had taken it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("FACTDESK_PUBLISH_RETRIES", default=2),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("FACTDESK_BROKER_CONNECT_TIMEOUT", default=2.0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic tasks, run by `celery -A config beat` (or a worker started with -B, as `make serve` does).
# How often the sweeps look for work whose message was lost or whose worker died, in seconds.
FACTDESK_SWEEP_SECONDS = env.float("FACTDESK_SWEEP_SECONDS", default=60.0)
# An analysis under way for longer than this is presumed lost with its worker and queued again; keep
# it above the analysis task's hard time limit (180 s), or a slow live analysis is run twice (which
# stores nothing twice, but costs the time).
FACTDESK_ANALYSIS_LEASE_SECONDS = env.int("FACTDESK_ANALYSIS_LEASE_SECONDS", default=240)
# An analysis received this long ago and not started is queued again (its message was lost); each
# next time waits as long as the article has already waited, so a long queue is not flooded.
FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS = env.int("FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS", default=120)
# An article still blocked this many minutes before its publication deadline is escalated: one
# email to its desk's editors and an article.deadline_escalated webhook event, once per deadline.
FACTDESK_DEADLINE_ESCALATION_MINUTES = env.int("FACTDESK_DEADLINE_ESCALATION_MINUTES", default=60)
if FACTDESK_DEADLINE_ESCALATION_MINUTES < 0:
    raise ImproperlyConfigured("FACTDESK_DEADLINE_ESCALATION_MINUTES must be 0 or more.")
CELERY_BEAT_SCHEDULE = {
    # Articles still blocked close to their deadline: escalated, once per deadline.
    "factcheck-escalate-deadlines": {
        "task": "factcheck.escalate_deadlines",
        "schedule": FACTDESK_SWEEP_SECONDS,
    },
    # Analyses whose message the broker lost, or whose worker died: queued again.
    "factcheck-sweep-analyses": {"task": "factcheck.sweep_analyses", "schedule": FACTDESK_SWEEP_SECONDS},
    # Emails whose worker was lost, or whose task the broker lost: queued again.
    "notifications-recover-outbox": {
        "task": "notifications.recover_outbox",
        "schedule": FACTDESK_SWEEP_SECONDS,
    },
    # Daily digests, each at its newsroom's time: checked every 5 minutes.
    "notifications-send-digests": {"task": "notifications.send_digests", "schedule": 300.0},
    # Source fetches whose message was lost, or whose worker died holding the lease: queued again.
    "factcheck-sweep-sources": {"task": "factcheck.sweep_sources", "schedule": FACTDESK_SWEEP_SECONDS},
    # Searches of the providers whose message was lost, or whose worker died: queued again.
    "factcheck-sweep-searches": {"task": "factcheck.sweep_searches", "schedule": FACTDESK_SWEEP_SECONDS},
    # Webhook deliveries whose task was lost, or whose worker died mid-send: queued again.
    "webhooks-sweep-deliveries": {"task": "webhooks.sweep_deliveries", "schedule": FACTDESK_SWEEP_SECONDS},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Fetching is waiting on the network: its tasks have a queue of their own, for workers with many
# threads (``celery -A config worker -Q fetch --pool threads --concurrency 16``, two per core); the
# default queue (analysis, email) suits a process pool.  A worker started without -Q consumes both.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("fetch"))
CELERY_TASK_ROUTES = {
    "factcheck.fetch_source": {"queue": "fetch"},
    "factcheck.search_sources": {"queue": "fetch"},
    "webhooks.deliver": {"queue": "fetch"},
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # How long a task taken by a worker that then died waits before another worker gets it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # A broker that does not answer (a host down, a network cut) fails a publish within
        # seconds rather than holding the request.
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "socket_timeout": env.float("FACTDESK_BROKER_SOCKET_TIMEOUT", default=5.0),
        "retry_on_timeout": True,
    }

# --- Health and metrics -----------------------------------------------------------------------
# /readyz waits this long, at most, for the broker and for a worker's answer to a ping.
FACTDESK_READYZ_TIMEOUT = env.float("FACTDESK_READYZ_TIMEOUT", default=1.0)
# /metrics answers only a request with "Authorization: Bearer <this token>"; unset, it is off (404).
FACTDESK_METRICS_TOKEN = env("FACTDESK_METRICS_TOKEN", default="")

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

# --- Notifications --------------------------------------------------------------------------
# Each email is an outbox row sent by a worker (factcheck/notifications); the README explains the
# guarantees.  A transient error (4xx, server down, timeout) is retried after a backoff that doubles
# from the base to the cap, with jitter, up to the maximum of attempts; then the email is failed.
FACTDESK_EMAIL_MAX_ATTEMPTS = env.int("FACTDESK_EMAIL_MAX_ATTEMPTS", default=12)
FACTDESK_EMAIL_RETRY_BASE_SECONDS = env.float("FACTDESK_EMAIL_RETRY_BASE_SECONDS", default=30.0)
FACTDESK_EMAIL_RETRY_CAP_SECONDS = env.float("FACTDESK_EMAIL_RETRY_CAP_SECONDS", default=1800.0)
# A worker sending an email for longer than this is presumed lost, and the email is sent again.
# Keep it above the send task's hard time limit (90 s), or a slow live send could be duplicated.
FACTDESK_EMAIL_LEASE_SECONDS = env.int("FACTDESK_EMAIL_LEASE_SECONDS", default=300)
# A pending email due for this long without its task running (broker lost it) is queued again.
FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS = env.int("FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS", default=120)
# A provider's HTTP API instead of SMTP: a Django email backend (django-anymail's, say) and its options
# as JSON, e.g. anymail.backends.postmark.EmailBackend and {"server_token": "..."}.  Replaces EMAIL_URL.
if env("FACTDESK_EMAIL_BACKEND", default=""):
    MAILERS["default"] = {
        "BACKEND": env("FACTDESK_EMAIL_BACKEND"),
        "OPTIONS": env.json("FACTDESK_EMAIL_BACKEND_OPTIONS", default={}),
    }

# --- Webhooks -------------------------------------------------------------------------------
# Events POSTed, signed, to newsrooms' endpoints (factcheck/webhooks; the README explains the rules).
# An endpoint's address passes the same destination check as sources (FACTDESK_FETCH_ALLOW_NETWORKS).
# A failed attempt (no answer, a timeout, anything but a 2xx) is retried after a backoff that doubles
# from the base to the cap, with jitter (a 429 or 503's Retry-After instead, capped), up to the
# maximum of attempts; then the delivery has failed.  After FACTDESK_WEBHOOK_DISABLE_AFTER failed
# deliveries in a row the endpoint is disabled and the newsroom's admins are emailed.
FACTDESK_WEBHOOK_MAX_ATTEMPTS = env.int("FACTDESK_WEBHOOK_MAX_ATTEMPTS", default=10)
FACTDESK_WEBHOOK_RETRY_BASE_SECONDS = env.float("FACTDESK_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
FACTDESK_WEBHOOK_RETRY_CAP_SECONDS = env.float("FACTDESK_WEBHOOK_RETRY_CAP_SECONDS", default=3600.0)
FACTDESK_WEBHOOK_DISABLE_AFTER = env.int("FACTDESK_WEBHOOK_DISABLE_AFTER", default=10)
# Seconds a receiver has to answer one delivery, connection included (at most 60).
FACTDESK_WEBHOOK_TIMEOUT = env.float("FACTDESK_WEBHOOK_TIMEOUT", default=10.0)

# --- REST API -------------------------------------------------------------------------------

# Requests per API key, for the whole API and for the analysis preview ("600/min": per s, min, h or
# day; empty: no limit).  Counted in the default cache (below), which all web processes must share.
FACTDESK_API_RATE = env("FACTDESK_API_RATE", default="600/min")
FACTDESK_API_ANALYZE_RATE = env("FACTDESK_API_ANALYZE_RATE", default="60/min")
# How long the answer to a POST with an Idempotency-Key is kept for its retries, in seconds.
FACTDESK_API_IDEMPOTENCY_TTL = env.int("FACTDESK_API_IDEMPOTENCY_TTL", default=24 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["httpapi.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["httpapi.permissions.HasNewsroomKey"],
    "DEFAULT_THROTTLE_CLASSES": ["httpapi.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["httpapi.parsers.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "httpapi.pagination.CursorPage",
    "DEFAULT_SCHEMA_CLASS": "httpapi.schema.AutoSchema",
    "EXCEPTION_HANDLER": "httpapi.handlers.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Factdesk API",
    "DESCRIPTION": (
        "Newsroom integrations: submit articles, read claims and attribution flags, move claims through "
        "the review workflow. Every request carries `Authorization: Api-Key <key>` and sees only the "
        "key's newsroom. Every error has the same body, `ErrorOutput`. A POST with an "
        "`Idempotency-Key` can be retried safely."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, never a CDN; no online validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "displayOperationId": True},
    # Servers come from SITE_URL (httpapi.schema.postprocess_contract, after the enum hook).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "httpapi.schema.postprocess_contract",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "factcheck.workflow.ClaimStatus",
        "FetchStatusEnum": "factcheck.models.FetchStatus",
        "KindEnum": "factcheck.models.CLAIM_KIND_CHOICES",
        "AttributionFlagKindEnum": "factcheck.models.FLAG_KIND_CHOICES",
        "AuditActionEnum": "factcheck.models.AuditAction",
        "DiffOpEnum": "factcheck.api.serializers.DiffOp",
        "BodyFormatEnum": "editorial.models.BodyFormat",
        "WebhookEventEnum": "factcheck.webhooks.models.WebhookEvent",
        "WebhookSubscribableEventEnum": "factcheck.webhooks.models.SUBSCRIBABLE",
        "WebhookDeliveryStateEnum": "factcheck.webhooks.models.DeliveryState",
        "WebhookAttemptOutcomeEnum": "factcheck.webhooks.models.AttemptOutcome",
        "ErrorCodeEnum": "httpapi.errors.ErrorCode",
        "FlagSeverityEnum": "factcheck.api.serializers.SEVERITY_CHOICES",
        "ClaimOrderingEnum": "factcheck.api.serializers.CLAIM_ORDERINGS",
        "ArticleOrderingEnum": "factcheck.api.serializers.ARTICLE_ORDERINGS",
        "ClaimReviewFormatEnum": "factcheck.api.claimreview_views.FORMATS",
        "ExportFormatEnum": "factcheck.services.exports.ExportFormat",
        "ClaimExportRendererFormatEnum": "factcheck.api.exports.FORMATS",
    },
}

# --- Cache ----------------------------------------------------------------------------------
# Holds the API's throttle counts and its keys (editorial/keycache.py), which every web process must
# share.  The embedded default is a file-system cache under var/cache (one machine, any number of
# processes); production sets CACHE_URL=redis://host:6379/1 (Django's Redis backend), or any
# django-environ cache URL.

CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # httpx logs every request at INFO; the fetch attempts are recorded in the database instead.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
