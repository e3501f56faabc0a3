"""What a whole web page says about its article: where the main text is, and which parts are furniture.

Two sources, combined by :func:`factcheck.analysis.blocks.parse_html`:

- **The page's structure** (:func:`furniture_reason`): elements that are furniture by what they are
  (``nav``, ``aside``, ``footer``, ``form``, ARIA roles such as ``navigation`` or ``complementary``) or by
  the words of their ``class`` and ``id`` (``share-buttons``, ``related-stories``, ``comments``, ...),
  each with the reason an editor reads.  The words live in one table, :data:`CLASS_WORDS`.
- **The main text** (:func:`main_text`): trafilatura's extraction of the page's article (comments and
  tables left out).  Its text is compared, block by block, with the canonical text the parser builds
  itself, so every offset stays the parser's own.  A fragment (an article body as a CMS sends it)
  has nothing around its article, and trafilatura's choice is then not used (see :class:`MainText`).

Nothing here imports Django.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import lxml.etree
import trafilatura

__all__ = ["CLASS_WORDS", "MainText", "PageMetadata", "furniture_reason", "main_text", "page_metadata"]

NAVIGATION = "navigation or menu"
FOOTER = "page footer"
SIDEBAR = "sidebar"
SHARE = "share or social buttons"
RELATED = "related or most-read stories"
COMMENTS = "reader comments"
PROMO = "newsletter or subscription promo"
COOKIE = "cookie, consent or browser notice"
ADVERT = "advertisement"
FORM = "form"
HIDDEN = "hidden on the page"
OUTSIDE = "outside the article's main text"
CAPTION = "photo caption or credit"
DIALOG = "pop-up dialog"
# Furniture that never holds the article, even when the extractor counts its text as main text
# (a pop-up dialog of several paragraphs).
NEVER_ARTICLE = frozenset({DIALOG})

# Elements that are furniture by what they are.
TAG_REASONS = {"nav": NAVIGATION, "aside": SIDEBAR, "footer": FOOTER, "form": FORM, "menu": NAVIGATION}
ROLE_REASONS = {
    "navigation": NAVIGATION,
    "menu": NAVIGATION,
    "menubar": NAVIGATION,
    "complementary": SIDEBAR,
    "contentinfo": FOOTER,
    "search": FORM,
    "dialog": DIALOG,
    "alertdialog": DIALOG,
}
# Words of ``class`` and ``id`` attributes that name furniture, one row per kind: a word matches a whole
# word of the attribute, split on anything but letters and digits, in lower case.
CLASS_WORD_ROWS = (
    (NAVIGATION, "nav navbar navigation menu breadcrumb breadcrumbs skiplink masthead"),
    (FOOTER, "footer colophon"),
    (SIDEBAR, "sidebar rail widget widgets"),
    (SHARE, "share sharing sharebar social sociallinks"),
    (RELATED, "related recommended recommendations popular mostread mostpopular trending outbrain taboola"),
    (COMMENTS, "comment comments disqus discussion"),
    (PROMO, "newsletter subscribe subscription signup promo"),
    (COOKIE, "cookie cookies consent gdpr"),
    (ADVERT, "ad ads advert adverts advertisement advertising sponsored dfp disclosure"),
    (CAPTION, "caption captions credit credits photocredit"),
)
CLASS_WORDS: dict[str, str] = {word: reason for reason, words in CLASS_WORD_ROWS for word in words.split()}
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# An element holding more text than this share of the page's text is not furniture, whatever its class
# says ("has-comments", "with-sidebar" on the article's own container).
MAX_FURNITURE_SHARE = 0.3


def _class_words(el: lxml.etree._Element) -> list[str]:
    words: list[str] = []
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            words.extend(w for w in _WORD_SPLIT.split(value.lower()) if w)
    return words


def furniture_reason(el: lxml.etree._Element, tag: str) -> str | None:
    """Why ``el`` is page furniture by its tag, role or class, or None (its text is not looked at)."""
    reason = TAG_REASONS.get(tag)
    if reason is not None:
        return reason
    role = el.get("role")
    if role:
        reason = ROLE_REASONS.get(role.strip().lower())
        if reason is not None:
            return reason
    if el.get("class") or el.get("id"):
        for word in _class_words(el):
            reason = CLASS_WORDS.get(word)
            if reason is not None:
                return reason
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return HIDDEN
    return None


def fold(text: str) -> str:
    return " ".join(text.split())


LONG = 40  # characters: a block this long is matched inside the main text, a shorter one only whole


class MainText:
    """trafilatura's main text of a page, to test the parser's blocks against."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = frozenset(lines)
        self.joined = " ".join(lines)
        self.long_lines = [line for line in lines if len(line) >= LONG]
        self.long_chars = sum(map(len, self.long_lines))

    def __bool__(self) -> bool:
        return bool(self.lines)

    def holds(self, block_text: str) -> bool:
        """The block is part of the main text: each of its lines a whole line of it, or inside it if long."""
        folded = fold(block_text)
        if folded in self.lines or (len(folded) >= LONG and folded in self.joined):
            return True
        lines = [fold(line) for line in block_text.split("\n")]
        return len(lines) > 1 and all(
            line in self.lines or (len(line) >= LONG and line in self.joined) for line in lines if line
        )

    def is_most_of(self, element_text: str) -> bool:
        """The element's text holds most of the main text: it is the article's container, whatever its
        class or tag says ("entry-content-read-more", an ASP.NET page's all-enclosing ``form``)."""
        if not self.long_chars:
            return False
        folded = fold(element_text)
        inside = sum(len(line) for line in self.long_lines if line in folded)
        return inside >= 0.5 * self.long_chars


def main_text(root: lxml.etree._Element) -> MainText:
    """trafilatura's main text of the page ``root`` (which it modifies: pass a tree that is no longer
    needed).  Empty when trafilatura finds none."""
    try:
        out = trafilatura.extract(root, include_comments=False, include_tables=False, deduplicate=False)
    except Exception:  # a failure of the extractor leaves the parser's own rules
        out = None
    lines = []
    for line in (out or "").split("\n"):
        folded = fold(line)
        if folded.startswith("- "):
            folded = folded[2:]
        if folded:
            lines.append(folded)
    return MainText(lines)


class PageMetadata(NamedTuple):
    """What a page says about its article in its metadata: JSON-LD (``NewsArticle`` headline, author,
    datePublished), ``og:`` and ``article:`` tags, ``<meta name="author">``; empty strings where it says
    nothing.  ``published`` is an ISO date (YYYY-MM-DD)."""

    title: str = ""
    byline: str = ""
    published: str = ""


MAX_METADATA_CHARS = 500


def page_metadata(html: str) -> PageMetadata:
    """The article's title, byline and publication date from the page's metadata: the JSON-LD article
    (``NewsArticle`` and its kin) first, then what trafilatura reads from Open Graph and the other meta
    tags."""
    ld = _json_ld_article(html)
    try:
        found = trafilatura.extract_metadata(html)
    except Exception:  # hostile markup: no metadata rather than a failure
        found = None
    title = ld.get("headline") or (found.title if found else "") or ""
    byline = ld.get("author") or (found.author if found else "") or ""
    published = ld.get("datePublished") or (found.date if found else "") or ""
    return PageMetadata(
        title=fold(title)[:MAX_METADATA_CHARS],
        byline=fold(byline.replace(";", ","))[:MAX_METADATA_CHARS],
        published=published[:10] if _ISO_DATE.match(published) else "",
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LD_SCRIPT = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def _json_ld_article(html: str) -> dict[str, str]:
    """Headline, author names and datePublished of the first JSON-LD object typed as an article."""
    for match in _LD_SCRIPT.finditer(html):
        try:
            data = json.loads(match.group(1))
        except ValueError:
            continue
        for item in _ld_items(data):
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and (t.endswith("Article") or t == "BlogPosting") for t in types):
                out = {
                    key: item[key] for key in ("headline", "datePublished") if isinstance(item.get(key), str)
                }
                names = [a.get("name") if isinstance(a, dict) else a for a in _as_list(item.get("author"))]
                if names := [n for n in names if isinstance(n, str) and n.strip()]:
                    out["author"] = ", ".join(names)
                return out
    return {}


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _ld_items(data: object, depth: int = 0) -> list[dict[str, Any]]:
    """The objects of a JSON-LD document: the top level, lists of them, and ``@graph``."""
    if depth > 3:
        return []
    if isinstance(data, list):
        return [item for element in data for item in _ld_items(element, depth + 1)]
    if isinstance(data, dict):
        return [data, *_ld_items(data.get("@graph"), depth + 1)] if "@graph" in data else [data]
    return []
