"""Claims of whole real article pages against their true article bodies, beside trafilatura, in one run.

Usage: .venv/bin/python -m bench.eval_bodies [--shared PATH] [-v] [--worst N]

Reads ../shared/eval/article-bodies at run time (nothing from it is copied into the project): 110 real
web pages (`pages/<id>.html`) with the article body an analyser should keep (`labels.jsonl`), and its
scorer `score.py` (token precision, recall and F1 of the claims against the body, and the share of
"furniture claims", claims with under half of their tokens in the body), which this script imports and
calls as it is.

Each page is analysed as HTML by factcheck.analysis.pipeline.analyze, under the limits the service
applies to HTML pages, and the claims are scored.  trafilatura 2.3.1 (``trafilatura.extract(html)``,
defaults; its lines as claims, as the data's README does) is scored on the same pages in the same run.
A page the analysis refuses counts as a page with no claims, and is listed.

The "article element" lines analyse only the page's ``<article>`` element (the largest, on pages where
it holds the article: at least 80% of the body's tokens are in its text), which is close to what a CMS
sends: its furniture share is the "article bodies" figure, and "body lost" counts the sentences of the
true body whose tokens the claims of the element miss (more than half of them), beside the same count
for the element's whole text (what the element itself lacks).

Exits 1 below a floor (FLOORS: set a little below the measurement of the landed analysis), 2 if the
shared folder is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import lxml.html

from factcheck.analysis.pipeline import MAX_HTML_CHARS, InputRejected, analyze
from factcheck.analysis.sentences import split

REPO = Path(__file__).resolve().parents[1]

# Floors on the whole-page figures (overall) and the article-element furniture share.
# An <article> element that holds less of the body than this is not the article (a teaser, a widget).
ARTICLE_HOLDS_BODY = 0.8
# Besides these, the issue's own bars, against trafilatura in the same run: F1 at least trafilatura's,
# furniture share at most half of trafilatura's.
FLOORS = {"f1": 0.952, "furniture_share": 0.025, "refused": 0, "article_furniture_share": 0.025}


def load_scorer(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("article_bodies_score", folder / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def factdesk_claims(html: str) -> list[str] | None:
    """The claim texts of the page, or None when the analysis refuses it."""
    try:
        return [claim.text for claim in analyze(html, fmt="html", max_chars=MAX_HTML_CHARS).claims]
    except InputRejected:
        return None


def trafilatura_claims(html: str) -> list[str]:
    import trafilatura

    out = trafilatura.extract(html)
    return [line for line in (out or "").split("\n") if line.strip()]


def article_element(html: str, body: str, scorer: ModuleType) -> str | None:
    """The HTML of the page's largest ``<article>`` element (by text length) when it holds the article
    body (at least ARTICLE_HOLDS_BODY of the body's tokens are in its text), else None."""
    root = lxml.html.document_fromstring(html.encode("utf-8"))
    articles = root.xpath("//article")
    if not articles:
        return None
    best = max(articles, key=lambda el: len(el.text_content()))
    if scorer.score_page(body, [best.text_content()])["recall"] < ARTICLE_HOLDS_BODY:
        return None
    return lxml.html.tostring(best, encoding="unicode")


def lost_sentences(scorer: ModuleType, body: str, texts: list[str]) -> list[str]:
    """Sentences of the true body with more than half of their tokens missing from ``texts`` (pooled)."""
    have = scorer.Counter(t for text in texts for t in scorer.tokens(text))
    lost = []
    for sentence in split(body):
        toks = scorer.tokens(sentence)
        if toks and sum(1 for t in toks if have[t]) < 0.5 * len(toks):
            lost.append(sentence)
    return lost


def why_lost(sentence: str, excluded: list[tuple[str, str]]) -> str:
    """The reason of the excluded block that holds the sentence's opening, or "not found"."""
    head = " ".join(sentence.split())[:30]
    return next((reason for text, reason in excluded if head in " ".join(text.split())), "not found")


def report(scorer: ModuleType, labels: dict, outputs: dict[str, list[str]], pages: list[str]) -> dict:
    rows = {}
    for pid in pages:
        rows[pid] = scorer.score_page(labels[pid]["body"], outputs.get(pid, []))
        rows[pid]["source"] = labels[pid]["source_repo"]
        rows[pid]["lang"] = labels[pid].get("lang", "en")
    groups = {}
    for source in sorted({r["source"] for r in rows.values()}):
        groups[source.split("/")[-1]] = [r for r in rows.values() if r["source"] == source]
    groups["overall"] = list(rows.values())
    groups["overall, English pages only"] = [r for r in rows.values() if r["lang"] == "en"]
    return {"groups": {name: scorer.aggregate(rs) for name, rs in groups.items()}, "rows": rows}


def print_table(results: dict[str, dict]) -> None:
    print(
        f"{'analyser':<30} {'group':<34} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'claims':>7}"
        f" {'furn':>5} {'furn/page':>9} {'share':>6}"
    )
    for name, result in results.items():
        for group, a in result["groups"].items():
            print(
                f"{name:<30} {group:<34} {a['pages']:5d} {a['precision']:6.3f} {a['recall']:6.3f}"
                f" {a['f1']:6.3f} {a['claims']:7d} {a['furniture']:5d} {a['furniture'] / a['pages']:9.2f}"
                f" {a['furniture_share']:6.1%}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each page's figures")
    parser.add_argument("--worst", type=int, default=0, help="print the furniture claims of N worst pages")
    args = parser.parse_args(argv)

    folder = args.shared / "eval" / "article-bodies"
    if not (folder / "labels.jsonl").is_file():
        print(f"shared evaluation data not found: {folder} (pass --shared PATH)")
        return 2
    scorer = load_scorer(folder)
    labels = scorer.load_labels()
    pages = sorted(labels)

    ours: dict[str, list[str]] = {}
    theirs: dict[str, list[str]] = {}
    ours_article: dict[str, list[str]] = {}
    refused: list[str] = []
    seconds = {"factdesk": 0.0, "trafilatura": 0.0}
    article_pages: list[str] = []
    lost = {"element": 0, "sentences": 0}
    lost_why: Counter[str] = Counter()
    refused_articles: list[str] = []
    for pid in pages:
        html = (folder / "pages" / f"{pid}.html").read_text(encoding="utf-8")
        started = time.perf_counter()
        claims = factdesk_claims(html)
        seconds["factdesk"] += time.perf_counter() - started
        if claims is None:
            refused.append(pid)
            claims = []
        ours[pid] = claims
        started = time.perf_counter()
        theirs[pid] = trafilatura_claims(html)
        seconds["trafilatura"] += time.perf_counter() - started
        fragment = article_element(html, labels[pid]["body"], scorer)
        if fragment is not None:
            article_pages.append(pid)
            try:
                analysis = analyze(fragment, fmt="html", max_chars=MAX_HTML_CHARS)
            except InputRejected:
                refused_articles.append(pid)
                ours_article[pid] = []
                continue
            ours_article[pid] = [claim.text for claim in analysis.claims]
            excluded = [(item.text, item.reason) for item in analysis.excluded]
            body = labels[pid]["body"]
            for sentence in lost_sentences(scorer, body, ours_article[pid]):
                lost_why[why_lost(sentence, excluded)] += 1
            lost["element"] += len(
                lost_sentences(scorer, body, [lxml.html.fromstring(fragment).text_content()])
            )
            lost["sentences"] += len(split(body))

    results = {
        "factdesk (whole page)": report(scorer, labels, ours, pages),
        "trafilatura 2.3.1 (whole page)": report(scorer, labels, theirs, pages),
        "factdesk (article element)": report(scorer, labels, ours_article, article_pages),
    }
    print(f"{len(pages)} pages of {folder}; {len(article_pages)} have an <article> element")
    print_table(results)
    print(
        f"article elements: {lost_why.total()} of {lost['sentences']} body sentences not in the claims"
        f" ({lost['element']} missing from the elements' own text; {len(refused_articles)} elements refused);"
        f" kept out as: {', '.join(f'{why} {n}' for why, n in lost_why.most_common())}"
    )
    print(
        f"pages refused: factdesk {len(refused)}{' (' + ', '.join(refused) + ')' if refused else ''},"
        f" trafilatura 0"
    )
    print(
        f"time (one core, whole pages): factdesk {seconds['factdesk']:.1f} s (full analysis),"
        f" trafilatura {seconds['trafilatura']:.1f} s (extraction only)"
    )

    if args.verbose:
        rows = results["factdesk (whole page)"]["rows"]
        trows = results["trafilatura 2.3.1 (whole page)"]["rows"]
        print(f"\n{'id':<42} {'P':>6} {'R':>6} {'furn':>5} | trafilatura {'P':>6} {'R':>6} {'furn':>5}")
        for pid in pages:
            r, t = rows[pid], trows[pid]
            p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
            tp = "-" if t["precision"] is None else f"{t['precision']:.3f}"
            print(f"{pid:<42} {p:>6} {r['recall']:6.3f} {r['furniture']:5d} | {tp:>18} {t['recall']:6.3f}"
                  f" {t['furniture']:5d}")  # fmt: skip
    if args.worst:
        rows = results["factdesk (whole page)"]["rows"]
        for pid in sorted(pages, key=lambda p: -rows[p]["furniture"])[: args.worst]:
            body = scorer.Counter(scorer.tokens(labels[pid]["body"]))
            print(f"\n== {pid}: {rows[pid]['furniture']} furniture claims")
            for text in ours[pid]:
                toks = scorer.tokens(text)
                inside = sum(min(k, body[t]) for t, k in scorer.Counter(toks).items())
                if toks and inside < 0.5 * len(toks):
                    print(f"  - {text[:160]!r}")

    overall = results["factdesk (whole page)"]["groups"]["overall"]
    article = results["factdesk (article element)"]["groups"]["overall"]
    failures = []
    if overall["f1"] < FLOORS["f1"]:
        failures.append(f"F1 {overall['f1']:.3f} < {FLOORS['f1']}")
    if overall["furniture_share"] > FLOORS["furniture_share"]:
        failures.append(f"furniture share {overall['furniture_share']:.1%} > {FLOORS['furniture_share']:.1%}")
    baseline = results["trafilatura 2.3.1 (whole page)"]["groups"]["overall"]
    if overall["f1"] < baseline["f1"]:
        failures.append(f"F1 {overall['f1']:.3f} < trafilatura's {baseline['f1']:.3f}")
    if overall["furniture_share"] > baseline["furniture_share"] / 2:
        failures.append(
            f"furniture share {overall['furniture_share']:.1%} > half of trafilatura's"
            f" {baseline['furniture_share']:.1%}"
        )
    if len(refused) > FLOORS["refused"]:
        failures.append(f"{len(refused)} pages refused")
    if article["furniture_share"] > FLOORS["article_furniture_share"]:
        failures.append(
            f"article-element furniture share {article['furniture_share']:.1%}"
            f" > {FLOORS['article_furniture_share']:.1%}"
        )
    if failures:
        print("BELOW FLOOR: " + "; ".join(failures))
        return 1
    print(
        "floors met: F1 >= trafilatura's, furniture <= half of trafilatura's;"
        f" F1 >= {FLOORS['f1']}, furniture <= {FLOORS['furniture_share']:.1%},"
        f" refused <= {FLOORS['refused']},"
        f" article-element furniture <= {FLOORS['article_furniture_share']:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
