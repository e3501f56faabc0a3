"""factory-boy factories for the models tests need.

Tests about the analysis or its storage make claims with the real service (:func:`analysed`,
:func:`revise`).  Tests of what happens to claims afterwards (the workflow, the review queue, the API,
the admin) build them with :class:`ClaimFactory` and :func:`with_claims`, as the analysis would have
stored them, without running it (``tests/test_factories.py`` checks that the two agree)."""

import factory
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from editorial import services as editorial_services
from editorial.models import (
    AnalysisStatus,
    Article,
    ArticleRevision,
    BodyFormat,
    Desk,
    Membership,
    Newsroom,
    Role,
)
from editorial.services import body_digest
from factcheck.actors import Actor
from factcheck.analysis.types import ClaimKind, Severity
from factcheck.models import (
    AttributionFlag,
    AuditAction,
    Claim,
    FetchStatus,
    Snapshot,
    Source,
    SourceOrigin,
    flag_kinds_value,
)
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit
from factcheck.services.sources import follow_ups_queue_on_commit
from factcheck.workflow import ClaimStatus

#: The first sentence of :class:`ArticleFactory`'s body: the claim :func:`claim_of` finds unless told.
BUDGET = "The council approved a budget of $4.2 million on Tuesday."
#: Its second sentence, which the analysis flags (a vague collective: "Which critics?").
CRITICS = "Critics say it is too small."


class NewsroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsroom
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Newsroom {n}")
    slug = factory.Sequence(lambda n: f"newsroom-{n}")


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    newsroom = factory.SubFactory(NewsroomFactory)
    name = factory.Sequence(lambda n: f"Desk {n}")
    slug = factory.Sequence(lambda n: f"desk-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    newsroom = factory.SubFactory(NewsroomFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article row as submitted, not yet analysed (use factcheck.services to analyse it)."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    newsroom = factory.SubFactory(NewsroomFactory)
    external_id = factory.Sequence(lambda n: f"cms-{n}")
    title = "Council approves the new budget"
    body = f"{BUDGET}\n\n{CRITICS}"
    body_format = BodyFormat.TEXT
    body_hash = factory.LazyAttribute(lambda a: body_digest(body=a.body, body_format=a.body_format))

    @factory.post_generation
    def kept_revision(article, create, extracted, **kwargs):
        """The revision the submission keeps of the body (editorial.services.article_upsert)."""
        if create:
            ArticleRevision.objects.create(
                article=article,
                number=article.revision,
                body=article.body,
                body_format=article.body_format,
                body_hash=article.body_hash,
                sent_by_name="Factdesk",
            )


class AnalysedArticleFactory(ArticleFactory):
    """An article whose current revision is stored as analysed (its claims made by hand: ClaimFactory)."""

    canonical_text = factory.SelfAttribute("body")
    word_count = factory.LazyAttribute(lambda a: len(a.canonical_text.split()))
    revision = 1
    analysis_status = AnalysisStatus.ANALYZED
    analyzed_revision = factory.SelfAttribute("revision")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim as the analysis stores it, for tests that are not about the analysis.

    ``text`` is found in the article's text for the offsets (a text the body lacks is placed at 0).
    """

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    article = factory.SubFactory(AnalysedArticleFactory)
    newsroom = factory.SelfAttribute("article.newsroom")
    desk = factory.SelfAttribute("article.desk")
    revision = factory.SelfAttribute("article.revision")
    ordinal = factory.LazyAttribute(lambda claim: claim.article.claims.count())
    text = BUDGET
    start = factory.LazyAttribute(lambda claim: max(claim.article.canonical_text.find(claim.text), 0))
    end = factory.LazyAttribute(lambda claim: claim.start + len(claim.text))
    paragraph = factory.LazyAttribute(lambda claim: claim.article.canonical_text[: claim.start].count("\n\n"))
    kind = ClaimKind.STATEMENT
    checkworthiness = 0.8

    @factory.post_generation
    def found(claim, create, extracted, **kwargs):
        """The "created" event the analysis records for every claim it finds."""
        if create:
            Actor.system().event(
                claim=claim,
                action=AuditAction.CREATED,
                to_status=claim.status,
                note=f"Found in revision {claim.revision}.",
            ).save()


class FlagFactory(factory.django.DjangoModelFactory):
    """A vague attribution flag on a claim: by default its first word, as a vague collective."""

    class Meta:
        model = AttributionFlag
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory)
    kind = "vague_collective"
    cue = factory.LazyAttribute(lambda flag: flag.claim.text.split()[0])
    start = factory.LazyAttribute(lambda flag: flag.claim.start + flag.claim.text.find(flag.cue))
    end = factory.LazyAttribute(lambda flag: flag.start + len(flag.cue))
    severity = Severity.MEDIUM
    message = factory.LazyAttribute(
        lambda flag: f"Which {flag.cue.lower()}? Name the people or organisations, or link their statement."
    )

    @factory.post_generation
    def mark_the_claim(flag, create, extracted, **kwargs):
        if create:
            claim_flags_stored(flag.claim)


def claim_flags_stored(*claims: Claim) -> None:
    """What the analysis writes on ``claims`` with their flags (is_flagged, flag_kinds), for flags a test
    made directly; the instances are updated too."""
    for claim in claims:
        kinds = list(AttributionFlag.objects.filter(claim=claim).values_list("kind", flat=True))
        claim.is_flagged, claim.flag_kinds = bool(kinds), flag_kinds_value(kinds)
        Claim.objects.filter(pk=claim.pk).update(is_flagged=claim.is_flagged, flag_kinds=claim.flag_kinds)


class SnapshotFactory(factory.django.DjangoModelFactory):
    """An archived copy of a fetched page."""

    class Meta:
        model = Snapshot

    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    content_type = "text/html"
    raw = b"x\x9c\x03\x00\x00\x00\x00\x01"  # zlib of nothing
    size = 0
    title = "Budget report"
    text = "The council approved a budget of $4.2 million."
    first_url = factory.Sequence(lambda n: f"https://example.org/report-{n}")


class ArchivedSourceFactory(factory.django.DjangoModelFactory):
    """A source the workers fetched and archived: evidence a verdict can stand on."""

    class Meta:
        model = Source

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}")
    origin = SourceOrigin.EDITOR
    status = FetchStatus.FETCHED
    snapshot = factory.SubFactory(SnapshotFactory, first_url=factory.SelfAttribute("..url"))
    actor_name = "tests"


def with_claims(newsroom, *, reporters=(), scores=None, **fields) -> Article:
    """An article of ``newsroom`` (:class:`AnalysedArticleFactory` with ``fields``), with ``reporters``,
    and a claim for each paragraph of its body, stored as the analysis would store them: claim
    ``n`` scores ``scores[n]`` (default 0.8), and a paragraph starting with "Critics" is flagged as a
    vague collective.  For bodies of one sentence per paragraph, which is what the analysis finds in
    them."""
    article = AnalysedArticleFactory(newsroom=newsroom, **fields)
    article.reporters.add(*reporters)
    for n, text in enumerate(article.body.split("\n\n")):
        score = scores[n] if scores else 0.8
        claim = ClaimFactory(article=article, text=text, ordinal=n, checkworthiness=score)
        if text.startswith("Critics "):
            FlagFactory(claim=claim, cue="Critics")
    return article


def api_key_for(newsroom, role=Role.EDITOR):
    """An active key of ``newsroom``: returns (ApiKey, raw key string)."""
    issued = editorial_services.api_key_create(newsroom=newsroom, name="tests", role=role)
    return issued.api_key, issued.raw_key


def client_for(raw_key: str) -> APIClient:
    """An API client that sends ``raw_key`` (``Authorization: Api-Key <raw_key>``)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def member(newsroom, role: str, username: str):
    """A staff user with ``role`` in ``newsroom``, made through the service."""
    user = UserFactory(username=username)
    editorial_services.member_add(newsroom=newsroom, user=user, role=role)
    return user


def analysed(newsroom, *, reporters=(), **fields) -> Article:
    """An article of ``newsroom`` (:class:`ArticleFactory` with ``fields``), with ``reporters``, analysed
    by the real service."""
    article = ArticleFactory(newsroom=newsroom, **fields)
    article.reporters.add(*reporters)
    follow_ups_queue_on_commit(article_analyze(article_id=article.pk).follow_ups)  # as its task does
    article.refresh_from_db()
    return article


def revise(article: Article, body: str) -> Article:
    """A new revision of ``article``: ``body`` submitted as the CMS submits it (same title and desk), then
    analysed as the worker would."""
    article_submit(
        actor=Actor.system(),
        newsroom=article.newsroom,
        external_id=article.external_id,
        body=body,
        title=article.title,
        desk=article.desk,
    )
    follow_ups_queue_on_commit(article_analyze(article_id=article.pk).follow_ups)  # as its task does
    article.refresh_from_db()
    return article


def claim_of(article: Article, text: str = BUDGET) -> Claim:
    """The claim of ``article`` with ``text``, not one a revision superseded."""
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED).get(article=article, text=text)
