"""Main text kept and boilerplate leaked on whole real news pages, beside trafilatura, in one run.

Usage: .venv/bin/python -m bench.eval_pages [--shared PATH] [-v]

Reads ../shared/eval/news-pages at run time (nothing from it is copied into the project): real English
news pages (`pages/<file>`) with trafilatura's evaluation snippets (`labels.jsonl`): "with" snippets of
the article's main text and "without" snippets of page furniture.  As that folder's README says, each
page is analysed as HTML, the claim texts are joined with single spaces and white space collapsed, and:

- main text: a "with" snippet is kept when it is a substring of the joined claims.  The headline figure
  counts body prose only (the "with" snippets minus "with_not_prose": headlines, subheadings and fact
  boxes, which an analyser rightly keeps out of claims); those are counted on their own line.
- boilerplate: a "without" snippet leaks when it is a substring of the joined claims.  Snippets that
  occur nowhere in the stored page (content the live page loaded later) cannot leak, and are left out
  of the leak figures (their number is printed).

trafilatura 2.3.1 (``trafilatura.extract(html)``, defaults, its lines as claims) is scored the same way
on the same pages in the same run.  Exits 1 below a floor (FLOORS, set a little below the measurement
of the landed analysis; leaks also at most half of trafilatura's), 2 if the shared folder is missing.
"""

from __future__ import annotations

import argparse
import html as htmllib
import json
import re
import sys
from pathlib import Path

from bench.eval_bodies import factdesk_claims, trafilatura_claims

REPO = Path(__file__).resolve().parents[1]

FLOORS = {"body_kept_share": 0.95, "max_leaks": 16, "refused": 0}
_TAG = re.compile(r"<[^>]*>")


def squash(text: str) -> str:
    return " ".join(text.split())


def in_page(snippet: str, html: str) -> bool:
    """The snippet occurs in the page's text (tags read as a space, or as nothing)."""
    spaced = squash(htmllib.unescape(_TAG.sub(" ", html)))
    glued = squash(htmllib.unescape(_TAG.sub("", html)))
    return snippet in spaced or snippet in glued


def score(labels: list[dict], outputs: dict[str, list[str]], present: dict[str, set[str]]) -> dict:
    out = {"body": 0, "body_kept": 0, "not_prose": 0, "not_prose_kept": 0, "without": 0, "leaked": 0}
    out["leak_pages"] = 0
    out["missed"], out["leaks"] = [], []
    for rec in labels:
        joined = squash(" ".join(outputs.get(rec["file"], [])))
        not_prose = {squash(s) for s in rec.get("with_not_prose", [])}
        for snippet in rec["with"]:
            s = squash(snippet)
            key = "not_prose" if s in not_prose else "body"
            out[key] += 1
            if s in joined:
                out[key + "_kept"] += 1
            elif key == "body":
                out["missed"].append((rec["file"], s))
        page_leaks = 0
        for snippet in rec["without"]:
            s = squash(snippet)
            if s not in present[rec["file"]]:
                continue
            out["without"] += 1
            if s in joined:
                out["leaked"] += 1
                page_leaks += 1
                out["leaks"].append((rec["file"], s))
        out["leak_pages"] += page_leaks > 0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and leaks")
    args = parser.parse_args(argv)

    folder = args.shared / "eval" / "news-pages"
    if not (folder / "labels.jsonl").is_file():
        print(f"shared evaluation data not found: {folder} (pass --shared PATH)")
        return 2
    labels = [json.loads(line) for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    ours: dict[str, list[str]] = {}
    theirs: dict[str, list[str]] = {}
    present: dict[str, set[str]] = {}
    refused = []
    absent = 0
    for rec in labels:
        html = (folder / "pages" / rec["file"]).read_text(encoding="utf-8")
        claims = factdesk_claims(html)
        if claims is None:
            refused.append(rec["file"])
        ours[rec["file"]] = claims or []
        theirs[rec["file"]] = trafilatura_claims(html)
        present[rec["file"]] = {squash(s) for s in rec["without"] if in_page(squash(s), html)}
        absent += len(rec["without"]) - len(present[rec["file"]])

    results = {"factdesk": score(labels, ours, present), "trafilatura 2.3.1": score(labels, theirs, present)}
    print(f"{len(labels)} pages of {folder}")
    print(
        f"{'analyser':<20} {'body prose kept':>16} {'headings etc. kept':>19} {'boilerplate leaked':>19}"
        f" {'pages with a leak':>18}"
    )
    for name, r in results.items():
        print(
            f"{name:<20} {r['body_kept']:>9}/{r['body']:<3} {r['body_kept'] / r['body']:4.0%}"
            f" {r['not_prose_kept']:>12}/{r['not_prose']:<3}"
            f" {r['leaked']:>12}/{r['without']:<3} {r['leaked'] / r['without']:4.0%}"
            f" {r['leak_pages']:>14}/{len(labels)}"
        )
    print(
        f"({absent} boilerplate snippets occur nowhere in the stored pages and are left out;"
        f" pages refused: factdesk {len(refused)}, trafilatura 0)"
    )
    if args.verbose:
        for name, r in results.items():
            for file, s in r["missed"]:
                print(f"{name} missed [{file}]: {s[:120]}")
            for file, s in r["leaks"]:
                print(f"{name} leaked [{file}]: {s[:120]}")

    ours_r, theirs_r = results["factdesk"], results["trafilatura 2.3.1"]
    failures = []
    if ours_r["body_kept"] < theirs_r["body_kept"]:
        failures.append(f"body prose kept {ours_r['body_kept']} < trafilatura's {theirs_r['body_kept']}")
    if ours_r["body_kept"] / ours_r["body"] < FLOORS["body_kept_share"]:
        failures.append(
            f"body prose kept {ours_r['body_kept'] / ours_r['body']:.0%} < {FLOORS['body_kept_share']:.0%}"
        )
    if ours_r["leaked"] > FLOORS["max_leaks"] or ours_r["leaked"] > theirs_r["leaked"] / 2:
        failures.append(
            f"{ours_r['leaked']} boilerplate snippets leaked (floor {FLOORS['max_leaks']},"
            f" half of trafilatura's {theirs_r['leaked']})"
        )
    if len(refused) > FLOORS["refused"]:
        failures.append(f"{len(refused)} pages refused")
    if failures:
        print("BELOW FLOOR: " + "; ".join(failures))
        return 1
    print(
        f"floors met: body prose kept >= {FLOORS['body_kept_share']:.0%} and >= trafilatura's,"
        f" leaks <= {FLOORS['max_leaks']} and <= half of trafilatura's, no page refused"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
