"""Waiting between attempts at something outside: an SMTP server, a newsroom's webhook receiver."""

from __future__ import annotations

import random


def equal_jitter(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal" jitter: a step that doubles from ``base`` after each attempt,
    never above ``cap``, half of it fixed and half random.  Full jitter could draw near-zero delays
    several times running and spend the attempts within a short outage."""
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return step / 2 + random.uniform(0, step / 2)
