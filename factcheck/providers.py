"""Search providers: where Factdesk looks for sources of a newsroom's check-worthy claims.

Two kinds ship (``SearchProvider.kind``):

- ``archive``: the newsroom's own earlier claims with a verdict whose wording matches the claim —
  the start of claim matching.  A match must share most of the claim's distinctive words (weighted
  by how rare each word is among the candidates), and matches are ranked by BM25.
- ``http_json``: any search API that answers JSON, described by a URL template (``{query}``,
  ``{secret}``) and dotted paths to the result list and to each result's fields.  Google Fact Check
  Tools' ``claims:search`` is the documented example (README).  The request goes through the same
  guarded fetcher as sources: a provider on a private address is refused.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from rank_bm25 import BM25Okapi

from factcheck.citations import Found
from factcheck.models import Claim, SearchProvider, SourceOrigin
from factcheck.services.fetcher import fetch_policy
from factcheck.services.fetcher import fetcher as shared_fetcher
from factcheck.web.fetch import Fetcher
from factcheck.web.passages import content_terms as words
from factcheck.workflow import VERDICTS

#: What an HTTP JSON search provider may say of a result besides its address (``fields``' keys).
SEARCH_DETAILS = ("title", "snippet", "rating", "publisher")

#: How many of the newsroom's latest verdicts the archive compares a claim with.
ARCHIVE_CANDIDATES = 5000
#: The share of a claim's distinctive words (by weight) an archive match must have.
ARCHIVE_MIN_OVERLAP = 0.6
#: Largest JSON answer read from a search API.
MAX_JSON_BYTES = 2_000_000


class ProviderFailed(Exception):
    """A provider could not answer.  ``transient``: worth asking again later."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason, self.transient = reason, transient


@dataclass(frozen=True)
class ArchiveMatch:
    claim_id: int
    score: float
    overlap: float


def archive_matches(claim_text: str, candidates: list[tuple[int, str]], *, limit: int) -> list[ArchiveMatch]:
    """The candidates (``(id, text)``) that match ``claim_text``, best first.

    Each word of the claim weighs its inverse document frequency among the candidates; a match
    must carry ``ARCHIVE_MIN_OVERLAP`` of the claim's total weight.
    """
    query = list(dict.fromkeys(words(claim_text)))
    if not query or not candidates:
        return []
    documents = [words(text) for _, text in candidates]
    count = len(documents)
    frequency: dict[str, int] = {}
    for document in documents:
        for word in set(document):
            frequency[word] = frequency.get(word, 0) + 1
    weight = {word: math.log(1 + (count + 1) / (frequency.get(word, 0) + 0.5)) for word in query}
    total = sum(weight.values())
    bm25 = BM25Okapi([document or [""] for document in documents])
    scores = bm25.get_scores(query)
    found = []
    for (claim_id, _), document, score in zip(candidates, documents, scores, strict=True):
        present = set(document)
        overlap = sum(weight[word] for word in query if word in present) / total
        if overlap >= ARCHIVE_MIN_OVERLAP:
            found.append(ArchiveMatch(claim_id=claim_id, score=float(score), overlap=overlap))
    found.sort(key=lambda match: (-match.score, -match.overlap, match.claim_id))
    return found[:limit]


def search_archive(provider: SearchProvider, claim: Claim) -> list[Found]:
    """Earlier claims of the newsroom, on other articles, with a verdict and the same wording."""
    rows = list(
        Claim.objects.filter(newsroom_id=claim.newsroom_id, status__in=list(VERDICTS))
        .exclude(article_id=claim.article_id)
        .order_by("-updated_at")
        .values_list("pk", "text")[:ARCHIVE_CANDIDATES]
    )
    matches = archive_matches(claim.text, rows, limit=provider.max_results)
    if not matches:
        return []
    earlier = Claim.objects.select_related("article").in_bulk([match.claim_id for match in matches])
    found = []
    for match in matches:
        other = earlier[match.claim_id]
        url = other.article.url or settings.SITE_URL + reverse(
            "admin:factcheck_reviewitem_change", args=[other.pk]
        )
        verdict = other.get_status_display()
        found.append(
            Found(
                url=url,
                origin=SourceOrigin.ARCHIVE,
                provider=provider.name,
                related_claim_id=other.pk,
                note=f"Earlier verdict: {verdict} — “{other.text}”",
                data={
                    "verdict": other.status,
                    "claim": other.text,
                    "article": other.article.title,
                    "overlap": round(match.overlap, 3),
                    "score": round(match.score, 3),
                },
            )
        )
    return found


def dotted(value, path: str):
    """The value at a dotted path (``claimReview.0.url``) in parsed JSON, or None."""
    if not path:
        return value
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _text(value, limit: int = 1000) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("site") or ""
    return str(value)[:limit] if value not in (None, "") else ""


def search_http_json(provider: SearchProvider, claim: Claim) -> list[Found]:
    """Ask a JSON search API about ``claim``; its results as sources to fetch."""
    if not provider.url_template or "url" not in (provider.fields or {}):
        raise ProviderFailed(
            "The provider has no URL template or no path to the result's url.", transient=False
        )
    url = provider.url_template.replace("{query}", quote(claim.text[:500], safe="")).replace(
        "{secret}", quote(provider.secret, safe="")
    )
    result = json_fetcher().fetch(url)
    if result.outcome != "ok":
        reason = result.error.replace(provider.secret, "…") if provider.secret else result.error
        raise ProviderFailed(reason, transient=result.outcome == "transient")
    try:
        data = json.loads(result.body.decode(result.charset or "utf-8"))
    except (UnicodeDecodeError, LookupError, json.JSONDecodeError) as error:
        raise ProviderFailed(f"The answer is not JSON ({error}).", transient=False) from None
    items = dotted(data, provider.results_path)
    if items is None:
        return []  # Google's API, for one, leaves the list out when nothing matched
    if not isinstance(items, list):
        raise ProviderFailed(f"{provider.results_path!r} is not a list in the answer.", transient=False)
    fields = provider.fields
    found = []
    for item in items:
        link = dotted(item, fields["url"])
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            continue
        details = {name: _text(dotted(item, fields[name])) for name in SEARCH_DETAILS if fields.get(name)}
        summary = " — ".join(part for part in (details.get("publisher"), details.get("rating")) if part)
        found.append(
            Found(
                url=link,
                origin=SourceOrigin.SEARCH,
                provider=provider.name,
                note=summary,
                data={key: value for key, value in details.items() if value},
            )
        )
        if len(found) >= provider.max_results:
            break
    return found


def json_fetcher() -> Fetcher:
    """A fetcher like the sources' one (same guard, timeouts and politeness) that takes JSON answers."""
    policy = fetch_policy()
    return shared_fetcher(
        replace(
            policy,
            allowed_types=("application/json", "text/json", "application/ld+json"),
            max_bytes=min(policy.max_bytes, MAX_JSON_BYTES),
        )
    )


def search(provider: SearchProvider, claim: Claim) -> list[Found]:
    """What ``provider`` finds for ``claim`` (raises ``ProviderFailed``)."""
    if provider.kind == SearchProvider.Kind.ARCHIVE:
        return search_archive(provider, claim)
    return search_http_json(provider, claim)
