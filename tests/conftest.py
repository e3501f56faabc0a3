import hashlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import django
import pytest
from celery._state import _set_task_join_will_block
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from hypothesis import settings
from rest_framework.test import APIClient

from config.settings import VAR_DIR
from editorial.models import Role
from tests import contract, shared_redis
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import NewsroomFactory, api_key_for, client_for

# Property tests explore new examples on every local run; CI (HYPOTHESIS_PROFILE=ci, set by .ci/run)
# draws the same examples every time, so that it fails on the code and not on the draw.  A failure
# found locally becomes an @example in the test, so CI keeps checking it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def _responses_match_the_schema():
    """Every API response a test client receives is validated against the OpenAPI schema
    (tests/contract.py): a response the schema does not allow fails the test that got it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "request", contract.checking_request(Client.request))
        yield


# --- The test database --------------------------------------------------------------------------------
# Migrating an empty SQLite database takes each pytest process a few seconds.  The first process to
# migrate keeps a copy of the result, named for everything that shapes it (every migration file, Django's
# and SQLite's versions); a later process starts from a copy of it, on which Django's migrate then finds
# nothing left to apply.  Any change to a migration names a new template, so nothing stale is used.  Only
# for SQLite: on PostgreSQL (CI) each run migrates its test database from nothing, as `--create-db` does
# here.
TEMPLATES_DIR = VAR_DIR / "test-db-templates"
_FROM_TEMPLATE = pytest.StashKey[bool]()


def _template_path() -> Path | None:
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or not database.get("TEST", {}).get("NAME"):
        return None
    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    for app in django_apps.get_app_configs():
        digest.update(f"\0{app.label}".encode())
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"\0{path.name}\0".encode() + path.read_bytes())
    return TEMPLATES_DIR / f"{digest.hexdigest()[:16]}.sqlite3"


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_keepdb, django_db_createdb, django_db_modify_db_settings):
    """True (start from the database file in place) when this process's test database has been copied
    from the template; otherwise as ``--reuse-db`` says."""
    template = _template_path()
    if django_db_keepdb or django_db_createdb or template is None or not template.exists():
        return django_db_keepdb
    target = Path(django_settings.DATABASES["default"]["TEST"]["NAME"])
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    target.write_bytes(template.read_bytes())
    request.config.stash[_FROM_TEMPLATE] = True
    return True


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup):
    """The test database, migrated; kept as the template when it was migrated from nothing."""
    template = _template_path()
    if template is not None and not request.config.stash.get(_FROM_TEMPLATE, False):
        TEMPLATES_DIR.mkdir(parents=True, exist_ok=True)
        partial = template.with_name(f"{template.name}.{os.getpid()}")
        with (
            closing(sqlite3.connect(django_settings.DATABASES["default"]["NAME"])) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        partial.replace(template)
        for old in TEMPLATES_DIR.glob("*.sqlite3"):
            if old != template:
                old.unlink(missing_ok=True)
    yield


def pytest_collection_modifyitems(items):
    """The tests marked integration that are not fault tests run first, in their usual order; the
    fault tests (each with a Redis, and some a PostgreSQL, of its own) start another worker's share.

    Under ``make test`` (pytest-xdist, ``--dist worksteal``: each worker starts on its own contiguous
    share of the list, and takes work from the end of another's when it runs out) the integration
    tests fall to the first worker, where those on the shared Redis take turns (tests/shared_redis.py)
    while the second starts on the fault tests: the two long chains of real processes run side by
    side instead of one after the other, and the other workers run the rest."""
    integration = [item for item in items if _kind(item) == 0]
    fault = [item for item in items if _kind(item) == 1]
    rest = [item for item in items if _kind(item) == 2]
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    first_share = max(len(items) // workers, len(integration)) if workers > 1 else len(items)
    ahead = rest[: max(0, first_share - len(integration))]
    items[:] = [*integration, *ahead, *fault, *rest[len(ahead) :]]


def _kind(item) -> int:
    if item.get_closest_marker("fault") is not None:
        return 1
    return 0 if item.get_closest_marker("integration") is not None else 2


@pytest.fixture(autouse=True)
def _one_integration_test_at_a_time():
    """Under pytest-xdist (`make test`), the tests on the shared Redis run one at a time across the
    workers: ``require_redis`` takes the lock (tests/shared_redis.py), and this fixture, autouse and so
    set up before and torn down after every other, releases it once the test's workers are stopped."""
    try:
        yield
    finally:
        shared_redis.release()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache.  Entries left by earlier tests would make a test
    depend on the order the tests ran in: the file cache (the embedded default) deletes a random third
    of its entries once it holds 300, so a cached API key could vanish between two requests and a
    query count fail."""
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_may_wait_on_results():
    """Each test starts outside any task, as far as Celery can tell.  Celery keeps "a task is running
    here, so waiting on a result would deadlock" in one process-wide flag, set and reset around every
    eager ``apply``; tests that run tasks from several threads at once (two workers escalating the same
    deadline) can leave it set, and a later test's ``.apply().get()`` in the same process would then be
    refused with "Never call result.get() within a task!"."""
    _set_task_join_will_block(False)


@pytest.fixture
def newsroom(db):
    return NewsroomFactory(name="The Daily Ledger", slug="ledger")


@pytest.fixture
def other_newsroom(db):
    return NewsroomFactory(name="The Evening Courier", slug="courier")


@pytest.fixture
def api_key(newsroom):
    return api_key_for(newsroom)


@pytest.fixture
def api(api_key):
    """An API client authenticated with a key of ``newsroom``."""
    return client_for(api_key[1])


@pytest.fixture
def admin_api(newsroom):
    """An API client authenticated with a newsroom admin's key of ``newsroom``."""
    return client_for(api_key_for(newsroom, role=Role.ADMIN)[1])


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "correct horse battery")


@pytest.fixture
def admin_client(client, superuser):
    """The admin, logged in as a superuser (who sees every newsroom)."""
    client.force_login(superuser)
    return client


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, and the default mailer pointed at it."""
    server = SMTPServer().start()
    settings.MAILERS = {"default": server.mailer}
    yield server
    server.stop()
