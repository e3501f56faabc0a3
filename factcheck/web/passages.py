"""The passages of a source that best match a claim.

The text is cut into sentences (``factcheck.analysis.sentences``); every run of one to three
consecutive sentences (at most about 1,000 characters) is a candidate passage.  Candidates are ranked
with BM25 (``rank_bm25``) against the claim's content words, and the best ones that do not overlap
are returned, best first, each with the offsets of the words that matched so that the admin and the
API can highlight them.  BM25's length normalisation keeps passages short: a sentence joins a passage
only when the claim words it brings outweigh the length it adds, so a passage never starts or ends
with a sentence that matches nothing (the same passage without it scores higher).

Words are compared after a light normalisation applied alike to the claim and to the text: lower
case, stop words out, possessives and plurals folded (council's, councils -> council; cities -> city),
and numbers written as one canonical value, so that "4.2 million", "4.2m" and "4,200,000" match, and
so do "1,200" and "1200", "20%" and "20 per cent".

BM25 uses Lucene's IDF, ``log(1 + (N - n + 0.5) / (n + 0.5))``, which is never negative: the Okapi
IDF of ``rank_bm25`` turns negative for a word found in more than half of the candidates, which in a
short text would rank a passage lower for containing the claim's words.

``relevance`` is a passage's score relative to the score it would have if it contained every content
word of the claim once (capped at 1): 1 means "every word of the claim is here", whatever the length
of the passage; a missing word costs in proportion to its IDF (a claim word the text never uses
counts as a rare one).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from rank_bm25 import BM25Okapi

from factcheck.analysis.sentences import split_spans

__all__ = ["Passage", "best_passages", "content_terms"]

WINDOW_SENTENCES = 3
WINDOW_CHARS = 1000
_LONG_SENTENCE = 600  # sentences longer than this are cut at white space into pieces of about this size


@dataclass
class Passage:
    """``text[start:end]`` of the source text, its BM25 ``score``, its ``relevance`` (0-1) and the
    ``(start, end)`` offsets, relative to the passage, of the words that match the claim."""

    start: int
    end: int
    text: str
    score: float
    relevance: float
    terms: list[tuple[int, int]] = field(default_factory=list)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP_WORDS = _words(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he her here
    hers herself him himself his how i if in into is isn't it its itself just let me more most mustn't
    my myself no nor not now of off on once only or other ought our ours ourselves out over own per
    said same say says she should shouldn't so some such than that the their theirs them themselves
    then there these they this those through to too under until up upon us very was wasn't we were
    weren't what when where which while who whom whose why will with won't would wouldn't you your
    yours yourself yourselves according"""
)
_STOP_WORDS = _STOP_WORDS | {word.replace("'", "") for word in _STOP_WORDS}

_MULTIPLIERS = {
    "thousand": 3,
    "k": 3,
    "million": 6,
    "millions": 6,
    "mn": 6,
    "mln": 6,
    "m": 6,
    "billion": 9,
    "billions": 9,
    "bn": 9,
    "b": 9,
    "trillion": 12,
    "trillions": 12,
    "tn": 12,
    "trn": 12,
}

_TOKEN = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    # a multiplier: spelled out after an optional space, or abbreviated right after the number
    r"(?:\s?(?P<word>thousand|millions?|billions?|trillions?)\b"
    r"|(?P<short>k|mn|mln|m|bn|b|tn|trn)\b"
    r"|(?:st|nd|rd|th)\b)?"
    r"|(?P<percent>%|per\s?cent\b|pct\b)"
    r"|(?P<alpha>[^\W\d_]+(?:['\u2019][^\W\d_]+)*)",
    re.IGNORECASE,
)


class _Token(NamedTuple):
    start: int
    end: int
    term: str


def _number(digits: str, exponent: int) -> str:
    try:
        value = Decimal(digits.replace(",", "")).scaleb(exponent).normalize()
    except InvalidOperation:
        return digits
    return format(value, "f")


def _fold(word: str) -> str:
    """A word without its possessive or plural ending (the same crude rules for claim and text).
    ``word`` is already lower case with straight apostrophes (``_word_term`` makes it so)."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith(("xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """The content words and numbers of ``text[start:end]`` with their offsets in ``text`` (stop
    words left out).  A token never reaches past ``end``: "per" at the end of one sentence and
    "cent" at the start of the next are two words, not a percent sign."""
    tokens = []
    for match in _TOKEN.finditer(text, start, len(text) if end is None else end):
        if match["number"] is not None:
            multiplier = match["word"] or match["short"]
            exponent = _MULTIPLIERS[multiplier.lower()] if multiplier else 0
            term = _number(match["number"], exponent)
        elif match["percent"] is not None:
            term = "percent"
        else:
            term = _word_term(match["alpha"])
            if term is None:
                continue
        tokens.append(_Token(match.start(), match.end(), term))
    return tokens


@functools.lru_cache(maxsize=100_000)
def _word_term(word: str) -> str | None:
    """The term a word counts as, or None for a stop word (cached: texts repeat their words)."""
    word = word.lower().replace("\u2019", "'")
    if word in _STOP_WORDS or word.replace("'", "") in _STOP_WORDS:
        return None
    term = _fold(word)
    return None if not term or term in _STOP_WORDS else term


def content_terms(claim: str) -> list[str]:
    """The normalised content words of ``claim``, each once, in order: the BM25 query."""
    seen: dict[str, None] = {}
    for token in _tokens(claim):
        seen.setdefault(token.term)
    return list(seen)


def _units(text: str) -> list[tuple[int, int]]:
    """Sentence spans, with overlong sentences cut at white space into pieces."""
    units = []
    for start, end in split_spans(text):
        while end - start > _LONG_SENTENCE:
            cut = text.rfind(" ", start + _LONG_SENTENCE // 2, start + _LONG_SENTENCE)
            if cut <= start:
                cut = start + _LONG_SENTENCE
            piece_end = cut
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            units.append((start, piece_end))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            units.append((start, end))
    return units


class _BM25(BM25Okapi):
    """rank_bm25's Okapi BM25 with Lucene's IDF, which is never negative."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


def best_passages(claim: str, text: str, *, limit: int = 3) -> list[Passage]:
    """The ``limit`` passages of ``text`` that best match ``claim``, best first, not overlapping.

    Passages with none of the claim's content words are never returned; an empty text, or a claim
    with no content words, gives an empty list.  ``text[p.start:p.end] == p.text`` always.
    """
    query = content_terms(claim)
    if not query or not text.strip() or limit < 1:
        return []
    wanted = set(query)
    units = _units(text)
    # Each sentence is tokenised on its own, so that no token straddles two passages.
    per_unit = [_tokens(text, start, end) for start, end in units]
    windows: list[tuple[int, int]] = []  # (first unit, last unit + 1)
    for first in range(len(units)):
        windows.append((first, first + 1))
        last = first + 1
        while (
            last < len(units)
            and last - first < WINDOW_SENTENCES
            and units[last][1] - units[first][0] <= WINDOW_CHARS
        ):
            last += 1
            windows.append((first, last))
    # Words that are not in the claim matter to BM25 only through the length of the passage, so
    # they all become one placeholder: the index stays small however long the text.
    documents = [
        [token.term if token.term in wanted else "" for unit in range(a, b) for token in per_unit[unit]]
        for a, b in windows
    ]
    if not any(term for document in documents for term in document):
        return []
    index = _BM25(documents)
    scores = index.get_scores(query)
    missing = math.log(1 + (len(documents) + 0.5) / 0.5)  # the IDF of a word found nowhere
    weight = sum(index.idf.get(term, missing) for term in query)
    ranked = sorted(
        (i for i, document in enumerate(documents) if any(document)),
        key=lambda i: (-scores[i], windows[i][0]),
    )
    taken: list[tuple[int, int]] = []
    passages = []
    for i in ranked:
        first, last = windows[i]
        if any(first < b and a < last for a, b in taken):
            continue
        taken.append((first, last))
        start, end = units[first][0], units[last - 1][1]
        terms = [
            (token.start - start, token.end - start)
            for unit in range(first, last)
            for token in per_unit[unit]
            if token.term in wanted
        ]
        score = float(scores[i])
        # What this passage would score with every word of the claim in it once.
        norm = index.k1 * (1 - index.b + index.b * index.doc_len[i] / index.avgdl)
        ideal = weight * (index.k1 + 1) / (1 + norm)
        passages.append(
            Passage(
                start=start,
                end=end,
                text=text[start:end],
                score=round(score, 4),
                relevance=round(min(1.0, score / ideal), 4) if ideal > 0 else 0.0,
                terms=terms,
            )
        )
        if len(passages) == limit:
            break
    return passages
