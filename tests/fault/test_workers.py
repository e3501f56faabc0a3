"""Workers killed with SIGKILL mid-task, with real processes: gunicorn, Celery workers and beat on the
test database and a Redis server of the test's own.

A killed worker's message stays unacknowledged in Redis until the visibility timeout (an hour by
default, left so here); what brings its work back within seconds is the row's lease, which beat's
sweep finds run out.  Each analysis and each fetch ends done exactly once in effect: the claims of
every article stored once, every source fetched once with one archived copy.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from celery import Celery

from editorial.models import AnalysisStatus, Article, Role
from factcheck.actors import Actor
from factcheck.models import Claim, FetchAttempt, FetchStatus, Source
from factcheck.services.analyses import article_analyze
from factcheck.services.sources import source_add
from factcheck.workflow import ClaimStatus
from tests.factories import ArticleFactory, NewsroomFactory, api_key_for, member
from tests.fault.processes import fault_env, report, start_beat
from tests.fault.test_broker import post
from tests.integration.test_worker import eventually, start_web, start_worker
from tests.localweb import Answer, LocalWeb

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

ARTICLES = 4
PARAGRAPHS = 400  # claims per article: storing them keeps a worker busy long enough to be killed
LEASE = 10  # seconds (FACTDESK_ANALYSIS_LEASE_SECONDS); the visibility timeout stays at an hour
#: Every article analysed this long after the kill, at most: the lease, a sweep, the analyses.
RECOVERY_WITHIN = 90.0


def body(article: int) -> str:
    return "\n\n".join(
        f"The council approved a budget of ${n}.{article} million on Tuesday for district {n}, "
        "the largest in a decade."
        for n in range(1, PARAGRAPHS + 1)
    )


def kill(service) -> None:
    os.kill(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)


def statuses(ids) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Article.objects.filter(pk__in=ids).values_list("analysis_status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_an_analysis_whose_worker_is_killed_is_done_by_another_within_the_lease(
    transactional_db, tmp_path, own_redis
):
    env = fault_env(tmp_path, own_redis.url, FACTDESK_ANALYSIS_LEASE_SECONDS=str(LEASE))
    _, key = api_key_for(NewsroomFactory())
    web = start_web(env, tmp_path)
    first = start_worker(env, tmp_path, "fault-first", log="first.log")
    beat = start_beat(env, tmp_path)
    others = []
    try:
        ids = []
        for n in range(ARTICLES):
            status, answer, _ = post(
                web, key, "/api/v1/articles", {"external_id": f"cms-{n}", "body": body(n)}
            )
            assert status == 202, answer
            ids.append(answer["id"])
        eventually(
            lambda: Article.objects.filter(pk__in=ids, analysis_status=AnalysisStatus.ANALYZING).exists(),
            "an analysis under way",
            first,
            interval=0.01,
        )
        kill(first)
        killed = time.monotonic()
        cut_short = list(
            Article.objects.filter(pk__in=ids, analysis_status=AnalysisStatus.ANALYZING).values_list(
                "pk", flat=True
            )
        )
        assert cut_short, "the kill came after the analysis it was meant to cut short"
        others = [start_worker(env, tmp_path, f"fault-{name}", log=f"{name}.log") for name in ("a", "b")]
        eventually(
            lambda: statuses(ids) == {AnalysisStatus.ANALYZED: ARTICLES},
            "every article analysed",
            beat,
            *others,
            timeout=RECOVERY_WITHIN,
            interval=0.25,
            detail=lambda: statuses(ids),
        )
        recovered = time.monotonic() - killed
        report(
            f"{len(cut_short)} analysis cut short by SIGKILL; all {ARTICLES} analysed {recovered:.1f} s "
            f"after the kill (lease {LEASE} s, limit {RECOVERY_WITHIN:.0f} s)"
        )
        time.sleep(LEASE / 2)  # a second run, if any, would store now
    finally:
        for service in (beat, *others, first, web):
            service.stop()

    for n, article_id in enumerate(ids):
        claims = list(
            Claim.objects.filter(article_id=article_id)
            .exclude(status=ClaimStatus.SUPERSEDED)
            .order_by("ordinal")
            .values_list("text", flat=True)
        )
        assert claims == body(n).split("\n\n"), f"article {article_id}: {len(claims)} claims"
        assert not Claim.objects.filter(article_id=article_id, status=ClaimStatus.SUPERSEDED).exists()
    assert Article.objects.filter(pk__in=ids, analyzed_revision=1).count() == ARTICLES


SOURCES = 10
DELAY = 1.5  # seconds the server takes to answer each request
PAGE = (
    "<html><head><title>Report {n}</title></head><body><article><p>The council approved a budget of "
    "$4.2 million on Tuesday, report {n} says, the largest in a decade.</p></article></body></html>"
)


def source_statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Source.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_fetch_whose_worker_is_killed_is_done_by_another_within_the_lease(
    transactional_db, tmp_path, own_redis, settings
):
    settings.FACTDESK_FETCH = {**settings.FACTDESK_FETCH, "allow_networks": ["127.0.0.2/32"]}
    settings.FACTDESK_FETCH_ON_ADD = False  # this process runs tasks eagerly: the test queues them in Redis
    env = fault_env(
        tmp_path,
        own_redis.url,
        FACTDESK_FETCH_ALLOW_NETWORKS="127.0.0.2/32",
        FACTDESK_FETCH_TOTAL_TIMEOUT="5",
        FACTDESK_FETCH_LEASE="6",
        FACTDESK_FETCH_REQUEUE_AFTER_SECONDS="5",
    )
    with LocalWeb("127.0.0.2") as site:
        article = ArticleFactory(body="The council approved a budget of $4.2 million on Tuesday.")
        article_analyze(article_id=article.pk)
        claim = Claim.objects.get(article=article)
        checker = Actor.for_user(member(article.newsroom, Role.FACT_CHECKER, "fiona"))
        first = start_worker(
            env, tmp_path, "fault-fetch-first", queue="fetch", pool="threads", concurrency=4, log="first.log"
        )
        beat = start_beat(env, tmp_path)
        broker = Celery(broker=own_redis.url, set_as_current=False)
        second = None
        try:
            for n in range(SOURCES):
                url = site.route(f"/report/{n}", Answer(body=PAGE.format(n=n).encode(), delay=DELAY))
                source = source_add(actor=checker, claim_id=claim.pk, url=url)
                broker.send_task("factcheck.fetch_source", args=[source.pk], queue="fetch")
            eventually(
                lambda: (
                    source_statuses().get("fetched", 0) >= 2 and source_statuses().get("fetching", 0) >= 1
                ),
                "some sources fetched while others are being fetched",
                first,
                interval=0.05,
                detail=source_statuses,
            )
            kill(first)
            killed = time.monotonic()
            done_before = set(Source.objects.filter(status=FetchStatus.FETCHED).values_list("url", flat=True))
            cut_short = Source.objects.filter(status=FetchStatus.FETCHING).count()
            assert cut_short
            # It takes the default queue too, where beat's sweeps go.
            second = start_worker(
                env, tmp_path, "fault-fetch-second", queue="celery,fetch", pool="threads", concurrency=4,
                log="second.log",
            )  # fmt: skip
            eventually(
                lambda: source_statuses() == {"fetched": SOURCES},
                "every source fetched",
                second,
                beat,
                timeout=RECOVERY_WITHIN,
                interval=0.25,
                detail=source_statuses,
            )
            report(
                f"{cut_short} fetches cut short by SIGKILL; all {SOURCES} fetched "
                f"{time.monotonic() - killed:.1f} s after the kill (lease 6 s, limit {RECOVERY_WITHIN:.0f} s)"
            )
            time.sleep(2 * DELAY)
        finally:
            for service in (beat, second, first):
                if service is not None:
                    service.stop()

        for source in Source.objects.all():
            assert source.attempts.filter(outcome=FetchAttempt.Outcome.OK).count() == 1, source.url
            path = "/" + source.url.split("/", 3)[3]
            if source.url in done_before:
                assert site.hits[path] == 1, f"{path} was fetched again after it was done"
            else:
                interrupted = source.attempts.filter(outcome=FetchAttempt.Outcome.INTERRUPTED).count()
                assert site.hits[path] <= 1 + interrupted, path
