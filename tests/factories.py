"""factory-boy factories for the models tests need.  Services, not factories, make claims in tests
that are about analysis; these build the rows around them."""

import factory
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from editorial import services as editorial_services
from editorial.models import Article, BodyFormat, Desk, Membership, Newsroom, Role
from editorial.services import body_digest
from factcheck.actors import Actor
from factcheck.models import Claim
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit
from factcheck.workflow import ClaimStatus

#: The first sentence of :class:`ArticleFactory`'s body: the claim :func:`claim_of` finds unless told.
BUDGET = "The council approved a budget of $4.2 million on Tuesday."


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

    newsroom = factory.SubFactory(NewsroomFactory)
    external_id = factory.Sequence(lambda n: f"cms-{n}")
    title = "Council approves the new budget"
    body = f"{BUDGET}\n\nCritics say it is too small."
    body_format = BodyFormat.TEXT
    body_hash = factory.LazyAttribute(lambda a: body_digest(body=a.body, body_format=a.body_format))


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
    article_analyze(article_id=article.pk)
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
    article_analyze(article_id=article.pk)
    article.refresh_from_db()
    return article


def claim_of(article: Article, text: str = BUDGET) -> Claim:
    """The claim of ``article`` with ``text``, not one a revision superseded."""
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED).get(article=article, text=text)
