"""factcheck.tasks: the analysis task runs twice with the same result, retries transient database
errors with a capped, jittered backoff, and records permanent failures on the article."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta

import pytest
from celery.app.task import Task
from celery.exceptions import Retry
from django.db import OperationalError, connection
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from editorial.models import AnalysisStatus, Article
from factcheck.actors import Actor
from factcheck.analysis.pipeline import analyze
from factcheck.models import Claim, ClaimEvent, ExcludedBlock, FetchStatus, SearchProvider, Source
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import analyses_overdue, article_submit
from factcheck.services.fetching import stale_source_ids
from factcheck.services.searches import searches_overdue
from factcheck.tasks import MAX_RETRIES, analyze_article, backoff, sweep_analyses
from tests.factories import ArticleFactory, NewsroomFactory

pytestmark = pytest.mark.django_db

BODY = (
    "The council approved a budget of $4.2 million on Tuesday, the largest in a decade. "
    "The vote was 7 to 2.\n\n"
    "Unemployment in the city fell to 4.1 percent in March, according to the statistics office.\n\n"
    "Photo: Jane Doe/Reuters"
)


def snapshot():
    return (
        list(Claim.objects.order_by("id").values()),
        list(ClaimEvent.objects.order_by("id").values()),
        list(ExcludedBlock.objects.order_by("id").values()),
    )


def run_with_retries(article_id: int, retries: int = 0, delays: list | None = None):
    """Run the task as a worker would, retries included: each ``Retry`` the task raises is run again
    at once with the next retry count (the countdown it asked for is recorded in ``delays``)."""
    for _ in range(MAX_RETRIES + 2):
        try:
            return analyze_article.apply(args=[article_id], retries=retries, throw=True)
        except Retry as retry:
            if delays is not None:
                delays.append((retries, retry.when))
            retries += 1
    raise AssertionError("the task kept asking for retries past its maximum")


@contextlib.contextmanager
def database_fails(table: str, *, times: int | None = None):
    """The database answers every query on ``table`` (or the first ``times``) with an OperationalError,
    as a restarting server would.  Uses Django's own execute_wrapper hook; no project code is replaced."""
    failures = []

    def wrapper(execute, sql, params, many, context):
        if f'"{table}"' in sql and (times is None or len(failures) < times):
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield failures


def test_the_task_stores_the_analysis(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    result = analyze_article.apply(args=[article.pk])

    assert result.successful()
    article.refresh_from_db()
    assert (article.analysis_status, article.analyzed_revision) == (AnalysisStatus.ANALYZED, 1)
    assert Claim.objects.filter(article=article).count() == len(analyze(BODY).claims) >= 3


def test_running_the_task_twice_gives_exactly_the_same_rows(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    analyze_article.apply(args=[article.pk])
    first = snapshot()
    assert first[0] and first[1]

    analyze_article.apply(args=[article.pk])

    assert snapshot() == first
    texts = [row["text"] for row in first[0]]
    assert len(texts) == len(set(texts))
    assert len(first[1]) == len(first[0])  # one "created" event per claim


def test_a_redelivery_after_a_crash_mid_analysis_finishes_the_job_once(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    # The first delivery marked the article as being analysed, then its worker died.
    Article.objects.filter(pk=article.pk).update(analysis_status=AnalysisStatus.ANALYZING)

    analyze_article.apply(args=[article.pk])
    analyze_article.apply(args=[article.pk])

    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.ANALYZED
    assert Claim.objects.filter(article=article).count() == len(analyze(BODY).claims)
    assert ClaimEvent.objects.filter(claim__article=article).count() == len(analyze(BODY).claims)


def test_the_task_for_a_deleted_article_returns_quietly(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    article_id = article.pk
    article.delete()

    result = analyze_article.apply(args=[article_id])

    assert result.successful()
    assert not Claim.objects.exists()


def test_a_transient_database_error_is_retried(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    with database_fails("factcheck_claim", times=2) as failures:
        result = run_with_retries(article.pk)

    assert len(failures) == 2  # two attempts failed, the third stored the claims
    assert result.successful()
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.ANALYZED
    assert Claim.objects.filter(article=article).count() == len(analyze(BODY).claims)


def test_a_transient_error_asks_for_a_retry_after_a_backoff(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    with database_fails("factcheck_claim", times=1), pytest.raises(Retry) as caught:
        analyze_article.apply(args=[article.pk], retries=2, throw=True)

    assert isinstance(caught.value.exc, OperationalError)
    assert 0 <= caught.value.when <= 2.0 * 2**2  # backoff(2)
    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.ANALYZING  # not failed


def test_a_transient_error_on_the_first_lookup_is_retried_too(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    with database_fails("editorial_article", times=1) as failures:
        result = run_with_retries(article.pk)

    assert len(failures) == 1
    assert result.successful()
    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.ANALYZED


def test_the_article_is_marked_failed_after_the_last_retry(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    delays = []
    with database_fails("factcheck_claim") as failures:
        result = run_with_retries(article.pk, delays=delays)

    assert len(failures) == MAX_RETRIES + 1
    assert [retries for retries, _ in delays] == list(range(MAX_RETRIES))
    assert all(0 <= delay <= min(300, 2.0 * 2**retries) for retries, delay in delays)
    assert result.successful()  # recorded on the article, not raised: a redelivery would change nothing
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.FAILED
    assert f"unavailable after {MAX_RETRIES + 1} attempts" in article.analysis_error
    assert "server closed the connection" in article.analysis_error
    assert not Claim.objects.exists()


def test_a_task_already_at_its_last_retry_fails_at_once(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    with database_fails("factcheck_claim") as failures:
        run_with_retries(article.pk, retries=MAX_RETRIES)

    assert len(failures) == 1
    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.FAILED


def test_a_task_with_retries_left_does_not_mark_the_article_failed(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    with database_fails("factcheck_claim", times=1):
        run_with_retries(article.pk, retries=MAX_RETRIES - 1)

    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.ANALYZED


def test_an_unexpected_error_marks_the_article_failed_without_the_details(newsroom):
    article = ArticleFactory(newsroom=newsroom, body=BODY)

    def wrapper(execute, sql, params, many, context):
        if '"factcheck_claim"' in sql:
            raise ZeroDivisionError("secret internals")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = analyze_article.apply(args=[article.pk])

    assert result.successful()
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.FAILED
    assert "ZeroDivisionError" in article.analysis_error
    assert "secret internals" not in article.analysis_error


@pytest.mark.parametrize("retries", range(12))
def test_backoff_stays_within_its_bounds(retries):
    bound = min(300.0, 2.0 * 2**retries)
    delays = [backoff(retries) for _ in range(300)]
    assert all(0 <= delay <= bound for delay in delays)
    assert max(delays) > bound / 2  # full jitter: the delays spread over the range
    assert len(set(delays)) > 250  # ...and are not one fixed value


def test_backoff_is_capped():
    assert max(backoff(40) for _ in range(300)) <= 300.0
    assert max(backoff(3, cap=5.0) for _ in range(300)) <= 5.0


# --- the analysis sweep: stored work whose message was lost, or whose worker died -----------------


def submit(newsroom, external_id: str = "cms-1", body: str = BODY) -> Article:
    """Submitted through the service, its message never delivered (no commit callback runs here)."""
    return article_submit(actor=Actor.system(), newsroom=newsroom, external_id=external_id, body=body)


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_submitted_analysis_is_due_for_the_sweep_after_the_requeue_delay(settings):
    settings.FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS = 120
    article = submit(NewsroomFactory())
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.RECEIVED
    assert analyses_overdue() == []  # its message may still be on its way
    assert analyses_overdue(now=later(119)) == []

    assert analyses_overdue(now=later(121)) == [article.pk]


def test_the_sweep_analyses_an_article_whose_message_was_lost():
    article = submit(NewsroomFactory())
    Article.objects.filter(pk=article.pk).update(analysis_due_at=later(-1))

    assert sweep_analyses() == 1  # eager here: the queued task runs at once

    article.refresh_from_db()
    assert (article.analysis_status, article.analyzed_revision) == (AnalysisStatus.ANALYZED, 1)
    assert sweep_analyses() == 0
    assert analyses_overdue(now=later(10_000)) == []  # analysed: nothing owed


def test_an_analysis_whose_worker_died_is_queued_again_when_its_lease_runs_out(settings):
    settings.FACTDESK_ANALYSIS_LEASE_SECONDS = 240
    article = submit(NewsroomFactory())
    # A worker takes it and dies mid-analysis: the status says "analyzing", under a lease.
    Article.objects.filter(pk=article.pk).update(
        analysis_status=AnalysisStatus.ANALYZING, analysis_due_at=later(240)
    )
    assert analyses_overdue(now=later(200)) == []  # it may still be running

    assert analyses_overdue(now=later(241)) == [article.pk]


def test_analysing_starts_the_lease():
    article = submit(NewsroomFactory())
    started = timezone.now()
    # The database fails after the start, and the analysis stops there, as a dying worker's would.
    with database_fails("factcheck_claim"), contextlib.suppress(OperationalError):
        article_analyze(article_id=article.pk)
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.ANALYZING
    lease = (article.analysis_due_at - started).total_seconds()
    assert 239 <= lease <= 241


def test_each_requeue_waits_as_long_as_the_article_has_waited(settings):
    """A long queue is not flooded: each copy waits at least as long as the article had waited."""
    settings.FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS = 120
    article = submit(NewsroomFactory())
    queued = Article.objects.get(pk=article.pk).analysis_queued_at
    now = queued + timedelta(seconds=121)
    found = []
    for _ in range(40):  # 40 sweeps, one a minute
        now += timedelta(seconds=60)
        found += [now - queued for _ in analyses_overdue(now=now)]
    assert len(found) == 4, found  # in 40 minutes: after 3, 7, 15 and 31 minutes
    assert all(later >= 2 * earlier for earlier, later in itertools.pairwise(found)), found


def test_submitting_the_same_body_again_queues_an_overdue_analysis(django_capture_on_commit_callbacks):
    newsroom = NewsroomFactory()
    article = submit(newsroom)
    Article.objects.filter(pk=article.pk).update(analysis_due_at=later(-1))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(newsroom)  # a client's retry after an error: same body, no new revision

    assert len(callbacks) == 1
    article.refresh_from_db()
    assert (article.revision, article.analysis_status) == (1, AnalysisStatus.ANALYZED)


def test_submitting_the_same_body_again_queues_nothing_while_the_analysis_is_on_time(
    django_capture_on_commit_callbacks,
):
    newsroom = NewsroomFactory()
    submit(newsroom)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(newsroom)
    assert callbacks == []


CITING = """<p>The council <a href="https://ledger.example/minutes">approved a budget of $4.2 million</a>
on Tuesday.</p>
<p>Unemployment in the city fell to 4.1 percent in March, according to the statistics office.</p>"""


@pytest.fixture
def broker_refuses(monkeypatch):
    """Every message refused as a broker that is down refuses it (kombu's OperationalError, raised at
    Celery's edge); returns the (task name, args) of each message tried."""
    tried: list[tuple[str, tuple]] = []

    def refuse(task, args=None, kwargs=None, **options):
        tried.append((task.name, tuple(args or ())))
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    return tried


@pytest.mark.parametrize("broker", ["up", "down"])
def test_the_task_queues_the_fetches_and_searches_its_analysis_owes_and_the_sweeps_keep_them(
    broker, settings, request
):
    settings.FACTDESK_FETCH_ON_ADD = True
    newsroom = NewsroomFactory()
    SearchProvider.objects.create(newsroom=newsroom, name="Archive", kind="archive", min_checkworthiness=0)
    article = ArticleFactory(newsroom=newsroom, body=CITING, body_format="html")
    tried = request.getfixturevalue("broker_refuses") if broker == "down" else None

    analyze_article.apply(args=[article.pk], throw=True)

    source = Source.objects.get(claim__article=article)
    claims = list(Claim.objects.filter(article=article).order_by("pk").values_list("pk", flat=True))
    assert len(claims) == 2
    if tried is None:  # eager: the fetch ran (and failed: no such host), the searches ran
        assert source.status != FetchStatus.PENDING
        assert not Claim.objects.filter(article=article, sources_searched_at__isnull=True).exists()
        return
    assert tried == [("factcheck.fetch_source", (source.pk,))] + [
        ("factcheck.search_sources", (pk,)) for pk in claims
    ]
    # Nothing is lost: the pending source and the searches due are what the sweeps queue again.
    assert source.status == FetchStatus.PENDING
    Source.objects.filter(pk=source.pk).update(updated_at=later(-3600))
    assert stale_source_ids() == [source.pk]
    assert searches_overdue(now=later(settings.FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS + 1)) == claims
