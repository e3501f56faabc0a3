"""How fast the standards dashboard's queries answer on PostgreSQL with a million claims.

Usage: .venv/bin/python -m bench.dashboard [--claims 1000000] [--database-url postgres://…/factdesk_bench_dashboard]
                                     [--keep] [--runs 5] [--days 30]

1. Fills a database as ``bench/review_queue.py`` does (3 newsrooms, 8 desks, 20 people, 25 claims an
   article, a year of them, most resolved), then adds what the dashboard reads: each article's word
   count (600 to 1,500), one or two reporters on each article, and the claims' audit trail as the
   workflow writes it: "created" for every claim, "take" and the verdict for each claim with one
   (0 to 10 days after it arrived, most within a day), "supersede", and for a tenth of the checked
   claims and every claim waiting for attribution a request for attribution, answered 0 to 3 days
   later unless it still waits.  About 2.5 events a claim.
2. Sets ``random_page_cost = 1.1`` on the database (SSD storage, as the README's Production
   section asks), then times each query of ``factcheck.standards`` (one per figure) for the last
   ``--days`` days, by desk and by reporter, for every newsroom at once (a superuser), the big
   newsroom (80% of the claims) and a small one: median and max of ``--runs`` runs after a warm-up;
   PASS under 200 ms.  Then the whole dashboard (every query), and EXPLAIN (ANALYZE, BUFFERS) of
   the slowest query.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from bench import common, review_queue

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

TARGET_MS = 200.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_bench_dashboard"
#: Reporters of each newsroom (users of bench/review_queue.py's MEMBERS with the reporter role).
REPORTERS = {
    newsroom: [
        user for user, room, role, _ in review_queue.MEMBERS if room == newsroom and role == "reporter"
    ]
    for newsroom, *_ in review_queue.NEWSROOMS
}
VERDICT_ACTIONS = {"verified": "verify", "misleading": "mark_misleading", "false": "mark_false",
                   "unverifiable": "mark_unverifiable", "not_checkable": "dismiss"}  # fmt: skip


def fill_dashboard(url: str) -> float:
    """Word counts, reporters and the audit trail on top of the review queue's fill."""
    started = time.perf_counter()
    step = started

    def done(what: str) -> None:
        nonlocal step
        now = time.perf_counter()
        print(f"  {what:<44} {now - step:6.1f} s", flush=True)
        step = now

    verdict_case = (
        "CASE c.status " + " ".join(f"WHEN '{s}' THEN '{a}'" for s, a in VERDICT_ACTIONS.items()) + " END"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no triggers: append-only is for the app
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SELECT setseed(0.17)")
        conn.execute("UPDATE editorial_article SET word_count = 600 + (id * 7919) % 901")
        for newsroom, users in REPORTERS.items():
            # SQL built from this file's constants, never from input
            conn.execute(
                f"""INSERT INTO editorial_article_reporters (article_id, user_id)
                    SELECT a.id, ({review_queue._array(users)})[1 + a.id %% {len(users)}]
                      FROM editorial_article a WHERE a.newsroom_id = %s
                    UNION
                    SELECT a.id, ({review_queue._array(users)})[1 + (a.id + 1) %% {len(users)}]
                      FROM editorial_article a WHERE a.newsroom_id = %s AND a.id %% 5 = 0""",  # noqa: S608
                [newsroom, newsroom],
            )
        done("word counts and reporters")
        rebuild = review_queue._without_secondary_indexes(conn, ["factcheck_claimevent"])
        # Every statement below is this file's constants, never input (hence the S608 exemptions).
        event = """INSERT INTO factcheck_claimevent
                     (claim_id, actor_kind, actor_user_id, actor_name, action, from_status, to_status, note,
                      created_at)"""
        conn.execute(
            event  # noqa: S608
            + """ SELECT id, 'system', NULL, 'Factdesk', 'created', '', 'unreviewed',
                               'Found in revision 1.', created_at FROM factcheck_claim"""
        )
        done("'created' events")
        # Checked claims: taken within hours, a verdict 0 to 10 days after arrival (most within a day).
        conn.execute(
            """CREATE TEMP TABLE checked AS
               SELECT c.id, c.status, c.assignee_id, c.created_at,
                      c.created_at + interval '10 days' * power(random(), 3) + interval '5 minutes'
                        AS verdict_at,
                      random() AS r
                 FROM factcheck_claim c
                WHERE c.status IN ('verified', 'misleading', 'false', 'unverifiable', 'not_checkable')"""
        )
        conn.execute(
            event  # noqa: S608
            + """ SELECT id, 'user', assignee_id, 'bench', 'take', 'unreviewed', 'in_review', '',
                         created_at + (verdict_at - created_at) * 0.2
                    FROM checked WHERE status <> 'not_checkable'"""
        )
        conn.execute(
            event  # noqa: S608
            + f""" SELECT c.id, 'user', c.assignee_id, 'bench', {verdict_case},
                          CASE c.status WHEN 'not_checkable' THEN 'unreviewed' ELSE 'in_review' END,
                          c.status, 'Checked.', c.verdict_at
                     FROM checked c"""  # noqa: S608
        )
        done("'take' and verdict events")
        conn.execute(
            event  # noqa: S608
            + """ SELECT id, 'user', assignee_id, 'bench', 'request_attribution', 'in_review',
                         'needs_attribution', 'Who said so?', created_at + (verdict_at - created_at) * 0.3
                    FROM checked WHERE status <> 'not_checkable' AND r < 0.1
                  UNION ALL
                  SELECT id, 'user', assignee_id, 'bench', 'answer_attribution', 'needs_attribution',
                         'in_review', 'The council minutes.', created_at + (verdict_at - created_at) * 0.6
                    FROM checked WHERE status <> 'not_checkable' AND r < 0.1
                  UNION ALL
                  SELECT id, 'user', assignee_id, 'bench', 'request_attribution', 'in_review',
                         'needs_attribution', 'Who said so?',
                         created_at + interval '3 days' * random() * random()
                    FROM factcheck_claim WHERE status = 'needs_attribution'"""
        )
        conn.execute(
            event  # noqa: S608
            + """ SELECT id, 'system', NULL, 'Factdesk', 'supersede', 'unreviewed', 'superseded', '',
                         created_at + interval '2 days' * random()
                    FROM factcheck_claim WHERE status = 'superseded'"""
        )
        done("attribution and supersede events")
        for statement in rebuild:
            conn.execute(statement)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('factcheck_claimevent', 'id'), "
            "(SELECT max(id) FROM factcheck_claimevent))"
        )
        conn.execute("RESET session_replication_role")
        conn.execute("VACUUM (ANALYZE) factcheck_claimevent")
        conn.execute("VACUUM (ANALYZE) editorial_article")
        conn.execute("VACUUM (ANALYZE) editorial_article_reporters")
        done("indexes rebuilt, VACUUM ANALYZE")
        rows = conn.execute(
            "SELECT action, count(*) FROM factcheck_claimevent GROUP BY action ORDER BY 2 DESC"
        ).fetchall()
        print("  events: " + ", ".join(f"{action} {n:,}" for action, n in rows))
    return time.perf_counter() - started


def timed(run: Callable[[], object], runs: int) -> list[float]:
    def once() -> float:
        started = time.perf_counter()
        run()
        return (time.perf_counter() - started) * 1000

    once()  # warm-up
    return [once() for _ in range(runs)]


def bench(*, runs: int, days: int) -> list[tuple[str, str, str, float, float]]:
    from django.utils import timezone

    from factcheck import standards

    period = standards.Period.last_days(days)
    now = timezone.now()
    scopes = [
        ("every newsroom", [n for n, *_ in review_queue.NEWSROOMS]),
        ("The Daily Ledger", [1]),
        ("Valley Courier", [3]),
    ]
    queries: list[tuple[str, Callable[..., object]]] = [
        ("words", lambda **kw: standards.words_by_group(period=period, **kw)),
        ("flags by kind", lambda **kw: standards.flags_by_group(period=period, **kw)),
        ("verdicts by verdict", lambda **kw: standards.verdicts_by_group(period=period, **kw)),
        ("time to verdict", lambda **kw: standards.time_to_verdict(period=period, **kw)),
        ("queue age", lambda **kw: standards.queue_age(now=now, **kw)),
        ("oldest open", lambda **kw: standards.oldest_open(**kw)),
        ("sent back / came back", lambda **kw: standards.sent_back(period=period, **kw)),
    ]
    results = []
    print(f"\nPeriod: {period.first} to {period.last} ({days} days); {runs} runs after a warm-up.")
    print(f"  {'newsrooms':<18} {'by':<9} {'query':<24} {'p50 ms':>8} {'max ms':>8}")
    for scope, ids in scopes:
        for group_by in (standards.GroupBy.DESK, standards.GroupBy.REPORTER):
            for name, query in queries:
                times = timed(lambda q=query, i=ids, g=group_by: q(newsroom_ids=i, group_by=g), runs)
                result = (scope, group_by, name, statistics.median(times), max(times))
                results.append(result)
                verdict = "PASS" if result[3] < TARGET_MS else "FAIL"
                print(f"  {scope:<18} {group_by:<9} {name:<24} {result[3]:8.1f} {result[4]:8.1f}  {verdict}")
            whole = timed(
                lambda ids=ids, g=group_by: standards.standards_dashboard(
                    newsroom_ids=ids, period=period, group_by=g
                ),
                runs,
            )
            label = "(the whole dashboard)"
            print(
                f"  {scope:<18} {group_by:<9} {label:<24} {statistics.median(whole):8.1f} {max(whole):8.1f}"
            )
    return results


def explain_slowest(results: list[tuple[str, str, str, float, float]], *, days: int) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest query's SQL (the last one it ran)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from factcheck import standards

    scope, group_by, *_ = max(results, key=lambda r: r[3])
    ids = {"every newsroom": [1, 2, 3], "The Daily Ledger": [1], "Valley Courier": [3]}[scope]
    period = standards.Period.last_days(days)
    with CaptureQueriesContext(connection) as captured:
        standards.standards_dashboard(newsroom_ids=ids, period=period, group_by=group_by)
    slowest_sql = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) of the dashboard's slowest query ({scope}, by {group_by}):")
    print(slowest_sql[:600] + ("…" if len(slowest_sql) > 600 else ""))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest_sql)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="reuse a filled database, and keep it afterwards")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query, after one warm-up")
    parser.add_argument("--days", type=int, default=30, help="the dashboard's period: the last N days")
    args = parser.parse_args()

    if review_queue.prepare_database(args.database_url, keep=args.keep, claims=args.claims):
        review_queue.migrate(args.database_url)
        print(f"Filling {args.claims:,} claims:")
        seconds = review_queue.fill(args.database_url, claims=args.claims)
        seconds += fill_dashboard(args.database_url)
        print(f"Filled in {seconds:.1f} s.")
    else:
        review_queue.migrate(args.database_url)
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        # The planner's cost of a random read, for SSD storage (PostgreSQL's default, 4, is for
        # spinning disks): what the README's Production section asks of a production database.
        name = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(sql.SQL("ALTER DATABASE {} SET random_page_cost = 1.1").format(sql.Identifier(name)))
    print("random_page_cost = 1.1 (SSD storage), as in the README's Production section.")
    review_queue.describe(args.database_url)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    try:
        results = bench(runs=args.runs, days=args.days)
        failing = [r for r in results if r[3] >= TARGET_MS]
        worst = max(results, key=lambda r: r[3])
        print(
            f"\n{len(results) - len(failing)} of {len(results)} queries under {TARGET_MS:.0f} ms (p50); "
            f"slowest: {worst[2]} ({worst[0]}, by {worst[1]}) {worst[3]:.1f} ms."
        )
        explain_slowest(results, days=args.days)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            common.drop_database(args.database_url)
            print("\nDropped the bench database (pass --keep to reuse it).")


if __name__ == "__main__":
    main()
