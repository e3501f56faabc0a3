"""Score CLEF CheckThat! 2024 Task 1 (English) with the committed check-worthiness weights.

    .venv/bin/python bench/eval_checkworthiness.py [--shared PATH] [--record NOTE]

Runs the run-time ``factcheck.analysis.checkworthiness.score()`` (pure Python, the committed
``data/checkworthiness.json``) over dev and test_gold, prints F1 of the Yes class with precision and
recall, and the scoring speed (CPU time of one process, so one core, over the train split).  Exits 1
when test_gold F1 is below the floor (0.62, a TF-IDF bigram logistic regression), 2 when the shared
folder is missing.

``--record NOTE`` writes the test_gold figure and NOTE (how it was obtained) into the weights file's
metadata.  Use it once, on the single test_gold run of newly fitted weights: the weights are chosen on
train alone (``bench/fit_checkworthiness.py``: debates held out of train in turn), never by this figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_checkworthiness import DATA, DEFAULT_SHARED, TEST_RECORD_KEYS, f1_parts, read_split  # noqa: E402

from factcheck.analysis import checkworthiness as cw  # noqa: E402

FLOOR = 0.62


def evaluate(rows: list[tuple[int, str, int]]) -> tuple[float, float, float, float]:
    """F1, precision and recall of the Yes class, and the scoring speed in MB/s (CPU time)."""
    started = time.process_time()
    predicted = [int(cw.score(text)[0] >= 0.5) for _, text, _ in rows]
    elapsed = time.process_time() - started
    megabytes = sum(len(text.encode("utf-8")) for _, text, _ in rows) / 1e6
    return (*f1_parts([label for _, _, label in rows], predicted), megabytes / elapsed)


def record(f1: float, precision: float, recall: float, note: str) -> None:
    """Write the test_gold figure into the weights file's metadata (kept by refits of the same weights)."""
    data = json.loads(cw.WEIGHTS_PATH.read_text(encoding="utf-8"))
    figures = (round(f1, 4), [round(precision, 4), round(recall, 4)], note)
    data["metadata"].update(zip(TEST_RECORD_KEYS, figures, strict=True))
    cw.WEIGHTS_PATH.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"recorded the test_gold figure in {cw.WEIGHTS_PATH.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder (../shared)")
    parser.add_argument(
        "--record", metavar="NOTE", help="write the test_gold figure and this note into the weights metadata"
    )
    args = parser.parse_args(argv)
    if not (args.shared / DATA.format(split="test_gold")).is_file():
        print(
            f"CheckThat! data not found under {args.shared} (expected {DATA}); pass --shared", file=sys.stderr
        )
        return 2

    meta = cw.metadata()
    print(
        f"weights {cw.WEIGHTS_PATH.name} {meta['version']}: {meta['features']}, C={meta['C']}, "
        f"threshold p={meta['threshold_probability']}"
    )
    print(f"fitted on train; decision threshold chosen on {meta['threshold_chosen_on']}")
    if "heldout_debates_f1" in meta:
        print(f"held-out train debates F1(Yes): {meta['heldout_debates_f1']:.3f} (what it was chosen by)")
    dev_f1, dev_p, dev_r, _ = evaluate(read_split(args.shared, "dev"))
    print(f"CheckThat! 2024 dev F1(Yes): {dev_f1:.3f} (P {dev_p:.2f}, R {dev_r:.2f})")
    test_f1, test_p, test_r, _ = evaluate(read_split(args.shared, "test_gold"))
    print(f"CheckThat! 2024 test_gold F1(Yes): {test_f1:.3f} (P {test_p:.2f}, R {test_r:.2f})")
    train = read_split(args.shared, "train")
    speed = max(evaluate(train)[3] for _ in range(3))
    print(f"speed: {speed:.1f} MB/s of sentences on one core (score() over the train split, best of 3)")
    if args.record:
        record(test_f1, test_p, test_r, args.record)
    if test_f1 < FLOOR:
        print(f"test_gold F1 {test_f1:.3f} is below the floor {FLOOR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
