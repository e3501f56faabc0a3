"""The broker stopped and restarted, with real processes: gunicorn, a Celery worker and beat on the
test database, and a Redis server of the test's own that it kills (SIGKILL: every queued message
is lost with it) and starts again, empty, on the same port.

Writes made while the broker is down (articles, a retried submission, a source, a transition that
emails a reporter) are answered as if it were up, within seconds; once it is back, every piece of that
work is done by the worker with nobody acting (the sweeps find it in the database), and none twice.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from editorial.models import AnalysisStatus, Article, Role
from factcheck.models import Claim, FetchAttempt, FetchStatus, Source
from factcheck.notifications.models import OutboxEmail, OutboxState
from factcheck.workflow import ClaimStatus
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import NewsroomFactory, api_key_for, member
from tests.fault.processes import fault_env, report, start_beat
from tests.integration.test_worker import BUDGET, JOBS, eventually, start_web, start_worker
from tests.localweb import Answer, LocalWeb

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

BODY = f"{BUDGET}\n\n{JOBS}"
OUTAGE_WRITES = 5
#: A write during the outage answers within this (the publish gives up after about a second).
ANSWER_WITHIN = 5.0
#: Everything stored during the outage is done this long after the broker is back, at most: the
#: worker reconnects, then the sweeps (every 2 s here) find what the lost messages carried.
RECOVERY_WITHIN = 60.0
PAGE = b"<html><body><article><p>The council approved a budget of $4.2 million.</p></article></body></html>"


def get(web, path: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(web.base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post(web, key: str, path: str, payload: dict, **headers: str) -> tuple[int, dict, float]:
    request = urllib.request.Request(
        web.base_url + path,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json", **headers},
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), time.monotonic() - started


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def live_texts(article_id: int) -> list[str]:
    return list(
        Claim.objects.filter(article_id=article_id)
        .exclude(status=ClaimStatus.SUPERSEDED)
        .order_by("ordinal")
        .values_list("text", flat=True)
    )


def test_writes_during_a_broker_outage_are_answered_and_done_once_it_is_back(
    transactional_db, tmp_path, own_redis, smtp
):
    env = fault_env(
        tmp_path,
        own_redis.url,
        EMAIL_URL=smtp.url,
        FACTDESK_EMAIL_REQUEUE_AFTER_SECONDS="3",
        FACTDESK_FETCH_REQUEUE_AFTER_SECONDS="4",
        FACTDESK_FETCH_ALLOW_NETWORKS="127.0.0.2/32",
        FACTDESK_METRICS_TOKEN="scrape",
    )
    newsroom = NewsroomFactory()
    reporter = member(newsroom, Role.REPORTER, "rita")
    reporter.email = "rita@example.org"
    reporter.save()
    _, key = api_key_for(newsroom)

    with LocalWeb("127.0.0.2") as site:
        source_url = site.route("/report", Answer(body=PAGE))
        web = start_web(env, tmp_path, workers=2)
        worker = start_worker(env, tmp_path, "fault-broker", queue="celery,fetch")
        beat = start_beat(env, tmp_path)
        try:
            status, first, _ = post(web, key, "/api/v1/articles", {"external_id": "cms-0", "body": BODY})
            assert status == 202, first
            eventually(
                lambda: live_texts(first["id"]) == [BUDGET, JOBS], "the first article analysed", worker
            )
            Article.objects.get(pk=first["id"]).reporters.add(reporter)
            claim_id = Claim.objects.get(article_id=first["id"], text=BUDGET).pk

            own_redis.kill()

            answers = []
            for n in range(1, OUTAGE_WRITES + 1):
                payload = {"external_id": f"cms-{n}", "body": BODY}
                answers.append(post(web, key, "/api/v1/articles", payload, **{"Idempotency-Key": f"k{n}"}))
            # A client that did not see the answer sends the same request again.
            retry = {"external_id": "cms-1", "body": BODY}
            again = post(web, key, "/api/v1/articles", retry, **{"Idempotency-Key": "k1"})
            source = post(web, key, f"/api/v1/claims/{claim_id}/sources", {"url": source_url})
            moves = [
                post(web, key, f"/api/v1/claims/{claim_id}/transitions", move)
                for move in ({"to": "in_review"}, {"to": "needs_attribution", "note": "Whose figure?"})
            ]
            for status, body, seconds in [*answers, again]:
                assert status == 202, body
                assert seconds < ANSWER_WITHIN, f"a submission took {seconds:.1f} s with the broker down"
            assert again[1]["id"] == answers[0][1]["id"]
            assert source[0] == 201, source[1]
            for status, body, _ in moves:
                assert status == 200, body
            report(
                "answers during the outage: "
                + ", ".join(f"{seconds:.2f} s" for _, _, seconds in [*answers, again, source, *moves])
            )
            ids = [body["id"] for _, body, _ in answers]
            status, ready = get(web, "/readyz")
            checks = json.loads(ready)["checks"]
            assert status == 503, ready
            assert (checks["database"]["ok"], checks["broker"]["ok"], checks["workers"]["ok"]) == (
                True,
                False,
                False,
            )
            time.sleep(3)  # the sweeps come round with the broker still down
            assert Article.objects.filter(pk__in=ids, analysis_status=AnalysisStatus.ANALYZED).count() == 0

            own_redis.start()  # empty: what was queued before the outage is gone too
            back = time.monotonic()

            def done() -> bool:
                analysed = Article.objects.filter(pk__in=ids, analysis_status=AnalysisStatus.ANALYZED).count()
                fetched = Source.objects.filter(status=FetchStatus.FETCHED).count()
                sent = OutboxEmail.objects.filter(state=OutboxState.SENT).count()
                return analysed == OUTAGE_WRITES and fetched == 1 and sent == 1

            eventually(
                done,
                "the work stored during the outage done",
                worker,
                beat,
                web,
                timeout=RECOVERY_WITHIN,
                interval=0.25,
                detail=lambda: (
                    f"analysed {Article.objects.filter(analysis_status=AnalysisStatus.ANALYZED).count()}, "
                    f"sources {list(Source.objects.values_list('status', flat=True))}, "
                    f"emails {list(OutboxEmail.objects.values_list('state', flat=True))}"
                ),
            )
            recovered = time.monotonic() - back
            status, ready = get(web, "/readyz")
            assert status == 200, ready
            assert json.loads(ready)["checks"]["workers"]["workers"] >= 1
            status, scraped = get(web, "/metrics", Authorization="Bearer scrape")
            assert status == 200
            assert b'factdesk_backlog{kind="analysis",state="received"} 0.0' in scraped
            assert b'factdesk_queue_depth{queue="celery"}' in scraped
            report(
                f"broker killed during writes: all work done {recovered:.1f} s after it came back "
                f"(limit {RECOVERY_WITHIN:.0f} s)"
            )
            time.sleep(6)  # any second copy of the work would be done by now
            worker.check_running()
        finally:
            for service in (beat, worker, web):
                service.stop()

        # Nothing lost, nothing twice.
        for article_id in ids:
            assert live_texts(article_id) == [BUDGET, JOBS], article_id
        assert Article.objects.filter(pk__in=ids, analyzed_revision=1).count() == OUTAGE_WRITES
        assert Article.objects.filter(newsroom=newsroom).count() == OUTAGE_WRITES + 1
        [fetched] = Source.objects.all()
        assert fetched.attempts.filter(outcome=FetchAttempt.Outcome.OK).count() == 1
        assert site.hits["/report"] == 1
        [email] = smtp.mailbox.to(reporter.email)
        assert email.subject.startswith("Attribution needed")
        assert len(smtp.mailbox.received) == 1
