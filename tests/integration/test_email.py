"""End to end, email: a real SMTP server on loopback (aiosmtpd, in this process), a real Celery worker
and a real web server talking through Redis, on the test database.

An article is submitted over HTTP; the worker analyses it, which makes the editors' emails in the same
transaction, and sends them after commit through SMTP; the test reads what the server received.
"""

from __future__ import annotations

import pytest
from celery import Celery

from editorial.models import Article, Role
from factcheck.models import Claim
from factcheck.notifications.models import OutboxEmail, OutboxState
from tests.factcheck.notifications.builders import (
    ANALYSTS,
    BELIEVED,
    BUDGET,
    HOSPITAL,
    TITLE,
    VAGUE_BODY,
    person,
    visible,
)
from tests.factcheck.notifications.smtp import SMTPServer
from tests.factories import DeskFactory, NewsroomFactory, api_key_for
from tests.integration.test_worker import (  # noqa: F401 - the worker and web fixtures
    BROKER_URL,
    base_env,
    call,
    eventually,
    web,
    worker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SITE = "http://factdesk.test"
NOTE = "Which analysts? Name them or link their report."
TIMEOUT = 60


@pytest.fixture
def smtp():
    server = SMTPServer()  # started by the tests: one of them starts with the server down
    yield server
    server.stop()


@pytest.fixture
def services_env(transactional_db, tmp_path, smtp):
    env = base_env(tmp_path)
    env.update(
        SITE_URL=SITE,
        EMAIL_URL=smtp.url,
        EMAIL_TIMEOUT="5",
        # Quick retries, and enough of them to outlast the outage the test makes.
        FACTDESK_EMAIL_RETRY_BASE_SECONDS="0.5",
        FACTDESK_EMAIL_RETRY_CAP_SECONDS="2",
        FACTDESK_EMAIL_MAX_ATTEMPTS="50",
    )
    return env


def submit(web, key: str, external_id: str, **fields) -> dict:  # noqa: F811 - not the fixture
    """POST an article, waiting for the web server to answer at all first."""
    payload = {"external_id": external_id, "title": TITLE, "body": VAGUE_BODY, **fields}
    answer = eventually(
        lambda: _try(lambda: call(web, key, "POST", "/api/v1/articles", payload)), "the web server", web
    )
    status, _, article = answer
    assert status == 202, article
    return article


def _try(request):
    try:
        return request()
    except OSError:
        return None  # not listening yet


def all_sent(count: int) -> bool:
    states = list(OutboxEmail.objects.values_list("state", flat=True))
    assert OutboxState.FAILED not in states, list(OutboxEmail.objects.values("to", "last_error"))
    return len(states) == count and set(states) == {OutboxState.SENT}


def test_ingesting_an_article_emails_each_desk_editor_once_and_the_reporter_gets_the_note(
    smtp,
    worker,  # noqa: F811
    web,  # noqa: F811
):
    smtp.start()
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    city = DeskFactory(newsroom=newsroom, name="City", slug="city")
    editors = [
        person(newsroom, Role.EDITOR, "edna", desks=[city]),
        person(newsroom, Role.ADMIN, "ada", desks=[city]),
    ]
    person(
        newsroom, Role.EDITOR, "pat", desks=[DeskFactory(newsroom=newsroom, name="Politics", slug="politics")]
    )
    person(newsroom, Role.FACT_CHECKER, "chuck", desks=[city])
    reporter = person(newsroom, Role.REPORTER, "rita")
    _, key = api_key_for(newsroom)

    article = submit(web, key, "cms-7", desk="city")

    received = smtp.mailbox.wait_for(2, timeout=TIMEOUT, check=worker.check_running)
    eventually(lambda: all_sent(2), "both emails marked sent", worker)
    assert sorted(address for item in received for address in item.rcpt_tos) == sorted(
        e.email for e in editors
    )
    flagged = {
        claim.text: claim.pk for claim in Claim.objects.filter(article_id=article["id"], is_flagged=True)
    }
    assert set(flagged) == {ANALYSTS, BELIEVED}
    for item in received:
        assert item.subject == f"2 claims flagged in “{TITLE}”"
        assert f"\r\nList-Unsubscribe: <{SITE}/notifications/unsubscribe/".encode() in item.raw
        assert item.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        for part in (item.text, visible(item.html)):  # the HTML as a reader sees it
            assert ANALYSTS in part and BELIEVED in part
            assert BUDGET not in part and HOSPITAL not in part
            assert "Which analysts? Name them, or link the report they wrote." in part
        for claim_id in flagged.values():
            assert f"Review it: {SITE}/admin/factcheck/reviewitem/{claim_id}/change/" in item.text
            assert f'<a href="{SITE}/admin/factcheck/reviewitem/{claim_id}/change/">' in item.html
    assert "notifications.send_email" in worker.output()  # sent by the worker, not by this process

    # The claim goes back to the reporter for attribution, over the API.
    Article.objects.get(pk=article["id"]).reporters.add(reporter)
    claim_id = flagged[ANALYSTS]
    for move in ({"to": "in_review"}, {"to": "needs_attribution", "note": NOTE}):
        status, _, body = call(web, key, "POST", f"/api/v1/claims/{claim_id}/transitions", move)
        assert status == 200, body

    smtp.mailbox.wait_for(3, timeout=TIMEOUT, check=worker.check_running)
    eventually(lambda: all_sent(3), "the reporter's email marked sent", worker)
    [to_reporter] = smtp.mailbox.to(reporter.email)
    assert to_reporter.subject == f"Attribution needed: a claim in “{TITLE}”"
    for part in (to_reporter.text, visible(to_reporter.html)):
        assert NOTE in part
        assert ANALYSTS in part
    assert f"{SITE}/admin/factcheck/reviewitem/{claim_id}/change/" in to_reporter.text
    assert f'<a href="{SITE}/admin/factcheck/reviewitem/{claim_id}/change/">' in to_reporter.html
    assert len(smtp.mailbox.received) == 3  # one each, nothing twice
    for editor in editors:
        assert len(smtp.mailbox.to(editor.email)) == 1


def test_with_the_smtp_server_down_the_email_waits_and_is_delivered_once_it_is_back(
    smtp,
    worker,  # noqa: F811
    web,  # noqa: F811
):
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    city = DeskFactory(newsroom=newsroom, name="City", slug="city")
    editor = person(newsroom, Role.EDITOR, "edna", desks=[city])
    _, key = api_key_for(newsroom)

    submit(web, key, "cms-8", desk="city")

    def failed_once() -> OutboxEmail | None:
        return OutboxEmail.objects.filter(to=editor.email, attempts__gte=2, state=OutboxState.PENDING).first()

    waiting = eventually(failed_once, "a failed attempt with the server down", worker)
    assert "refused" in waiting.last_error.lower(), waiting.last_error
    assert smtp.mailbox.received == []

    smtp.start()

    [received] = smtp.mailbox.wait_for(1, timeout=TIMEOUT, check=worker.check_running)
    assert received.rcpt_tos == (editor.email,)
    eventually(lambda: all_sent(1), "the email marked sent", worker)
    sent = OutboxEmail.objects.get()
    assert sent.attempts >= 3
    assert received.message["Message-ID"].strip() == sent.headers["Message-ID"]

    # A redelivered send task and a recovery run find nothing to send.
    client = Celery(broker=BROKER_URL, set_as_current=False)
    results = [
        client.send_task("notifications.send_email", args=[sent.pk]),
        client.send_task("notifications.recover_outbox"),
    ]
    for result in results:
        eventually(lambda r=result: f"[{r.id}] succeeded" in worker.output(), f"task {result.id}", worker)
    assert f"[{results[0].id}] succeeded" in worker.output() and "'skipped'" in worker.output()
    assert len(smtp.mailbox.received) == 1
    sent.refresh_from_db()
    assert sent.state == OutboxState.SENT
