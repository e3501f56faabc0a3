"""Measure the attribution analyser: precision, recall and F1 at sentence level, and its speed.

    .venv/bin/python -m bench.eval_attributions [--shared PATH]

1. On our own labelled cases (``tests/factcheck/analysis/attribution_cases.jsonl``), the tuning part and
   the held-out part separately and together: a sentence counts as flagged when ``find_flags`` returns
   anything for it.
2. If the shared corpus exists, on ``corpus/sample-article.txt`` through ``pipeline.analyze``: every
   sentence annotated vague must carry a flag, none annotated not vague may; borderline (null) ones are
   ignored.
3. Speed of ``find_flags`` alone and of the whole ``analyze`` on the sample article repeated.

Exits non-zero if the sample article check fails or the F1 on our own cases is below 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from factcheck.analysis.attribution import find_flags
from factcheck.analysis.sentences import split_spans

ROOT = Path(__file__).resolve().parents[1]

CASES = ROOT / "tests" / "factcheck" / "analysis" / "attribution_cases.jsonl"
F1_FLOOR = 0.90


def squash(text: str) -> str:
    return " ".join(text.split())


def scores(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    """Precision, recall, F1 of (expected, flagged) pairs."""
    tp = sum(1 for e, f in pairs if e and f)
    fp = sum(1 for e, f in pairs if f and not e)
    fn = sum(1 for e, f in pairs if e and not f)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def own_cases(verbose: bool) -> float:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_split: dict[str, list[tuple[bool, bool]]] = {}
    for case in cases:
        text = case["text"]
        flagged = bool(find_flags(text, 0, len(text)))
        by_split.setdefault(case.get("split", "tuning"), []).append((case["vague"], flagged))
        if verbose and flagged != case["vague"]:
            print(f"  {'missed' if case['vague'] else 'false flag'}: {text}")
    everything = [pair for pairs in by_split.values() for pair in pairs]
    for name, pairs in [*sorted(by_split.items()), ("all", everything)]:
        p, r, f1 = scores(pairs)
        vague = sum(1 for e, _ in pairs if e)
        print(f"own cases {name:<9} n={len(pairs):<4} vague={vague:<4} P={p:.3f} R={r:.3f} F1={f1:.3f}")
    return scores(everything)[2]


def sample_article(shared: Path, verbose: bool) -> bool | None:
    txt = shared / "corpus" / "sample-article.txt"
    expected_path = shared / "corpus" / "sample-article.expected.json"
    if not (txt.exists() and expected_path.exists()):
        print("sample article: not found, skipped")
        return None
    from factcheck.analysis.pipeline import analyze

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    analysis = analyze(txt.read_text(encoding="utf-8"), fmt="text")
    flagged = {squash(claim.text): bool(claim.flags) for claim in analysis.claims}
    ok = True
    counts = {"vague": [0, 0], "clean": [0, 0], "borderline": 0}
    for claim in expected["claims"]:
        text, vague = squash(claim["text"]), claim["vague"]
        if vague is None:
            counts["borderline"] += 1
            continue
        got = flagged.get(text)
        if got is None:
            print(f"  not returned as a claim: {text[:90]}")
            ok = False
            continue
        bucket = counts["vague" if vague else "clean"]
        bucket[0] += 1
        bucket[1] += got
        if got != vague:
            ok = False
            if verbose:
                print(f"  {'missed' if vague else 'false flag'}: {text}")
    v, c = counts["vague"], counts["clean"]
    print(
        f"sample article: vague flagged {v[1]}/{v[0]}, non-vague flagged {c[1]}/{c[0]}, "
        f"borderline ignored {counts['borderline']} -> {'OK' if ok else 'FAIL'}"
    )
    return ok


def speed(shared: Path) -> None:
    txt = shared / "corpus" / "sample-article.txt"
    if txt.exists():
        body = txt.read_text(encoding="utf-8")
    else:
        lines = [json.loads(x)["text"] for x in CASES.read_text(encoding="utf-8").splitlines() if x.strip()]
        body = "\n\n".join(lines)
    text = (body + "\n\n") * max(1, 2_000_000 // max(1, len(body)))
    spans = split_spans(text)
    t0 = time.perf_counter()
    for s, e in spans:
        find_flags(text, s, e)
    t1 = time.perf_counter()
    mb = len(text.encode("utf-8")) / 1e6
    print(f"speed: find_flags alone {mb / (t1 - t0):.1f} MB/s on {mb:.1f} MB")
    try:
        from factcheck.analysis.pipeline import analyze

        t0 = time.perf_counter()
        analyze(text, fmt="text")
        t1 = time.perf_counter()
        print(f"speed: pipeline.analyze {mb / (t1 - t0):.2f} MB/s")
    except Exception as exc:  # the checkworthiness weights may not exist yet
        print(f"speed: pipeline.analyze unavailable ({exc})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss and false flag")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    f1 = own_cases(args.verbose)
    sample_ok = sample_article(args.shared, args.verbose)
    if not args.no_speed:
        speed(args.shared)
    failed = f1 < F1_FLOOR or sample_ok is False
    if failed:
        print("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
