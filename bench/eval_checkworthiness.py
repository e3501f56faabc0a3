"""Score CLEF CheckThat! 2024 Task 1 (English) with the committed check-worthiness weights.

    .venv/bin/python bench/eval_checkworthiness.py [--shared PATH]

Runs the run-time ``factcheck.analysis.checkworthiness.score()`` (pure Python, the committed
``data/checkworthiness.json``) over dev and test_gold, prints F1 of the Yes class with precision and
recall, and the scoring speed.  Exits 1 when test_gold F1 is below the floor (0.62, a TF-IDF bigram
logistic regression), 2 when the shared folder is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_checkworthiness import DATA, DEFAULT_SHARED, f1_parts, read_split  # noqa: E402

from factcheck.analysis import checkworthiness as cw  # noqa: E402

FLOOR = 0.62


def evaluate(rows: list[tuple[int, str, int]]) -> tuple[float, float, float, float]:
    """F1, precision and recall of the Yes class, and the scoring speed in MB/s."""
    started = time.perf_counter()
    predicted = [int(cw.score(text)[0] >= 0.5) for _, text, _ in rows]
    elapsed = time.perf_counter() - started
    megabytes = sum(len(text.encode("utf-8")) for _, text, _ in rows) / 1e6
    return (*f1_parts([label for _, _, label in rows], predicted), megabytes / elapsed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder (../shared)")
    args = parser.parse_args(argv)
    if not (args.shared / DATA.format(split="test_gold")).is_file():
        print(
            f"CheckThat! data not found under {args.shared} (expected {DATA}); pass --shared", file=sys.stderr
        )
        return 2

    meta = cw.metadata()
    print(f"weights {cw.WEIGHTS_PATH.name} {meta['version']}, threshold p={meta['threshold_probability']}")
    dev_f1, dev_p, dev_r, _ = evaluate(read_split(args.shared, "dev"))
    print(f"CheckThat! 2024 dev F1(Yes): {dev_f1:.3f} (P {dev_p:.2f}, R {dev_r:.2f})")
    test_f1, test_p, test_r, _ = evaluate(read_split(args.shared, "test_gold"))
    print(f"CheckThat! 2024 test_gold F1(Yes): {test_f1:.3f} (P {test_p:.2f}, R {test_r:.2f})")
    *_, speed = evaluate(read_split(args.shared, "train"))
    print(f"speed: {speed:.1f} MB/s of sentences on one core (score() over the train split)")
    if test_f1 < FLOOR:
        print(f"test_gold F1 {test_f1:.3f} is below the floor {FLOOR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
