"""Finding stored work whose task never ran, or whose worker died, for a beat sweep to queue again.

Every kind of work is a row before it is a message (``factcheck.queue``): an article's analysis, a
claim's search for sources, an outbox email, a webhook delivery.  Each row says when it is due; a
row still pending some time after that was lost on the way, and its sweep queues it again.  The
kinds differ only in the data of an ``Overdue``: which column holds the due time, how late a row may
be before it counts as lost, and how far ahead its next due time goes once it is queued again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet


@dataclass(frozen=True)
class Overdue:
    """How one kind of work is found overdue and put off once it is queued again.

    - ``due``: the column of the time the work is due;
    - ``grace``: how long after that a pending row's task may still be on its way;
    - ``pause``: once queued again, the least time before the row is found again;
    - ``waited_since``: the column of when the work was first queued, or None; a row queued again is
      next due as far ahead as it has already waited since then (so that a long queue is not flooded
      with copies), and a row without that time gets it now;
    - ``undated``: whether a pending row with no due time at all counts as overdue.
    """

    due: str
    grace: datetime.timedelta = datetime.timedelta(0)
    pause: datetime.timedelta = datetime.timedelta(0)
    waited_since: str | None = None
    undated: bool = False


def requeue_overdue(
    pending: QuerySet[Any], overdue: Overdue, *, now: datetime.datetime, limit: int
) -> list[int]:
    """The ids of the ``pending`` rows overdue at ``now`` by ``overdue``, oldest due first, at most
    ``limit``, for the caller's task to queue again; each gets its next due time.

    Rows another sweep holds are skipped (it queues them).  A task that does arrive late finds its
    work done or claimed, and does nothing.
    """
    late = Q(**{f"{overdue.due}__lte": now - overdue.grace})
    if overdue.undated:
        late |= Q(**{f"{overdue.due}__isnull": True})
    columns = ("pk", overdue.waited_since) if overdue.waited_since else ("pk",)
    with transaction.atomic():
        rows = list(
            pending.select_for_update(skip_locked=True)
            .filter(late)
            .order_by(F(overdue.due).asc(nulls_first=True), "pk")
            .values_list(*columns)[:limit]
        )
        ids = [row[0] for row in rows]
        if overdue.waited_since is None:
            pending.filter(pk__in=ids).update(**{overdue.due: now + overdue.pause})
        else:
            for pk, since in rows:
                waited = now - since if since is not None else datetime.timedelta(0)
                first_queued = {overdue.waited_since: now} if since is None else {}
                pending.filter(pk=pk).update(
                    **first_queued, **{overdue.due: now + max(overdue.pause, waited)}
                )
    return ids
