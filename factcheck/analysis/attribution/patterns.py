"""Patterns over the raw sentence: anonymity phrases, agentless passives, a newsroom's own terms."""

from __future__ import annotations

import re
from functools import lru_cache

from factcheck.analysis.attribution.vocabulary import _words

# Phrases that mark an anonymous source wherever they appear.
_ANONYMOUS_RE = re.compile(
    r"\b(?:speaking\s+(?:on|under)\s+(?:the\s+)?condition\s+(?:of\s+anonymity|that\s+\w+\s+not\s+be\s+\w+)"
    r"|on\s+(?:the\s+)?condition\s+of\s+anonymity"
    r"|(?:who|which)\s+(?:asked|requested|wished|declined|refused|did\s+not\s+want|didn['\u2019]t\s+want)"
    r"\s+(?:not\s+)?to\s+be\s+(?:named|identified)"
    r"|(?:requested|granted|given)\s+anonymity"
    r"|not\s+(?:authori[sz]ed|permitted|allowed|cleared)\s+to\s+(?:speak|talk|comment|discuss)"
    r"|(?:people|persons?|someone|those|sources?|officials?|insiders?)\s+(?:familiar\s+with|briefed\s+on"
    r"|with\s+(?:direct\s+|first-?hand\s+|detailed\s+)?knowledge\s+of|privy\s+to))",
    re.IGNORECASE,
)
# "people close to", "those involved in": anonymous only as a source (checked like a noun phrase).
_CLOSE_TO_RE = re.compile(
    r"\b(?:people|persons?|someone|those|sources?|insiders?|a\s+source)\s+(?:close\s+to|involved\s+in|aware\s+of)\b",
    re.IGNORECASE,
)

_ADV = (
    r"(?:(?:widely|generally|commonly|broadly|often|increasingly|largely|popularly|variously|now|also|still"
    r"|long|sometimes|frequently|privately|locally|strongly|falsely|wrongly|further|already|once)\s+)"
)
_BE = r"(?:is|are|was|were|be|been|being|['\u2019]s|['\u2019]re)"
_BE_RUNS = "is are was were be been being s re"  # _BE as runs of letters ("it's": "it", "s")
_RAISED_NOUNS = (
    "concern concerns questions fears doubts worries criticism allegations suggestions claims objections"
    " complaints warnings accusations calls"
)
# Each pattern with how far after it a "by" agent may stand (-1: no agent possible), and the words it
# needs: for each group, one of its words must stand in the sentence as a run of letters, or the pattern
# cannot match (see _letter_runs).
_PASSIVE_PATTERNS: tuple[tuple[re.Pattern[str], int, tuple[frozenset[str], ...]], ...] = tuple(
    (re.compile(p, re.IGNORECASE), window, tuple(map(_words, needs)))
    for p, window, needs in (
        # "It is believed that", "it has been suggested", "It is understood"
        (
            rf"(?<!\bof\s)\bit(?:\s+|(?=['\u2019]))(?:is|was|['\u2019]s|has\s+been|had\s+been|have\s+been|will\s+be|would\s+be|may\s+be|might\s+be"
            rf"|could\s+be|is\s+being|was\s+being)\s+{_ADV}?(?:believed|thought|understood|said|claimed|alleged"
            r"|suggested|reported|feared|argued|estimated|assumed|suspected|felt|predicted|speculated|hoped"
            r"|expected|rumou?red|widely\s+accepted|generally\s+accepted|generally\s+agreed"
            r"|accepted|agreed|acknowledged|recogni[sz]ed|held|contended|claimed|believed|posited|argued)\b"
            r"(?!\s+(?:with|about|for|of|in|on|at)\b)",  # "it is said with a smile", "it will be held in ..."
            2,
            (
                "it",
                "believed thought understood said claimed alleged suggested reported feared argued estimated"
                " assumed suspected felt predicted speculated hoped expected rumoured rumored accepted"
                " agreed acknowledged recognised recognized held contended posited",
            ),
        ),
        # "is thought to", "are said to", "is believed to"
        (
            rf"\b{_BE}\s+{_ADV}?(?:believed|thought|said|reported|alleged|understood|feared|suspected|estimated"
            r"|reputed|presumed|assumed|claimed|considered)\s+to\b",
            2,
            (
                _BE_RUNS,
                "believed thought said reported alleged understood feared suspected estimated reputed"
                " presumed assumed claimed considered",
                "to",
            ),
        ),
        # "is suspected of causing", "were suspected of"
        (
            rf"\b{_BE}\s+{_ADV}?suspected\s+of\b",
            2,
            (_BE_RUNS, "suspected", "of"),
        ),
        # "is widely seen as", "was widely regarded as", "is widely expected to"; not "is widely known"
        # (nor "it is widely known that"): knowing is factive, the writer asserts the fact as theirs
        (
            rf"\b{_BE}\s+(?:widely|generally|commonly|broadly|often|increasingly|largely|popularly|variously"
            r"|universally)\s+(?:seen|regarded|viewed|perceived|considered|described|characteri[sz]ed|touted"
            r"|tipped|billed|hailed|branded|labell?ed|dubbed|portrayed|deemed|believed|thought|expected"
            r"|acknowledged|accepted|recogni[sz]ed|credited|blamed|understood|critici[sz]ed"
            r"|condemned|derided|praised|questioned|accused|assumed|rumou?red|cited"
            r"|reported(?=\s+(?:as|that)\b))\b",  # not "were widely reported in the press": an event
            2,
            (
                _BE_RUNS,
                "widely generally commonly broadly often increasingly largely popularly variously"
                " universally",
            ),
        ),
        # "is seen as", "are regarded as", "is considered a"
        (
            rf"\b{_BE}\s+(?:(?:seen|regarded|viewed|perceived|touted|billed|portrayed|characteri[sz]ed)\s+as"
            r"|considered\s+(?:to\s+be|as|a|an|one|among|likely|unlikely|the\s+(?:best|worst|most|least|favou?rite"
            r"|front-?runner|leading)))\b",
            2,
            (
                _BE_RUNS,
                "seen regarded viewed perceived touted billed portrayed characterised characterized"
                " considered",
            ),
        ),
        # "has been criticised", "have been accused of", "has been linked to"
        (
            rf"\b(?:has|have|had)\s+{_ADV}?been\s+{_ADV}?(?:criticised|criticized|condemned(?!\s+to\b)|questioned"
            r"|described"
            r"|labell?ed|branded|dubbed|accused|blamed|slammed|attacked|hailed|praised|derided|panned|lambasted"
            # not "a third case has been reported" (an event) nor "has been credited with saving" (a deed)
            r"|characteri[sz]ed|linked|tied|touted|tipped|suggested|mooted|floated|reported(?=\s+(?:as|that)\b)|alleged"
            r"|claimed|disputed|challenged|called\s+(?:a|an|into|the)|decried|denounced)\b",
            50,
            ("been", "has have had"),
        ),
        # "Concerns have been raised", "questions were raised"
        (
            r"\b(?:concerns?|questions|fears|doubts|worries|criticism|allegations|suggestions|claims|objections"
            r"|complaints|warnings|accusations|calls)\s+(?:have|has|had)?\s*(?:also\s+|repeatedly\s+|long\s+)?"
            r"(?:been|were|was|are\s+being|is\s+being)\s+(?:raised|voiced|expressed|made|aired|levell?ed"
            r"|put\s+forward|issued|sounded|heard|asked|posed)\b",
            60,
            (
                _RAISED_NOUNS,
                "raised voiced expressed made aired levelled leveled put issued sounded heard asked posed",
            ),
        ),
        # "There are fears that", "there is growing speculation"
        (
            r"\bthere\s+(?:is|are|was|were|have\s+been|has\s+been|had\s+been)\s+(?:also\s+|now\s+|growing\s+"
            r"|increasing\s+|mounting\s+|widespread\s+|some\s+|persistent\s+|renewed\s+|serious\s+|real\s+"
            r"|deep\s+|long-?standing\s+|rising\s+|fresh\s+|many\s+|already\s+)*(?:concerns?|fears?|suggestions?"
            r"|claims?|speculation|rumou?rs?|allegations?|doubts?|worries|suspicions?|talk|hopes?|expectations?"
            r"|unease|anxiety|concern)\s+(?:that|about|over|of|among)\b",
            -1,
            (
                "there",
                "concern concerns fear fears suggestion suggestions claim claims speculation rumour rumours"
                " rumor rumors allegation allegations doubt doubts worries suspicion suspicions talk hope"
                " hopes expectation expectations unease anxiety",
            ),
        ),
        # "Speculation is mounting", "Fears are growing that"
        (
            r"\b(?:speculation|fears?|concerns?|suspicions?|doubts?|worries|rumou?rs?|unease)\s+(?:is|are|has\s+been"
            r"|have\s+been|was|were)\s+(?:growing|mounting|rising|increasing|rife|swirling|widespread|high"
            r"|intensifying|spreading)\b",
            -1,
            (
                "speculation fear fears concern concerns suspicion suspicions doubt doubts worries rumour"
                " rumours rumor rumors unease",
                "growing mounting rising increasing rife swirling widespread high intensifying spreading",
            ),
        ),
    )
)
_PASSIVE_TRIGGERS = _words(
    "believed thought understood said claimed alleged suggested reported feared argued estimated assumed"
    " suspected felt predicted speculated hoped expected rumoured rumored accepted agreed acknowledged"
    " recognised recognized held contended posited reputed presumed considered seen regarded viewed"
    " perceived touted tipped billed portrayed characterised characterized described hailed branded"
    " labelled labeled dubbed deemed credited blamed criticised criticized condemned derided praised"
    " questioned accused cited slammed attacked panned lambasted linked tied mooted floated disputed"
    " challenged called decried denounced raised voiced expressed made aired levelled leveled put issued"
    " sounded heard concerns concern fears fear speculation suspicions suspicion doubts doubt worries"
    " rumours rumors rumour rumor unease asked posed"
)
_BY_RE = re.compile(r"(?<!\w)by\s+\S", re.IGNORECASE)


@lru_cache(maxsize=64)
def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = [" ".join(p.split()) for p in phrases if p and p.strip()]
    if not cleaned:
        return None
    alternatives = sorted((r"\s+".join(map(re.escape, p.split())) for p in cleaned), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _extra_re(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = [" ".join(p.split()) for p in terms if p and p.strip()]
    if not cleaned:
        return None
    alternatives = sorted((r"\s+".join(map(re.escape, p.split())) for p in cleaned), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:e?s)?(?!\w)", re.IGNORECASE)
