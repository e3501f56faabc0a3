"""Reading a noun phrase around a cue: its determiner and modifiers, what comes after it, and whether a name
credits it ("analysts at Goldman Sachs", "Victor Cha, a Korea expert,").  Each helper answers one question
about the tokens of one sentence; :mod:`.sources` asks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factcheck.analysis.attribution.tokens import _is_name_token, _person_name_at, _Tokens
from factcheck.analysis.attribution.vocabulary import (
    _ADVERBIAL_PREPS,
    _AGENT_PREPS,
    _ARTICLES,
    _ARTICLES_INDEFINITE,
    _ASIDE_ADVERBS,
    _ASIDE_DEGREE,
    _AUX,
    _AUX_BEFORE_OBJECT,
    _AUX_INSIDE_POSTMODS,
    _BE_FORMS,
    _CAUSATIVES,
    _CLAUSE_STOP,
    _CLAUSE_THAT,
    _CONJUNCTIONS,
    _COPULAS,
    _CREDIT_PREPS,
    _DASHES,
    _DECLINING,
    _DEGREE,
    _DETERMINERS_DEFINITE,
    _DETERMINERS_INDEFINITE,
    _ESTIMATE_MARKS,
    _FEELING_VERBS,
    _FILING_VERBS,
    _FINITE_AUX,
    _FIRST_PERSON,
    _FRAME_NOUNS,
    _FULL_STOPS,
    _FUNCTION_WORDS,
    _HANDLING_VERBS,
    _INCLUDING,
    _INTENT_VERBS,
    _INTERVIEW_VERBS,
    _INVERTED_SAY,
    _IRREGULAR_PARTICIPLES,
    _LABEL_NOUNS,
    _LEMMA,
    _LISTENER_VERBS,
    _MASS_REPORTS,
    _NAME_JOINERS,
    _NEEDS_NEXT,
    _NEEDS_NEXT_OF,
    _NEW_CLAUSE,
    _NOUNISH_PLURALS,
    _NOUNISH_VERBS,
    _OPENING_ADVERBS,
    _OPENING_PREPS,
    _OPINION_ADJECTIVES,
    _PARENTHETICAL_STARTS,
    _PARTICIPLE_NEXT,
    _PAST_AUX,
    _PAST_FORMS,
    _PLURAL_MASS,
    _PONDER_PREPS,
    _POSSESSIVE_ENDINGS,
    _POSSESSIVES,
    _POSSIBILITY_MODALS,
    _POSTMOD_PREPS,
    _POSTMOD_STARTS,
    _PRONOUN_SUBJECTS,
    _PUBLICATION_VERBS,
    _QUANTIFIER_NOUNS,
    _QUANTIFIER_OPENERS,
    _QUANTIFIERS,
    _QUOTES,
    _QUOTES_AND_COMMAS,
    _READER_VERBS,
    _RELATIVES,
    _REPORT_FRAMES,
    _REPORT_VERBS,
    _SAY_VERBS,
    _SAYING,
    _SENTENCE_STOPS,
    _SHARING_PREPS,
    _SOURCE_PREPS,
    _SPEECH,
    _SPEECH_BASES,
    _SPEECH_NOUNS,
    _STANCE_PARTICIPLES,
    _SUBJECT_PRONOUNS,
    _SUBORDINATORS,
    _TELL_VERBS,
    _THAT_WHICH,
    _THINK_FORMS,
    _TIME_WORDS,
    _TO_AFTER,
    _TREND_VERBS,
    _VENUE_PREPS,
    _VENUE_VERBS,
    _VIEW_FRAMES,
    _VIEW_NOUNS,
    _VIEW_OPENERS,
    _WHO_CONTRACTED,
    _WITHHELD_VERBS,
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


# A sentence that says "according to" names its source there (and a vague one is flagged there).
_ACCORDING_TO_RE = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
# A relative clause about a named person, still open: "Mr. Trump, who is regarded as ...".
_ABOUT_A_NAME_RE = re.compile(r"[A-Z][\w.'\u2019-]*,\s+(?:who|whose)\b[^,;:()\u2014]*$")


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
    joined = 0  # conjunctions and commas passed between coordinated modifiers
    while i >= 0 and head - i <= 5 + joined:
        w = t.lows[i]
        if (w in _CONJUNCTIONS or (w == "," and joined)) and mods and _coordinated_modifier(t, i - 1):
            joined += 1  # "the available federal, state and local data": modifiers joined, one phrase
            i -= 1
            continue
        if w == "/" and mods and i > 0 and t.capitalised(i - 1) and t.capitalised(i + 1):
            i -= 1  # "A Times/CBS News poll", "an NBC/WSJ survey": two names joined, one phrase
            continue
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
        if w == "most" and mods and t.word(i - 1).endswith(_POSSESSIVE_ENDINGS):
            mods.append(i)  # "Sanders's most ardent fans": a superlative of a group already credited
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
            or w == "per"  # "the 50,000 per day city officials estimated": a rate, not the phrase
            or w in _AUX
            or (w in _SPEECH and w not in _NOUNISH_VERBS and not t.capitalised(i))
            or w in _PRONOUN_SUBJECTS
            or w in _FUNCTION_WORDS
            or w in _HANDLING_VERBS
            or w in _INTENT_VERBS
        ):
            break
        if w.endswith(_POSSESSIVE_ENDINGS):
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
        if w.replace(",", "").isdigit():
            np.determiner = np.determiner or "number"
            if t.word(i - 1) not in _DETERMINERS_DEFINITE and t.word(i - 1) not in _DETERMINERS_INDEFINITE:
                mods.append(i)  # a count opens the phrase: "(greeted) 2,000 supporters"
                np.start = i
                break
        mods.append(i)
        np.start = i
        i -= 1
    np.premods = tuple(reversed(mods))
    if any(_is_name_token(t, k) for k in np.premods):
        np.credited_org = True
    if not mods and not np.determiner and not np.quantified and _shares_modifiers(t, head):
        # Coordinated heads share what stands before the first: "union members and leaders" are union
        # leaders, "Gore's close friends and allies" are Gore's allies.
        first = _premodifiers(t, head - 2)
        np.start, np.determiner, np.quantified = first.start, first.determiner, first.quantified
        np.premods = first.premods
        np.credited_org, np.possessive_lower = first.credited_org, first.possessive_lower
    return np


def _coordinated_modifier(t: _Tokens, k: int) -> bool:
    """The word at ``k``, before "and", "or" or a comma inside a phrase's modifiers, is a modifier too
    ("federal, state and local"): a lower-case word that is no source noun, no plural and no function
    word."""
    w = t.word(k)
    return (
        t.is_word(k)
        and not t.capitalised(k)
        and w not in _LEMMA
        and not _plural(w)
        and w not in _FUNCTION_WORDS
        and w not in _CLAUSE_STOP
        and w not in _AUX
        and w not in _POSTMOD_PREPS
        and (w not in _SPEECH or w in _NOUNISH_VERBS)
        and not w.endswith(("ed", "ing", "ly"))
    )


def _shares_modifiers(t: _Tokens, head: int) -> bool:
    """The head is the second of two plural nouns joined by "and" or "or" ("members and leaders")."""
    other = head - 2
    return (
        other >= 0
        and t.word(head - 1) in _CONJUNCTIONS
        and t.is_word(other)
        and not t.capitalised(other)
        and _plural(t.lows[head])
        and _plural(t.lows[other])
        and t.lows[other] not in _FUNCTION_WORDS
        and t.lows[other] not in _SPEECH
    )


def _credit_in_span(t: _Tokens, i: int, j: int, *, publications: bool) -> int:
    """The end of a name after a crediting preposition or participle in tokens[i:j] ("at Goldman Sachs"),
    or 0 when there is none."""
    for k in range(i, j):
        w = t.lows[k]
        if w == "of" and (t.word(k - 1) in _QUANTIFIERS or t.word(k - 1) in _QUANTIFIER_NOUNS):
            continue  # a part of a group, not its employer: "most of the Senate Republicans"
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
    if w in _WITHHELD_VERBS and _negated(t, j):
        return False  # "two others have not said who they back", "officials would not say": no claim
    if _hypothetical(t, j):
        return False  # "others might argue that ...": the writer's own counterpoint, no one reported
    lemma = _NEEDS_NEXT_OF.get(w)
    if lemma == "call" and _object_gap(t, j):
        return True  # "a bill that critics called anti-gay", "what economists call spending"
    if lemma in {"show", "find"} and verbs is _REPORT_VERBS:
        return True  # "Data shows house prices fell", "A study found people sleep less"
    if lemma == "show":
        return False  # people show signs, interest or restraint; a report shows a finding
    if lemma == "see" and t.word(j + 1) not in _NEEDS_NEXT["see"]:
        # A forecast or a judgement: "strategists see the dollar weakening", "see Le Pen making it to a
        # run-off", "see Mr. Kerry's push as driven by ...".
        for k in range(j + 2, min(t.n, j + 11)):
            if t.lows[k] in _TREND_VERBS or t.lows[k] == "as":
                return True
            if (
                k > j + 2
                and t.lows[k].endswith("ing")
                and not any(
                    t.lows[m] in _ARTICLES or t.lows[m] in _DETERMINERS_DEFINITE for m in range(j + 1, k)
                )
            ):
                return True  # "see Le Pen making it", not "saw the same thing"
            if _abbreviation_stop(t, k):
                continue
            if not t.is_word(k) or t.lows[k] in _CLAUSE_STOP:
                return False
        return False
    if w in _THINK_FORMS and t.word(j + 1) in _PONDER_PREPS and not _object_gap(t, j):
        return False  # "others think about it": pondering; not "what people think of him", a view
    if lemma in {"link", "tie"} and t.word(j + 1) == "to" and _object_gap(t, j):
        return True  # "(emails) which intelligence officials have linked to Russian spies"
    if lemma == "put":
        # An estimate or a phrasing: "estimates put the total at 55,000", "put the number higher", "as a
        # diplomat put it"; not "put the location on their profile".
        if t.word(j + 1) == "it" and not t.is_word(j + 2):
            return True
        for k in range(j + 1, min(t.n, j + 20)):
            if t.lows[k] in _ESTIMATE_MARKS:
                return True
            if not t.is_word(k):
                return False
        return False
    if lemma == "share":
        k = j + 2 if t.word(j + 1) in _POSSESSIVES else j + 1
        return t.word(k) in _SPEECH_NOUNS  # "shared their concerns", not "share their homes"
    if lemma == "call" and _is_name_token(t, j + 1):
        # "one lawmaker called Trump 'the orange prince'", not "a group called Color of Change, ...".
        k = j + 1
        while k < t.n and (t.capitalised(k) or _abbreviation_stop(t, k)):
            k += 1
        return t.word(k) in _QUOTES or t.word(k) in _ARTICLES
    return lemma is None or t.word(j + 1) in _NEEDS_NEXT[lemma]


def _hypothetical(t: _Tokens, j: int) -> bool:
    """The verb at ``j`` follows a modal of possibility or ability ("might", "may", "could", "can",
    "can't"; with an adverb between at most): "others might argue", "scientists can't predict
    hurricanes" say what someone could do, not what anyone said."""
    k = j - 1
    if t.word(k).endswith("ly") or t.word(k) in {"still", "well", "also", "not"}:
        k -= 1
    return t.word(k) in _POSSIBILITY_MODALS


def _negated(t: _Tokens, j: int) -> bool:
    """The verb at ``j`` is negated or declined: "not said", "never said", "didn't say", "declined to say"."""
    prev = t.word(j - 1)
    if prev in {"not", "never"} or prev.endswith(("n't", "n\u2019t")):
        return True
    return prev == "to" and t.word(j - 2) in _DECLINING


def _third_singular(verb: str) -> bool:
    """A present-tense verb in its -s form ("says", "warns", "argues"), which two conjuncts cannot take."""
    return verb.endswith("s") and not verb.endswith("ss") and verb[:-1] in _SPEECH_BASES


def _abbreviation_stop(t: _Tokens, k: int) -> bool:
    """The full stop of a title or an initial inside a name: "Mr.", "Gov.", "J."."""
    return t.lows[k] == "." and k > 0 and t.capitalised(k - 1) and len(t.words[k - 1]) <= 4


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
    copula = seen_aux = joined = False
    steps = 0
    while j < t.n and steps < 40:
        steps += 1
        w = t.lows[j]
        if w == "to" and j == np.head + 1 and t.word(np.start - 1) in _CAUSATIVES:
            return _verb_ok(t, j + 1, verbs)  # "led some allies to worry", "leaving some to question"
        if w == "," and j - 1 > np.head and t.capitalised(j - 1):
            # The rest of a list of names: "voters in Ohio, Iowa and Utah said".
            k = j
            while t.word(k) == "," and t.capitalised(k + 1):
                k += 1
                while k < t.n and t.capitalised(k):
                    k += 1
            if k > j + 1 and t.word(k) in _CONJUNCTIONS and t.capitalised(k + 1):
                k += 1
                while k < t.n and t.capitalised(k):
                    k += 1
                np.end = max(np.end, k)
                j = k
                continue
        if w in _DASHES and np.end == j:
            # An aside between dashes: "insiders in two states \u2014 Ohio and Iowa \u2014 said".
            close = j + 1
            while close < min(t.n, j + 12) and t.lows[close] != w and t.lows[close] not in _SENTENCE_STOPS:
                close += 1
            if t.word(close) != w or close == j + 1:
                return False
            nxt = t.word(j + 1)
            named = (nxt in _INCLUDING or nxt == "such") and _names_in(t, j + 1, close)
            if named or any(_person_name_at(t, k) for k in range(j + 1, close) if t.capitalised(k)):
                np.credited_person = True
                np.credit_end = max(np.credit_end, close)
            np.end = max(np.end, close)
            j = close + 1
            continue
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
            elif nxt in _ARTICLES and any(t.lows[m] in _FINITE_AUX for m in range(j + 2, close)):
                # "For many gays, lesbians and transgender people, the attack was a searing moment,
                # highlighting ...": a clause with a verb of its own, not an apposition
                return False
            elif not (
                nxt in _PARENTHETICAL_STARTS
                or nxt in _ARTICLES
                or nxt.endswith("ly")
                or _participle_aside(t, j + 1)
            ):
                return False
            np.end = max(np.end, close)
            j = close + 1
            continue
        if w.startswith(_WHO_CONTRACTED) and not seen_aux:
            tail = _after_relative(t, j + 1)  # "leaders who'd rather be ... said"
            if not tail:
                return False
            np.end = max(np.end, tail)
            j = tail
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
                if _says_with_own_subject(t, k):
                    return False  # "(hackers) who U.S. officials say are ...": the officials speak
                k = min(k + 1, t.n)  # the relative clause's own verb ("analysts who" may end the text)
                tail = _after_relative(t, k)
                if tail and not any(t.lows[m] in _LISTENER_VERBS for m in range(k - 1, tail)):
                    credit_end = _credit_in_span(t, j, tail, publications=publications)
                    if credit_end:
                        np.credited_org = True
                        np.credit_end = max(np.credit_end, credit_end)
                if tail:
                    # A long relative clause, asides and all: "voters who have heard him speak over the
                    # years, at rallies or on television, said ..."; the listener is no credit.
                    np.end = max(np.end, tail)
                    j = tail
                    continue
            limit = min(t.n, j + 14)
            while k < limit:
                x = t.lows[k]
                if not t.is_word(k):
                    break
                prev = t.lows[k - 1]
                if x in _AUX and x not in _AUX_INSIDE_POSTMODS:
                    break
                if (x == "who" and w != "who") or x.startswith(_WHO_CONTRACTED):
                    break  # a relative clause after the post-modifier, read on its own
                if x in _NEW_CLAUSE:
                    break  # "material gathered from social media for interviews where they assess"
                if x in _OPINION_ADJECTIVES and prev not in _DETERMINERS_DEFINITE | _ARTICLES:
                    break  # "many of them deeply sceptical": the stance, not the post-modifier
                if x in _DEGREE | _ASIDE_DEGREE and t.word(k + 1) in _OPINION_ADJECTIVES:
                    break
                if x in verbs and _third_singular(x) and _plural(t.lows[np.head]):
                    k += 1  # not the plural head's verb: "ties to both Clintons", "the state he calls"
                    continue
                if (
                    x in verbs
                    and prev not in _DETERMINERS_DEFINITE
                    and prev not in _DETERMINERS_INDEFINITE
                    and prev not in _POSTMOD_PREPS
                    and not prev.endswith(_POSSESSIVE_ENDINGS)
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
            if any(t.lows[m] in _ARTICLES for m in range(j + 2, k)):
                # An article inside the conjunct opens a second noun phrase: "giving party officials and
                # establishment types a say", "dealing with the media and improving the brand".
                return False
            if t.word(k) in verbs and _third_singular(t.lows[k]):
                return False  # "... many more terrorists ... and Trump says": a new clause, not a subject
            joined = True
            j = k
            continue
        if w in _AUX:
            if w == "to" and t.word(j - 1) not in _TO_AFTER:
                return False
            copula = copula or w in _COPULAS
            seen_aux = True
            j += 1
            continue
        if seen_aux and w in _ADVERBIAL_PREPS:
            # A short adverbial between the auxiliary and the verb: "critics have in particular noted",
            # "analysts have for years argued".
            k = j + 1
            while k < min(t.n, j + 4) and t.is_word(k) and not t.capitalised(k) and t.lows[k] not in verbs:
                k += 1
            return k > j + 1 and k < t.n and _verb_ok(t, k, verbs)
        if w.endswith("ly") and len(w) > 4 and t.is_word(j):
            j += 1
            continue
        if w in _TO_AFTER and t.word(j + 1) == "to":
            j += 1  # "have taken to saying", "seem to think": the verb after "to" is the subject's
            continue
        # "experts are divided"; or, after a comma, without a verb: "..., many of them deeply skeptical";
        # a stance is a person's ("Data also is critical to placing ad buys" is no report's view)
        stance = (copula or (not seen_aux and t.word(np.start - 1) == ",")) and verbs is not _REPORT_VERBS
        if stance and w in _DEGREE and t.word(j + 1) in _OPINION_ADJECTIVES:
            return True
        if stance and w in _OPINION_ADJECTIVES and t.word(j + 1) not in _SHARING_PREPS:
            return True  # not "24 delegates are divided among the districts": a share, not a stance
        head = t.lows[np.head]
        if _third_singular(w) and _plural(head) and head not in _PLURAL_MASS and not seen_aux:
            return False  # a plural head cannot take "says": "... terrorists to the country and Trump says"
        if (
            (w in _NOUNISH_VERBS or w in _NOUNISH_PLURALS)
            and t.word(j + 1) in _FULL_STOPS
            and not seen_aux
            and _LEMMA.get(head) == head
            and np.start > t.first
            and t.word(np.start - 1) not in _QUOTES_AND_COMMAS
        ):
            return False  # a compound noun ending the sentence: "a variety of research projects."
        if (
            not seen_aux
            and not joined
            and _LEMMA.get(head) == head
            and head not in _PLURAL_MASS
            and _base_form(w)
        ):
            return False  # nor a singular one "challenge": "a case study of a business challenge"
        return _verb_ok(t, j, verbs)
    return False


def _base_form(verb: str) -> bool:
    """A verb in its base form ("challenge", "project", "say"), which a singular subject cannot take
    without an auxiliary: not "says", "warned", "said", "found", "put"."""
    return (
        not verb.endswith(("s", "d", "ing"))
        and verb not in _IRREGULAR_PARTICIPLES
        and verb not in _PAST_FORMS
    )


def _participle_aside(t: _Tokens, k: int) -> bool:
    """An aside that opens with a past participle, after an adverb or not: "(studies), often conducted by
    comparing ..., (have found)", "(critics), angered by the vote, (said)"."""
    if t.word(k) in _ASIDE_ADVERBS:
        k += 1
    w = t.word(k)
    return t.is_word(k) and (w in _IRREGULAR_PARTICIPLES or (w.endswith("ed") and len(w) > 4))


def _after_relative(t: _Tokens, k: int) -> int:
    """Where a relative clause that runs from ``k`` ends, when it is followed by a verb of saying (with
    its auxiliaries) and holds no clause of its own ("that", a second "who"); 0 otherwise."""
    limit = min(t.n, k + 30)
    comma = False
    while k < limit:
        w = t.lows[k]
        abbreviation = w == "." and t.capitalised(k - 1) and len(t.words[k - 1]) <= 4  # "Mr.", "Gov."
        if (w in _SENTENCE_STOPS and not abbreviation) or w in _RELATIVES or w in _DASHES or w in _QUOTES:
            return 0
        if w == ",":
            comma = True  # after an aside, only the verb right after its comma ("..., on TV, said")
        if w in _SAY_VERBS and not comma and t.is_word(k - 1) and t.lows[k - 1] not in _AUX_BEFORE_OBJECT:
            m = k - 1
            while t.lows[m] in _FINITE_AUX or (t.lows[m].endswith("ly") and len(t.lows[m]) > 4):
                m -= 1
            return m + 1 if t.lows[m] != "to" else 0
        if w in _SAY_VERBS and t.word(k - 1) == ",":
            return k
        k += 1
    return 0


def _says_with_own_subject(t: _Tokens, k: int) -> bool:
    """A relative clause at ``k`` whose verb of saying has a subject of its own: "(a group of hackers) who
    U.S. officials say is tied to ...", "(the aide) who he said had left": the clause's subject speaks, and
    the phrase before "who" is what it speaks of."""
    if t.word(k).endswith("ed") or t.word(k) in _LISTENER_VERBS:
        return False  # "(officials) who spoke with the Post said": the clause's verb comes first
    for m in range(k + 1, min(t.n, k + 6)):
        if not t.is_word(m) or t.lows[m] in _POSTMOD_PREPS:
            return False
        if t.lows[m] in _SAY_VERBS:
            before = m - 1
            while before > k and t.lows[before] in _FINITE_AUX:
                before -= 1  # "who officials have said"
            w = t.lows[before]
            return (
                w in _LEMMA or w in _SUBJECT_PRONOUNS or (t.capitalised(before) and _is_name_token(t, before))
            )
    return False


def _scan_before(t: _Tokens, np: _NounPhrase, *, report: bool) -> bool:
    """A source frame before the phrase: "according to", "said one analyst", "criticism from"."""
    s = np.start
    w1, w2 = t.word(s - 1), t.word(s - 2)
    if w1 == "to" and w2 == "according":
        return True
    if w1 in _INVERTED_SAY and (s - 2 < 0 or t.lows[s - 2] in _QUOTES_AND_COMMAS):
        return not _finite_after(t, np.head + 1)
    if w1 == "of" and w2 in _VIEW_NOUNS and t.word(s - 3) in _VIEW_OPENERS:
        return True  # "in the view of", "the judgment of"; not "a flattering view of a figure" (a picture)
    if w1 in _SOURCE_PREPS and w2 in _FRAME_NOUNS:
        return True
    if _by_agent(t, s, mass_report=report and t.lows[np.head] in _MASS_REPORTS):
        return True
    if w1 in _FEELING_VERBS or (w1 in _QUANTIFIERS and w2 in _FEELING_VERBS):
        return True  # "the ruling surprised (many) legal scholars"
    if w1 in _VIEW_FRAMES and t.sentence_initial(s - 1) and t.word(np.head + 1) == ",":
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


def _by_agent(t: _Tokens, start: int, *, mass_report: bool = False) -> bool:
    """The agent of a passive of speech or stance: "is believed by locals", "is opposed by residents",
    "were echoed and augmented by aides", "is seen by other leaders as credible".  A stance is taken by
    someone (people, or a study or poll that speaks for its authors): data or evidence after "supported
    by" or "backed by" is a cause ("the dollar was supported by economic data"), not a source."""
    if t.word(start - 1) != "by":
        return False
    verb = start - 2
    if t.word(verb - 1) in _CONJUNCTIONS and t.word(verb - 2).endswith("ed"):
        verb -= 2  # coordinated participles: "echoed and augmented by"
    w = t.word(verb)
    if w == "seen":
        return any(t.lows[k] == "as" for k in range(start + 1, min(t.n, start + 8)))
    if _NEEDS_NEXT_OF.get(w) == "share":
        return False  # "a view shared by a majority of the caucus": held, not said
    return w in _SPEECH or (w in _STANCE_PARTICIPLES and not mass_report)


def _saying_after(t: _Tokens, j: int, *, coordinated: bool = True) -> bool:
    """Speech later in the subject's clause: a participle after a comma ("..., saying buses were too
    slow") or a second verb of the same subject ("Some seek to be removed from the lists and argue ...",
    "many have trouble finding work, worry about ... and fear ..."), when ``coordinated``."""
    for k in range(j, min(t.n - 1, j + 30)):
        w = t.lows[k]
        if w in {";", ":", "?", "!"} or w in _DASHES or w in _QUOTES:
            return False
        if w in _SUBORDINATORS:
            return False  # a clause of its own: "Some in the crowd booed, and when Rubio ... said"
        nxt = t.lows[k + 1]
        if w == "," and nxt in _SAYING:
            return True
        if coordinated and (w == "," or w in _CONJUNCTIONS) and nxt in _SAY_VERBS and not nxt.endswith("ing"):
            return not _verb_next(t, k + 2, _SPEECH) and t.word(k + 2) not in _AUX
    return False


def _passive_after(t: _Tokens, j: int) -> bool:
    """The verb after the phrase is passive: "Others will be assessed", "Some were told to leave",
    "Other groups are also expected to spend" (an adverb after the form of "be")."""
    k = j
    while k < t.n and t.lows[k] in _AUX:
        k += 1
    m = k - 1
    while m > j and t.lows[m] not in _FINITE_AUX and t.lows[m] not in _BE_FORMS:
        m -= 1  # back over adverbs ("also", "now", "widely") to the auxiliary
    if k == j or k >= t.n or t.lows[m] not in _BE_FORMS:
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
        if _abbreviation_stop(t, k):
            k += 1
            continue
        if w in _THAT_WHICH:
            # "reports through Jan. 31 that his campaign is filing", "figures that were released
            # Thursday by Crowdpac" (not "reports that ...": what they report)
            return (k > head + 1 and _author_in_relative(t, k + 1)) or _passive_author(t, k + 1)
        if not t.is_word(k) or w in _CLAUSE_STOP or w in _FINITE_AUX:
            return False
        if w in _REPORT_VERBS and w not in _PUBLICATION_VERBS:
            return False  # the report's own verb: "Polls show X leading by a wide margin"
        nxt = t.word(k + 1)
        if w in _AGENT_PREPS and (
            nxt in _DETERMINERS_DEFINITE
            or nxt.endswith(_POSSESSIVE_ENDINGS)
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


def _passive_author(t: _Tokens, k: int) -> bool:
    """A passive relative clause at ``k`` whose agent is named: "(figures) that were released Thursday by
    Crowdpac", "(a poll) which was conducted by Gallup"."""
    while k < t.n and t.lows[k] in _AUX:
        k += 1
    if t.word(k) not in _PUBLICATION_VERBS:
        return False
    for m in range(k + 1, min(t.n, k + 5)):
        if not t.is_word(m):
            return False
        if t.lows[m] == "by":
            return _is_name_token(t, m + 1) or t.word(m + 1) in _DETERMINERS_DEFINITE
    return False


def _author_in_relative(t: _Tokens, k: int) -> bool:
    """A relative clause at ``k`` whose subject is named or definite and whose verb publishes: "(reports)
    that Sanders campaign is filing", "(the survey) which the Pew Research Center conducted"."""
    if not (t.capitalised(k) or t.word(k) in _POSSESSIVES or t.word(k).endswith(_POSSESSIVE_ENDINGS)):
        return False
    for m in range(k + 1, min(t.n, k + 6)):
        w = t.lows[m]
        if w in _PUBLICATION_VERBS or w in _FILING_VERBS:
            return True
        if not t.is_word(m) or w in _CLAUSE_STOP:
            return False
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
        # "Poll: ...", "Insiders: ...", not a form's label ("Email: ..."), nor a transcript's label before
        # a narrative in the past ("Report: People out on the streets were seen ..."): a headline tells
        # even the past in the present tense.
        return (
            np.start == t.first
            and t.lows[np.head] not in _LABEL_NOUNS
            and t.n - np.head > 4
            and not any(t.lows[k] in _PAST_AUX for k in range(np.head + 2, t.n))
        )
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


def _speaks_after_relative(t: _Tokens, j: int) -> bool:
    """A relative clause at ``j`` that describes the speakers, then their verb of saying: "(people) who have
    battled other online threats say ...", "(those) who have sketched out paths for him acknowledge ...";
    not a relative clause whose own verb is the saying ("people who say ..." are a generality)."""
    if t.word(j) != "who":
        return False
    k = j + 1
    while k < t.n and t.lows[k] in _AUX:
        k += 1
    if k >= t.n or t.lows[k] in _SAY_VERBS or t.lows[k] in _INTERVIEW_VERBS:
        return False
    return _after_relative(t, k + 1) > 0


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
    before = comma - 1
    if t.word(before) == ")":  # "Chris Christie (R), a staunch ally": a bracketed tag after the name
        k = before - 1
        while k > t.first and before - k < 5 and t.word(k) != "(":
            k -= 1
        if t.word(k) == "(":
            before = k - 1
    if t.word(comma) != "," or not (t.capitalised(before) or t.word(before) in {"jr", "jr."}):
        return False
    if t.word(before) in _TIME_WORDS:
        return False
    k = before
    while k > t.first and t.is_word(k - 1):
        k -= 1
    if k != t.first:
        return True
    first = t.lows[k]
    return not (first in _OPENING_PREPS or (k == before and first in _OPENING_ADVERBS))


def _name_apposition_after(t: _Tokens, j: int) -> bool:
    """A person's name in apposition after the phrase, within a few words of ``j``: "her rivals, Sen. Jane
    Roe and Gov. John Doe, ...", "a delegate backing Roe, Mary Doe \u2014 ...". The name must not be the
    subject of a verb of its own ("according to officials, Jane Roe said" credits no one)."""
    k = j
    while k < t.n and k - j < 4 and t.is_word(k):
        k += 1
    if t.word(k) != "," or not _person_name_at(t, k + 1):
        return False
    m = k + 1
    while m < t.n and (t.capitalised(m) or t.lows[m] in {".", "-"}):
        m += 1
    return m >= t.n or t.lows[m] in {",", "(", "\u2014", "\u2013", "and", ";"}
