"""The vocabulary of attribution: the words a linguist extends, as tables.

Source nouns by kind, quantifiers, hedges, verbs of speech and cognition, and the small function-word
sets the patterns and candidates read.  Nothing here decides anything: it is data.
"""

from __future__ import annotations

import re


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
    " staffer source prosecutor investigator ally/allies confidant loyalist"
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
    " candidate delegate donor backer senator congressman/congressmen congresswoman/congresswomen"
    " woman/women man/men friend family/families rival follower operative"
    " neighbour neighbor relative child/children student survivor protester demonstrator veteran"
    " someone/someone somebody/somebody"
)
# People who speak for a side, a source even alone under "a", "one" or "another": "a lawmaker said".
_SPEAKERS = _words(
    "person someone somebody lawmaker legislator senator congressman congresswoman politician delegate"
    " donor operative ally rival supporter loyalist insider critic member"
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
_QUANTIFIERS = _words("some many most several few other others numerous countless plenty various multiple")
# Nouns whose one form is plural in use: "people say", "the media report".
_PLURAL_MASS = _words("people media data police")
# "a number of", "a group of", "dozens of": a part of a group, unnamed.
_QUANTIFIER_NOUNS = _words("number handful host majority minority lot lots few group dozens scores")

_HEDGES = _words(
    "allegedly reportedly purportedly supposedly reputedly rumoured rumored alleged purported reported"
)
# Hedges that voice the writer's doubt as much as someone's report: a source only before a verb.
_WRITERS_DOUBT = _words("supposedly")
# Words that open a question or an indirect one: "how she supposedly built ...".
_WH_WORDS = _words("how why what where whether")

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
raising express voice compare liken assume foresee envisage envision tip/tips/tipped/tipping tweet echo
announce ask share
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
# Verbs of the mind, which a report cannot take ("the data now considered a requirement").
_MIND_VERBS = _verb_forms(
    "believe think/thinks/thought/thinking fear hope feel/feels/felt/feeling worry/worries/worried/worrying"
    " doubt suspect wonder assume consider regard"
)
_REPORT_VERBS = (_SPEECH - _MIND_VERBS) | _verb_forms(_REPORT_EXTRA)
# Verbs of speech that take their clause without "that" ("Clinton says many doubted her"); the rest
# of _SPEECH take an object there ("worried some analysts", "told many reporters").
_BARE_CLAUSE_VERBS = _verb_forms(
    "say/says/said/saying think/thinks/thought/thinking believe argue claim insist add contend maintain"
    " reckon predict"
)
# "call" is a speech verb in "called for", "called on", "called it"; "see" in "see it as", "see little".
_NEEDS_NEXT = {
    "call": _words("for on it this that them him her the a an into"),
    "point": _words("out to"),
    "see": _words("as little no a an it this that risk risks signs danger room value merit potential"),
    "put": _words("the it its at"),
    # "analysts linked the attack to ...", not "accounts linked to the group" (a participle)
    "tie": _words("the it"),
    "link": _words("the it"),
    "raise": _words(
        "concerns concern questions question alarm alarms doubts doubt fears fear the eyebrows red flags"
        " worries suspicions hopes expectations"
    ),
    "charge": _words("that"),
    "add": _words("that"),
    "find": _words("that no little a an evidence the"),
    "show": _words("that a an the no little"),
    "write": _words("that in on"),
    "state": _words("that"),
    "ask": _words("questions whether why how if"),
    "share": _words(""),  # judged in phrases._verb_ok: "shared their concerns"
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
            "charge": "charge",
            "add": "add",
            "find": "find/finds/found/finding",
            "show": "show/shows/showed/showing/shown",
            "write": "write/writes/wrote/writing/written",
            "state": "state",
            "ask": "ask",
            "share": "share",
        }[lemma]
    )
}
# Said of a source: "experts are divided", "analysts remain sceptical".
_OPINION_ADJECTIVES = _words(
    "divided split sceptical skeptical concerned worried convinced confident optimistic pessimistic cautious"
    " unconvinced alarmed doubtful unsure uncertain wary hopeful adamant unanimous united critical fearful"
    " nervous bullish bearish upbeat gloomy sure certain agreed adamant sanguine relaxed enthusiastic"
    " positive negative downbeat circumspect hesitant reluctant supportive opposed"
    " surprised shocked puzzled baffled dismayed stunned troubled disappointed impressed unimpressed"
    " encouraged startled frustrated angered outraged"
)
# Verbs of feeling whose object is the one who feels: "the ruling surprised many legal scholars".
_FEELING_VERBS = _words(
    "surprised shocked puzzled baffled dismayed stunned troubled disappointed impressed alarmed worried"
    " angered outraged divided split frustrated startled concerned"
)
# The verbs that make their subject a source wherever they stand: "said", "argued", "fear".
_SAY_VERBS = _verb_forms(
    "say/says/said/saying tell/tells/told/telling argue believe think/thinks/thought/thinking warn claim"
    " insist predict expect fear worry/worries/worried/worrying doubt suspect agree contend tweet"
    " write/writes/wrote/writing acknowledge estimate suggest"
)
# A relative clause of the reporter's own: "the economists I spoke to", "the voters we interviewed".
_INTERVIEW_VERBS = _words(
    "spoke spoken talked interviewed contacted asked surveyed met consulted reached polled"
)
# The verbs of a listener: "supporters who have heard from the campaign say" are not credited by it.
_LISTENER_VERBS = _INTERVIEW_VERBS | _words("heard hear hears listened watched read")
# Between a copula and an opinion adjective: "others were more sanguine", "analysts are less sure".
# After "divided" or "split", a share and not a stance: "divided among the districts", "split into two".
_SHARING_PREPS = _words("among between into across")
_DEGREE = _words("more less far much very deeply increasingly somewhat rather fairly quite so too")
# Words between a subject and its verb: auxiliaries, negation and adverbs.
_AUX = _words(
    "have has had are is were was will would may might could can should must do does did been be being not"
    " don't doesn't didn't haven't hasn't won't can't also now still long already generally widely broadly"
    " largely mostly often increasingly privately publicly openly repeatedly recently previously even too"
    " all both tend tends tended to seem seems seemed appear appears appeared remain remains remained"
    " continue continues continued have've 've 're 's never further however though meanwhile alike"
    " themselves first quickly ever"
)
_AUX |= {w.replace("'", "\u2019") for w in _AUX}  # "don\u2019t" as typeset
_COPULAS = _words(
    "are is were was be been being remain remains remained seem seems seemed appear appears appeared"
)
# Nouns of speech that introduce their source with "from", "among", "by" ("criticism from campaigners").
_SPEECH_NOUNS = _words(
    "criticism condemnation warnings warning concern concerns fears calls objections complaints praise"
    " opposition scepticism skepticism consensus agreement disagreement debate doubts unease anger alarm"
    " speculation pressure claims allegations accusations questions predictions estimates forecasts"
    " view views belief beliefs worries backlash outcry reaction reactions feeling feelings recognition"
    " sense perception perceptions expectation expectations sentiment frustration"
)
# Speech nouns whose "from"/"among" frame names who asked or pushed, not who claims: "took no questions
# from the news media", "pressure from activists", "a debate among economists".
_FRAME_NOUNS = _SPEECH_NOUNS - _words("questions pressure debate")
# Before an NP that is the source: "according to", "in the view of", "amid reports".
_REPORT_FRAMES = _words("amid following after despite denied confirmed dismissed citing cited")
_DETERMINERS_DEFINITE = _words("the these those this that its their his her our my your whose such")
_DETERMINERS_INDEFINITE = _words(
    "a an one another two three four five six seven eight nine ten dozens hundreds every each"
)
_POSTMOD_PREPS = _words(
    "at from with of in on for across within inside outside around among by to about over"
)
_PARENTHETICAL_STARTS = _words(
    "who which including such like among notably led many most some both however though meanwhile"
    " too in for on at speaking writing working based citing"
)
_INCLUDING = _words("including like notably among")
_CREDIT_PREPS = _words("at with for of from by")
_PUBLICATION_VERBS = _words(
    "published conducted commissioned carried released led funded produced compiled seen obtained reviewed"
    " polled surveyed cited quoted issued written prepared run authored co-authored presented reported"
    " interviewed contacted consulted questioned filed provided posted"
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
    " monday tuesday wednesday thursday friday saturday sunday january february march april june july"
    " august september october november december"
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
    " unconfirmed unverified conflicting contradictory initial early preliminary latest growing every each"
)
# Verbs that make their object think or say something: "led some allies to worry", "leaving some to
# question".
_CAUSATIVES = _words("lead leads led leading leave leaves leaving left prompt prompts prompted prompting")
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
# A possessive's ending, with either apostrophe: "Trump's", "Trump\u2019s".
_POSSESSIVE_ENDINGS = ("'s", "\u2019s")
# Initials ("U.S."), words (with inner apostrophes, periods and hyphens, and a final apostrophe), any other
# character.  Every character but white space is in a token.
# A number with thousands separators ("2,000") is one token.
_TOKEN_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}|\d{1,3}(?:,\d{3})+(?!\d)|[^\W_][\w&]*+(?:['\u2019.-][^\W_][\w&]*+)*+['\u2019]?|\S"
)

# The words the rules of the noun phrase read (:mod:`.phrases`).
_CLAUSE_THAT = _words("that this")

# "one person tweeted", "another supporter wrote", "a lawmaker says", "someone told him".
_SINGULAR_OPENERS = _words("a an one another")

_SOMEONE = _words("someone somebody")

_FIRST_PERSON = _words("i we i've we've i'd we'd i\u2019ve we\u2019ve")

_NEAR_SOURCE = _words("close familiar involved aware briefed with")

_PLURAL_GROUPS = _words("leader outlet group organisation organization")

_AGENT_PREPS = _words("by from")

_OBJECT_PREPS = _words("by to for like unlike on upon against toward towards onto into at about between")

# Verbs of wanting or causing whose object does the next verb, unreported: "make his supporters feel",
# "to have people believe in you", "I want people in Ohio to know" (the past "made", "led" are events).
_INTENT_VERBS = _words("make makes making let lets letting have having help helps helping want wants wanting")

_ARTICLES_INDEFINITE = _words("a an")

_LABEL_NOUNS = _words("email e-mail file files data document documents memo source sources")

_SURVEYS = _words("poll survey study research census")

# Reports that are a mass of facts, not a document by someone: "supported by economic data".
_MASS_REPORTS = _words("data evidence research")

_POLLS = _words("poll survey")

# Premodifiers that keep "figures" statistics: "official figures", "new figures", "unemployment figures".
_FIGURE_PREMODS = _words(
    "official new latest recent government preliminary provisional final monthly annual quarterly weekly"
    " unemployment sales trade population fundraising"
)

# Verbs whose object is a document of their subject's: "she sent an email", "he released a report".
_SENDING_VERBS = _words("sent send sends sending released releases published publishes issued issues posted")

# Verbs that credit a claim to a speaker or a legal process in the same sentence.
_CREDITING_VERBS = _words(
    "said says told tells alleges charged charges accused accuses indicted sued testified claimed claims"
    " wrote writes stated states"
)

_PEOPLE_PRONOUNS = _words("us them you those these whom")
_THING_PRONOUNS = _words("it this that which what")

# Suffixes of nouns of agents and members: "-ers", "-ists", "-ians", "-ants", "-ents", "-ives", "-ees".
_AGENT_SUFFIXES = _words("ers ors ists ians ants ents ives ees crats cans als ites ics")

# Who has read a report, not who wrote it: "a memo seen by reporters".
_READER_VERBS = _words("seen obtained reviewed cited quoted interviewed contacted consulted questioned")

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

# Verbs that pass their subject on to the verb after "to": "critics seem to think", "leaders have taken to
# saying", "some began to argue".
_TO_AFTER = _words(
    "tend tends tended seem seems seemed appear appears appeared continue continues continued begin begins"
    " began begun start starts started taken take takes took"
)

_INVERTED_SAY = _words(
    "said says say warned warns added adds noted notes argued argues wrote writes suggested"
    " suggests believe believes cautioned cautions explained explains predicted predicts insisted insists"
    " reckoned reckons observed observes estimated estimates concluded concludes"
)

_QUOTES_AND_COMMAS = frozenset(
    {",", '"', "\u201c", "\u201d", "'", "\u2018", "\u2019", "\u2014", "\u2013", "-", ";", ":"}
)

_VIEW_NOUNS = _words("view eyes opinion judgment judgement assessment estimation analysis reckoning words")
# What stands before a view noun whose "of" names whose view it is: "in the view of", "the eyes of".
_VIEW_OPENERS = _words("the in his her their its our")

# Frames that open a sentence with whose view it is: "To many, ...", "Among economists, ...".  Not "For
# some, ...": "for" says whom the matter concerns ("For party leaders, the need to adapt was ..."), and
# "for some it is worth it, for others not" sorts cases; it reports no one's view.
_VIEW_FRAMES = _words("to among")

_CONJUNCTIONS = _words("and or")

_DASHES = frozenset({"\u2014", "\u2013", "\u2015"})

_SENTENCE_STOPS = frozenset({".", ";", "?", "!", ":"})

_FULL_STOPS = frozenset({".", "?", "!", ""})  # "" past the last token

_WHO_CONTRACTED = ("who'", "who\u2019")

_QUOTES = frozenset({'"', "\u201c", "\u201d"})

_AUX_BEFORE_OBJECT = _words("to be been being the a an")

_QUANTIFIER_OPENERS = _words("a an the growing increasing small large")  # "a growing number of"

_NAME_JOINERS = _words("of for and &")

_THAT_WHICH = _words("that which")

# Words that open a clause with a subject of its own: "... and when Rubio thanked Miami and said ...".
_ESTIMATE_MARKS = _words("at higher lower above below near around")

_THINK_FORMS = _words("think thinks thought thinking")

_PONDER_PREPS = _words("about of over through to")

_SAY_BASES = _words("say")  # "says" is not "say" + "s" in the verb forms' spelling rules
# The forms whose "-s" form is a verb of speech in the present: "warn" for "warns", "say" for "says".
_SPEECH_BASES = _SPEECH | _SAY_BASES

_NEW_CLAUSE = _words("when while whereas although though because if unless whether where whenever")

_SUBORDINATORS = _NEW_CLAUSE | _words("since until after before who whom whose which that what")

# Verbs of handing a report in, beside those of publishing: "the reports his campaign is filing".
_FILING_VERBS = _words("filing files file releasing publishing issuing submitting submitted submits")

# What opens a short adverbial between an auxiliary and its verb: "have in particular noted".
_ADVERBIAL_PREPS = _words("in for at on over since")

# Adverbs before the participle of an aside: ", often conducted by ...,".
_ASIDE_DEGREE = _words("deeply highly strongly very")

_ASIDE_ADVERBS = _words("often mostly usually frequently sometimes once long recently previously all both")

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
# Verbs whose object is data or a document handled, not a source speaking: "Paradata uses big data to
# ...", "the system collects data from devices".
_HANDLING_VERBS = _words(
    "uses used collects collected gathers gathered analyses analysed analyzes analyzed mines mined"
    " harvests harvested stores stored processes processed crunches crunched"
)
# Verbs of saying whose negation says nothing: "have not said", "would not comment", "declined to say".
_WITHHELD_VERBS = _words(
    "say says said saying comment comments commented disclose disclosed specify specified tell told"
)
_DECLINING = _words("decline declines declined refuse refuses refused")
# Counts before "people close to": "according to two people close to the campaign".
_COUNTS = _words("two three four five six several")
# A closing tag that credits the clause before it: "..., Ms. Roe said on Monday."
_TAG_VERBS = _words("said says told added adds noted notes wrote writes")
_TAG_ENDS = _words("on in at last this after before during earlier later")
# Endings of adjectives after "most", a superlative: "most telling", "most important".
_ADJECTIVE_ENDINGS = ("ing", "ful", "ive", "ous", "able", "ible", "ant", "ent", "ic")
# Quantifiers that are also adjectives of degree: "tunnels are so numerous", "the reasons were various".
_PREDICATIVE_QUANTIFIERS = _words("numerous countless various multiple")

# Media as a vague source: "state media", "Russian state television", "the local press", "the media".
# Participles of speech that add what the subject of the clause said: "..., saying ...", "..., alleging ...".
_SAYING = _words(
    "saying arguing warning claiming insisting complaining adding alleging noting contending asserting"
    " predicting suggesting acknowledging accusing blaming urging demanding describing calling expressing"
    " fearing questioning"
)

_BE_FORMS = _words("be been being is are was were")

_IRREGULAR_PARTICIPLES = _words("told said thought found felt held heard seen shown known put brought taught")
# Auxiliaries of the past tense, which a headline does not use: "Report: People were seen ...".
_PAST_AUX = _words("was were had")
# Past forms of verbs of speech that do not end in -d: "wrote", "saw", "forecast".
_PAST_FORMS = _words("wrote saw forecast knew spoke")

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

# The words the rules of sources read (:mod:`.sources`).

_LEADER_PREPS = _words("of on in from at across within")

_COLLECTIVE_COUNTS = _words("group dozens scores")

_CONDITIONALS = _words("if unless when whenever once")
# Before a bare "people" that is anyone at all: "if people think ...", "the pain that people feel".
_GENERIC_PEOPLE_BEFORE = _CONDITIONALS | _words("that which what how why")

_MODALS = _words("may might can could will would should must shall")
# Modals of possibility and ability, before which a verb of speech reports nothing: "others might argue",
# "scientists can't predict" (not "would": "what most would agree was poor judgment" claims agreement).
_POSSIBILITY_MODALS = _words("might may could can cannot can't can\u2019t couldn't couldn\u2019t")

# Particles of phrasal verbs: "sent out an email", "put out a statement".
_PARTICLES = _words("out up off around")

# Units of time after a quantifier: "a few weeks", "many years", "several times".
_TIME_UNITS = _words(
    "second seconds minute minutes hour hours day days week weeks month months year years decade decades"
    " century centuries time times"
)

# Pronouns that stand for one named person or a known few: "he and other rivals".
_PERSONAL_PRONOUNS = _words("he she i we you")

# Pronouns that can be the subject of a relative clause's own verb: "(hackers) who they say are ...".
_SUBJECT_PRONOUNS = _words("he she they we i you")
