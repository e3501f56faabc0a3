"""How fast the review queue answers on PostgreSQL with a million claims, for every filter combination.

Usage: .venv/bin/python -m bench.review_queue [--claims 1000000] [--database-url postgres://…/factdesk_bench]
                                       [--keep] [--runs 5] [--all]

1. Creates the database named in ``--database-url`` (dropping one of that name first), or with
   ``--keep`` reuses it when it already holds ``--claims`` claims, and keeps it afterwards.  Migrates
   it with ``manage.py migrate`` in a subprocess (so a reused database gets new index migrations).
2. Fills it inside PostgreSQL (INSERT … SELECT FROM generate_series, FK triggers off, secondary
   indexes dropped during the load and rebuilt after it, then VACUUM ANALYZE): 3 newsrooms (the big
   one has 80% of the articles), 8 desks, 20 people, one article per 25 claims (70% of them with a
   publication deadline 2 to 48 hours after they came in, kept on their claims), claims whose
   statuses are skewed as in a newsroom that has used Factdesk for a year (most resolved or
   superseded, about 4% open, most of those in the last three weeks), 15% flagged, about 0.2 flags
   per claim across the attribution kinds, check-worthiness spread over 0..1, created over a year,
   assignees on the claims someone took.
3. Sets Django up on that database and times ``selectors.review_queue(viewer=…, filters=…)[:50]``
   evaluated with its prefetches, for every combination of status (any, open as the admin's
   default, or each) x flag kind (any or each) x desk (any or one) x assignee (any, mine,
   unassigned), search off, as three viewers: a superuser, a fact-checker of the big newsroom and
   one of a small one.  Median and max of ``--runs`` runs after a warm-up; PASS under 50 ms.  With
   ``--clock cpu`` the figures are the CPU time of the bench and of its PostgreSQL backend instead of
   elapsed time (Linux), for a machine busy with other work.
4. Prints the slowest combinations (every one with ``--all``), a summary per filter, and
   EXPLAIN (ANALYZE, BUFFERS) of the main query for the slowest few and a few representative ones,
   with the fill time and the database size.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from bench import common
from factcheck.analysis.attribution import KINDS as FLAG_KINDS  # (no Django in there)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

TARGET_MS = 50.0
PAGE = 50
CLAIMS_PER_ARTICLE = 25
#: Share of the articles with a publication deadline (2 to 48 hours after they are submitted).
DEADLINE_SHARE = 0.7
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_bench"

# --- The newsrooms, their desks and people ---------------------------------------------------------
# (id, name, slug, share of the articles)
NEWSROOMS = [(1, "The Daily Ledger", "ledger", 0.80), (2, "Harbour Post", "harbour", 0.12),
             (3, "Valley Courier", "valley", 0.08)]  # fmt: skip
# (id, newsroom, name, share of the newsroom's articles)
DESKS = [(1, 1, "Politics", 0.35), (2, 1, "Business", 0.25), (3, 1, "Science", 0.15),
         (4, 1, "City", 0.25), (5, 2, "News", 0.70), (6, 2, "Sport", 0.30), (7, 3, "News", 0.75),
         (8, 3, "Culture", 0.25)]  # fmt: skip
SUPERUSER = 1
# (user id, newsroom, role, desks): users 2-13 at the Ledger, 13 also at the Harbour Post.
MEMBERS = [
    (2, 1, "fact_checker", [1]), (3, 1, "fact_checker", [1, 2]), (4, 1, "fact_checker", [2]),
    (5, 1, "fact_checker", [3]), (6, 1, "fact_checker", [4]), (7, 1, "fact_checker", [1, 4]),
    (8, 1, "editor", [1]), (9, 1, "editor", [2, 3]), (10, 1, "editor", [4]), (11, 1, "admin", []),
    (12, 1, "reporter", [1]), (13, 1, "reporter", [2]), (13, 2, "editor", [5, 6]),
    (14, 2, "fact_checker", [5]), (15, 2, "fact_checker", [6]), (16, 2, "reporter", [5]),
    (17, 2, "admin", []), (18, 3, "fact_checker", [7, 8]), (19, 3, "editor", [7]), (20, 3, "reporter", [8]),
]  # fmt: skip
CHECKER_ROLES = {"fact_checker", "editor"}
BIG_MEMBER = 2  # a fact-checker of the Ledger, on Politics (desk 1)
SMALL_MEMBER = 18  # a fact-checker of the Valley Courier, on News (desk 7)

# Status of a claim outside the last three weeks (share), and the open ones' split.
OLD_STATUSES = [("superseded", 0.30), ("verified", 0.30), ("not_checkable", 0.215), ("unverifiable", 0.09),
                ("misleading", 0.05), ("false", 0.035)]  # fmt: skip
OPEN_SPLIT = [("unreviewed", 0.60), ("in_review", 0.20), ("needs_attribution", 0.20)]
# Share of the claims of each status that have an assignee (a taker keeps the claim after the verdict).
ASSIGNED = {"unreviewed": 0.0, "in_review": 1.0, "needs_attribution": 0.5, "verified": 0.95,
            "misleading": 0.95, "false": 0.95, "unverifiable": 0.95, "not_checkable": 0.3,
            "superseded": 0.4}  # fmt: skip
KIND_WEIGHTS = {"hedge": 0.25, "vague_collective": 0.20, "anonymous_experts": 0.15, "agentless_passive": 0.15,
                "unnamed_report": 0.10, "vague_quantity": 0.10, "anonymous_official": 0.05}  # fmt: skip
CLAIM_KINDS = common.CLAIM_KINDS
SENTENCES = common.NEWS_SENTENCES


def _case(expr: str, choices: list[tuple[str, float]]) -> str:
    """SQL CASE picking among ``choices`` by cumulative share, given ``expr`` uniform in [0, 1)."""
    total = sum(share for _, share in choices)
    parts, cumulative = [], 0.0
    for value, share in choices[:-1]:
        cumulative += share / total
        parts.append(f"WHEN {expr} < {cumulative:.6f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{choices[-1][0]}' END"


def _array(values: list) -> str:
    return "ARRAY[" + ",".join(repr(v) if isinstance(v, str) else str(v) for v in values) + "]"


# --- The database ----------------------------------------------------------------------------------


def prepare_database(url: str, *, keep: bool, claims: int) -> bool:
    """Create the bench database (or keep a filled one); True when it still has to be filled."""
    count = common.claims_in(url) if keep else None
    if count is not None:
        name = common.admin_url(url)[1]
        if count == claims:
            print(f"Reusing {name}: {count:,} claims (--keep).")
            return False
        print(f"{name} has {count:,} claims, not {claims:,}: filling it again.")
    common.recreate_database(url)
    return True


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, check=True
    )
    print(f"Migrated in {time.perf_counter() - started:.1f} s.")


def _without_secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the indexes of ``tables`` that no constraint owns; return the statements that rebuild them."""
    rows = conn.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    ).fetchall()
    for name, _ in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _, definition in rows]


def fill(url: str, *, claims: int) -> float:
    """Fill the migrated database inside PostgreSQL; return the seconds it took."""
    articles = max(1, claims // CLAIMS_PER_ARTICLE)
    flagged_share = 0.15
    kinds = list(FLAG_KINDS)
    kind_choices = [(kind, KIND_WEIGHTS.get(kind, 0.1)) for kind in kinds]
    severity = "CASE kind " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in FLAG_KINDS.items()) + " END"
    checkers = {
        newsroom: [user for user, room, role, _ in MEMBERS if room == newsroom and role in CHECKER_ROLES]
        for newsroom, *_ in NEWSROOMS
    }
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        step = time.perf_counter()

        def done(what: str) -> None:
            nonlocal step
            now = time.perf_counter()
            print(f"  {what:<44} {now - step:6.1f} s", flush=True)
            step = now

        conn.execute("SET session_replication_role = replica")  # no FK triggers: the data is consistent
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SELECT setseed(0.42)")
        rebuild = _without_secondary_indexes(
            conn, ["editorial_article", "factcheck_claim", "factcheck_attributionflag"]
        )

        conn.execute(
            """INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                                      is_staff, is_active, date_joined)
               SELECT u, '!', u = %s, 'bench' || u, 'Bench', 'User ' || u, 'bench' || u || '@example.org',
                      u = %s, true, now() - interval '400 days'
                 FROM generate_series(1, 20) u""",
            [SUPERUSER, SUPERUSER],
        )
        for newsroom, name, slug, _ in NEWSROOMS:
            conn.execute(
                "INSERT INTO editorial_newsroom (id, name, slug, created_at) "
                "VALUES (%s, %s, %s, now() - interval '400 days')",
                [newsroom, name, slug],
            )
        for desk, newsroom, name, _ in DESKS:
            conn.execute(
                "INSERT INTO editorial_desk (id, newsroom_id, name, slug, created_at) "
                "VALUES (%s, %s, %s, %s, now() - interval '400 days')",
                [desk, newsroom, name, name.lower()],
            )
        for membership, (user, newsroom, role, desks) in enumerate(MEMBERS, start=1):
            conn.execute(
                "INSERT INTO editorial_membership (id, newsroom_id, user_id, role, created_at) "
                "VALUES (%s, %s, %s, %s, now() - interval '400 days')",
                [membership, newsroom, user, role],
            )
            for desk in desks:
                conn.execute(
                    "INSERT INTO editorial_membership_desks (membership_id, desk_id) VALUES (%s, %s)",
                    [membership, desk],
                )

        # Articles: the newsroom by share, a desk of that newsroom by share (5% none), created over a year.
        newsroom_case = _case("r.r1", [(str(n), share) for n, _, _, share in NEWSROOMS]).replace("'", "")
        desk_cases = " ".join(
            f"WHEN {n} THEN "
            + _case("a.r2", [(str(d), share) for d, room, _, share in DESKS if room == n]).replace("'", "")
            for n, *_ in NEWSROOMS
        )
        body = " ".join(s.replace("{n}", "12").replace("{n2}", "34") for s in SENTENCES)
        conn.execute(  # SQL built from this file's constants, never from input
            f"""INSERT INTO editorial_article
                  (id, newsroom_id, desk_id, external_id, title, url, byline, body, body_format, body_hash,
                   canonical_text, revision, analysis_status, analysis_error, analyzed_revision,
                   deadline, created_at, updated_at)
                SELECT a.id, a.newsroom_id,
                       CASE WHEN a.r3 < 0.05 THEN NULL ELSE
                         CASE a.newsroom_id {desk_cases} END END,
                       'cms-' || a.id, 'Article ' || a.id || ': ' || left(%(body)s, 60),
                       'https://news.example.org/' || a.id, 'By Bench Reporter',
                       repeat(%(body)s || ' ', 2) || a.id, 'text', md5(a.id::text),
                       repeat(%(body)s || ' ', 2) || a.id, 1, 'analyzed', '', 1,
                       CASE WHEN a.r4 < {DEADLINE_SHARE}
                            THEN a.created_at + interval '1 hour' * (2 + 46 * a.r5) END,
                       a.created_at, a.created_at + interval '1 hour'
                  FROM (SELECT r.g AS id, {newsroom_case} AS newsroom_id, r.r2, r.r3, r.r4, r.r5,
                               now() - interval '365 days' * (1 - r.g::float / %(n)s) AS created_at
                          FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                                       random() AS r5
                                  FROM generate_series(1, %(n)s) g OFFSET 0) r) a""",  # noqa: S608
            {"n": articles, "body": body},
        )
        done(f"{articles:,} articles")

        # Claims: 25 per article.  Open claims are mostly recent (the last 5% of the year: 40% open).
        open_case = _case("c.r2", OPEN_SPLIT)
        old_case = _case("c.r2", OLD_STATUSES)
        assignee_cases = " ".join(
            f"WHEN {room} THEN ({_array(users)})[1 + floor(s.r7 * {len(users)})::int]"
            for room, users in checkers.items()
        )
        assigned_case = (
            "CASE s.status " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in ASSIGNED.items()) + " END"
        )
        flagged = f"s.status = 'needs_attribution' OR s.r5 < {flagged_share}"
        # flag_kinds: NULL without flags; "," on the flagged claims (flagged exactly when they have
        # kinds: claim_flag_kinds_iff_flagged) until the UPDATE after the flags names their kinds.
        conn.execute(  # SQL built from this file's constants, never from input
            f"""INSERT INTO factcheck_claim
                  (id, article_id, newsroom_id, revision, ordinal, text, start, "end", paragraph, kind,
                   checkworthiness, checkworthiness_reasons, status, assignee_id, is_flagged,
                   desk_id, deadline, verdict_text, flag_kinds, created_at, updated_at)
                SELECT s.id, s.article_id, s.newsroom_id, 1, s.ordinal, s.text,
                       s.ordinal * 120, s.ordinal * 120 + length(s.text), s.ordinal / 3, s.kind,
                       s.checkworthiness,
                       CASE WHEN s.checkworthiness >= 0.5 THEN '["contains figures"]'::jsonb
                            ELSE '[]'::jsonb END,
                       s.status,
                       CASE WHEN s.r4 < {assigned_case} THEN
                         CASE s.newsroom_id {assignee_cases} END END,
                       {flagged}, s.desk_id, s.deadline, '', CASE WHEN {flagged} THEN ',' END,
                       s.created_at, s.created_at + interval '10 days' * s.r6
                  FROM (SELECT c.g + 1 AS id, a.id AS article_id, a.newsroom_id, a.desk_id, a.deadline,
                               c.g %% {CLAIMS_PER_ARTICLE} AS ordinal,
                               replace(replace((%(templates)s::text[])
                                                 [1 + (c.g * 7 + c.g / {CLAIMS_PER_ARTICLE})
                                                      %% {len(SENTENCES)}],
                                               '{{n}}', (c.g %% 997)::text),
                                       '{{n2}}', (10 + c.g %% 89)::text) AS text,
                               {_case("c.r3", CLAIM_KINDS)} AS kind,
                               round(((c.r4 + c.r5) / 2)::numeric, 4)::float AS checkworthiness,
                               CASE WHEN c.r1 < CASE WHEN a.id > {articles} * 0.95 THEN 0.40 ELSE 0.02 END
                                    THEN {open_case} ELSE {old_case} END AS status,
                               c.r6 AS r4, c.r7 AS r5, c.r8 AS r6, c.r9 AS r7,
                               a.created_at + interval '1 second' * (c.g %% {CLAIMS_PER_ARTICLE})
                                 AS created_at
                          FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                                       random() AS r5, random() AS r6, random() AS r7, random() AS r8,
                                       random() AS r9
                                  FROM generate_series(0, %(n)s - 1) g OFFSET 0) c
                          JOIN editorial_article a ON a.id = 1 + c.g / {CLAIMS_PER_ARTICLE}
                        OFFSET 0) s""",  # noqa: S608
            {"n": claims, "templates": SENTENCES},
        )
        done(f"{claims:,} claims")

        # Flags: one per flagged claim, a second on a third of them, kinds by weight.
        conn.execute(  # SQL built from this file's constants, never from input
            f"""INSERT INTO factcheck_attributionflag (claim_id, kind, cue, start, "end", severity, message)
                SELECT f.claim_id, f.kind, 'analysts say', f.start, f.start + 12, {severity},
                       'Who are they? Name the source or say why it cannot be named.'
                  FROM (SELECT c.id AS claim_id, c.start + n AS start,
                               {_case("r.r", kind_choices)} AS kind
                          FROM factcheck_claim c
                         CROSS JOIN LATERAL generate_series(0, (c.id % 3 = 0)::int) n
                         CROSS JOIN LATERAL (SELECT random() + 0 * n AS r) r
                         WHERE c.is_flagged) f"""  # noqa: S608
        )
        conn.execute(  # the kinds of each claim's flags, kept on the claim as the analysis writes them
            """UPDATE factcheck_claim c SET flag_kinds = k.kinds
                 FROM (SELECT claim_id, ',' || string_agg(DISTINCT kind, ',' ORDER BY kind) || ',' AS kinds
                         FROM factcheck_attributionflag GROUP BY claim_id) k
                WHERE c.id = k.claim_id"""
        )
        done("flags")

        for statement in rebuild:
            conn.execute(statement)
        done(f"{len(rebuild)} secondary indexes rebuilt")
        for table in ["auth_user", "editorial_newsroom", "editorial_desk", "editorial_membership",
                      "editorial_membership_desks", "editorial_article", "factcheck_claim",
                      "factcheck_attributionflag"]:  # fmt: skip
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({t}, 'id'), (SELECT max(id) FROM {i}))").format(
                    t=sql.Literal(table), i=sql.Identifier(table)
                )
            )
        conn.execute("RESET session_replication_role")
        conn.execute("VACUUM (ANALYZE)")
        done("VACUUM ANALYZE")
    return time.perf_counter() - started


def describe(url: str) -> None:
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        print(f"Database size: {size}")
        for table in ["factcheck_claim", "factcheck_attributionflag", "editorial_article"]:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM " + table + "), "  # noqa: S608  (a constant name)
                "pg_size_pretty(pg_table_size(%s)), pg_size_pretty(pg_indexes_size(%s))",
                [table, table],
            ).fetchone()
            print(f"  {table:<28} {row[0]:>10,} rows  table {row[1]:>8}  indexes {row[2]:>8}")
        rows = conn.execute(
            "SELECT status, count(*), count(*) FILTER (WHERE is_flagged), count(assignee_id) "
            "FROM factcheck_claim GROUP BY status ORDER BY 2 DESC"
        ).fetchall()
        total = sum(r[1] for r in rows)
        print("  claims by status: " + ", ".join(f"{s} {n / total:.1%}" for s, n, _, _ in rows))
        rows = conn.execute(
            "SELECT kind, count(*) FROM factcheck_attributionflag GROUP BY kind ORDER BY 2 DESC"
        ).fetchall()
        print("  flags by kind: " + ", ".join(f"{k} {n:,}" for k, n in rows))


# --- Timing the queue ------------------------------------------------------------------------------


@dataclass
class Result:
    viewer: str
    label: str
    filters: object
    rows: int
    p50: float
    max: float
    runs: int
    cpu_p50: float = 0.0

    @property
    def ok(self) -> bool:
        return self.p50 < TARGET_MS


#: What ``p50`` and ``max`` measure: "wall" (elapsed time) or "cpu" (the CPU time of this process and
#: of its PostgreSQL backend: what the query costs, whatever else the machine is running).
CLOCK = "wall"


def _backend_cpu_ns(pid: int) -> int:
    """The CPU time of process ``pid`` so far, in ns (Linux /proc/<pid>/schedstat, ns resolution)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


OPEN = "open"  # the admin queue's default: status in OPEN_STATES, applied on top of review_queue


def combinations(viewer_desk: int) -> list[tuple[str, dict]]:
    from factcheck.workflow import ClaimStatus

    out = []
    for status, kind, desk, assignee in itertools.product(
        [None, OPEN, *ClaimStatus.values],
        [None, *FLAG_KINDS],
        [None, viewer_desk],
        [None, "mine", "unassigned"],
    ):
        label = " ".join(
            f"{name}={value}"
            for name, value in [("status", status), ("kind", kind), ("desk", desk), ("assignee", assignee)]
            if value is not None
        )
        out.append(
            (
                label or "(no filter)",
                {"status": status, "flag_kind": kind, "desk_id": desk, "assignee": assignee},
            )
        )
    return out


def first_page(viewer, filters):
    """The first page of the queue, unevaluated; status "open" as the admin's default filter does it."""
    from dataclasses import replace

    from factcheck.selectors import review_queue
    from factcheck.workflow import OPEN_STATES

    if filters.status == OPEN:
        return review_queue(viewer=viewer, filters=replace(filters, status=None)).filter(
            status__in=OPEN_STATES
        )[:PAGE]
    return review_queue(viewer=viewer, filters=filters)[:PAGE]


def time_queue(viewer, filters, *, runs: int) -> tuple[int, list[float], list[float]]:
    """The rows of the first page, and the wall and the CPU milliseconds of each run."""
    from django.db import connection

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid

    def once() -> tuple[int, float, float]:
        cpu = time.process_time_ns() + _backend_cpu_ns(backend)
        started = time.perf_counter()
        rows = list(first_page(viewer, filters))
        wall = (time.perf_counter() - started) * 1000
        return len(rows), wall, (time.process_time_ns() + _backend_cpu_ns(backend) - cpu) / 1e6

    rows, warm, warm_cpu = once()
    if (warm_cpu if CLOCK == "cpu" else warm) > 5 * TARGET_MS:
        runs = 1  # a failure many times over: one timed run says as much, and keeps the bench short
    timed = [once() for _ in range(runs)]
    return rows, [wall for _, wall, _ in timed], [cpu for _, _, cpu in timed]


def explain(viewer, filters) -> str:
    from django.db import connection

    query, params = first_page(viewer, filters).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def bench(*, runs: int, show_all: bool) -> list[Result]:
    from django.contrib.auth import get_user_model

    from factcheck.selectors import QueueFilters

    users = get_user_model().objects.in_bulk([SUPERUSER, BIG_MEMBER, SMALL_MEMBER])
    viewers = [
        ("superuser", users[SUPERUSER], 1),
        ("ledger fact-checker", users[BIG_MEMBER], 1),
        ("valley fact-checker", users[SMALL_MEMBER], 7),
    ]
    results: list[Result] = []
    started = time.perf_counter()
    for name, viewer, desk in viewers:
        print(f"Timing the queue as the {name}…", file=sys.stderr, flush=True)
        for label, kwargs in combinations(desk):
            filters = QueueFilters(**kwargs)
            rows, walls, cpus = time_queue(viewer, filters, runs=runs)
            times = cpus if CLOCK == "cpu" else walls
            results.append(
                Result(
                    name,
                    label,
                    filters,
                    rows,
                    statistics.median(times),
                    max(times),
                    len(times),
                    cpu_p50=statistics.median(cpus),
                )
            )
            if show_all:
                print(line(results[-1]), flush=True)
    print(f"\nTimed {len(results)} combinations in {time.perf_counter() - started:.0f} s.")
    return results


def line(r: Result) -> str:
    verdict = "PASS" if r.ok else "FAIL"
    return f"  {r.viewer:<20} {r.label:<62} {r.rows:>4} {r.p50:>9.1f} {r.max:>9.1f}  {verdict}"


HEADER = f"  {'viewer':<20} {'filters':<62} {'rows':>4} {'p50 ms':>9} {'max ms':>9}"


def report(results: list[Result], *, explain_slowest: int) -> None:
    from django.contrib.auth import get_user_model

    from factcheck.selectors import QueueFilters

    failing = [r for r in results if not r.ok]
    slowest = sorted(results, key=lambda r: r.p50, reverse=True)
    print(f"\n{len(results) - len(failing)} of {len(results)} combinations under {TARGET_MS:.0f} ms (p50).")
    p50s = sorted(r.p50 for r in results)
    print(
        f"p50 over all combinations: median {statistics.median(p50s):.1f} ms, "
        f"95th percentile {p50s[int(len(p50s) * 0.95)]:.1f} ms, worst {p50s[-1]:.1f} ms."
    )
    print(f"\nSlowest {min(25, len(results))}:")
    print(HEADER)
    for r in slowest[:25]:
        print(line(r))

    print("\nBy filter (worst p50 of the combinations with that filter):")
    by: dict[str, list[float]] = {}
    for r in results:
        f = r.filters
        keys = [f"viewer={r.viewer}", f"status={f.status or 'any'}", f"kind={f.flag_kind or 'any'}",
                f"desk={'one' if f.desk_id else 'any'}", f"assignee={f.assignee or 'any'}"]  # fmt: skip
        for key in keys:
            by.setdefault(key, []).append(r.p50)
    for key, values in by.items():
        print(f"  {key:<40} median {statistics.median(values):7.1f}  worst {max(values):8.1f} ms")

    users = get_user_model().objects.in_bulk([SUPERUSER, BIG_MEMBER, SMALL_MEMBER])
    viewer_of = {"superuser": users[SUPERUSER], "ledger fact-checker": users[BIG_MEMBER],
                 "valley fact-checker": users[SMALL_MEMBER]}  # fmt: skip
    representative = [
        ("ledger fact-checker", QueueFilters()),
        ("ledger fact-checker", QueueFilters(status=OPEN)),
        ("valley fact-checker", QueueFilters(status="unreviewed")),
        ("ledger fact-checker", QueueFilters(status="in_review", assignee="mine")),
        ("superuser", QueueFilters(status="unreviewed", flag_kind="hedge", desk_id=1)),
    ]
    chosen = [(r.viewer, r.filters, f"slowest #{i + 1}") for i, r in enumerate(slowest[:explain_slowest])]
    chosen += [(v, f, "representative") for v, f in representative]
    for viewer, filters, why in chosen:
        print(f"\n--- EXPLAIN (ANALYZE, BUFFERS), {why}: {viewer}, {filters}")
        print(explain(viewer_of[viewer], filters))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="reuse a filled database, and keep it afterwards")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per combination, after one warm-up")
    parser.add_argument("--all", action="store_true", help="print every combination, not only the slowest")
    parser.add_argument("--explain", type=int, default=4, help="how many of the slowest to EXPLAIN")
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="what the figures measure: elapsed time, or the CPU time of the bench and its PostgreSQL "
        "backend (steady on a machine busy with other work, where elapsed time measures the others too)",
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = args.clock
    print(f"Figures are {'CPU' if CLOCK == 'cpu' else 'elapsed'} milliseconds (--clock {CLOCK}).")

    if prepare_database(args.database_url, keep=args.keep, claims=args.claims):
        migrate(args.database_url)
        print(f"Filling {args.claims:,} claims:")
        seconds = fill(args.database_url, claims=args.claims)
        print(f"Filled in {seconds:.1f} s.")
    else:
        migrate(args.database_url)  # applies any new index migration to the kept database
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    describe(args.database_url)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    try:
        results = bench(runs=args.runs, show_all=args.all)
        report(results, explain_slowest=args.explain)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            common.drop_database(args.database_url)
            print("\nDropped the bench database (pass --keep to reuse it).")


if __name__ == "__main__":
    main()
