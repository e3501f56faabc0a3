"""Throttling per API key (httpapi/throttling.py), counted in the shared cache."""

from __future__ import annotations

import json
import re
import time

import pytest
import redis
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from httpapi.throttling import ApiKeyRateThrottle
from tests.factcheck.test_api import BODY, assert_error
from tests.factories import api_key_for, client_for
from tests.integration.test_worker import BROKER_URL, require_redis
from tests.test_settings import clean_env, run

pytestmark = pytest.mark.django_db


def test_over_the_rate_is_a_429_with_retry_after(api, settings):
    settings.FACTDESK_API_RATE = "3/min"
    for _ in range(3):
        assert api.get("/api/v1/claims").status_code == 200

    response = api.get("/api/v1/claims")

    body = assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in body["detail"].lower()
    # POSTs count too, and are refused before they do anything.
    assert_error(api.post("/api/v1/articles", {"external_id": "x", "body": BODY}, format="json"), 429)


def test_each_key_has_its_own_budget(api, newsroom, settings):
    settings.FACTDESK_API_RATE = "2/min"
    other = client_for(api_key_for(newsroom)[1])
    api.get("/api/v1/claims")
    api.get("/api/v1/claims")
    assert api.get("/api/v1/claims").status_code == 429
    assert other.get("/api/v1/claims").status_code == 200


def test_the_rate_is_per_second_minute_hour_or_day(api, settings):
    settings.FACTDESK_API_RATE = "1/hour"
    api.get("/api/v1/desks")
    response = api.get("/api/v1/desks")
    assert response.status_code == 429
    assert 60 < int(response["Retry-After"]) <= 3600


def test_the_analysis_preview_has_a_stricter_rate(api, settings):
    settings.FACTDESK_API_RATE = "100/min"
    settings.FACTDESK_API_ANALYZE_RATE = "2/min"
    for _ in range(2):
        assert api.post("/api/v1/analyze", {"text": BODY}, format="json").status_code == 200

    assert_error(api.post("/api/v1/analyze", {"text": BODY}, format="json"), 429, "throttled")
    assert api.get("/api/v1/claims").status_code == 200  # the rest of the API is still open


def test_an_empty_rate_turns_throttling_off(api, settings):
    settings.FACTDESK_API_RATE = ""
    for _ in range(30):
        assert api.get("/api/v1/desks").status_code == 200


def test_unauthenticated_requests_are_refused_not_counted(api, api_key, anonymous_api, settings):
    settings.FACTDESK_API_RATE = "1/min"
    # A wrong secret on the real key's prefix: refused, and not counted against that key.
    forged = client_for(f"fd_{api_key[0].prefix}.not-the-secret")
    for _ in range(3):
        assert_error(anonymous_api.get("/api/v1/claims"), 401)
        assert_error(forged.get("/api/v1/claims"), 401)

    assert api.get("/api/v1/claims").status_code == 200  # the key's one request a minute is still there
    assert_error(api.get("/api/v1/claims"), 429, "throttled")  # and it was the only one


def test_the_schema_and_the_docs_are_not_throttled(api, anonymous_api, settings):
    settings.FACTDESK_API_RATE = "1/min"
    for _ in range(3):
        assert anonymous_api.get("/api/v1/schema").status_code == 200
        assert api.get("/api/v1/schema").status_code == 200
        assert api.get("/api/v1/docs").status_code == 200

    assert api.get("/api/v1/claims").status_code == 200  # the key's budget was not spent on them


@pytest.mark.parametrize("rate", ["lots", "10", "10/fortnight", "ten/min", "0/min"])
def test_a_malformed_rate_says_what_to_write(settings, rate):
    settings.FACTDESK_API_RATE = rate
    with pytest.raises(ImproperlyConfigured, match=re.escape(f"FACTDESK_API_RATE={rate!r}")):
        ApiKeyRateThrottle()


def test_the_counts_live_in_the_shared_cache(api, api_key, settings):
    settings.FACTDESK_API_RATE = "5/min"
    api.get("/api/v1/claims")
    api.get("/api/v1/claims")
    start, count = cache.get(f"throttle:api_key:{api_key[0].prefix}")
    assert count == 2
    assert 0 <= time.time() - start < 60
    # What another process finds there is what it counts from.
    cache.set(f"throttle:api_key:{api_key[0].prefix}", (start, 5), timeout=60)
    assert_error(api.get("/api/v1/claims"), 429, "throttled")


def test_a_window_ends_after_its_period(api, api_key, settings):
    settings.FACTDESK_API_RATE = "1/min"
    api.get("/api/v1/claims")
    assert api.get("/api/v1/claims").status_code == 429
    # The window opened 61 seconds ago, as far as the cache knows: a new one opens.
    cache.set(f"throttle:api_key:{api_key[0].prefix}", (time.time() - 61, 1), timeout=60)
    assert api.get("/api/v1/claims").status_code == 200


@pytest.mark.integration  # the tests' Redis database, which the worker tests flush
def test_throttling_works_on_redis(api, api_key, settings):
    """Production's cache: Django's Redis backend, shared by every web server."""
    require_redis()
    client = redis.Redis.from_url(BROKER_URL)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": BROKER_URL}
    }
    settings.FACTDESK_API_RATE = "2/min"
    key = f":1:throttle:api_key:{api_key[0].prefix}"
    try:
        api.get("/api/v1/claims")
        api.get("/api/v1/claims")
        assert api.get("/api/v1/claims").status_code == 429
        assert client.exists(key)
    finally:
        client.delete(key)
        client.close()


@pytest.mark.parametrize(
    ("cache_url", "backend", "location"),
    [
        (None, "django.core.cache.backends.filebased.FileBasedCache", "{var}/cache"),
        (
            "redis://cache.internal:6379/1",
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.internal:6379/1",
        ),
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache", ""),
    ],
)
def test_the_cache_is_configured_from_cache_url(tmp_path, cache_url, backend, location):
    values = {"CACHE_URL": cache_url} if cache_url else {}
    env = clean_env(tmp_path, **values)
    script = "; ".join(
        [
            "import django, json",
            "django.setup()",
            "from django.conf import settings",
            "print(json.dumps(settings.CACHES))",
        ]
    )
    result = run(env, "-c", script)
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    assert default["BACKEND"] == backend
    assert default["LOCATION"] == location.format(var=tmp_path / "var")
