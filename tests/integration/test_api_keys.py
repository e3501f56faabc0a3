"""End to end: API keys cached by several gunicorn workers are refused by all of them once revoked.

The keys live in the cache every web process shares (editorial/keycache.py): the default file cache
on one machine, Redis in production.  Both are tried, with two gunicorn workers each.
"""

from __future__ import annotations

import environ
import pytest

from editorial import keycache, services
from editorial.models import ApiKey
from tests.factories import NewsroomFactory, api_key_for
from tests.integration.test_worker import BROKER_URL, base_env, call, start_web

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REQUESTS = 24  # new connections each, spread over the workers


@pytest.mark.parametrize("backend", ["file", "redis"])
def test_a_revoked_key_is_refused_at_once_by_every_web_worker(tmp_path, settings, backend):
    env = base_env(tmp_path)
    # Redis: a database of its own, flushed by base_env.
    env["CACHE_URL"] = BROKER_URL if backend == "redis" else f"filecache://{tmp_path / 'cache'}"
    # This process revokes through the same cache, read from the URL as config/settings.py reads it.
    settings.CACHES = {"default": environ.Env.cache_url_config(env["CACHE_URL"])}
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    api_key, raw_key = api_key_for(newsroom)
    web = start_web(env, tmp_path, workers=2)
    try:
        statuses = [call(web, raw_key, "GET", "/api/v1/claims")[0] for _ in range(REQUESTS)]
        assert statuses == [200] * REQUESTS
        cached = keycache.cached(api_key.prefix)
        assert isinstance(cached, ApiKey) and cached.pk == api_key.pk  # the web workers cached it

        services.api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.pk))
        assert keycache.cached(api_key.prefix) == keycache.REVOKED

        answers = [call(web, raw_key, "GET", "/api/v1/claims") for _ in range(REQUESTS)]
        assert [status for status, _, _ in answers] == [401] * REQUESTS
        assert answers[0][2]["detail"] == "Unknown or revoked API key."
        web.check_running()
    finally:
        web.stop()
