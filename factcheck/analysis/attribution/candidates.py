"""The cues of a sentence, each judged: is it the source of a claim, and is it credited?

A cue is a source noun ("analysts"), a quantified group ("some economists"), a hedge, an agentless
passive or an anonymity phrase.  Each becomes a candidate with its noun phrase and whether a name
credits it; :mod:`.flags` then applies the newsroom's policy.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from factcheck.analysis.attribution.kinds import (
    AGENTLESS_PASSIVE,
    ANONYMOUS_EXPERTS,
    ANONYMOUS_OFFICIAL,
    HEDGE,
    UNNAMED_REPORT,
    VAGUE_COLLECTIVE,
    VAGUE_QUANTITY,
)
from factcheck.analysis.attribution.patterns import (
    _ANONYMOUS_RE,
    _BY_RE,
    _CLOSE_TO_RE,
    _PASSIVE_PATTERNS,
    _PASSIVE_TRIGGERS,
    _extra_re,
)
from factcheck.analysis.attribution.policy import Policy
from factcheck.analysis.attribution.tokens import _is_name_token, _person_name_at, _Tokens
from factcheck.analysis.attribution.vocabulary import (
    _APOSTROPHE_RE,
    _AUX,
    _CAUSATIVES,
    _CLAUSE_STOP,
    _COPULAS,
    _CREDIT_PREPS,
    _DEGREE,
    _DETERMINERS_DEFINITE,
    _DETERMINERS_INDEFINITE,
    _EXPERT,
    _FEELING_VERBS,
    _FUNCTION_WORDS,
    _GROUP_MODIFIERS,
    _HEDGES,
    _INCLUDING,
    _INTERVIEW_VERBS,
    _LEADER_MODIFIERS,
    _LEMMA,
    _MEDIA_MODIFIERS,
    _NEEDS_NEXT,
    _NEEDS_NEXT_OF,
    _NOT_NAMES,
    _NOUN_KIND,
    _NOUNISH_PLURALS,
    _NOUNISH_VERBS,
    _OPINION_ADJECTIVES,
    _PARENTHETICAL_STARTS,
    _PERSONS,
    _PLURAL_MASS,
    _POSTMOD_PREPS,
    _PRONOUN_SUBJECTS,
    _PUBLICATION_VERBS,
    _QUANTIFIER_NOUNS,
    _QUANTIFIERS,
    _REPORT_FRAMES,
    _REPORT_PREMODS_OK,
    _REPORT_VERBS,
    _SAY_VERBS,
    _SINGULAR_FORMS,
    _SPEAKERS,
    _SPEECH,
    _SPEECH_NOUNS,
    _WORD_RE,
    _words,
)


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


_CLAUSE_THAT = _words("that this")
# "one person tweeted", "another supporter wrote", "a lawmaker says", "someone told him".
_SINGULAR_OPENERS = _words("a an one another")
_SOMEONE = _words("someone somebody")
_FIRST_PERSON = _words("i we i've we've i'd we'd i\u2019ve we\u2019ve")
_NEAR_SOURCE = _words("close familiar involved aware briefed with")
_PLURAL_GROUPS = _words("leader outlet group organisation organization")
_AGENT_PREPS = _words("by from")
_OBJECT_PREPS = _words("by to for")
_ARTICLES_INDEFINITE = _words("a an")
# A sentence that says "according to" names its source there (and a vague one is flagged there).
_ACCORDING_TO_RE = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_LABEL_NOUNS = _words("email e-mail file files data document documents memo source sources")
_SURVEYS = _words("poll survey study research census")
_POLLS = _words("poll survey")
# Premodifiers that keep "figures" statistics: "official figures", "new figures", "unemployment figures".
_FIGURE_PREMODS = _words(
    "official new latest recent government preliminary provisional final monthly annual quarterly weekly"
    " unemployment sales trade population fundraising"
)
# Verbs whose object is a document of their subject's: "she sent an email", "he released a report".
_SENDING_VERBS = _words("sent send sends sending released releases published publishes issued issues posted")
# A relative clause about a named person, still open: "Mr. Trump, who is regarded as ...".
_ABOUT_A_NAME_RE = re.compile(r"[A-Z][\w.'\u2019-]*,\s+(?:who|whose)\b[^,;:()\u2014]*$")
# Verbs that credit a claim to a speaker or a legal process in the same sentence.
_CREDITING_VERBS = _words(
    "said says told tells alleges charged charges accused accuses indicted sued testified claimed claims"
    " wrote writes stated states"
)
_PEOPLE_PRONOUNS = _words("us them you those these whom")
# Suffixes of nouns of agents and members: "-ers", "-ists", "-ians", "-ants", "-ents", "-ives", "-ees".
_AGENT_SUFFIXES = _words("ers ors ists ians ants ents ives ees crats cans als ites ics")
# Who has read a report, not who wrote it: "a memo seen by reporters".
_READER_VERBS = _words("seen obtained reviewed cited quoted interviewed contacted consulted questioned")


def _plural(word: str) -> bool:
    """A plural noun: a known plural form, or an unknown word ending in a plural -s."""
    lemma = _LEMMA.get(word)
    if lemma is not None:
        return lemma != word or word in _PLURAL_MASS
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


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
        if w in _CLAUSE_THAT and _plural(t.lows[head]):
            break  # "information that officials said ...": a clause opens, no determiner of the phrase
        if w in _DETERMINERS_DEFINITE or w in _DETERMINERS_INDEFINITE:
            np.determiner = w
            np.start = i
            break
        if w == "other" and t.word(i - 1) in _DETERMINERS_DEFINITE | _DETERMINERS_INDEFINITE:
            mods.append(i)  # "the other candidates", "two other aides": the determiner decides
            np.start = i
            i -= 1
            continue
        if w in _QUANTIFIERS or w == "other":
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
            or (w in _SPEECH and w not in _NOUNISH_VERBS and not t.capitalised(i))
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
_PARTICIPLE_NEXT = _words(
    "by in for at from on last this earlier online yesterday today monday tuesday wednesday thursday friday"
    " saturday sunday"
)
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
                if t.lows[m] in _POSTMOD_PREPS or t.lows[m] in _ARTICLES_INDEFINITE:
                    break  # "at the convention in Philadelphia", "in a New Hampshire paper"
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
    if lemma == "call" and _object_gap(t, j):
        return True  # "a bill that critics called anti-gay", "what economists call spending"
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


def _object_gap(t: _Tokens, j: int) -> bool:
    """The verb at ``j`` has its object before it, in a relative clause: "(a bill) that critics called"."""
    k = j - 1
    while k > t.first and t.is_word(k) and t.lows[k] not in _RELATIVES and t.lows[k] != "what" and j - k < 6:
        k -= 1
    return t.word(k) in _RELATIVES or t.word(k) == "what"


def _scan_after(t: _Tokens, np: _NounPhrase, verbs: frozenset[str], *, publications: bool) -> bool:
    """True when the phrase is the subject of a verb in ``verbs``; sets credits and ``np.end`` on the way."""
    j = np.head + 1
    if j < t.n and t.capitalised(j) and _person_name_at(t, j):  # "economist Paul Krugman"
        np.credited_person = True
    example = j + 2 if t.word(j) == "such" and t.word(j + 1) == "as" else j + 1
    if (t.word(j) in _INCLUDING or example == j + 2) and _names_in(t, example, min(t.n, example + 3)):
        np.credited_person = True  # "experts like Paul Bauman", "groups such as Amnesty"
    copula = seen_aux = False
    steps = 0
    while j < t.n and steps < 40:
        steps += 1
        w = t.lows[j]
        if w == "to" and j == np.head + 1 and t.word(np.start - 1) in _CAUSATIVES:
            return _verb_ok(t, j + 1, verbs)  # "led some allies to worry", "leaving some to question"
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
            # "a report published on Monday", not "outlets reported on Wednesday" (a verb of their own)
            and (
                w not in _PUBLICATION_VERBS
                or (t.word(j + 1) in _PARTICIPLE_NEXT and (publications or w not in verbs))
            )
        ):
            # A post-modifier: "at Goldman Sachs", "of missile transfers between the two countries",
            # "close to the player", "who study the virus".
            k = j + 1
            if w == "who":
                while k < t.n and t.lows[k] in _AUX:
                    k += 1
                if t.word(k) in _SAY_VERBS:
                    return True  # "there are some experts who think ..."
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
    if w1 in _FEELING_VERBS or (w1 in _QUANTIFIERS and w2 in _FEELING_VERBS):
        return True  # "the ruling surprised (many) legal scholars"
    if w1 in _FOR_FRAMES and t.sentence_initial(s - 1) and t.word(np.head + 1) == ",":
        return True
    if not (report and w1 in _REPORT_FRAMES):
        return False
    # "amid reports that ...", "after a poll showed ...", not "after polls closed" (a verb of its own).
    after = t.word(np.head + 1)
    return after in _REPORT_VERBS or not (after in _FINITE_AUX or after.endswith("ed"))


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


def _vague_agent(t: _Tokens, k: int) -> bool:
    """The phrase at ``k`` names nobody: a pronoun, an indefinite, a known source noun ("by researchers")."""
    if t.lows[k] in _PRONOUN_SUBJECTS:
        return True
    vague = t.lows[k] in _DETERMINERS_INDEFINITE
    for m in range(k, min(t.n, k + 7)):
        if not t.is_word(m):
            break
        if t.capitalised(m) and _is_name_token(t, m):
            return False  # "by economists at Duke University"
        vague = vague or t.lows[m] in _LEMMA
    return vague


def _agent_after(t: _Tokens, head: int) -> bool:
    """A report's author in its post-modifier: "by the agency's watchdog", "from WKOW", "her campaign
    released" (a definite or named phrase; a vague author is judged as a source of its own)."""
    k = head + 1
    while k < t.n and k - head <= 10:
        w = t.lows[k]
        if not t.is_word(k) or w in _CLAUSE_STOP or w in _FINITE_AUX:
            return False
        if w in _REPORT_VERBS and w not in _PUBLICATION_VERBS:
            return False  # the report's own verb: "Polls show X leading by a wide margin"
        nxt = t.word(k + 1)
        if w in _AGENT_PREPS and (
            nxt in _DETERMINERS_DEFINITE
            or nxt.endswith(("'s", "\u2019s"))
            or t.capitalised(k + 1)
            or (
                w == "by"
                and t.is_word(k + 1)
                and t.word(k - 1) not in _READER_VERBS
                and not _vague_agent(t, k + 1)
            )
        ):
            return True
        if k == head + 1 and (w in _POSSESSIVES or w == "the" or t.capitalised(k)):
            for m in range(k + 1, min(t.n, k + 4)):
                if t.lows[m] in _PUBLICATION_VERBS:
                    return True
                if not t.is_word(m):
                    break
        k += 1
    return False


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


def _headline_source(t: _Tokens, np: _NounPhrase) -> bool:
    """Headline style: a bare source noun before a colon that opens the sentence ("Poll: ...",
    "Insiders: ..."), or before a present-tense verb of report ("Poll finds ...", "..., analyst says")."""
    if np.start > t.first and t.is_word(np.start - 1) and t.lows[np.start - 1] not in _CLAUSE_STOP:
        return False  # "the latest Rasmussen Reports poll shows": not a bare noun opening a clause
    nxt = t.word(np.head + 1)
    if nxt == ":":
        # "Poll: ...", "Insiders: ...", not a form's label ("Email: ...").
        return np.start == t.first and t.lows[np.head] not in _LABEL_NOUNS and t.n - np.head > 4
    return (
        nxt in _REPORT_VERBS
        and nxt.endswith("s")
        and not nxt.endswith("ss")
        and _verb_ok(t, np.head + 1, _REPORT_VERBS)
    )


def _tag_after(t: _Tokens, j: int) -> bool:
    """A speech tag follows at ``j``: "officials said," "a former official said." (no comma between)."""
    while j < t.n and t.lows[j] in _AUX:
        j += 1
    return j < t.n and t.lows[j] in _SAY_VERBS


def _verb_next(t: _Tokens, j: int, verbs: frozenset[str]) -> bool:
    """The phrase's own verb follows at ``j`` (auxiliaries and adverbs aside), with no comma between."""
    while j < t.n and (t.lows[j] in _AUX or (t.lows[j].endswith("ly") and t.is_word(j))):
        j += 1
    return j < t.n and _verb_ok(t, j, verbs)


def _says_in_relative(t: _Tokens, j: int) -> bool:
    """A relative clause at ``j`` whose verb is one of saying: "(commentators) who have suggested ..."."""
    if t.word(j) != "who":
        return False
    j += 1
    while j < t.n and t.lows[j] in _AUX:
        j += 1
    return t.word(j) in _SAY_VERBS


def _reporters_own(t: _Tokens, j: int) -> bool:
    """A first-person relative clause at ``j``: "I spoke to", "we interviewed", "I've talked to"."""
    if t.word(j) in _RELATIVES:
        j += 1
    if t.word(j) not in _FIRST_PERSON:
        return False
    j += 1
    while j < t.n and t.lows[j] in _AUX:
        j += 1
    return t.word(j) in _INTERVIEW_VERBS


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
    if np.quantified:
        np.credited_org = False  # "some GOP strategists", "many Obama aides": a part of the side, unnamed
    premod_words = [t.lows[k] for k in np.premods]
    own = np.determiner == "the" and _reporters_own(t, np.head + 1)
    if own:
        np.determiner = ""  # "the economists I spoke to": the reporter's own unnamed interviewees
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
            # Plural leaders, outlets and groups under any common modifier or a quantifier:
            # "party leaders", "some protest leaders", "news outlets", "conservative outside groups".
            or (
                lemma in _PLURAL_GROUPS
                and w != lemma
                and (np.quantified or (mods and not any(_is_name_token(t, k) for k in np.premods)))
            )
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
        one_speaker = (
            lemma in _SPEAKERS
            and (np.determiner in _SINGULAR_OPENERS or lemma == w in _SOMEONE)
            and t.word(i + 1) not in _NEAR_SOURCE  # "a person close to ...": an anonymous source
        )
        # "People in Fort Pierce said": no one at all ("people familiar with ..." is an anonymous source)
        bare_people = w == "people" and not np.determiner and t.word(i + 1) not in _NEAR_SOURCE | _RELATIVES
        if not (np.quantified or one_speaker or bare_people) and (np.determiner or not believed_by):
            return  # "many residents say", "is believed by locals to", not "residents said"
    elif definite or np.possessive_lower:
        return
    if kind == "report":
        if np.determiner and np.determiner not in _REPORT_PREMODS_OK and np.determiner != "number":
            return
        if w in _SINGULAR_FORMS and not np.determiner and not _headline_source(t, np):
            return  # "study" as a verb; but "Poll finds ...", "Report: ..." name no one
        if lemma in _NEEDS_MODIFIER and not np.determiner and not np.premods:
            return  # "files" and "cables" as verbs
        if t.word(np.start - 1) == "of" and _names_in(t, max(t.first, np.start - 5), np.start - 1):
            np.credited_org = True  # "the RealClearPolitics average of polls"
        if lemma == "figure" and set(premod_words) & _words(
            "senior leading prominent political party public key top"
        ):
            kind = "official"
        elif lemma == "figure" and np.premods and not set(premod_words) & _FIGURE_PREMODS:
            return  # "religious figures in attendance": people, not statistics
    elif (
        w in _SINGULAR_FORMS
        and not np.determiner
        and not np.premods
        and w not in _SOMEONE
        and not _headline_source(t, np)
    ):
        return  # a bare singular is a title or a verb ("Analyst Jane Roe", "critic" as in "film critic")
    report = kind == "report"
    if _audience(t, np.start):
        return  # "told analysts on a call that ...": the people spoken to are not the source
    verbs = _REPORT_VERBS if report else _SPEECH
    source = _scan_before(t, np, report=report)
    # The agent of a passive, or the object of "to" or "for", is not the subject of the verb after it:
    # "a super PAC started by a former aide has reported spending ...", "an email to his supporters
    # notes ..." (its credits are still read, for the article context).
    object_of_prep = t.word(np.start - 1) in _OBJECT_PREPS or _object_of_verb(t, np.start)
    # A report appears in a publication ("a report in Politico"); a poll is taken in a place ("polls
    # in New Hampshire").
    after = _scan_after(t, np, verbs, publications=report and lemma not in _POLLS)
    if after and not report and _passive_after(t, np.end):
        after = False  # "Other groups are expected to spend ...": spoken of, not speaking
    source = (
        (after and not object_of_prep) or source or _headline_source(t, np) or _says_in_relative(t, i + 1)
    )
    # Apposition to a name before: "Victor Cha, a Korea expert at CSIS, said".
    if _apposition_to_name(t, np.start - 1) and not _verb_next(t, np.end, verbs):
        np.credited_person = (
            True  # "Victor Cha, a Korea expert at CSIS, said"; not "Mr. Obama, officials said,"
        )
    if not source and kind == "collective" and lemma == "community" and np.start == t.first:
        # "The international community has failed to ...": the vague actor of any verb at the start.
        after = t.word(np.end)
        source = after in _FINITE_AUX or (after.endswith("ed") and after not in _POSTMOD_STARTS)
    if not source and own:
        source = any(t.lows[k] in _SAY_VERBS for k in range(i + 3, min(t.n, i + 9)))
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
    if report and not credited and t.word(np.start - 1) in _SENDING_VERBS:
        credited = True  # "she sent an email saying ...": the report is its sender's
    if report and not credited and source and (_venue_after(t, np.end) or _agent_after(t, np.head)):
        # "Rumours of a deal surfaced in the newspaper Calcalist", "data released Friday by the
        # regulator", "figures her campaign released": the report is credited to its author.
        credited = True
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
    if np.quantified or report or kind == "official" or np.determiner in _SINGULAR_OPENERS:
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


def _object_of_verb(t: _Tokens, start: int) -> bool:
    """The phrase at ``start`` is the object of the verb before it ("39 percent blame his supporters",
    "she sent an email saying ..."), unless the verb opens an inverted tag ('..., said one analyst')."""
    w = t.word(start - 1)
    if w in _INVERTED_SAY or w in _CAUSATIVES or w in _FEELING_VERBS:
        return False
    return (w in _SPEECH and w not in _NOUNISH_VERBS) or w in _SENDING_VERBS


def _opens_clause(word: str) -> bool:
    """A word after which a bare quantifier can be the subject: "and some say", "while many fear"."""
    return (
        word in _CLAUSE_STOP or word in _CAUSATIVES or word in _AUX or word.endswith("ly") or word == "even"
    )


def _personal(t: _Tokens, k: int) -> bool:
    """The noun at ``k`` can name people who speak: a known source or person noun, a capitalised
    group ("Democrats", "Americans"), or a noun of agent ("enthusiasts", "conservatives", "donors")."""
    w = t.lows[k]
    if w in _LEMMA:
        return _NOUN_KIND.get(w) != "report"
    if t.capitalised(k) and not t.sentence_initial(k):
        return True
    return w.endswith(tuple(_AGENT_SUFFIXES))


def _personal_after_of(t: _Tokens, k: int) -> bool:
    """After a partitive "of": a pronoun of people, or a phrase whose head is personal."""
    if t.word(k) in _PEOPLE_PRONOUNS:
        return True
    while k < t.n and t.is_word(k) and (t.lows[k] in _DETERMINERS_DEFINITE or t.lows[k] in _POSSESSIVES):
        k += 1
    first = k
    while k < t.n and k - first < 4 and t.is_word(k) and t.lows[k] not in _CLAUSE_STOP:
        if _personal(t, k):
            return True
        if _plural(t.lows[k]):
            return False  # the head, not people: "many of the upcoming contests favor Trump"
        k += 1
    return False


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
            or (w == "other" and (prev in _DETERMINERS_DEFINITE or prev in _DETERMINERS_INDEFINITE))
            or (w in _DEGREE_QUANTIFIERS and prev in _NOT_VAGUE_BEFORE)
            or (w == "others" and prev in _BEFORE_OTHERS)
        ):
            return  # "how many", "so many", not "many say"
        if nxt[:1].isdigit() or (w == "most" and prev == "at"):
            return
        if prev in _CONJUNCTIONS and t.capitalised(i - 2) and _is_name_token(t, i - 2):
            return  # "Ms. Toretti, Mrs. Rao and other bundlers": a list that names its members
        start = i - 1 if prev == "a" and w == "few" else i
        if w == "few" and prev == "quite":
            start = i - 2
    # The head: the quantifier itself ("Some believe") or the unknown noun after it ("Some fans feel").
    head = i
    k = i + 1
    while k < t.n and k - i <= 3 and t.is_word(k):
        x = t.lows[k]
        if (x.endswith("ly") and t.word(k + 1) in _SPEECH) or x in _PRONOUN_SUBJECTS or x in _FIRST_PERSON:
            break  # an adverb before the verb, a relative clause: "several people I've spoken with said"
        if x in _LEMMA and (x not in _SPEECH or _LEMMA[x] != x) and not (x in _PERSONS and x not in _EXPERT):
            return  # a known noun: handled as a noun ("many economists", "several reports")
        if x in _SPEECH and x in _NOUNISH_PLURALS and t.word(k + 1) in _AUX:
            head = k  # a noun after all: "many projects will", "some forecasts are"
            break
        if x in _AUX or x in _SPEECH or x in _POSTMOD_PREPS or x in _CLAUSE_STOP:
            break
        head = k
        k += 1
    if (w == "of" or w == "other") and head == i:
        return
    if head != i and not any(_personal(t, k) for k in range(i + 1, head + 1)) and not _tag_after(t, head + 1):
        return  # "many disputes", "some suspicious claims", "several times": not people, not a source
    if head == i and t.word(i + 1) == "of" and not _personal_after_of(t, i + 2):
        return  # "some of it", "most of the money"; not "many of us", "some of the delegates"
    if head != i and t.lows[head] == "of":
        return
    np = _NounPhrase(head=head, start=start, end=head + 1, quantified=True)
    # "several people I've spoken with over the last weeks said": the reporter's own interviewees
    own = _reporters_own(t, head + 1) and any(
        t.lows[k] in _SAY_VERBS for k in range(head + 3, min(t.n, head + 16))
    )
    if not own and t.word(start - 1) in _OBJECT_PREPS and not _scan_before(t, np, report=False):
        return  # "a ritual for many Fortune 500 companies in which ...": not a subject
    if own:
        pass
    elif _scan_after(t, np, _SPEECH, publications=False):
        if _passive_after(t, np.end):
            return  # "Others in the squad will be assessed": spoken of, not speaking
        if head == i and w != "of":
            nxt = t.word(i + 1)
            if nxt in _SPEECH and nxt.endswith("s") and not t.capitalised(i + 1):
                return  # "numerous questions", "some claims": a noun after the quantifier, not its verb
            prev_word = t.lows[i - 1] if i > t.first and t.is_word(i - 1) else ""
            if prev_word.endswith(("ing", "ed")) and not _opens_clause(prev_word):
                return  # "causing some worry": the object of a verb, not the subject of a clause
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


def _credited_elsewhere(t: _Tokens) -> bool:
    """The sentence credits its claim to someone, so a hedge in it carries no evidence of its own:
    "allegedly ..., according to the indictment", "..., police said", "charged with allegedly ...".
    """
    for k in range(t.n):
        w = t.lows[k]
        if w == "according" and t.word(k + 1) == "to":
            return True
        if w in _CREDITING_VERBS and k > 0 and t.is_word(k - 1) and t.lows[k - 1] not in _HEDGES:
            return True
    return False


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
            if _ABOUT_A_NAME_RE.search(text, start, m.start()):
                continue  # "Mr. Cruz, whose finish was widely seen as ...,": background on a named person
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
        first = head - 1 if t.word(head - 1) in _SINGULAR_OPENERS else head  # "said a person close to"
        np = _NounPhrase(head=head, start=first, end=head + 1)
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
        if any(c.kind == HEDGE for c in out) and _credited_elsewhere(t):
            out[:] = [c for c in out if c.kind != HEDGE]
        polls = [c.start for c in out if c.kind == UNNAMED_REPORT and c.credited and c.lemma in _SURVEYS]
        if polls:
            # "A Times/CBS News poll found that many African-Americans said ...": the people counted
            # after a named poll are its respondents.
            out[:] = [c for c in out if not (c.kind == VAGUE_QUANTITY and c.start > min(polls))]
    if has_passive:
        _passive_candidates(text, start, end, runs, out)
        if any(c.kind == AGENTLESS_PASSIVE for c in out) and _ACCORDING_TO_RE.search(text, start, end):
            # "the year was considered a good one, according to Russell": the sentence names its source
            out[:] = [c for c in out if c.kind != AGENTLESS_PASSIVE]
    if " by " in sentence and not words.isdisjoint(_CRITICISM_TRIGGERS):
        _criticism_agent_candidates(text, start, end, out)
    return out
