"""What kind of claim a sentence makes: statement, quotation, opinion, prediction or question.

Rules, in this order (the first that matches wins):

1. **quotation** - the sentence is in a blockquote (``in_quotation=True``), or at least half of it is inside
   quotation marks (a quote of three words or more), or it carries a direct quote of two words or more next to
   a speech verb
   ("“We will not back down,” she said." / "He told reporters: “...”").  Short scare quotes do not count.
2. **question** - it ends with a question mark (closing quotes and brackets aside).
3. **opinion** - a first-person belief ("I think", "we believe", "in my view").
4. **statement** - reported speech ("said", "told", "announced", "according to", ...) that is not a
   direct quote: "the minister said the plant will close" or "the mayor said it was a disgrace" is a
   statement, because what can be checked is that she said it.
5. **prediction** - a statement about the future ("will", "is expected to", "is set to", "forecast",
   "projected", "could lead to").
6. **opinion** - evaluative language ("should", "ought to", "it is a disgrace", "outrageous").
7. **statement** - anything else.

The rules prefer precision: when in doubt a sentence stays a statement.
"""

from __future__ import annotations

import re

from factcheck.analysis.types import ClaimKind

_OPEN_QUOTES = '"“„«\u2039'
_CLOSE_QUOTES = '"”“»\u203a'
_QUOTED = re.compile(r"[\"“„«\u2039]([^\"“”„«»\u2039\u203a]*)[\"”“»\u203a]")
_SPEECH_VERBS = (
    r"said|says|say|told|tells|added|adds|asked|asks|explained|explains|wrote|writes|declared|declares"
    r"|insisted|insists|argued|argues|noted|notes|stated|states|replied|replies|continued|recalled|warned"
    r"|warns|tweeted|posted|posts|announced|announces|admitted|admits|claimed|claims|said:|joked|jokes"
    r"|shouted|whispered|added:|conceded|concedes|acknowledged|responded|responds|urged|urges"
)
# “...,” she said / “...” - Jane Doe, the mayor, said / “...,” said the mayor.
_QUOTE_THEN_VERB = re.compile(
    r"[\"”“»]\s*[,;:-]?\s*(?:(?:he|she|they|it|we|I|[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*|the\s+\w+(?:\s+\w+)?)"
    r"(?:,[^,\"”]{0,60},)?\s+)?(?:" + _SPEECH_VERBS + r")\b",
)
# She said: “...” / He told reporters, “...” / According to the report, “...”
_VERB_THEN_QUOTE = re.compile(
    r"\b(?:" + _SPEECH_VERBS + r"|according\s+to\s+[^,\"“]{1,60})\b[^\"“„«]{0,40}?[:,]\s*[\"“„«]",
    re.IGNORECASE,
)
_OPENING_MARK = re.compile(f"[{_OPEN_QUOTES}]")
_QUESTION_END = re.compile(r"\?[\s\"”\u2019'»)\]]*$")

_FIRST_PERSON_BELIEF = re.compile(
    r"\b(?:I|we)(?:\s+(?:really|honestly|truly|still|do|also|strongly|firmly|personally))?\s+"
    r"(?:think|believe|feel|reckon|suspect|guess|suppose|doubt|consider|hope|wish|trust)\b"
    r"|\b(?:I|we)\s+(?:am|are|'m|'re)\s+(?:convinced|sure|certain|confident|persuaded)\b"
    r"|\b(?:I|we)['\u2019](?:m|re)\s+(?:convinced|sure|certain|confident|persuaded)\b"
    r"|\bin\s+(?:my|our)\s+(?:view|opinion|judgment|judgement)\b|\b(?:to\s+me|for\s+me|frankly|personally),"
    r"|\bmy\s+(?:view|opinion|feeling|sense)\s+is\b",
    re.IGNORECASE,
)
_EVALUATIVE = re.compile(
    r"\b(?:should|shouldn['\u2019]t|ought\s+to|must\s+(?:not\s+)?(?!have\b)\w+"
    r"|disgrace|disgraceful|shameful|a\s+shame|outrageous|ridiculous|absurd|appalling|deplorable|scandalous"
    r"|unacceptable|pathetic|laughable|despicable|shocking|disgusting|wonderful|fantastic|magnificent"
    r"|brilliant|terrible|awful|horrible|horrendous|dreadful|excellent|superb|incompetent|foolish|stupid"
    r"|idiotic|senseless|reckless|irresponsible|immoral|unforgivable|heroic|admirable|inspiring)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|won['\u2019]t|shall)\s+(?!of\b)(?:not\s+|never\s+|also\s+|soon\s+|likely\s+|probably\s+)?[a-z]+"
    r"|\b(?:\w+['\u2019]ll)\b"
    r"|\b(?:is|are|was|were|'s|'re)\s+(?:not\s+)?(?:expected|set|projected|forecast|predicted|poised|likely"
    r"|unlikely|due|slated|scheduled|on\s+course|on\s+track|going)\s+to\b"
    r"|\b(?:forecasts?|forecasters?|projects?\s+that|predicts?|predicted\s+that|projections?\s+show)\b"
    r"|\b(?:could|may|might|would|threatens\s+to|threaten\s+to)\s+(?:lead|result|push|trigger|cause|spark"
    r"|force|leave|drive|cost|mean)\s*(?:to|in)?\b"
    r"|\bby\s+(?:the\s+end\s+of\s+)?(?:20[2-9]\d|next\s+(?:year|month|week|decade|spring|summer|autumn|winter))"
    r"|\b(?:next|coming)\s+(?:year|month|week|decade|years|months|decades)\b|\bin\s+the\s+coming\s+\w+",
    re.IGNORECASE,
)
# Reported speech before the future cue: "the minister said the plant will close".
_REPORTED = re.compile(
    r"\b(?:said|says|told|announced|announces|confirmed|confirms|stated|states|insisted|insists|pledged"
    r"|pledges|promised|promises|vowed|vows|according\s+to)\b",
    re.IGNORECASE,
)

# Each pattern above can match only where one of its words stands as a run of letters of the lower-cased
# sentence (checked in C with a set), so most sentences skip most patterns; classify() gives the same
# kinds with or without these gates.  Characters that case-fold to an ASCII letter under re.IGNORECASE
# but not under str.lower() (the long s, U+017F, matches "s") turn the gates off.
_FOLD_TRAPS = "\u0130\u0131\u017f\u212a"
_SPEAKER_QUOTE = re.compile(r"[:,]\s*[\"“„«]")  # every match of _VERB_THEN_QUOTE ends so
# The sentence's UTF-8 bytes with ASCII letters lower-cased and every other byte made a space: their
# runs of letters are those of sentence.lower(), as no character outside _FOLD_TRAPS lower-cases to an
# ASCII letter (U+0130 and U+212A are the only two that do) and the bytes of the others are all >= 0x80.
_LETTERS_ONLY = bytes(b | 0x20 if 65 <= b <= 90 or 97 <= b <= 122 else 32 for b in range(256))


def _words(text: str) -> frozenset[bytes]:
    return frozenset(text.encode().split())


_BELIEF_WORDS = _words("i we my our me frankly personally")
_REPORTED_WORDS = _words(
    "said says told announced announces confirmed confirms stated states insisted insists pledged"
    " pledges promised promises vowed vows according"
)
_FUTURE_WORDS = _words(
    "will won shall expected set projected forecast predicted poised likely unlikely due slated scheduled"
    " course track going forecasts forecaster forecasters project projects predict predicts projection"
    " projections could may might would threatens threaten next coming"
)
_EVALUATIVE_WORDS = _words(
    "should shouldn ought must disgrace disgraceful shameful shame outrageous ridiculous absurd appalling"
    " deplorable scandalous unacceptable pathetic laughable despicable shocking disgusting wonderful"
    " fantastic magnificent brilliant terrible awful horrible horrendous dreadful excellent superb"
    " incompetent foolish stupid idiotic senseless reckless irresponsible immoral unforgivable heroic"
    " admirable inspiring"
)


def _letter_runs(sentence: str) -> frozenset[bytes] | None:
    """The runs of ASCII letters of the lower-cased sentence, or None when the gates must stay open."""
    if not sentence.isascii() and any(ch in sentence for ch in _FOLD_TRAPS):
        return None
    return frozenset(sentence.encode("utf-8", "surrogatepass").translate(_LETTERS_ONLY).split())


def _may_predict(sentence: str, runs: frozenset[bytes] | None) -> bool:
    if runs is None or not runs.isdisjoint(_FUTURE_WORDS):
        return True
    # "they'll", and "by 2030" (a "by next year" has "next" above)
    low = sentence.lower()
    return "'ll" in low or "\u2019ll" in low or (b"by" in runs and "20" in sentence)


def _quoted_share(sentence: str) -> tuple[float, int]:
    """The share of the sentence's characters inside quotation marks, and the longest quote in words."""
    inside = 0
    longest = 0
    for match in _QUOTED.finditer(sentence):
        inside += len(match.group(0))
        longest = max(longest, len(match.group(1).split()))
    length = len(sentence.strip())
    return (inside / length if length else 0.0), longest


def _is_quotation(sentence: str) -> bool:
    if not _OPENING_MARK.search(sentence):
        return False  # each rule below needs an opening quotation mark
    share, longest = _quoted_share(sentence)
    if longest >= 3 and share >= 0.5:
        return True
    if longest >= 2 and (
        _QUOTE_THEN_VERB.search(sentence)
        or (_SPEAKER_QUOTE.search(sentence) and _VERB_THEN_QUOTE.search(sentence))
    ):
        return True
    # A quote that runs on to the next sentence: “We will fight on, she said, or  He said: “We will ...
    stripped = sentence.strip()
    if stripped[:1] in _OPEN_QUOTES and not any(mark in stripped[1:] for mark in _CLOSE_QUOTES):
        return len(stripped.split()) >= 3
    return False


def classify(sentence: str, *, in_quotation: bool = False) -> ClaimKind:
    """The kind of claim that one sentence makes (see the module docstring for the rules)."""
    if in_quotation or _is_quotation(sentence):
        return ClaimKind.QUOTATION
    if _QUESTION_END.search(sentence):
        return ClaimKind.QUESTION
    runs = _letter_runs(sentence)
    if (runs is None or not runs.isdisjoint(_BELIEF_WORDS)) and _FIRST_PERSON_BELIEF.search(sentence):
        return ClaimKind.OPINION
    if (runs is None or not runs.isdisjoint(_REPORTED_WORDS)) and _REPORTED.search(sentence):
        return ClaimKind.STATEMENT
    if _may_predict(sentence, runs) and _FUTURE.search(sentence):
        return ClaimKind.PREDICTION
    if (runs is None or not runs.isdisjoint(_EVALUATIVE_WORDS)) and _EVALUATIVE.search(sentence):
        return ClaimKind.OPINION
    return ClaimKind.STATEMENT
