"""Peak memory of the export of reviewed claims, for 10,000 and 100,000 claims, on PostgreSQL.

Usage: .venv/bin/python -m bench.export [--claims 10000 100000] [--database-url postgres://…/factdesk_bench_export]
                                  [--keep]

For each size: creates the database (dropping one of that name first; ``--keep`` keeps the last one),
migrates it, fills it inside PostgreSQL with that many reviewed claims of one newsroom over a year
(verdicts of every kind, a take and a verdict event each, a note on a quarter, a flag on 15% and a
source on 30% of them), then exports them all, as CSV and as JSON Lines, through
``factcheck.services.exports`` exactly as the API and the admin do (the lines are counted and thrown
away, as a client would write them out), each in a fresh process.  Prints, for each format, the rows,
bytes and seconds, the process's peak resident memory (VmHWM) and how far it rose above what the
process held before the export began; and for comparison the same for the rows held in a list (what
an export that is not streamed would cost).  Flat memory: the figures above the start are the same
for 10,000 and 100,000 claims.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench import common

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_bench_export"
CLAIMS_PER_ARTICLE = 25
VERDICTS = [("verified", 0.45), ("not_checkable", 0.30), ("unverifiable", 0.12), ("misleading", 0.08),
            ("false", 0.05)]  # fmt: skip


def _case(expr: str, choices: list[tuple[str, float]]) -> str:
    parts, cumulative = [], 0.0
    for value, share in choices[:-1]:
        cumulative += share
        parts.append(f"WHEN {expr} < {cumulative:.6f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{choices[-1][0]}' END"


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, check=True
    )


def fill(url: str, claims: int) -> float:
    """``claims`` reviewed claims of newsroom 1 with their events, flags and sources; the seconds it took."""
    started = time.perf_counter()
    articles = max(1, claims // CLAIMS_PER_ARTICLE)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers: the data is consistent
        conn.execute("SELECT setseed(0.42)")
        conn.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined) VALUES (1, '!', false, 'fiona', 'Fiona', 'Checker', "
            "'fiona@example.org', true, true, now())"
        )
        conn.execute(
            "INSERT INTO editorial_newsroom (id, name, slug, created_at) "
            "VALUES (1, 'Ledger', 'ledger', now())"
        )
        conn.execute(
            "INSERT INTO editorial_desk (id, newsroom_id, name, slug, created_at) VALUES "
            "(1, 1, 'Politics', 'politics', now()), (2, 1, 'City', 'city', now())"
        )
        body = " ".join(s.replace("{n}", "12").replace("{n2}", "34") for s in common.NEWS_SENTENCES)
        conn.execute(
            """INSERT INTO editorial_article
                 (id, newsroom_id, desk_id, external_id, title, url, byline, body, body_format, body_hash,
                  canonical_text, revision, analysis_status, analysis_error, analyzed_revision,
                  created_at, updated_at)
               SELECT g, 1, 1 + g %% 2, 'cms-' || g, 'Article ' || g || ': council budget',
                      'https://news.example.org/' || g, 'By Bench Reporter', %(body)s, 'text', md5(g::text),
                      %(body)s, 1, 'analyzed', '', 1,
                      now() - interval '365 days' * (1 - g::float / %(n)s), now()
                 FROM generate_series(1, %(n)s) g""",
            {"n": articles, "body": body},
        )
        conn.execute(  # SQL built from this file's constants, never from input
            f"""INSERT INTO factcheck_claim
                  (id, article_id, newsroom_id, desk_id, revision, ordinal, text, start, "end", paragraph,
                   kind, checkworthiness, checkworthiness_reasons, status, verdict_text, assignee_id,
                   is_flagged, flag_kinds, created_at, updated_at)
                SELECT c.g + 1, a.id, 1, a.desk_id, 1, c.g %% {CLAIMS_PER_ARTICLE},
                       (%(sentences)s::text[])[1 + c.g %% {len(common.NEWS_SENTENCES)}], 0, 80, 0,
                       'statement',
                       round(c.r1::numeric, 4)::float, '["contains figures"]'::jsonb,
                       {_case("c.r2", VERDICTS)},
                       (%(sentences)s::text[])[1 + c.g %% {len(common.NEWS_SENTENCES)}], 1,
                       c.r3 < 0.15, CASE WHEN c.r3 < 0.15 THEN ',vague_collective,' END,
                       a.created_at, a.created_at
                  FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3
                          FROM generate_series(0, %(n)s - 1) g OFFSET 0) c
                  JOIN editorial_article a ON a.id = 1 + c.g / {CLAIMS_PER_ARTICLE}""",  # noqa: S608
            {"n": claims, "sentences": common.NEWS_SENTENCES},
        )
        conn.execute(
            """INSERT INTO factcheck_claimevent (claim_id, actor_kind, actor_user_id, actor_name, action,
                                                 from_status, to_status, note, created_at)
               SELECT id, 'user', 1, 'fiona', 'take', 'unreviewed', 'in_review', '',
                      created_at + interval '1 hour'
                 FROM factcheck_claim
               UNION ALL
               SELECT id, 'user', 1, 'fiona',
                      CASE status WHEN 'not_checkable' THEN 'dismiss' ELSE 'verify' END, 'in_review', status,
                      'Checked against the council minutes.', created_at + interval '3 hours'
                 FROM factcheck_claim
               UNION ALL
               SELECT id, 'user', 1, 'fiona', 'note', '', '', 'Asked the press office as well.',
                      created_at + interval '2 hours'
                 FROM factcheck_claim WHERE id % 4 = 0"""
        )
        conn.execute(
            """INSERT INTO factcheck_attributionflag (claim_id, kind, cue, start, "end", severity, message)
               SELECT id, 'vague_collective', 'Experts', 0, 7, 'medium', 'Which experts? Name them.'
                 FROM factcheck_claim WHERE is_flagged"""
        )
        conn.execute(
            """INSERT INTO factcheck_source (claim_id, url, note, offline_note, origin, provider,
                                             provider_data, status, failure, tries, final_url, actor_name,
                                             created_at, updated_at)
               SELECT id, 'https://council.example.org/minutes/' || id, 'Minutes', '', 'editor', '',
                      '{}'::jsonb, 'fetched', '', 1, 'https://council.example.org/minutes/' || id, 'fiona',
                      now(), now()
                 FROM factcheck_claim WHERE id % 10 < 3"""
        )
        for table in ["editorial_article", "factcheck_claim", "factcheck_claimevent", "factcheck_source",
                      "factcheck_attributionflag"]:  # fmt: skip
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        conn.execute("RESET session_replication_role")
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def _rss_kib(field: str) -> int:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def child(mode: str) -> None:
    """In a fresh process: one export (``csv``, ``jsonl``, or ``list``: the rows held in a list), then
    its figures as JSON on stdout.  Django is set up and one row read first, so that the baseline
    holds the code and the connection, and the peak above it is the export's own."""
    from factcheck.services import exports

    next(iter(exports.export(newsrooms=[1], chunk_size=1)), None)
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (the peak) to the RSS now (Linux)
    baseline = _rss_kib("VmRSS")
    started = time.perf_counter()
    rows = size = 0
    if mode == "list":
        rows = len(list(exports.export(newsrooms=[1])))
    else:
        for line in exports.lines(exports.export(newsrooms=[1]), mode):
            rows += 1
            size += len(line.encode())
        rows -= mode == exports.ExportFormat.CSV  # the header
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "bytes": size, "seconds": seconds, "baseline": baseline,
                      "peak": _rss_kib("VmHWM")}))  # fmt: skip


def bench(url: str, claims: int) -> None:
    print(f"\n{claims:,} reviewed claims:")
    print(
        f"  {'export':<36} {'rows':>8} {'MB out':>7} {'seconds':>8} {'peak RSS MiB':>13} {'above start':>12}"
    )
    for mode in ["csv", "jsonl", "list"]:
        env = {**os.environ, "DATABASE_URL": url}
        out = subprocess.run(
            [sys.executable, "-m", "bench.export", "--child", mode, "--database-url", url],
            env=env, check=True, capture_output=True, text=True, cwd=REPO,
        ).stdout  # fmt: skip
        r = json.loads(out.strip().splitlines()[-1])
        label = "rows held in a list (not streamed)" if mode == "list" else f"{mode}, streamed"
        size = f"{r['bytes'] / 1e6:7.1f}" if r["bytes"] else " " * 7
        print(
            f"  {label:<36} {r['rows']:>8,} {size} {r['seconds']:>8.1f} {r['peak'] / 1024:>13.1f} "
            f"{(r['peak'] - r['baseline']) / 1024:>12.1f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the last database afterwards")
    parser.add_argument("--child", choices=["csv", "jsonl", "list"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connections

    if args.child:
        child(args.child)
        return
    try:
        for claims in args.claims:
            connections.close_all()
            common.recreate_database(args.database_url)
            migrate(args.database_url)
            print(f"Filled {claims:,} claims in {fill(args.database_url, claims):.1f} s.", flush=True)
            bench(args.database_url, claims)
    finally:
        connections.close_all()
        if not args.keep:
            common.drop_database(args.database_url)


if __name__ == "__main__":
    main()
