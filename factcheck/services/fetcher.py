"""The fetcher as configured: the policy ``settings.FACTDESK_FETCH`` describes, one fetcher per worker
process, and how long a fetch may hold its source."""

from __future__ import annotations

import functools

from django.conf import settings

from factcheck.destinations import allowed_networks
from factcheck.web.fetch import Fetcher, FetchPolicy


def fetch_policy() -> FetchPolicy:
    """The fetch policy that ``settings.FACTDESK_FETCH`` describes."""
    return FetchPolicy(**{**settings.FACTDESK_FETCH, "allow_networks": allowed_networks()})


@functools.lru_cache(maxsize=4)
def _fetcher_for(policy: FetchPolicy) -> Fetcher:
    return Fetcher(policy)


def fetcher(policy: FetchPolicy | None = None) -> Fetcher:
    """The worker process's fetcher for ``policy`` (``fetch_policy()`` by default): one connection
    pool and per-host limit, shared by its threads."""
    return _fetcher_for(policy or fetch_policy())


def lease_seconds() -> float:
    """How long a fetch may hold its source: the fetch's own deadline, plus time to extract and store."""
    return settings.FACTDESK_FETCH_LEASE or settings.FACTDESK_FETCH["total_timeout"] + 30
