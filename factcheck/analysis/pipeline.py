"""The whole analysis of one article: blocks, sentences, claims, kinds, scores, flags.

The ``analyze`` command, the stateless ``/api/v1/analyze`` preview and the Celery pipeline that
stores claims all call :func:`analyze`, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from factcheck.analysis import checkworthiness, kinds
from factcheck.analysis.attribution import Policy, article_context, find_flags
from factcheck.analysis.blocks import HtmlRejected, html_has_text, parse, sentence_furniture
from factcheck.analysis.sentences import split_spans
from factcheck.analysis.types import Analysis, Block, BlockKind, Claim, Document, Excluded

FORMATS = ("text", "html")
# The largest HTML page accepted, in characters of markup: whole pages of news sites run to several MB
# of scripts, styles and menus around a few kB of article.  The article limit (``max_chars``) applies
# to the text that the page yields.
MAX_HTML_CHARS = 12_000_000  # over 10 MB (10,485,760 bytes) of ASCII markup


# A sentence of a paragraph this short is tested on its own for furniture (a promo, a copyright line).
MAX_FURNITURE_SENTENCE = 250

NO_TEXT = "The article has no text once its markup is removed: there is nothing to check."


@dataclass(frozen=True, slots=True)
class Overrides:
    """An editor's corrections, as folded texts (see :func:`fold`).

    ``claims``: blocks the analysis would keep out that are claims; ``excluded``: sentences the
    analysis would take for claims that are furniture.
    """

    claims: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()


NO_OVERRIDES = Overrides()
EDITOR_EXCLUDED = "kept out by an editor"


def fold(text: str) -> str:
    """``text`` with runs of white space folded to one space and the ends trimmed."""
    return " ".join(text.split())


class InputRejected(ValueError):
    """The article cannot be analysed as submitted; the message says why, for the person who sent it."""


def check_input(body: object, *, fmt: str = "text", max_chars: int | None = None) -> str:
    """Refuse what cannot be analysed, with a message a newsroom engineer can act on.

    It refuses what :func:`analyze` would, without parsing the article: an HTML page is read by lxml
    and its text measured, and its blocks are built once, by the analysis.
    """
    _check_raw(body, fmt=fmt, max_chars=max_chars)
    if fmt == "html":
        try:
            has_text = html_has_text(body, max_text_chars=max_chars)
        except HtmlRejected as exc:
            raise InputRejected(str(exc)) from None
        if not has_text:
            raise InputRejected(NO_TEXT)
    return body


def _parse(body: str, fmt: str, max_chars: int | None) -> Document:
    """The parsed body; refused if it has no text, or (HTML) is unreadable or has too much text."""
    try:
        document = parse(body, fmt, max_text_chars=max_chars)
    except HtmlRejected as exc:
        raise InputRejected(str(exc)) from None
    if not document.text.strip():
        raise InputRejected(NO_TEXT)
    return document


def _check_raw(body: object, *, fmt: str, max_chars: int | None) -> None:
    if fmt not in FORMATS:
        raise InputRejected(f"Unknown body format {fmt!r}: use one of {', '.join(FORMATS)}.")
    if not isinstance(body, str):
        raise InputRejected("The article body must be text.")
    if not body.strip():
        raise InputRejected("The article is empty: there is nothing to check.")
    # The article limit applies to the text: of a plain-text body here, of an HTML page by the parser.
    limit, what = (MAX_HTML_CHARS, "HTML page") if fmt == "html" else (max_chars, "article")
    if limit is not None and len(body) > limit:
        raise InputRejected(
            f"The {what} is {len(body):,} characters long; the limit is {limit:,} characters."
        )


def analyze(
    body: str,
    *,
    fmt: str = "text",
    max_chars: int | None = None,
    policy: Policy | None = None,
    overrides: Overrides = NO_OVERRIDES,
    max_claims: int | None = None,
) -> Analysis:
    """Split an article into claims and the furniture kept out of them.

    Each claim carries the vague or uncredited attributions found in it, under the newsroom's
    ``policy`` (the default policy when None); the whole article is read once first, so that a bare
    "analysts say" can point at the analysts it names elsewhere.  ``overrides`` applies an editor's
    corrections of what is a claim.  More than ``max_claims`` claims is refused before any is scored.
    """
    _check_raw(body, fmt=fmt, max_chars=max_chars)
    document = _parse(body, fmt, max_chars)
    text = document.text
    claims: list[Claim] = []
    excluded: list[Excluded] = []
    paragraph = 0
    blocks = [_corrected(block, text, overrides) for block in document.blocks]
    sentence_spans = {
        block: split_spans(text, block.start, block.end) for block in blocks if block.kind.is_content
    }
    if max_claims is not None:
        _check_claims(text, sentence_spans.values(), overrides, max_claims)
    context = article_context(
        text, [span for spans in sentence_spans.values() for span in spans], policy=policy
    )
    links = [(link.start, link.end) for link in document.links]
    flag_options = {"context": context, "links": links} | ({"policy": policy} if policy is not None else {})
    for block in blocks:
        if not block.kind.is_content:
            excluded.append(Excluded(text[block.start : block.end], block.start, block.end, block.reason))
            continue
        in_quotation = block.kind is BlockKind.QUOTATION
        for start, end in sentence_spans[block]:
            sentence = text[start:end]
            if overrides.excluded and fold(sentence) in overrides.excluded:
                excluded.append(Excluded(sentence, start, end, EDITOR_EXCLUDED))
                continue
            reason = sentence_furniture(sentence) if end - start <= MAX_FURNITURE_SENTENCE else None
            if reason is not None and not (overrides.claims and fold(sentence) in overrides.claims):
                excluded.append(Excluded(sentence, start, end, reason))
                continue
            score, reasons = checkworthiness.score(sentence)
            claims.append(
                Claim(
                    index=len(claims),
                    text=sentence,
                    start=start,
                    end=end,
                    paragraph=paragraph,
                    kind=kinds.classify(sentence, in_quotation=in_quotation),
                    checkworthiness=round(score, 4),
                    reasons=reasons,
                    flags=find_flags(text, start, end, **flag_options),
                )
            )
        paragraph += 1
    return Analysis(text=text, claims=tuple(claims), excluded=tuple(excluded), links=document.links)


def _check_claims(text: str, spans, overrides: Overrides, max_claims: int) -> None:
    found = sum(
        1
        for block_spans in spans
        for start, end in block_spans
        if not overrides.excluded or fold(text[start:end]) not in overrides.excluded
    )
    if found > max_claims:
        raise InputRejected(
            f"The article has {found:,} sentences to check; the limit is {max_claims:,} claims per "
            "article. Split it into several articles."
        )


def _corrected(block: Block, text: str, overrides: Overrides) -> Block:
    """The block as an editor has it: a kept-out block they made a claim reads as a paragraph."""
    if (
        block.kind.is_content
        or not overrides.claims
        or fold(text[block.start : block.end]) not in overrides.claims
    ):
        return block
    return replace(block, kind=BlockKind.PARAGRAPH, reason="")
