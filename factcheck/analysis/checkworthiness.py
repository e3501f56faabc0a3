"""Check-worthiness of a single sentence: a score in [0, 1] and reasons an editor can read.

The score is a linear model over lower-cased word unigrams and bigrams (digits folded to ``0``, so
"1,500" and "2,300" give the same tokens), the character n-grams of each word (the word padded with a
space either side, so " rise" and "ing " are features: they carry what a word-level model misses in
inflections, compounds and names it has not seen), and a few hand features (figures, dates, names,
comparisons, causes, attribution, hedges, opinion markers, length).  ``bench/fit_checkworthiness.py``
fits it with scikit-learn (a logistic regression) and writes the weights to
``data/checkworthiness.json``; scoring here is pure Python.

The word and character n-gram weights of a sentence are summed and divided by ``sqrt`` of its number of
word features (tokens and bigrams), so a word's own weight and the weights of its character n-grams add
up to one number per word.  Scoring looks that number up in a memo (filled the first time a word is
seen, bounded in size), which makes the character n-grams cost no more than one dictionary look-up per
word once a word has been seen.

The score is ``sigmoid(z - t)``, where ``z`` is the model's logit and ``t`` the logit of a decision
threshold the weights file sets (the current weights: probability 0.3, chosen on debates held out of
train, because a model's probabilities fall on debates it has not seen; see
``bench/fit_checkworthiness.py``).  **``score >= 0.5`` means check-worthy**, and
scores further from 0.5 are more confident either way.

The reasons come from deterministic rules, not from the learned weights: first the evidence the sentence
cites (a poll or survey, a study or report), then its hand features.  They say what the sentence
contains, whatever the model makes of it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import cache
from itertools import pairwise, repeat
from pathlib import Path

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "checkworthiness.json"
FORMAT_VERSION = 2
# Words whose weight (own and character n-grams) the model remembers; the memo starts over when full.
MEMO_SIZE = 50_000
_MEMO_MAX_WORD = 40  # longer words are scored each time, not remembered

_TOKEN = re.compile(r"[\w']++|[?!%$€£]")
_ASCII_TOKEN = re.compile(_TOKEN.pattern, re.ASCII)  # the same tokens of an ASCII text, found faster
_DIGITS = re.compile(r"\d")

# --- Hand features: regular expressions over the original text, run only when a cheap test passes ------
# Only whether they match counts; each opens with a lookahead for the characters its matches can start
# with, which lets the search skip the other characters quickly.
_MONEY = re.compile(
    r"(?=[$€£¥\d])(?:[$€£¥]\s?\d|\d\s?(?:[mb]n\b|k\b)?\s*(?:dollars|euros|pounds|yen|cents)\b)", re.IGNORECASE
)
_YEAR = re.compile(r"(?=[\d'])(?:(?<![\d.,])(?:1[6-9]\d\d|20\d\d)(?:s\b|(?![\d.,]\d))|\b'?\d0s\b)")
_MONTH = re.compile(
    r"(?=[\dJFMASONDeilmnsu])(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d|\d\s+May\b"
    r"|\b(?:in|since|until|last|next|early|late|mid-?)\s+(?:March|May)\b"
    r"|\b(?:January|February|April|June|July|August|September|October|November|December)\b)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONEY_WORDS = _words("dollars dollar euros euro pounds cents $ € £ budget deficit debt tax taxes")
_MONTH_WORDS = _words(
    "january february march april may june july august september october november december jan feb mar apr "
    "jun jul aug sep sept oct nov dec"
)
# A capitalised word after white space (so not the first word of the sentence), and a leading acronym.
_CAPITALISED = re.compile(r"\s([A-Z][\w'.-]*)")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?\b")
_NOT_NAMES = _words(
    """I I'm I've I'll I'd OK TV AM PM A An The This That These Those It He She We They
    You And But Or So Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December God"""
)


def _cues(feature: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split("|") if "|" in words else words.split(), feature)


# Lower-cased words and two-word phrases (tokens joined by a space) -> the hand feature they signal.
_CUES: dict[str, str] = {
    **_cues(
        "figures",
        """hundred hundreds thousand thousands million millions billion billions trillion trillions percent
        dozen dozens half twice triple tripled double doubled quadrupled third quarter fifth tenth
        two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty
        seventy eighty ninety""",
    ),
    **_cues("percent", "percent|percentage|per cent|%"),
    **_cues(
        "comparison",
        """more less fewer than most least best worst biggest largest highest lowest smallest greatest fastest
        slowest longest shortest oldest youngest richest poorest higher lower bigger larger smaller greater
        faster slower cheaper costlier compared comparison record outpaced overtook surpassed exceed exceeds
        exceeded""",
    ),
    **_cues(
        "change",
        """increase increased increases increasing decrease decreased decreases decreasing rose rise rises
        risen rising fell fall falls fallen falling grew grow grows grown growth doubled tripled halved cut
        cuts dropped drop drops declined decline declines declining raised raise lowered reduced reduce
        reduction jumped soared plunged plummeted surged slumped climbed""",
    ),
    **_cues(
        "cause",
        "because|caused|causes|causing|therefore|consequently|hence|owing|blamed|resulted|due to|led to"
        "|leads to|lead to|result of|a result|because of|thanks to|resulted in|blamed for|responsible for"
        "|attributed to|contributed to",
    ),
    **_cues(
        "attribution",
        """said says told reported reports announced announces claimed claims stated confirmed confirms
        denied denies admitted admits testified wrote writes estimated estimates according warned warns
        insisted insists acknowledged acknowledges revealed reveals disclosed""",
    ),
    **_cues(
        "hedge",
        """may might perhaps possibly probably likely unlikely reportedly allegedly apparently seemingly seems
        seem seemed appears appear appeared suggests suggest suggested maybe arguably roughly""",
    ),
    **_cues(
        "opinion",
        "i think|i believe|i feel|we believe|we think|i hope|we hope|i want|we want|my opinion|my view"
        "|i guess|i suppose|i'm sure|i'm convinced|we need|we must|we should|you should|i wish|i'd like"
        "|should|ought"
        "|disgrace|disgraceful|shameful|shame|outrageous|ridiculous|absurd|terrible|horrible|awful|wonderful"
        "|great|fantastic|amazing|magnificent|tremendous|disastrous|pathetic|unacceptable|deplorable"
        "|scandalous|appalling|brilliant",
    ),
    **_cues("first_person", "i i'm i've i'll i'd me my mine myself we we're we've we'll we'd us our ours"),
    **_cues("negation", "not no never nothing nobody none don't doesn't didn't won't can't isn't"),
}

# The two-word cues as pairs of tokens, so scoring can look them up without joining strings.
_PAIR_CUES: dict[tuple[str, str], str] = {
    tuple(cue.split(" ")): feature for cue, feature in _CUES.items() if " " in cue
}
_PAIR_LOOKUP = frozenset(_PAIR_CUES)
_PAIR_FIRST = frozenset(first for first, _ in _PAIR_CUES)  # no pair cue without one of these words
# The words that _hand looks up (the first words of pair cues only tell it to look up pairs too).
_LOOKUP = frozenset(_CUES) | _MONEY_WORDS | _MONTH_WORDS | _PAIR_FIRST

# The hand feature behind each reason, in the order in which the reasons are listed.
_REASON_TEXT = {
    "figures": "contains figures",
    "money": "names a sum of money",
    "percent": "gives a percentage",
    "date": "names a date",
    "names": "names people or organisations",
    "comparison": "makes a comparison",
    "change": "reports a change",
    "cause": "states a cause",
    "attribution": "attributes a statement",
    "hedge": "hedged",
    "opinion": "opinion",
    "question": "question",
}


def _tokens(sentence: str, digits: bool) -> list[str]:
    """Lower-cased words (digits folded to 0, curly apostrophes made straight) and ? ! % $ € £.

    ``digits`` says whether the sentence has a digit (lower-casing neither makes nor removes one).
    """
    low = sentence.lower()
    if "\u2019" in low:
        low = low.replace("\u2019", "'")
    if digits:
        low = _DIGITS.sub("0", low)
    return (_ASCII_TOKEN if low.isascii() else _TOKEN).findall(low)


def _hand(sentence: str, tokens: list[str], digits: bool) -> dict[str, float]:
    hits = _LOOKUP.intersection(tokens)
    found = {_CUES[word]: 1.0 for word in hits if word in _CUES}
    if not hits.isdisjoint(_PAIR_FIRST) and (pair_hits := _PAIR_LOOKUP.intersection(pairwise(tokens))):
        found.update(dict.fromkeys(map(_PAIR_CUES.__getitem__, pair_hits), 1.0))
    if digits:
        found["figures"] = found["digits"] = 1.0
        if "%" in sentence:
            found["percent"] = 1.0
        if _YEAR.search(sentence):
            found["date"] = 1.0
    if ("figures" in found and not hits.isdisjoint(_MONEY_WORDS)) or (
        ("$" in sentence or "€" in sentence or "£" in sentence or "figures" in found)
        and _MONEY.search(sentence)
    ):
        found["money"] = 1.0
    if not hits.isdisjoint(_MONTH_WORDS) and _MONTH.search(sentence):
        found["date"] = 1.0
    if capitalised := _CAPITALISED.findall(sentence):
        names = len(capitalised) - sum(map(_NOT_NAMES.__contains__, capitalised))
    else:
        names = 0
    if _ACRONYM.match(sentence):
        names += 1
    if names:
        found["names"] = 1.0
        if names > 2:
            found["many_names"] = 1.0
    if sentence.rstrip().endswith("?"):
        found["question"] = 1.0
    length = len(tokens)
    found[
        "len_lt5" if length < 5 else "len_lt10" if length < 10 else "len_lt20" if length < 20 else "len_ge20"
    ] = 1.0
    return found


def hand_features(sentence: str) -> dict[str, float]:
    """The hand features of a sentence: name -> 1.0 for each feature present (they are all 0/1)."""
    digits = _DIGITS.search(sentence) is not None
    return _hand(sentence, _tokens(sentence, digits), digits)


def word_features(tokens: list[str]) -> list[str]:
    """The word unigrams and bigrams of the tokens (a bigram is two tokens joined by a space)."""
    return tokens + list(map(" ".join, pairwise(tokens)))


def char_ngrams(token: str, sizes: tuple[int, ...]) -> list[str]:
    """The character n-grams of one token padded with a space either side, for each size (ascending).

    A padded token shorter than a size gives no n-gram of that size (nor of the larger ones).
    """
    padded = f" {token} "
    length = len(padded)
    grams: list[str] = []
    for n in sizes:
        if length < n:
            break
        grams += [padded[i : i + n] for i in range(length - n + 1)]
    return grams


def features(sentence: str, char_sizes: tuple[int, ...]) -> tuple[list[str], list[str], dict[str, float]]:
    """The model's input: the word features, the character n-grams (lists, with repeats), the hand features.

    The fitting script calls this too, so training and scoring see exactly the same features.
    The word features and character n-grams enter the model with a weight of ``1 / sqrt(len(words))``
    each (the number of word features, not of n-grams).
    """
    digits = _DIGITS.search(sentence) is not None
    tokens = _tokens(sentence, digits)
    chars = [gram for token in tokens for gram in char_ngrams(token, char_sizes)] if char_sizes else []
    return word_features(tokens), chars, _hand(sentence, tokens, digits)


# What a sentence cites as its evidence, named first among its reasons: these make a claim worth checking
# whatever else it holds ("Polls show ...").  They are reasons only, not features of the model, so the
# fitted weights do not depend on them.
_EVIDENCE_TEXT = {
    "cites a poll or survey": "poll polls polling pollster pollsters survey surveys surveyed",
    "cites a study or report": "study studies research report reports analysis census statistics data",
}
_EVIDENCE: dict[str, str] = {word: text for text, words in _EVIDENCE_TEXT.items() for word in words.split()}


def reasons_from(hand: dict[str, float], tokens: Iterable[str] = ()) -> tuple[str, ...]:
    """The readable reasons for a sentence: the evidence it cites (from its ``tokens``), then its hand
    features, in a fixed order."""
    cited = {_EVIDENCE[token] for token in tokens if token in _EVIDENCE}
    evidence = [text for text in _EVIDENCE_TEXT if text in cited]
    return tuple(evidence + [text for feature, text in _REASON_TEXT.items() if feature in hand])


class _WordWeights(dict):
    """word -> its unigram weight plus the weights of its character n-grams, filled on first look-up."""

    __slots__ = ("chars", "sizes", "unigrams")

    def __init__(self, unigrams: dict[str, float], chars: dict[str, float], sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.unigrams, self.chars, self.sizes = unigrams, chars, sizes

    def __missing__(self, token: str) -> float:
        weight = self.unigrams.get(token, 0.0)
        if self.chars:
            weight += sum(map(self.chars.get, char_ngrams(token, self.sizes), repeat(0.0)))
        if len(token) <= _MEMO_MAX_WORD:
            if len(self) >= MEMO_SIZE:
                self.clear()
            self[token] = weight
        return weight


class _Model:
    __slots__ = (
        "bias",
        "char_sizes",
        "chars",
        "hand",
        "metadata",
        "pairs",
        "per_word",
        "threshold_logit",
        "unigrams",
        "words",
    )

    def __init__(self, data: dict) -> None:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported check-worthiness weights format: {data.get('format_version')!r}")
        self.words: dict[str, float] = data["word_weights"]
        self.chars: dict[str, float] = data["char_weights"]
        self.char_sizes = tuple(sorted(data["char_sizes"]))
        self.hand: dict[str, float] = data["hand_weights"]
        self.bias = float(data["bias"])
        self.threshold_logit = float(data["threshold_logit"])
        self.metadata: dict = data["metadata"]
        # The same weights arranged for scoring: bigrams keyed by their two tokens (no string joining),
        # and each word's unigram and character n-gram weights summed once, when the word is first seen.
        self.unigrams = {word: w for word, w in self.words.items() if " " not in word}
        self.pairs = {tuple(word.split(" ")): w for word, w in self.words.items() if " " in word}
        self.per_word = _WordWeights(self.unigrams, self.chars, self.char_sizes)

    def logit(self, words: list[str], chars: list[str], hand: dict[str, float]) -> float:
        """The linear score: bias + hand weights (hand features are 0/1) + the word and character n-gram
        weights divided by sqrt(len(words)).  This is the definition that the fitting script fits;
        ``score`` computes the same number faster."""
        z = self.bias + sum(map(self.hand.get, hand, repeat(0.0)))
        if words:
            zero = repeat(0.0)
            weights = sum(map(self.words.get, words, zero)) + sum(map(self.chars.get, chars, zero))
            z += weights / math.sqrt(len(words))
        return z


@cache
def load_model() -> _Model:
    """The fitted model, read once from ``data/checkworthiness.json``."""
    with WEIGHTS_PATH.open(encoding="utf-8") as handle:
        return _Model(json.load(handle))


def metadata() -> dict:
    """What the weights file says about itself: version, threshold, the F1 it reached, ..."""
    return load_model().metadata


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def score(sentence: str) -> tuple[float, tuple[str, ...]]:
    """How check-worthy a sentence is, in [0, 1] (``>= 0.5`` means check-worthy), and why.

    The reasons are short phrases for an editor ("contains figures", "names a date", "hedged", ...),
    derived from rules, not from the model.
    """
    model = load_model()
    digits = _DIGITS.search(sentence) is not None
    tokens = _tokens(sentence, digits)
    hand = _hand(sentence, tokens, digits)
    # model.logit(*features(sentence, model.char_sizes)), without building the n-grams of words seen before
    z = model.bias + sum(map(model.hand.get, hand, repeat(0.0)))
    if tokens:
        words = sum(map(model.per_word.__getitem__, tokens))
        words += sum(map(model.pairs.get, pairwise(tokens), repeat(0.0)))
        z += words / math.sqrt(2 * len(tokens) - 1)  # the tokens and their len(tokens) - 1 pairs
    return _sigmoid(z - model.threshold_logit), reasons_from(hand, tokens)
