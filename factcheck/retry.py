"""Waiting between attempts at something outside or transient: an SMTP server, a newsroom's webhook
receiver, a source's web server, the database under a Celery task.  ``retry_delay`` is the one policy;
each caller picks its base and cap."""

from __future__ import annotations

import random


def _equal_jitter(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal" jitter: a step that doubles from ``base`` after each attempt,
    never above ``cap``, half of it fixed and half random.  Full jitter could draw near-zero delays
    several times running and spend the attempts within a short outage."""
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return step / 2 + random.uniform(0, step / 2)


def retry_delay(attempts: int, retry_after: float | None, *, base: float, cap: float) -> float:
    """Seconds before the next attempt: the other side's Retry-After when it gave one (at least a
    second), else backoff with equal jitter; never above ``cap``."""
    if retry_after is not None:
        return min(cap, max(1.0, retry_after))
    return _equal_jitter(attempts, base=base, cap=cap)
