"""Find vague and uncredited attributions in news sentences: "Analysts speculate...", "Reports suggest...".

A rule-based analyser in plain Python (no model, nothing downloaded).  For each sentence it finds the
*cues* (source nouns such as "analysts", "critics", "reports", "officials"; quantifiers such as "some"
or "many"; hedges such as "allegedly"; agentless passives such as "It is believed"), then decides

1. whether the cue is the **source** of a reported claim or opinion: the subject of a speech or
   cognition verb ("experts warn", "analysts have long argued", "economists are divided"), inverted
   ("..., said one analyst"), or in a source frame ("according to", "criticism from", "consensus among",
   "in the view of");
2. whether it is **credited**: a named person ("economist Paul Krugman", "Victor Cha, a Korea expert at
   CSIS,"), a named organisation ("analysts at Goldman Sachs", "Moody's analysts"), a named publication
   ("a study published in The Lancet", "a Gallup poll"), or a link over the cue.

Names are found by capitalisation: a capitalised word that does not start the sentence, or one that
starts it but does not look like a common word (``_COMMON_MODIFIERS``, common suffixes).
Demonyms and places ("Western diplomats", "analysts in Washington") do not credit anyone.

Offsets of the returned flags are absolute into the article text.  Nothing here imports Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from factcheck.analysis.types import Flag, Severity

__all__ = [
    "DEFAULT_POLICY",
    "KINDS",
    "ArticleContext",
    "Policy",
    "article_context",
    "find_flags",
]

ANONYMOUS_EXPERTS = "anonymous_experts"
VAGUE_QUANTITY = "vague_quantity"
UNNAMED_REPORT = "unnamed_report"
AGENTLESS_PASSIVE = "agentless_passive"
HEDGE = "hedge"
VAGUE_COLLECTIVE = "vague_collective"
ANONYMOUS_OFFICIAL = "anonymous_official"

#: Every kind with its default severity.
KINDS: Mapping[str, Severity] = MappingProxyType(
    {
        ANONYMOUS_EXPERTS: Severity.HIGH,
        VAGUE_QUANTITY: Severity.HIGH,
        UNNAMED_REPORT: Severity.HIGH,
        AGENTLESS_PASSIVE: Severity.MEDIUM,
        HEDGE: Severity.MEDIUM,
        VAGUE_COLLECTIVE: Severity.MEDIUM,
        ANONYMOUS_OFFICIAL: Severity.LOW,
    }
)


@dataclass(frozen=True)
class Policy:
    """A newsroom's settings: which kinds to flag, how severe, house vague terms, phrases never flagged."""

    enabled: frozenset[str] = frozenset(KINDS)
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    extra_vague_terms: tuple[str, ...] = ()
    allowed_phrases: tuple[str, ...] = ()

    def severity(self, kind: str) -> Severity:
        return self.severities.get(kind, KINDS[kind])


DEFAULT_POLICY = Policy()


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


# ---------------------------------------------------------------------------------------------
# Lexicon


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


def _plurals(singulars: str) -> dict[str, str]:
    """plural -> singular and singular -> singular, for regular nouns (and a few irregular ones)."""
    out: dict[str, str] = {}
    for word in singulars.split():
        sing, _, plural = word.partition("/")
        plural = plural or sing + "s"
        out[sing] = sing
        out[plural] = sing
    return out


# Experts and the like, as a source of an opinion.
_EXPERT = _plurals(
    "analyst expert specialist scholar scientist researcher economist commentator pundit insider academic"
    " strategist epidemiologist virologist immunologist historian doctor physician clinician psychologist"
    " psychiatrist engineer forecaster meteorologist climatologist pollster statistician demographer"
    " sociologist criminologist ethicist professor biologist geologist seismologist physicist nutritionist"
    " watcher professional trader dealer broker banker bookmaker bookie manager"
    " authority/authorities-noexpert"
)
del _EXPERT["authority"], _EXPERT["authorities-noexpert"]
# Groups that speak as one, vague even without a modifier.
_COLLECTIVE_BARE = _plurals(
    "critic opponent detractor sceptic skeptic campaigner activist environmentalist conservationist advocate"
    " proponent supporter observer naysayer charity/charities ngo watchdog"
)
# Groups that are a vague source only with a modifier ("rights groups", "local media", "world leaders").
_COLLECTIVE_MODIFIED = _plurals(
    "group organisation organization agency/agencies government leader capital outlet union circle"
    " media/media community television/television tv/tv radio/radio press/press broadcaster newspaper"
)
# Officials and anonymous sources.
_OFFICIAL = _plurals(
    "official diplomat aide spokesperson spokesman/spokesmen spokeswoman/spokeswomen adviser advisor"
    " staffer source"
)
# Reports and the like, as a source of a claim.
_REPORT = _plurals(
    "report study/studies research/research poll survey estimate document rumour rumor figure data/data"
    " statistic evidence/evidence analysis/analyses projection forecast finding memo memorandum/memoranda"
    " email e-mail dossier cable file"
)
_PERSONS = _plurals(
    "people/people person/people resident voter parent fan member citizen local teacher worker employee"
    " farmer patient user consumer investor trader player colleague lawmaker legislator republican democrat"
    " conservative liberal mp/mps politician resident commuter shopper viewer reader listener"
)
_NOUN_KIND: dict[str, str] = {}
for _w in _PERSONS:
    _NOUN_KIND[_w] = "person"
for _w in _COLLECTIVE_MODIFIED:
    _NOUN_KIND[_w] = "collective_mod"
for _w in _COLLECTIVE_BARE:
    _NOUN_KIND[_w] = "collective"
for _w in _REPORT:
    _NOUN_KIND[_w] = "report"
for _w in _OFFICIAL:
    _NOUN_KIND[_w] = "official"
for _w in _EXPERT:
    _NOUN_KIND[_w] = "expert"
_LEMMA = {**_PERSONS, **_COLLECTIVE_MODIFIED, **_COLLECTIVE_BARE, **_REPORT, **_OFFICIAL, **_EXPERT}
_SINGULAR_FORMS = frozenset(w for w, lemma in _LEMMA.items() if w == lemma) - _words(
    "research data evidence media"
)

# Quantifiers that make a vague group ("some say", "many economists", "a growing number of parents").
_QUANTIFIERS = _words("some many most several few others numerous countless plenty various multiple")
_QUANTIFIER_NOUNS = _words("number handful host majority minority lot lots few")  # "a number of"

_HEDGES = _words(
    "allegedly reportedly purportedly supposedly reputedly rumoured rumored alleged purported reported"
)

# Verbs of speech and cognition (every form) that make their subject a source.
_SPEECH_LEMMAS = """
say/says/said/saying tell/tells/told/telling warn believe suggest speculate argue predict fear note estimate
contend view think/thinks/thought/thinking claim expect caution reckon insist maintain acknowledge admit agree
report question worry/worries/worried/worrying doubt assert allege describe accuse criticise criticize condemn
urge concede observe indicate show/shows/showed/showing/shown find/finds/found/finding reveal conclude suspect
consider regard feel/feels/felt/feeling hope anticipate forecast/forecasts/forecast/forecasting project stress
emphasise emphasize add explain recommend propose blame attribute posit theorise theorize wonder characterise
characterize dismiss welcome praise demand complain state declare confirm deny dispute reject highlight label
brand dub surmise calculate assess judge deem interpret hail slam decry lament counter retort reply write/
writes/wrote/writing/written point/points/pointed/pointing call/calls/called/calling worry suspect
agree disagree advise fret opine charge estimate put/puts/put/putting see/sees/saw/seeing describe mention
acknowledge concur question challenge contest cite attribute link tie/ties/tied/tying raise/raises/raised/
raising express voice compare liken assume foresee envisage envision tip/tips/tipped/tipping
"""
# Verbs of reporting a report, poll or study can take ("Reports of X have raised alarm").
_REPORT_EXTRA = "emerge surface circulate spark prompt fuel put place indicate swirl persist"


def _verb_forms(spec: str) -> frozenset[str]:
    out: set[str] = set()
    for item in spec.replace("/\n", "/").split():
        if "/" in item:
            out.update(f for f in item.split("/") if f)
            continue
        w = item
        out.add(w)
        if w.endswith("e"):
            out.update((w + "s", w + "d", w[:-1] + "ing"))
        elif w.endswith("y") and w[-2] not in "aeiou":
            out.update((w[:-1] + "ies", w[:-1] + "ied", w + "ing"))
        elif w.endswith(("s", "sh", "ch", "x", "z")):
            out.update((w + "es", w + "ed", w + "ing"))
        else:
            out.update((w + "s", w + "ed", w + "ing"))
    return frozenset(out)


_SPEECH = _verb_forms(_SPEECH_LEMMAS)
_REPORT_VERBS = _SPEECH | _verb_forms(_REPORT_EXTRA)
# "call" is a speech verb in "called for", "called on", "called it"; "see" in "see it as", "see little".
_NEEDS_NEXT = {
    "call": _words("for on it this that them him her the a an into"),
    "point": _words("out to"),
    "see": _words("as little no a an it this that risk risks signs danger room value merit potential"),
    "put": _words("the it its at"),
    "tie": _words("the it to"),
    "link": _words("the it to"),
    "raise": _words(
        "concerns concern questions question alarm alarms doubts doubt fears fear the eyebrows red flags"
        " worries suspicions hopes expectations"
    ),
    "voice": _words("concern concerns doubts fears alarm"),
    "express": _words("concern concerns doubts fears alarm"),
    "charge": _words("that"),
    "add": _words("that"),
    "find": _words("that no little a an evidence the"),
    "show": _words("that a an the no little"),
    "write": _words("that in"),
    "state": _words("that"),
}
_NEEDS_NEXT_OF = {
    form: lemma
    for lemma in _NEEDS_NEXT
    for form in _verb_forms(
        {
            "call": "call/calls/called/calling",
            "point": "point",
            "see": "see/sees/saw/seeing/seen",
            "put": "put/puts/putting",
            "tie": "tie/ties/tied/tying",
            "link": "link",
            "raise": "raise",
            "voice": "voice",
            "express": "express",
            "charge": "charge",
            "add": "add",
            "find": "find/finds/found/finding",
            "show": "show/shows/showed/showing/shown",
            "write": "write/writes/wrote/writing/written",
            "state": "state",
        }[lemma]
    )
}
# Said of a source: "experts are divided", "analysts remain sceptical".
_OPINION_ADJECTIVES = _words(
    "divided split sceptical skeptical concerned worried convinced confident optimistic pessimistic cautious"
    " unconvinced alarmed doubtful unsure uncertain wary hopeful adamant unanimous united critical fearful"
    " nervous bullish bearish upbeat gloomy sure certain agreed adamant sanguine relaxed enthusiastic"
    " positive negative downbeat circumspect hesitant reluctant supportive opposed"
)
# Between a copula and an opinion adjective: "others were more sanguine", "analysts are less sure".
_DEGREE = _words("more less far much very deeply increasingly somewhat rather fairly quite so too")
# Words between a subject and its verb: auxiliaries, negation and adverbs.
_AUX = _words(
    "have has had are is were was will would may might could can should must do does did been be being not"
    " don't doesn't didn't haven't hasn't won't can't also now still long already generally widely broadly"
    " largely mostly often increasingly privately publicly openly repeatedly recently previously even too"
    " all both tend tends tended to seem seems seemed appear appears appeared remain remains remained"
    " continue continues continued have've 've 're 's never further however though meanwhile alike"
    " themselves first quickly"
)
_COPULAS = _words(
    "are is were was be been being remain remains remained seem seems seemed appear appears appeared"
)
# Nouns of speech that introduce their source with "from", "among", "by" ("criticism from campaigners").
_SPEECH_NOUNS = _words(
    "criticism condemnation warnings warning concern concerns fears calls objections complaints praise"
    " opposition scepticism skepticism consensus agreement disagreement debate doubts unease anger alarm"
    " speculation pressure claims allegations accusations questions predictions estimates forecasts"
    " view views belief beliefs worries backlash outcry support reaction reactions"
)
# Before an NP that is the source: "according to", "in the view of", "amid reports".
_REPORT_FRAMES = _words("amid following after despite denied confirmed dismissed citing cited")
_DETERMINERS_DEFINITE = _words("the these those this that its their his her our my your whose such")
_DETERMINERS_INDEFINITE = _words(
    "a an one another two three four five six seven eight nine ten dozens hundreds"
)
_POSTMOD_PREPS = _words(
    "at from with of in on for across within inside outside around among by to about over"
)
_PARENTHETICAL_STARTS = _words(
    "who which including such like among notably led many most some both however though meanwhile"
    " too in for speaking writing working based citing"
)
_INCLUDING = _words("including like notably among")
_CREDIT_PREPS = _words("at with for of from by")
_PUBLICATION_VERBS = _words(
    "published conducted commissioned carried released led funded produced compiled seen obtained reviewed"
    " polled surveyed cited quoted issued written prepared run authored co-authored presented reported"
    " interviewed contacted consulted questioned"
)
_TITLES = _words(
    "dr dr. prof prof. professor mr mr. mrs mrs. ms ms. sen sen. rep rep. gov gov. gen gen. col col. capt"
    " capt. lord sir dame rev rev. judge president minister chancellor secretary senator mayor"
)
_CLAUSE_STOP = _words(
    "and or but while whereas although though because since if when that which who whom whose what"
    " whether than as so yet"
)
_PRONOUN_SUBJECTS = _words("he she they it we i you who which that there this")

# Capitalised words that credit nobody: demonyms, regions and places.
_NOT_NAMES = _words(
    "u.s. us u.k. uk west western eastern east northern southern north south european american"
    " americans british english scottish welsh irish french german italian spanish portuguese dutch belgian"
    " swiss austrian polish czech hungarian romanian bulgarian greek turkish russian ukrainian belarusian"
    " chinese japanese korean indian pakistani afghan iranian iraqi syrian israeli palestinian lebanese"
    " saudi egyptian libyan african nigerian kenyan ethiopian sudanese somali asian arab gulf brazilian"
    " mexican canadian australian venezuelan colombian argentine argentinian cuban latin nordic baltic"
    " balkan swedish norwegian danish finnish serbian croatian taiwanese vietnamese thai indonesian filipino"
    " malaysian yemeni jordanian qatari emirati kurdish jewish muslim christian catholic republican"
    " republicans democrats democratic democrat conservative conservatives labour liberal liberals tory"
    " tories green federal national state washington london beijing moscow brussels paris berlin tokyo kyiv"
    " kiev delhi tehran jerusalem china russia america britain europe asia africa india japan germany france"
    " ukraine iran israel wall street westminster whitehall silicon valley city european-based"
    " washington-based london-based western-backed senior top leading independent international global"
    " regional local foreign outside other several some many most"
)
# Sentence-initial capitalised modifiers that are common words ("Security analysts", "Health experts").
_COMMON_MODIFIERS = _words(
    "security health political legal market industry climate medical defence defense tax energy financial"
    " independent leading prominent senior top outside other foreign western eastern economic military"
    " intelligence cyber cybersecurity football sports sport wildlife environmental human rights civil"
    " aid advocacy campaign lobby pressure green conservation opposition consumer business patient"
    " privacy trade labour labor union local state national international global world regional"
    " academic scientific public private independent oil gas bank banking investment credit equity"
    " bond currency stock housing property transport rail aviation airline shipping farming agricultural"
    " food education school university college hospital mental child children's women's parents'"
    " community religious church faith humanitarian refugee migration immigration police crime justice"
    " court constitutional election electoral polling nuclear space technology tech software computer"
    " data digital ai media news press social mainstream state-run state-owned official government"
    " administration white many some most few several numerous various countless unnamed anonymous"
    " veteran longtime long-time former retired respected renowned well-known well-placed informed"
    " senior junior other seasoned skeptical sceptical concerned alarmed worried outside external"
    " chinese russian unconfirmed recent previous earlier new early initial preliminary leaked internal"
    " confidential secret classified multiple conflicting contradictory credible unverified official"
    " opinion exit public private scientific medical clinical numerous media press news local several"
    " wall american european british u.s. fund hedge portfolio asset money"
    # Fields of study and trades: "Art historians", "Marine biologists", "Wine critics".
    " art arts music film fashion wine marine ocean space sports literary architecture design garden"
    " weather brain heart cancer animal plant soil water forest bird disease vaccine drug pharmaceutical"
    " pension insurance retail motor car crypto gaming games theatre tourism travel coastal forensic"
    " nutrition sleep fertility cardiac dental veterinary computing chip semiconductor freight"
)
_COMMON_SUFFIXES = (
    "al",
    "ic",
    "ical",
    "ary",
    "ty",
    "ing",
    "ion",
    "ive",
    "ous",
    "ful",
    "ry",
    "cy",
    "ment",
    "ed",
)

# Only an indefinite report is unnamed: "a study", "reports", "new research"; "the study" points back.
_REPORT_PREMODS_OK = _words(
    "a an one some several many numerous multiple recent new earlier previous other further more various"
    " unconfirmed unverified conflicting contradictory initial early preliminary latest growing"
)
_MEDIA_MODIFIERS = _words(
    "local state national foreign international official state-run state-owned social news western"
    " regional mainstream independent chinese russian iranian israeli indian turkish egyptian"
)
_GROUP_MODIFIERS = _words(
    "rights environmental green conservation aid advocacy campaign lobby pressure civil society consumer"
    " industry business trade opposition patient privacy humanitarian refugee animal welfare"
    " women's children's parents' community religious faith student tenants residents'"
    " liberties freedom human health anti-abortion pro-choice gun farming farm"
)
_LEADER_MODIFIERS = _words("world business community religious faith industry western opposition european")

_FUNCTION_WORDS = _words(
    "amid amidst despite following after before during since until although though while when because if"
    " unless whereas meanwhile yesterday today tonight now then also still even just only but and or so yet"
    " however according citing cited denied confirmed dismissed here there where why how not no nor"
)
# Speech verbs that are also modifiers: "state media", "research funding".
_NOUNISH_VERBS = _words(
    "state project report research poll survey estimate forecast view note claim call question doubt fear"
    " hope stress charge counter brand label link point credit"
)
_NOUNISH_PLURALS = frozenset(w + "s" for w in _NOUNISH_VERBS)
# Places of two capitalised words that still credit nobody.
_PLACES_OF_TWO = frozenset(
    {("wall", "street"), ("silicon", "valley"), ("downing", "street"), ("capitol", "hill")}
)
_WORD_RE = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?")
_APOSTROPHE_RE = re.compile(r"['\u2019]")
# Initials ("U.S."), words (with inner apostrophes, periods and hyphens, and a final apostrophe), any other
# character.  Every character but white space is in a token.
_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_][\w&]*+(?:['\u2019.-][^\W_][\w&]*+)*+['\u2019]?|\S")

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
            r"|expected|rumou?red|widely\s+known|widely\s+accepted|generally\s+accepted|generally\s+agreed"
            r"|accepted|agreed|acknowledged|recogni[sz]ed|held|contended|claimed|believed|posited|argued)\b"
            r"(?!\s+(?:with|about|for|of)\b)",  # "it is said with a smile": "it" is something said
            2,
            (
                "it",
                "believed thought understood said claimed alleged suggested reported feared argued estimated"
                " assumed suspected felt predicted speculated hoped expected rumoured rumored known accepted"
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
        # "is widely seen as", "was widely regarded as", "is widely expected to"
        (
            rf"\b{_BE}\s+(?:widely|generally|commonly|broadly|often|increasingly|largely|popularly|variously"
            r"|universally)\s+(?:seen|regarded|viewed|perceived|considered|described|characteri[sz]ed|touted"
            r"|tipped|billed|hailed|branded|labell?ed|dubbed|portrayed|deemed|believed|thought|expected"
            r"|acknowledged|accepted|recogni[sz]ed|credited|blamed|understood|critici[sz]ed"
            r"|condemned|derided|praised|questioned|accused|known|assumed|rumou?red|cited"
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
            rf"\b(?:has|have|had)\s+{_ADV}?been\s+{_ADV}?(?:criticised|criticized|condemned|questioned|described"
            r"|labell?ed|branded|dubbed|accused|blamed|slammed|attacked|hailed|praised|derided|panned|lambasted"
            r"|characteri[sz]ed|linked|tied|credited|touted|tipped|suggested|mooted|floated|reported|alleged"
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
    " questioned accused known cited slammed attacked panned lambasted linked tied mooted floated disputed"
    " challenged called decried denounced raised voiced expressed made aired levelled leveled put issued"
    " sounded heard concerns concern fears fear speculation suspicions suspicion doubts doubt worries"
    " rumours rumors rumour rumor unease asked posed"
)
_BY_RE = re.compile(r"(?<!\w)by\s+\S", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Tokens

# Tokens after which a word starts a sentence-like stretch (so its capital says nothing).
_OPENERS = frozenset({'"', "\u201c", "\u2018", "'", ":", "(", "\u2014", "\u2013", "-", "\u00ab"})


class _Tokens:
    """The words and punctuation of one sentence, with absolute offsets."""

    __slots__ = ("ends", "first", "lows", "n", "starts", "words")

    def __init__(self, text: str, start: int, end: int) -> None:
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
        return 0 <= i < self.n and self.words[i][0].isupper()

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
    bare = low[:-2] if low.endswith(("'s", "\u2019s")) else low.rstrip("'\u2019")
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
    if low.endswith(("'s", "\u2019s")) or any(c.isupper() or c.isdigit() for c in word[1:]):
        return True
    if t.capitalised(i + 1) and t.lows[i + 1] not in _LEMMA and t.lows[i + 1] not in _NOT_NAMES:
        return True
    if bare in _COMMON_MODIFIERS or bare in _LEMMA or bare in _QUANTIFIERS:
        return False
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


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass(slots=True)
class _Candidate:
    kind: str
    start: int  # absolute offsets of the cue
    end: int
    noun: str = ""  # the head noun as written, lower case ("analysts")
    lemma: str = ""  # its singular ("analyst")
    credited: bool = False
    np_start: int = 0  # absolute range of the noun phrase and its naming part (for links, context)
    np_end: int = 0


@dataclass(slots=True)
class _NounPhrase:
    head: int
    start: int  # token index of the first word (determiner or quantifier included)
    end: int  # token index after the last word of the phrase and its post-modifiers
    determiner: str = ""
    quantified: bool = False
    premods: tuple[int, ...] = ()
    credited_org: bool = False
    credited_person: bool = False
    possessive_lower: bool = False
    credit_end: int = 0  # token index after the name that credits the phrase, when after the head


def _premodifiers(t: _Tokens, head: int) -> _NounPhrase:
    """Walk left from the head over modifiers, stopping after a determiner or quantifier."""
    np = _NounPhrase(head=head, start=head, end=head + 1)
    mods: list[int] = []
    i = head - 1
    while i >= 0 and head - i <= 5:
        w = t.lows[i]
        if not t.is_word(i):
            if w in {"-", "\u2019", "'"} and i > 0:  # "state-run", odd tokens: stop
                break
            break
        if w in _DETERMINERS_DEFINITE or w in _DETERMINERS_INDEFINITE:
            np.determiner = w
            np.start = i
            break
        if w in _QUANTIFIERS:
            np.quantified = True
            np.start = i
            # "a growing number of", "some of the"
            break
        if w == "of" and t.word(i - 1) in _QUANTIFIER_NOUNS:
            np.quantified = True
            k = i - 1
            while k > 0 and t.is_word(k - 1) and t.lows[k - 1] in _QUANTIFIER_OPENERS:
                k -= 1
            np.start = k
            break
        if (
            w in _CLAUSE_STOP
            or w in _POSTMOD_PREPS
            or w in _AUX
            or (w in _SPEECH and w not in _NOUNISH_VERBS)
            or w in _PRONOUN_SUBJECTS
            or w in _FUNCTION_WORDS
        ):
            break
        if w.endswith(("'s", "\u2019s")):
            if t.capitalised(i):
                np.credited_org = np.credited_org or _is_name_token(t, i)
            else:
                np.possessive_lower = True
            mods.append(i)
            np.start = i
            # "the bank's analysts": take the possessor's determiner too
            if t.word(i - 1) in _DETERMINERS_DEFINITE:
                np.determiner = ""
                np.start = i - 1
            break
        if w.isdigit():
            np.determiner = np.determiner or "number"
        mods.append(i)
        np.start = i
        i -= 1
    np.premods = tuple(reversed(mods))
    if any(_is_name_token(t, k) for k in np.premods):
        np.credited_org = True
    return np


_POSTMOD_STARTS = (
    _POSTMOD_PREPS
    | _PUBLICATION_VERBS
    | _words(
        "close familiar briefed involved aware knowledgeable working based speaking writing monitoring"
        " tracking"
        " following studying polled who"
    )
)
_PARTICIPLE_NEXT = _words("by in for at from on last this earlier online")
_TO_AFTER = _words("tend tends tended seem seems seemed appear appears appeared continue continues continued")
_INVERTED_SAY = _words(
    "said says say warned warns added adds noted notes argued argues wrote writes told tells suggested"
    " suggests believe believes cautioned cautions explained explains predicted predicts insisted insists"
    " reckoned reckons observed observes estimated estimates concluded concludes"
)
_QUOTES_AND_COMMAS = frozenset(
    {",", '"', "\u201c", "\u201d", "'", "\u2018", "\u2019", "\u2014", "\u2013", "-", ";", ":"}
)
_VIEW_NOUNS = _words("view eyes opinion judgment judgement assessment estimation analysis reckoning words")
_FOR_FRAMES = _words("to for among")
_CONJUNCTIONS = _words("and or")
_QUANTIFIER_OPENERS = _words("a an the growing increasing small large")  # "a growing number of"
_NAME_JOINERS = _words("of for and &")
_ARTICLES = _words("a an the")
_AUX_INSIDE_POSTMODS = _words("to also now still even all both long first")
_SOURCE_PREPS = _words("from among by between")
_GOVERNMENT_MODIFIERS = _NOT_NAMES | _words("diplomatic political")
_POSSESSIVES = _words("his her their its our")
_BEFORE_OTHERS = _words("and or among of with than to the")
# What opens a sentence before its subject: "In Brussels, ...", "On Tuesday, ...", "Elsewhere, ...".
_OPENING_PREPS = _POSTMOD_PREPS | _words(
    "after before during since following despite amid amidst under last this next earlier later when while as"
    " until throughout beyond like unlike besides"
)
_OPENING_ADVERBS = _words(
    "elsewhere meanwhile however still yet also moreover furthermore separately nevertheless nonetheless"
    " instead indeed overall today yesterday overnight now then later earlier previously recently currently"
    " additionally finally similarly notably importantly traditionally historically ultimately initially"
    " interestingly unsurprisingly predictably privately publicly nationally internationally locally"
    " globally abroad domestically likewise conversely otherwise regardless there here again besides"
    " thus hence therefore consequently accordingly"
)
_TIME_WORDS = _words(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july"
    " august september october november december"
)
_RELATIVES = _words("who which that whose whom")
_FINITE_AUX = _words("had have has were was are is will would could may might can should must did do does")
_NOT_VAGUE_BEFORE = _words("how so too")
_DEGREE_QUANTIFIERS = _words("many few")
# Media as a vague source: "state media", "Russian state television", "the local press", "the media".
_SAYING = _words("saying arguing warning claiming insisting complaining adding")
_BE_FORMS = _words("be been being is are was were")
_IRREGULAR_PARTICIPLES = _words("told said thought found felt held heard seen shown known put brought taught")
_MEDIA_NOUNS = _words("media television tv radio press broadcaster newspaper")
_MASS_MEDIA = _words("media press")
# "see prices rising": the verbs of a forecast.
_TREND_VERBS = frozenset(
    w + "ing"
    for w in _words(
        "ris fall weaken strengthen climb dropp declin slow accelerat grow shrink increas decreas eas tighten"
        " loosen recover rebound slipp slid surg soar tumbl plung stabilis stabiliz improv worsen deteriorat"
        " widen narrow peak continu remain stay hold cutt rais hik los gain win default collaps fad return"
        " edg drift"
    )
)
_ORG_SPEAKERS = _words("official spokesperson spokesman spokeswoman")
_NEEDS_MODIFIER = _words("file cable")
# A bare group of people is a source only as the agent of a passive of belief ("is believed by locals to"),
# not of any speech or stance ("was welcomed by fans", "was supported by voters").
_COGNITION_PARTICIPLES = _words(
    "believed thought considered regarded seen viewed feared expected suspected understood said reported"
    " rumoured rumored alleged claimed estimated assumed presumed reckoned deemed"
)
_STANCE_PARTICIPLES = _words(
    "opposed supported favoured favored backed endorsed resisted embraced welcomed trusted distrusted"
    " mistrusted admired resented disliked"
)
_TELL_VERBS = _words(
    "told tell tells telling briefed brief briefs briefing assured assure assures reassured informed inform"
    " informs reminded warned warn warns urged asked ask asks addressed"
)
_VENUE_VERBS = _words(
    "surfaced surface surfaces emerged emerge emerges appeared appear appears circulated circulate published"
    " printed aired broadcast ran"
)
_VENUE_PREPS = _words("in on by")
_BEFORE_ADJECTIVE = _words("and or amid over into against after following despite his her their its")


def _credit_in_span(t: _Tokens, i: int, j: int, *, publications: bool) -> int:
    """The end of a name after a crediting preposition or participle in tokens[i:j] ("at Goldman Sachs"),
    or 0 when there is none."""
    for k in range(i, j):
        w = t.lows[k]
        if w in _CREDIT_PREPS or w in _PUBLICATION_VERBS or (publications and w == "in"):
            m = k + 1
            while m < j and m - k <= 3 and not t.capitalised(m) and t.lows[m] not in _SPEECH:
                m += 1  # "in the journal Nature", "by the charity Shelter"
            if m < j and _is_name_token(t, m):
                while m + 1 < j and (t.capitalised(m + 1) or t.lows[m + 1] in _NAME_JOINERS):
                    m += 1
                while not t.capitalised(m):
                    m -= 1
                return m + 1
    return 0


def _names_in(t: _Tokens, i: int, j: int) -> bool:
    return any(_is_name_token(t, k) or _person_name_at(t, k) for k in range(i, j) if t.capitalised(k))


def _verb_ok(t: _Tokens, j: int, verbs: frozenset[str]) -> bool:
    w = t.lows[j]
    if w not in verbs:
        return False
    lemma = _NEEDS_NEXT_OF.get(w)
    if lemma in {"show", "find"} and verbs is _REPORT_VERBS:
        return True  # "Data shows house prices fell", "A study found people sleep less"
    if lemma == "see" and t.word(j + 1) not in _NEEDS_NEXT["see"]:
        # A forecast: "strategists see the dollar weakening", "see rates falling", "see the bank as a target".
        for k in range(j + 2, min(t.n, j + 7)):
            if t.lows[k] in _TREND_VERBS or t.lows[k] == "as":
                return True
            if not t.is_word(k) or t.lows[k] in _CLAUSE_STOP:
                return False
        return False
    return lemma is None or t.word(j + 1) in _NEEDS_NEXT[lemma]


def _scan_after(t: _Tokens, np: _NounPhrase, verbs: frozenset[str], *, publications: bool) -> bool:
    """True when the phrase is the subject of a verb in ``verbs``; sets credits and ``np.end`` on the way."""
    j = np.head + 1
    if j < t.n and t.capitalised(j) and _person_name_at(t, j):  # "economist Paul Krugman"
        np.credited_person = True
    copula = seen_aux = False
    steps = 0
    while j < t.n and steps < 40:
        steps += 1
        w = t.lows[j]
        if w == ",":
            # A parenthetical: ", including Jane Roe of RAND,", ", who asked not to be named,", ", however,".
            close = j + 1
            limit = min(t.n, j + 26)
            while close < limit and t.lows[close] != ",":
                if t.lows[close] in {".", ";", "?", "!", ":"}:
                    close = limit
                    break
                close += 1
            if close >= limit:
                return False
            nxt = t.word(j + 1)
            if nxt in _INCLUDING or nxt == "such" or _person_name_at(t, j + 1) or nxt == "led":
                if _names_in(t, j + 1, close):
                    np.credited_person = True
                    np.credit_end = max(np.credit_end, close)
            elif not (nxt in _PARENTHETICAL_STARTS or nxt in _ARTICLES or nxt.endswith("ly")):
                return False
            np.end = max(np.end, close)
            j = close + 1
            continue
        if (
            w in _POSTMOD_STARTS
            and not seen_aux
            and (w not in _PUBLICATION_VERBS or t.word(j + 1) in _PARTICIPLE_NEXT)
        ):
            # A post-modifier: "at Goldman Sachs", "of missile transfers between the two countries",
            # "close to the player", "who study the virus".
            k = j + 1
            if w == "who":
                while k < t.n and t.lows[k] in _AUX:
                    k += 1
                k = min(k + 1, t.n)  # the relative clause's own verb ("analysts who" may end the text)
            limit = min(t.n, j + 14)
            while k < limit:
                x = t.lows[k]
                if not t.is_word(k):
                    break
                prev = t.lows[k - 1]
                if x in _AUX and x not in _AUX_INSIDE_POSTMODS:
                    break
                if (
                    x in verbs
                    and prev not in _DETERMINERS_DEFINITE
                    and prev not in _DETERMINERS_INDEFINITE
                    and prev not in _POSTMOD_PREPS
                    and not prev.endswith(("'s", "\u2019s"))
                ):
                    break
                k += 1
            credit_end = _credit_in_span(t, j, k, publications=publications)
            if credit_end:
                np.credited_org = True
                np.credit_end = max(np.credit_end, credit_end)
            np.end = max(np.end, k)
            j = k
            continue
        if w in _CONJUNCTIONS and j + 1 < t.n and t.is_word(j + 1):
            # "Economists and bankers say": skip the other conjunct (a few words, no verb).
            k = j + 1
            while (
                k < t.n and k - j <= 4 and t.is_word(k) and t.lows[k] not in _AUX and t.lows[k] not in verbs
            ):
                k += 1
            if k == j + 1:
                return False
            j = k
            continue
        if w in _AUX:
            if w == "to" and t.word(j - 1) not in _TO_AFTER:
                return False
            copula = copula or w in _COPULAS
            seen_aux = True
            j += 1
            continue
        if w.endswith("ly") and len(w) > 4 and t.is_word(j):
            j += 1
            continue
        if copula and w in _DEGREE and t.word(j + 1) in _OPINION_ADJECTIVES:
            return True
        if copula and w in _OPINION_ADJECTIVES:
            return True
        return _verb_ok(t, j, verbs)
    return False


def _scan_before(t: _Tokens, np: _NounPhrase, *, report: bool) -> bool:
    """A source frame before the phrase: "according to", "said one analyst", "criticism from"."""
    s = np.start
    w1, w2 = t.word(s - 1), t.word(s - 2)
    if w1 == "to" and w2 == "according":
        return True
    if w1 in _INVERTED_SAY and (s - 2 < 0 or t.lows[s - 2] in _QUOTES_AND_COMMAS):
        return not _finite_after(t, np.head + 1)
    if w1 == "of" and w2 in _VIEW_NOUNS:
        return True
    if w1 in _SOURCE_PREPS and (w2 in _SPEECH_NOUNS or (w1 == "by" and w2 in _SPEECH)):
        return True
    if _by_agent(t, s):
        return True
    if w1 in _FOR_FRAMES and t.sentence_initial(s - 1) and t.word(np.head + 1) == ",":
        return True
    return report and w1 in _REPORT_FRAMES


def _finite_after(t: _Tokens, j: int) -> bool:
    """A verb of its own after a phrase: "..., said several glaciers had gone" (the phrase is a subject
    in the reported clause), unlike "..., said one analyst who has followed the firm"."""
    for k in range(j, min(t.n, j + 8)):
        w = t.lows[k]
        if not t.is_word(k) or w in _RELATIVES:
            return False
        if w in _FINITE_AUX:
            return True
    return False


def _np_range(t: _Tokens, np: _NounPhrase) -> tuple[int, int]:
    """The phrase up to the name that credits it ("Analysts at Moody's"), or up to its head."""
    end = min(max(np.credit_end, np.head + 1), t.n)
    while end - 1 > np.head and not t.is_word(end - 1):
        end -= 1
    return t.starts[np.start], t.ends[end - 1]


def _by_agent(t: _Tokens, start: int) -> bool:
    """The agent of a passive of speech or stance: "is believed by locals", "is opposed by residents"."""
    return t.word(start - 1) == "by" and (
        t.word(start - 2) in _SPEECH or t.word(start - 2) in _STANCE_PARTICIPLES
    )


def _saying_after(t: _Tokens, j: int) -> bool:
    """A participle of speech after a comma later in the clause: "..., saying buses were too slow"."""
    for k in range(j, min(t.n - 1, j + 30)):
        w = t.lows[k]
        if w in {";", ":", "?", "!"}:
            return False
        if w == "," and t.lows[k + 1] in _SAYING:
            return True
    return False


def _passive_after(t: _Tokens, j: int) -> bool:
    """The verb after the phrase is passive: "Others will be assessed", "Some were told to leave"."""
    k = j
    while k < t.n and t.lows[k] in _AUX:
        k += 1
    if k == j or k >= t.n or t.lows[k - 1] not in _BE_FORMS:
        return False
    w = t.lows[k]
    return w not in _OPINION_ADJECTIVES and (w.endswith(("ed", "en")) or w in _IRREGULAR_PARTICIPLES)


def _audience(t: _Tokens, start: int) -> bool:
    """The object of a verb of telling: "told analysts", "briefed diplomats" (not '"..," warned analysts')."""
    w = t.word(start - 1)
    if w not in _TELL_VERBS:
        return False
    return not (w in _INVERTED_SAY and (start - 2 < 0 or t.lows[start - 2] in _QUOTES_AND_COMMAS))


def _venue_after(t: _Tokens, j: int) -> bool:
    """A named venue after the verb of a report: "surfaced last month in the business daily Calcalist"."""
    limit = min(t.n, j + 8)
    while j < limit and (t.lows[j] in _AUX or t.lows[j].endswith("ly")):
        j += 1
    if j >= limit or t.lows[j] not in _VENUE_VERBS:
        return False
    for k in range(j + 1, min(t.n, j + 10)):
        w = t.lows[k]
        if not t.is_word(k) or w in _CLAUSE_STOP:
            return False
        if w in _VENUE_PREPS:
            for m in range(k + 1, min(t.n, k + 7)):
                if not t.is_word(m):
                    return False
                if _is_name_token(t, m):
                    return True
            return False
    return False


def _apposition_to_name(t: _Tokens, comma: int) -> bool:
    """A name and a comma before ``comma + 1``: "Victor Cha, a Korea expert", not an opening adverbial
    ("Elsewhere, rights groups", "On Tuesday, critics", "In Brussels, diplomats")."""
    if t.word(comma) != "," or not (t.capitalised(comma - 1) or t.word(comma - 1) in {"jr", "jr."}):
        return False
    if t.word(comma - 1) in _TIME_WORDS:
        return False
    k = comma - 1
    while k > t.first and t.is_word(k - 1):
        k -= 1
    if k != t.first:
        return True
    first = t.lows[k]
    return not (first in _OPENING_PREPS or (k == comma - 1 and first in _OPENING_ADVERBS))


def _noun_candidate(t: _Tokens, i: int, kind: str, lemma: str, out: list[_Candidate], extra: bool) -> None:
    """Decide whether the noun at ``i`` is an uncredited source and append the candidate."""
    w = t.lows[i]
    if t.capitalised(i) and not t.sentence_initial(i) and not t.words[i].isupper():
        return  # part of a name: "the Office for National Statistics", "Human Rights Watch"
    # Only the head of a compound: "media reports" is about "reports", "Local media outlets" about "outlets".
    nxt = t.word(i + 1)
    if (
        nxt in _LEMMA
        and not t.capitalised(i + 1)
        and not extra
        and not (nxt in _SPEECH and nxt == _LEMMA[nxt])
    ):
        return
    if w.endswith(("'", "\u2019")):  # "the analysts' union"
        return
    np = _premodifiers(t, i)
    premod_words = [t.lows[k] for k in np.premods]
    definite = np.determiner in _DETERMINERS_DEFINITE
    if kind == "collective_mod":
        mods = {m.rstrip(".") for m in premod_words}
        ok = (
            (
                lemma in _MEDIA_NOUNS
                and (mods & _MEDIA_MODIFIERS or (lemma in _MASS_MEDIA and np.determiner == "the"))
            )
            or (lemma == "community" and "international" in mods)
            or (lemma == "leader" and mods & _LEADER_MODIFIERS)
            or (lemma in {"government", "capital", "circle"} and mods & _GOVERNMENT_MODIFIERS)
            or (
                lemma in {"group", "organisation", "organization", "agency", "union", "outlet"}
                and mods & (_GROUP_MODIFIERS | _MEDIA_MODIFIERS)
            )
        )
        if (
            not ok
            or (definite and np.determiner != "the")
            or (definite and lemma not in _MASS_MEDIA and lemma != "community")
        ):
            return
        kind = "collective"
    elif kind == "collective":
        if definite and np.determiner not in _POSSESSIVES:
            return
    elif kind == "person":
        believed_by = t.word(np.start - 1) == "by" and t.word(np.start - 2) in _COGNITION_PARTICIPLES
        if not np.quantified and (np.determiner or not believed_by):
            return  # "many residents say", "is believed by locals to", not "residents said"
    elif definite or np.possessive_lower:
        return
    if kind == "report":
        if np.determiner and np.determiner not in _REPORT_PREMODS_OK and np.determiner != "number":
            return
        if w in _SINGULAR_FORMS and not np.determiner:
            return  # "Report finds ..." headline style, or "study" as a verb
        if lemma in _NEEDS_MODIFIER and not np.determiner and not np.premods:
            return  # "files" and "cables" as verbs
        if lemma == "figure" and set(premod_words) & _words(
            "senior leading prominent political party public key top"
        ):
            kind = "official"
    elif w in _SINGULAR_FORMS and not np.determiner and not np.premods:
        return  # a bare singular is a title or a verb ("Analyst Jane Roe", "critic" as in "film critic")
    report = kind == "report"
    if _audience(t, np.start):
        return  # "told analysts on a call that ...": the people spoken to are not the source
    verbs = _REPORT_VERBS if report else _SPEECH
    source = _scan_before(t, np, report=report)
    source = _scan_after(t, np, verbs, publications=report) or source
    # Apposition to a name before: "Victor Cha, a Korea expert at CSIS, said".
    if _apposition_to_name(t, np.start - 1):
        np.credited_person = True
    if not source and kind == "collective" and lemma == "community" and np.start == t.first:
        # "The international community has failed to ...": the vague actor of any verb at the start.
        after = t.word(np.end)
        source = after in _FINITE_AUX or (after.endswith("ed") and after not in _POSTMOD_STARTS)
    if not source and np.quantified and kind == "person" and np.start == t.first:
        source = _saying_after(t, np.end)  # "Many residents ... supported the plan, saying ..."
    if not source and not (np.credited_org or np.credited_person):
        return  # not a source; a credited group is kept below as a mention for the article context
    # An official or a spokesperson of a named organisation is credited like an analyst at a named firm
    # ("A spokeswoman for Tesco", "Treasury officials"); an aide, an adviser or a source only by a name.
    if kind == "official" and lemma not in _ORG_SPEAKERS:
        credited = np.credited_person
    else:
        credited = np.credited_person or np.credited_org
    if report and not credited and source and _venue_after(t, np.end):
        credited = True  # "Rumours of a deal surfaced in the newspaper Calcalist"
    if not source and not credited:
        return
    if kind == "official" and w == "sources" and not np.premods and np.end <= i + 1 and not np.determiner:
        kind = "report"  # bare "Sources say", "according to sources"
    out_kind = {
        "expert": ANONYMOUS_EXPERTS,
        "collective": VAGUE_COLLECTIVE,
        "official": ANONYMOUS_OFFICIAL,
        "report": UNNAMED_REPORT,
        "person": VAGUE_COLLECTIVE,  # "believed by locals"; quantified ones are vague quantities below
    }[kind]
    if extra:
        out_kind = VAGUE_COLLECTIVE
    if np.quantified and kind in {"person", "collective"}:
        out_kind = VAGUE_QUANTITY
    start, end = _np_range(t, np)
    if np.quantified or report or kind == "official":
        cue_start = t.starts[np.start]
    else:
        first_mod = next((k for k in np.premods if not _is_name_token(t, k)), i)
        cue_start = t.starts[min(first_mod, i)]
    out.append(
        _Candidate(
            kind=out_kind,
            start=cue_start,
            end=t.ends[i],
            noun=w,
            lemma=lemma,
            credited=credited,
            np_start=start,
            np_end=end,
        )
    )


def _quantifier_candidate(t: _Tokens, i: int, out: list[_Candidate]) -> None:
    """Quantified sources: "Some believe", "Many in the party think", "Others argue", "Some fans feel"."""
    w = t.lows[i]
    prev = t.word(i - 1)
    nxt = t.word(i + 1)
    if w == "of":
        start = i - 1
        while start > 0 and t.lows[start - 1] in _QUANTIFIER_OPENERS:
            start -= 1
    else:
        if (
            prev == "the"
            or (w in _DEGREE_QUANTIFIERS and prev in _NOT_VAGUE_BEFORE)
            or (w == "others" and prev in _BEFORE_OTHERS)
        ):
            return  # "how many", "so many", not "many say"
        if nxt[:1].isdigit() or (w == "most" and prev == "at"):
            return
        start = i - 1 if prev == "a" and w == "few" else i
        if w == "few" and prev == "quite":
            start = i - 2
    # The head: the quantifier itself ("Some believe") or the unknown noun after it ("Some fans feel").
    head = i
    k = i + 1
    while k < t.n and k - i <= 3 and t.is_word(k):
        x = t.lows[k]
        if x in _LEMMA and (x not in _SPEECH or _LEMMA[x] != x) and not (x in _PERSONS and x not in _EXPERT):
            return  # a known noun: handled as a noun ("many economists", "several reports")
        if x in _SPEECH and x in _NOUNISH_PLURALS and t.word(k + 1) in _AUX:
            head = k  # a noun after all: "many projects will", "some forecasts are"
            break
        if x in _AUX or x in _SPEECH or x in _POSTMOD_PREPS or x in _CLAUSE_STOP:
            break
        head = k
        k += 1
    if w == "of" and head == i:
        return
    if head != i and t.lows[head] == "of":
        return
    np = _NounPhrase(head=head, start=start, end=head + 1, quantified=True)
    if _scan_after(t, np, _SPEECH, publications=False):
        if _passive_after(t, np.end):
            return  # "Others in the squad will be assessed": spoken of, not speaking
    elif start == t.first and w != "of" and _saying_after(t, np.end):
        # "Many drivers queued for hours, saying ...": the head is the noun, not the verb after it.
        while head > i and t.lows[head].endswith("ed"):
            head -= 1
    elif not _scan_before(t, np, report=False):
        return
    s, e = _np_range(t, np)
    out.append(
        _Candidate(
            kind=VAGUE_QUANTITY,
            start=t.starts[start],
            end=t.ends[head],
            noun=t.lows[head],
            lemma=t.lows[head],
            credited=np.credited_person or np.credited_org,
            np_start=s,
            np_end=e,
        )
    )


def _hedge_candidate(t: _Tokens, i: int, out: list[_Candidate]) -> None:
    w = t.lows[i]
    if w == "reported":
        # "for a reported fee of", "a fee reported to be": not "reported cases", "he reported to the police",
        # nor "is reported to" (an agentless passive).
        prev = t.word(i - 1)
        if not (
            prev in {"a", "an"}
            or (t.word(i + 1) == "to" and t.word(i + 2) in {"be", "have"} and prev not in _COPULAS)
        ):
            return
    if w in {"alleged", "purported"}:
        prev = t.word(i - 1)
        adjective = (
            i == t.first
            or not t.is_word(i - 1)
            or prev in _DETERMINERS_DEFINITE
            or prev in _DETERMINERS_INDEFINITE
            or prev in _POSTMOD_PREPS
            or prev in _COPULAS
            or prev in _BEFORE_ADJECTIVE
            or prev.endswith(("'s", "\u2019s"))
            or t.word(i + 1) == "to"
        )
        if not adjective:
            return  # "prosecutors alleged", "the lawsuit alleged"
    out.append(_Candidate(kind=HEDGE, start=t.starts[i], end=t.ends[i], noun=w, lemma=w))


# "has been criticised by shop owners": a passive of criticism whose agent is a bare plural group.
_CRITICISM_AGENT_RE = re.compile(
    r"\b(?:critici[sz]ed|opposed|condemned|attacked|slammed|derided|lambasted|denounced)\s+by\s+"
    r"((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*[^s'\u2019\W]s)\b(?!['\u2019]|\s+(?:of|at|from|in|with|for\s+[A-Z]))"
)
_CRITICISM_TRIGGERS = _words(
    "criticised criticized opposed condemned attacked slammed derided lambasted denounced"
)
_NOT_AGENT_WORDS = (
    _DETERMINERS_DEFINITE
    | _DETERMINERS_INDEFINITE
    | _FUNCTION_WORDS
    | _CLAUSE_STOP
    | _POSTMOD_PREPS
    | _AUX
    | _words("us them its this his hers theirs ours yours means")
)


def _criticism_agent_candidates(text: str, start: int, end: int, out: list[_Candidate]) -> None:
    """A bare plural group as the agent of criticism: "was condemned by rival traders"."""
    for m in _CRITICISM_AGENT_RE.finditer(text, start, end):
        agent = m.group(1).split()
        if any(w in _NOT_AGENT_WORDS for w in agent) or _NOUN_KIND.get(agent[-1], "person") != "person":
            continue  # "by the council", "by critics" (a known noun, judged as a noun)
        s, e = m.start(1), m.end(1)
        out.append(
            _Candidate(
                kind=VAGUE_COLLECTIVE, start=s, end=e, noun=agent[-1], lemma=agent[-1], np_start=s, np_end=e
            )
        )


def _has_agent(text: str, pos: int, end: int, window: int) -> bool:
    """A "by" agent right after a passive ("criticised by the regulator"), within ``window`` characters."""
    after = text[pos : min(end, pos + window + 40)]
    cut = len(after)
    for stop in ".;:!?\n":
        k = after.find(stop)
        if k != -1:
            cut = min(cut, k)
    m = _BY_RE.search(after, 0, cut)
    return m is not None and m.start() <= window


def _passive_candidates(
    text: str, start: int, end: int, runs: AbstractSet[str] | None, out: list[_Candidate]
) -> None:
    for pattern, window, needs in _PASSIVE_PATTERNS:
        if runs is not None and any(runs.isdisjoint(words) for words in needs):
            continue
        for m in pattern.finditer(text, start, end):
            if window >= 0 and _has_agent(text, m.end(), end, window):
                continue  # an agent; a vague one ("by critics") is caught as a noun
            cue = text[m.start() : m.end()]
            out.append(_Candidate(kind=AGENTLESS_PASSIVE, start=m.start(), end=m.end(), noun=cue.lower()))


def _anonymous_candidates(
    t: _Tokens, text: str, start: int, end: int, runs: AbstractSet[str] | None, out: list[_Candidate]
) -> None:
    if runs is None or not runs.isdisjoint(_ANONYMOUS_NEEDS):
        for m in _ANONYMOUS_RE.finditer(text, start, end):
            out.append(_Candidate(kind=ANONYMOUS_OFFICIAL, start=m.start(), end=m.end(), noun="anonymity"))
    if runs is not None and runs.isdisjoint(_CLOSE_TO_NEEDS):
        return
    for m in _CLOSE_TO_RE.finditer(text, start, end):
        # "people close to the family" is a source only as the subject of a speech verb
        head = _token_at(t, m.start())
        if head is None:
            continue
        words = text[m.start() : m.end()].split()
        if words[0].lower() == "a":
            head += 1
        np = _NounPhrase(head=head, start=head if words[0].lower() != "a" else head - 1, end=head + 1)
        if _scan_after(t, np, _SPEECH, publications=False) or _scan_before(t, np, report=False):
            out.append(_Candidate(kind=ANONYMOUS_OFFICIAL, start=m.start(), end=m.end(), noun="close"))


def _token_at(t: _Tokens, offset: int) -> int | None:
    lo, hi = 0, t.n
    while lo < hi:
        mid = (lo + hi) // 2
        if t.starts[mid] < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < t.n and t.starts[lo] == offset else None


# ---------------------------------------------------------------------------------------------
# Policy helpers (compiled once per distinct setting)


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


_PRIORITY = {
    ANONYMOUS_EXPERTS: 0,
    VAGUE_COLLECTIVE: 1,
    UNNAMED_REPORT: 2,
    ANONYMOUS_OFFICIAL: 3,
    VAGUE_QUANTITY: 4,
    AGENTLESS_PASSIVE: 5,
    HEDGE: 6,
}
_CUE_WORDS = frozenset(_LEMMA) | _QUANTIFIERS | _QUANTIFIER_NOUNS | _HEDGES
# The tokens that the loop of _candidates does something with.
_LOOKED_AT = frozenset(_NOUN_KIND) | _QUANTIFIERS | _HEDGES | {"of"}
_ANONYMOUS_TRIGGERS = _words(
    "condition anonymity named identified familiar briefed knowledge privy authorized authorised permitted"
    " allowed cleared close involved aware"
)


# The words that _ANONYMOUS_RE and _CLOSE_TO_RE cannot match without (as runs of letters).
_ANONYMOUS_NEEDS = _words(
    "condition asked requested wished declined refused want granted given authorized authorised permitted"
    " allowed cleared familiar briefed knowledge privy"
)
_CLOSE_TO_NEEDS = _words("close involved aware")
# Characters that re.IGNORECASE matches to an ASCII letter but str.lower() does not turn into it.
_FOLD_TRAPS = "\u0130\u0131\u017f\u212a"


def _letter_runs(sentence: str, low: str, words: set[str]) -> AbstractSet[str] | None:
    """The runs of letters a-z of ``low`` (the lower-cased sentence, whose ``_WORD_RE`` words are ``words``).

    A pattern that needs one of some words (as whole runs of letters) can be skipped when none is among
    them, with the same result as running it; None (run every pattern) when a character of the sentence
    case-folds to an ASCII letter under re.IGNORECASE but not under str.lower() ("\u017f" matches "s").
    """
    if any(ch in sentence for ch in _FOLD_TRAPS):
        return None
    if "'" not in low and "\u2019" not in low:
        return words
    return {part for word in words for part in _APOSTROPHE_RE.split(word)}


def _candidates(text: str, start: int, end: int, policy: Policy) -> list[_Candidate]:
    """Every cue of the sentence text[start:end], credited or not, before the policy is applied."""
    sentence = text[start:end]
    low = sentence.lower()
    words = set(_WORD_RE.findall(low))
    extra = _extra_re(policy.extra_vague_terms)
    has_nouns = not words.isdisjoint(_CUE_WORDS)
    has_passive = not words.isdisjoint(_PASSIVE_TRIGGERS)
    has_anonymous = not words.isdisjoint(_ANONYMOUS_TRIGGERS)
    extra_matches = list(extra.finditer(text, start, end)) if extra is not None else []
    out: list[_Candidate] = []
    runs = _letter_runs(sentence, low, words) if has_anonymous or has_passive else None
    if has_nouns or has_anonymous or extra_matches:
        t = _Tokens(text, start, end)
        extra_heads: set[int] = set()
        for m in extra_matches:
            head = _token_at(t, m.start())
            if head is None:
                continue
            while head + 1 < t.n and t.ends[head] < m.end():
                head += 1
            extra_heads.add(head)
            _noun_candidate(t, head, "collective", t.lows[head], out, True)
        for i in [i for i, w in enumerate(t.lows) if w in _LOOKED_AT]:
            if i in extra_heads:
                continue
            w = t.lows[i]
            kind = _NOUN_KIND.get(w)
            if kind is not None:
                _noun_candidate(t, i, kind, _LEMMA[w], out, False)
            elif w in _QUANTIFIERS or (w == "of" and t.word(i - 1) in _QUANTIFIER_NOUNS):
                _quantifier_candidate(t, i, out)
            if w in _HEDGES:
                _hedge_candidate(t, i, out)
        if has_anonymous:
            _anonymous_candidates(t, text, start, end, runs, out)
    if has_passive:
        _passive_candidates(text, start, end, runs, out)
    if " by " in sentence and not words.isdisjoint(_CRITICISM_TRIGGERS):
        _criticism_agent_candidates(text, start, end, out)
    return out


# ---------------------------------------------------------------------------------------------
# Messages


def _message(c: _Candidate, cue: str) -> str:
    noun = c.noun
    if c.kind == ANONYMOUS_EXPERTS:
        return f"Which {noun}? Name them, or link the report they wrote."
    if c.kind == VAGUE_QUANTITY:
        ask = "Name who holds this view, or cite a poll that measures it."
        return f"Who are \u201c{cue}\u201d, and how many? {ask}"
    if c.kind == UNNAMED_REPORT:
        return f"Which {noun}? Name who published it and when, or link it."
    if c.kind == AGENTLESS_PASSIVE:
        return f"\u201c{cue}\u201d by whom? Name who believes or says this."
    if c.kind == HEDGE:
        return f"\u201c{cue}\u201d according to whom? Name who makes the claim and what it rests on."
    if c.kind == VAGUE_COLLECTIVE:
        group = cue.lower() if cue[:1].isupper() and cue[1:2].islower() else cue
        return f"Which {group}? Name the people or organisations, or link their statement."
    return "Who is the source? Name them, or record who they are and why the newsroom granted anonymity."


# ---------------------------------------------------------------------------------------------
# Public API


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
    link_ranges = [(a, b) for a, b in links if a < end and b > start]
    allowed = _phrase_re(policy.allowed_phrases)
    allowed_ranges = [m.span() for m in allowed.finditer(text, start, end)] if allowed is not None else []
    kept: list[_Candidate] = []
    for c in sorted(candidates, key=lambda c: (_PRIORITY[c.kind], c.start)):
        lo, hi = min(c.start, c.np_start or c.start), max(c.end, c.np_end)
        if any(a < hi and b > lo for a, b in link_ranges):
            continue
        if any(a < c.end and b > c.start for a, b in allowed_ranges):
            continue
        if any(k.start < c.end and c.start < k.end for k in kept):
            continue
        kept.append(c)
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
