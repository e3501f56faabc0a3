"""The cues of a sentence, each judged: is it the source of a claim, and is it credited?

A cue is a source noun ("analysts"), a quantified group ("some economists"), a hedge, an agentless
passive or an anonymity phrase.  Nouns and quantifiers are judged by :mod:`.sources`; hedges, passives
and anonymity here.  Each becomes a candidate with its noun phrase and whether a name credits it;
:mod:`.flags` then applies the newsroom's policy.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

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
from factcheck.analysis.attribution.phrases import (
    _ABOUT_A_NAME_RE,
    _ACCORDING_TO_RE,
    _Candidate,
    _NounPhrase,
    _plural,
    _scan_after,
    _scan_before,
)
from factcheck.analysis.attribution.policy import Policy
from factcheck.analysis.attribution.sources import (
    _described_speakers_candidate,
    _noun_candidate,
    _quantifier_candidate,
)
from factcheck.analysis.attribution.tokens import _is_name_token, _Tokens
from factcheck.analysis.attribution.vocabulary import (
    _APOSTROPHE_RE,
    _ARTICLES,
    _AUX,
    _BARE_CLAUSE_VERBS,
    _CLAUSE_STOP,
    _COPULAS,
    _COUNTS,
    _CREDITING_VERBS,
    _DETERMINERS_DEFINITE,
    _DETERMINERS_INDEFINITE,
    _FUNCTION_WORDS,
    _HEDGES,
    _INVERTED_SAY,
    _IRREGULAR_PARTICIPLES,
    _LEMMA,
    _NOUN_KIND,
    _NOUNISH_PLURALS,
    _NOUNISH_VERBS,
    _PAST_FORMS,
    _PERSONS,
    _POSSESSIVE_ENDINGS,
    _POSTMOD_PREPS,
    _PRONOUN_SUBJECTS,
    _QUANTIFIER_NOUNS,
    _QUANTIFIERS,
    _QUOTES_AND_COMMAS,
    _REPORT_VERBS,
    _SAY_VERBS,
    _SAYING,
    _SINGULAR_OPENERS,
    _SPEECH,
    _SURVEYS,
    _TAG_ENDS,
    _TAG_VERBS,
    _WH_WORDS,
    _WORD_RE,
    _WRITERS_DOUBT,
    _words,
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
        if w in {"reported", "reports"}:
            # "..., Politico recently reported": a named publication, not "it was reported"
            name = k - 2 if t.word(k - 1).endswith("ly") else k - 1
            if name > t.first and t.capitalised(name) and _is_name_token(t, name):
                return True
    return False


_POLL_FIGURE_RE = re.compile(r"\d\s*(?:%|percent\b|per\s+cent\b|-point\b|\s+points?\b)", re.IGNORECASE)
# The participles of perception, in the regular expressions below.
_PERCEIVED = r"(?:seen|viewed|perceived|regarded)"
_PERCEIVED_RE = re.compile(rf"\b{_PERCEIVED}\s+as\b")
# A perception in the past ("was viewed as", "were widely seen as") inside a clause of time that is still
# open: "... when she was viewed as the inevitable front-runner" dates something, it claims nothing now.
_PAST_PERCEPTION_RE = re.compile(rf"(?:was|were)\s+(?:\w+ly\s+)?{_PERCEIVED}\b", re.IGNORECASE)
# A perception in the bare infinitive ("be seen as", after a modal or "to"), which asserts nothing; or in
# a gerund ("risk being seen as", "for being viewed as"), which asserts nothing either unless a form of
# "be" comes before it (the progressive "is being seen as" reports a view).
_BARE_PERCEPTION_RE = re.compile(rf"be\s+(?:\w+ly\s+)?(?:{_PERCEIVED}\s+as|considered)\b", re.IGNORECASE)
_GERUND_PERCEPTION_RE = re.compile(rf"being\s+(?:\w+ly\s+)?(?:{_PERCEIVED}\s+as|considered)\b", re.IGNORECASE)
_TIME_CLAUSE_RE = re.compile(r"\b(?:when|while|once)\s[^,;:()\u2014]*$", re.IGNORECASE)
_BE_BEFORE_RE = re.compile(r"\b(?:is|are|was|were|be|been|am|'s|\u2019s|'re|\u2019re)\s+$", re.IGNORECASE)
# A condition still open before a perception: "So if Twitter is increasingly seen as a news site, ...".
_PERCEPTION_WORD_RE = re.compile(rf"\b(?:{_PERCEIVED}|considered)\b", re.IGNORECASE)
_CONDITION_CLAUSE_RE = re.compile(r"\b(?:if|unless)\s[^,;:()\u2014]*$", re.IGNORECASE)
# Pronouns that open a clause without "that": "Devine said he has had no conversations with ...".
_CLAUSE_PRONOUNS = frozenset({"he", "she", "they", "we", "i"})
# Where a reported clause ends at the latest: "..., but", "..., others argue", a dash, a stop.
_CLAUSE_ENDS = frozenset({",", ";", ":", ".", "?", "!", "-", "\u2014", "\u2013"})
# Words that join a second clause to a reported one: "... they will not attend and others have said".
_CLAUSE_JOINERS = frozenset({"and", "but", "or", "while", "whereas", "although", "though", "yet"})
# The anonymity cues, which stay a source wherever they stand ("a source familiar with ...").
_GRANTED_ANONYMITY = frozenset({"anonymity", "close"})
_PEOPLE_KINDS = frozenset({VAGUE_QUANTITY, VAGUE_COLLECTIVE, ANONYMOUS_EXPERTS, ANONYMOUS_OFFICIAL})


def _frame_start(t: _Tokens) -> int | None:
    """Where the sentence credits what comes before to a speaker: "..., according to X" or a closing tag
    "..., X said." / '...," X said on Monday.' (the comma, or the word "according")."""
    for k in range(t.first + 1, t.n):
        w = t.lows[k]
        if w == "according" and t.word(k + 1) == "to":
            return k if k > t.first + 2 else None
        if w not in _TAG_VERBS or (t.is_word(k + 1) and t.lows[k + 1] not in _TAG_ENDS):
            continue
        c = k - 1
        while c > t.first and k - c <= 7 and (t.is_word(c) or _title_stop(t, c)):
            c -= 1
        if c == k - 1 or t.lows[c] not in _QUOTES_AND_COMMAS or t.lows[c + 1 : k] == ["they"]:
            # "they said" closing what "Other candidates said ...": the same unnamed group again
            continue
        while c > t.first and t.lows[c - 1] in _QUOTES_AND_COMMAS:
            c -= 1
        if t.lows[c] == ",":
            return c if c > t.first + 2 else None
    return None


def _title_stop(t: _Tokens, k: int) -> bool:
    """The full stop of a title before a name: "Ms. Roe", "Sen. Jane Roe"."""
    return t.lows[k] == "." and t.capitalised(k - 1) and len(t.words[k - 1]) <= 4 and t.capitalised(k + 1)


def _named_speaker_spans(t: _Tokens) -> list[tuple[int, int]]:
    """Where a named person or a known one speaks in the sentence, the part they are credited with: the
    whole sentence ("Eli Stokols says ...", "Manafort politely suggested ...", "The billionaire magnate
    says ...", a definite description of someone the article has named; "In Miami, Mr. Regalado said,
    ..."), but for a participle clause after a closing tag, which is the writer's ('"...," Christie
    added, referencing a job he's widely believed to want').  Not "is said to", nor "officials said",
    who are no one in particular."""
    spans = []
    whole = (t.starts[t.first], t.ends[t.n - 1]) if t.n else (0, 0)
    for k in range(1, t.n):
        verb = t.lows[k]
        if (verb not in _CREDITING_VERBS and verb not in _INVERTED_SAY) or t.capitalised(k):
            continue  # not "the United States"
        before = _before_adverbs(t, k)  # "Manafort politely suggested"
        w = t.lows[before]
        if w.endswith(_POSSESSIVE_ENDINGS):
            continue  # "Saudi Arabia's suspected role": a possessive, then a noun or an adjective
        subject = _speaker_start(t, before, definite=verb in _INVERTED_SAY and verb not in _NOUNISH_PLURALS)
        if subject is None:
            continue
        aside = t.word(k + 1) == "," and t.word(k + 2).endswith("ing") and t.word(k + 2) not in _SAYING
        if aside and subject > t.first and t.lows[subject - 1] in _QUOTES_AND_COMMAS:
            spans.append((whole[0], t.starts[k + 1]))
        else:
            spans.append(whole)
    return spans


def _dated_report(t: _Tokens, text: str, start: int, c: _Candidate) -> bool:
    """The report is the subject of a verb in the past inside an open clause of time ("when studies
    found ...")."""
    if not _TIME_CLAUSE_RE.search(text, start, c.start):
        return False
    k = next((i for i in range(t.n) if t.starts[i] >= c.end), t.n)
    w = t.word(k)
    return w.endswith("ed") or w in _IRREGULAR_PARTICIPLES or w in _PAST_FORMS


def _inside_speakers_clause(t: _Tokens, out: list[_Candidate]) -> set[int]:
    """The ids of the people cues inside the clause that another people cue or a report of the sentence
    says: its verb of saying right after it, then the clause to its first comma or stop ("Analysts say
    many investors fear ...", "Former prosecutors said investigators were ...", "Polls show that a large
    majority of voters believe ...")."""
    people = [c for c in out if c.kind in _PEOPLE_KINDS and c.noun not in _GRANTED_ANONYMITY]
    speakers = people + [c for c in out if c.kind == UNNAMED_REPORT]
    inner: set[int] = set()
    for c in speakers:
        k = _token_at(t, c.end) if c.end < t.ends[-1] else None
        k = k if k is not None else next((i for i in range(t.n) if t.starts[i] >= c.end), t.n)
        while k < t.n and (t.lows[k] in _AUX or (t.lows[k].endswith("ly") and t.is_word(k))):
            k += 1
        verbs = _REPORT_VERBS if c.kind == UNNAMED_REPORT else _SAY_VERBS
        if k >= t.n or t.lows[k] not in verbs or t.lows[k].endswith("ing"):
            continue
        lo = t.ends[k]
        end = k + 1
        while end < t.n and t.lows[end] not in _CLAUSE_ENDS and t.lows[end] not in _CLAUSE_JOINERS:
            end += 1
        hi = t.ends[end - 1] if end > k + 1 else lo
        inner.update(id(d) for d in people if d is not c and lo <= d.start < hi)
    return inner


def _parenthetical_named_tag(t: _Tokens) -> bool:
    """A named speaker's tag between commas inside the sentence: "Six months ago, the senator said, the
    media ...", "In Miami, Mr. Regalado said, Mr. Trump is seen as ..."."""
    for k in range(t.first + 2, t.n - 2):
        if t.lows[k] not in _INVERTED_SAY or t.lows[k + 1] != ",":
            continue
        subject = _speaker_start(t, k - 1, definite=True)
        if subject is not None and subject > t.first and t.lows[subject - 1] == ",":
            return True
    return False


def _reported_clause(t: _Tokens) -> tuple[int, int] | None:
    """The clause after a named speaker's verb of speech or finding and "that", to its first comma or
    stop: "Hicks found that ...", "She added that ...", "The senator argued that ..." (absolute
    offsets), or None.  Without "that", a clause that opens with a quantifier is one too: "Clinton says
    many doubted her"."""
    for k in range(t.first + 1, t.n - 1):
        bare = t.lows[k] in _BARE_CLAUSE_VERBS and (
            t.lows[k + 1] in _QUANTIFIERS or t.lows[k + 1] in _CLAUSE_PRONOUNS
        )
        if not (t.lows[k + 1] == "that" or bare) or t.lows[k] not in _SPEECH or t.capitalised(k):
            continue
        before = _before_adverbs(t, k)
        w = t.lows[before]
        if w.endswith(_POSSESSIVE_ENDINGS) or w in _NOUNISH_VERBS:
            continue
        if _speaker_start(t, before, definite=t.lows[k] not in _NOUNISH_PLURALS) is not None:
            end = k + 2
            while end < t.n and t.lows[end] not in _CLAUSE_ENDS:
                end += 1
            return t.starts[k + 1], t.ends[end - 1]
    return None


def _before_adverbs(t: _Tokens, k: int) -> int:
    """The word before the verb at ``k``, back over adverbs in -ly ("Manafort politely suggested")."""
    before = k - 1
    while before > t.first and t.lows[before].endswith("ly") and t.is_word(before):
        before -= 1
    return before


def _speaker_start(t: _Tokens, k: int, *, definite: bool) -> int | None:
    """Where the name, pronoun or definite description of one speaker that ends at ``k`` starts; None
    when the words there name no one.  A definite description counts only when ``definite`` (before a
    verb that cannot be a noun: not "the two states voting")."""
    w = t.lows[k]
    if w in _KNOWN_SPEAKERS:
        return k
    if definite and _definite_speaker(t, k):
        m = k
        while t.lows[m] != "the":
            m -= 1
        return m
    if not (t.capitalised(k) and _is_name_token(t, k)):
        return None
    m = k
    while m > t.first and (t.capitalised(m - 1) or _title_stop(t, m - 1)):
        m -= 1
    # A name that opens the sentence counts when it is a person's ("Paul Manafort said") or cannot be
    # a plural group ("Manafort suggested", not "Democrats said").
    if not t.sentence_initial(m) or m < k:
        return m
    if w.isalpha() and not w.endswith("s") and w not in _PRONOUN_SUBJECTS:
        return m
    return None


def _definite_speaker(t: _Tokens, k: int) -> bool:
    """The noun at ``k`` ends a definite description of one person: "The billionaire real estate magnate
    (says)", "the senator (said)"; not a source noun ("the officials said" is judged as a noun)."""
    w = t.lows[k]
    if not t.is_word(k) or (t.capitalised(k) and not t.sentence_initial(k)):
        return False
    if w in _LEMMA and not (w in _PERSONS and _PERSONS[w] == w):
        return False  # a source noun ("the officials said") is judged as a noun; "the senator" is someone
    if _plural(w) or w in _PRONOUN_SUBJECTS or w in _FUNCTION_WORDS or w in _AUX:
        return False  # "has been accused": an auxiliary, no speaker
    if w in _DETERMINERS_DEFINITE or w.endswith("ed"):
        return False  # "the officers falsified their (notes)": no noun before the verb
    m = k - 1
    while m >= t.first and k - m <= 4 and t.is_word(m) and t.lows[m] not in _CLAUSE_STOP:
        if t.lows[m] == "the":
            return True
        if t.lows[m] in _AUX or t.lows[m].endswith("ed"):
            return False
        m -= 1
    return False


def _hedge_candidate(t: _Tokens, i: int, out: list[_Candidate]) -> None:
    w = t.lows[i]
    if w in {"reported", "alleged", "purported"}:
        # Only where the participle carries the claim: "a fee reported to be $20", "the firm, alleged to
        # have ...", "the deal was alleged", "a reported £30m", or the subject the sentence asserts
        # something of ("The alleged bribes were paid through ...").  Not before a noun elsewhere in
        # the sentence ("a reported cable snag", "over his alleged role", "an alleged sex trafficker":
        # the careful name of a charge or an event, whose source is the case itself), not as a verb
        # ("prosecutors alleged", "he reported to the police"), and not "is reported to" (an agentless
        # passive).
        prev = t.word(i - 1)
        nxt = t.word(i + 1)
        reporting = (
            (nxt == "to" and t.word(i + 2) in {"be", "have"} and prev not in _COPULAS)
            or (w != "reported" and prev in _COPULAS and not t.is_word(i + 1))
            # a figure someone reported: "a deal worth a reported $1.2 million", "a reported 3,000 people"
            or (prev in {"a", "an"} and (nxt[:1].isdigit() or nxt[:1] in "$\u00a3\u20ac"))
            or (w != "reported" and _opens_sentence(t, i))
        )
        if not reporting:
            return
    if w in _WRITERS_DOUBT and _doubt_of_the_writer(t, i):
        return
    out.append(_Candidate(kind=HEDGE, start=t.starts[i], end=t.ends[i], noun=w, lemma=w))


def _doubt_of_the_writer(t: _Tokens, i: int) -> bool:
    """ "Supposedly" inside a description or a question is the writer's own doubt, not a report: "the
    supposedly imminent imposition of ...", "who is supposedly his friend", "how she supposedly built
    her fortune".  Before the verb of a statement it still hides who supposes: "he supposedly told
    aides ..."."""
    prev = t.word(i - 1)
    if prev in _COPULAS or prev in _ARTICLES or prev in _DETERMINERS_DEFINITE:
        return True
    return prev in _WH_WORDS or (t.word(i - 2) in _WH_WORDS and t.word(i - 1) in _PRONOUN_SUBJECTS)


def _opens_sentence(t: _Tokens, i: int) -> bool:
    """The word at ``i`` is in the sentence's first noun phrase: "Alleged fraud ...", "The alleged
    bribes ...", "Her purported fortune ..."."""
    return i == t.first or (
        i == t.first + 1
        and (t.lows[t.first] in _DETERMINERS_DEFINITE or t.lows[t.first] in _DETERMINERS_INDEFINITE)
    )


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
            if _BARE_PERCEPTION_RE.match(cue):
                # "this might be seen as condescending", "seeks to be seen as the leader", "must be seen
                # as credible": a perception to come, wished or possible, is no one's view reported
                continue
            if _PAST_PERCEPTION_RE.match(cue) and _TIME_CLAUSE_RE.search(text, start, m.start()):
                continue  # "as strong as when she was viewed as the front-runner": a past time, not a claim
            if _GERUND_PERCEPTION_RE.match(cue) and not _BE_BEFORE_RE.search(text, start, m.start()):
                continue  # "you risk being perceived as partisan": a perception risked, not reported
            if _PERCEPTION_WORD_RE.search(cue) and _CONDITION_CLAUSE_RE.search(text, start, m.start()):
                continue  # "if Twitter is increasingly seen as a news site, ...": a condition, not a claim
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
        # "said a person close to", "according to two people close to"
        before = t.word(head - 1)
        counted = before in _SINGULAR_OPENERS or before in _COUNTS or before.isdigit()
        first = head - 1 if counted else head
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


_CUE_WORDS = frozenset(_LEMMA) | _QUANTIFIERS | _QUANTIFIER_NOUNS | _HEDGES | {"those"}
# The tokens that the loop of _candidates does something with.
_LOOKED_AT = frozenset(_NOUN_KIND) | _QUANTIFIERS | _HEDGES | {"of", "those"}
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
# Pronouns that stand for a speaker the article has named: "..., he said".
_KNOWN_SPEAKERS = _words("he she")
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
    t: _Tokens | None = None
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
            elif w == "those":
                _described_speakers_candidate(t, i, out)
            if w in _HEDGES:
                _hedge_candidate(t, i, out)
        if has_anonymous:
            _anonymous_candidates(t, text, start, end, runs, out)
        frame = _frame_start(t)
        if frame is not None:
            # "Many Americans then saw the Democrats as ..., From said", "Trump's advisers expressed
            # indignation ..., according to people close to the campaign": the people inside the
            # reported clause are not its source; the frame's speaker is (flagged in turn when vague).
            # A source granted anonymity ("a source familiar with the investigation") stays one.
            cut = t.starts[frame]
            out[:] = [
                c
                for c in out
                if not (c.kind in _PEOPLE_KINDS and c.end <= cut and c.noun not in _GRANTED_ANONYMITY)
            ]
        if _parenthetical_named_tag(t):
            # "Six months ago, the independent Vermont senator said, the media considered him a 'fringe
            # candidate'": the whole sentence is the named speaker's, the people in it included
            out[:] = [c for c in out if not (c.kind in _PEOPLE_KINDS and c.noun not in _GRANTED_ANONYMITY)]
        reported = _reported_clause(t)
        if reported is not None:
            # "Hicks found that many people told her ...", "She added that some Democrats have called
            # her": the people inside a named speaker's "that" clause are the speaker's, who is credited
            # (up to the clause's first comma: "Although Reynolds says that ..., others argue").
            lo, hi = reported
            out[:] = [
                c
                for c in out
                if not (c.kind in _PEOPLE_KINDS and lo <= c.start < hi and c.noun not in _GRANTED_ANONYMITY)
            ]
        if any(c.kind == UNNAMED_REPORT for c in out):
            # "when microscopy studies found them in the lining ...", "until months later, when emails
            # revealed ...": a report in the past inside an open clause of time dates a discovery
            out[:] = [c for c in out if not (c.kind == UNNAMED_REPORT and _dated_report(t, text, start, c))]
        inner = _inside_speakers_clause(t, out)
        if inner:
            # "Former prosecutors said investigators were probably feeling the pressure": the people a
            # vague speaker speaks of are not a second source; the speaker is flagged for the claim.
            out[:] = [c for c in out if id(c) not in inner]
        if any(c.kind == HEDGE for c in out) and _credited_elsewhere(t):
            out[:] = [c for c in out if c.kind != HEDGE]
        if any(c.kind == UNNAMED_REPORT and c.credited and c.lemma in _SURVEYS for c in out):
            # "A Times/CBS News poll found that many African-Americans said ...", "The vast majority of
            # Americans say ..., according to an AP-GfK poll": the people counted are a named poll's
            # respondents.
            out[:] = [c for c in out if c.kind != VAGUE_QUANTITY]
    if has_passive:
        _passive_candidates(text, start, end, runs, out)
        if _POLL_FIGURE_RE.search(sentence):
            # "more likely to be viewed as honest than in December, 64 percent to 56 percent", "a
            # 13-point advantage on being viewed as competent": a poll's figure, reported with it
            out[:] = [c for c in out if not (c.kind == AGENTLESS_PASSIVE and _PERCEIVED_RE.search(c.noun))]
        if any(c.kind == AGENTLESS_PASSIVE for c in out):
            if _ACCORDING_TO_RE.search(text, start, end):
                # "the year was considered a good one, according to Russell": the sentence names its source
                out[:] = [c for c in out if c.kind != AGENTLESS_PASSIVE]
            else:
                # "Eli Stokols says the endorsements can be seen as ...": the speaker's words; not
                # '"...," Christie added, referencing a job he's widely believed to want' (the writer's)
                spans = _named_speaker_spans(t or _Tokens(text, start, end))
                out[:] = [
                    c
                    for c in out
                    if not (c.kind == AGENTLESS_PASSIVE and any(a <= c.start < b for a, b in spans))
                ]
    if " by " in sentence and not words.isdisjoint(_CRITICISM_TRIGGERS):
        _criticism_agent_candidates(text, start, end, out)
    return out
