"""Check the analysis against the hand-annotated articles in ``../shared/corpus``.

    .venv/bin/python -m bench.eval_corpus [--shared PATH]

Every ``NAME.expected.json`` in ``corpus/`` is checked against ``NAME.txt`` (or ``NAME.html``).
When ``factcheck.analysis.pipeline.analyze`` exists, the claims it returns are checked (each
annotated claim must be returned, up to white space; no excluded line may be returned as a
claim).  Until then the block level is checked: each annotated claim must lie inside a content
block and each excluded line inside a non-content block.  Exits non-zero on any miss.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from factcheck.analysis.blocks import parse
from factcheck.analysis.types import BlockKind, Document

ROOT = Path(__file__).resolve().parents[1]


def squash(text: str) -> str:
    """Collapse runs of white space, so that comparisons ignore line breaks and spacing."""
    return " ".join(text.split())


@dataclass
class Report:
    """What one article scored: the misses are listed so that a failure says what went wrong."""

    name: str
    level: str  # "blocks" or "claims"
    claims_total: int = 0
    claims_missed: list[str] = field(default_factory=list)
    excluded_total: int = 0
    excluded_leaked: list[str] = field(default_factory=list)
    headline_expected: str | None = None
    headline_found: str | None = None

    @property
    def headline_ok(self) -> bool:
        if self.headline_expected is None:
            return True
        return squash(self.headline_expected) == squash(self.headline_found or "")

    @property
    def ok(self) -> bool:
        return not self.claims_missed and not self.excluded_leaked and self.headline_ok

    def lines(self) -> list[str]:
        where = "in content blocks" if self.level == "blocks" else "returned as claims"
        out = [
            f"== {self.name} ({self.level})",
            f"claims {where}: {self.claims_total - len(self.claims_missed)}/{self.claims_total}",
            f"excluded kept out: {self.excluded_total - len(self.excluded_leaked)}/{self.excluded_total}",
        ]
        if self.headline_expected is not None:
            out.append(f"headline: {'ok' if self.headline_ok else 'MISS'} ({self.headline_found!r})")
        out += [f"  missed claim: {text}" for text in self.claims_missed]
        out += [f"  leaked excluded: {text}" for text in self.excluded_leaked]
        return out


def check(doc_or_claim_texts: Document | Sequence[str], expected: dict, *, name: str = "") -> Report:
    """Score a parsed ``Document`` (block level) or a list of claim texts (claim level)."""
    claims = [item["text"] for item in expected.get("claims", [])]
    excluded = [item["text"] for item in expected.get("excluded", [])]
    if isinstance(doc_or_claim_texts, Document):
        return _check_blocks(doc_or_claim_texts, claims, excluded, expected.get("headline"), name)
    found = {squash(text) for text in doc_or_claim_texts}
    report = Report(name=name, level="claims", claims_total=len(claims), excluded_total=len(excluded))
    report.claims_missed = [text for text in claims if squash(text) not in found]
    report.excluded_leaked = [text for text in excluded if squash(text) in found]
    return report


def _check_blocks(
    doc: Document, claims: list[str], excluded: list[str], headline: str | None, name: str
) -> Report:
    content = [squash(doc.text[b.start : b.end]) for b in doc.blocks if b.kind.is_content]
    other = [squash(doc.text[b.start : b.end]) for b in doc.blocks if not b.kind.is_content]
    report = Report(name=name, level="blocks", claims_total=len(claims), excluded_total=len(excluded))
    report.claims_missed = [text for text in claims if not any(squash(text) in block for block in content)]
    report.excluded_leaked = [
        text
        for text in excluded
        if any(squash(text) in block for block in content)
        or not any(squash(text) in block for block in other)
    ]
    if headline is not None:
        report.headline_expected = headline
        found = [doc.text[b.start : b.end] for b in doc.blocks if b.kind is BlockKind.HEADLINE]
        report.headline_found = found[0] if found else None
    return report


def _pipeline() -> Callable | None:
    """``factcheck.analysis.pipeline.analyze`` if it can be imported, else None (with a warning)."""
    try:
        module = importlib.import_module("factcheck.analysis.pipeline")
    except ModuleNotFoundError as error:
        if error.name != "factcheck.analysis.pipeline":
            print(f"warning: the pipeline does not import ({error}); checking blocks", file=sys.stderr)
        return None
    except ImportError as error:
        print(f"warning: the pipeline does not import ({error}); checking blocks", file=sys.stderr)
        return None
    return getattr(module, "analyze", None)


def evaluate(article: Path, expected: dict, analyze: Callable | None) -> Report:
    fmt = "html" if article.suffix in (".html", ".htm") else "text"
    body = article.read_text(encoding="utf-8")
    if analyze is None:
        return check(parse(body, fmt), expected, name=article.name)
    result = analyze(body, fmt=fmt)
    if not (hasattr(result, "claims") and hasattr(result, "excluded")):
        print("warning: analyze() returned no .claims/.excluded; checking blocks", file=sys.stderr)
        return check(parse(body, fmt), expected, name=article.name)
    report = check([claim.text for claim in result.claims], expected, name=article.name)
    headline = expected.get("headline")
    if headline is not None:  # the headline must not come out as a claim either
        report.headline_expected = headline
        claimed = {squash(claim.text) for claim in result.claims}
        report.headline_found = None if squash(headline) in claimed else headline
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder")
    parser.add_argument("--blocks", action="store_true", help="check blocks even if the pipeline exists")
    args = parser.parse_args(argv)
    corpus = args.shared / "corpus"
    expectations = sorted(corpus.glob("*.expected.json"))
    if not expectations:
        print(f"no *.expected.json in {corpus}", file=sys.stderr)
        return 2
    analyze = None if args.blocks else _pipeline()
    failed = 0
    for path in expectations:
        stem = path.name.removesuffix(".expected.json")
        articles = [corpus / f"{stem}{suffix}" for suffix in (".txt", ".html", ".htm")]
        article = next((a for a in articles if a.exists()), None)
        if article is None:
            print(f"== {stem}: no article next to {path.name}", file=sys.stderr)
            failed += 1
            continue
        report = evaluate(article, json.loads(path.read_text(encoding="utf-8")), analyze)
        print("\n".join(report.lines()))
        failed += not report.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
