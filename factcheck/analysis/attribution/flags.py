"""Flags from candidates: the newsroom's policy, links and allowed phrases, overlaps, the question asked,
and the article's own credits ("analysts at Moody's" earlier makes a later "analysts say" milder)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from factcheck.analysis.attribution.candidates import _candidates
from factcheck.analysis.attribution.kinds import (
    ANONYMOUS_EXPERTS,
    ANONYMOUS_OFFICIAL,
    BY_CODE,
    VAGUE_COLLECTIVE,
    VAGUE_QUANTITY,
)
from factcheck.analysis.attribution.patterns import _phrase_re
from factcheck.analysis.attribution.phrases import _Candidate
from factcheck.analysis.attribution.policy import DEFAULT_POLICY, Policy
from factcheck.analysis.attribution.quotes import quoted_spans
from factcheck.analysis.attribution.vocabulary import _PLURAL_MASS
from factcheck.analysis.types import Flag, Severity

_PEOPLE_KINDS = frozenset({ANONYMOUS_EXPERTS, ANONYMOUS_OFFICIAL, VAGUE_COLLECTIVE, VAGUE_QUANTITY})
_JOINED_RE = re.compile(r"\s+(?:and|or)\s+")
# "some of his supporters": the group after a flagged count is the same source.
_PARTITIVE_RE = re.compile(r"\s+of\s+(?:(?:the|these|those|his|her|their|its|our|[\w.-]+['\u2019]s)\s+)?")


@dataclass(frozen=True)
class ArticleContext:
    """What the whole article says about its sources, computed once by :func:`article_context`.

    ``mentions``: the groups the article credits somewhere ("analysts at Moody's"), by singular noun.
    The cues of each sentence are kept too, so that :func:`find_flags` does not read a sentence twice.
    """

    mentions: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=lambda: MappingProxyType({}))
    _text: str | None = field(default=None, repr=False, compare=False)
    _terms: tuple[str, ...] = field(default=(), repr=False, compare=False)
    _cues: Mapping[tuple[int, int], tuple[_Candidate, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )


def _message(c: _Candidate, cue: str) -> str:
    group = cue.lower() if cue[:1].isupper() and cue[1:2].islower() else cue
    kind = BY_CODE[c.kind]
    one = kind.question_one and c.noun == c.lemma and c.noun not in _PLURAL_MASS
    return (kind.question_one if one else kind.question).format(noun=c.noun, cue=cue, group=group)


def find_flags(
    text: str,
    start: int,
    end: int,
    *,
    policy: Policy = DEFAULT_POLICY,
    context: ArticleContext | None = None,
    links: Iterable[tuple[int, int]] = (),
) -> tuple[Flag, ...]:
    """The vague or uncredited attributions of the sentence text[start:end], with absolute offsets."""
    start, end, _ = slice(start, end).indices(len(text))
    if start >= end:
        return ()
    cached = None
    if context is not None and context._text is text and context._terms == policy.extra_vague_terms:
        cached = context._cues.get((start, end))
    found = cached if cached is not None else _candidates(text, start, end, policy)
    candidates = [c for c in found if not c.credited and c.kind in policy.enabled]
    if not candidates:
        return ()
    quoted = quoted_spans(text, start, end)
    if quoted:
        candidates = [c for c in candidates if not any(a <= c.start < b for a, b in quoted)]
        if not candidates:
            return ()
    link_ranges = [(a, b) for a, b in links if a < end and b > start]
    allowed = _phrase_re(policy.allowed_phrases)
    allowed_ranges = [m.span() for m in allowed.finditer(text, start, end)] if allowed is not None else []
    kept: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (BY_CODE[c.kind].priority, c.start)):
        lo, hi = min(c.start, c.np_start or c.start), max(c.end, c.np_end)
        if any(a < hi and b > lo for a, b in link_ranges):
            continue
        if any(a < c.end and b > c.start for a, b in allowed_ranges):
            continue
        if any(k.start < c.end and c.start < k.end for k in kept):
            continue
        kept.append(c)
    # One flag per source: "many donors and elected officials remain skeptical" is one group of two nouns,
    # "some of his supporters" one count of a group.
    kept = [c for c in kept if not _joined_to_flagged(text, c, kept)]
    # One anonymity flag per anonymous source: drop the phrase when the official is flagged already.
    if any(c.kind == ANONYMOUS_OFFICIAL and c.noun != "anonymity" for c in kept):
        kept = [c for c in kept if c.noun != "anonymity"]
    flags = []
    for c in sorted(kept, key=lambda c: c.start):
        cue = text[c.start : c.end]
        severity = policy.severity(c.kind)
        message = _message(c, cue)
        resolved = None
        if context is not None and c.kind in {ANONYMOUS_EXPERTS, VAGUE_COLLECTIVE}:
            resolved = _resolve(context, c.lemma, start, end)
            if resolved is not None:
                severity = Severity.LOW
                mention = " ".join(text[resolved[0] : resolved[1]].split())
                message = (
                    f"Possibly the {c.noun} named earlier (\u201c{mention}\u201d): say so here, "
                    f"or name them again."
                )
        flags.append(Flag(c.kind, cue, c.start, c.end, severity, message, resolved_by=resolved))
    return tuple(flags)


def _joined_to_flagged(text: str, c: _Candidate, kept: list[_Candidate]) -> bool:
    """The cue is the second of two group nouns joined by "and" or "or", the first flagged already, or
    the group of a flagged count ("some of his supporters")."""
    if c.kind not in _PEOPLE_KINDS:
        return False
    return any(
        k.kind in _PEOPLE_KINDS
        and k.end < c.start
        and (
            _JOINED_RE.fullmatch(text, k.end, c.start) is not None
            or (k.kind == VAGUE_QUANTITY and _PARTITIVE_RE.fullmatch(text, k.end, c.start) is not None)
        )
        for k in kept
    )


def _resolve(context: ArticleContext, lemma: str, start: int, end: int) -> tuple[int, int] | None:
    mentions = context.mentions.get(lemma)
    if not mentions:
        return None
    before = [m for m in mentions if m[1] <= start]
    if before:
        return before[-1]
    after = [m for m in mentions if m[0] >= end]
    return after[0] if after else None


def article_context(
    text: str, sentence_spans: Iterable[tuple[int, int]], *, policy: Policy | None = None
) -> ArticleContext:
    """The groups the article credits by name anywhere ("analysts at Moody's", "critics, including X")."""
    policy = policy or DEFAULT_POLICY
    mentions: dict[str, list[tuple[int, int]]] = {}
    cues: dict[tuple[int, int], tuple[_Candidate, ...]] = {}
    for start, end in sentence_spans:
        found = tuple(_candidates(text, start, end, policy))
        cues[(start, end)] = found
        for c in found:
            if c.credited and c.kind in {ANONYMOUS_EXPERTS, VAGUE_COLLECTIVE} and c.lemma:
                mentions.setdefault(c.lemma, []).append((c.np_start, c.np_end))
    return ArticleContext(
        mentions=MappingProxyType({k: tuple(sorted(set(v))) for k, v in mentions.items()}),
        _text=text,
        _terms=policy.extra_vague_terms,
        _cues=cues,
    )
