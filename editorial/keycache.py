"""API keys kept in the shared cache by prefix, so that an API request does not query its key.

Looking the key up cost about a fifth of the CPU of a claims-list request (``bench/api.py``): a
query, compiled by the ORM, on every request.  The key (with its newsroom) is kept in Django's
default cache, which every web process shares (a file cache on one machine, Redis in production),
for ``TIMEOUT`` seconds.

A revoked key must be refused at once, by every process, whatever the timing.  So:

- a lookup stores what it read with ``cache.add``, which never overwrites an entry;
- a change to a key or to its newsroom (``services.api_key_revoke``, ``api_key_revoke_all``, the
  newsroom's admin page) calls :func:`forget`, which deletes the entry at once (later lookups read
  the database, which in the changing transaction already holds the change) and writes the new
  state with ``cache.set`` when the transaction commits; so a lookup that read the row just before
  the change cannot leave the old state behind;
- a revoked key is written as ``REVOKED``, a tombstone a lookup cannot replace, both at once and
  at the commit (should the revoking transaction roll back, the key stays refused until the
  tombstone expires: the safe side).

Keys cannot be edited otherwise: a new role is a new key.

Only the secret's digest is in the cache, as in the database.  The cache must be shared by every
web process (see ``CACHE_URL`` in ``config/settings.py``): with a cache of one process's memory
(``locmem://``), which another process's revocation cannot reach, keys are not cached at all.
"""

from __future__ import annotations

import django
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

from editorial.models import ApiKey

__all__ = ["REVOKED", "TIMEOUT", "cached", "first_use_in", "forget", "remember"]

TIMEOUT = 300
REVOKED = "revoked"
# Entries are pickled models: a new Django, or a change to the key's or the newsroom's fields (bump the
# number), starts new entries instead of unpickling old ones.  Old tombstones are then not seen, which is
# safe: the lookup reads the database, where the key is revoked.
_LAYOUT = f"{django.__version__}-1"


def _cache_key(prefix: str) -> str:
    return f"factdesk:api_key:{_LAYOUT}:{prefix}"


def _shared() -> bool:
    """Whether the default cache is one that every process sees."""
    return not isinstance(caches["default"], LocMemCache)


def cached(prefix: str) -> ApiKey | str | None:
    """The cached key (with its newsroom) for ``prefix``, ``REVOKED``, or None when not cached."""
    return cache.get(_cache_key(prefix)) if _shared() else None


def remember(api_key: ApiKey) -> None:
    """Keep ``api_key`` (active, its newsroom loaded), unless an entry is there already."""
    if _shared():
        cache.add(_cache_key(api_key.prefix), api_key, TIMEOUT)


def first_use_in(prefix: str, seconds: float) -> bool:
    """True for the first use of the key ``prefix`` in a window of ``seconds``, in any process."""
    return cache.add(f"factdesk:api_key_used:{prefix}", True, seconds)


def _current(prefixes: list[str]) -> dict[str, ApiKey | str]:
    """The state of the keys ``prefixes``, in one query: the key with its newsroom, or ``REVOKED``
    for one that is revoked or gone."""
    states: dict[str, ApiKey | str] = dict.fromkeys(prefixes, REVOKED)
    for api_key in ApiKey.objects.select_related("newsroom").filter(prefix__in=prefixes):
        if api_key.revoked_at is None:
            states[api_key.prefix] = api_key
    return states


def forget(prefixes: list[str], *, revoked: bool = False) -> None:
    """The keys ``prefixes`` have just been changed in the database (call it after the write, in the
    same transaction): drop their entries now, and store their state once the transaction commits.

    ``revoked``: they were revoked, and are refused from now on, commit or not.
    """
    if not prefixes:
        return
    keys = [_cache_key(prefix) for prefix in prefixes]
    if revoked:
        cache.set_many(dict.fromkeys(keys, REVOKED), TIMEOUT)
    else:
        cache.delete_many(keys)

    def store() -> None:
        states = dict.fromkeys(prefixes, REVOKED) if revoked else _current(prefixes)
        cache.set_many({_cache_key(prefix): state for prefix, state in states.items()}, TIMEOUT)

    transaction.on_commit(store)
