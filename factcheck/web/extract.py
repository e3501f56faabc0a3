"""The readable text of a fetched document: HTML, plain text or PDF.

The archive keeps this text so that the evidence stays readable when the page changes or vanishes.
HTML goes through trafilatura, which keeps the main text (the article, not the menus, footers and
comments); each block it keeps (paragraph, heading, list, table, quotation) becomes one paragraph,
separated by a blank line.  When trafilatura finds nothing, the whole ``<body>`` is used instead, read
with lxml, scripts and styles removed.  Plain text is decoded and tidied; PDFs are read with pypdf.

Decoding follows what a browser would do: a byte-order mark, then the charset the server declared,
then (HTML) a ``<meta charset>``, then UTF-8 if the bytes are valid UTF-8, else Windows-1252.

The input comes from anyone's server, so everything is bounded: the size of the input, the number of
PDF pages read, the length of the text kept.  Parser failures on malformed input become
``ExtractionFailed`` rather than crashing the worker.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
import pypdf
import trafilatura

__all__ = ["MAX_INPUT_BYTES", "MAX_PDF_PAGES", "MAX_TEXT_CHARS", "Extracted", "ExtractionFailed", "extract"]

MAX_INPUT_BYTES = 25_000_000
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class ExtractionFailed(Exception):
    """Nothing readable could be got from a document; ``reason`` is a sentence for the editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extracted:
    """A document's title (``""`` when it has none) and its readable text, paragraphs separated by
    blank lines.  ``truncated`` is true when the text was cut at ``MAX_TEXT_CHARS`` or the PDF had
    more than ``MAX_PDF_PAGES`` pages."""

    title: str
    text: str
    truncated: bool = False


def extract(body: bytes, content_type: str, *, charset: str | None = None, url: str = "") -> Extracted:
    """The title and readable text of ``body``, a document of ``content_type`` (a media type without
    parameters; ``charset`` is the one the server declared).  Raises ``ExtractionFailed``."""
    if len(body) > MAX_INPUT_BYTES:
        raise ExtractionFailed(f"The document is too large to read (over {MAX_INPUT_BYTES // 1_000_000} MB).")
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _HTML_TYPES:
        title, text = _html(body, charset, url)
        truncated = False
    elif media == "text/plain":
        text = _tidy(_decode(body, charset, html=False))
        title, truncated = _first_line(text), False
    elif media == "application/pdf":
        title, text, truncated = _pdf(body)
    else:
        raise ExtractionFailed(f"Factdesk cannot read documents of type {media or 'unknown'}.")
    if len(text) > MAX_TEXT_CHARS:
        cut = text.rfind("\n\n", 0, MAX_TEXT_CHARS)
        text, truncated = text[: cut if cut > 0 else MAX_TEXT_CHARS].rstrip(), True
    if not any(character.isalnum() for character in text):
        raise ExtractionFailed("The document has no readable text.")
    return Extracted(title=title, text=text, truncated=truncated)


# Encodings that browsers read as Windows-1252 (the WHATWG Encoding Standard's labels).
_AS_WINDOWS_1252 = frozenset({"latin1", "iso8859-1", "ascii", "cp1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def _decode(body: bytes, charset: str | None, *, html: bool) -> str:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    name = _codec(charset)
    if name is None and html:
        found = _META_CHARSET.search(body[:4096])
        name = _codec(found.group(1).decode("ascii")) if found else None
        if name in ("utf-16", "utf-16-le", "utf-16-be"):
            name = "utf-8"  # a meta tag readable as ASCII cannot be in UTF-16 (WHATWG)
    if name is not None:
        return body.decode(name, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Line breaks as ``\\n``, no control characters or trailing spaces, at most one blank line."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip("\n")


def _first_line(text: str) -> str:
    first = text.lstrip().split("\n", 1)[0].strip()
    return first if len(first) <= 150 else ""


_LINE_BREAK = "\ue000"  # a private-use character standing for <lb/> while white space is collapsed


def _inline(element: lxml.etree._Element) -> str:
    """An element's text, white space collapsed as HTML does, with a line break per ``<lb/>``
    (code keeps its lines)."""
    for lb in element.iter("lb"):
        lb.tail = _LINE_BREAK + (lb.tail or "")
    text = "".join(element.itertext())
    if element.tag == "code":
        text = text.replace(_LINE_BREAK, "\n")
        return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    lines = (" ".join(line.split()) for line in text.split(_LINE_BREAK))
    return "\n".join(line for line in lines if line)


def _block(element: lxml.etree._Element) -> str:
    if element.tag == "list":
        return "\n".join(f"- {text}" for item in element.iterchildren("item") if (text := _inline(item)))
    if element.tag == "table":
        rows = (" | ".join(_inline(cell) for cell in row.iterchildren("cell")) for row in element.iter("row"))
        return "\n".join(row for row in rows if row.strip(" |"))
    return _inline(element)


def _html(body: bytes, charset: str | None, url: str) -> tuple[str, str]:
    markup = _decode(body, charset, html=True)
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup, count=1)  # lxml refuses it in a str
    title = text = ""
    try:
        # Without trafilatura's metadata (dates, authors, site name): it costs twice the extraction
        # itself, and only the title is kept, which _title finds in a fraction of that.
        document = trafilatura.bare_extraction(
            markup,
            url=url or None,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
    except Exception:  # hostile markup must not crash a worker: lxml is the fallback
        document = None
    if document is not None and document.body is not None:
        blocks = (_block(child) for child in document.body.iterchildren() if isinstance(child.tag, str))
        text = "\n\n".join(block for block in blocks if block)
    if text.strip():
        title = _title(markup)
    else:
        title, text = _lxml_text(markup)
    if not text.strip():
        raise ExtractionFailed("The page has no readable text (it may need JavaScript to show it).")
    return title, _tidy(text)


def _title(markup: str) -> str:
    """The page's title: its Open Graph title, else its first ``<h1>`` (which, unlike ``<title>``,
    does not carry the site's name), else ``<title>``."""
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.LxmlError, ValueError):
        return ""
    candidates = [
        *root.xpath("//meta[@property='og:title']/@content"),
        *(heading.text_content() for heading in root.iter("h1")),
        root.findtext(".//title") or "",
    ]
    return next((" ".join(c.split()) for c in candidates if c and c.strip()), "")[:500]


_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul",
})  # fmt: skip


def _lxml_text(markup: str) -> tuple[str, str]:
    """The ``<title>`` and the text of ``<body>``, one paragraph per block element."""
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.LxmlError, ValueError):
        return "", ""
    title = " ".join((root.findtext(".//title") or "").split())
    for unwanted in root.xpath("//script|//style|//noscript|//template|//svg|//head|//comment()"):
        unwanted.drop_tree()
    body = root.find("body")
    if body is None:
        body = root
    for element in body.iter():
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    paragraphs = (_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", body.text_content()))
    lines = ("\n".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs)
    return title, "\n\n".join(p for p in lines if p)


def _pdf(body: bytes) -> tuple[str, str, bool]:
    pages: list[str] = []
    truncated = False
    try:
        reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionFailed("The PDF is protected by a password.")
        count = len(reader.pages)
        total = 0
        for number in range(min(count, MAX_PDF_PAGES)):
            page_text = _tidy(reader.pages[number].extract_text() or "")
            pages.append(page_text)
            total += len(page_text)
            if total > MAX_TEXT_CHARS:
                break
        truncated = count > len(pages)
        metadata = reader.metadata
        title = " ".join(str(metadata.title or "").split()) if metadata is not None else ""
    except ExtractionFailed:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on malformed files
        raise ExtractionFailed(f"The PDF could not be read ({type(exc).__name__}: {exc}).") from exc
    text = "\n\n".join(page for page in pages if page.strip())
    if not text.strip():
        raise ExtractionFailed("The PDF has no text layer (it may be scanned images).")
    return title, text, truncated
