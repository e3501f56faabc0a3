"""The value types that the text analysis produces.

Every offset is a Python string index into ``Document.text`` (the canonical text),
half-open: ``text[start:end]``.  Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    """What a block of the article is.  Only the *content* kinds yield claims."""

    HEADLINE = "headline"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    QUOTATION = "quotation"
    LIST_ITEM = "list_item"
    IMAGE_CREDIT = "image_credit"
    CAPTION = "caption"
    BYLINE = "byline"
    PROMO = "promo"
    FURNITURE = "furniture"  # page furniture: menus, footers, share buttons, related stories, comments, ...
    TABLE = "table"  # a row of a data table: not a sentence

    @property
    def is_content(self) -> bool:
        return self in CONTENT_KINDS


CONTENT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.QUOTATION, BlockKind.LIST_ITEM})


class ClaimKind(StrEnum):
    STATEMENT = "statement"
    QUOTATION = "quotation"
    OPINION = "opinion"
    PREDICTION = "prediction"
    QUESTION = "question"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink of an HTML body: its target and the range of its anchor text."""

    href: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A block of the canonical text (a paragraph, a heading, a caption, ...).

    ``reason`` says in words why a non-content block is not a claim
    ("image credit", "section heading", ...); it is empty for content blocks.
    ``source_line`` is the 1-based line of the source (plain text or HTML) where
    the block starts, when known.
    """

    kind: BlockKind
    start: int
    end: int
    reason: str = ""
    source_line: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """An article reduced to canonical text and classified blocks.

    Blocks are sorted, do not overlap, and together cover every non-blank
    character of ``text``.
    """

    text: str
    blocks: tuple[Block, ...]
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    cue: str
    start: int
    end: int
    severity: Severity
    message: str
    resolved_by: tuple[int, int] | None = None  # the credited mention elsewhere that this may refer to

    def as_dict(self) -> dict:
        out = {
            "kind": self.kind,
            "cue": self.cue,
            "start": self.start,
            "end": self.end,
            "severity": str(self.severity),
            "message": self.message,
        }
        if self.resolved_by is not None:
            out["resolved_by"] = list(self.resolved_by)
        return out


@dataclass(frozen=True, slots=True)
class Claim:
    index: int
    text: str
    start: int
    end: int
    paragraph: int
    kind: ClaimKind
    checkworthiness: float
    reasons: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "kind": str(self.kind),
            "checkworthiness": self.checkworthiness,
            "reasons": list(self.reasons),
            "flags": [flag.as_dict() for flag in self.flags],
        }


@dataclass(frozen=True, slots=True)
class Excluded:
    text: str
    start: int
    end: int
    reason: str

    def as_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Analysis:
    """The result of analysing one article: the public ``analyze`` contract."""

    text: str
    claims: tuple[Claim, ...]
    excluded: tuple[Excluded, ...]
    links: tuple[Link, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "claims": [claim.as_dict() for claim in self.claims],
            "excluded": [item.as_dict() for item in self.excluded],
        }
