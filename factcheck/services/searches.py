"""Search providers: a newsroom's settings of them, asking them about a claim and attaching what
they find, and finding the searches whose task was lost."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from factcheck.destinations import checked_url
from factcheck.models import Claim, SearchProvider
from factcheck.overdue import Overdue, requeue_overdue
from factcheck.providers import SEARCH_DETAILS, ProviderFailed, search
from factcheck.services.sources import (
    NO_FOLLOW_UPS,
    FollowUps,
    fetches_owed,
    search_requeue_after,
    sources_found,
)
from factcheck.workflow import ClaimStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Searched:
    """What a search for a claim's sources leaves to its task: the providers to ask again
    (``retry_provider_ids``), and the fetches of the sources it attached (``follow_ups``)."""

    retry_provider_ids: list[int]
    follow_ups: FollowUps = NO_FOLLOW_UPS


def claim_sources_search(*, claim_id: int, only: list[int] | None = None, last_try: bool = True) -> Searched:
    """Ask the claim's newsroom's search providers (those of ``only``, by id, if given) about it, and
    attach what they find (idempotent: attaching twice adds nothing).

    Returns the ids of the providers to ask again: those that failed for a while (timeout, 5xx,
    429), and the fetches owed for the sources attached.  A provider that fails for good (bad
    configuration, 4xx) is logged and skipped.  The claim is marked searched unless some provider is
    to be asked again and this is not the ``last_try``.
    """
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None or claim.status == ClaimStatus.SUPERSEDED:
        return Searched(retry_provider_ids=[])
    providers = SearchProvider.objects.filter(
        newsroom_id=claim.newsroom_id, enabled=True, min_checkworthiness__lte=claim.checkworthiness
    )
    if only is not None:
        providers = providers.filter(pk__in=only)
    retry_for: list[int] = []
    follow_ups = NO_FOLLOW_UPS
    for provider in providers:
        try:
            found = search(provider, claim)
        except ProviderFailed as failure:
            log = logger.warning if failure.transient else logger.error
            log("search provider %r failed for claim %s: %s", provider.name, claim_id, failure.reason)
            if failure.transient:
                retry_for.append(provider.pk)
            continue
        follow_ups += fetches_owed(sources_found(claim_id=claim_id, found=found))
    if not retry_for or last_try:
        Claim.objects.filter(pk=claim_id).update(sources_searched_at=timezone.now())
    return Searched(retry_provider_ids=retry_for, follow_ups=follow_ups)


def searches_overdue(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """The claims whose search for sources was queued and has not finished in time (the message was
    lost, or the worker died), oldest due first, at most ``limit``.  Each gets its next due time, as
    far ahead as the claim has already waited; the caller queues them.  A search that runs twice
    attaches nothing twice."""
    return requeue_overdue(
        Claim.objects.filter(sources_searched_at__isnull=True).exclude(status=ClaimStatus.SUPERSEDED),
        Overdue(due="sources_search_due_at", pause=search_requeue_after(), waited_since="created_at"),
        now=now or timezone.now(),
        limit=limit,
    )


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
