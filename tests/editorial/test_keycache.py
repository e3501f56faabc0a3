"""API keys served from the shared cache (editorial/keycache.py): fewer queries, revocation at once."""

from __future__ import annotations

import django
import pytest
from django.core.cache import cache
from django.urls import reverse

from editorial import keycache, services
from editorial.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(newsroom):
    return services.api_key_create(newsroom=newsroom, name="CMS")


def test_a_known_key_is_not_looked_up_again(issued, django_assert_num_queries):
    services.api_key_authenticate(raw_key=issued.raw_key)  # looked up, cached, use recorded

    with django_assert_num_queries(0):
        api_key = services.api_key_authenticate(raw_key=issued.raw_key)

    assert api_key.pk == issued.api_key.pk
    assert api_key.newsroom.slug == "ledger"  # its newsroom comes with it, no query either


def test_the_cache_holds_a_digest_never_the_secret(issued):
    services.api_key_authenticate(raw_key=issued.raw_key)
    secret = issued.raw_key.partition(".")[2]

    entry = keycache.cached(issued.api_key.prefix)

    assert entry.hashed_secret == issued.api_key.hashed_secret
    assert secret not in repr(vars(entry))


def test_a_wrong_secret_is_refused_with_the_key_cached(issued):
    services.api_key_authenticate(raw_key=issued.raw_key)
    prefix, _, secret = issued.raw_key.partition(".")

    assert services.api_key_authenticate(raw_key=f"{prefix}.{secret[:-1]}x") is None
    assert services.api_key_authenticate(raw_key=f"{prefix}.") is None


def test_a_revoked_key_is_refused_at_once_though_it_was_cached(issued):
    assert services.api_key_authenticate(raw_key=issued.raw_key) is not None

    services.api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))

    assert keycache.cached(issued.api_key.prefix) == keycache.REVOKED
    assert services.api_key_authenticate(raw_key=issued.raw_key) is None


def test_revoking_every_key_of_a_name_refuses_the_cached_ones(newsroom, issued):
    second = services.api_key_create(newsroom=newsroom, name="CMS")
    other = services.api_key_create(newsroom=newsroom, name="Slack")
    for key in (issued, second, other):
        services.api_key_authenticate(raw_key=key.raw_key)

    assert services.api_key_revoke_all(newsroom=newsroom, name="CMS") == 2

    assert services.api_key_authenticate(raw_key=issued.raw_key) is None
    assert services.api_key_authenticate(raw_key=second.raw_key) is None
    assert services.api_key_authenticate(raw_key=other.raw_key) is not None


def test_a_lookup_that_read_the_key_before_it_was_revoked_cannot_bring_it_back(issued):
    # A request reads the active key from the database ...
    before = ApiKey.objects.select_related("newsroom").get(pk=issued.api_key.pk)
    # ... another process revokes it ...
    services.api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))
    # ... and the first request stores what it read: the tombstone wins.
    keycache.remember(before)

    assert keycache.cached(issued.api_key.prefix) == keycache.REVOKED
    assert services.api_key_authenticate(raw_key=issued.raw_key) is None


def test_after_the_commit_the_cache_holds_the_revocation(issued, django_capture_on_commit_callbacks):
    services.api_key_authenticate(raw_key=issued.raw_key)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))

    assert len(callbacks) == 1
    assert keycache.cached(issued.api_key.prefix) == keycache.REVOKED


def test_renaming_the_newsroom_in_the_admin_refreshes_its_cached_keys(
    admin_client, newsroom, issued, django_capture_on_commit_callbacks
):
    services.api_key_authenticate(raw_key=issued.raw_key)
    page = reverse("admin:editorial_newsroom_change", args=[newsroom.pk])
    form = {
        "name": "The Morning Ledger",
        "slug": "ledger",
        "desks-TOTAL_FORMS": "0",
        "desks-INITIAL_FORMS": "0",
        "desks-MIN_NUM_FORMS": "0",
        "desks-MAX_NUM_FORMS": "1000",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(page, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert keycache.cached(issued.api_key.prefix).newsroom.name == "The Morning Ledger"
    assert services.api_key_authenticate(raw_key=issued.raw_key).newsroom.name == "The Morning Ledger"


def test_an_unknown_prefix_is_not_cached(newsroom):
    assert services.api_key_authenticate(raw_key="fd_0123456789ab.secret") is None
    assert cache.get(keycache._cache_key("0123456789ab")) is None


def test_a_cache_of_one_process_memory_holds_no_keys(issued, settings, django_assert_num_queries):
    # Another process's revocation could not reach it: every request reads the key from the database.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    services.api_key_authenticate(raw_key=issued.raw_key)

    with django_assert_num_queries(1):
        assert services.api_key_authenticate(raw_key=issued.raw_key) is not None
    assert keycache.cached(issued.api_key.prefix) is None
    assert cache.get(keycache._cache_key(issued.api_key.prefix)) is None


def test_entries_are_kept_under_the_django_version(issued):
    # A new Django (or a bumped layout) reads its own entries, never another version's pickles.
    services.api_key_authenticate(raw_key=issued.raw_key)
    assert django.__version__ in keycache._cache_key(issued.api_key.prefix)
    assert cache.get(keycache._cache_key(issued.api_key.prefix)).pk == issued.api_key.pk
