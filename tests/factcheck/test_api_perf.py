"""The claims list builds its rows by hand (``claim_rows`` on named rows, flags in one plain query) for
speed: it must answer exactly what ``ClaimOutput``, the schema, says, in a fixed number of queries.
(How fast it is, is ``bench/api.py``'s to say, never a test's.)"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from editorial.models import Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.api import speed
from factcheck.api.serializers import CLAIM_ORDERINGS, ArticleListFilters, ClaimListFilters, ClaimOutput
from factcheck.models import AttributionFlag, Claim
from factcheck.services.review import claim_transition
from httpapi.pagination import CursorPage
from tests.factories import DeskFactory, analysed, api_key_for, claim_flags_stored, client_for, member

pytestmark = pytest.mark.django_db

SENTENCES = [
    "The council approved a budget of $4.2 million on Tuesday.",
    "Analysts say unemployment in the city fell to 4.1 percent in March.",
    "The new hospital will open in 2027 and employ 1,200 people.",
    "Rents rose by 12 percent last year, the fastest rise since 1990.",
]


def plain_drf(claims) -> list[dict]:
    """What DRF's ListAPIView answered with ClaimOutput, as JSON sent and read back."""
    rows = ClaimOutput(claims, many=True).data
    return json.loads(JSONRenderer().render(rows))


@pytest.fixture
def claims(newsroom):
    """Claims in many shapes: flags with ties on their start, none, an assignee or not, no reasons,
    a unicode text, a verdict, superseded ones."""
    desk = DeskFactory(newsroom=newsroom, slug="politics")
    for n in range(3):
        analysed(newsroom, desk=desk if n else None, body="\n\n".join(f"{text} ({n})" for text in SENTENCES))
    analysed(newsroom, body="Le conseil a voté un budget de 4,2 M€ — « record » — mardi 3 mai.")
    all_claims = list(Claim.objects.order_by("id"))
    for number, claim in enumerate(all_claims[:6]):
        for i in range(number % 3 + 1):
            AttributionFlag.objects.create(
                claim=claim,
                kind=["hedge", "anonymous_experts", "vague_quantity"][i],
                cue=f"cue {i}",
                start=claim.start,  # the same start: ties broken by id
                end=claim.start + 3 + i,
                severity="high" if i else "low",
                message=f"Who? ({i})",
            )
        claim_flags_stored(claim)
    checker = member(newsroom, Role.FACT_CHECKER, "checker")
    actor = Actor.for_user(checker)
    claim_transition(actor=actor, claim_id=all_claims[1].pk, to="in_review")
    claim_transition(actor=actor, claim_id=all_claims[1].pk, to="false", note="Wrong.")
    Claim.objects.filter(pk=all_claims[2].pk).update(checkworthiness_reasons=[])
    Claim.objects.filter(pk__in=[all_claims[3].pk, all_claims[4].pk]).update(status="superseded")
    return all_claims


@pytest.mark.parametrize(
    "query",
    [
        "",
        "flagged=true",
        "flagged=false&ordering=-checkworthiness",
        "ordering=updated_at",
        "status=superseded",
        "status=false",
        "desk=politics&ordering=checkworthiness",
        "flag_kind=hedge",
        "assignee=none&ordering=-id",
    ],
)
def test_the_list_answers_what_claim_output_says(api, newsroom, claims, query):
    response = api.get(f"/api/v1/claims?page_size=200&{query}")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results, "the query should find claims, or the test compares nothing"

    ids = [row["id"] for row in results]
    reference = selectors.claim_list(
        newsroom=newsroom, status="superseded" if "superseded" in query else None
    )
    # Flags at the same offset: the older first (the model's order alone leaves that to the database).
    flags = Prefetch("flags", queryset=AttributionFlag.objects.order_by("start", "id"))
    by_id = {
        claim.pk: claim for claim in reference.defer(None).select_related("assignee").prefetch_related(flags)
    }
    expected = plain_drf([by_id[claim_id] for claim_id in ids])

    assert results == expected
    if not query:
        assert any(row["flags"] and len(row["flags"]) == 3 for row in results)
        assert any(row["assignee"] == "checker" for row in results)
        assert any(row["assignee"] is None for row in results)
        assert any(row["reasons"] == [] for row in results)
        assert any("€" in row["text"] for row in results)


@pytest.mark.parametrize("ordering", list(CLAIM_ORDERINGS))
def test_pages_by_cursor_are_the_orm_cursor_pages(api, claims, ordering, monkeypatch):
    # Forwards to the last page, then backwards to the first, with the SQL compiled once (ClaimPage):
    # the same pages, links and cursors as the ORM's query built on each page (CursorPage.fetch).
    Claim.objects.filter(pk__in=[claim.pk for claim in claims[:4]]).update(checkworthiness=0.5)  # ties

    def walk():
        pages, url = [], f"/api/v1/claims?page_size=3&ordering={ordering}&status=unreviewed"
        for link in ("next", "previous"):
            while url:
                pages.append(api.get(url).json())
                url = pages[-1][link]
            url = pages[-1]["previous"]
        return pages

    fast = walk()
    monkeypatch.setattr(speed.ClaimPage, "fetch", CursorPage.fetch)
    assert fast == walk()
    assert len(fast) > 4 and len({row["id"] for page in fast for row in page["results"]}) > 10


def test_flags_come_in_the_order_of_the_text_and_ties_by_id(newsroom, claims):
    first = claims[0]
    late = AttributionFlag.objects.create(
        claim=first, kind="hedge", cue="later", start=first.start + 9, end=first.start + 12, severity="low",
        message="Later in the sentence.",
    )  # fmt: skip
    early = AttributionFlag.objects.create(
        claim=first, kind="hedge", cue="early", start=first.start, end=first.start + 1, severity="low",
        message="The same start as the others, made last.",
    )  # fmt: skip
    flags = selectors.claim_list_flags(claim_ids=[first.pk, claims[5].pk, claims[7].pk])

    mine = [flag for flag in flags[first.pk] if flag["cue"] in ("cue 0", early.cue, late.cue)]
    assert [flag["cue"] for flag in mine] == ["cue 0", early.cue, late.cue]  # ties: the older first
    starts = [flag["start"] for flag in flags[first.pk]]
    assert starts == sorted(starts)
    assert set(flags[first.pk][0]) == {"kind", "cue", "start", "end", "severity", "message"}
    assert flags[claims[5].pk][-3:] == [
        {"kind": kind, "cue": f"cue {i}", "start": claims[5].start, "end": claims[5].start + 3 + i,
         "severity": "high" if i else "low", "message": f"Who? ({i})"}
        for i, kind in enumerate(["hedge", "anonymous_experts", "vague_quantity"])
    ]  # fmt: skip
    unflagged = Claim.objects.filter(flags__isnull=True).values_list("pk", flat=True).first()
    assert selectors.claim_list_flags(claim_ids=[unflagged]) == {unflagged: []}


def test_an_empty_page_asks_nothing_for_flags(newsroom):
    with CaptureQueriesContext(connection) as captured:
        assert selectors.claim_list_flags(claim_ids=[]) == {}
    assert len(captured) == 0


@pytest.mark.parametrize("ordering", ["id", "-checkworthiness", "updated_at"])
def test_a_page_with_many_flags_takes_two_queries(api, newsroom, claims, ordering, django_assert_num_queries):
    # The page of claims with their assignees' names, and their flags (the key is in the cache after
    # the first request); after a cursor too.
    for claim in Claim.objects.exclude(status="superseded"):
        Claim.objects.filter(pk=claim.pk).update(is_flagged=True, flag_kinds=",hedge,")
        AttributionFlag.objects.bulk_create(
            AttributionFlag(
                claim=claim, kind="hedge", cue="x", start=claim.start + i, end=claim.start + i + 1,
                severity="low", message="Who?",
            )
            for i in range(3)
        )  # fmt: skip
    first = f"/api/v1/claims?page_size=4&ordering={ordering}"
    api.get(first)  # caches the key and records its use, a write made at most once a minute
    for url in (first, api.get(first).json()["next"]):
        with django_assert_num_queries(2):
            page = api.get(url).json()
        assert len(page["results"]) == 4 and all(len(row["flags"]) >= 3 for row in page["results"])


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns"])
def test_times_are_written_as_drf_writes_them_in_any_time_zone(api, newsroom, claims, settings, zone):
    settings.TIME_ZONE = zone
    results = api.get("/api/v1/claims?page_size=200").json()["results"]
    by_id = {claim.pk: claim for claim in Claim.objects.filter(pk__in=[row["id"] for row in results])}
    field = serializers.DateTimeField()

    assert [row["updated_at"] for row in results] == [
        field.to_representation(by_id[row["id"]].updated_at) for row in results
    ]
    assert results[0]["updated_at"].endswith(
        "Z" if zone == "UTC" else ("+01:00", "-03:30", "+02:00", "-02:30")
    )


# --- What the lists remember per process (the filters, the query the claims list clones) ------------


def test_the_remembered_query_is_never_run_itself_and_sees_new_claims(api, newsroom, claims, monkeypatch):
    remembered = []
    real = speed._remembered_rows

    def recording(*args):
        remembered.append(real(*args))
        return remembered[-1]

    monkeypatch.setattr(speed, "_remembered_rows", recording)
    url = "/api/v1/claims?page_size=200&flagged=false&ordering=-checkworthiness"
    before = api.get(url).json()["results"]
    assert api.get(url).json()["results"] == before
    assert remembered[0] is remembered[1]  # the second time from the remembered query

    analysed(newsroom, body="The mayor said the tram line will cost 310 million euros.")
    after = api.get(url).json()["results"]

    assert len(after) == len(before) + 1
    assert "tram line" in " ".join(row["text"] for row in after)
    assert remembered[0]._result_cache is None  # every request ran a clone of it


def test_remembered_queries_are_each_newsrooms_own(api, newsroom, claims, other_newsroom):
    analysed(other_newsroom, body="The courier's own claim about 7 new buses.")
    other = client_for(api_key_for(other_newsroom)[1])

    for _ in range(2):  # in both orders, twice: the remembered query of one never serves the other
        ours = [row["text"] for row in api.get("/api/v1/claims?flagged=false").json()["results"]]
        theirs = [row["text"] for row in other.get("/api/v1/claims?flagged=false").json()["results"]]
        assert theirs == ["The courier's own claim about 7 new buses."]
        assert ours and not set(ours) & set(theirs)


def test_remembered_filters_still_refuse_bad_ones_every_time(api, claims):
    for _ in range(2):
        response = api.get("/api/v1/claims?checkworthiness_min=0.9&checkworthiness_max=0.1")
        assert response.status_code == 400
        assert "checkworthiness_min" in response.json()["errors"]
    # A filter given twice: the last value counts, as with the serializer on the query string itself.
    assert (
        api.get("/api/v1/claims?flagged=true&flagged=false").json()["results"]
        == (api.get("/api/v1/claims?flagged=false").json()["results"])
    )


@pytest.mark.parametrize("filters_class", [ClaimListFilters, ArticleListFilters])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "ordering=-checkworthiness&flagged=true",
        "flagged=true&flagged=false",
        "status=false&page_size=3&unknown=1",
        "checkworthiness_min=0.9&checkworthiness_max=0.1",
        "updated_since=yesterday",
        "readiness=ready&analysis_status=analyzed&external_id=cms-1",
        "ordering=nonsense",
    ],
)
def test_remembered_filters_are_what_the_serializer_validates(filters_class, query):
    def plain(query_string):
        filters = filters_class(data=QueryDict(query_string))
        return dict(filters.validated_data) if filters.is_valid() else filters.errors

    def remembered(query_string):
        try:
            return speed.validated_filters(filters_class, QueryDict(query_string))
        except serializers.ValidationError as refused:
            return refused.detail

    for _ in range(2):  # the second time from what the first remembered
        assert remembered(query) == plain(query)
