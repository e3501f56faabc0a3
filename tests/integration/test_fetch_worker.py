"""A fetch worker killed in the middle of fetching: after a restart every source is fetched exactly once.

A real Celery worker (thread pool, the fetch queue) takes fetch tasks from Redis and fetches from a
real HTTP server on loopback that answers slowly.  Once some sources are done and others are being
fetched, the worker is killed with SIGKILL (no clean shutdown, no acknowledgement).  A new worker
then gets the unacknowledged messages back from Redis (after the visibility timeout), waits out
the dead worker's leases, and fetches what is left.

Every source ends fetched, with exactly one successful fetch and one archived copy; the sources
finished before the kill were not fetched again; the fetches the kill cut short are logged as
interrupted.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import redis
from celery import Celery

from factcheck.actors import Actor
from factcheck.models import Claim, FetchAttempt, FetchStatus, Source
from factcheck.services.analyses import article_analyze
from factcheck.services.sources import source_add
from tests.factories import ArticleFactory, member
from tests.integration.test_worker import (  # noqa: F401 - fixture
    BROKER_URL,
    Service,
    eventually,
    services_env,
    start_worker,
)
from tests.localweb import Answer, LocalWeb

#: A Redis database of its own (the one after the worker test's; Redis has 16), so that no other
#: test's worker takes these tasks and no other test flushes them.
_base, _, _number = BROKER_URL.rpartition("/")
FETCH_BROKER_URL = f"{_base}/{(int(_number or 0) + 1) % 16}"
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SOURCES = 12
DELAY = 1.5  # seconds the server takes to answer each request
TIMEOUT = 90

PAGE = (
    "<html><head><title>Report {n}</title></head><body><article><p>The council approved a budget of "
    "$4.2 million on Tuesday, report {n} says, the largest in a decade.</p></article></body></html>"
)


def start_fetch_worker(env, tmp_path, name: str) -> Service:
    return start_worker(
        env,
        tmp_path,
        f"factdesk-fetch-{name}",
        queue="fetch",
        pool="threads",
        concurrency=4,
        extra_args=("--prefetch-multiplier=1",),
        log=f"{name}.log",
    )


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Source.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_killed_worker_leaves_every_source_fetched_exactly_once(services_env, tmp_path, settings):  # noqa: F811
    settings.FACTDESK_FETCH = {**settings.FACTDESK_FETCH, "allow_networks": ["127.0.0.2/32"]}
    settings.FACTDESK_FETCH_ON_ADD = False  # the test queues the fetches in Redis itself
    env = {
        **services_env,
        "FACTDESK_FETCH_ALLOW_NETWORKS": "127.0.0.2/32",
        "FACTDESK_FETCH_TOTAL_TIMEOUT": "5",
        "FACTDESK_FETCH_LEASE": "6",  # a dead worker's sources are taken over 6 s after it took them
        "CELERY_VISIBILITY_TIMEOUT": "3",  # and its unacknowledged messages come back after 3 s
        "CELERY_BROKER_URL": FETCH_BROKER_URL,
    }
    redis.Redis.from_url(FETCH_BROKER_URL).flushdb()
    with LocalWeb("127.0.0.2") as web:
        article = ArticleFactory(body="The council approved a budget of $4.2 million on Tuesday.")
        article_analyze(article_id=article.pk)
        claim = Claim.objects.get(article=article)
        checker = Actor.for_user(member(article.newsroom, "fact_checker", "fiona"))
        # The last source's first answer is held until the kill: one fetch is surely cut short.
        held = threading.Event()
        ids = []
        for n in range(SOURCES):
            answer = Answer(body=PAGE.format(n=n).encode(), delay=DELAY)
            answers = [Answer(body=answer.body, hold=held), answer] if n == SOURCES - 1 else [answer]
            url = web.route(f"/report/{n}", *answers)
            ids.append(source_add(actor=checker, claim_id=claim.pk, url=url).pk)
        held_url = url

        broker = Celery(broker=FETCH_BROKER_URL, set_as_current=False)
        for source_id in ids:
            broker.send_task("factcheck.fetch_source", args=[source_id], queue="fetch")

        first = start_fetch_worker(env, tmp_path, "first")
        try:
            eventually(
                lambda: (
                    statuses().get("fetched", 0) >= 4
                    and Source.objects.filter(url=held_url, status=FetchStatus.FETCHING).exists()
                ),
                "some sources fetched while the held one is being fetched",
                first,
                timeout=TIMEOUT,
                detail=statuses,
            )
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(timeout=10)
        finally:
            held.set()
            first.stop()
        done_before = set(Source.objects.filter(status=FetchStatus.FETCHED).values_list("url", flat=True))
        cut_short = Source.objects.filter(status=FetchStatus.FETCHING).count()
        assert done_before and cut_short

        # Redis hands unacknowledged messages back once they are older than the visibility timeout,
        # when a worker scans for them: at its start, then every 100 s (kombu's default throttle).
        # Restart after the timeout, as an operator would, so the new worker's first scan finds them.
        time.sleep(4)
        second = start_fetch_worker(env, tmp_path, "second")
        try:
            eventually(
                lambda: statuses() == {"fetched": SOURCES},
                "every source fetched",
                second,
                timeout=TIMEOUT,
                detail=statuses,
            )
            time.sleep(2 * DELAY)  # anything still queued would fetch again now
        finally:
            second.stop()

        for source in Source.objects.all():
            assert source.attempts.filter(outcome=FetchAttempt.Outcome.OK).count() == 1, source.url
            assert source.snapshot is not None and f"report {source.url.rsplit('/', 1)[1]} says" in (
                source.snapshot.text
            )
            assert not source.attempts.filter(outcome=FetchAttempt.Outcome.RUNNING).exists()
            path = "/" + source.url.split("/", 3)[3]
            if source.url in done_before:
                assert web.hits[path] == 1, f"{path} was fetched again after it was done"
            else:
                interrupted = source.attempts.filter(outcome=FetchAttempt.Outcome.INTERRUPTED).count()
                assert web.hits[path] <= 1 + interrupted, path
        assert FetchAttempt.objects.filter(outcome=FetchAttempt.Outcome.INTERRUPTED).count() >= cut_short
