"""Asking a newsroom's search providers about a claim, and attaching what they find."""

from __future__ import annotations

import logging

from django.utils import timezone

from factcheck.models import Claim, SearchProvider
from factcheck.providers import ProviderFailed, search
from factcheck.services.sources import sources_found
from factcheck.workflow import ClaimStatus

logger = logging.getLogger(__name__)


def claim_sources_search(*, claim_id: int, only: list[int] | None = None, last_try: bool = True) -> list[int]:
    """Ask the claim's newsroom's search providers (those of ``only``, by id, if given) about it, and
    attach what they find (idempotent: attaching twice adds nothing).

    Returns the ids of the providers to ask again: those that failed for a while (timeout, 5xx,
    429).  One that fails for good (bad configuration, 4xx) is logged and skipped.  The claim is
    marked searched unless some provider is to be asked again and this is not the ``last_try``.
    """
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None or claim.status == ClaimStatus.SUPERSEDED:
        return []
    providers = SearchProvider.objects.filter(
        newsroom_id=claim.newsroom_id, enabled=True, min_checkworthiness__lte=claim.checkworthiness
    )
    if only is not None:
        providers = providers.filter(pk__in=only)
    retry_for: list[int] = []
    for provider in providers:
        try:
            found = search(provider, claim)
        except ProviderFailed as failure:
            log = logger.warning if failure.transient else logger.error
            log("search provider %r failed for claim %s: %s", provider.name, claim_id, failure.reason)
            if failure.transient:
                retry_for.append(provider.pk)
            continue
        sources_found(claim_id=claim_id, found=found)  # their fetches are queued after its commit
    if not retry_for or last_try:
        Claim.objects.filter(pk=claim_id).update(sources_searched_at=timezone.now())
    return retry_for
