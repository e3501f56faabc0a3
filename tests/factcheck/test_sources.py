"""Sources behind claims, end to end in one process: adding them (service, API, admin), the fetch task
against a real HTTP server on loopback, the archive, passages, leases, cited links and providers.

The fetcher's own behaviour (timeouts, redirects, sizes, the address guard) is tested in
tests/factcheck/web; here it is the Django side: what is stored, what is retried, what is shown.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from editorial.models import Role
from factcheck import tasks
from factcheck.actors import Actor
from factcheck.citations import Found
from factcheck.models import (
    Claim,
    ClaimEvent,
    FetchAttempt,
    FetchStatus,
    Passage,
    SearchProvider,
    Snapshot,
    Source,
    SourceOrigin,
)
from factcheck.services.analyses import article_analyze
from factcheck.services.fetcher import fetcher
from factcheck.services.fetching import Busy, Lease, fetch_begin, fetch_finish, retry_delay, stale_source_ids
from factcheck.services.review import claim_transition
from factcheck.services.searches import search_provider_save, searches_overdue
from factcheck.services.sources import source_add, source_refetch, sources_found
from tests.factories import analysed, api_key_for, claim_of, client_for, member
from tests.localweb import Answer, LocalWeb

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
JOBS = "Unemployment in the city fell to 4.1 percent in March."
BODY = f"{BUDGET}\n\n{JOBS}"

PAGE = b"""<!doctype html><html><head><title>Council minutes, 14 May</title></head><body>
<nav>Home | News | Sport</nav>
<article>
<h1>Minutes of the council meeting</h1>
<p>The meeting opened at 7pm with all twelve members present and the mayor in the chair.</p>
<p>After a long debate the council approved a budget of $4.2 million for the coming year, the largest
budget in a decade, by nine votes to three.</p>
<p>Members then discussed the state of the swimming pool, which needs a new roof before the winter.</p>
<p>The meeting closed at 10pm; the next one is on 11 June.</p>
</article>
<footer>Copyright the council</footer>
</body></html>"""


@pytest.fixture
def web(settings):
    """A web server on 127.0.0.2, which the fetcher is allowed to reach (127.0.0.1 stays refused)."""
    settings.FACTDESK_FETCH = {
        **settings.FACTDESK_FETCH,
        "allow_networks": ["127.0.0.2/32"],
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
    }
    settings.FACTDESK_FETCH_ON_ADD = True
    with LocalWeb("127.0.0.2") as server:
        yield server


@pytest.fixture
def fiona(newsroom):
    return Actor.for_user(member(newsroom, Role.FACT_CHECKER, "fiona"))


def claim_in(newsroom, text=BUDGET, body=BODY, **fields) -> Claim:
    return claim_of(analysed(newsroom, body=body, **fields), text)


def add(actor, claim, url, capture) -> Source:
    """Add a source and run what is queued on commit (the fetch, eagerly)."""
    with capture(execute=True):
        source = source_add(actor=actor, claim_id=claim.pk, url=url)
    source.refresh_from_db()
    return source


# --- Fetching, archiving, passages -----------------------------------------------------------------


def test_a_source_is_fetched_archived_and_its_passages_ranked(
    newsroom, fiona, web, django_capture_on_commit_callbacks
):
    url = web.route("/minutes", Answer(body=PAGE))
    claim = claim_in(newsroom)

    source = add(fiona, claim, url, django_capture_on_commit_callbacks)

    assert source.status == FetchStatus.FETCHED and source.failure == ""
    assert source.final_url == url and source.fetched_at is not None
    snapshot = source.snapshot
    assert snapshot.title in ("Council minutes, 14 May", "Minutes of the council meeting")
    assert "approved a budget of $4.2 million" in snapshot.text
    assert "Copyright the council" not in snapshot.text  # the page's chrome is not evidence
    assert snapshot.size == len(PAGE) and len(snapshot.content_hash) == 64
    attempt = source.attempts.get()
    assert (attempt.outcome, attempt.http_status, attempt.size) == ("ok", 200, len(PAGE))
    assert attempt.content_hash == snapshot.content_hash and attempt.duration_ms is not None
    assert attempt.content_type == "text/html"
    best = source.passages.order_by("rank").first()
    assert "$4.2 million" in best.text
    assert snapshot.text[best.start : best.end] == best.text
    marked = {best.text[start:end].lower() for start, end in best.terms}
    assert {"budget", "council"} <= marked
    assert 0 < best.relevance <= 1
    assert web.hits["/minutes"] == 1


def test_the_same_content_is_archived_once(newsroom, fiona, web, django_capture_on_commit_callbacks):
    first = web.route("/minutes", Answer(body=PAGE))
    mirror = web.route("/mirror", Answer(body=PAGE))
    claim = claim_in(newsroom)

    one = add(fiona, claim, first, django_capture_on_commit_callbacks)
    two = add(fiona, claim, mirror, django_capture_on_commit_callbacks)

    assert one.snapshot_id == two.snapshot_id
    assert Snapshot.objects.count() == 1
    assert two.passages.count() == one.passages.count() > 0


def test_a_server_error_is_retried_until_it_answers(newsroom, fiona, web, django_capture_on_commit_callbacks):
    url = web.route("/flaky", Answer(status=500, body=b"oops"), Answer(body=PAGE))
    claim = claim_in(newsroom)

    source = add(fiona, claim, url, django_capture_on_commit_callbacks)

    assert source.status == FetchStatus.FETCHED
    outcomes = list(source.attempts.order_by("started_at", "id").values_list("outcome", "http_status"))
    assert outcomes == [("transient", 500), ("ok", 200)]
    assert web.hits["/flaky"] == 2


def test_a_missing_page_is_recorded_and_not_retried(newsroom, fiona, web, django_capture_on_commit_callbacks):
    url = web.route("/gone", Answer(status=404, body=b"no such page"))
    claim = claim_in(newsroom)

    source = add(fiona, claim, url, django_capture_on_commit_callbacks)

    assert source.status == FetchStatus.FAILED
    assert "404" in source.failure
    assert list(source.attempts.values_list("outcome", flat=True)) == ["permanent"]
    assert web.hits["/gone"] == 1
    tasks.fetch_source(source.pk)  # a redelivery changes nothing
    assert web.hits["/gone"] == 1


def test_transient_failures_end_after_the_configured_attempts(
    newsroom, fiona, web, settings, django_capture_on_commit_callbacks
):
    settings.FACTDESK_FETCH_MAX_ATTEMPTS = 3
    url = web.route("/down", Answer(status=503, body=b"down", headers={"Retry-After": "2"}))
    claim = claim_in(newsroom)

    source = add(fiona, claim, url, django_capture_on_commit_callbacks)

    assert source.status == FetchStatus.FAILED
    assert source.failure.startswith("Gave up after 3 attempts")
    assert source.attempts.filter(outcome="transient").count() == 3
    assert web.hits["/down"] == 3


def test_retry_after_is_honoured_and_capped(settings):
    settings.FACTDESK_FETCH_RETRY_CAP = 600
    assert retry_delay(1, 120.0) == 120.0
    assert retry_delay(1, 86400.0) == 600
    assert retry_delay(1, 0.0) == 1.0
    delays = [retry_delay(tries, None) for tries in range(1, 12) for _ in range(20)]
    assert all(1.0 <= delay <= 600 for delay in delays)
    assert len(set(delays)) > 100  # jittered


def test_a_wrong_type_is_a_permanent_failure(newsroom, fiona, web, django_capture_on_commit_callbacks):
    url = web.route("/logo", Answer(body=b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"))
    source = add(fiona, claim_in(newsroom), url, django_capture_on_commit_callbacks)
    assert source.status == FetchStatus.FAILED and "image/png" in source.failure
    assert source.snapshot is None


# --- Exactly once: redelivery, leases, a worker that died ------------------------------------------


def test_a_redelivered_task_fetches_nothing_twice(newsroom, fiona, web, django_capture_on_commit_callbacks):
    url = web.route("/minutes", Answer(body=PAGE))
    source = add(fiona, claim_in(newsroom), url, django_capture_on_commit_callbacks)

    tasks.fetch_source(source.pk)
    tasks.fetch_source(source.pk)

    assert web.hits["/minutes"] == 1
    assert source.attempts.count() == 1


def test_a_fetch_under_way_is_left_to_its_worker(newsroom, fiona, web):
    url = web.route("/minutes", Answer(body=PAGE))
    source = source_add(actor=fiona, claim_id=claim_in(newsroom).pk, url=url)
    lease = fetch_begin(source_id=source.pk)
    assert isinstance(lease, Lease)

    assert isinstance(fetch_begin(source_id=source.pk), Busy)
    tasks.fetch_source(source.pk)  # a duplicate delivery while the first run is fetching

    assert web.hits["/minutes"] == 0
    assert source.attempts.count() == 1


def test_a_worker_that_died_mid_fetch_is_taken_over_once_its_lease_runs_out(newsroom, fiona, web):
    url = web.route("/minutes", Answer(body=PAGE))
    source = source_add(actor=fiona, claim_id=claim_in(newsroom).pk, url=url)
    dead = fetch_begin(source_id=source.pk)  # ... and its worker is killed here
    Source.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert stale_source_ids() == [source.pk]  # the sweeper would queue it again

    tasks.fetch_source(source.pk)

    source.refresh_from_db()
    assert source.status == FetchStatus.FETCHED
    outcomes = dict(source.attempts.values_list("token", "outcome"))
    assert outcomes[dead.token] == "interrupted"
    assert sorted(outcomes.values()) == ["interrupted", "ok"]
    assert web.hits["/minutes"] == 1
    assert stale_source_ids() == []


def test_a_run_that_lost_its_lease_records_nothing_but_its_attempt(newsroom, fiona, web):
    url = web.route("/minutes", Answer(body=PAGE))
    source = source_add(actor=fiona, claim_id=claim_in(newsroom).pk, url=url)
    slow = fetch_begin(source_id=source.pk)
    Source.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    tasks.fetch_source(source.pk)  # takes over and succeeds
    fetched = Source.objects.get(pk=source.pk)

    late = fetcher().fetch(url)
    assert fetch_finish(lease=slow, result=late) is None

    source.refresh_from_db()
    assert (source.status, source.snapshot_id, source.fetched_at) == (
        FetchStatus.FETCHED,
        fetched.snapshot_id,
        fetched.fetched_at,
    )
    assert FetchAttempt.objects.get(token=slow.token).outcome == "interrupted"
    assert source.attempts.filter(outcome="ok").count() == 1


def test_the_sweeper_requeues_sources_whose_message_was_lost(newsroom, fiona, web):
    url = web.route("/minutes", Answer(body=PAGE))
    source = source_add(actor=fiona, claim_id=claim_in(newsroom).pk, url=url)  # never queued
    assert stale_source_ids() == []  # just added: its task may still be on its way
    Source.objects.filter(pk=source.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    assert tasks.sweep_sources() == 1

    source.refresh_from_db()
    assert source.status == FetchStatus.FETCHED


def test_refetching_fetches_again_and_is_in_the_history(
    newsroom, fiona, web, django_capture_on_commit_callbacks
):
    url = web.route("/minutes", Answer(body=PAGE), Answer(body=PAGE.replace(b"twelve", b"eleven")))
    source = add(fiona, claim_in(newsroom), url, django_capture_on_commit_callbacks)
    first = source.snapshot_id

    with django_capture_on_commit_callbacks(execute=True):
        source_refetch(actor=fiona, source_id=source.pk)

    source.refresh_from_db()
    assert source.status == FetchStatus.FETCHED and source.snapshot_id != first
    assert Snapshot.objects.count() == 2  # the earlier copy stays in the archive
    assert source.attempts.filter(outcome="ok").count() == 2
    assert ClaimEvent.objects.filter(claim=source.claim, action="source_refetched").count() == 1


# --- Adding sources: refused destinations --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://localhost:8000/",
        "http://[::1]/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/intranet",
        "http://[::ffff:127.0.0.1]/",
        "http://0/",
    ],
)
def test_a_private_destination_is_refused_with_the_reason(newsroom, fiona, url):
    claim = claim_in(newsroom)
    with pytest.raises(ValidationError) as refused:
        source_add(actor=fiona, claim_id=claim.pk, url=url)
    message = " ".join(refused.value.message_dict["url"])
    assert "private" in message.lower() or "loopback" in message.lower() or "reserved" in message.lower()
    assert not Source.objects.exists()


def test_the_api_refuses_a_private_destination_with_400_and_the_reason(newsroom, api):
    claim = claim_in(newsroom)
    response = api.post(
        f"/api/v1/claims/{claim.pk}/sources", {"url": "http://127.0.0.1:6379/"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] and "url" in body["errors"]
    assert "127.0.0.1" in " ".join(body["errors"]["url"])

    response = api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": "ftp://example.org/x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]


# --- The API -------------------------------------------------------------------------------------


def test_the_api_lists_sources_with_status_archive_and_passages(
    newsroom, api, web, django_capture_on_commit_callbacks
):
    url = web.route("/minutes", Answer(body=PAGE))
    claim = claim_in(newsroom)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"/api/v1/claims/{claim.pk}/sources", {"url": url}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["origin"] == "api"

    detail = api.get(f"/api/v1/claims/{claim.pk}").json()
    (source,) = detail["sources"]
    assert source["status"] == "fetched" and "inutes" in source["archived"]["title"]
    passage = source["passages"][0]
    assert "$4.2 million" in passage["text"]
    assert all(passage["text"][start:end].strip() for start, end in passage["highlights"])
    assert api.get(f"/api/v1/claims/{claim.pk}/sources").json() == detail["sources"]

    full = api.get(f"/api/v1/sources/{source['id']}").json()
    assert "approved a budget of $4.2 million" in full["text"]
    assert full["text"][passage["start"] : passage["end"]] == passage["text"]

    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/api/v1/sources/{source['id']}/refetch")
    assert again.status_code == 202


def test_other_newsrooms_sources_are_not_found(newsroom, other_newsroom, fiona, web):
    url = web.route("/minutes", Answer(body=PAGE))
    source = source_add(actor=fiona, claim_id=claim_in(newsroom).pk, url=url)
    other = client_for(api_key_for(other_newsroom)[1])
    assert other.get(f"/api/v1/sources/{source.pk}").status_code == 404
    assert other.post(f"/api/v1/sources/{source.pk}/refetch").status_code == 404
    assert other.get(f"/api/v1/claims/{source.claim_id}/sources").status_code == 404
    assert (
        other.post(f"/api/v1/claims/{source.claim_id}/sources", {"url": url}, format="json").status_code
        == 404
    )


# --- The admin -----------------------------------------------------------------------------------

HOSTILE = b"""<html><head><title>Evil <script>alert(1)</script> title</title></head><body><article>
<p>The council approved a budget of $4.2 million <script>alert(2)</script> in a decade of cuts,
the largest budget in years, said the council's budget report.</p></article></body></html>"""


def test_the_claim_page_shows_sources_escaped_with_passages_marked(
    newsroom, fiona, web, client, django_capture_on_commit_callbacks
):
    url = web.route("/evil", Answer(body=HOSTILE))
    claim = claim_in(newsroom)
    source = add(fiona, claim, url, django_capture_on_commit_callbacks)
    assert source.status == FetchStatus.FETCHED
    client.force_login(fiona.user)

    page = client.get(f"/admin/factcheck/reviewitem/{claim.pk}/change/").content.decode()

    assert "<script>alert" not in page
    assert 'data-status="fetched"' in page
    assert "relevance, not" in page or "not whether the source supports" in page
    assert "<mark>budget</mark>" in page.lower()
    assert "Fetch again" in page

    archive = client.get(f"/admin/factcheck/reviewitem/{claim.pk}/sources/{source.pk}/archive/")
    assert archive.status_code == 200
    html = archive.content.decode()
    assert ("<script>alert" not in html and "&lt;script&gt;" in html) or "alert" not in html
    assert "fetch-attempts" in html


def test_refetch_from_the_claim_page(newsroom, fiona, web, client, django_capture_on_commit_callbacks):
    url = web.route("/minutes", Answer(body=PAGE))
    claim = claim_in(newsroom)
    source = add(fiona, claim, url, django_capture_on_commit_callbacks)
    client.force_login(fiona.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/factcheck/reviewitem/{claim.pk}/sources/{source.pk}/refetch/")

    assert response.status_code == 302
    assert web.hits["/minutes"] == 2
    assert (
        client.get(f"/admin/factcheck/reviewitem/{claim.pk}/sources/{source.pk}/refetch/").status_code == 405
    )


def test_another_newsrooms_archive_is_not_shown(newsroom, other_newsroom, fiona, web, client):
    url = web.route("/minutes", Answer(body=PAGE))
    claim = claim_in(newsroom)
    source = source_add(actor=fiona, claim_id=claim.pk, url=url)
    tasks.fetch_source(source.pk)
    outsider = member(other_newsroom, Role.EDITOR, "otto")
    client.force_login(outsider)
    assert (
        client.get(f"/admin/factcheck/reviewitem/{claim.pk}/sources/{source.pk}/archive/").status_code == 404
    )
    assert (
        client.post(f"/admin/factcheck/reviewitem/{claim.pk}/sources/{source.pk}/refetch/").status_code == 404
    )


# --- Where sources come from: cited links and search providers ------------------------------------

HTML_ARTICLE = """<h1>Council passes budget</h1>
<p>The council <a href="/minutes/14-may">approved a budget of $4.2 million</a> on Tuesday.
Unemployment in the city fell to 4.1 percent in March. <a href="mailto:desk@example.org">Write to us</a></p>
<p>The mayor said the pool would reopen in June.</p>
<p>Roads will be repaired this summer, the works department said in a
<a href="https://works.example/plan#roads">published plan</a>.</p>"""


def test_links_cited_in_the_article_become_sources_of_their_claims(newsroom, settings):
    settings.FACTDESK_FETCH_ON_ADD = False
    article = analysed(
        newsroom, body=HTML_ARTICLE, body_format="html", url="https://ledger.example/news/budget"
    )

    def sources_of(prefix):
        claim = Claim.objects.get(article=article, text__startswith=prefix)
        return sorted(claim.sources.values_list("url", "origin", "note"))

    assert sources_of("The council") == [
        ("https://ledger.example/minutes/14-may", "cited", "Linked from the sentence.")
    ]
    # no link of its own: takes its paragraph's (the mailto: link is not a source)
    assert sources_of("Unemployment") == [
        ("https://ledger.example/minutes/14-may", "cited", "Linked from the sentence's paragraph.")
    ]
    assert sources_of("The mayor") == []
    assert sources_of("Roads") == [("https://works.example/plan", "cited", "Linked from the sentence.")]

    article_analyze(article_id=article.pk)  # analysing again adds nothing
    assert Source.objects.count() == 3
    assert ClaimEvent.objects.filter(action="sources_found").count() == 3


def test_the_archive_provider_finds_earlier_verdicts(newsroom, fiona, settings):
    settings.FACTDESK_FETCH_ON_ADD = False
    SearchProvider.objects.create(
        newsroom=newsroom, name="Our archive", kind="archive", min_checkworthiness=0
    )
    earlier = claim_in(newsroom, body=f"{BUDGET}\n\nThe weather was fine.", url="https://ledger.example/a")
    Claim.objects.filter(pk=earlier.pk).update(status="false")
    Claim.objects.filter(article=earlier.article).exclude(pk=earlier.pk).update(status="verified")

    claim = claim_in(
        newsroom, text=BUDGET.replace("Tuesday", "Monday"), body=BUDGET.replace("Tuesday", "Monday")
    )
    tasks.search_sources(claim.pk)

    (match,) = claim.sources.all()
    assert match.origin == SourceOrigin.ARCHIVE and match.status == FetchStatus.MATCHED
    assert match.related_claim_id == earlier.pk
    assert match.provider_data["verdict"] == "false"
    assert match.url == "https://ledger.example/a"
    assert "Earlier verdict: False" in match.note
    claim.refresh_from_db()
    assert claim.sources_searched_at is not None
    # an archive match is not evidence: it cannot back a verdict on its own
    claim_transition(actor=fiona, claim_id=claim.pk, to="in_review")
    with pytest.raises(ValidationError):
        claim_transition(actor=fiona, claim_id=claim.pk, to="verified")


def test_a_json_search_api_in_googles_shape(newsroom, web, settings, django_capture_on_commit_callbacks):
    minutes = web.route("/minutes", Answer(body=PAGE))
    answer = {
        "claims": [
            {
                "text": "The council passed a $4.2 million budget",
                "claimReview": [
                    {
                        "publisher": {"name": "Checkers United", "site": "checkers.example"},
                        "url": minutes,
                        "title": "Did the council pass the largest budget in a decade?",
                        "textualRating": "Mostly true",
                    }
                ],
            },
            {"text": "no review here", "claimReview": []},
        ]
    }
    search = web.route(
        "/claims:search", Answer(body=json.dumps(answer).encode(), content_type="application/json")
    )
    search_provider_save(
        provider_id=None,
        newsroom=newsroom,
        name="Fact Check Tools",
        kind="http_json",
        min_checkworthiness=0.0,
        url_template=search + "?query={query}&key={secret}",
        secret="s3cret key",
        results_path="claims",
        fields={
            "url": "claimReview.0.url",
            "title": "claimReview.0.title",
            "rating": "claimReview.0.textualRating",
            "publisher": "claimReview.0.publisher",
        },
    )
    claim = claim_in(newsroom)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.search_sources(claim.pk)

    (source,) = claim.sources.all()
    assert (source.origin, source.provider, source.url) == ("search", "Fact Check Tools", minutes)
    assert source.provider_data["rating"] == "Mostly true"
    assert source.note == "Checkers United — Mostly true"
    assert source.status == FetchStatus.FETCHED  # then fetched like any other source
    assert "query=The%20council%20approved" in web.last_query["/claims:search"]
    assert "key=s3cret%20key" in web.last_query["/claims:search"]


def test_a_search_provider_is_checked_when_saved(newsroom):
    def save(**fields):
        return search_provider_save(provider_id=None, newsroom=newsroom, name="p", kind="http_json", **fields)

    with pytest.raises(ValidationError) as error:
        save(url_template="https://api.example/search", fields={"url": "url"})
    assert "url_template" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        save(url_template="http://169.254.169.254/?q={query}", fields={"url": "url"})
    assert "url_template" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        save(url_template="https://api.example/?q={query}", fields={"title": "t"})
    assert "fields" in error.value.message_dict


def test_a_source_found_only_counts_as_evidence_once_fetched(
    newsroom, fiona, web, django_capture_on_commit_callbacks
):
    claim = claim_in(newsroom)
    url = web.route("/minutes", Answer(body=PAGE))
    sources_found(claim_id=claim.pk, found=[Found(url=url, origin=SourceOrigin.CITED)])
    claim_transition(actor=fiona, claim_id=claim.pk, to="in_review")
    with pytest.raises(ValidationError):
        claim_transition(actor=fiona, claim_id=claim.pk, to="verified")

    tasks.fetch_source(claim.sources.get().pk)
    claim_transition(actor=fiona, claim_id=claim.pk, to="verified")
    assert Passage.objects.filter(source__claim=claim).exists()


def test_newsroom_admins_configure_search_providers_and_the_secret_stays_hidden(newsroom, client):
    admin_user = member(newsroom, Role.ADMIN, "ada")
    client.force_login(admin_user)
    response = client.post(
        "/admin/factcheck/searchprovider/add/",
        {
            "newsroom": newsroom.pk,
            "name": "Fact Check Tools",
            "kind": "http_json",
            "enabled": "on",
            "min_checkworthiness": "0.5",
            "max_results": "3",
            "url_template": "https://factchecktools.example/v1alpha1/claims:search?query={query}&key={secret}",
            "secret": "very-secret-key",
            "results_path": "claims",
            "fields": json.dumps({"url": "claimReview.0.url"}),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = SearchProvider.objects.get()
    assert provider.secret == "very-secret-key"

    page = client.get(f"/admin/factcheck/searchprovider/{provider.pk}/change/").content.decode()
    assert "very-secret-key" not in page
    client.post(
        f"/admin/factcheck/searchprovider/{provider.pk}/change/",
        {
            "name": "Fact Check Tools",
            "kind": "http_json",
            "min_checkworthiness": "0.6",
            "max_results": "3",
            "url_template": provider.url_template,
            "secret": "",
            "results_path": "claims",
            "fields": json.dumps({"url": "claimReview.0.url"}),
        },
    )
    provider.refresh_from_db()
    assert (provider.min_checkworthiness, provider.secret, provider.enabled) == (
        0.6,
        "very-secret-key",
        False,
    )

    refused = client.post(
        "/admin/factcheck/searchprovider/add/",
        {
            "newsroom": newsroom.pk,
            "name": "Metadata",
            "kind": "http_json",
            "min_checkworthiness": "0.5",
            "max_results": "3",
            "url_template": "http://169.254.169.254/latest?q={query}",
            "results_path": "",
            "fields": json.dumps({"url": "url"}),
        },
    )
    assert (
        refused.status_code == 200
        and "169.254.169.254 is the cloud metadata address" in refused.content.decode()
    )
    assert SearchProvider.objects.count() == 1


def test_fact_checkers_do_not_configure_search_providers(newsroom, client):
    client.force_login(member(newsroom, Role.FACT_CHECKER, "fred"))
    assert client.get("/admin/factcheck/searchprovider/add/").status_code == 403


@pytest.mark.django_db(transaction=True)  # so that "inside a transaction" means sources_found's own
def test_addresses_are_checked_before_the_claim_is_locked(newsroom, web, monkeypatch):
    """The destination check may wait on DNS; it must not do so while holding the claim's row."""
    from django.db import connection

    from factcheck.services import sources as sources_module

    claim = claim_in(newsroom)
    url = web.route("/minutes", Answer(body=PAGE))
    checked_inside_a_transaction = []
    real_check = sources_module.checked_url

    def watched(address):
        checked_inside_a_transaction.append(connection.in_atomic_block)
        return real_check(address)

    monkeypatch.setattr(sources_module, "checked_url", watched)
    found = [
        Found(url=url, origin=SourceOrigin.CITED),
        Found(url="http://127.0.0.1/admin", origin=SourceOrigin.CITED),
        Found(url=f"  {url} ", origin=SourceOrigin.SEARCH),
    ]
    created = sources_found(claim_id=claim.pk, found=found)
    assert [source.url for source in created] == [url]
    assert checked_inside_a_transaction == [False, False, False]


@pytest.mark.django_db(transaction=True)
def test_an_analysis_checks_each_cited_address_once_before_locking_anything(newsroom, settings, monkeypatch):
    """Cited links are checked (maybe with DNS) before article_analyze's transaction, once per address,
    however many claims of the paragraph cite it."""
    from django.db import connection

    from factcheck.services import sources as sources_module

    settings.FACTDESK_FETCH_ON_ADD = False
    checks = []
    real_check = sources_module.checked_url

    def watched(address):
        checks.append((address, connection.in_atomic_block))
        return real_check(address)

    monkeypatch.setattr(sources_module, "checked_url", watched)
    article = analysed(
        newsroom, body=HTML_ARTICLE, body_format="html", url="https://ledger.example/news/budget"
    )

    assert sorted(checks) == [
        ("https://ledger.example/minutes/14-may", False),
        ("https://works.example/plan", False),
    ]
    assert Source.objects.filter(claim__article=article).count() == 3


def test_a_search_whose_message_was_lost_is_queued_again_by_the_sweep(newsroom, settings):
    settings.FACTDESK_FETCH_ON_ADD = False
    settings.FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS = 600
    SearchProvider.objects.create(
        newsroom=newsroom, name="Our archive", kind="archive", min_checkworthiness=0
    )
    claim = claim_in(newsroom)  # analysed; its search queued on a commit that never ran its callbacks
    claim.refresh_from_db()
    assert claim.sources_searched_at is None and claim.sources_search_due_at is not None
    assert searches_overdue() == []  # its message may still be on its way
    soon = timezone.now() + timedelta(seconds=601)
    owed = list(
        Claim.objects.filter(sources_searched_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    assert claim.pk in owed and len(owed) == Claim.objects.filter(article=claim.article).count()
    assert searches_overdue(now=soon) == owed
    Claim.objects.filter(pk__in=owed).update(sources_search_due_at=timezone.now() - timedelta(seconds=1))

    assert tasks.sweep_searches() == len(owed)  # eager here: the searches run at once

    claim.refresh_from_db()
    assert claim.sources_searched_at is not None
    assert searches_overdue(now=timezone.now() + timedelta(days=1)) == []
