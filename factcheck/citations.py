"""The links an article cites for each of its claims: pure, from the analysis's links and offsets."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from factcheck.destinations import MAX_URL
from factcheck.models import SourceOrigin


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
