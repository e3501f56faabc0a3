"""editorial.services: API keys, memberships and the article revision logic, on the real database."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from editorial import services
from editorial.models import AnalysisStatus, ApiKey, Article, BodyFormat, Membership, Role
from tests.factories import ArticleFactory, DeskFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "The council approved a budget of $4.2 million on Tuesday.\n\nCritics say it is too small."


# --- API keys --------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_only_its_digest_is_stored(newsroom):
    issued = services.api_key_create(newsroom=newsroom, name="CMS production", role=Role.EDITOR)

    assert issued.raw_key.startswith("fd_")
    prefix, _, secret = issued.raw_key[3:].partition(".")
    assert len(prefix) == services.KEY_PREFIX_LENGTH
    assert len(secret) >= 40  # 32 random bytes, URL-safe base64

    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert stored.prefix == prefix
    assert stored.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiKey.objects.filter(pk=stored.pk).values().get()
    assert not any(secret in str(value) for value in row.values()), "the secret itself must not be stored"
    assert stored.newsroom == newsroom
    assert stored.role == Role.EDITOR
    assert stored.is_active


def test_every_key_is_different(newsroom):
    keys = {services.api_key_create(newsroom=newsroom, name=f"k{n}").raw_key for n in range(20)}
    assert len(keys) == 20
    assert len({key[3:].partition(".")[0] for key in keys}) == 20


def test_a_key_with_an_unknown_role_is_refused(newsroom):
    with pytest.raises(ValidationError) as caught:
        services.api_key_create(newsroom=newsroom, name="x", role="overlord")
    assert "role" in caught.value.message_dict
    assert not ApiKey.objects.exists()


def test_the_right_key_authenticates_by_its_prefix(newsroom, other_newsroom):
    ours = services.api_key_create(newsroom=newsroom, name="ours")
    services.api_key_create(newsroom=other_newsroom, name="theirs")

    found = services.api_key_authenticate(raw_key=ours.raw_key)

    assert found == ours.api_key
    assert found.newsroom == newsroom


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"), id="wrong-secret"),
        pytest.param(lambda key: key.partition(".")[0] + ".", id="no-secret"),
        pytest.param(lambda key: key.partition(".")[0], id="no-dot"),
        pytest.param(lambda key: key[3:], id="no-fd-prefix"),
        pytest.param(lambda key: "fd_000000000000." + key.partition(".")[2], id="unknown-prefix"),
        pytest.param(lambda key: "fd_abc." + key.partition(".")[2], id="short-prefix"),
        pytest.param(lambda key: "", id="empty"),
    ],
)
def test_a_wrong_key_does_not_authenticate(newsroom, mangle):
    issued = services.api_key_create(newsroom=newsroom, name="ours")
    assert services.api_key_authenticate(raw_key=issued.raw_key) is not None
    assert services.api_key_authenticate(raw_key=mangle(issued.raw_key)) is None


def test_a_revoked_key_no_longer_authenticates(newsroom):
    issued = services.api_key_create(newsroom=newsroom, name="ours")

    services.api_key_revoke(api_key=issued.api_key)

    assert services.api_key_authenticate(raw_key=issued.raw_key) is None
    revoked_at = ApiKey.objects.get(pk=issued.api_key.pk).revoked_at
    assert revoked_at is not None
    services.api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))  # again: unchanged
    assert ApiKey.objects.get(pk=issued.api_key.pk).revoked_at == revoked_at


def test_last_used_is_recorded_at_most_once_a_minute(newsroom, django_assert_num_queries):
    issued = services.api_key_create(newsroom=newsroom, name="ours")
    assert issued.api_key.last_used_at is None

    with django_assert_num_queries(2):  # the lookup (the key is not cached yet) and the update
        services.api_key_authenticate(raw_key=issued.raw_key)
    first = ApiKey.objects.get(pk=issued.api_key.pk).last_used_at
    assert first is not None
    assert timezone.now() - first < timedelta(seconds=10)

    with django_assert_num_queries(0):  # the key from the cache, and no write within the minute
        services.api_key_authenticate(raw_key=issued.raw_key)
    assert ApiKey.objects.get(pk=issued.api_key.pk).last_used_at == first

    # A minute later the marker of the last write has expired, in every process at once.
    cache.delete(f"factdesk:api_key_used:{issued.api_key.prefix}")
    with django_assert_num_queries(1):  # the update only
        services.api_key_authenticate(raw_key=issued.raw_key)
    assert ApiKey.objects.get(pk=issued.api_key.pk).last_used_at > first


# --- Memberships -----------------------------------------------------------------------------


def test_member_add_gives_a_role_on_desks_of_the_newsroom(newsroom):
    user = UserFactory()
    politics = DeskFactory(newsroom=newsroom, slug="politics")

    membership = services.member_add(newsroom=newsroom, user=user, role=Role.FACT_CHECKER, desks=[politics])

    assert membership.role == Role.FACT_CHECKER
    assert list(membership.desks.all()) == [politics]

    again = services.member_add(newsroom=newsroom, user=user, role=Role.EDITOR)
    assert again.pk == membership.pk
    assert Membership.objects.get(pk=membership.pk).role == Role.EDITOR
    assert Membership.objects.filter(user=user).count() == 1


def test_member_add_rejects_a_desk_of_another_newsroom(newsroom, other_newsroom):
    user = UserFactory()
    ours = DeskFactory(newsroom=newsroom, slug="politics")
    theirs = DeskFactory(newsroom=other_newsroom, slug="business")

    with pytest.raises(ValidationError) as caught:
        services.member_add(newsroom=newsroom, user=user, role=Role.EDITOR, desks=[ours, theirs])

    assert "another newsroom" in caught.value.message_dict["desks"][0]
    assert not Membership.objects.filter(user=user).exists()


def test_member_add_rejects_an_unknown_role(newsroom):
    with pytest.raises(ValidationError) as caught:
        services.member_add(newsroom=newsroom, user=UserFactory(), role="intern")
    assert "role" in caught.value.message_dict
    assert not Membership.objects.exists()


# --- Articles --------------------------------------------------------------------------------


def upsert(newsroom, **fields):
    values = {"external_id": "cms-1", "body": BODY, **fields}
    return services.article_upsert(newsroom=newsroom, **values)


def test_a_new_article_starts_at_revision_one(newsroom):
    result = upsert(newsroom, title="Budget", url="https://example.org/budget")

    assert result.created and result.body_changed
    article = Article.objects.get(pk=result.article.pk)
    assert (article.revision, article.analysis_status) == (1, AnalysisStatus.RECEIVED)
    assert article.body == BODY
    assert article.body_hash == services.body_digest(body=BODY, body_format=BodyFormat.TEXT)
    assert (article.title, article.url) == ("Budget", "https://example.org/budget")


def test_the_same_body_again_updates_the_metadata_but_not_the_revision(newsroom):
    first = upsert(newsroom, title="Budget")

    again = upsert(newsroom, title="Budget approved", byline="Jane Doe")

    assert not again.created and not again.body_changed
    assert again.article.pk == first.article.pk
    article = Article.objects.get(pk=first.article.pk)
    assert article.revision == 1
    assert (article.title, article.byline) == ("Budget approved", "Jane Doe")
    assert Article.objects.count() == 1


def test_a_changed_body_starts_a_new_revision_and_clears_a_failure(newsroom):
    first = upsert(newsroom)
    Article.objects.filter(pk=first.article.pk).update(
        analysis_status=AnalysisStatus.FAILED, analysis_error="Something broke.", analyzed_revision=None
    )

    changed = upsert(newsroom, body=BODY + " They want more.")

    assert changed.body_changed and not changed.created
    article = Article.objects.get(pk=first.article.pk)
    assert article.revision == 2
    assert (article.analysis_status, article.analysis_error) == (AnalysisStatus.RECEIVED, "")
    assert article.body.endswith("They want more.")

    upsert(newsroom, body=BODY)  # back to the first body: still a change
    assert Article.objects.get(pk=first.article.pk).revision == 3


def test_the_same_text_in_another_format_is_a_change(newsroom):
    upsert(newsroom, body="<p>Hello</p>", body_format=BodyFormat.TEXT)
    result = upsert(newsroom, body="<p>Hello</p>", body_format=BodyFormat.HTML)
    assert result.body_changed
    assert result.article.revision == 2
    assert Article.objects.get(pk=result.article.pk).body_format == BodyFormat.HTML


def test_external_ids_are_per_newsroom(newsroom, other_newsroom):
    ours = upsert(newsroom)
    theirs = upsert(other_newsroom)
    assert theirs.created
    assert ours.article.pk != theirs.article.pk
    assert Article.objects.get(pk=ours.article.pk).revision == 1


def test_upsert_rejects_a_desk_of_another_newsroom(newsroom, other_newsroom):
    theirs = DeskFactory(newsroom=other_newsroom, slug="business")
    with pytest.raises(ValidationError) as caught:
        upsert(newsroom, desk=theirs)
    assert "desk" in caught.value.message_dict
    assert not Article.objects.exists()


def test_upsert_validates_the_fields(newsroom):
    with pytest.raises(ValidationError) as caught:
        upsert(newsroom, url="not a url", body_format="pdf")
    assert {"url", "body_format"} <= set(caught.value.message_dict)
    assert not Article.objects.exists()


def test_upsert_updates_an_article_made_elsewhere(newsroom):
    existing = ArticleFactory(newsroom=newsroom, external_id="cms-1", body=BODY)
    result = upsert(newsroom, body=BODY)
    assert result.article.pk == existing.pk
    assert not result.body_changed
