"""Settings for the test suite: the production settings, with what tests need on top.

The database is whatever ``DATABASE_URL`` says (CI: PostgreSQL); with none, an SQLite file, so that a
real worker process started by an integration test sees the same test database.
"""

import os

os.environ.setdefault("SECRET_KEY", "factdesk-tests-only-" + "k" * 48)
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: F403
from config.settings import CACHES, CELERY_BROKER_URL, DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-factdesk.sqlite3")}

# `make test` runs the suite in one process per core (pytest-xdist names them gw0, gw1, ... in
# PYTEST_XDIST_WORKER).  pytest-django gives each its own test database; here each gets its own file
# cache and file-system broker folders too, since every test clears the cache and must not empty
# another worker's under its feet.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        CACHES["default"]["LOCATION"] = str(VAR_DIR / f"cache-{XDIST_WORKER}")
    if CELERY_BROKER_URL.startswith("filesystem://"):
        _broker = VAR_DIR / f"broker-{XDIST_WORKER}"
        for _folder in ("queue", "processed", "control"):
            (_broker / _folder).mkdir(parents=True, exist_ok=True)
        CELERY_BROKER_TRANSPORT_OPTIONS = {
            **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
            "data_folder_in": str(_broker / "queue"),
            "data_folder_out": str(_broker / "queue"),
            "processed_folder": str(_broker / "processed"),
            "control_folder": str(_broker / "control"),
        }
