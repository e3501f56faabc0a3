"""The figures behind factcheck.analysis.revisions.SAME_SENTENCE, and the cost of matching.

Usage: .venv/bin/python -m bench.revision_pairs [--shared PATH]

1. The hand-made pairs of tests/factcheck/analysis/test_revisions.py: the similarity of each small
   edit, and of each pair of different sentences that stand next to each other in one article.
2. Real prose: every pair of different sentences within one article (the fixture article and, if
   present, ../shared/corpus/sample-article.txt): how many reach the threshold, and how many of those
   the rule would not send back to review (a verdict carried to another sentence: the risk).
3. The cost of matching a revision that rewrites every sentence of a long article.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from itertools import combinations
from pathlib import Path

from factcheck.analysis.pipeline import analyze
from factcheck.analysis.revisions import _WORD_RE, SAME_SENTENCE, compare, fold, match, similarity
from tests.factcheck.analysis.test_revisions import DIFFERENT, EDITS, REWRITES

REPO = Path(__file__).resolve().parents[1]


def article_sentences(shared: Path) -> list[list[str]]:
    out = []
    for path in (
        REPO / "factcheck" / "fixtures" / "sample_article.txt",
        shared / "corpus" / "sample-article.txt",
    ):
        if path.is_file():
            out.append([claim.text for claim in analyze(path.read_text(encoding="utf-8")).claims])
    return out


def dice(a: str, b: str) -> float:
    x, y = set(_WORD_RE.findall(fold(a))), set(_WORD_RE.findall(fold(b)))
    return 2 * len(x & y) / (len(x) + len(y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()

    small = [similarity(a, b) for a, b, _, _ in EDITS if a not in REWRITES]
    shared = [dice(a, b) for a, b, _, _ in EDITS if a not in REWRITES]
    large = [similarity(a, b) for a, b, _, _ in EDITS if a in REWRITES]
    different = [similarity(a, b) for a, b in DIFFERENT]
    print(f"threshold (SAME_SENTENCE): {SAME_SENTENCE}")
    print(f"small edits ({len(small)}): min {min(small):.3f}, median {statistics.median(small):.3f}")
    print(f"small edits' shared words (Dice): min {min(shared):.3f}")
    print(f"rewrites taken for new sentences ({len(large)}): {', '.join(f'{s:.3f}' for s in large)}")
    over = [(a, b) for a, b in DIFFERENT if similarity(a, b) >= SAME_SENTENCE]
    print(
        f"different neighbours ({len(different)}): max {max(different):.3f}, median "
        f"{statistics.median(different):.3f}; {len(over)} reach the threshold, "
        f"{sum(not compare(a, b).material for a, b in over)} of them not sent back to review"
    )

    for sentences in article_sentences(args.shared):
        pairs = list(combinations(sentences, 2))
        scores = [(similarity(a, b), a, b) for a, b in pairs]
        reaching = [(s, a, b) for s, a, b in scores if s >= SAME_SENTENCE]
        risky = [(s, a, b) for s, a, b in reaching if not compare(a, b).material]
        print(
            f"article of {len(sentences)} sentences, {len(pairs)} pairs: max similarity "
            f"{max(s for s, _, _ in scores):.3f}, 99th percentile "
            f"{statistics.quantiles([s for s, _, _ in scores], n=100)[98]:.3f}; "
            f"{len(reaching)} reach the threshold, {len(risky)} not sent back to review"
        )

    base = [s for article in article_sentences(args.shared) for s in article]
    sentences = [f"{s[:-1]} (part {n})." for n in range(10) for s in base]
    rewritten = [f"{s[:-1]}, updated." for s in reversed(sentences)]
    start = time.perf_counter()
    pairs = match(sentences, rewritten)
    elapsed = time.perf_counter() - start
    print(
        f"matching {len(sentences)} old to {len(rewritten)} rewritten sentences: {elapsed * 1000:.0f} ms, "
        f"{len(pairs)} pairs"
    )


if __name__ == "__main__":
    main()
