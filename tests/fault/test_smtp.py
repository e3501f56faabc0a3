"""The SMTP server down, with real processes: gunicorn, a Celery worker and beat on the test database,
a Redis server of the test's own, and an SMTP server on loopback that is down when a claim's move
makes an email, and comes back later.  The email waits in the outbox, retried with backoff, and is
delivered once, within a stated time of the server's return."""

from __future__ import annotations

import time

import pytest

from editorial.models import Article, Role
from factcheck.models import Claim
from factcheck.notifications.models import OutboxEmail, OutboxState
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import NewsroomFactory, api_key_for, member
from tests.fault.processes import fault_env, report, start_beat
from tests.fault.test_broker import BODY, BUDGET, live_texts, post
from tests.integration.test_worker import JOBS, eventually, start_web, start_worker

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

RECOVERY_WITHIN = 30.0  # the retries' cap is 2 s here; the worker's next attempt finds the server


def test_an_email_made_while_smtp_is_down_is_delivered_once_it_is_back(transactional_db, tmp_path, own_redis):
    smtp = SMTPServer()  # not started: the server is down
    env = fault_env(
        tmp_path,
        own_redis.url,
        EMAIL_URL=smtp.url,
        EMAIL_TIMEOUT="3",
        FACTDESK_EMAIL_RETRY_BASE_SECONDS="0.5",
        FACTDESK_EMAIL_RETRY_CAP_SECONDS="2",
        FACTDESK_EMAIL_MAX_ATTEMPTS="100",
    )
    newsroom = NewsroomFactory()
    reporter = member(newsroom, Role.REPORTER, "rita")
    reporter.email = "rita@example.org"
    reporter.save()
    _, key = api_key_for(newsroom)
    web = start_web(env, tmp_path)
    worker = start_worker(env, tmp_path, "fault-smtp")
    beat = start_beat(env, tmp_path)
    try:
        status, article, _ = post(web, key, "/api/v1/articles", {"external_id": "cms-1", "body": BODY})
        assert status == 202, article
        eventually(lambda: live_texts(article["id"]) == [BUDGET, JOBS], "the article analysed", worker)
        Article.objects.get(pk=article["id"]).reporters.add(reporter)
        claim_id = Claim.objects.get(article_id=article["id"], text=BUDGET).pk
        for move in ({"to": "in_review"}, {"to": "needs_attribution", "note": "Whose figure?"}):
            status, body, _ = post(web, key, f"/api/v1/claims/{claim_id}/transitions", move)
            assert status == 200, body

        def failing() -> OutboxEmail | None:
            return OutboxEmail.objects.filter(attempts__gte=3, state=OutboxState.PENDING).first()

        waiting = eventually(failing, "attempts failing with the SMTP server down", worker)
        assert waiting.last_error
        smtp.start()
        back = time.monotonic()
        smtp.mailbox.wait_for(1, timeout=RECOVERY_WITHIN, check=worker.check_running)
        recovered = time.monotonic() - back
        eventually(
            lambda: OutboxEmail.objects.filter(state=OutboxState.SENT).count() == 1,
            "the email marked sent",
            worker,
        )
        time.sleep(4)  # another attempt, if any were still queued, would send now
        report(
            f"SMTP down: the email delivered {recovered:.1f} s after the server came back, after "
            f"{OutboxEmail.objects.get().attempts - 1} failed attempts (limit {RECOVERY_WITHIN:.0f} s)"
        )
    finally:
        for service in (beat, worker, web):
            service.stop()
        smtp.stop()
    [email] = smtp.mailbox.to(reporter.email)
    assert email.subject.startswith("Attribution needed")
    assert len(smtp.mailbox.received) == 1
    assert OutboxEmail.objects.count() == 1
