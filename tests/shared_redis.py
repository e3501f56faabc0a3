"""The tests' Redis database (FACTDESK_TEST_REDIS_URL, and the one after it) is one for the machine:
a test that uses it flushes it and starts real workers that read from it.  Under pytest-xdist
(`make test`) those tests take turns behind a lock file in var/, taken when a test first reaches for
that Redis (``require_redis``) and released once the test and its fixtures are done (an autouse
fixture in tests/conftest.py).  Tests with services of their own (the fault suite's Redis and
PostgreSQL, the README's demo) never take it, and run beside them.  A lock file rather than xdist's
groups, which pytest 9 ignores (xdist 3.8 renames ``item._nodeid``, which pytest 9 no longer reads)."""

from __future__ import annotations

import fcntl
from typing import IO

from config.settings import VAR_DIR

_held: list[IO[str]] = []


def take() -> None:
    """Wait for the other workers' tests on the shared Redis to finish; hold it until ``release``."""
    if _held:
        return
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    lock = (VAR_DIR / "integration-tests.lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    _held.append(lock)


def release() -> None:
    while _held:
        lock = _held.pop()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
