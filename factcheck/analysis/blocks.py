"""Turn an article body (plain text or HTML) into canonical text and classified blocks.

Plain text keeps its characters: the canonical text is the input with ``\\r\\n`` and ``\\r``
turned into ``\\n`` and nothing else changed, so offsets map back to the source one to one.
Paragraphs are runs of non-blank lines; a line of furniture glued to a paragraph (a
"Credit: X" line, a byline, a "Read more" line) becomes a block of its own.

HTML is parsed with lxml.  The canonical text is the visible text, one block after another
separated by a blank line, white space inside a block collapsed to single spaces (a ``br``
becomes a line break, two or more in a row end the block).  Every ``a href`` with visible text
becomes a ``Link`` over its anchor text.

Blocks are classified by structure (HTML tags) and by their text (credits, captions, bylines,
bios, promos, headings).  Only paragraphs, quotations and list items are content.
Nothing here imports Django.
"""

from __future__ import annotations

import copy
import re
from typing import NamedTuple

import lxml.etree
import lxml.html

from factcheck.analysis import page
from factcheck.analysis.types import Block, BlockKind, Document, Link

__all__ = ["parse", "parse_html", "parse_text", "sentence_furniture"]

# ---------------------------------------------------------------------------------------------
# Text patterns (compiled once)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}"
    rf"|{_MONTH}\.?\s+\d{{4}})"
)
_DASH = r"[-\u2013—\u2012―]"

# "MINSK, BELARUS - Feb 11, 2015: ..." (the stock-photo editorial caption); places checked for caps.
_STOCK_CAPTION_RE = re.compile(
    rf"([^,:\n]{{2,40}}?)(?:,\s*([^,:\n]{{2,40}}?))?\s*(?:{_DASH}|,)\s*{_DATE}\s*:\s*\S", re.IGNORECASE
)
# "... — Photo by Jane Doe", "... | Image: Reuters", "... (Photo by X/Getty Images)" at the very end,
# or after the caption's last sentence: "... near Gletsch. Photograph: Jane Roe/AFP via Getty Images".
_TRAILING_CREDIT_RE = re.compile(
    rf"(?:(?:{_DASH}|[|/•·])\s*|\(\s*|(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[A-Z][a-z]+(?:\s+credit)?\s*:))"
    r"(?:photo(?:graph)?s?|images?|pictures?|pic|credits?)\s*(?:by\b|:|credits?\s*:|courtesy\b)"
    r"\s*[^.!?()\n]{1,80}(?:\.\s*[^.!?()\n\s]{1,40})*\)?\s*$",
    re.IGNORECASE,
)
# "Credit: X", "Image Credit: X", "Creddit: X" (the label is checked word by word, fuzzily).
_LABEL_RE = re.compile(r"[(\[]?\s*([A-Za-z][A-Za-z'\u2019 ]{0,30}?)\s*:\s*(\S.*?)[)\]]?\s*$", re.DOTALL)
# "(Photo by X)", "Photo courtesy of X", "Image via X"
_CREDIT_PHRASE_RE = re.compile(
    r"[(\[]?\s*(?:(?:photo(?:graph)?|image|picture|illustration|video|graphic)s?\s+"
    r"(?:by|courtesy(?:\s+of)?|credits?|via|from|source)\s+\S"
    r"|courtesy(?:\s+of)?\s+\S)",
    re.IGNORECASE,
)
_AGENCY_RE = re.compile(
    r"getty\s*images|shutterstock|depositphotos|unsplash|istock|alamy|pexels|pixabay|dreamstime"
    r"|adobe\s*stock|wikimedia\s+commons|ap\s+photo|reuters/|afp/|epa/|afp\s+via\s+getty|\bcc\s+by\b",
    re.IGNORECASE,
)
# "The Associated Press contributed to this report."
_CONTRIBUTED_RE = re.compile(
    r"[^.!?]{2,80}\s+contributed\s+(?:reporting|research|to\s+(?:this|the)\s+(?:report|story|article))"
    r"[^.!?]{0,60}\.?$"
)
_BYLINE_SEPARATOR_RE = re.compile(r"\s*[,|;\u2013—]\s*|\s+-\s+")
_BYLINE_RE = re.compile(r"by\s+(\S.*)$", re.IGNORECASE | re.DOTALL)
_CREDITED_BY_RE = re.compile(
    r"(?:(?:additional\s+)?reporting|written|edited|editing|compiled|produced|words|story|text"
    r"|report(?:ed)?|interview)\s+by\s+\S",
    re.IGNORECASE,
)
_DATELINE_RE = re.compile(
    rf"(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified)(?:\s+on)?\s*:?\s*.{{0,60}}"
    rf"|(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+{_DATE}.{{0,30}}"
    rf"|{_DATE}(?:\s*(?:at\s+|,\s*|[|•·]\s*)?\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{{2,5}})?)?)$",
    re.IGNORECASE | re.DOTALL,
)
_PROMO_RE = re.compile(
    r"(?:read\s+(?:more|next|also|this|the\s+full\s+(?:story|article|report))\b"
    r"|also\s+read\b|more\s+reading\b"
    r"|related(?:\s+(?:articles?|stories|content|coverage|reading|links?|posts?|news|topics?))?\s*(?::|$)"
    r"|(?:see\s+also|watch(?:\s+now)?|listen(?:\s+now)?|more\s+(?:from|on)\s+[^:]{1,40})\s*:"
    r"|more\s+(?:stories|news|coverage)\s*$"
    r"|recommended(?:\s+(?:for\s+you|stories|reading|videos?))?\s*(?::|$)"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy)\b"
    r"|(?:don[\u2019']?t\s+miss|trending(?:\s+now)?|most\s+(?:read|popular|viewed|shared)"
    r"|editor[\u2019']?s\s+picks?)\s*(?::|$)"
    r"|advertisements?\s*$|sponsored(?:\s+content)?\s*$|paid\s+(?:content|post)\s*$"
    r"|(?:the\s+)?(?:story|article)\s+continues\s+(?:below|after)\b|continue\s+reading\b"
    r"|skip\s+(?:advertisement|ad)\b"
    r"|share\s+(?:this|on|via|the\s+(?:story|article))\b|share\s*$|print\s*$|tweet\s*$"
    r"|subscribe\b|sign\s+up\s+(?:for|to|now|here|today)\b|sign\s+up\s*$|click\s+here\b|tap\s+here\b"
    r"|follow\s+us\b|like\s+us\s+on\b|find\s+us\s+on\b"
    r"|join\s+(?:us|our)\s+(?:on|newsletter|mailing|community|whatsapp|telegram|channel)\b"
    r"|(?:get|download)\s+(?:our|the)\s+(?:free\s+)?(?:\w+\s+)?(?:newsletter|app)\b"
    r"|support\s+(?:our|independent|quality)\s+journalism\b|become\s+a\s+(?:member|subscriber|supporter)\b"
    r"|donate\s+(?:now|today)\b"
    r"|this\s+(?:article|story|post)\s+(?:was\s+)?(?:originally|first)\s+(?:published|appeared)\b"
    r"|(?:©|\(c\)\s|copyright\s+(?:©\s*)?\d{4}).{0,150}$|all\s+rights\s+reserved)",
    re.IGNORECASE | re.DOTALL,
)
_SIGNOFF_RE = re.compile(
    r"(?:follow\s+(?:(?:me|him|her|them)\s+)?(?:on\s+\S+\s+)?for\s+more"
    r"|stay\s+(?:informed|tuned|updated|connected|curious|safe)(?:\s+and\s+\w+)?"
    r"|follow\s+(?:him|her|them|me)\s+on\b"
    r"|(?:you\s+can\s+)?(?:reach|contact|email)\s+(?:him|her|them|me|the\s+author)\s+at\b)",
    re.IGNORECASE,
)
_BIO_RE = re.compile(
    r"(?:^|[.!?:][\"”\u2019)]?\s+)"
    r"(?:[A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){0,3}\s+"
    r"(?:(?:can\s+be\s+reached|is\s+reachable)\s+(?:at|on|via)\s+\S+@"
    r"|(?:is|was|has\s+been|serves\s+as|works\s+as)\s+"
    r"(?:a|an|the|our|one\s+of\s+(?:the|our)|(?:[A-Z][\w&.-]*\s+){0,3}[A-Z][\w&.-]*['\u2019]s)\s+"
    r"(?:[\w'\u2019&-]+,?\s+){0,5}?"
    r"(?:writer|journalist|reporter|correspondent|editor|contributor|columnist|author|blogger"
    r"|freelancer|producer|photographer|photojournalist|intern|commentator|storyteller"
    r"|content\s+creator|enthusiast)s?\b"
    r"|(?:covers|writes\s+(?:about|on|for)|reports\s+(?:on|for))\s)"
    r"|(?:can\s+be\s+reached|is\s+reachable)\s+(?:at|on|via)\b"
    r"|The\s+(?:author|writer)\s+(?:is|was|has|works|teaches|lives)\b"  # at the end: "The author is a ..."
    r"|with\s+a\s+(?:deep\s+|keen\s+|strong\s+|genuine\s+)?passion\s+for\b"
    r"|(?:follow|reach|contact)\s+(?:him|her|them|me)\s+(?:on|at)\b)"
)
_BIO_STRONG_RE = re.compile(
    r"with\s+a\s+(?:deep\s+|keen\s+|strong\s+|genuine\s+)?passion\s+for\s+"
    r"(?:news|writing|journalism|storytelling|current\s+events|reporting|words)\b",
)
_BULLET_RE = re.compile(r"(?:[-*•‣▪◦·\u2013]|\d{1,3}[.)])\s+\S")
_WORD_RE = re.compile(r"[^\W_][\w'\u2019.&-]*")

# Words that stay lower case in a Title Case heading.
_SMALL_WORDS = _wordset(
    "a an the and or nor but for of in on at to by from with without as vs vs. via per into onto"
    " over under amid after before about than up down out off is are was be its it's"
)
# A heading or headline does not end on these: a line ending so is a fragment of a sentence.
_DANGLING_WORDS = _wordset(
    "a an the and or nor but of in on at to by from with as that which who whose whom than"
    " is are was were be been has have had will would could should may might can his her their"
    " its our my your this these those"
)
# Photo captions (_is_caption_sentence).
_CAPTION_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019-]*")
_INNER_SENTENCE_END_RE = re.compile(r"(\w+)[.!?][\"'\u201d\u2019)]?\s+[A-Z\"\u201c]")
_CAPTION_BANNED_CHARS = frozenset('"\u201c\u201d\u00ab\u00bb%$\u00a3\u20ac')
_SCENE_RE = re.compile(r"\b(?:in|at|near|outside|inside|on|during|off|along|across|over|against)\s+[A-Z]")
_FIGURE_RE = re.compile(r"(?<!\w)\d")
_DATE_RE = re.compile(rf"\b{_DATE}", re.IGNORECASE)
_DATED_END_RE = re.compile(rf",\s*{_DATE}\.?$", re.IGNORECASE)
_BEFORE_PARTICIPLE = _wordset(
    "a an the of with and or by is are being been be as some two three four five six several many its"
    " their his her our newly recently half"
)
_NOT_CAPTION_WORDS = _wordset(
    "said says say told tells according announced reported claimed stated added warned will would could"
    " should may might must can cannot can't won't has have had hasn't haven't was were wasn't weren't did"
    " didn't does doesn't expected likely plans planned i we you our my us your if because although though"
    " whether unless since remain remains continue continues warn warns suggest suggests believe believes"
    " argue argues think thinks fear fears hope hopes expect expects claim claims insist insists predict"
    " predicts speculate speculates estimate estimates"
    " fell rose won lost took made came went saw gave found left began held kept met paid sent built led"
    " became broke chose drew drove flew grew knew wrote spoke stood fought caught brought bought sold"
    " thought spent struck ran sank shot swept wore fled sought stole threw tore"
)
# The sentence after a bio, in a paragraph of its own: "She has reported from Sudan since 2019."
_BIO_FOLLOW_RE = re.compile(
    r"(?:He|She|They)\s+(?:has|have|had|previously|joined|trained|worked|lives|live|studied|covers|cover"
    r"|writes|write|reports|report|began|spent|holds|hold|is\s+(?:based|the\s+author|a\s+former))\b"
)
_CLOSERS = "\"'\u201d\u2019)]\u00bb"
# Particles of phrasal verbs that a headline may end on, and the verbs that take them.
_PARTICLES = _wordset("on in by")
_PHRASAL_VERBS = frozenset(
    form
    for verb in _wordset(
        "drag carry go move press hold hang live soldier sign log catch rumble roll plough plow grind pile"
        " weigh cave close step kick set sink zero chip rein call fill give pour flood tune stand pass stick"
        " crack bear dig join lock cash chime pitch bring usher phase factor settle check"
    )
    for form in (verb, verb + "s", verb + "es", verb + "ing", verb + verb[-1] + "ing", verb[:-1] + "ing")
)
# "By Monday, ..." is not a byline.
_NOT_NAMES = _wordset(
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday"
    " saturday sunday the this that these those then now contrast comparison far all law design"
    " default night day noon midnight dawn dusk mid early late end next last christmas easter"
    " spring summer autumn fall winter way means virtue order train car air sea road bus plane"
    " phone email mail hand some most many one two three his her their our its my your"
    " definition nature chance accident mistake percentage race age no any each every"
)
_NAME_CONNECTORS = _wordset("and & de van von der den da del della la le di du bin al el y ibn st. st")

# Vocabulary of image-credit labels; a label is a run of these words with at least one core word.
_CREDIT_CORE = _wordset(
    "credit credits image images photo photos photograph photographs photography photographer"
    " picture pictures pic pics source sources courtesy illustration illustrations graphic"
    " graphics video imagery artwork"
)
_CREDIT_EXTRA = _wordset("featured feature header cover lead main top hero stock via by")
_CREDIT_FUZZY = tuple(sorted(w for w in _CREDIT_CORE if len(w) >= 5))
_BYLINE_LABELS = _wordset("author authors byline writer words reporter reporting written by")
_CAPTION_LABELS = _wordset("image images photo photos photograph picture pictures pic video pictured above")
# "Image caption, Care home residents ...", "Image source, Getty Images" (the BBC's screen-reader labels).
_COMMA_LABEL_RE = re.compile(
    r"(?:image|media|video|photo|picture|audio)\s+(caption|source|credit)s?\s*,\s+\S", re.IGNORECASE
)
_COMMA_LABEL_STARTS = _wordset("image media video photo picture audio")
# Words a section heading that asks a question starts with ("What happens next?", "Is it safe?").
_QUESTION_STARTS = _wordset(
    "what what's why how who whose where when which is are can could will would should does do did has have"
)
_FIRST_PERSON = _wordset("i we us our my me i'm we're")
# "About the author: ...", "Contact the author": the whole block is a bio, wherever it stands.
_BIO_START_RE = re.compile(
    r"(?:about\s+the\s+(?:author|writer|reporter|contributor)s?\b"
    r"|contact\s+the\s+(?:author|writer|reporter)s?\b)",
    re.IGNORECASE,
)


def _within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or swap."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if i == la:
        return True
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


def _credit_word(word: str) -> str | None:
    """The credit-label word that ``word`` is, allowing one typo in words of five letters or more."""
    if word in _CREDIT_CORE:
        return "core"
    if word in _CREDIT_EXTRA:
        return "extra"
    if len(word) >= 5:
        for known in _CREDIT_FUZZY:
            if _within_one_edit(word, known):
                return "core"
    return None


def _is_upper_place(part: str | None) -> bool:
    return part is None or (part.isupper() and len(part.split()) <= 5)


def _word_count(s: str) -> int:
    return len(s.split())


def _ends_sentence(s: str) -> bool:
    return s.rstrip("\"'”\u2019)]»*_ ")[-1:] in ".!?…"


def _first_word(s: str) -> str:
    """The first word of ``s``, lower case, without leading brackets (cheap: looks at 30 characters)."""
    head = s[:30].lstrip("([ \t").split(None, 1)
    return head[0].lower().rstrip(":,") if head else ""


# First words that can open a credit phrase, a promo, a byline or a sign-off: a paragraph that starts
# otherwise skips those patterns (most paragraphs do, which keeps parsing fast).
_CREDIT_STARTS = _wordset(
    "photo photos photograph photographs image images picture pictures illustration illustrations video"
    " videos graphic graphics courtesy"
)
_PROMO_STARTS = _wordset(
    "read also more related see watch listen recommended you don't don\u2019t trending most editor's"
    " editor\u2019s advertisement advertisements sponsored paid the story article continue skip share"
    " print tweet subscribe sign click tap follow like find join get download support become donate"
    " this \u00a9 (c) copyright all"
)
_BYLINE_STARTS = _wordset(
    "by additional reporting written edited editing compiled produced words story text report reported"
    " interview"
)
_SIGNOFF_STARTS = _wordset("follow stay you reach contact email")
_PROSE_END = frozenset(".!?\"\u201d\u2019'")


def _credit_or_caption(s: str, first: str) -> tuple[BlockKind, str] | None:
    """An image credit ("Credit: X", "(Photo by X)") or a photo caption, by the text alone."""
    n = len(s)
    if n > 400:
        return None
    if first in _COMMA_LABEL_STARTS:
        m = _COMMA_LABEL_RE.match(s)
        if m is not None:
            if m.group(1).lower() == "caption":
                return BlockKind.CAPTION, "photo caption"
            if n <= 160:
                return BlockKind.IMAGE_CREDIT, "image credit"
    if n <= 160:
        m = _LABEL_RE.match(s) if ":" in s[:40] else None
        if m is not None:
            words = m.group(1).lower().replace("\u2019", "'").split()
            value = m.group(2)
            kinds = [_credit_word(w) for w in words]
            if words and len(words) <= 3 and words[-1] in ("pictured", "caption"):
                return BlockKind.CAPTION, "photo caption"  # "Pictured: ...", "Photo caption: ..."
            if words and len(words) <= 3 and "core" in kinds and None not in kinds:
                if words[-1] in _CAPTION_LABELS and _word_count(value) > 6 and not _AGENCY_RE.search(value):
                    return BlockKind.CAPTION, "photo caption"
                if _word_count(value) <= 12:
                    return BlockKind.IMAGE_CREDIT, "image credit"
        if (
            first in _CREDIT_STARTS
            and _word_count(s) <= 14
            and _CREDIT_PHRASE_RE.match(s)
            and not _ends_sentence(s.rstrip(")]"))
        ):
            return BlockKind.IMAGE_CREDIT, "image credit"
        if (
            n <= 80
            and _word_count(s) <= 8
            and not _ends_sentence(s)
            and _AGENCY_RE.search(s)
            and all(w[0].isupper() or "/" in w or not w[0].isalpha() for w in s.split())
        ):
            return BlockKind.IMAGE_CREDIT, "image credit"
    trailing_credit = s[-1] not in _PROSE_END and _TRAILING_CREDIT_RE.search(s[-160:]) is not None
    if s[:2].isupper():
        m = _STOCK_CAPTION_RE.match(s)
        if (
            m is not None
            and _is_upper_place(m.group(1))
            and _is_upper_place(m.group(2))
            and (m.group(2) is not None or trailing_credit)
        ):
            return BlockKind.CAPTION, "photo caption"
    if trailing_credit and "\n" not in s:
        return BlockKind.CAPTION, "photo caption"
    return None


def _is_byline(s: str) -> bool:
    if len(s) > 140:
        return False
    m = _BYLINE_RE.match(s)
    if m is None:
        return bool(_CREDITED_BY_RE.match(s)) and not _ends_sentence(s.rstrip("."))
    rest = m.group(1).rstrip(". ")
    words = _BYLINE_SEPARATOR_RE.split(rest, maxsplit=1)[0].split()
    if not words or len(words) > 7 or words[0].lower().rstrip(".,") in _NOT_NAMES:
        return False
    capitals = 0
    for w in words:
        if w.lower() in _NAME_CONNECTORS:
            continue
        if not w[0].isupper():
            return False
        capitals += 1
    if capitals == 0 or _ends_sentence(rest) or "\n" in rest:
        return False
    return _word_count(rest) <= 16


def _furniture(s: str) -> tuple[BlockKind, str] | None:
    """Credits, captions, bylines, promos and sign-offs recognised by their text alone."""
    if len(s) > 400:
        return None
    first = _first_word(s)
    found = _credit_or_caption(s, first)
    if found is not None:
        return found
    if first in ("about", "contact") and _BIO_START_RE.match(s):
        return BlockKind.BYLINE, "author bio"
    if len(s) <= 250 and first in _PROMO_STARTS and _PROMO_RE.match(s):
        return BlockKind.PROMO, "promo"
    if first in _BYLINE_STARTS and _is_byline(s):
        return BlockKind.BYLINE, "byline"
    if len(s) <= 120 and "contributed" in s and _CONTRIBUTED_RE.match(s):
        return BlockKind.BYLINE, "byline"
    if len(s) <= 100:
        m = _LABEL_RE.match(s) if ":" in s[:40] else None
        if m is not None and m.group(1).lower() in _BYLINE_LABELS and _word_count(m.group(2)) <= 8:
            return BlockKind.BYLINE, "byline"
        if first in _SIGNOFF_STARTS and _SIGNOFF_RE.match(s) and _word_count(s) <= 12:
            return BlockKind.BYLINE, "author bio"
        if _DATELINE_RE.match(s):
            return BlockKind.BYLINE, "publication date"
    return None


MAX_TITLE_WORDS = 25
# A short line above a paragraph at least this many times longer reads as its title, not as a lede, unless
# it opens as prose does ("The minister resigned on Monday."): headlines drop their articles.
MAX_SHORT_TITLE_WORDS = 15
TITLE_BODY_RATIO = 2
_ARTICLES = _wordset("the a an")
# The dateline a wire story opens with: a place in capitals (and its region), perhaps a date and an
# agency, then a dash: "HARBOURTON, Ore., May 4 (Reuters) \u2014".
_DATELINE_START_RE = re.compile(
    r"[A-Z][A-Z.'\u2019-]{2,}(?:\s+[A-Z][A-Z.'\u2019-]+){0,3}(?:,\s+[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)?"
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([A-Za-z.\s]{2,30}\)\s*)?[\u2014\u2013-]{1,2}\s"
)
_TITLE_HALVES_RE = re.compile(r"\w[:;]\s+\S|\s[\u2013\u2014]\s|\w[\u2013\u2014]\w")
_OPENING_QUOTES = frozenset("\"'\u201c\u2018\u00ab")


def sentence_furniture(sentence: str) -> str | None:
    """Why a sentence inside a paragraph is furniture (a promo or a copyright line glued to prose: "Sign up
    for our newsletter.", or a byline), or None.  Only sentences opening with a word such furniture
    opens with are tested, which keeps this cheap."""
    first = _first_word(sentence)
    if first in _PROMO_STARTS and len(sentence) <= 250 and _PROMO_RE.match(sentence):
        return "promo"
    if first in _BYLINE_STARTS and _is_byline(sentence):
        return "byline"
    return None


def _ends_on_particle(words: list[str]) -> bool:
    """A phrasal verb at the end ("... as striker saga drags on", "Rivals close in"), not a dangling word."""
    particle, verb = words[-1].lower(), words[-2]
    if particle not in _PARTICLES or not verb.islower():
        return False
    if verb in _PHRASAL_VERBS:
        return True
    # A verb in the present tense after its subject: "saga drags on", not "the talks on".
    return (
        len(verb) >= 4
        and verb.endswith("s")
        and not verb.endswith(("ss", "us", "is", "'s", "\u2019s"))
        and len(words) > 2
        and words[-3].lower() not in _DANGLING_WORDS
    )


def _title_case_ratio(words: list[str]) -> float:
    considered = capital = 0
    for i, w in enumerate(words):
        if i and w.lower() in _SMALL_WORDS:
            continue
        considered += 1
        if w[0].isupper() or w[0].isdigit():
            capital += 1
    return capital / considered if considered else 0.0


def _heading_shape(s: str, *, max_words: int) -> tuple[list[str], bool] | None:
    """Words and "is Title Case or caps" for a short line without a sentence end, else None."""
    last = s[-1]
    if last in _CLOSERS:
        # 'Judge says the plan "strains credulity."': a sentence ends inside the quotation marks.
        last = s.rstrip(_CLOSERS)[-1:] or last
    if len(s) > 160 or last in ".!;:,\u2026-" or s.count("\n") > 1:
        return None
    words = _WORD_RE.findall(s)
    if not words or len(words) > max_words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return None
    if words[-1].lower() in _DANGLING_WORDS and len(words) > 1 and not _ends_on_particle(words):
        return None
    all_caps = s.isupper()
    titled = all_caps or (len(words) > 1 and _title_case_ratio(words) >= 0.7) or len(words) == 1
    if last == "?" and (len(words) > 8 or not titled):
        return None
    return words, titled


def _is_heading(s: str, next_text: str | None) -> bool:
    shape = _heading_shape(s, max_words=14)
    if shape is None:
        return False
    words, titled = shape
    if next_text and next_text[0].islower():
        return False  # the line is the first half of a sentence split by a blank line
    if titled:
        return True
    # Sentence case: only a short line that does not read like a quoted remark.
    return len(words) <= 8 and not any(q in s for q in '"“”«»') and " said" not in s


def _is_question_heading(s: str, next_block: str | None) -> bool:
    """A short question on its own line that the next paragraph answers: "What happens next?".

    A question inside a paragraph, one in quotation marks, or one in the first person ("Why should we
    pay for their mistakes?") stays a sentence; so does one that is followed by another question.
    """
    if len(s) > 80 or s[-1] != "?" or "\n" in s or not next_block:
        return False
    words = s.split()
    if len(words) > 8 or words[0].lower() not in _QUESTION_STARTS or not s[0].isupper():
        return False
    if any(q in s for q in '"\u201c\u201d\u00ab\u00bb') or any(w.lower() in _FIRST_PERSON for w in words):
        return False
    # The answer: a paragraph of prose that starts a sentence and ends one, not another question.
    return len(next_block) >= 60 and next_block[0].isupper() and next_block.rstrip(_CLOSERS)[-1:] in ".!"


def _is_headline(s: str) -> bool:
    shape = _heading_shape(s, max_words=25)
    return shape is not None and "\n" not in s


# ---------------------------------------------------------------------------------------------
# Raw blocks and classification shared by both formats


class _Raw(NamedTuple):
    start: int
    end: int
    line: int | None
    hint: str | None = None  # "h1", "heading", "caption", "quote", "li", "nav", "byline", "bullet", "row"
    forced: tuple[BlockKind, str] | None = None


def _split_lines(
    chunk: str, base: int, line: int | None, hint: str | None, line_starts: list[int | None] | None = None
) -> list[_Raw]:
    """Split a multi-line block (``chunk``, which starts at ``base`` in the canonical text).

    Lines of furniture become blocks of their own, and so does a leading heading line.  The n-th
    line starts on source line ``line + n``, or ``line_starts[n]`` when given (HTML ``br``).
    """
    pieces: list[tuple[int, int, int | None, tuple[BlockKind, str] | None]] = []
    pos = 0
    for n, raw_line in enumerate(chunk.split("\n")):
        stripped = raw_line.strip()
        if stripped:
            s = pos + (len(raw_line) - len(raw_line.lstrip()))
            e = s + len(stripped)
            forced = _furniture(stripped) if len(stripped) <= 400 and hint != "quote" else None
            if line_starts is not None:
                source_line = line_starts[n] if n < len(line_starts) else line
            else:
                source_line = None if line is None else line + n
            pieces.append((s, e, source_line, forced))
        pos += len(raw_line) + 1
    if hint is None and len(pieces) > 1 and all(_BULLET_RE.match(chunk, s, e) for s, e, _l, _f in pieces):
        return [_Raw(base + s, base + e, ln, "bullet") for s, e, ln, _f in pieces]
    out: list[_Raw] = []
    group: list[tuple[int, int, int | None]] = []

    def close_group() -> None:
        if not group:
            return
        g_start, _e, g_line = group[0]
        if hint is None and len(group) > 1:
            shape = _heading_shape(chunk[g_start : group[0][1]], max_words=10)
            rest = chunk[group[1][0] : group[-1][1]]
            if shape is not None and shape[1] and rest[0].isupper() and _ends_sentence(rest):
                out.append(_Raw(base + g_start, base + group[0][1], g_line, None))
                group.pop(0)
                g_start, _e, g_line = group[0]
        out.append(_Raw(base + g_start, base + group[-1][1], g_line, hint))
        group.clear()

    for s, e, ln, forced in pieces:
        if forced is None:
            group.append((s, e, ln))
        else:
            close_group()
            out.append(_Raw(base + s, base + e, ln, hint, forced))
    close_group()
    return out


_HINT_KINDS = {
    "quote": (BlockKind.QUOTATION, ""),
    "li": (BlockKind.LIST_ITEM, ""),
    "bullet": (BlockKind.LIST_ITEM, ""),
    "row": (BlockKind.PARAGRAPH, ""),  # a table row: its cells separated by spaces, never a heading
    "nav": (BlockKind.PROMO, "promo"),
    "byline": (BlockKind.BYLINE, "byline"),
    "heading": (BlockKind.HEADING, "section heading"),
    "h1": (BlockKind.HEADING, "section heading"),
}
MIN_PROSE_WORDS = 8
MIN_TEASER_CHARS = 60
# A fragment whose main text (by the extractor) holds less than this share of its content is read by
# structure alone.
MIN_FRAGMENT_MAIN_SHARE = 0.7
MIN_PAGE_MAIN_SHARE = 0.15  # on the 137 real pages of the evaluations, the lowest share is 0.29
# Markup that starts as a whole page does (a doctype, <html>, <head> or <body>, after comments).
_WHOLE_PAGE_RE = re.compile(
    r"(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
MAX_STANDFIRST_CHARS = 400
_TEXT_CLASSIFIED = frozenset({None, "li", "bullet", "row"})
_HEADLINE = (BlockKind.HEADLINE, "headline")


def _classify(text: str, raws: list[_Raw], *, html: bool) -> tuple[Block, ...]:
    n = len(raws)
    kinds: list[tuple[BlockKind, str]] = []
    for i, raw in enumerate(raws):
        if raw.forced is not None:
            kinds.append(raw.forced)
            continue
        s = text[raw.start : raw.end]
        hint = raw.hint
        if hint == "caption":
            found = _credit_or_caption(s, _first_word(s))
            kinds.append(
                found
                if found and found[0] is BlockKind.IMAGE_CREDIT
                else (BlockKind.CAPTION, "photo caption")
            )
            continue
        if hint == "heading" and s[-1] != "?" and _ends_sentence(s) and _word_count(s) >= MIN_PROSE_WORDS:
            hint = None  # sentences in a heading element (a standfirst, or markup left open) are prose
        if hint not in _TEXT_CLASSIFIED:
            kinds.append(_HINT_KINDS[hint])
            continue
        found = _furniture(s)
        if found is not None:
            kinds.append(found)
        elif hint is not None:
            kinds.append(_HINT_KINDS[hint])
        else:
            nxt = text[raws[i + 1].start : raws[i + 1].start + 1] if i + 1 < n else None
            if _is_section_label(s):
                kinds.append((BlockKind.HEADING, "section label"))
            elif _is_heading(s, nxt) or (
                s[-1] == "?"
                and i + 1 < n
                and raws[i + 1].hint is None
                and raws[i + 1].forced is None
                and _is_question_heading(s, text[raws[i + 1].start : raws[i + 1].end])
            ):
                kinds.append((BlockKind.HEADING, "section heading"))
            else:
                kinds.append((BlockKind.PARAGRAPH, ""))

    _mark_headline(text, raws, kinds, html=html)
    _mark_captions(text, raws, kinds)
    _mark_bio(text, raws, kinds)
    return tuple(
        Block(kind=kind, start=raw.start, end=raw.end, reason=reason, source_line=raw.line)
        for raw, (kind, reason) in zip(raws, kinds, strict=True)
    )


def _mark_headline(text: str, raws: list[_Raw], kinds: list[tuple[BlockKind, str]], *, html: bool) -> None:
    if html:
        h1 = [i for i, raw in enumerate(raws) if raw.hint == "h1"]
        if h1:
            kinds[h1[0]] = _HEADLINE
            return
    for i, raw in enumerate(raws):
        kind = kinds[i][0]
        if kind in (BlockKind.IMAGE_CREDIT, BlockKind.CAPTION, BlockKind.BYLINE, BlockKind.PROMO):
            continue
        if raw.hint == "heading":
            kinds[i] = _HEADLINE
        elif raw.hint is None and raw.forced is None and kind in (BlockKind.HEADING, BlockKind.PARAGRAPH):
            if html and any(r.hint in ("heading", "h1") for r in raws):
                return
            if i + 1 == len(raws):
                if not html and len(raws) == 1:
                    kinds[i] = (BlockKind.PARAGRAPH, "")  # a text of one paragraph is all body
                return
            s = text[raw.start : raw.end]
            if _is_headline(s) or (not html and _is_title_line(s, text[raws[i + 1].start : raws[i + 1].end])):
                kinds[i] = _HEADLINE
        return


def _is_title_line(s: str, body: str) -> bool:
    """The title line (or title and subtitle) a plain-text article opens with, ending on a full stop or
    not: "Council backs the sea wall: work starts in May." above a longer paragraph of prose.

    A quotation that opens the story, a line of more than MAX_TITLE_WORDS words, or one followed by
    something that is not a longer paragraph of prose is not a title.
    """
    lines = s.split("\n")
    if len(lines) > 2 or len(s) > 250 or s[0] in _OPENING_QUOTES or not (s[0].isupper() or s[0].isdigit()):
        return False
    if any(_word_count(line) > MAX_TITLE_WORDS for line in lines):
        return False
    if _DATELINE_START_RE.match(body):
        return True  # the body opens with a dateline ("HARBOURTON, May 4 (Reuters) \u2014"): s is its title
    if not (len(body) > len(s) and body[0].isupper() and _ends_sentence(body)) and not _is_section_label(
        body
    ):
        return False
    # What sets a title apart from a one-sentence first paragraph: a subtitle line, Title Case, or the
    # two halves of a headline ("Council vote: work on the sea wall starts in May.").
    words = _WORD_RE.findall(lines[0])
    return (
        len(lines) == 2
        or _is_section_label(body)
        or (len(words) > 2 and _title_case_ratio(words) >= 0.7)
        or _TITLE_HALVES_RE.search(lines[0]) is not None
        or (
            len(words) <= MAX_SHORT_TITLE_WORDS
            and len(body) >= TITLE_BODY_RATIO * len(s)
            and "\n" not in body
            and not (len(words) > 1 and words[0].lower() in _ARTICLES and words[1].islower())
        )
    )


def _is_section_label(s: str) -> bool:
    """A label in capitals that heads a section of an archive's text: "ABSTRACT.", "FULL TEXT:"."""
    core = s.rstrip(".:")
    return len(s) <= 30 and core.isupper() and _word_count(core) <= 3 and not any(c.isdigit() for c in core)


def _is_caption_sentence(s: str) -> bool:
    """One short descriptive sentence in the present tense, as photo captions are written.

    "Firefighters battle a blaze near Marseille on Tuesday." is one; a sentence that reports
    ("said", "according to"), looks ahead ("will", "expected"), quotes, counts money or per cents,
    or has a verb in the past tense ("Firefighters fought the blaze") is not.
    """
    if len(s) > 250 or "\n" in s or not s[0].isupper() or s[-1] in "?!:;,":
        return False
    if any(c in s for c in _CAPTION_BANNED_CHARS):
        return False
    for m in _INNER_SENTENCE_END_RE.finditer(s):
        word = m.group(1)
        if not (len(word) <= 3 and (word[0].isupper() or len(word) == 1)):
            return False  # a second sentence (not "Dr. Roe", "U.S. troops")
    if _SCENE_RE.search(s) is None or _FIGURE_RE.search(_DATE_RE.sub("", s)):
        return False  # no place or time ("in Taipei", "on Thursday"), or figures (not "the A20", "G7")
    words = _CAPTION_WORD_RE.findall(s)
    if not 4 <= len(words) <= 35:
        return False
    prev = ""
    for i, word in enumerate(words):
        low = word.lower()
        if low in _NOT_CAPTION_WORDS and (i == 0 or word.islower()):
            return False
        if (
            i
            and low.endswith("ed")
            and len(low) > 4
            and word.islower()
            and prev not in _BEFORE_PARTICIPLE
            and not prev.endswith("ly")
        ):
            return False  # "Lawmakers passed the bill", but not "Displaced families", "is carried"
        prev = low
    return True


def _is_unpunctuated_caption(s: str) -> bool:
    """A short line of prose without a final full stop, as captions are often written: "The assistant
    was rolled out to 30 million users last month" (only next to an image credit)."""
    if len(s) > 200 or "\n" in s or not s[0].isupper() or s[-1] in _PROSE_END or s[-1] in ":;,-\u2026":
        return False
    words = s.split()
    return 4 <= len(words) <= 30 and not any(q in s for q in '"\u201c\u201d\u00ab\u00bb')


def _mark_captions(text: str, raws: list[_Raw], kinds: list[tuple[BlockKind, str]]) -> None:
    """A paragraph next to an image credit that reads like a caption, or one that ends on a dated
    place ("..., near Port Sudan, June 2025.") among the furniture at the top of the article."""
    n = len(raws)

    def candidate(i: int) -> bool:
        if not (
            0 <= i < n
            and kinds[i][0] is BlockKind.PARAGRAPH
            and raws[i].hint is None
            and raws[i].forced is None
        ):
            return False
        s = text[raws[i].start : raws[i].end]
        return _is_caption_sentence(s) or _is_unpunctuated_caption(s)

    top = True  # no body paragraph yet
    for i in range(n):
        kind = kinds[i][0]
        if kind is BlockKind.IMAGE_CREDIT and not (i and kinds[i - 1][0] is BlockKind.CAPTION):
            # The caption above its credit; below it only among the furniture at the top, since inside
            # the body a paragraph often follows the credit of a picture whose caption is gone, and a
            # one-sentence paragraph in the present tense ("The terminal opens on Friday.") is news.
            for j in (i - 1, i + 1) if top else (i - 1,):
                if candidate(j):
                    kinds[j] = (BlockKind.CAPTION, "photo caption")
                    break
        elif kind is BlockKind.PARAGRAPH:
            s = text[raws[i].start : raws[i].end]
            if top and _DATED_END_RE.search(s[-40:]) and candidate(i):
                kinds[i] = (BlockKind.CAPTION, "photo caption")
            elif top and not (i + 1 < n and kinds[i + 1][0] is BlockKind.IMAGE_CREDIT and candidate(i)):
                top = False
        elif kind.is_content:
            top = False


def _bio_before(text: str, raws: list[_Raw], kinds: list[tuple[BlockKind, str]], i: int) -> bool:
    """The paragraph before ``i`` is a bio ("Lena Vogt is our climate correspondent.")."""
    j = i - 1
    if j < 0 or kinds[j][0] is not BlockKind.PARAGRAPH or raws[j].hint is not None:
        return False
    s = text[raws[j].start : raws[j].end]
    return len(s) <= 600 and _BIO_RE.search(s) is not None


def _mark_bio(text: str, raws: list[_Raw], kinds: list[tuple[BlockKind, str]]) -> None:
    """Author bios: trailing paragraphs whose sentences read like a bio, or unmistakable ones."""
    trailing = True
    for i in range(len(raws) - 1, -1, -1):
        kind = kinds[i][0]
        if kind is not BlockKind.PARAGRAPH or raws[i].hint is not None:
            if kind.is_content:
                trailing = False
            continue
        s = text[raws[i].start : raws[i].end]
        if len(s) > 1200:
            trailing = False
            continue
        if trailing and _BIO_RE.search(s):
            kinds[i] = (BlockKind.BYLINE, "author bio")
            continue
        if trailing and len(s) <= 300 and _BIO_FOLLOW_RE.match(s) and _bio_before(text, raws, kinds, i):
            kinds[i] = (BlockKind.BYLINE, "author bio")  # "She has reported from Sudan since 2019."
            continue
        trailing = False
        if len(s) <= 600 and "passion" in s and _BIO_STRONG_RE.search(s) and _BIO_RE.search(s):
            kinds[i] = (BlockKind.BYLINE, "author bio")


# ---------------------------------------------------------------------------------------------
# Plain text


def parse_text(text: str) -> Document:
    """Parse a plain-text article: paragraphs are separated by blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raws: list[_Raw] = []
    pos = 0
    line_no = 1
    para_start = para_end = -1
    para_line = 0
    multi = False
    for line in text.split("\n"):
        left = line.lstrip()
        if left:
            start = pos + len(line) - len(left)
            end = start + len(left.rstrip())
            if para_start < 0:
                para_start, para_line, multi = start, line_no, False
            else:
                multi = True
            para_end = end
        elif para_start >= 0:
            raws.extend(_paragraph(text, para_start, para_end, para_line, multi))
            para_start = -1
        pos += len(line) + 1
        line_no += 1
    if para_start >= 0:
        raws.extend(_paragraph(text, para_start, para_end, para_line, multi))
    return Document(text=text, blocks=_classify(text, raws, html=False))


def _paragraph(text: str, start: int, end: int, line: int, multi: bool) -> list[_Raw]:
    if multi:
        return _split_lines(text[start:end], start, line, None)
    if _BULLET_RE.match(text, start, end):
        return [_Raw(start, end, line, "bullet")]
    return [_Raw(start, end, line)]


# ---------------------------------------------------------------------------------------------
# HTML

_DROP_TAGS = _wordset(
    "script style noscript template head title meta link iframe svg canvas object embed video audio"
    " select button textarea input map area source track param base datalist"
)
_BLOCK_TAGS = _wordset(
    "html body p div section article main header footer aside nav figure figcaption blockquote ul ol"
    " li dl dt dd h1 h2 h3 h4 h5 h6 hgroup table thead tbody tfoot tr caption pre address hr"
    " form fieldset legend details summary center menu dir picture"
)
_TAG_HINTS = {
    "h1": "h1",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "figcaption": "caption",
    "blockquote": "quote",
    "li": "li",
    "address": "byline",
    "tr": "row",
}


class _HtmlBuilder:
    """Collects the visible text of an lxml tree into blocks, collapsing white space."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.raws: list[_Raw] = []
        self.links: list[Link] = []
        self.open_links: list[list] = []  # [href, start, end]
        self.hints: list[str] = []
        self.in_block = False
        self.block_start = 0
        self.block_line: int | None = None
        self.block_hint: str | None = None
        self.pending_space = False
        self.pending_breaks = 0
        self.has_break = False
        self.block_part = 0
        self.break_lines: list[int | None] = []
        self.furniture: list[tuple[BlockKind, str]] = []  # the page furniture the walk is inside
        self.block_furniture: tuple[BlockKind, str] | None = None

    def current_hint(self) -> str | None:
        if "nav" in self.hints:
            return "nav"
        return self.hints[-1] if self.hints else None

    def boundary(self) -> None:
        if self.in_block:
            start, end = self.block_start, self.length
            if self.block_furniture is not None:
                self.raws.append(_Raw(start, end, self.block_line, None, self.block_furniture))
            elif self.has_break and self.block_hint not in ("h1", "heading"):
                chunk = "".join(self.parts[self.block_part :])
                self.raws.extend(
                    _split_lines(chunk, start, self.block_line, self.block_hint, self.break_lines)
                )
            else:
                self.raws.append(_Raw(start, end, self.block_line, self.block_hint))
            self.in_block = False
            self.has_break = False
        self.pending_space = False
        self.pending_breaks = 0

    def add_text(self, s: str | None, line: int | None) -> None:
        if not s:
            return
        if s[0].isspace():
            self.pending_space = True
            if line is not None:  # the first word is on a later line than its element starts
                line += s.count("\n", 0, len(s) - len(s.lstrip()))
        tokens = s.split()
        for i, token in enumerate(tokens):
            if i:
                self.pending_space = True
            self._emit(token, line)
        if s[-1].isspace():
            self.pending_space = True

    def _emit(self, token: str, line: int | None) -> None:
        if self.in_block and self.pending_breaks >= 2:
            self.boundary()
        if not self.in_block:
            if self.length:
                self.parts.append("\n\n")
                self.length += 2
            self.in_block = True
            self.block_start = self.length
            self.block_part = len(self.parts)
            self.break_lines = [line]
            self.block_line = line
            self.block_hint = self.current_hint()
            self.block_furniture = self.furniture[0] if self.furniture else None
        elif self.pending_breaks:
            self.parts.append("\n")
            self.length += 1
            self.has_break = True
            self.break_lines.append(line)
        elif self.pending_space:
            self.parts.append(" ")
            self.length += 1
        self.pending_space = False
        self.pending_breaks = 0
        start = self.length
        self.parts.append(token)
        self.length += len(token)
        for link in self.open_links:
            if link[1] is None:
                link[1] = start
            link[2] = self.length

    def line_break(self) -> None:
        if self.in_block:
            self.pending_breaks += 1
        self.pending_space = False

    def open(self, el: lxml.html.HtmlElement, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.boundary()
        hint = _TAG_HINTS.get(tag)
        if hint is not None:
            self.hints.append(hint)
        if tag in ("td", "th"):
            self.pending_space = True
        if tag == "a":
            href = el.get("href")
            if href is not None:
                self.open_links.append([href.strip(), None, None])
            else:
                self.open_links.append(["", None, None])

    def close(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.boundary()
        if tag in _TAG_HINTS and self.hints:
            self.hints.pop()
        if tag == "a" and self.open_links:
            href, start, end = self.open_links.pop()
            if href and start is not None:
                self.links.append(Link(href=href, start=start, end=end))


class HtmlRejected(ValueError):
    """The HTML cannot be read completely; the message says why."""


TOO_DEEP = (
    "The HTML is nested more than {depth:,} elements deep, deeper than the parser reads; it was not"
    " analysed, so that no part of the article is silently lost. Send the article without the extra"
    " nesting (or as plain text)."
)
TOO_MUCH_TEXT = "The text of the page is {chars:,} characters long; the limit is {limit:,} characters."
# Pages with more elements than this (after scripts and styles) are read by their structure alone: the
# main-text extractor takes seconds per 10,000 elements, and the 137 real pages of the evaluations have
# at most 2,400.
MAX_MAIN_TEXT_ELEMENTS = 30_000
MAX_DEPTH = 2048  # what libxml2 reads with its "huge" option; deeper markup is refused, not truncated
# Elements whose content is not text (the JSON-LD metadata is read before they are dropped).
_STRIP_TAGS = ("script", "style", "noscript", "template")
DATA_TABLE = (BlockKind.TABLE, "data table: a table row is not a sentence")
_FURNITURE_TAGS = frozenset(("nav", "footer", "table"))
MAX_CELL_CHARS = 300  # a table with a longer cell lays out the page rather than holding data


def _html_root(html: str) -> lxml.etree._Element | None:
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        raise HtmlRejected(TOO_DEEP.format(depth=MAX_DEPTH))
    return root


def _page_root(html: str, max_text_chars: int | None) -> tuple[lxml.etree._Element, int] | None:
    """The page's tree without the elements that hold no text (scripts, styles), and the length of
    its text; None when lxml reads nothing.  Raises :class:`HtmlRejected` for markup nested deeper
    than :data:`MAX_DEPTH`, and for a page whose text is longer than ``max_text_chars``."""
    root = _html_root(html)
    if root is None:
        return None
    lxml.etree.strip_elements(root, *_STRIP_TAGS, with_tail=False)
    page_text = root.text_content()
    page_chars = len(page_text) or 1
    if max_text_chars is not None and page_chars > max_text_chars:
        shown = len(" ".join(page_text.split()))  # white space collapsed, as the canonical text has it
        if shown > max_text_chars:
            raise HtmlRejected(TOO_MUCH_TEXT.format(chars=shown, limit=max_text_chars))
    return root, page_chars


def html_has_text(html: str, *, max_text_chars: int | None = None) -> bool:
    """Whether :func:`parse_html` would find any text in ``html``, and raise nothing: the check of a
    submitted page, made without building its blocks (lxml reads the page, and its text is measured).

    Raises what :func:`parse_html` raises (:class:`HtmlRejected`); False where its document would
    have no text: the text it reads is that of every element but those of ``_DROP_TAGS``.
    """
    read = _page_root(html, max_text_chars)
    if read is None:
        return False
    root, _ = read
    lxml.etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    return bool(root.text_content().strip())


def parse_html(html: str, *, main_text: bool = True, max_text_chars: int | None = None) -> Document:
    """Parse an HTML body (a fragment or a whole page) with lxml.

    Page furniture is kept out by structure (see :mod:`factcheck.analysis.page`), and, with
    ``main_text``, every content block that trafilatura does not count in the page's main text.
    Raises :class:`HtmlRejected` for markup nested deeper than :data:`MAX_DEPTH`, and for a page whose
    visible text is longer than ``max_text_chars`` (before any more work is done on it).
    """
    read = _page_root(html, max_text_chars)
    if read is None:
        return Document(text="", blocks=())
    root, page_chars = read
    limit = page.MAX_FURNITURE_SHARE * page_chars
    # The extractor's time grows fast with the number of elements; real pages have a few thousand.
    if main_text and sum(1 for _ in root.iter()) <= MAX_MAIN_TEXT_ELEMENTS:
        main = page.main_text(copy.deepcopy(root))
    else:
        main = page.MainText([])
    builder = _HtmlBuilder()
    # (element, 0 to open, 1 to close, 2 to close and leave the furniture it opened)
    stack: list[tuple[lxml.etree._Element, int]] = [(root, 0)]
    while stack:
        el, state = stack.pop()
        tag = el.tag
        if state:
            builder.close(tag)
            if state == 2:
                builder.furniture.pop()
            builder.add_text(el.tail, el.sourceline)
            continue
        if not isinstance(tag, str):  # comments, processing instructions, entities
            builder.add_text(el.tail, el.sourceline)
            continue
        tag = tag.lower()
        if tag in _DROP_TAGS:
            builder.add_text(el.tail, el.sourceline)
            continue
        if tag == "br":
            builder.line_break()
            builder.add_text(el.tail, el.sourceline)
            continue
        close = 1
        if not builder.furniture and tag not in ("html", "body"):
            reason = page.furniture_reason(el, tag)
            if reason is not None or (tag == "table" and _is_data_table(el)):
                inner = el.text_content()
                # The article's own container is never furniture, whatever its class or tag says: it holds
                # most of the main text, or much of the page's text (unless it is a menu or a footer).
                if reason in page.NEVER_ARTICLE:
                    container = False
                else:
                    container = (len(inner) > limit and tag not in _FURNITURE_TAGS) or main.is_most_of(inner)
                if not container:
                    builder.furniture.append(DATA_TABLE if reason is None else (BlockKind.FURNITURE, reason))
                    close = 2
        builder.open(el, tag)
        builder.add_text(el.text, el.sourceline)
        stack.append((el, close))
        stack.extend((child, 0) for child in reversed(el))
    builder.boundary()
    text = "".join(builder.parts)
    builder.links.sort(key=lambda link: (link.start, link.end))
    blocks = _classify(text, builder.raws, html=True)
    if main_text:
        blocks = _keep_main_text(text, blocks, main, fragment=_WHOLE_PAGE_RE.match(html) is None)
    blocks = tuple(
        Block(BlockKind.FURNITURE, b.start, b.end, TEASER, b.source_line)
        if b.kind.is_content and _is_cut_short(text[b.start : b.end])
        else b
        for b in blocks
    )
    return Document(text=text, blocks=blocks, links=tuple(builder.links))


TEASER = "teaser of another story, cut short"
_CUT_RE = re.compile(r"\w(?:\s*\u2026|\.\.\.|\s+\[(?:\u2026|\.\.\.)\])$")


def _is_cut_short(s: str) -> bool:
    """A paragraph of a page cut off mid-sentence, as the excerpts of other stories are: it ends on an
    ellipsis glued to a word ("... the actor suffered a heart…"), or on a word that cannot end a sentence
    with no punctuation after it ("... a writer, producer and")."""
    if len(s) < MIN_TEASER_CHARS or "\n" in s:
        return False
    if _CUT_RE.search(s[-8:]) is not None:
        return True
    last = s[-1]
    return (
        last.isalpha()
        and s.rsplit(None, 1)[-1].lower() in _DANGLING_WORDS
        and _word_count(s) >= MIN_PROSE_WORDS
    )


def _is_data_table(table: lxml.etree._Element) -> bool:
    """A table of data (short cells), not one that lays out a page (paragraphs in its cells)."""
    return not any(
        len(cell.text_content()) > MAX_CELL_CHARS
        for cell in table.iter("td", "th")
        if cell.text is not None or len(cell)
    )


def _keep_main_text(
    text: str, blocks: tuple[Block, ...], main: page.MainText, *, fragment: bool
) -> tuple[Block, ...]:
    """The blocks, with every content block that is not in the page's main text marked as furniture.

    A fragment (an article body, not a whole page) is mostly article: when the extractor's main text
    leaves out much of it, the extractor has lost its way, and only the page's structure is used.  So
    too on a whole page whose main text, by the extractor, is a small part of what the structure left.
    """
    if not main:
        return blocks
    held = [b.kind.is_content and main.holds(text[b.start : b.end]) for b in blocks]
    content = sum(b.end - b.start for b in blocks if b.kind.is_content)
    kept = sum(b.end - b.start for b, h in zip(blocks, held, strict=True) if h)
    if kept < (MIN_FRAGMENT_MAIN_SHARE if fragment else MIN_PAGE_MAIN_SHARE) * content:
        return blocks
    # The standfirst: sentences of prose between the headline and the first block of the main text.
    headline = next((i for i, b in enumerate(blocks) if b.kind is BlockKind.HEADLINE), None)
    first = next((i for i, h in enumerate(held) if h), len(blocks))
    standfirst = range(headline + 1, first) if headline is not None and first < len(blocks) else range(0)
    out = []
    for i, b in enumerate(blocks):
        if b.kind.is_content and not held[i]:
            s = text[b.start : b.end]
            if not (
                headline is not None  # implied by i in standfirst; said for the type checker
                and i in standfirst  # so no block between the headline and this one is main text
                and len(s) <= MAX_STANDFIRST_CHARS
                and not any(blocks[j].kind.is_content for j in range(headline + 1, i))
                and _ends_sentence(s)
                and _word_count(s) >= MIN_PROSE_WORDS
            ):
                b = Block(BlockKind.FURNITURE, b.start, b.end, page.OUTSIDE, b.source_line)
        out.append(b)
    return tuple(out)


def parse(body: str, fmt: str, *, max_text_chars: int | None = None) -> Document:
    """Parse ``body`` in format ``fmt`` ("text" or "html"); an HTML page with more visible text than
    ``max_text_chars`` is refused (:class:`HtmlRejected`)."""
    if fmt == "text":
        return parse_text(body)
    if fmt == "html":
        return parse_html(body, max_text_chars=max_text_chars)
    raise ValueError(f"unknown article format {fmt!r}: expected 'text' or 'html'")
