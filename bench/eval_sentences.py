"""Score factcheck.analysis.sentences on third-party sentence boundary suites.

Usage: .venv/bin/python -m bench.eval_sentences [--shared PATH] [-v] [--pysbd]

Reads ../shared/eval/sbd at run time (nothing from it is copied into the project):
- pySBD's English "Golden Rules" (48 rows of pysbd_english_cases.jsonl), floor 47;
- pragmatic_segmenter's English spec (177 cases), floor 160.
Sentence lists are compared after collapsing runs of white space and dropping empty strings.
Exits 1 below a floor, 2 if the shared folder is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from factcheck.analysis.sentences import split

REPO = Path(__file__).resolve().parents[1]

FLOORS = {"golden": 47, "pragmatic": 160}
_WS = re.compile(r"\s+")


def normalise(sentences: list[str]) -> list[str]:
    out = [_WS.sub(" ", s).strip() for s in sentences]
    return [s for s in out if s]


def load(shared: Path) -> dict[str, list[dict]]:
    sbd = shared / "eval" / "sbd"
    golden = []
    with open(sbd / "pysbd_english_cases.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if row["source"].endswith("GOLDEN_EN_RULES_TEST_CASES"):
                    golden.append(row)
    with open(sbd / "pragmatic_segmenter_english_cases.jsonl", encoding="utf-8") as fh:
        pragmatic = [json.loads(line) for line in fh if line.strip()]
    return {"golden": golden, "pragmatic": pragmatic}


def score(
    cases: list[dict], splitter: Callable[[str], list[str]]
) -> tuple[int, list[tuple[dict, list[str]]]]:
    passed = 0
    failures = []
    for case in cases:
        try:
            got = normalise(splitter(case["text"]))
        except Exception as exc:  # a library under comparison may raise
            got = [f"<{type(exc).__name__}: {exc}>"]
        if got == normalise(case["expected"]):
            passed += 1
        else:
            failures.append((case, got))
    return passed, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the failures")
    parser.add_argument("--pysbd", action="store_true", help="also score pySBD for comparison")
    args = parser.parse_args(argv)

    if not (args.shared / "eval" / "sbd").is_dir():
        print(f"shared evaluation data not found: {args.shared / 'eval' / 'sbd'} (pass --shared PATH)")
        return 2
    suites = load(args.shared)

    splitters: dict[str, Callable[[str], list[str]]] = {"factcheck": split}
    if args.pysbd:
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
        splitters["pysbd"] = segmenter.segment

    ok = True
    for name, splitter in splitters.items():
        for suite, cases in suites.items():
            passed, failures = score(cases, splitter)
            floor = FLOORS[suite]
            mark = ""
            if name == "factcheck":
                mark = "  ok" if passed >= floor else f"  BELOW FLOOR {floor}"
                ok = ok and passed >= floor
            label = "Golden Rules" if suite == "golden" else "pragmatic_segmenter"
            print(f"{name:10} {label:20} {passed}/{len(cases)}{mark}")
            if args.verbose and name == "factcheck":
                for case, got in failures:
                    title = case.get("name") or case.get("source", "")
                    print(f"  FAIL {title}\n    text:     {case['text']!r}")
                    print(f"    expected: {normalise(case['expected'])!r}\n    got:      {got!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
