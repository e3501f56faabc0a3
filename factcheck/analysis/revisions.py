"""How a sentence changed between two revisions of an article, and whether the change matters.

Three questions, asked of pairs of sentences (plain Python, nothing of Django):

- :func:`similarity` and :func:`match`: is a sentence of the new revision the same sentence as one of
  the old, up to small edits?  A measured similarity (``difflib``'s ratio over the folded text), not
  equality; ``SAME_SENTENCE`` is the threshold, measured on the pairs of
  ``tests/factcheck/analysis/test_revisions.py`` (``bench/revision_pairs.py`` prints the figures).
- :func:`compare`: could the change alter what was checked?  It does when a number, a name, a
  negation or the attribution changes (docs/revisions.md states the rule); anything else (spelling,
  punctuation, "per cent" for "percent", word order) is a style edit and a verdict carries over.
- :func:`credits`: does a rewritten sentence name the source a flagged one left vague, saying the
  same thing otherwise?  Then it answers the request for attribution.

What counts as a number, a negation or a verb of attribution is in the tables below, as data.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from factcheck.analysis.attribution.tokens import _is_name_token, _Tokens
from factcheck.analysis.attribution.vocabulary import _SPEECH_LEMMAS, _verb_forms

#: Two sentences at least this similar (0 to 1) are the same sentence, edited.  Measured on the pairs
#: of tests/factcheck/analysis/test_revisions.py (docs/revisions.md has the figures): style edits
#: score 0.86 and up, but parallel sentences of one article reach 0.84, so the threshold alone does
#: not keep them apart: what does is that every such pair differs in a number or a name, which sends
#: the claim back to review.
SAME_SENTENCE = 0.8

#: Two sentences are compared letter by letter only if they share at least this part of their words
#: (Dice coefficient): a cheap test that keeps matching fast on long articles.  Every small edit of
#: the test pairs shares 0.6 or more (bench/revision_pairs.py).
SHARED_WORDS = 0.5

#: A rewrite answers a request for attribution when it keeps at least this share of the flagged
#: sentence's content words (the words of the claim, not of its vague source).
SAME_CONTENT = 0.6

# --- The vocabulary, as tables -------------------------------------------------------------------

#: Words that negate, and the form each is counted as ("isn't" and "is not" are the same negation).
NEGATIONS: dict[str, str] = {
    "not": "not",
    "n't": "not",
    "no": "no",
    "never": "never",
    "none": "none",
    "nobody": "nobody",
    "nothing": "nothing",
    "neither": "neither",
    "nor": "nor",
    "without": "without",
    "cannot": "not",
    "nowhere": "nowhere",
}


def _split(words: str) -> list[str]:
    return words.split()


#: Number words and their values; compound words ("twenty-five") are summed.
_UNITS_AND_TEENS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen twenty"
)
NUMBER_WORDS: dict[str, float] = (
    {word: float(value) for value, word in enumerate(_split(_UNITS_AND_TEENS))}
    | {
        word: float(10 * (value + 3))
        for value, word in enumerate(_split("thirty forty fifty sixty seventy eighty ninety"))
    }
    | {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "tenth": 0.1}
    | {"dozen": 12.0, "hundred": 100.0, "double": 2.0, "doubled": 2.0, "triple": 3.0, "tripled": 3.0}
)

#: Magnitudes, spelt out or abbreviated: "2 million", "2m" and "2,000,000" are one number.
MAGNITUDES: dict[str, float] = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}

#: Units that change what a number means, in their one spelling: "20 percent", "20 per cent" and
#: "20%" are one quantity; "20 percentage points" is another.
UNITS: dict[str, str] = {
    "%": "%",
    "percent": "%",
    "per cent": "%",
    "pc": "%",
    "percentage points": "points",
    "percentage point": "points",
    "points": "points",
    "point": "points",
}


def _speech_lemmas(spec: str) -> dict[str, str]:
    """Every form of the verbs of speech and cognition, mapped to the verb's first form."""
    out: dict[str, str] = {}
    for item in spec.replace("/\n", "/").split():
        lemma = item.split("/")[0]
        for form in _verb_forms(item):
            out.setdefault(form, lemma)
    return out


#: The verbs that introduce a source ("said", "told", "estimated"), as their lemma: "said" and "says"
#: are the same attribution; "said" and "claimed" are not.
ATTRIBUTION_VERBS: dict[str, str] = _speech_lemmas(_SPEECH_LEMMAS) | {"according": "according"}

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_UNIT_RE = r"(%|per\s+cent|percentage\s+points?|percent|pc\b|points?\b)"
_NUMBER_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*" + _UNIT_RE + r")?"
    r"(?:\s*(thousand|million|billion|trillion|k|m|mn|bn|tn)\b)?",
    re.IGNORECASE,
)
_ANY_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUMBER_WORD_RE = re.compile(
    rf"\b({_ANY_NUMBER_WORD})(?:-({_ANY_NUMBER_WORD}))?\b"
    r"(?:\s+(thousand|million|billion|trillion))?(?:\s*" + _UNIT_RE + r")?",
    re.IGNORECASE,
)
#: Words that carry no content of their own, left out when a rewrite's content is compared.
_STOP_WORDS = frozenset(
    _split(
        "a an the of in on at to for by with from and or but that this these those is are was were be been"
        " has have had it its as than which who whom whose their there they he she his her we our you your i"
    )
)


def fold(text: str) -> str:
    """The text as compared: case folded, quotes and dashes made plain, white space made single."""
    return _SPACE_RE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def similarity(old: str, new: str) -> float:
    """How alike two sentences are, from 0 to 1: ``difflib``'s ratio over their folded text."""
    a, b = fold(old), fold(new)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(old: Sequence[str], new: Sequence[str], *, threshold: float = SAME_SENTENCE) -> dict[int, int]:
    """Pair sentences of a new revision with the old sentences they edit: ``{new index: old index}``.

    Each sentence is paired at most once, the most similar pairs first (ties: the nearest in the
    article); pairs under ``threshold`` are not the same sentence.  Cheap tests skip most pairs before
    the real ratio is worked out: the lengths' bound, then ``SHARED_WORDS`` (an edit keeps most of
    the words), then ``difflib``'s quick ratios.
    """
    folded_old = [fold(text) for text in old]
    folded_new = [fold(text) for text in new]
    words_old = [set(_WORD_RE.findall(text)) for text in folded_old]
    scored: list[tuple[float, int, int, int]] = []
    for j, b in enumerate(folded_new):
        words = set(_WORD_RE.findall(b))
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(b)
        for i, a in enumerate(folded_old):
            if not a or not b or 2 * min(len(a), len(b)) / (len(a) + len(b)) < threshold:
                continue
            shared = words_old[i] & words
            if 2 * len(shared) / ((len(words_old[i]) + len(words)) or 1) < SHARED_WORDS:
                continue
            matcher.set_seq1(a)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                scored.append((-ratio, abs(i * len(new) - j * len(old)), j, i))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, _, j, i in sorted(scored):
        if j not in pairs and i not in taken:
            pairs[j] = i
            taken.add(i)
    return pairs


# --- What changed --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """What a revision changed in one sentence, by the rule's four questions.

    Each field lists what was removed and added, in words an editor reads (empty: no change).
    """

    similarity: float
    numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    negation: tuple[str, ...] = ()
    attribution: tuple[str, ...] = ()

    @property
    def material(self) -> bool:
        """Could the change alter what was checked?  (If not, it is a style edit.)"""
        return bool(self.numbers or self.names or self.negation or self.attribution)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the change is material, one line per question that says so."""
        out = []
        for label, items in (
            ("numbers", self.numbers),
            ("names", self.names),
            ("negation", self.negation),
            ("attribution", self.attribution),
        ):
            if items:
                out.append(f"{label} changed ({'; '.join(items)})")
        return tuple(out)


def _unit(raw: str | None) -> str:
    return UNITS.get(_SPACE_RE.sub(" ", raw.casefold()), "") if raw else ""


def _format(value: float, unit: str) -> str:
    shown = f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"
    return shown + (" " + unit if unit == "points" else unit)


def numbers(text: str) -> Counter[str]:
    """The quantities of a sentence, each as its value and unit: '20 per cent' and '20%' are '20%'."""
    found: Counter[str] = Counter()
    plain = text.translate(_QUOTES)
    for m in _NUMBER_RE.finditer(plain):
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        value *= MAGNITUDES.get((m.group(4) or "").casefold(), 1.0)
        found[_format(value, _unit(m.group(3)))] += 1
    for m in _NUMBER_WORD_RE.finditer(plain):
        value = NUMBER_WORDS[m.group(1).casefold()] + (
            NUMBER_WORDS[m.group(2).casefold()] if m.group(2) else 0
        )
        value *= MAGNITUDES.get((m.group(3) or "").casefold(), 1.0)
        if m.group(1).casefold() == "one" and not (m.group(3) or m.group(4)):
            continue  # "one of the", "no one": a pronoun more often than a count
        found[_format(value, _unit(m.group(4)))] += 1
    return found


def names(text: str, *, beside: str = "") -> Counter[str]:
    """The names a sentence mentions (capitalised words that name someone or something), case folded.

    ``beside``: the other version of the sentence, whose lower-case words tell a capitalised common
    word from a name ("Built in 1932, the bridge..." beside "The bridge, built in 1932, ...").
    """
    tokens = _Tokens(f"{text}\n{beside}", 0, len(text))
    return Counter(
        tokens.lows[i].removesuffix("'s").removesuffix("\u2019s")
        for i in range(tokens.n)
        if tokens.is_word(i) and _is_name_token(tokens, i) and tokens.lows[i] not in _STOP_WORDS
    )


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(fold(text))


def _words_but_numbers(text: str) -> list[str]:
    """The words of ``text`` outside its quantities ("points" of "percentage points" is no verb)."""
    return _words(_NUMBER_WORD_RE.sub(" ", _NUMBER_RE.sub(" ", text.translate(_QUOTES))))


def negations(text: str) -> Counter[str]:
    """The negations of a sentence, each in its one form ("isn't" counts as "not")."""
    found: Counter[str] = Counter()
    for word in _words_but_numbers(text):
        if word.endswith("n't"):
            found["not"] += 1
        elif word in NEGATIONS:
            found[NEGATIONS[word]] += 1
    return found


def attribution_verbs(text: str) -> Counter[str]:
    """The verbs of speech and cognition of a sentence, as lemmas ("said" and "says" are "say")."""
    return Counter(ATTRIBUTION_VERBS[word] for word in _words_but_numbers(text) if word in ATTRIBUTION_VERBS)


def _difference(old: Counter[str], new: Counter[str]) -> tuple[str, ...]:
    removed, added = sorted((old - new).elements()), sorted((new - old).elements())
    return tuple([f"{item} removed" for item in removed] + [f"{item} added" for item in added])


def compare(
    old: str,
    new: str,
    *,
    old_flags: Iterable[tuple[str, str]] = (),
    new_flags: Iterable[tuple[str, str]] = (),
) -> Change:
    """What changed from ``old`` to ``new`` (the same sentence in two revisions), by the four questions.

    ``old_flags`` and ``new_flags`` are each sentence's attribution flags as ``(kind, cue)``: a flag
    that appears or goes is a change of attribution, as is a verb of attribution that does.
    """
    flags_before = Counter(f"{kind}: {cue.casefold()}" for kind, cue in old_flags)
    flags_after = Counter(f"{kind}: {cue.casefold()}" for kind, cue in new_flags)
    return Change(
        similarity=round(similarity(old, new), 3),
        numbers=_difference(numbers(old), numbers(new)),
        names=_difference(names(old, beside=new), names(new, beside=old)),
        negation=_difference(negations(old), negations(new)),
        attribution=_difference(attribution_verbs(old), attribution_verbs(new))
        + _difference(flags_before, flags_after),
    )


def content_words(text: str, *, leaving_out: Iterable[str] = ()) -> set[str]:
    """The words that carry a sentence's content: not function words, not the words ``leaving_out``."""
    left_out = {word for phrase in leaving_out for word in _words(phrase)}
    return {
        word
        for word in _words(text)
        if word not in _STOP_WORDS and word not in left_out and word not in ATTRIBUTION_VERBS
    }


def credits(
    old: str, new: str, *, old_flags: Iterable[tuple[str, str]], new_flags: Iterable[tuple[str, str]]
) -> bool:
    """Does ``new`` rewrite the flagged sentence ``old`` to credit its source?

    It does when ``old`` had a flag, ``new`` has no flag of the same kind nor on the same words
    ("Critics say" rewritten as "Many critics say" is still vague), and ``new`` keeps at least
    ``SAME_CONTENT`` of ``old``'s content words (the claim's words, without the flags' cues).
    """
    old_flags, new_flags = list(old_flags), list(new_flags)
    if not old_flags or {kind for kind, _ in old_flags} & {kind for kind, _ in new_flags}:
        return False
    if {w for _, cue in old_flags for w in _words(cue)} & {w for _, cue in new_flags for w in _words(cue)}:
        return False
    before = content_words(old, leaving_out=[cue for _, cue in old_flags])
    if not before:
        return False
    return len(before & content_words(new)) / len(before) >= SAME_CONTENT


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Two texts' difference line by line, as ``(op, line)`` in order (op as in :func:`diff`)."""
    a, b = old.splitlines(), new.splitlines()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [("equal", line) for line in a[i1:i2]]
            continue
        if op in ("delete", "replace"):
            out += [("delete", line) for line in a[i1:i2]]
        if op in ("insert", "replace"):
            out += [("insert", line) for line in b[j1:j2]]
    return out


def unified_diff(old: str, new: str, *, older: str, newer: str) -> str:
    """Two texts' difference as a unified diff (three lines of context), as ``diff -u`` prints it."""
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=older, tofile=newer, lineterm="")
    )


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """The word-level difference of two sentences, as ``(op, text)`` pieces in order: op is
    ``"equal"``, ``"delete"`` (only in ``old``) or ``"insert"`` (only in ``new``)."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out
