"""Speed and memory of the whole analysis (factcheck.analysis.pipeline.analyze) on news prose, beside pySBD.

Usage: .venv/bin/python -m bench.analysis [--shared PATH] [--mb 2] [--pysbd-kb 100] [--runs 3]

The prose is the project's sample article (factcheck/fixtures/sample_article.txt), the shared sample
article (SHARED/corpus/sample-article.txt) when present, and the sentences of
tests/factcheck/analysis/attribution_cases.jsonl assembled into paragraphs of four.  Articles of 5-20 kB
each open with one of the sample articles (headline, byline, credits, captions and all) and go on with
those paragraphs; they are repeated to about --mb megabytes, and analysed both one by one and joined
into one large article.

Printed, from one run: the full analysis in MB/s and sentences (claims) per second, the best of --runs;
the flags it found (so the figures include the attribution analysis); pySBD segmenting the same
articles (timed on the first --pysbd-kb kilobytes only, as it is far slower, and its rate scaled from
there); each stage's share of the time; and the peak memory that analyze allocates (tracemalloc) for
articles of 100, 200, 400 and 800 kB, per byte of input, which stays flat when memory grows linearly.
The target of the issue is at least 1 MB/s on one core and at least twice pySBD's speed.  Then, on the
whole real HTML pages of SHARED/eval (article-bodies and news-pages), the full analysis (extraction
included) beside trafilatura.extract followed by pySBD on the same pages, from the same run; the target
is at least as fast.  Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from factcheck.analysis import checkworthiness, kinds, pipeline
from factcheck.analysis.pipeline import MAX_HTML_CHARS, analyze

REPO = Path(__file__).resolve().parents[1]

CASES = REPO / "tests" / "factcheck" / "analysis" / "attribution_cases.jsonl"
TARGET_MB_S = 1.0
TARGET_VS_PYSBD = 2.0
MEMORY_SIZES_KB = (100, 200, 400, 800)


# ---------------------------------------------------------------------------------------------
# The prose


def sources(shared: Path) -> tuple[list[str], list[str]]:
    """The sample articles, and paragraphs of four sentences of the attribution cases."""
    articles = [(REPO / "factcheck" / "fixtures" / "sample_article.txt").read_text(encoding="utf-8")]
    shared_article = shared / "corpus" / "sample-article.txt"
    if shared_article.is_file():
        articles.append(shared_article.read_text(encoding="utf-8"))
    sentences = [
        json.loads(line)["text"] for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return [a.strip() for a in articles], paragraphs


def news_articles(shared: Path, size: int) -> list[str]:
    """Articles of 5-20 kB, about ``size`` characters in all."""
    openers, paragraphs = sources(shared)
    rng = random.Random(20240314)
    articles: list[str] = []
    total = k = 0
    while total < size:
        target = rng.randint(5_000, 20_000)
        parts = [openers[len(articles) % len(openers)]]
        length = len(parts[0])
        while length < target:
            paragraph = paragraphs[k % len(paragraphs)]
            k += 1
            parts.append(paragraph)
            length += len(paragraph) + 2
        article = "\n\n".join(parts) + "\n"
        articles.append(article)
        total += len(article)
    return articles


def one_article(articles: list[str], size: int) -> str:
    """One article of about ``size`` characters: the articles joined, cut at a paragraph break."""
    text = "\n\n".join(articles)
    while len(text) < size:
        text += "\n\n" + text
    cut = text.rfind("\n\n", 0, size)
    return text[: cut if cut > 0 else size]


def mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1_000_000


# ---------------------------------------------------------------------------------------------
# Timing


def best_of(runs: int, func: Callable[[], object]) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


class StageClock:
    """Wraps the functions that ``pipeline.analyze`` calls, to add up the time spent in each stage."""

    STAGES = (
        ("blocks", pipeline, "parse"),
        ("sentences", pipeline, "split_spans"),
        ("attributions: article context", pipeline, "article_context"),
        ("attributions: flags", pipeline, "find_flags"),
        ("kinds", kinds, "classify"),
        ("checkworthiness", checkworthiness, "score"),
    )

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.saved: list[tuple[object, str, object]] = []

    def __enter__(self) -> StageClock:
        for label, module, name in self.STAGES:
            original = getattr(module, name)
            self.saved.append((module, name, original))
            setattr(module, name, self._timed(label, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, original in self.saved:
            setattr(module, name, original)

    def _timed(self, label: str, func: Callable) -> Callable:
        seconds, calls, clock = self.seconds, self.calls, time.perf_counter

        def timed(*args, **kwargs):
            t0 = clock()
            try:
                return func(*args, **kwargs)
            finally:
                seconds[label] += clock() - t0
                calls[label] += 1

        return timed


def page_files(shared: Path) -> list[Path]:
    """The whole real HTML pages of shared/eval (article-bodies and news-pages)."""
    return sorted((shared / "eval" / "article-bodies" / "pages").glob("*.html")) + sorted(
        (shared / "eval" / "news-pages" / "pages").glob("*.html")
    )


def whole_pages(shared: Path, runs: int) -> bool | None:
    """Print the full analysis of whole HTML pages (extraction included) beside trafilatura.extract
    followed by pySBD on the same pages; True when ours is at least as fast, None without the pages."""
    files = page_files(shared)
    if not files:
        print("whole HTML pages: shared/eval pages not found, not measured")
        return None
    try:
        import pysbd
        import trafilatura
    except ImportError:
        print("whole HTML pages: trafilatura or pySBD not installed, not measured")
        return None
    pages = [f.read_text(encoding="utf-8") for f in files]
    size = mb(pages)
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)

    def ours() -> int:
        return sum(len(analyze(html, fmt="html", max_chars=MAX_HTML_CHARS).claims) for html in pages)

    def theirs() -> int:
        return sum(len(segmenter.segment(trafilatura.extract(html) or "")) for html in pages)

    seconds_ours, claims = best_of(runs, ours)
    seconds_theirs, sentences = best_of(runs, theirs)
    print(
        f"whole HTML pages ({len(pages)} real pages, {size:.1f} MB of HTML, best of {runs} runs, one core):"
    )
    print(
        f"  full analysis (extraction, blocks, sentences, flags, scores): {size / seconds_ours:6.2f} MB/s"
        f"  {seconds_ours:6.2f} s  ({claims:,} claims)"
    )
    print(
        f"  trafilatura.extract + pySBD (extraction and sentences only): {size / seconds_theirs:6.2f} MB/s"
        f"  {seconds_theirs:6.2f} s  ({sentences:,} sentences)"
    )
    print(f"  full analysis vs trafilatura + pySBD: {seconds_theirs / seconds_ours:.1f}x")
    return seconds_ours <= seconds_theirs


def peak_memory(text: str) -> int:
    """The peak of memory allocated while ``analyze`` runs (its result included)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = analyze(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument("--mb", type=float, default=2.0, help="size of the prose, in MB")
    parser.add_argument("--pysbd-kb", type=int, default=100, help="size of pySBD's slice, in kB")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the best is kept)")
    args = parser.parse_args(argv)

    articles = news_articles(args.shared, int(args.mb * 1_000_000))
    large = "\n\n".join(articles)
    size = mb(articles)
    sizes = sorted(len(a) for a in articles)
    print(
        f"prose: {size:.2f} MB as {len(articles)} articles of {sizes[0] / 1000:.1f}-{sizes[-1] / 1000:.1f} kB"
        f" (median {sizes[len(sizes) // 2] / 1000:.1f} kB), and as one article of {mb([large]):.2f} MB;"
        f" best of {args.runs} runs, one core"
    )

    seconds, results = best_of(args.runs, lambda: [analyze(a) for a in articles])
    claims = sum(len(r.claims) for r in results)
    flags = Counter(f.kind for r in results for c in r.claims for f in c.flags)
    rate = size / seconds
    seconds_large, result_large = best_of(args.runs, lambda: analyze(large))
    rate_large = mb([large]) / seconds_large
    print(
        f"full analysis, article by article: {rate:6.2f} MB/s {claims / seconds:9,.0f} sentences/s"
        f"  ({claims:,} claims in {seconds:.2f} s)"
    )
    print(
        f"full analysis, one large article:  {rate_large:6.2f} MB/s"
        f" {len(result_large.claims) / seconds_large:9,.0f} sentences/s"
        f"  ({len(result_large.claims):,} claims in {seconds_large:.2f} s)"
    )
    flagged = sum(1 for r in results for c in r.claims if c.flags)
    print(
        f"flags found: {sum(flags.values()):,} in {flagged:,} claims"
        f" ({', '.join(f'{kind} {n:,}' for kind, n in flags.most_common())})"
    )

    rate_pysbd = None
    try:
        import pysbd
    except ImportError:
        print("pySBD: not installed, no comparison")
    else:
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
        piece: list[str] = []
        while mb(piece) * 1000 < args.pysbd_kb and len(piece) < len(articles):
            piece.append(articles[len(piece)])
        seconds_p, segmented = best_of(1, lambda: [segmenter.segment(a) for a in piece])
        count = sum(len(s) for s in segmented)
        rate_pysbd = mb(piece) / seconds_p
        print(
            f"pySBD {getattr(pysbd, '__version__', '')} segmentation only: {rate_pysbd:6.2f} MB/s"
            f" {count / seconds_p:9,.0f} sentences/s  (timed on the first {len(piece)} articles,"
            f" {mb(piece) * 1000:.0f} kB, and scaled)"
        )
        print(
            f"full analysis vs pySBD: {rate / rate_pysbd:.1f}x article by article,"
            f" {rate_large / rate_pysbd:.1f}x as one article"
        )

    with StageClock() as clock:
        t0 = time.perf_counter()
        for a in articles:
            analyze(a)
        total = time.perf_counter() - t0
    print(f"stages (article by article, {size / total:.2f} MB/s with the stage clocks on):")
    for label, _module, _name in StageClock.STAGES:
        s = clock.seconds[label]
        print(f"  {label:30s} {s / size:6.3f} s/MB  {100 * s / total:5.1f}%  ({clock.calls[label]:,} calls)")
    rest = total - sum(clock.seconds.values())
    print(f"  {'pipeline (claims, the rest)':30s} {rest / size:6.3f} s/MB  {100 * rest / total:5.1f}%")

    print("peak memory of analyze (tracemalloc), one article:")
    per_byte = []
    for kb in MEMORY_SIZES_KB:
        text = one_article(articles, kb * 1000)
        peak = peak_memory(text)
        per_byte.append(peak / len(text.encode("utf-8")))
        print(f"  {kb:4d} kB: {peak / 1e6:7.1f} MB peak, {per_byte[-1]:6.1f} bytes per input byte")
    spread = (max(per_byte) - min(per_byte)) / min(per_byte)
    print(f"  bytes per input byte vary by {100 * spread:.0f}% from 100 to 800 kB (flat: linear growth)")

    pages_ok = whole_pages(args.shared, args.runs)

    vs = None if rate_pysbd is None else min(rate, rate_large) / rate_pysbd
    ok = min(rate, rate_large) >= TARGET_MB_S and (vs is None or vs >= TARGET_VS_PYSBD)
    print(
        f"target: ≥ {TARGET_MB_S:g} MB/s and ≥ {TARGET_VS_PYSBD:g}× pySBD: {'PASS' if ok else 'FAIL'}"  # noqa: RUF001
        f" ({min(rate, rate_large):.2f} MB/s, "
        + ("pySBD not measured)" if vs is None else f"{vs:.1f}× pySBD)")  # noqa: RUF001
    )
    if pages_ok is not None:
        print(f"whole HTML pages at least as fast as trafilatura + pySBD: {'PASS' if pages_ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
