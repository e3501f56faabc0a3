"""Whether a noun or a quantifier is the source of a claim: the subject of a verb of speech or thought,
in a source frame ("according to"), a headline's source ("Poll finds"), or the reporter's own unnamed
interviewees; and whether it is credited.
"""

from __future__ import annotations

from factcheck.analysis.attribution.kinds import (
    ANONYMOUS_EXPERTS,
    ANONYMOUS_OFFICIAL,
    UNNAMED_REPORT,
    VAGUE_COLLECTIVE,
    VAGUE_QUANTITY,
)
from factcheck.analysis.attribution.phrases import (
    _agent_after,
    _apposition_to_name,
    _audience,
    _Candidate,
    _headline_source,
    _name_apposition_after,
    _names_in,
    _NounPhrase,
    _np_range,
    _passive_after,
    _plural,
    _premodifiers,
    _reporters_own,
    _saying_after,
    _says_in_relative,
    _scan_after,
    _scan_before,
    _speaks_after_relative,
    _tag_after,
    _venue_after,
    _verb_next,
    _verb_ok,
)
from factcheck.analysis.attribution.tokens import _is_name_token, _Tokens
from factcheck.analysis.attribution.vocabulary import (
    _ADJECTIVE_ENDINGS,
    _AGENT_SUFFIXES,
    _AUX,
    _BEFORE_OTHERS,
    _CAUSATIVES,
    _CLAUSE_STOP,
    _COGNITION_PARTICIPLES,
    _COLLECTIVE_COUNTS,
    _CONDITIONALS,
    _CONJUNCTIONS,
    _COPULAS,
    _DASHES,
    _DEGREE_QUANTIFIERS,
    _DETERMINERS_DEFINITE,
    _DETERMINERS_INDEFINITE,
    _EXPERT,
    _FEELING_VERBS,
    _FIGURE_PREMODS,
    _FINITE_AUX,
    _FIRST_PERSON,
    _GENERIC_PEOPLE_BEFORE,
    _GOVERNMENT_MODIFIERS,
    _GROUP_MODIFIERS,
    _HANDLING_VERBS,
    _INTENT_VERBS,
    _INVERTED_SAY,
    _LEADER_MODIFIERS,
    _LEADER_PREPS,
    _LEMMA,
    _MASS_MEDIA,
    _MEDIA_MODIFIERS,
    _MEDIA_NOUNS,
    _MODALS,
    _NEAR_SOURCE,
    _NEEDS_MODIFIER,
    _NOT_VAGUE_BEFORE,
    _NOUN_KIND,
    _NOUNISH_PLURALS,
    _NOUNISH_VERBS,
    _OBJECT_PREPS,
    _ORG_SPEAKERS,
    _PARTICLES,
    _PEOPLE_PRONOUNS,
    _PERSONAL_PRONOUNS,
    _PERSONS,
    _PLURAL_GROUPS,
    _POLLS,
    _POSSESSIVE_ENDINGS,
    _POSSESSIVES,
    _POSTMOD_PREPS,
    _POSTMOD_STARTS,
    _PREDICATIVE_QUANTIFIERS,
    _PRONOUN_SUBJECTS,
    _QUANTIFIER_OPENERS,
    _RELATIVES,
    _REPORT_PREMODS_OK,
    _REPORT_VERBS,
    _SAY_VERBS,
    _SAYING,
    _SENDING_VERBS,
    _SINGULAR_FORMS,
    _SINGULAR_OPENERS,
    _SOMEONE,
    _SPEAKERS,
    _SPEECH,
    _THAT_WHICH,
    _THING_PRONOUNS,
    _TIME_UNITS,
    _words,
)


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
        and not (nxt in _SPEECH and nxt == _LEMMA[nxt] and not _singular_opened(t, i))
    ):
        return  # a compound ("media reports"); "a research report" too, which no verb "report" follows
    if w.endswith(("'", "\u2019")):  # "the analysts' union"
        return
    np = _premodifiers(t, i)
    if np.quantified and any(t.lows[k] in _TIME_UNITS for k in np.premods):
        return  # "no matter how many times people told him": the quantifier counts times, not people
    while np.start < i and t.lows[np.start] in _TIME_UNITS and not np.quantified:
        np.start += 1  # "50,000 per day city officials estimated": the cue is "city officials"
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
            # Leaders of something, unnamed: "leaders of the organization", "leaders on the left".
            or (lemma == "leader" and w != lemma and t.word(i + 1) in _LEADER_PREPS)
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
        bare_people = (
            w == "people"
            and not np.determiner
            and t.word(i + 1) not in _NEAR_SOURCE | _RELATIVES
            and t.word(np.start - 1) not in _GENERIC_PEOPLE_BEFORE  # "if people think": anyone at all
        )
        # "People who have battled online threats say": described, then speaking (not "people who say")
        described_people = w == "people" and not np.determiner and _speaks_after_relative(t, i + 1)
        if not (np.quantified or one_speaker or bare_people or described_people) and (
            np.determiner or not believed_by
        ):
            return  # "many residents say", "is believed by locals to", not "residents said"
    elif definite or np.possessive_lower:
        return
    if (
        not np.determiner
        and not np.quantified
        and t.word(np.start - 1) in _CONDITIONALS
        and kind in {"person", "expert", "official", "collective"}
    ):
        return  # "when doctors don't consider these triggers": anyone in that role, not a source
    if kind == "report":
        if np.determiner and np.determiner not in _REPORT_PREMODS_OK and np.determiner != "number":
            return
        if t.word(i + 1) == "who":
            return  # "a figure who can argue ...": a person described, not a report
        if t.word(np.start - 1) == "no" or np.determiner == "no":
            return  # "there is no evidence linking ...": an absence has no source to name
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
    if t.word(np.start - 1) == "as" and np.determiner in _SINGULAR_OPENERS and t.word(i + 1) == "who":
        return  # "portraying Cruz as a flip-flopping politician who will say anything": a description
    if _audience(t, np.start):
        return  # "told analysts on a call that ...": the people spoken to are not the source
    verbs = _REPORT_VERBS if report else _SPEECH
    source = _scan_before(t, np, report=report)
    # The agent of a passive, or the object of "to" or "for", is not the subject of the verb after it:
    # "a super PAC started by a former aide has reported spending ...", "an email to his supporters
    # notes ..." (its credits are still read, for the article context).
    if report and t.word(np.start - 1) in _HANDLING_VERBS:
        return  # "uses big data to help brands", "collects data from devices": handled, not speaking
    object_of_prep = (
        t.word(np.start - 1) in _OBJECT_PREPS or _object_of_verb(t, np.start) or _in_object_list(t, np)
    )
    if t.word(np.start - 1) in _INTENT_VERBS:
        return  # "make his supporters feel ...", "to have people believe in you": wanted, not reported
    if np.determiner in _POSSESSIVES and _with_possessor(t, np.start):
        np.credited_person = True  # "Sanders and his supporters argue": the group speaks with its leader
    # A report appears in a publication ("a report in Politico"); a poll is taken in a place ("polls
    # in New Hampshire").
    after = _scan_after(t, np, verbs, publications=report and lemma not in _POLLS)
    if after and _passive_after(t, np.end):
        # "Other groups are expected to spend ...", "An unsubstantiated rumor was circulated in
        # November": spoken of or handled, not speaking
        after = False
    # "echoing security experts who say ...": described by their saying, and a source; not so after a
    # preposition other than an agent's "by" ("bets on fund managers who think they know better", "an
    # appeal to voters who believe ..."), where the clause only describes whom the sentence is about.
    says_in_relative = _says_in_relative(t, i + 1) and (
        t.word(np.start - 1) not in _OBJECT_PREPS or t.word(np.start - 1) == "by"
    )
    source = (after and not object_of_prep) or source or _headline_source(t, np) or says_in_relative
    if not source and report and t.word(i + 1) in _THAT_WHICH and not t.word(i + 2).endswith("ing"):
        source = _verb_ok(t, i + 2, _REPORT_VERBS)  # "based on polls that show him ahead"
    # Apposition to a name before: "Victor Cha, a Korea expert at CSIS, said".
    verb_at = np.end + 1 if t.word(np.end) in _DASHES else np.end  # after an aside between dashes
    described = any(t.lows[k] in _RELATIVES for k in range(np.head + 1, min(np.end, t.n)))
    if _apposition_to_name(t, np.start - 1) and (described or not _verb_next(t, verb_at, verbs)):
        np.credited_person = (
            True  # "Victor Cha, a Korea expert at CSIS, said"; not "Mr. Obama, officials said,"
        )
    if _name_apposition_after(t, i + 1):
        np.credited_person = True  # "her rivals, Sen. Jane Roe and Gov. John Doe, ..."
    if not source and kind == "collective" and lemma == "community" and np.start == t.first:
        # "The international community has failed to ...": the vague actor of any verb at the start.
        after = t.word(np.end)
        source = after in _FINITE_AUX or (after.endswith("ed") and after not in _POSTMOD_STARTS)
    if not source and own:
        source = any(t.lows[k] in _SAY_VERBS for k in range(i + 3, min(t.n, i + 9)))
    if (
        not source
        and np.start == t.first
        and (np.quantified or np.determiner in _SINGULAR_OPENERS)
        and kind in {"person", "official", "expert"}
    ):
        # "Many residents ... supported the plan, saying ...", "One operative tried to ..., saying ..."
        source = _saying_after(t, np.end, coordinated=np.quantified)
    if not source and not (np.credited_org or np.credited_person):
        return  # not a source; a credited group is kept below as a mention for the article context
    # An official or a spokesperson of a named organisation is credited like an analyst at a named firm
    # ("A spokeswoman for Tesco", "Treasury officials"); an aide, an adviser or a source only by a name.
    if kind == "official" and lemma not in _ORG_SPEAKERS:
        credited = np.credited_person
    else:
        credited = np.credited_person or np.credited_org
    sender = np.start - 2 if t.word(np.start - 1) in _PARTICLES else np.start - 1
    if report and not credited and t.word(sender) in _SENDING_VERBS:
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


def _in_object_list(t: _Tokens, np: _NounPhrase) -> bool:
    """The phrase is a later item of a list whose first item is the object of a participle or a
    preposition: "Groups representing colleges and universities, local governments and smaller
    nonprofits ..." (not "In a statement on Monday, local officials and police said": no list before)."""
    if t.word(np.start - 1) != "," or t.word(np.head + 1) not in {",", "and", "or"}:
        return False  # a middle item: "..., local governments and ..."
    joined = False
    k = np.start - 2
    while k > t.first and np.start - k <= 10:
        w = t.lows[k]
        if w in _CONJUNCTIONS or w == ",":
            joined = True
        elif not t.is_word(k):
            return False
        elif w in _OBJECT_PREPS or w in _POSTMOD_PREPS or (w.endswith("ing") and w not in _SAYING):
            return joined and k < np.start - 3
        k -= 1
    return False


def _with_possessor(t: _Tokens, start: int) -> bool:
    """The phrase at ``start`` ("his supporters") is joined to the one its possessive stands for: "Sanders
    and his supporters", "she and her allies" (not "They and their supporters": "they" may be as vague)."""
    if t.word(start - 1) not in _CONJUNCTIONS:
        return False
    k = start - 2
    return t.word(k) in _PERSONAL_PRONOUNS or (t.capitalised(k) and _is_name_token(t, k))


def _singular_opened(t: _Tokens, i: int) -> bool:
    """The noun at ``i`` follows "a", "an" or "one" within a few modifiers ("a Tuesday research"), so the
    word after it cannot be its verb in the base form ("report")."""
    k = i - 1
    while k >= 0 and i - k <= 3 and t.is_word(k):
        w = t.lows[k]
        if w in _SINGULAR_OPENERS:
            return True
        if w in _CLAUSE_STOP or w in _POSTMOD_PREPS or w in _AUX:
            return False
        k -= 1
    return False


def _object_of_verb(t: _Tokens, start: int) -> bool:
    """The phrase at ``start`` is the object of the verb before it ("39 percent blame his supporters",
    "she sent an email saying ..."), unless the verb opens an inverted tag ('..., said one analyst')."""
    w = t.word(start - 1)
    if w in _INVERTED_SAY or w in _CAUSATIVES or w in _FEELING_VERBS:
        return False
    if w.endswith(("ed", "es")) and t.word(start).replace(",", "").isdigit():
        return True  # "She greeted 2,000 supporters", "includes 64 emails": a verb's object, a count
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
    """After a partitive "of": a pronoun of people, or a phrase whose head is personal (not a pronoun of
    things: "angry email, some of it mentioning Mr. Trump")."""
    if t.word(k) in _PEOPLE_PRONOUNS:
        return True
    if t.word(k) in _THING_PRONOUNS:
        return False
    while (
        k < t.n
        and t.is_word(k)
        and (
            t.lows[k] in _DETERMINERS_DEFINITE
            or t.lows[k] in _POSSESSIVES
            or t.lows[k].endswith(_POSSESSIVE_ENDINGS)  # "many of Trump's claims" is about the claims
        )
    ):
        k += 1
    first = k
    while k < t.n and k - first < 4 and t.is_word(k) and t.lows[k] not in _CLAUSE_STOP:
        if _personal(t, k):
            return True
        if _plural(t.lows[k]):
            return False  # the head, not people: "many of the upcoming contests favor Trump"
        k += 1
    return False


def _new_clause_before_others(t: _Tokens, i: int) -> bool:
    """ "... will not attend the convention and others have said": "and" joins clauses, after a verb and a
    word that is no person (unlike "critics and others", "Jane Roe and others", "he and others")."""
    before = i - 2
    return (
        t.word(i - 1) in _CONJUNCTIONS
        and t.is_word(before)
        and not t.capitalised(before)
        and t.lows[before] not in _PRONOUN_SUBJECTS
        and t.lows[before] not in _PEOPLE_PRONOUNS
        and not _personal(t, before)
        and not _plural(t.lows[before])
        and any(t.lows[k] in _FINITE_AUX or t.lows[k].endswith("ed") for k in range(t.first, before))
    )


def _quantifier_candidate(t: _Tokens, i: int, out: list[_Candidate]) -> None:
    """Quantified sources: "Some believe", "Many in the party think", "Others argue", "Some fans feel"."""
    w = t.lows[i]
    prev = t.word(i - 1)
    nxt = t.word(i + 1)
    if prev in _COPULAS and t.word(i - 2) == "there" and nxt not in _RELATIVES:
        return  # "there are some warning signs": things counted ("there are some who say" is a source)
    if nxt == "of":
        k = i + 2
        if t.word(k) in _DETERMINERS_DEFINITE or t.word(k).endswith(_POSSESSIVE_ENDINGS):
            k += 1
        if t.word(k) in _TIME_UNITS:
            return  # "has spent most of her time campaigning", "for some of the year": a share of time
    if w == "of":
        start = i - 1
        while start > 0 and t.lows[start - 1] in _QUANTIFIER_OPENERS:
            start -= 1
        if t.lows[i - 1] in _COLLECTIVE_COUNTS and t.word(start) == "the":
            return  # "the group of Super Tuesday contests": a definite group, not an unnamed part
    else:
        if (
            prev == "the"
            or (w == "other" and (prev in _DETERMINERS_DEFINITE or prev in _DETERMINERS_INDEFINITE))
            or (w in _DEGREE_QUANTIFIERS and prev in _NOT_VAGUE_BEFORE)
            # "tunnels are so numerous that ...": a degree said of a noun before, not a group of people
            or (w in _PREDICATIVE_QUANTIFIERS and (prev in _NOT_VAGUE_BEFORE or prev in _COPULAS))
            or (w == "others" and prev in _BEFORE_OTHERS and not _new_clause_before_others(t, i))
        ):
            return  # "how many", "so many", not "many say"
        if nxt[:1].isdigit() or (w == "most" and prev == "at"):
            return
        if w == "most" and nxt.endswith(_ADJECTIVE_ENDINGS) and not _plural(t.word(i + 2)):
            return  # "Perhaps most telling, though, were ...": a superlative, not most people
        if prev in _CONJUNCTIONS and (
            (t.capitalised(i - 2) and _is_name_token(t, i - 2)) or t.word(i - 2) in _PERSONAL_PRONOUNS
        ):
            return  # "Ms. Toretti, Mrs. Rao and other bundlers", "he and other rivals": named members
        if prev in _POSSESSIVES or prev.endswith(_POSSESSIVE_ENDINGS):
            return  # "the senator's most explosive claim", "his many critics": a definite phrase
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
        if x in _TIME_UNITS:
            return  # "a few weeks after ...", "many times": a measure of time, not people
        if k == i + 1 and x.endswith("ing") and t.word(k + 1) in {"to", "of", "for"}:
            return  # "had some explaining to do", "some soul-searching of its own": a gerund, not people
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
    if (
        head != i
        and not any(_personal(t, k) for k in range(i + 1, head + 1))
        and (not _tag_after(t, head + 1) or (prev.endswith("ed") and not _opens_clause(prev)))
    ):
        return  # "many disputes", "several times"; "people who battled other threats say"
    if head == i and t.word(i + 1) == "of" and not _personal_after_of(t, i + 2):
        return  # "some of it", "most of the money"; not "many of us", "some of the delegates"
    if head == i and t.word(i + 1) == "of" and t.word(i + 2) == "whom":
        # "his own family, most of whom thought ...": a part of the group the sentence has just named,
        # judged where it is named (and flagged there when it is a vague source).  "Many of them said"
        # stays a source: its group may be a sentence away, out of the editor's sight.
        return
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
            if t.word(i - 2) in _MODALS and prev_word and not _opens_clause(prev_word):
                return  # "another may offer some hope": the verb after a modal, then its object
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


def _described_speakers_candidate(t: _Tokens, i: int, out: list[_Candidate]) -> None:
    """ "Those who have sketched out paths for him acknowledge ...": speakers known only by a relative
    clause, then their verb of saying (not "those who say ...", a generality)."""
    if not _speaks_after_relative(t, i + 1):
        return
    if t.is_word(i - 1) and t.lows[i - 1] not in _CLAUSE_STOP and t.lows[i - 1] != "even":
        return  # "of those who ...", "among those who ...": not the subject
    out.append(
        _Candidate(
            kind=VAGUE_COLLECTIVE,
            start=t.starts[i],
            end=t.ends[i],
            noun=t.lows[i],
            lemma=t.lows[i],
            np_start=t.starts[i],
            np_end=t.ends[i],
        )
    )
