"""The words of one sentence with absolute offsets, and how a name is told from a common word."""

from __future__ import annotations

import re
from functools import lru_cache

from factcheck.analysis.attribution.vocabulary import (
    _COMMON_MODIFIERS,
    _COMMON_SUFFIXES,
    _LEMMA,
    _NOT_NAMES,
    _PLACES_OF_TWO,
    _POSSESSIVE_ENDINGS,
    _QUANTIFIERS,
    _TITLES,
    _TOKEN_RE,
)

# Tokens after which a word starts a sentence-like stretch (so its capital says nothing).
_OPENERS = frozenset({'"', "\u201c", "\u2018", "'", ":", "(", "\u2014", "\u2013", "-", "\u00ab"})


class _Tokens:
    """The words and punctuation of one sentence, with absolute offsets."""

    __slots__ = ("ends", "first", "lows", "n", "starts", "text", "words")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.words: list[str] = _TOKEN_RE.findall(text, start, end)
        self.starts: list[int] = []
        self.ends: list[int] = []
        # Only white space stands between tokens, so each token is the next occurrence of its text.
        pos = start
        find = text.find
        for word in self.words:
            pos = find(word, pos)
            self.starts.append(pos)
            pos += len(word)
            self.ends.append(pos)
        # One call to lower() for the sentence; no token holds a line break, nor does lower() make one.
        self.lows: list[str] = "\n".join(self.words).lower().split("\n") if self.words else []
        self.n = len(self.words)
        # The index of the first word of the sentence (after opening quotes and brackets).
        first = 0
        while first < self.n and not self.words[first][0].isalnum():
            first += 1
        self.first = first

    def word(self, i: int) -> str:
        return self.lows[i] if 0 <= i < self.n else ""

    def is_word(self, i: int) -> bool:
        return 0 <= i < self.n and self.words[i][0].isalnum()

    def capitalised(self, i: int) -> bool:
        """A capital first letter, or a capital inside a word that starts in lower case: "comScore",
        "eBay" (a brand's spelling, a name all the same; not "pro-Israel", a common word)."""
        if not 0 <= i < self.n:
            return False
        word = self.words[i]
        return word[0].isupper() or (
            word[0].islower() and "-" not in word and any(c.isupper() for c in word[1:])
        )

    def sentence_initial(self, i: int) -> bool:
        """True at the first word of the sentence, or of a quotation or clause after a colon."""
        if i == self.first:
            return True
        return i > 0 and self.words[i - 1] in _OPENERS


def _is_name_token(t: _Tokens, i: int) -> bool:
    """A capitalised word that names someone or something (not a demonym, a place or a common word)."""
    if not t.capitalised(i):
        return False
    low = t.lows[i]
    bare = low[:-2] if low.endswith(_POSSESSIVE_ENDINGS) else low.rstrip("'\u2019")
    if bare in _NOT_NAMES or low in _NOT_NAMES:
        # "National Audit Office", "European Central Bank" are names; "Western diplomats" is not.
        nxt = t.word(i + 1)
        return (
            t.capitalised(i + 1)
            and nxt not in _LEMMA
            and nxt not in _NOT_NAMES
            and (bare, nxt) not in _PLACES_OF_TWO
            and (t.word(i - 1), bare) not in _PLACES_OF_TWO
        )
    if not t.sentence_initial(i):
        return True
    word = t.words[i]
    if low.endswith(_POSSESSIVE_ENDINGS) or any(c.isupper() or c.isdigit() for c in word[1:]):
        return True
    if t.capitalised(i + 1) and t.lows[i + 1] not in _LEMMA and t.lows[i + 1] not in _NOT_NAMES:
        return True
    if bare in _COMMON_MODIFIERS or bare in _LEMMA or bare in _QUANTIFIERS:
        return False
    if t.is_word(i + 1) and not t.capitalised(i + 1) and t.lows[i + 2 : i + 3] and t.lows[i + 2] in _LEMMA:
        return False  # a compound of common words opens the sentence: "Law enforcement officials"
    if bare in _lower_case_words(t.text):
        return False  # the text writes it in lower case elsewhere: "Budget analysts", "Protest groups"
    return not bare.endswith(_COMMON_SUFFIXES)


def _person_name_at(t: _Tokens, i: int) -> bool:
    """A person's name starts at ``i``: "Jane Roe", "Dr. Jane Roe", "Sen. Lisa Murkowski"."""
    j = i
    if t.word(j) in _TITLES and t.capitalised(j):
        j += 1
        if t.word(j) == ".":
            j += 1
    if not (t.capitalised(j) and t.capitalised(j + 1)):
        return j > i and t.capitalised(j)
    return t.lows[j] not in _NOT_NAMES and t.lows[j] not in _LEMMA


_LOWER_WORD_RE = re.compile(r"(?<![\w'\u2019.-])[a-z][a-z-]*[a-z](?![\w'\u2019-])")


@lru_cache(maxsize=8)
def _lower_case_words(text: str) -> frozenset[str]:
    """The words that the text (an article, or one sentence) writes in lower case somewhere."""
    return frozenset(_LOWER_WORD_RE.findall(text))
