"""Speed of factcheck.analysis.sentences.split_spans on news prose, beside pySBD in the same run.

Usage: .venv/bin/python -m bench.sentences [--shared PATH] [--mb 1.5] [--pysbd-kb 100]

The text is ../shared/corpus/sample-article.txt and, if present, factcheck/fixtures/sample_article.txt,
repeated to about --mb megabytes.  pySBD is timed on a slice of --pysbd-kb kilobytes of the same text
(it is far slower, and slower still on long texts) and its rate scaled from there.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from factcheck.analysis.sentences import split_spans

REPO = Path(__file__).resolve().parents[1]


def news_prose(shared: Path, size: int) -> str:
    parts = []
    for path in (
        shared / "corpus" / "sample-article.txt",
        REPO / "factcheck" / "fixtures" / "sample_article.txt",
    ):
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8"))
    if not parts:
        raise SystemExit(f"no news prose found under {shared / 'corpus'} (pass --shared PATH)")
    unit = "\n\n".join(parts) + "\n\n"
    return (unit * (size // len(unit) + 1))[:size]


def best_of(runs: int, func, *args) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = func(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument("--mb", type=float, default=1.5, help="size of the text, in MB")
    parser.add_argument("--pysbd-kb", type=int, default=100, help="size of pySBD's slice, in kB")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the best is kept)")
    args = parser.parse_args(argv)

    text = news_prose(args.shared, int(args.mb * 1_000_000))
    size_mb = len(text.encode("utf-8")) / 1_000_000
    seconds, spans = best_of(args.runs, split_spans, text)
    print(f"text: {size_mb:.2f} MB of news prose ({len(text):,} characters), best of {args.runs} runs")
    print(
        f"factcheck split_spans: {size_mb / seconds:7.2f} MB/s  {len(spans) / seconds:10,.0f} sentences/s"
        f"  ({len(spans):,} sentences in {seconds:.3f} s)"
    )

    try:
        import pysbd
    except ImportError:
        print("pySBD: not installed")
        return 0
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    piece = text[: args.pysbd_kb * 1000]
    piece = piece[: piece.rfind("\n\n") + 1] or piece  # end on a paragraph break
    piece_mb = len(piece.encode("utf-8")) / 1_000_000
    seconds_p, sentences = best_of(1, segmenter.segment, piece)
    print(
        f"pySBD 0.3.4 segment:   {piece_mb / seconds_p:7.2f} MB/s"
        f"  {len(sentences) / seconds_p:10,.0f} sentences/s  (measured on the first {piece_mb:.2f} MB"
        f" and scaled: {len(sentences):,} sentences in {seconds_p:.3f} s)"
    )
    print(f"speed-up: {(size_mb / seconds) / (piece_mb / seconds_p):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
