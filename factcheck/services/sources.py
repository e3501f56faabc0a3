"""Sources behind claims: adding them, and recording what the workers fetched of them.

A fetch goes in two short transactions around the network call, so that no row stays locked while
a slow host answers:

1. ``fetch_begin`` locks the source, and unless it is done or another run holds a live lease on
   it, takes the lease (a random token valid for ``FACTDESK_FETCH_LEASE`` seconds) and logs the
   attempt as running;
2. the task fetches, extracts the main text and ranks the passages, outside any transaction;
3. ``fetch_finish`` records the outcome only if the lease is still the task's own.

So a redelivered task finds the source fetched (or being fetched) and does nothing, two runs never
fetch the same source at once, and a worker killed mid-fetch leaves a lease that runs out: the next
run marks that attempt interrupted and fetches again.  Each source ends with one successful fetch.
"""

from __future__ import annotations

import functools
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import Forbidden
from factcheck import retry
from factcheck.destinations import MAX_URL, allowed_networks, checked_url
from factcheck.models import (
    ActorKind,
    Claim,
    FetchAttempt,
    FetchStatus,
    Passage,
    SearchProvider,
    Snapshot,
    Source,
    SourceOrigin,
)
from factcheck.queue import publish_each_on_commit
from factcheck.services.actors import Actor
from factcheck.services.review import _locked_claim
from factcheck.web.fetch import Fetcher, FetchPolicy, FetchResult
from factcheck.web.passages import Passage as FoundPassage
from factcheck.webhooks.services.events import source_fetched_emit
from factcheck.workflow import ClaimStatus

PASSAGES_PER_SOURCE = 3
#: What an HTTP JSON search provider may say of a result besides its address (``fields``' keys).
SEARCH_DETAILS = ("title", "snippet", "rating", "publisher")
#: Seconds: the first retry of a fetch comes 2 to 4 s after it, and each next one twice as late.
RETRY_BASE = 4.0


# --- the fetcher, as configured ---------------------------------------------------------------


def fetch_policy() -> FetchPolicy:
    """The fetch policy that ``settings.FACTDESK_FETCH`` describes."""
    return FetchPolicy(**{**settings.FACTDESK_FETCH, "allow_networks": allowed_networks()})


@functools.lru_cache(maxsize=4)
def _fetcher_for(policy: FetchPolicy) -> Fetcher:
    return Fetcher(policy)


def fetcher(policy: FetchPolicy | None = None) -> Fetcher:
    """The worker process's fetcher for ``policy`` (``fetch_policy()`` by default): one connection
    pool and per-host limit, shared by its threads."""
    return _fetcher_for(policy or fetch_policy())


def lease_seconds() -> float:
    """How long a fetch may hold its source: the fetch's own deadline, plus time to extract and store."""
    return settings.FACTDESK_FETCH_LEASE or settings.FACTDESK_FETCH["total_timeout"] + 30


# --- adding sources ---------------------------------------------------------------------------


def _touch(claim_id: int, *, at: datetime | None = None) -> None:
    """Mark the claim changed (``at``, or now): its sources are part of it for an API client syncing
    by updated_since."""
    Claim.objects.filter(pk=claim_id).update(updated_at=at or timezone.now())


def _queue_fetch(source_ids: Iterable[int]) -> None:
    """Queue a fetch of each source once the current transaction commits."""
    from factcheck.tasks import fetch_source  # the tasks module imports the services

    ids = list(source_ids)
    if ids and settings.FACTDESK_FETCH_ON_ADD:
        publish_each_on_commit(fetch_source, ids)


def source_add(*, actor: Actor, claim_id: int, url: str, note: str = "") -> Source:
    """Attach a web source to a claim; a worker fetches and archives it.

    The address is refused (``ValidationError``) when it is not http(s) or when it points at a
    private, loopback or otherwise reserved address: the same check the fetch makes on every hop.
    """
    url = checked_url(url)
    with transaction.atomic():
        claim = _locked_claim(claim_id)
        role, _ = actor.workflow_role(claim)
        if role is None:
            raise Forbidden("Only people of the claim's newsroom add its sources.")
        origin = SourceOrigin.API if actor.kind == ActorKind.API_KEY else SourceOrigin.EDITOR
        try:
            with transaction.atomic():
                source = Source.objects.create(
                    claim=claim,
                    url=url,
                    note=(note or "").strip(),
                    origin=origin,
                    actor_user=actor.user,
                    actor_name=actor.name,
                )
        except IntegrityError:
            raise ValidationError({"url": "That source is already attached to this claim."}) from None
        actor.event(
            claim=claim, action="source_added", from_status=claim.status, to_status=claim.status, note=url
        ).save()
        _touch(claim.pk)
        _queue_fetch([source.pk])
    return source


@dataclass(frozen=True)
class Found:
    """A source found for a claim by the machine: a cited link, a search result, an archive match."""

    url: str
    origin: str
    provider: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)
    related_claim_id: int | None = None
    #: Why it is attached without being fetched (over the article's limit); empty: fetch it.
    not_fetched: str = ""


def _admitted(url: str) -> str | None:
    """``url`` as it will be stored, or None when it fails the destination check (which may resolve
    names: call it outside transactions)."""
    try:
        return checked_url(url)
    except ValidationError:
        return None


def _addressable(item: Found) -> str | None:
    """The address of a finding as it will be stored, or None when it fails the destination check
    (archive matches are our own pages and are not checked)."""
    if item.origin == SourceOrigin.ARCHIVE:
        return item.url.strip()
    return _admitted(item.url)


def sources_found(*, claim_id: int, found: Iterable[Found]) -> list[Source]:
    """Attach what was found to a claim, skipping addresses it already has; queue the new ones' fetch.

    Idempotent: running it again with the same findings adds nothing.  Archive matches are not
    fetched (they are our own earlier verdicts), and addresses that fail the destination check are
    dropped: a search result or a link in an article is not worth an editor's time if it cannot be
    fetched safely.
    """
    # The destination check may resolve names (DNS), so it runs before the claim's row is locked: a
    # slow resolver must not hold up the editors and workers waiting on that row.
    checked = [(item, url) for item in found if (url := _addressable(item)) is not None]
    return _sources_attach(claim_id=claim_id, found=checked)


def _sources_attach(*, claim_id: int, found: list[tuple[Found, str]]) -> list[Source]:
    """``sources_found`` once the addresses are checked: ``found`` holds ``(finding, address)``."""
    actor = Actor.system()
    with transaction.atomic():
        claim = Claim.objects.select_for_update(of=("self",)).filter(pk=claim_id).first()
        if claim is None or claim.status == ClaimStatus.SUPERSEDED:
            return []
        have = set(claim.sources.values_list("url", flat=True))
        created = []
        for item, url in found:
            if url in have:
                continue
            have.add(url)
            created.append(
                Source(
                    claim=claim,
                    url=url,
                    origin=item.origin,
                    provider=item.provider[:100],
                    provider_data=item.data,
                    note=item.note,
                    related_claim_id=item.related_claim_id,
                    status=FetchStatus.MATCHED
                    if item.origin == SourceOrigin.ARCHIVE
                    else FetchStatus.FAILED
                    if item.not_fetched
                    else FetchStatus.PENDING,
                    failure=item.not_fetched,
                    actor_name=actor.name,
                )
            )
        if not created:
            return []
        Source.objects.bulk_create(created)  # sets their pks (PostgreSQL, SQLite >= 3.35)
        origins = sorted({SourceOrigin(source.origin).label.lower() for source in created})
        actor.event(
            claim=claim,
            action="sources_found",
            from_status=claim.status,
            to_status=claim.status,
            note=f"{len(created)} source{'s' if len(created) != 1 else ''} found ({', '.join(origins)}).",
        ).save()
        _touch(claim.pk)
        _queue_fetch(source.pk for source in created if source.status == FetchStatus.PENDING)
    return created


def cited_links(
    *, claims: list[tuple[int, int, int, int]], links, base_url: str = ""
) -> dict[int, list[Found]]:
    """The links an article cites for each claim: ``{claim: [Found, ...]}``.

    ``claims`` holds ``(claim, start, end, paragraph)`` in the canonical text (``claim``: any key);
    ``links`` the analysis's links (``href``, ``start``, ``end``).  A link whose anchor overlaps the
    sentence is cited by it; a claim with no link of its own takes the links of its paragraph (a
    source cited at the end of a paragraph often supports every sentence of it).  Relative links are
    resolved against the article's address; anything that is not http(s) (mailto:, #anchors) is left
    out.
    """
    paragraphs: dict[int, tuple[int, int]] = {}
    for _, start, end, paragraph in claims:
        low, high = paragraphs.get(paragraph, (start, end))
        paragraphs[paragraph] = (min(low, start), max(high, end))

    def absolute(href: str) -> str | None:
        href = (href or "").strip()
        url = urljoin(base_url, href) if base_url else href
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
            return None
        return url.split("#", 1)[0]

    resolved = [(link.start, link.end, absolute(link.href)) for link in links]  # each link once

    def linked(low: int, high: int) -> list[str | None]:
        """The address of each link overlapping ``[low, high)``; None for one that is not http(s)."""
        return [url for start, end, url in resolved if start < high and low < end]

    def distinct(urls: list[str | None]) -> list[str]:
        return list(dict.fromkeys(url for url in urls if url))

    out: dict[int, list[Found]] = {}
    for claim_id, start, end, paragraph in claims:
        hits = linked(start, end)
        if own := distinct(hits):
            out[claim_id] = [
                Found(url=url, origin=SourceOrigin.CITED, note="Linked from the sentence.") for url in own
            ]
        elif hits:
            continue  # the sentence links elsewhere (an email address): it does not cite its paragraph's
        elif nearby := distinct(linked(*paragraphs[paragraph])):
            out[claim_id] = [
                Found(url=url, origin=SourceOrigin.CITED, note="Linked from the sentence's paragraph.")
                for url in nearby
            ]
    return out


def cited_sources(*, analysis, base_url: str) -> dict[int, list[tuple[Found, str]]]:
    """The links each claim of ``analysis`` cites (by the claim's index), with their checked address.

    ``article_analyze`` calls it before its transaction: the destination check may resolve names
    (DNS), once per address here, and must not do so while the article's and its claims' rows are
    locked.  Addresses that fail the check are left out.

    Only the first ``FACTDESK_MAX_FETCHES_PER_ARTICLE`` distinct addresses, in the order the claims
    cite them, are checked and fetched: the others are attached as sources not fetched, with the
    reason, and an editor may fetch any of them from the claim's page (the fetch checks it then).
    """
    if not analysis.links:
        return {}
    cited = cited_links(
        claims=[(claim.index, claim.start, claim.end, claim.paragraph) for claim in analysis.claims],
        links=analysis.links,
        base_url=base_url,
    )
    addresses = list(dict.fromkeys(item.url for index in sorted(cited) for item in cited[index]))
    limit = settings.FACTDESK_MAX_FETCHES_PER_ARTICLE
    admitted = {url: _admitted(url) for url in addresses[:limit]}
    over = (
        f"Not fetched: the article links to {len(addresses):,} addresses, and at most {limit:,} are "
        "fetched for one article (FACTDESK_MAX_FETCHES_PER_ARTICLE). Fetch it again to archive it."
    )
    checked: dict[int, list[tuple[Found, str]]] = {}
    for index, found in cited.items():
        pairs = checked[index] = []
        for item in found:
            if item.url not in admitted:
                pairs.append((replace(item, not_fetched=over), item.url))
            elif (url := admitted[item.url]) is not None:
                pairs.append((item, url))
    return {index: pairs for index, pairs in checked.items() if pairs}


def sources_after_analysis(*, article, cited: dict[int, list[tuple[Found, str]]]) -> None:
    """After an article's claims are stored: attach the links they cite, and queue the searches.

    Runs inside ``article_analyze``'s transaction; ``cited`` is ``cited_sources`` of the analysis
    stored (claims by index, which is their ``ordinal``).  The claims of the article's newsroom that
    are check-worthy enough for one of its enabled search providers, and have not been searched yet,
    get a search task each, queued after commit.
    """
    live = list(
        Claim.objects.filter(article=article)
        .exclude(status=ClaimStatus.SUPERSEDED)
        .values_list("pk", "ordinal", "checkworthiness", "sources_searched_at")
    )
    for claim_id, ordinal, _, _ in live:
        if ordinal in cited:
            _sources_attach(claim_id=claim_id, found=cited[ordinal])
    thresholds = list(
        SearchProvider.objects.filter(newsroom_id=article.newsroom_id, enabled=True).values_list(
            "min_checkworthiness", flat=True
        )
    )
    if not thresholds:
        return
    lowest = min(thresholds)
    to_search = [row[0] for row in live if row[3] is None and row[2] >= lowest]
    if to_search:
        from factcheck.tasks import search_sources

        # The claims record the search owed: the sweep queues it again if this message is lost.
        Claim.objects.filter(pk__in=to_search, sources_search_due_at__isnull=True).update(
            sources_search_due_at=timezone.now() + _search_requeue_after()
        )
        publish_each_on_commit(search_sources, to_search)


def _search_requeue_after() -> timedelta:
    return timedelta(seconds=settings.FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS)


def searches_overdue(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """The claims whose search for sources was queued and has not finished in time (the message was
    lost, or the worker died), oldest due first, at most ``limit``.  Each gets its next due time, as
    far ahead as the claim has already waited; the caller queues them.  A search that runs twice
    attaches nothing twice."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Claim.objects.select_for_update(skip_locked=True)
            .filter(sources_searched_at__isnull=True, sources_search_due_at__lte=now)
            .exclude(status=ClaimStatus.SUPERSEDED)
            .order_by("sources_search_due_at", "pk")
            .values_list("pk", "created_at")[:limit]
        )
        for pk, created_at in rows:
            Claim.objects.filter(pk=pk).update(
                sources_search_due_at=now + max(_search_requeue_after(), now - created_at)
            )
    return [pk for pk, _ in rows]


def source_refetch(*, actor: Actor, source_id: int) -> Source:
    """Fetch a source again (the page may have changed, or a failure may have been temporary)."""
    with transaction.atomic():
        claim_id = Source.objects.filter(pk=source_id).values_list("claim_id", flat=True).first()
        if claim_id is None:
            raise Source.DoesNotExist(f"No source {source_id}.")
        claim = _locked_claim(claim_id)
        role, _ = actor.workflow_role(claim)
        if role is None:
            raise Forbidden("Only people of the claim's newsroom refetch its sources.")
        source = Source.objects.select_for_update().get(pk=source_id)
        if source.status == FetchStatus.MATCHED:
            raise ValidationError("An archive match is our own earlier verdict: there is nothing to fetch.")
        if (
            source.status == FetchStatus.FETCHING
            and source.lease_until
            and source.lease_until > timezone.now()
        ):
            return source  # a fetch is under way: its result is the fresh one
        source.status, source.tries, source.next_attempt_at, source.failure = FetchStatus.PENDING, 0, None, ""
        source.save(update_fields=["status", "tries", "next_attempt_at", "failure", "updated_at"])
        actor.event(
            claim=claim,
            action="source_refetched",
            from_status=claim.status,
            to_status=claim.status,
            note=source.url,
        ).save()
        _queue_fetch([source.pk])
    return source


def search_provider_errors(
    *, kind: str, min_checkworthiness: float, max_results: int, url_template: str, fields
) -> dict[str, str]:
    """What is wrong with a search provider's settings, by field (empty when nothing is)."""
    errors = {}
    if not 0 <= min_checkworthiness <= 1:
        errors["min_checkworthiness"] = "Between 0 and 1."
    if not 1 <= max_results <= 20:
        errors["max_results"] = "Between 1 and 20."
    if kind == SearchProvider.Kind.HTTP_JSON:
        if "{query}" not in url_template:
            errors["url_template"] = "Put {query} where the claim goes."
        else:
            try:
                checked_url(url_template.replace("{query}", "q").replace("{secret}", "s"))
            except ValidationError as error:
                errors["url_template"] = " ".join(error.message_dict.get("url", error.messages))
        if not isinstance(fields, dict) or not isinstance(fields.get("url"), str) or not fields["url"]:
            errors["fields"] = (
                'Give at least the path of each result\'s address, e.g. {"url": "claimReview.0.url"}.'
            )
        elif unknown := set(fields) - {"url", *SEARCH_DETAILS}:
            errors["fields"] = f"Unknown field names: {', '.join(sorted(unknown))}."
    return errors


def search_provider_save(
    *,
    provider_id: int | None,
    newsroom,
    name: str,
    kind: str,
    enabled: bool = True,
    min_checkworthiness: float = 0.5,
    max_results: int = 3,
    url_template: str = "",
    secret: str = "",
    results_path: str = "",
    fields: dict | None = None,
) -> SearchProvider:
    """Create or change a newsroom's search provider; an empty ``secret`` keeps the saved one.

    An HTTP JSON provider needs a URL template with ``{query}`` whose address passes the same
    destination check as sources, and a path to each result's ``url``.
    """
    fields = fields or {}
    errors = search_provider_errors(
        kind=kind,
        min_checkworthiness=min_checkworthiness,
        max_results=max_results,
        url_template=url_template,
        fields=fields,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        provider = (
            SearchProvider.objects.select_for_update().get(pk=provider_id, newsroom=newsroom)
            if provider_id
            else SearchProvider(newsroom=newsroom)
        )
        provider.name, provider.kind, provider.enabled = name.strip(), kind, enabled
        provider.min_checkworthiness, provider.max_results = min_checkworthiness, max_results
        provider.url_template, provider.results_path, provider.fields = (
            url_template.strip(),
            results_path,
            fields,
        )
        if secret:
            provider.secret = secret
        try:
            with transaction.atomic():
                provider.save()
        except IntegrityError:
            raise ValidationError({"name": "The newsroom already has a provider of that name."}) from None
    return provider


# --- fetching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lease:
    """A fetch this run owns: what to fetch, and the claim the passages are ranked against."""

    source_id: int
    claim_id: int
    newsroom_id: int
    article_id: int
    token: uuid.UUID
    url: str
    claim_text: str


@dataclass(frozen=True)
class Busy:
    """Another run holds the source, or its next attempt is not due yet: look again in ``seconds``."""

    seconds: float


DONE_STATES = (FetchStatus.FETCHED, FetchStatus.FAILED, FetchStatus.MATCHED)


def fetch_begin(*, source_id: int, scheduled: bool = False) -> Lease | Busy | None:
    """Take the lease on a source that needs fetching; None when there is nothing to do.

    ``scheduled``: the run is the retry that ``fetch_finish`` scheduled, so the time set for the
    next attempt has come (other runs wait for it).
    """
    now = timezone.now()
    with transaction.atomic():
        source = (
            Source.objects.select_for_update(of=("self",))
            .select_related("claim")
            .filter(pk=source_id)
            .first()
        )
        if source is None or source.status in DONE_STATES or source.claim.status == ClaimStatus.SUPERSEDED:
            return None
        if source.status == FetchStatus.FETCHING and source.lease_until and source.lease_until > now:
            return Busy((source.lease_until - now).total_seconds())
        if (
            not scheduled
            and source.status == FetchStatus.PENDING
            and source.next_attempt_at
            and source.next_attempt_at > now
        ):
            return Busy((source.next_attempt_at - now).total_seconds())
        if source.status == FetchStatus.FETCHING:  # the lease ran out: its worker stopped mid-fetch
            FetchAttempt.objects.filter(source=source, outcome=FetchAttempt.Outcome.RUNNING).update(
                outcome=FetchAttempt.Outcome.INTERRUPTED,
                error="The worker stopped before the fetch finished; it was fetched again.",
            )
        token = uuid.uuid4()
        source.status = FetchStatus.FETCHING
        source.lease_token, source.lease_until = token, now + timedelta(seconds=lease_seconds())
        source.tries += 1
        source.save(update_fields=["status", "lease_token", "lease_until", "tries", "updated_at"])
        FetchAttempt.objects.create(source=source, token=token, url=source.url, started_at=now)
        return Lease(
            source_id=source.pk,
            claim_id=source.claim_id,
            newsroom_id=source.claim.newsroom_id,
            article_id=source.claim.article_id,
            token=token,
            url=source.url,
            claim_text=source.claim.text,
        )


@dataclass(frozen=True)
class Readable:
    """What the task made of a successful fetch: the main text (or why there is none) and passages."""

    title: str = ""
    text: str = ""
    error: str = ""
    passages: tuple[FoundPassage, ...] = ()
    snapshot_id: int | None = None  # the same content, archived before


def retry_delay(tries: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: the server's Retry-After if it gave one, else exponential
    backoff with equal jitter from ``RETRY_BASE``; never more than ``FACTDESK_FETCH_RETRY_CAP``."""
    return retry.retry_delay(tries, retry_after, base=RETRY_BASE, cap=settings.FACTDESK_FETCH_RETRY_CAP)


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _snapshot_id(result: FetchResult, readable: Readable) -> int:
    """The archived copy of ``result``'s body: the existing one if the same content was seen before."""
    if readable.snapshot_id is not None:
        return readable.snapshot_id
    # One statement, race-safe: insert, or on the same content archived a moment ago by another
    # worker, touch nothing that matters and return its id.
    (snapshot,) = Snapshot.objects.bulk_create(
        [
            Snapshot(
                content_hash=result.content_hash,
                content_type=result.content_type[:100],
                size=result.size,
                raw=zlib.compress(result.body, 6),
                title=readable.title[:500],
                text=readable.text,
                excerpt=_excerpt(readable.text),
                extraction_error=readable.error[:500],
                first_url=result.final_url[:MAX_URL],
            )
        ],
        update_conflicts=True,
        unique_fields=["content_hash"],
        update_fields=["content_hash"],
    )
    return snapshot.pk


SOURCE_FIELDS = [
    "lease_token", "lease_until", "snapshot", "status", "failure", "final_url", "fetched_at",
    "next_attempt_at", "updated_at",
]  # fmt: skip


def fetch_finish(*, lease: Lease, result: FetchResult, readable: Readable | None = None) -> float | None:
    """Record a fetch's outcome; the number of seconds after which to try again, or None.

    Nothing but the attempt's log is written when the lease is no longer this run's (it ran out and
    another run took the source over).
    """
    now = timezone.now()
    readable = readable or Readable()
    attempt = {
        "final_url": result.final_url[:MAX_URL],
        "hops": [{"url": hop.url, "status": hop.status} for hop in result.hops],
        "http_status": result.status,
        "content_type": result.content_type[:100],
        "size": result.size,
        "content_hash": result.content_hash,
        "duration_ms": result.duration_ms,
        "outcome": result.outcome,
        "error": result.error,
    }
    with transaction.atomic():
        # The claim changes with its source (an updated_since sync sees it).  Its row is locked
        # before the source's, in the order every review takes them (claim, then its sources).
        _touch(lease.claim_id, at=now)
        source = Source.objects.select_for_update().filter(pk=lease.source_id).first()
        if source is None or source.lease_token != lease.token:
            attempt["outcome"] = FetchAttempt.Outcome.INTERRUPTED
            attempt["error"] = (result.error + " " if result.error else "") + (
                "Finished after its lease ran out; another attempt took over."
            )
            FetchAttempt.objects.filter(token=lease.token).update(**attempt)
            return None
        source.lease_token = source.lease_until = None
        delay = None
        if result.outcome == "ok":
            refetched = source.snapshot_id is not None
            source.snapshot_id, source.status, source.failure = _snapshot_id(result, readable), "fetched", ""
            source.final_url, source.fetched_at, source.next_attempt_at = (
                result.final_url[:MAX_URL],
                now,
                None,
            )
            if readable.error and not readable.text:
                source.status = FetchStatus.FAILED
                source.failure = f"Fetched and archived, but no readable text: {readable.error}"
            if refetched:
                source.passages.all().delete()
            Passage.objects.bulk_create(
                Passage(
                    source=source,
                    rank=rank,
                    start=found.start,
                    end=found.end,
                    text=found.text,
                    score=found.score,
                    relevance=found.relevance,
                    terms=[list(term) for term in found.terms],
                )
                for rank, found in enumerate(readable.passages[:PASSAGES_PER_SOURCE])
            )
        elif result.outcome == "transient" and source.tries < settings.FACTDESK_FETCH_MAX_ATTEMPTS:
            delay = retry_delay(source.tries, result.retry_after)
            source.status, source.failure = FetchStatus.PENDING, f"Will try again: {result.error}"
            source.next_attempt_at = now + timedelta(seconds=delay)
        else:
            source.status, source.next_attempt_at = FetchStatus.FAILED, None
            source.failure = (
                f"Gave up after {source.tries} attempts: {result.error}"
                if result.outcome == "transient"
                else result.error
            )
        source.save(update_fields=SOURCE_FIELDS)
        FetchAttempt.objects.filter(token=lease.token).update(**attempt)
        source_fetched_emit(
            source=source, claim={"newsroom_id": lease.newsroom_id, "article_id": lease.article_id}
        )
    return delay


def stale_source_ids(*, limit: int = 500) -> list[int]:
    """Sources whose fetch should be running and is not: queued messages lost, workers gone.

    Pending sources whose next attempt is overdue by half of ``FACTDESK_FETCH_REQUEUE_AFTER_SECONDS``,
    or added longer ago than that with no attempt due, and sources whose fetch lease ran out.  The
    sweeper queues them again; a fetch that is in fact under way is not disturbed (``fetch_begin``
    sees its live lease).
    """
    now = timezone.now()
    after = timedelta(seconds=settings.FACTDESK_FETCH_REQUEUE_AFTER_SECONDS)
    waiting = Q(status=FetchStatus.PENDING) & (
        Q(next_attempt_at__lt=now - after / 2) | Q(next_attempt_at__isnull=True, updated_at__lt=now - after)
    )
    expired = Q(status=FetchStatus.FETCHING, lease_until__lt=now)
    return list(
        Source.objects.filter(waiting | expired)
        .exclude(claim__status=ClaimStatus.SUPERSEDED)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )


__all__ = [
    "Busy",
    "Found",
    "Lease",
    "Readable",
    "cited_links",
    "cited_sources",
    "fetch_begin",
    "fetch_finish",
    "fetch_policy",
    "fetcher",
    "lease_seconds",
    "retry_delay",
    "search_provider_errors",
    "search_provider_save",
    "searches_overdue",
    "source_add",
    "source_refetch",
    "sources_after_analysis",
    "sources_found",
    "stale_source_ids",
]
