"""Score CLEF CheckThat! 2024 Task 1 (English) with the committed check-worthiness weights.

    .venv/bin/python -m bench.eval_checkworthiness [--shared PATH] [--record NOTE]

The gate is the F1(Yes) on debates held out of train (blocked cross-validation in
``bench/fit_checkworthiness.py``: whole debates left out of each fold), as the fit recorded it in the
weights file's metadata: it must be at least 0.65.  The fit is deterministic and its output has no clock,
so re-running it reproduces the weights file, and the figure, byte for byte; CI reads the recorded figure
instead of refitting (a refit needs scikit-learn and minutes of CPU).  The recorded figure is checked to
belong to these weights: the metadata's chosen configuration must be the one whose figure it is.

Then runs the run-time ``factcheck.analysis.checkworthiness.score()`` (pure Python, the committed
``data/checkworthiness.json``) over dev and test_gold, prints F1 of the Yes class with precision and
recall, test_gold's with a 95 % bootstrap interval (reported, not gated: the test debates are years from
the training ones, and the interval is too wide to tell models apart), and the scoring speed (CPU time of
one process, so one core, over the train split).  Exits 1 when the held-out debates figure is below its
floor, 2 when the shared folder is missing.

``--record NOTE`` writes the test_gold figure and NOTE (how it was obtained) into the weights file's
metadata.  Use it once, on the single test_gold run of newly fitted weights: the weights are chosen on
train alone (``bench/fit_checkworthiness.py``: debates held out of train in turn), never by this figure.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from bench.fit_checkworthiness import DATA, DEFAULT_SHARED, TEST_RECORD_KEYS, f1_parts, read_split
from factcheck.analysis import checkworthiness as cw

ROOT = Path(__file__).resolve().parents[1]

FLOOR = 0.65  # F1(Yes) on debates held out of train, as recorded by the fit
BOOTSTRAP_RESAMPLES = 2000


def bootstrap_interval(gold: list[int], predicted: list[int], *, seed: int = 14) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of F1(Yes) over resamples of the sentences (with replacement)."""
    rng = random.Random(seed)
    n = len(gold)
    scores = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        picks = [rng.randrange(n) for _ in range(n)]
        scores.append(f1_parts([gold[k] for k in picks], [predicted[k] for k in picks])[0])
    scores.sort()
    return scores[int(0.025 * len(scores))], scores[int(0.975 * len(scores)) - 1]


def heldout_figure(meta: dict) -> float | None:
    """The held-out debates F1 the fit recorded for the committed weights, or None if it is not theirs."""
    figure = meta.get("heldout_debates_f1")
    chosen = [
        c
        for c in meta.get("candidates", ())
        if c.get("C") == meta.get("C") and c.get("features") == meta.get("features")
    ]
    if figure is None or not chosen or chosen[0].get("heldout_debates_f1") != figure:
        return None
    return figure


def predict(rows: list[tuple[int, str, int]]) -> list[int]:
    return [int(cw.score(text)[0] >= 0.5) for _, text, _ in rows]


def evaluate(rows: list[tuple[int, str, int]]) -> tuple[float, float, float, float]:
    """F1, precision and recall of the Yes class, and the scoring speed in MB/s (CPU time)."""
    started = time.process_time()
    predicted = predict(rows)
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
    heldout = heldout_figure(meta)
    if heldout is None:
        print(
            "the weights file records no held-out debates figure for its own configuration", file=sys.stderr
        )
        return 1
    print(f"held-out train debates F1(Yes): {heldout:.3f} (recorded by the fit; gated at >= {FLOOR})")
    dev_f1, dev_p, dev_r, _ = evaluate(read_split(args.shared, "dev"))
    print(f"CheckThat! 2024 dev F1(Yes): {dev_f1:.3f} (P {dev_p:.2f}, R {dev_r:.2f})")
    test_rows = read_split(args.shared, "test_gold")
    test_f1, test_p, test_r, _ = evaluate(test_rows)
    low, high = bootstrap_interval([label for _, _, label in test_rows], predict(test_rows))
    print(
        f"CheckThat! 2024 test_gold F1(Yes): {test_f1:.3f} (P {test_p:.2f}, R {test_r:.2f}; "
        f"95% bootstrap interval {low:.3f}-{high:.3f}, n={len(test_rows)}; reported, not gated)"
    )
    train = read_split(args.shared, "train")
    speed = max(evaluate(train)[3] for _ in range(3))
    print(f"speed: {speed:.1f} MB/s of sentences on one core (score() over the train split, best of 3)")
    if args.record:
        record(test_f1, test_p, test_r, args.record)
    if heldout < FLOOR:
        print(f"held-out debates F1 {heldout:.3f} is below the floor {FLOOR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
