"""Where a sentence quotes someone: the words inside quotation marks are the speaker's, not the paper's.

A cue inside a direct quotation is not flagged: the quotation is credited to whoever is quoted (a news
convention the rest of the sentence or the paragraph keeps), and an editor cannot reword it.  Short
quotes of one or two words are scare quotes ("so-called “experts”") and do not count.
"""

from __future__ import annotations

import re

# Opening and closing marks: curly double quotes, guillemets, the straight double quote (which opens and
# closes in turn), and two apostrophes used as a double quote ('' in some wire copy).
_MARK_RE = re.compile(r"''|[\"\u201c\u201d\u201e\u00ab\u00bb]")
_OPENING = {"\u201c", "\u201e", "\u00ab"}
_CLOSING = {"\u201d", "\u00bb"}
_MIN_WORDS = 3


def quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The absolute ranges of text[start:end] inside quotation marks of at least three words.

    A quote still open at the end of the sentence runs to its end (it goes on in the next sentence);
    a closing mark with no opening one closes a quote that began in an earlier sentence.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _MARK_RE.finditer(text, start, end):
        mark = m.group()
        opens = mark in _OPENING or (mark not in _CLOSING and open_at is None)
        if opens and open_at is None:
            open_at = m.start()
        elif open_at is not None:
            spans.append((open_at, m.end()))
            open_at = None
        elif not spans:
            spans.append((start, m.end()))  # the end of a quote begun in an earlier sentence
    if open_at is not None:
        spans.append((open_at, end))
    return [(a, b) for a, b in spans if len(text[a:b].split()) >= _MIN_WORDS]
