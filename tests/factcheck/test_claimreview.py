"""``GET /api/v1/claims/{id}/claimreview``: a verdict as schema.org ClaimReview (JSON-LD), the newsroom's
map from verdicts to ratings, and the claims that have no ClaimReview (404)."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.analysis.attribution import KINDS
from factcheck.claimreview import default_claim_review_ratings, rating_scale
from factcheck.models import CheckingPolicy, Claim, ClaimEvent
from factcheck.services.analyses import article_analyze
from factcheck.services.checking_policies import checking_policy_save, claim_review_ratings_save
from factcheck.services.review import claim_transition
from tests import factories
from tests.factories import (
    BUDGET,
    ArchivedSourceFactory,
    ArticleFactory,
    UserFactory,
    api_key_for,
    claim_of,
    client_for,
    member,
)

pytestmark = pytest.mark.django_db

QUOTE = '"We will not raise taxes next year," the mayor said at a rally on Tuesday.'
ARTICLE_URL = "https://ledger.example/2026/11/council-budget"
SOURCE = "https://example.org/council-minutes"


ARTICLE = {"body": BUDGET, "url": ARTICLE_URL, "byline": "By Ana Ruiz", "title": "Council budget"}
#: An article of a newsroom with the budget claim, a URL, a byline and a title, its claim as the
#: analysis stores it; ``analysed`` runs the analysis, for the tests that need what it makes of a
#: sentence (a quotation, markup in the text).
with_claims = partial(factories.with_claims, **ARTICLE)
analysed = partial(factories.analysed, **ARTICLE)


def checker(newsroom) -> Actor:
    return Actor.for_user(
        member(newsroom, Role.FACT_CHECKER, f"checker-{newsroom.slug}-{Claim.objects.count()}")
    )


def give_verdict(claim: Claim, verdict: str, *, actor: Actor | None = None) -> Claim:
    """Take the claim and give it ``verdict`` through the workflow (a source first, for verified)."""
    actor = actor or checker(claim.newsroom)
    claim.refresh_from_db()
    if claim.status != "in_review":
        claim_transition(actor=actor, claim_id=claim.pk, to="in_review", note="Again.")
    if verdict == "verified":
        ArchivedSourceFactory(claim=claim, url=SOURCE)  # evidence: fetched and archived
    return claim_transition(actor=actor, claim_id=claim.pk, to=verdict, note="Checked.")


def review(api, claim_id, **headers):
    return api.get(f"/api/v1/claims/{claim_id}/claimreview", **headers)


def assert_not_found(response, words: str) -> dict:
    assert response.status_code == 404, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "errors"}
    assert body["code"] == "not_found" and body["errors"] == {}
    assert words in body["detail"]
    return body


def verdict_time(claim: Claim) -> str:
    moment = ClaimEvent.objects.filter(claim=claim, to_status=claim.status).latest("created_at", "id")
    return moment.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- The document ------------------------------------------------------------------------------------


def test_a_false_claim_as_claim_review(api, newsroom):
    claim = give_verdict(claim_of(with_claims(newsroom)), "false")

    response = review(api, claim.pk)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/ld+json"
    author = [{"@type": "Person", "name": "Ana Ruiz"}]
    assert response.json() == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": ARTICLE_URL,
        "claimReviewed": BUDGET,
        "datePublished": verdict_time(claim),
        "author": {"@type": "Organization", "name": "The Daily Ledger"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": author,
            "appearance": {
                "@type": "NewsArticle",
                "url": ARTICLE_URL,
                "headline": "Council budget",
                "author": author,
            },
        },
    }


@pytest.mark.parametrize(
    ("verdict", "value", "name"),
    [("false", 1, "False"), ("misleading", 2, "Misleading"), ("verified", 5, "True")],
)
def test_the_default_ratings(api, newsroom, verdict, value, name):
    claim = give_verdict(claim_of(with_claims(newsroom)), verdict)
    rating = review(api, claim.pk).json()["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (value, name)
    assert (rating["worstRating"], rating["bestRating"]) == (1, 5)


def test_unverifiable_is_not_published_unless_the_newsroom_rates_it(api, newsroom):
    claim = give_verdict(claim_of(with_claims(newsroom)), "unverifiable")
    assert_not_found(review(api, claim.pk), "unverifiable")

    ratings = default_claim_review_ratings()
    ratings["verdicts"]["unverifiable"] = {"rating": 3, "name": "Unproven"}
    claim_review_ratings_save(newsroom=newsroom, ratings=ratings)

    rating = review(api, claim.pk).json()["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (3, "Unproven")


def test_each_newsroom_publishes_on_its_own_scale(api, newsroom, other_newsroom):
    claim_review_ratings_save(
        newsroom=other_newsroom,
        ratings={"worst": 0, "best": 10, "verdicts": {"false": {"rating": 0, "name": "Wrong"}}},
    )
    ours = give_verdict(claim_of(with_claims(newsroom)), "false")
    theirs = give_verdict(claim_of(with_claims(other_newsroom)), "false")

    their_api = client_for(api_key_for(other_newsroom)[1])
    assert review(api, ours.pk).json()["reviewRating"] == {
        "@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "False",
    }  # fmt: skip
    assert review(their_api, theirs.pk).json()["reviewRating"] == {
        "@type": "Rating", "ratingValue": 0, "bestRating": 10, "worstRating": 0, "alternateName": "Wrong",
    }  # fmt: skip
    assert review(their_api, theirs.pk).json()["author"] == {
        "@type": "Organization",
        "name": "The Evening Courier",
    }


def test_a_verdict_the_newsroom_stops_publishing_is_a_404(api, newsroom):
    claim = give_verdict(claim_of(with_claims(newsroom)), "misleading")
    assert review(api, claim.pk).status_code == 200
    ratings = default_claim_review_ratings()
    del ratings["verdicts"]["misleading"]
    claim_review_ratings_save(newsroom=newsroom, ratings=ratings)
    assert_not_found(review(api, claim.pk), "misleading")


def test_the_date_is_that_of_the_latest_verdict(api, newsroom):
    claim = claim_of(with_claims(newsroom))
    editor = Actor.for_user(member(newsroom, Role.EDITOR, "editor"))
    first = dt.datetime(2026, 1, 5, 8, 30, 15, 999, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=first):
        give_verdict(claim, "false", actor=editor)
    assert review(api, claim.pk).json()["datePublished"] == "2026-01-05T08:30:15Z"

    claim_transition(actor=editor, claim_id=claim.pk, to="in_review", note="New figures.")
    claim = give_verdict(claim, "misleading", actor=editor)

    body = review(api, claim.pk).json()
    assert body["datePublished"] == verdict_time(claim) != "2026-01-05T08:30:15Z"
    assert body["reviewRating"]["alternateName"] == "Misleading"


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Ana Ruiz, Tom Lee and Mei Chen", ["Ana Ruiz", "Tom Lee", "Mei Chen"]),
        ("by Sandra Anderson & Alexander Brand", ["Sandra Anderson", "Alexander Brand"]),
        ("Jo Ng ", ["Jo Ng"]),
        (" By Ana Ruiz;Tom Lee,", ["Ana Ruiz", "Tom Lee"]),
    ],
)
def test_the_authors_are_the_names_of_the_byline(api, newsroom, byline, names):
    claim = give_verdict(claim_of(with_claims(newsroom, byline=byline)), "false")
    item = review(api, claim.pk).json()["itemReviewed"]
    expected = [{"@type": "Person", "name": name} for name in names]
    assert item["author"] == item["appearance"]["author"] == expected


def test_without_a_byline_the_authors_are_the_reporters_then_the_newsroom(api, newsroom):
    article = with_claims(newsroom, byline="", title="")
    claim = give_verdict(claim_of(article), "false")
    appearance = review(api, claim.pk).json()["itemReviewed"]["appearance"]
    assert appearance == {
        "@type": "NewsArticle",
        "url": ARTICLE_URL,
        "author": [{"@type": "Organization", "name": "The Daily Ledger"}],
    }  # no headline without a title

    nameless = UserFactory(username="nameless")
    article.reporters.add(UserFactory(username="zoe", first_name="Zoe", last_name="Young"), nameless)
    article.reporters.add(UserFactory(username="al", first_name="Al", last_name="Baker"))
    authors = review(api, claim.pk).json()["itemReviewed"]["author"]
    assert authors == [{"@type": "Person", "name": "Al Baker"}, {"@type": "Person", "name": "Zoe Young"}]


def test_a_quotation_has_no_author_of_its_claim(api, newsroom):
    claim = give_verdict(claim_of(analysed(newsroom, body=QUOTE), text=QUOTE), "false")
    assert claim.kind == "quotation"
    item = review(api, claim.pk).json()["itemReviewed"]
    assert "author" not in item
    assert item["appearance"]["author"] == [{"@type": "Person", "name": "Ana Ruiz"}]


def test_no_html_and_safe_inside_a_script_element(api, newsroom):
    text = "The budget </script><script>alert(1)</script> & the levy rose 4% on <b>Tuesday</b>."
    article = analysed(newsroom, body=text, title="Tax & spend <i>again</i>", byline="By Ana Ruiz & Tom Lee")
    claim = give_verdict(Claim.objects.get(article=article), "false")

    response = review(api, claim.pk)

    raw = response.content
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    body = json.loads(raw)
    assert body["claimReviewed"] == claim.text
    assert "<script>" in body["claimReviewed"]  # the text as it stands, not markup of ours
    assert body["itemReviewed"]["appearance"]["headline"] == "Tax & spend <i>again</i>"
    plain = review(api, claim.pk, HTTP_ACCEPT="application/json")
    assert plain["Content-Type"] == "application/json"
    assert plain.json() == body


def test_an_html_article_gives_the_sentence_as_text(api, newsroom):
    article = ArticleFactory(
        newsroom=newsroom,
        url=ARTICLE_URL,
        body_format="html",
        body=f"<p><b>{BUDGET[:11]}</b>{BUDGET[11:]}</p>",
    )
    article_analyze(article_id=article.pk)
    claim = give_verdict(claim_of(article), "false")
    assert review(api, claim.pk).json()["claimReviewed"] == BUDGET


# --- No ClaimReview: 404 ----------------------------------------------------------------------------


def test_another_newsrooms_claim_is_a_404_like_no_claim(api, other_newsroom):
    theirs = give_verdict(claim_of(with_claims(other_newsroom)), "false")
    theirs_body = assert_not_found(review(api, theirs.pk), "No such claim")
    missing_body = assert_not_found(review(api, theirs.pk + 1000), "No such claim")
    assert theirs_body == missing_body


@pytest.mark.parametrize(
    "state", ["unreviewed", "in_review", "needs_attribution", "not_checkable", "superseded"]
)
def test_a_claim_without_a_verdict_is_a_404(api, newsroom, state):
    claim = claim_of(with_claims(newsroom))
    editor = Actor.for_user(member(newsroom, Role.EDITOR, "editor"))
    if state == "not_checkable":
        claim_transition(actor=editor, claim_id=claim.pk, to=state, note="An opinion.")
    elif state == "superseded":
        Claim.objects.filter(pk=claim.pk).update(status=state)  # as a revision would leave it
    elif state != "unreviewed":
        claim_transition(actor=editor, claim_id=claim.pk, to="in_review")
        if state == "needs_attribution":
            claim_transition(actor=editor, claim_id=claim.pk, to=state, note="Who?")
    body = assert_not_found(review(api, claim.pk), "not a verdict your newsroom publishes")
    assert Claim.objects.get(pk=claim.pk).get_status_display().lower() in body["detail"]


def test_an_article_without_an_address_has_no_claim_review(api, newsroom):
    claim = give_verdict(claim_of(with_claims(newsroom, url="")), "false")
    assert_not_found(review(api, claim.pk), "has no URL")


def test_no_key_is_a_401(anonymous_api, newsroom):
    claim = give_verdict(claim_of(with_claims(newsroom)), "false")
    response = review(anonymous_api, claim.pk)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_claim_review_takes_a_fixed_number_of_queries(api, newsroom, django_assert_max_num_queries):
    # The key, the claim with its article and the time of its verdict, the newsroom's ratings.
    claim = give_verdict(claim_of(with_claims(newsroom)), "false")
    review(api, claim.pk)  # records the key's use, a write made at most once a minute
    with django_assert_max_num_queries(3):
        assert review(api, claim.pk).status_code == 200


# --- Valid against schema.org's vocabulary and against our OpenAPI schema --------------------------

# The part of the schema.org vocabulary the document uses, checked by hand against the definitions of
# ClaimReview, Review, Claim, NewsArticle, Article, CreativeWork, Rating, Organization, Person and Thing
# at schema.org (no network at run time).  type: (supertype, {property: its range}).
VOCABULARY: dict[str, tuple[str | None, dict[str, tuple[str, ...]]]] = {
    "Thing": (None, {"name": ("Text",), "url": ("URL",), "alternateName": ("Text",)}),
    "CreativeWork": (
        "Thing",
        {"author": ("Organization", "Person"), "datePublished": ("Date", "DateTime"), "headline": ("Text",)},
    ),
    "Review": ("CreativeWork", {"itemReviewed": ("Thing",), "reviewRating": ("Rating",)}),
    "ClaimReview": ("Review", {"claimReviewed": ("Text",)}),
    "Claim": ("CreativeWork", {"appearance": ("CreativeWork",), "firstAppearance": ("CreativeWork",)}),
    "Article": ("CreativeWork", {}),
    "NewsArticle": ("Article", {}),
    "Intangible": ("Thing", {}),
    "Rating": (
        "Intangible",
        {
            "ratingValue": ("Number", "Text"),
            "bestRating": ("Number", "Text"),
            "worstRating": ("Number", "Text"),
            "author": ("Organization", "Person"),
        },
    ),
    "Organization": ("Thing", {}),
    "Person": ("Thing", {}),
}


def ancestry(type_name: str) -> list[str]:
    chain = []
    while type_name is not None:
        chain.append(type_name)
        type_name = VOCABULARY[type_name][0]
    return chain


def fits(value, range_name: str) -> bool:
    if range_name in VOCABULARY:
        return isinstance(value, dict) and range_name in ancestry(value.get("@type", "Thing"))
    if range_name == "Text":
        return isinstance(value, str) and value != ""
    if range_name == "URL":
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)
    if range_name == "Number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if range_name == "DateTime":
        return isinstance(value, str) and dt.datetime.fromisoformat(value).tzinfo is not None
    if range_name == "Date":
        return isinstance(value, str) and len(value) == 10 and bool(dt.date.fromisoformat(value))
    raise AssertionError(f"no such range in the table: {range_name}")


def vocabulary_problems(node: dict, where: str = "") -> list[str]:
    """What in ``node`` (a JSON-LD object) is not a type, property or value the vocabulary allows."""
    type_name = node.get("@type")
    if type_name not in VOCABULARY:
        return [f"{where or 'the document'}: unknown @type {type_name!r}"]
    problems = []
    properties = {}
    for ancestor in reversed(ancestry(type_name)):
        properties.update(VOCABULARY[ancestor][1])
    for name, value in node.items():
        if name.startswith("@"):
            continue
        path = f"{where}.{name}" if where else name
        if name not in properties:
            problems.append(f"{path}: {type_name} has no property {name}")
            continue
        for item in value if isinstance(value, list) else [value]:
            if not any(fits(item, range_name) for range_name in properties[name]):
                problems.append(f"{path}: {item!r} is not one of {properties[name]}")
            if isinstance(item, dict):
                problems += vocabulary_problems(item, path)
    return problems


def test_the_vocabulary_check_finds_what_is_wrong():
    assert vocabulary_problems({"@type": "ClaimReview", "claimReviewd": "x"}) == [
        "claimReviewd: ClaimReview has no property claimReviewd"
    ]
    assert vocabulary_problems(
        {"@type": "ClaimReview", "reviewRating": {"@type": "Person", "name": "A"}}
    ) == ["reviewRating: {'@type': 'Person', 'name': 'A'} is not one of ('Rating',)"]
    assert vocabulary_problems({"@type": "Rating", "ratingValue": True}) == [
        "ratingValue: True is not one of ('Number', 'Text')"
    ]
    assert vocabulary_problems({"@type": "Claim", "appearance": {"@type": "Review", "url": "ftp://x"}}) == [
        "appearance.url: 'ftp://x' is not one of ('URL',)"
    ]
    assert vocabulary_problems({"@type": "Fact"}) == ["the document: unknown @type 'Fact'"]


@pytest.mark.parametrize("verdict", ["false", "misleading", "verified"])
def test_the_document_is_valid_schema_org(api, newsroom, verdict):
    claim = give_verdict(claim_of(with_claims(newsroom, byline="By Ana Ruiz and Tom Lee")), verdict)
    document = review(api, claim.pk).json()
    assert document["@context"] == "https://schema.org"
    assert vocabulary_problems(document) == []


def test_the_document_matches_the_openapi_schema(api, newsroom):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/claims/{claim_id}/claimreview"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/ld+json", "application/json"}
    root = {"$ref": "#/components/schemas/ClaimReviewOutput", "components": schema["components"]}
    validator = Draft202012Validator(root)

    for byline, body in (("By Ana Ruiz", BUDGET), ("", QUOTE)):
        claim = give_verdict(Claim.objects.get(article=analysed(newsroom, byline=byline, body=body)), "false")
        document = review(api, claim.pk).json()
        assert list(validator.iter_errors(document)) == []
    assert list(validator.iter_errors({**document, "@type": "Review"}))  # the check can fail


# --- The map from verdicts to ratings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "words"),
    [
        ({"worst": 1, "best": 5}, '"worst", "best" and "verdicts"'),
        ({"worst": 5, "best": 1, "verdicts": {}}, "the worst below the best"),
        ({"worst": 1.5, "best": 5, "verdicts": {}}, "whole numbers"),
        ({"worst": 1, "best": 5, "verdicts": {"superseded": {"rating": 1, "name": "Gone"}}}, "not a verdict"),
        ({"worst": 1, "best": 5, "verdicts": {"false": {"rating": 6, "name": "False"}}}, "from 1 to 5"),
        ({"worst": 1, "best": 5, "verdicts": {"false": {"rating": True, "name": "False"}}}, "from 1 to 5"),
        ({"worst": 1, "best": 5, "verdicts": {"false": {"rating": 1, "name": " "}}}, "1 to 100 characters"),
        ({"worst": 1, "best": 5, "verdicts": {"false": 1}}, '"rating"'),
    ],
)
def test_a_map_that_does_not_parse_is_refused_and_nothing_is_saved(newsroom, ratings, words):
    with pytest.raises(ValidationError) as refused:
        claim_review_ratings_save(newsroom=newsroom, ratings=ratings)
    assert any(words in message for message in refused.value.message_dict["claim_review_ratings"])
    assert not CheckingPolicy.objects.exists()


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-3, 12) | st.floats() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["worst", "best", "verdicts", "false", "verified", "rating", "name", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_either_parses_into_a_scale_or_is_refused(value):
    try:
        scale = rating_scale(value)
    except ValidationError:
        return
    for verdict in scale.verdicts:
        rating = scale.rating(verdict)
        assert isinstance(rating.value, int) and scale.worst <= rating.value <= scale.best
        assert rating.name.strip() == rating.name and rating.name


def test_a_new_policy_starts_with_the_default_map(newsroom):
    checking_policy_save(newsroom=newsroom, flag_kinds=[], severities={})
    assert (
        CheckingPolicy.objects.get(newsroom=newsroom).claim_review_ratings == default_claim_review_ratings()
    )


def admin_form(newsroom, **claim_review) -> dict:
    return {
        "newsroom": newsroom.pk,
        "flag_kinds": ["hedge"],
        "extra_vague_terms": "",
        "allowed_phrases": "",
        **{f"severity_{kind}": severity.value for kind, severity in KINDS.items()},
        **claim_review,
    }


def test_the_admin_form_saves_the_map_through_the_service(admin_client, newsroom):
    form = admin_form(
        newsroom,
        claim_review_worst=0,
        claim_review_best=4,
        claim_review_rating_false=0,
        claim_review_name_false="Pants on fire",
        claim_review_rating_misleading=2,
        claim_review_name_misleading="",
        claim_review_rating_unverifiable=1,
        claim_review_name_unverifiable="Unproven",
    )
    response = admin_client.post("/admin/factcheck/checkingpolicy/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CheckingPolicy.objects.get(newsroom=newsroom).claim_review_ratings == {
        "worst": 0,
        "best": 4,
        "verdicts": {
            "misleading": {"rating": 2, "name": "Misleading"},  # a blank name: the verdict's own
            "false": {"rating": 0, "name": "Pants on fire"},
            "unverifiable": {"rating": 1, "name": "Unproven"},
        },  # verified left blank: not published
    }
    page = admin_client.get(f"/admin/factcheck/checkingpolicy/{CheckingPolicy.objects.get().pk}/change/")
    assert b'name="claim_review_name_false" value="Pants on fire"' in page.content


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"claim_review_rating_false": 9}, b"from 1 to 5"),
        ({"claim_review_name_verified": "True"}, b"Give the rating too"),
        ({"claim_review_worst": 5, "claim_review_best": 5}, b"the worst below the best"),
    ],
)
def test_the_admin_form_refuses_a_bad_map(admin_client, newsroom, fields, words):
    response = admin_client.post("/admin/factcheck/checkingpolicy/add/", admin_form(newsroom, **fields))
    assert response.status_code == 200
    assert words in response.content
    assert not CheckingPolicy.objects.exists()


def test_a_newsroom_without_a_policy_publishes_on_the_default_scale(api, newsroom):
    assert not CheckingPolicy.objects.filter(newsroom=newsroom).exists()
    claim = give_verdict(claim_of(with_claims(newsroom)), "verified")
    assert review(api, claim.pk).json()["reviewRating"]["alternateName"] == "True"
