import os

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from hypothesis import settings
from rest_framework.test import APIClient

from editorial.models import Role
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import NewsroomFactory, api_key_for, client_for

# Property tests explore new examples on every local run; CI (HYPOTHESIS_PROFILE=ci, set by .ci/run)
# draws the same examples every time, so that it fails on the code and not on the draw.  A failure
# found locally becomes an @example in the test, so CI keeps checking it.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test`), the tests that use the machine's shared services run one after
    another on one worker: they flush the one Redis database named for the tests and start real workers
    that read from it.  The rest are spread over the workers (`--dist loadgroup`)."""
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.xdist_group("services"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache.  Entries left by earlier tests would make a test
    depend on the order the tests ran in: the file cache (the embedded default) deletes a random third
    of its entries once it holds 300, so a cached API key could vanish between two requests and a
    query count fail."""
    cache.clear()


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
