"""Sentence segmentation for news prose.

``split_spans`` returns the sentences of a text as ``(start, end)`` indices.  It is pure
Python: one regular expression finds the candidate boundaries (terminal punctuation, line
breaks, quotation marks and brackets, bullets), then a few rules decide each candidate:
abbreviations and initials, numbers, ellipses, quotations and parentheses (a sentence that
ends inside closing quotes or brackets keeps them, and no sentence ends inside a short
quotation or parenthesis), datelines, lists and URLs.

Why not a library (measured on this machine, one core; ``bench/eval_sentences.py --pysbd`` and
``bench/sentences.py``; the suites are in ../shared/eval/sbd):

- pySBD 0.3.4: Golden Rules 47/48, pragmatic_segmenter 152/177; 0.32 MB/s article by article,
  0.20-0.24 MB/s on a 100 kB text.
- blingfire 0.1.8 (figures of ../shared/eval/README.md, not installed here): 36/48, 115/177.
- this module: Golden Rules 48/48, pragmatic_segmenter 162/177; 12 MB/s on 1.5 MB of news prose.

The cases this module fails are those that expect the text itself to be cleaned (HTML
tags removed, runs of dots dropped, letters of one word on separate lines joined), which a
splitter that returns indices into the text cannot do.
"""

from __future__ import annotations

import re

__all__ = ["split", "split_spans"]

_TERMINALS = "!?.\u2026\u3002\uff0e\uff01\uff1f\u203c\u2047\u2048\u2049"
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)]}"
_OPENERS = "\"'\u201c\u2018\u201e\u00ab\u2039([{`"
_BULLETS = "\u2022\u2043\u25aa\u25e6\u2023\u25cf\u25a0"
_DASHES = "-\u2013\u2014"
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb`"
_OPEN_QUOTES = "\"'\u201c\u2018\u201e\u00ab`"

_QUOTE_CHARS = '"\u201c\u201d\u201e\u00ab\u00bb\u2018`()[]{}'
# Every event starts with one of these characters, so the search skips the rest of the text in C.
_TRIGGERS = re.escape(_BREAKS + _TERMINALS + _DASHES + _QUOTE_CHARS + "'\u2019" + _BULLETS)
_EVENT = re.compile(
    rf"[{_TRIGGERS}]"
    # a line break, and whether a blank line follows
    rf"(?:(?<=[{_BREAKS}])(?P<nl>(?:(?<=\r)\n)?(?P<blank>(?:[^\S{_BREAKS}]*(?:\r\n|[{_BREAKS}]))+)?)"
    # terminal punctuation (with spaced ellipsis dots), then either closing quotes, brackets
    # and citation marks before white space; or a footnote number; or (with no space) a capital
    # (possessive, and only from the first character of a run, so that no input takes quadratic time)
    rf"|(?<=[{_TERMINALS}])(?<![{_TERMINALS}][{_TERMINALS}])(?P<p>[{_TERMINALS}]*+(?:[ ][.\u2026]+){{0,8}}+)"
    rf"(?:(?P<c>(?:[{re.escape(_CLOSERS)}]|\[\d{{1,3}}\])*+)(?=\s|\Z)"
    r"|(?P<fn>\d{1,3}(?:[ ,]\d{1,3})*)(?=\s+[A-Z])"
    r"|(?P<ns>)(?=[A-Z][a-z]))"
    # speech broken off by a dash: to--" Then
    r"|(?<=[\u2013\u2014-])(?P<d>(?:(?<=-)-|(?<=[\u2013\u2014]))[\"\u201d\u2019'])(?=\s)"
    # quotation marks and brackets (not apostrophes inside words)
    rf"|(?<=[{re.escape(_QUOTE_CHARS)}])(?P<q>)"
    r"|(?<=['\u2019])(?P<a>)(?:(?!\w)|(?<!\w['\u2019]))"
    rf"|(?<=[{_BULLETS}])(?P<b>))"
)

_NEXT = re.compile(r"(\s*)(?:(?:--?|[\u2013\u2014])\s+)?([^\w\s]*)(\w*)")
_LEAD = re.compile(rf"[\s{_BULLETS}*(\[-]*")
_MARKER = re.compile(rf"[{_BULLETS}]?(\(?)(\d{{1,2}}|[A-Za-z])")
_FIRST_TOKEN = re.compile(r"\(?(?:\d{1,3}|[^\W\d_]|[ivxlcdm]{1,5}|[IVXLCDM]{1,5})\)?")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_DATELINE_TAIL = re.compile(r"\s*\([^()\n]{1,40}\)\s*(?:--?|[\u2013\u2014])\s")
_LETTERS = re.compile(r"[^\W\d_]{2}")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Titles that come before a name: never the end of a sentence.
_TITLES = _words(
    """mr mrs ms messrs mmes dr drs prof profs sen sens rep reps gov govs gen gens lt col maj capt cmdr
    adm sgt cpl pvt brig cmdr supt insp det atty amb rev revd hon pres fr msgr gov lieut comdr
    e.g i.e viz cf"""
)
# Abbreviations that can end a sentence: a sentence ends there only before a typical first word.
_ABBREVIATIONS = _words(
    """jr sr inc co corp cos ltd llc llp plc bros assn assoc dept depts univ govt est approx etc vs
    al st mt ft ave blvd rd hwy sq jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues thu
    thur thurs fri misc max min avg ed eds intl natl mfg mgr dist div acad adj admin esp
    pct oz lb lbs kg km mi yd ft sq hr hrs sec mins qty ref repr trans vol vols
    btw med mgmt"""
)
# Abbreviations that stand before a number: no. 5, p. 55, Rs. 100.
_NUMBER_ABBREVIATIONS = _words(
    "no nos nr num p pp vol vols fig figs sec secs art arts ch chap para paras rs op col pt pts tel ext"
    " apt ste rm bldg ca cir sect"
)
# Capitalised abbreviations (US states in AP style) that are also ordinary lowercase words.
_CASED_ABBREVIATIONS = _words(
    """Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo Mont
    Neb Nev Okla Ore Pa Penn Tenn Tex Vt Va Wash Wis Wyo Ont Que Alta Sask Man"""
)
_TIMES = frozenset({"a.m", "p.m"})
_TIME_FOLLOWERS = _words(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thurs Fri Sat Sun
    January February March April May June July August September October November December Jan Feb Mar
    Apr Jun Jul Aug Sep Sept Oct Nov Dec ET EST EDT CT CST CDT MT MST MDT PT PST PDT GMT BST CET CEST
    UTC local"""
)
_PREPOSITIONS = _words("at by before after until till from around about since on in between")
# Words that typically begin an English sentence (and rarely follow an abbreviation inside one).
_STARTERS = _words(
    """A An The This That These Those There Then Their They Them He She It Its I We You Our Your His Her
    My Me Us What When Where Why Who Whom Whose Which How However But And Or So Yet Still Also As At
    After Before By For From If In On Once Since Some Such Many Most Much More Several Few Both Each
    Every All Any No Not None Nor One Two Three Four Five Meanwhile Moreover Furthermore Instead Thus
    Therefore Hence Later Earlier Now Today Yesterday Tomorrow Last Next Despite Although Though While
    Until Unless Because Under Among Between With Without Within Other Others Millions Thousands
    Hundreds Dozens Do Does Did Is Are Was Were Can Could Should Would Might Must Has Have Had Let
    Please Yes Here Even Only Nearly About Around According Asked Officials Analysts Critics
    Experts"""
)


def split(text: str) -> list[str]:
    """The sentences of ``text``, trimmed of surrounding white space."""
    return [text[s:e] for s, e in split_spans(text)]


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], as absolute (start, end) indices into text.

    Spans are sorted, do not overlap, are trimmed of white space (never empty) and together
    cover every non-white-space character of ``text[start:end]``.  ``start`` and ``end``
    follow slice semantics (negative values count from the end).
    """
    start, end, _ = slice(start, end).indices(len(text))
    if start >= end:
        return []
    sub = text[start:end] if (start or end != len(text)) else text
    spans = []
    prev = 0
    for cut in (*_cuts(sub), len(sub)):
        if cut <= prev:
            continue
        left = prev
        while left < cut and sub[left].isspace():
            left += 1
        if left < cut:
            right = cut
            while sub[right - 1].isspace():
                right -= 1
            spans.append((start + left, start + right))
        prev = cut
    return spans


def _word_before(t: str, i: int, limit: int = 80) -> tuple[int, str]:
    """The token (run of non-space characters, at most ``limit``) that ends at ``i``."""
    lo = i - limit if i > limit else 0
    seg = t[lo:i]
    if not seg or seg[-1].isspace():
        return i, ""
    parts = seg.rsplit(None, 1)
    word = parts[-1]
    return i - len(word), word


def _merge(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    regions.sort()
    merged: list[list[int]] = []
    for o, c in regions:
        if merged and o <= merged[-1][1]:
            if c > merged[-1][1]:
                merged[-1][1] = c
        else:
            merged.append([o, c])
    return [(o, c) for o, c in merged]


_MAX_QUOTE = 400  # no sentence ends inside a quotation or parenthesis shorter than this


def _cuts(t: str) -> list[int]:
    """The positions in ``t`` where a sentence ends (white space between sentences is trimmed later).

    Pass 1 collects the candidate events, pairs quotation marks and brackets into regions and
    notes list markers; pass 2 decides each candidate in order, knowing where the current
    sentence starts.
    """
    n = len(t)
    events: list[tuple] = []  # (kind, pos, end, extra)
    regions: list[tuple[int, int]] = []
    markers: list[tuple] = []  # (w_start, value, style, eligible, paragraph, end)
    paragraph = 0
    dq = sq = -1
    stack: list[tuple[str, int]] = []

    def quote(ch: str, i: int, closing: bool = False) -> None:
        nonlocal dq, sq
        if ch in "([{":
            if len(stack) >= 32:
                del stack[:16]  # runaway brackets: forget the oldest, keep the work linear
            stack.append((ch, i))
        elif ch in ")]}":
            want = "(" if ch == ")" else "[" if ch == "]" else "{"
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == want:
                    o = stack[k][1]
                    del stack[k:]
                    if i - o <= _MAX_QUOTE:
                        regions.append((o, i))
                    break
        elif ch == '"':
            before = t[i - 1] if i else " "
            after = t[i + 1] if i + 1 < n else " "
            if not closing and (before.isspace() or before in _OPENERS or before in _DASHES):
                dq = i
            elif closing or after.isspace() or not after.isalnum():
                if dq >= 0 and i - dq <= _MAX_QUOTE:
                    regions.append((dq, i))
                dq = -1
            elif dq >= 0:
                if i - dq <= _MAX_QUOTE:
                    regions.append((dq, i))
                dq = -1
            else:
                dq = i
        elif ch in "\u201c\u201e\u00ab":
            dq = i
        elif ch in "\u201d\u00bb":
            if dq >= 0:
                if i - dq <= _MAX_QUOTE:
                    regions.append((dq, i))
                dq = -1
        elif ch in "\u2018`":
            sq = i
        else:  # a straight or right single quote that is not inside a word
            before = t[i - 1] if i else " "
            if ch == "'" and not closing and (before.isspace() or before in _OPENERS or before in _DASHES):
                sq = i
            elif not before.isspace() and sq >= 0:
                if i - sq <= _MAX_QUOTE:
                    regions.append((sq, i))
                sq = -1

    def marker(w_start: int, w: str, delim: str, end: int) -> None:
        m = _MARKER.fullmatch(w)
        if m is None:
            return
        paren, value = m.groups()
        if value.isdigit():
            style, number = "n", int(value)
        else:
            style, number = ("l" if value.islower() else "u"), ord(value)
        nxt = _NEXT.match(t, end, end + 200)
        lower_next = nxt is not None and nxt.group(3)[:1].islower()
        eligible = True
        if delim == "." and style == "n" and lower_next:
            eligible = False  # "for 1. above"
        elif delim == "." and style == "u":
            k = w_start
            while k > 0 and t[k - 1].isspace():
                k -= 1
            _, prev_word = _word_before(t, k)
            prev_word = prev_word.strip(_OPENERS + _CLOSERS)
            if prev_word[:1].isupper():
                eligible = False  # an initial: "John A. Smith"
        markers.append((w_start, number, (style, delim, paren), eligible, paragraph, end))

    for m in _EVENT.finditer(t):
        kind = m.lastgroup
        pos = m.start()
        if kind == "nl":
            blank = m.group("blank") is not None
            events.append(("nl", pos, m.end(), blank))
            dq = sq = -1
            stack.clear()
            if blank:
                paragraph += 1
        elif kind == "q" or kind == "a":
            ch = t[pos]
            quote(ch, pos)
            if ch == ")" and (pos + 1 >= n or t[pos + 1].isspace()):
                w_start, w = _word_before(t, pos)
                if 0 < len(w) <= 4:
                    marker(w_start, w, ")", pos + 1)
        elif kind == "b":
            if pos == 0 or t[pos - 1].isspace():
                events.append(("b", pos, pos, None))
        elif kind == "d":
            end = m.end()
            quote(t[end - 1], end - 1, True)
            events.append(("d", pos, end, None))
        else:
            p_end = m.end("p")
            end = m.end()
            closers = m.group("c") or ""
            for k, ch in enumerate(closers):
                if ch in _CLOSERS or ch in "[]":
                    quote(ch, p_end + k, True)
            events.append((kind, pos, end, p_end))
            if kind == "c" and p_end - pos == 1 and t[pos] == "." and closers in ("", ")"):
                w_start, w = _word_before(t, pos, 6)
                if 0 < len(w) <= 4:
                    marker(w_start, w, "." + closers, end)

    # list markers in runs (1. 2. 3. / a) b) c)) start sentences
    forced: list[int] = []
    last: dict[tuple, tuple] = {}
    in_run: set[int] = set()
    for idx, (w_start, number, style, eligible, para, end) in enumerate(markers):
        if not eligible:
            last.pop(style, None)
            continue
        prev = last.get(style)
        if (
            prev is not None
            and number == prev[0] + 1
            and para == prev[1]
            and _LETTERS.search(t, prev[2], w_start) is not None
        ):
            in_run.add(prev[3])
            in_run.add(idx)
        last[style] = (number, para, end, idx)
    for idx in sorted(in_run):
        w_start = markers[idx][0]
        k = w_start
        while k > 0 and t[k - 1] in " \t":
            k -= 1
        if k > 0 and t[k - 1] in _BULLETS:
            w_start = k - 1
        forced.append(w_start)

    regions = _merge(regions)
    cuts: list[int] = []
    sent_start = 0
    lead_end = -1
    line_start = 0
    last_cand = -1
    last_split = False
    ri = 0
    nregions = len(regions)
    fi = 0
    nforced = len(forced)

    for kind, pos, end, extra in events:
        while fi < nforced and forced[fi] <= pos:
            cut = forced[fi]
            fi += 1
            if cut > sent_start:
                cuts.append(cut)
                sent_start = cut
                lead_end = -1
        if kind == "nl":
            if extra:  # blank line
                line_start = end
                if pos > sent_start:
                    cuts.append(pos)
                    sent_start = pos
                    lead_end = -1
                continue
            line = t[line_start:pos].rstrip()
            line_end = line_start + len(line)
            line_start = end
            if last_cand == line_end and line:
                cut = pos if last_split else -1
            elif line and line[-1] in _DASHES:
                cut = -1  # dateline "GENEVA --" or a word broken by a hyphen
            else:
                nxt = t[end : end + 1]
                soft = pos > 0 and t[pos - 1] in " \t"
                if nxt.islower():
                    cut = -1 if soft or len(line.split()) >= 3 else pos
                elif nxt == "(":
                    cut = -1 if soft else pos
                else:
                    cut = pos
            if cut >= 0 and cut > sent_start:
                cuts.append(cut)
                sent_start = cut
                lead_end = -1
            continue
        if kind == "b":
            if pos > sent_start:
                cuts.append(pos)
                sent_start = pos
                lead_end = -1
            continue

        # a candidate boundary: decide whether a sentence ends at `cut`
        cut = end
        split_here = False
        nxt = _NEXT.match(t, end, end + 200)
        ws, prefix, word = nxt.groups()
        # a lowercase word next means the sentence goes on, unless a line break comes first
        lower_next = word[:1].islower() and (ws == " " or not any(ch in _BREAKS for ch in ws))
        if kind == "d":
            split_here = not lower_next
        else:
            p = t[pos:extra]
            w_start, w = _word_before(t, pos)
            if w_start < sent_start:
                w_start = sent_start
                w = t[w_start:pos]
            if kind == "ns":
                split_here = _no_space_boundary(t, pos, p, w_start)
            elif kind == "fn":
                split_here = pos > 0 and (t[pos - 1].islower() or t[pos - 1] == ")")
            elif pos > 0 and t[pos - 1] in "([{":
                split_here = False  # [...] marks an omission
            elif " " in p:
                if w and p.startswith(". ") and p.count(".") == 4:
                    if prefix or word:
                        cut = pos + 1  # "words. . . . Next": the ellipsis opens the next sentence
                        split_here = not lower_next
                elif p.count(".") + 3 * p.count("\u2026") >= 4:
                    split_here = not lower_next
            elif p == ".":
                if lead_end < 0 and len(w) <= 8:
                    lead_end = _LEAD.match(t, sent_start).end()
                split_here = _period_boundary(t, end, w_start, w, lead_end, prefix, word, lower_next)
            else:
                # ! ? ... and combinations: a boundary unless a lowercase word follows
                split_here = not lower_next
            if split_here and prefix[:1] == "(" and t[cut - 1] in _QUOTES:
                split_here = _aside_stands_alone(t, cut)
        if cut >= 0 and split_here:
            while ri < nregions and regions[ri][1] < cut:
                ri += 1
            if ri < nregions and regions[ri][0] < cut <= regions[ri][1]:
                split_here = False
        last_cand = end
        last_split = split_here
        if split_here and cut > sent_start:
            cuts.append(cut)
            sent_start = cut
            lead_end = -1

    while fi < nforced:
        cut = forced[fi]
        fi += 1
        if cut > sent_start:
            cuts.append(cut)
            sent_start = cut
    return cuts


def _no_space_boundary(t: str, pos: int, p: str, w_start: int) -> bool:
    """``world.Today``: a boundary unless the token is a URL, an e-mail or a domain."""
    if len(p) != 1 or pos == 0:
        return False
    before = t[pos - 1]
    if not (before.isdigit() or ("a" <= before <= "z")):
        return False
    tok_end = pos + 1
    n = len(t)
    limit = min(n, pos + 80)
    while tok_end < limit and not t[tok_end].isspace():
        tok_end += 1
    token = t[w_start:tok_end].rstrip(_TERMINALS + _CLOSERS)
    if "@" in token or "/" in token or "www" in token.lower():
        return False
    return "." not in token[pos - w_start + 1 :] and "." not in token[: pos - w_start]


def _aside_stands_alone(t: str, cut: int) -> bool:
    """After a closing quote, a parenthesis belongs to the quoted sentence, unless a quotation follows it."""
    close = t.find(")", cut, cut + _MAX_QUOTE)
    if close < 0:
        return True
    opener = _NEXT.match(t, close + 1, close + 201).group(2)[:1]
    return bool(opener) and opener in _OPEN_QUOTES


def _period_boundary(
    t: str, end: int, w_start: int, w: str, lead_end: int, prefix: str, word: str, lower_next: bool
) -> bool:
    """Whether the single period before ``end`` (after closers) ends a sentence."""
    if not w:
        return False
    core = w.lstrip(_OPENERS + _BULLETS)
    if len(core) <= 7 and w_start + len(w) - len(core) <= lead_end and _FIRST_TOKEN.fullmatch(core):
        return False  # a list marker or numbering at the start: "1. ", "a. ", "Q. "
    if not word and not prefix:
        return True
    if lower_next:
        return False
    first = word[:1]
    if core[-1:] in _CLOSERS:
        return True  # "(1987). The"
    core = core.rstrip(_CLOSERS)
    lower = core.lower()
    if lower in _TITLES:
        return False
    if prefix.startswith("(") and _DATELINE_TAIL.match(t, end):
        return False  # "ST. PAUL, Minn. (AP) --"
    if lower in _TIMES:
        if word in _TIME_FOLLOWERS:
            return False
        if w_start - lead_end < 30:
            lead = t[lead_end:w_start].split()
            if len(lead) <= 2 and lead and lead[0].lower() in _PREPOSITIONS:
                return False  # "At 5 a.m. Mr. Smith left."
        return True
    if first.isdigit():
        if core[-1:].isdigit():
            return True
        return (
            core.isalpha()
            and len(core) >= 2
            and lower not in _NUMBER_ABBREVIATIONS
            and not _is_abbreviation(core, lower)
        )
    if _is_abbreviation(core, lower):
        return word in _STARTERS
    return True


def _is_abbreviation(core: str, lower: str) -> bool:
    if lower in _ABBREVIATIONS or core in _CASED_ABBREVIATIONS:
        return True
    if len(core) == 1:
        return core.isalpha()
    return "." in core and _DOTTED.fullmatch(core) is not None
