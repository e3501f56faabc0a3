"""factcheck.services: submitting articles and storing their analysis, on the real database."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from editorial.models import AnalysisStatus, Article, BodyFormat
from factcheck.actors import Actor
from factcheck.analysis.pipeline import analyze
from factcheck.models import ActorKind, AttributionFlag, Claim, ClaimEvent, ExcludedBlock, flag_kinds_value
from factcheck.services.analyses import article_analyze, article_mark_failed
from factcheck.services.articles import article_submit
from factcheck.workflow import ClaimStatus
from tests.factories import ArticleFactory, DeskFactory

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
VOTE = "The vote was 7 to 2, with both opposition members against it."
JOBS = "Unemployment in the city fell to 4.1 percent in March, according to the statistics office."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."
BODY_V1 = f"{BUDGET} {VOTE}\n\n{JOBS}\n\nPhoto: Jane Doe/Reuters"
BODY_V2 = f"{BUDGET} {VOTE}\n\n{HOSPITAL}\n\nPhoto: Jane Doe/Reuters"


def submit(newsroom, **fields):
    values = {"external_id": "cms-1", "body": BODY_V1, **fields}
    return article_submit(actor=Actor.system(), newsroom=newsroom, **values)


def live_claims(article):
    return list(
        Claim.objects.filter(article=article).exclude(status=ClaimStatus.SUPERSEDED).order_by("ordinal")
    )


# --- article_submit --------------------------------------------------------------------------


def test_submit_stores_the_article_and_queues_its_analysis_after_commit(
    newsroom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = submit(newsroom, title="Budget")

    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.RECEIVED
    assert len(callbacks) == 1  # the analysis is queued, and only once the submission commits
    assert not Claim.objects.exists()


def test_resubmitting_the_same_body_queues_nothing(newsroom, django_capture_on_commit_callbacks):
    submit(newsroom)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = submit(newsroom, title="New title")
    assert callbacks == []
    assert (article.revision, article.title) == (1, "New title")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param(" \n\t\n ", "empty", id="whitespace"),
    ],
)
def test_submit_refuses_an_empty_body(newsroom, body, words, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        submit(newsroom, body=body)
    assert words in caught.value.message_dict["body"][0]
    assert not Article.objects.exists()
    assert callbacks == []


def test_submit_refuses_a_body_over_the_limit(newsroom, settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 50
    with pytest.raises(ValidationError) as caught:
        submit(newsroom, body="x" * 51)
    message = caught.value.message_dict["body"][0]
    assert "51" in message and "50" in message
    assert not Article.objects.exists()
    assert submit(newsroom, body="x" * 50).pk  # the limit itself is allowed


def test_submit_refuses_an_unknown_format_and_a_foreign_desk(newsroom, other_newsroom):
    with pytest.raises(ValidationError) as caught:
        submit(newsroom, body_format="pdf")
    assert "pdf" in caught.value.message_dict["body"][0]

    with pytest.raises(ValidationError) as caught:
        submit(newsroom, desk=DeskFactory(newsroom=other_newsroom))
    assert "desk" in caught.value.message_dict
    assert not Article.objects.exists()


# --- article_analyze -------------------------------------------------------------------------


def test_analyze_stores_claims_and_excluded_blocks_as_the_pipeline_finds_them(newsroom):
    article = submit(newsroom)
    expected = analyze(BODY_V1)
    assert len(expected.claims) >= 3, "the fixture text should give several claims"

    article_analyze(article_id=article.pk)

    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.ANALYZED
    assert (article.analyzed_revision, article.analysis_error) == (1, "")
    assert article.canonical_text == expected.text
    stored = live_claims(article)
    assert [(c.ordinal, c.text, c.start, c.end, c.paragraph, c.kind) for c in stored] == [
        (c.index, c.text, c.start, c.end, c.paragraph, str(c.kind)) for c in expected.claims
    ]
    assert [c.checkworthiness for c in stored] == [c.checkworthiness for c in expected.claims]
    for claim in stored:
        assert article.canonical_text[claim.start : claim.end] == claim.text
        assert claim.revision == 1
        assert claim.status == ClaimStatus.UNREVIEWED
    excluded = list(ExcludedBlock.objects.filter(article=article).order_by("start"))
    assert [(e.text, e.start, e.end, e.reason) for e in excluded] == [
        (e.text, e.start, e.end, e.reason) for e in expected.excluded
    ]
    events = ClaimEvent.objects.filter(claim__article=article)
    assert events.count() == len(stored)
    assert set(events.values_list("actor_kind", "action")) == {(ActorKind.SYSTEM, "created")}


def test_a_revision_keeps_the_claims_whose_sentence_stays_and_supersedes_the_others(newsroom):
    article = submit(newsroom)
    article_analyze(article_id=article.pk)
    before = {claim.text: claim for claim in live_claims(article)}
    assert {BUDGET, VOTE, JOBS} <= set(before)
    # A fact-checker's verdict on a sentence that the revision keeps must survive it.
    Claim.objects.filter(pk=before[BUDGET].pk).update(status=ClaimStatus.VERIFIED)

    article = submit(newsroom, body=BODY_V2)
    assert article.revision == 2
    article_analyze(article_id=article.pk)

    after = {claim.text: claim for claim in live_claims(article)}
    assert after[BUDGET].pk == before[BUDGET].pk
    assert after[VOTE].pk == before[VOTE].pk
    assert after[BUDGET].status == ClaimStatus.VERIFIED
    assert after[BUDGET].revision == 2
    assert JOBS not in after
    assert HOSPITAL in after and after[HOSPITAL].pk not in {c.pk for c in before.values()}

    gone = Claim.objects.get(pk=before[JOBS].pk)
    assert (gone.status, gone.revision) == (ClaimStatus.SUPERSEDED, 1)
    event = ClaimEvent.objects.filter(claim=gone).latest("id")
    assert (event.actor_kind, event.action) == (ActorKind.SYSTEM, "supersede")
    assert (event.from_status, event.to_status) == (ClaimStatus.UNREVIEWED, ClaimStatus.SUPERSEDED)
    assert "Revision 2" in event.note

    article.refresh_from_db()
    expected = analyze(BODY_V2)
    assert [(c.ordinal, c.start, c.end) for c in live_claims(article)] == [
        (c.index, c.start, c.end) for c in expected.claims
    ]
    for claim in live_claims(article):
        assert article.canonical_text[claim.start : claim.end] == claim.text
    assert ClaimEvent.objects.filter(claim=after[BUDGET]).count() == 1  # just "created"


def test_a_sentence_moved_to_another_place_keeps_its_claim(newsroom):
    article = submit(newsroom, body=f"{BUDGET}\n\n{JOBS}")
    article_analyze(article_id=article.pk)
    before = {claim.text: claim.pk for claim in live_claims(article)}

    submit(newsroom, body=f"{JOBS}\n\n{HOSPITAL}\n\n{BUDGET}")
    article_analyze(article_id=article.pk)

    after = live_claims(article)
    assert [claim.text for claim in after] == [JOBS, HOSPITAL, BUDGET]
    assert after[0].pk == before[JOBS]
    assert after[2].pk == before[BUDGET]
    assert [claim.ordinal for claim in after] == [0, 1, 2]


def test_analyzing_an_analysed_revision_again_changes_nothing(newsroom, django_assert_max_num_queries):
    article = submit(newsroom)
    article_analyze(article_id=article.pk)
    claims = list(Claim.objects.order_by("id").values())
    events = list(ClaimEvent.objects.order_by("id").values())
    excluded = list(ExcludedBlock.objects.order_by("id").values())

    with django_assert_max_num_queries(3):  # a savepoint, a locking read, its release: no writes
        article_analyze(article_id=article.pk)

    assert list(Claim.objects.order_by("id").values()) == claims
    assert list(ClaimEvent.objects.order_by("id").values()) == events
    assert list(ExcludedBlock.objects.order_by("id").values()) == excluded


def test_storing_the_same_revision_again_keeps_every_claim_and_event(newsroom):
    """A redelivery that finds the revision not yet marked analysed stores it again without duplicates."""
    article = submit(newsroom)
    article_analyze(article_id=article.pk)
    columns = ("id", "text", "ordinal", "start", "end", "status")
    claims = list(Claim.objects.order_by("id").values_list(*columns))
    events = list(ClaimEvent.objects.order_by("id").values_list("id", "action"))
    Article.objects.filter(pk=article.pk).update(analysis_status=AnalysisStatus.ANALYZING)

    article_analyze(article_id=article.pk)

    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.ANALYZED
    assert list(Claim.objects.order_by("id").values_list(*columns)) == claims
    assert list(ClaimEvent.objects.order_by("id").values_list("id", "action")) == events
    assert ExcludedBlock.objects.filter(article=article).count() == len(analyze(BODY_V1).excluded)


def test_flags_of_a_kept_claim_are_refreshed_not_duplicated(newsroom):
    article = submit(newsroom)
    article_analyze(article_id=article.pk)
    budget = Claim.objects.get(article=article, text=BUDGET)
    AttributionFlag.objects.create(
        claim=budget, kind="hedge", cue="officials", start=0, end=9, severity="medium", message="Who?"
    )

    submit(newsroom, body=BODY_V2)
    article_analyze(article_id=article.pk)

    expected = {c.text: len(c.flags) for c in analyze(BODY_V2).claims}
    assert AttributionFlag.objects.filter(claim=budget).count() == expected[BUDGET]


OFFICIALS = "Officials said the plan would cost $3 million."
EXPERTS = "Experts said the plan would cost $3 million."
CRITICS = "Critics say it is too small."


def stored_kinds(article) -> dict[str, str | None]:
    """Each live claim's stored flag kinds, checked against its flags."""
    kinds = {}
    for claim in live_claims(article):
        flags = list(claim.flags.values_list("kind", flat=True))
        assert (claim.is_flagged, claim.flag_kinds) == (bool(flags), flag_kinds_value(flags))
        kinds[claim.text] = claim.flag_kinds
    return kinds


def test_the_kinds_of_a_claims_flags_are_stored_on_it_and_follow_a_revision(newsroom):
    article = submit(newsroom, body=f"{BUDGET} {CRITICS}\n\n{OFFICIALS}")
    article_analyze(article_id=article.pk)
    assert stored_kinds(article) == {
        BUDGET: None,
        CRITICS: ",vague_collective,",
        OFFICIALS: ",anonymous_official,",
    }
    officials = Claim.objects.get(article=article, text=OFFICIALS)

    # The officials become experts (an edit: the claim stays, its flags change); the critics go.
    submit(newsroom, body=f"{BUDGET}\n\n{EXPERTS}")
    article_analyze(article_id=article.pk)

    assert stored_kinds(article) == {BUDGET: None, EXPERTS: ",anonymous_experts,"}
    assert Claim.objects.get(pk=officials.pk).text == EXPERTS
    assert Claim.objects.get(text=CRITICS).flag_kinds == ",vague_collective,"  # superseded, as it was


def test_flag_kinds_value_lists_each_kind_once_sorted():
    assert flag_kinds_value([]) is None
    assert flag_kinds_value(["hedge", "anonymous_experts", "hedge"]) == ",anonymous_experts,hedge,"


def test_the_migration_fills_the_kinds_of_existing_claims(newsroom):
    article = submit(newsroom, body=f"{BUDGET} {CRITICS}\n\n{OFFICIALS}")
    article_analyze(article_id=article.pk)
    officials = Claim.objects.get(text=OFFICIALS)
    AttributionFlag.objects.create(
        claim=officials, kind="hedge", cue="would", start=officials.start, end=officials.start + 5,
        severity="low", message="Says who?",
    )  # fmt: skip
    Claim.objects.filter(is_flagged=True).update(flag_kinds="")  # as before the field was filled

    migration = importlib.import_module("factcheck.migrations.0022_claim_flag_kinds")
    migration.fill_flag_kinds(django_apps, None)

    assert stored_kinds(article) == {
        BUDGET: None,
        CRITICS: ",vague_collective,",
        OFFICIALS: ",anonymous_official,hedge,",
    }


def test_a_claim_is_flagged_exactly_when_it_has_flag_kinds(newsroom):
    """The database refuses the one without the other (the queue filters flagged claims on either)."""
    article = submit(newsroom, body=f"{BUDGET} {CRITICS}")
    article_analyze(article_id=article.pk)
    budget, critics = (Claim.objects.get(article=article, text=text) for text in (BUDGET, CRITICS))
    for claim, change in [
        (budget, {"is_flagged": True}),
        (budget, {"flag_kinds": ",hedge,"}),
        (critics, {"is_flagged": False}),
        (critics, {"flag_kinds": None}),
    ]:
        with pytest.raises(IntegrityError, match="claim_flag_kinds_iff_flagged"), transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(**change)


def test_the_migration_stores_null_for_claims_without_flags(newsroom):
    article = submit(newsroom, body=f"{BUDGET} {CRITICS}")
    article_analyze(article_id=article.pk)
    with connection.cursor() as cursor:  # as 0022 left them: "" without flags (no constraint then)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks before ALTER
            cursor.execute("ALTER TABLE factcheck_claim DROP CONSTRAINT claim_flag_kinds_iff_flagged")
        else:  # SQLite (the embedded default) cannot drop one constraint in a transaction; it can ignore them
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute("UPDATE factcheck_claim SET flag_kinds = '' WHERE flag_kinds IS NULL")
            Claim.objects.filter(text=BUDGET).update(is_flagged=True)  # flagged, but no flag: the flags win

            migration = importlib.import_module("factcheck.migrations.0023_flagged_queue_on_flag_kinds")
            migration.empty_to_null(django_apps, None)
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")

    assert stored_kinds(article) == {BUDGET: None, CRITICS: ",vague_collective,"}


def test_analyze_of_a_missing_article_returns_none():
    assert article_analyze(article_id=987654).article is None


@pytest.mark.parametrize(
    ("body", "body_format", "words"),
    [
        pytest.param("   \n\n  ", BodyFormat.TEXT, "empty", id="whitespace"),
        pytest.param("<p> </p><script>var x = 1;</script>", BodyFormat.HTML, "no text", id="empty-html"),
    ],
)
def test_an_article_with_nothing_to_check_is_marked_failed_with_a_reason(newsroom, body, body_format, words):
    article = ArticleFactory(newsroom=newsroom, body=body, body_format=body_format)  # not via the API

    article_analyze(article_id=article.pk)

    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.FAILED
    assert words in article.analysis_error
    assert article.analyzed_revision is None
    assert not Claim.objects.filter(article=article).exists()


def test_an_article_over_the_limit_is_marked_failed_with_a_reason(newsroom, settings):
    article = ArticleFactory(newsroom=newsroom, body="The council met. " * 10)
    settings.FACTDESK_MAX_ARTICLE_CHARS = 100

    article_analyze(article_id=article.pk)

    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.FAILED
    assert "170 characters" in article.analysis_error
    assert "limit is 100" in article.analysis_error


def test_a_failure_of_an_old_revision_does_not_touch_the_new_one(newsroom):
    article = submit(newsroom)
    submit(newsroom, body=BODY_V2)

    article_mark_failed(article_id=article.pk, revision=1, reason="Too late.")

    article.refresh_from_db()
    assert (article.revision, article.analysis_status, article.analysis_error) == (
        2,
        AnalysisStatus.RECEIVED,
        "",
    )


def test_the_database_refuses_a_failure_without_a_reason(newsroom):
    article = ArticleFactory(newsroom=newsroom)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(analysis_status=AnalysisStatus.FAILED, analysis_error="")
    Article.objects.filter(pk=article.pk).update(
        analysis_status=AnalysisStatus.FAILED, analysis_error="Broken."
    )
    assert Article.objects.get(pk=article.pk).analysis_status == AnalysisStatus.FAILED


@pytest.mark.django_db
def test_claims_carry_their_articles_newsroom_and_desk_and_move_with_it(newsroom):
    politics, science = DeskFactory(newsroom=newsroom), DeskFactory(newsroom=newsroom)
    body = "The dam holds 40 million cubic metres. Engineers inspected it in May."
    submit = {"actor": Actor.system(), "newsroom": newsroom, "external_id": "dam-1", "body": body}
    article = article_submit(**submit, desk=politics)
    article_analyze(article_id=article.pk)
    assert set(Claim.objects.values_list("newsroom_id", "desk_id")) == {(newsroom.pk, politics.pk)}

    article_submit(**submit, desk=science)  # same body: only the desk changes
    assert set(Claim.objects.values_list("desk_id", flat=True)) == {science.pk}
    article_submit(**submit, desk=None)
    assert set(Claim.objects.values_list("desk_id", flat=True)) == {None}
