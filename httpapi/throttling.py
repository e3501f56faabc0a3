"""Throttling per API key: each key has its own budget of requests, counted in the default cache.

``FACTDESK_API_RATE`` is every key's budget for the whole API (``"600/min"`` by default), and
``FACTDESK_API_ANALYZE_RATE`` a stricter one for the analysis preview, which costs CPU and stores
nothing.  Over budget: 429 with ``Retry-After``.  An empty rate turns the throttle off.

A key's window opens with its first request and lasts the rate's period; the cache holds the window's
start and count, a constant few bytes whatever the rate (DRF's own throttle keeps the time of every
request in the window: thousands of them at a busy integration's rate, read and written each time).
Two processes counting the same request at once may both let it through: the budget is approximate
under heavy concurrency, never unbounded.  The counts live in Django's default cache, which every web
process must share: the embedded default is a file-system cache under ``var/``, production sets
``CACHE_URL`` to Redis.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from editorial.models import ApiKey

if TYPE_CHECKING:  # DRF imports this module while loading its views: no import of them at run time
    from rest_framework.request import Request
    from rest_framework.views import APIView


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str, *, setting_name: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60): requests per second, minute, hour or day (the first letter counts)."""
    count, _, period = rate.partition("/")
    try:
        requests, seconds = int(count), PERIODS[period.strip()[:1].lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"{setting_name}={rate!r}: write a number of requests per second, minute, hour or day, "
            "e.g. '600/min'."
        ) from None
    if requests < 1:
        raise ImproperlyConfigured(f"{setting_name}={rate!r}: allow at least one request, or leave it empty.")
    return requests, seconds


class ApiKeyRateThrottle(BaseThrottle):
    scope = "api_key"
    setting_name = "FACTDESK_API_RATE"

    def __init__(self) -> None:
        # Read at each request (a throttle is made per request), so that a change of settings applies.
        self.rate = getattr(settings, self.setting_name, None) or None
        if self.rate is not None:
            self.requests, self.seconds = parse_rate(self.rate, setting_name=self.setting_name)
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        api_key = request.auth
        if self.rate is None or not isinstance(api_key, ApiKey):
            return True  # no limit, or refused before this, or a view open to all (the schema, the docs)
        # The key's public prefix: unique, and stable across databases (ids are not).
        cache_key = f"throttle:{self.scope}:{api_key.prefix}"
        now = time.time()
        window = cache.get(cache_key)
        start, count = window if window and window[0] + self.seconds > now else (now, 0)
        remaining = start + self.seconds - now
        if count >= self.requests:
            self.retry_after = max(1, math.ceil(remaining))
            return False
        cache.set(cache_key, (start, count + 1), timeout=max(1, math.ceil(remaining)))
        return True

    def wait(self) -> float | None:
        return self.retry_after


class AnalyzeRateThrottle(ApiKeyRateThrottle):
    scope = "analyze"
    setting_name = "FACTDESK_API_ANALYZE_RATE"
