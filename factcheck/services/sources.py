"""Sources behind claims: an editor's, the links an article cites, and what searches find.

Each is attached once per claim and address, as a pending source that a worker fetches
(``factcheck.services.fetching``).  What an editor adds is queued once the request's transaction
commits; what a worker's service attaches comes back to its task as ``FollowUps``, which the task
queues (``factcheck.queue``).  Either way the pending row is the record, and a sweep queues again a
fetch whose message was lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from factcheck.actors import Actor
from factcheck.citations import Found, cited_links
from factcheck.destinations import checked_url
from factcheck.locks import claim_with_article_locked
from factcheck.models import (
    ActorKind,
    AuditAction,
    Claim,
    FetchStatus,
    SearchProvider,
    Source,
    SourceOrigin,
)
from factcheck.queue import publish_on_commit
from factcheck.workflow import ClaimStatus
from httpapi.errors import Forbidden


def claim_touch(claim_id: int, *, at: datetime | None = None) -> None:
    """Mark the claim changed (``at``, or now): its sources are part of it for an API client syncing
    by updated_since."""
    Claim.objects.filter(pk=claim_id).update(updated_at=at or timezone.now())


@dataclass(frozen=True)
class FollowUps:
    """Work a service run by a worker leaves for its task to queue once the service has committed:
    the sources to fetch, and the claims to search sources for.  Each is stored before it is
    returned (a pending source, a claim's ``sources_search_due_at``), so that a sweep queues it
    again if the task never does."""

    fetch_source_ids: tuple[int, ...] = ()
    search_claim_ids: tuple[int, ...] = ()

    def __add__(self, other: FollowUps) -> FollowUps:
        return FollowUps(
            fetch_source_ids=self.fetch_source_ids + other.fetch_source_ids,
            search_claim_ids=self.search_claim_ids + other.search_claim_ids,
        )


NO_FOLLOW_UPS = FollowUps()


def fetches_owed(sources: Iterable[Source]) -> FollowUps:
    """The fetches to queue for newly attached ``sources``: the pending ones, unless fetching on add
    is off (``FACTDESK_FETCH_ON_ADD``)."""
    if not settings.FACTDESK_FETCH_ON_ADD:
        return NO_FOLLOW_UPS
    return FollowUps(fetch_source_ids=tuple(s.pk for s in sources if s.status == FetchStatus.PENDING))


def follow_ups_queue_on_commit(follow_ups: FollowUps) -> None:
    """Queue ``follow_ups`` once the current transaction commits: for code serving a request that
    calls a service written for workers (an editor's correction of an analysis)."""
    publish_on_commit("factcheck.fetch_source", follow_ups.fetch_source_ids)
    publish_on_commit("factcheck.search_sources", follow_ups.search_claim_ids)


def source_add(
    *, actor: Actor, claim_id: int, url: str = "", note: str = "", offline_note: str = ""
) -> Source:
    """Attach a source to a claim: a web page, which a worker fetches and archives, or an offline
    source (``offline_note``: a phone call, a document on file), which is not fetched.

    The address is refused (``ValidationError``) when it is not http(s) or when it points at a
    private, loopback or otherwise reserved address: the same check the fetch makes on every hop.
    An offline source may have no address; only a person (or their API key) adds one, with the note.
    """
    offline_note = (offline_note or "").strip()
    url = (url or "").strip()
    if not url and not offline_note:
        raise ValidationError(
            {"url": "Give the source's address, or describe an offline source in offline_note."}
        )
    if url:
        url = checked_url(url)
    _offline_allowed(actor, offline_note)
    with transaction.atomic():
        claim = claim_with_article_locked(claim_id)
        role, _ = actor.workflow_role(claim)
        if role is None:
            raise Forbidden("Only people of the claim's newsroom add its sources.")
        origin = SourceOrigin.API if actor.kind == ActorKind.API_KEY else SourceOrigin.EDITOR
        try:
            with transaction.atomic():
                source = Source(
                    claim=claim,
                    url=url,
                    note=(note or "").strip(),
                    offline_note=offline_note,
                    status=FetchStatus.OFFLINE if offline_note else FetchStatus.PENDING,
                    origin=origin,
                    actor_user=actor.user,
                    actor_name=actor.name,
                )
                source.save(force_insert=True)
        except IntegrityError:
            raise ValidationError({"url": "That source is already attached to this claim."}) from None
        actor.event(
            claim=claim,
            action=AuditAction.SOURCE_OFFLINE if offline_note else AuditAction.SOURCE_ADDED,
            from_status=claim.status,
            to_status=claim.status,
            note=f"{url} (offline: {offline_note})" if url and offline_note else url or offline_note,
        ).save()
        claim_touch(claim.pk)
        if not offline_note:
            follow_ups_queue_on_commit(fetches_owed([source]))
    return source


def _offline_allowed(actor: Actor, offline_note: str) -> None:
    if offline_note and actor.kind == ActorKind.SYSTEM:
        raise Forbidden("Only a person, or their API key, vouches for an offline source.")


def _source_locked(actor: Actor, source_id: int, refusal: str) -> tuple[Claim, Source]:
    """The source and its claim, locked in the documented order (claim with its article, then the
    source), once ``actor`` is found to work on the claim's newsroom (``Forbidden`` with ``refusal``
    otherwise).  Must run in a transaction."""
    claim_id = Source.objects.filter(pk=source_id).values_list("claim_id", flat=True).first()
    if claim_id is None:
        raise Source.DoesNotExist(f"No source {source_id}.")
    claim = claim_with_article_locked(claim_id)
    role, _ = actor.workflow_role(claim)
    if role is None:
        raise Forbidden(refusal)
    return claim, Source.objects.select_for_update().get(pk=source_id)


def source_mark_offline(*, actor: Actor, source_id: int, offline_note: str) -> Source:
    """Mark a source offline: a person vouches for it with a note saying what it is and where the
    record is kept (a phone call, a document on file), so that it can back a verdict without an
    archived copy.  Its fetch, if any is waiting, is not made."""
    offline_note = (offline_note or "").strip()
    if not offline_note:
        raise ValidationError(
            {"offline_note": "Say what the offline source is and where its record is kept."}
        )
    _offline_allowed(actor, offline_note)
    with transaction.atomic():
        claim, source = _source_locked(
            actor, source_id, "Only people of the claim's newsroom vouch for its sources."
        )
        if source.status == FetchStatus.MATCHED:
            raise ValidationError("An archive match is our own earlier verdict, not a source to vouch for.")
        source.status, source.offline_note = FetchStatus.OFFLINE, offline_note
        source.lease_token = source.lease_until = source.next_attempt_at = None
        source.save(
            update_fields=[
                "status",
                "offline_note",
                "lease_token",
                "lease_until",
                "next_attempt_at",
                "updated_at",
            ]
        )
        actor.event(
            claim=claim,
            action=AuditAction.SOURCE_OFFLINE,
            from_status=claim.status,
            to_status=claim.status,
            note=f"{source.url or 'Source'} (offline: {offline_note})",
        ).save()
        claim_touch(claim.pk)
    return source


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
    """Attach what was found to a claim, skipping addresses it already has; returns the sources it
    attached, whose fetches the caller owes (``fetches_owed``).

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
        claim_touch(claim.pk)
    return created


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


def sources_after_analysis(*, article, cited: dict[int, list[tuple[Found, str]]]) -> FollowUps:
    """After an article's claims are stored: attach the links they cite, and record the searches owed.

    Runs inside ``article_analyze``'s transaction; ``cited`` is ``cited_sources`` of the analysis
    stored (claims by index, which is their ``ordinal``).  Returns the fetches of the sources attached
    and the searches to queue after the commit: of the claims that are check-worthy enough for one of
    the newsroom's enabled search providers, and have not been searched yet.
    """
    live = list(
        Claim.objects.filter(article=article)
        .exclude(status=ClaimStatus.SUPERSEDED)
        .values_list("pk", "ordinal", "checkworthiness", "sources_searched_at")
    )
    attached: list[Source] = []
    for claim_id, ordinal, _, _ in live:
        if ordinal in cited:
            attached += _sources_attach(claim_id=claim_id, found=cited[ordinal])
    fetches = fetches_owed(attached)
    thresholds = list(
        SearchProvider.objects.filter(newsroom_id=article.newsroom_id, enabled=True).values_list(
            "min_checkworthiness", flat=True
        )
    )
    if not thresholds:
        return fetches
    lowest = min(thresholds)
    to_search = tuple(row[0] for row in live if row[3] is None and row[2] >= lowest)
    if to_search:
        # The claims record the search owed: the sweep queues it again if it is never queued.
        Claim.objects.filter(pk__in=to_search, sources_search_due_at__isnull=True).update(
            sources_search_due_at=timezone.now() + search_requeue_after()
        )
    return fetches + FollowUps(search_claim_ids=to_search)


def search_requeue_after() -> timedelta:
    """How long a queued search may take before its sweep queues it again."""
    return timedelta(seconds=settings.FACTDESK_SEARCH_REQUEUE_AFTER_SECONDS)


def source_refetch(*, actor: Actor, source_id: int) -> Source:
    """Fetch a source again (the page may have changed, or a failure may have been temporary)."""
    with transaction.atomic():
        claim, source = _source_locked(
            actor, source_id, "Only people of the claim's newsroom refetch its sources."
        )
        if source.status == FetchStatus.MATCHED:
            raise ValidationError("An archive match is our own earlier verdict: there is nothing to fetch.")
        if not source.url:
            raise ValidationError("An offline source without an address: there is nothing to fetch.")
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
        follow_ups_queue_on_commit(fetches_owed([source]))
    return source
