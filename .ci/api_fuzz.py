"""Fuzz the REST API with schemathesis against its live OpenAPI schema: no 5xx, and every response as the
schema documents it.

Usage: .venv/bin/python .ci/api_fuzz.py [--database-url postgres://postgres@127.0.0.1:5432/factdesk_fuzz]
                                         [--max-examples 40] [--seed 1129 | --seed random] [--keep]
                                         [-- more options for schemathesis run]

1. Creates the database named in ``--database-url`` (dropping one of that name first) and migrates it.
2. Seeds it through the services, as the newsroom would have made it: a newsroom with desks and people,
   articles analysed (flags included), claims in every state of the workflow, sources (one fetched and
   archived from a page served on loopback, one that failed), a second newsroom whose objects must
   answer 404, and an API key with the newsroom admin role (so that the key endpoints are covered; its
   id is far from the small ids the fuzzer tries, so that it does not revoke the key it runs with).
3. Serves the project with gunicorn on a free loopback port: DEBUG and HTTPS off, throttling at a rate
   the run never reaches (429 would answer everything), the embedded file-system broker with no worker
   (a submitted article is queued, as in production, and its analysis is not part of the API's answer).
4. Runs ``schemathesis run`` on ``/api/v1/schema`` over every operation the schema has, with the checks
   ``not_a_server_error`` and ``response_schema_conformance``, ``--max-examples`` per operation, a
   fixed seed by default (the same run every time: CI fails on the code, not on the draw).
5. Checks that the key still works (a run whose key was revoked half-way would have tested little),
   prints the server's error log when anything failed, stops the server and drops the database
   (``--keep`` keeps it).  Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import drop_database, free_port, recreate_database, stop_session  # noqa: E402
from tests.localweb import Answer, LocalWeb  # noqa: E402

VENV = REPO / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_fuzz"
DEFAULT_SEED = 1129
FUZZ_KEY_ID = 870_000_000  # far from the ids the fuzzer tries (0, 1, small and random numbers)
CHECKS = "not_a_server_error,response_schema_conformance"
# Schemathesis reuses the ids that responses give (every phase; the stateful one chains calls through
# them): GET /keys/ lists the key the run uses, and revoking it would leave every later request a 401.
# So revoking gets no ids from responses: it is fuzzed with generated ids, which hit the spare keys.
CONFIG = """
[[operations]]
include-operation-id = "api_key_revoke"
phases.stateful.enabled = false
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false
"""

PAGE = (
    b"<html><head><title>Council minutes</title></head><body><article><h1>Council minutes</h1>"
    b"<p>The council approved a budget of $4.2 million on Tuesday, after a debate of three hours.</p>"
    b"<p>The vote was 7 to 2. The budget is the largest in a decade.</p></article></body></html>"
)
ARTICLES = [
    (
        "politics",
        "Council budget",
        "The council approved a budget of $4.2 million on Tuesday, the largest in a decade.\n\n"
        "Analysts say the new levy will raise 12 per cent more than last year.\n\n"
        "It is widely believed that the mayor knew about the contract before it was signed.\n\n"
        "Unemployment in the city fell to 4.1 percent in March, according to the statistics office.\n\n"
        '"We will not raise taxes next year," the mayor said at a rally on Tuesday.\n\n'
        "Reports suggest that as many as 300 jobs could be lost when the plant closes next year.",
    ),
    (
        "business",
        "Harbour expansion",
        "The harbour authority said the expansion would create 1,200 permanent jobs.\n\n"
        "Some residents say the new bus lanes have added 20 minutes to their commute.\n\n"
        "Experts warn that the bridge, built in 1961, is no longer safe for heavy lorries.\n\n"
        "The river rose 2 metres in 24 hours, its highest level since 1990.",
    ),
    (
        None,
        "",
        "<h1>Hospital opens</h1><p>The new hospital will open in 2027 and employ 1,200 people.</p>"
        '<p>Officials <a href="https://example.org/plan">said</a> it would cost $300 million.</p>'
        "<figcaption>Photo: Jane Doe/Reuters</figcaption>",
    ),
]


def seed(web: str) -> str:
    """Fill the database through the services; return the raw admin key the fuzzer uses."""
    from django.db import connection

    from editorial import services as editorial
    from editorial.models import Desk, Role
    from factcheck.actors import Actor
    from factcheck.models import Claim
    from factcheck.services.analyses import article_analyze
    from factcheck.services.articles import article_submit
    from factcheck.services.review import claim_assign, claim_transition
    from factcheck.services.sources import source_add
    from factcheck.tasks import fetch_source

    def newsroom_with_people(name: str, slug: str, desks: list[str]):
        newsroom = editorial.newsroom_ensure(name=name, slug=slug, desk_names=desks).newsroom
        people = {}
        for role in (Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER, Role.REPORTER):
            people[role] = editorial.member_upsert(
                newsroom=newsroom,
                username=f"{slug}-{role}",
                role=role,
                email=f"{slug}-{role}@fuzz.invalid",
                desks=list(Desk.objects.filter(newsroom=newsroom)[:1]),
            ).membership.user
        return newsroom, people

    def submit(newsroom, editor, n, desk_slug, title, body, url=True):
        desk = Desk.objects.filter(newsroom=newsroom, slug=desk_slug).first() if desk_slug else None
        article = article_submit(
            actor=Actor.for_user(editor),
            newsroom=newsroom,
            external_id=f"cms-{n}",
            body=body,
            body_format="html" if body.startswith("<") else "text",
            title=title,
            url=f"https://{newsroom.slug}.example/articles/{n}" if url else "",
            byline="By Ana Ruiz and Tom Lee" if n % 2 == 0 else "",
            desk=desk,
        )
        article_analyze(article_id=article.pk)
        return article

    newsroom, people = newsroom_with_people("Fuzz Ledger", "fuzz", ["Politics", "Business"])
    editor, checker = Actor.for_user(people[Role.EDITOR]), Actor.for_user(people[Role.FACT_CHECKER])
    articles = [
        submit(newsroom, people[Role.EDITOR], n, desk, title, body, url=n != 1)
        for n, (desk, title, body) in enumerate(ARTICLES)
    ]
    articles[0].reporters.add(people[Role.REPORTER])
    claims = list(Claim.objects.filter(newsroom=newsroom).order_by("article_id", "ordinal"))

    def move(claim, *steps, actor=checker):
        for to in steps:
            claim_transition(actor=actor, claim_id=claim.pk, to=to, note=f"Fuzz seed: {to}.")

    fetched = source_add(actor=checker, claim_id=claims[0].pk, url=f"{web}/minutes", note="Minutes.")
    failed = source_add(actor=checker, claim_id=claims[1].pk, url=f"{web}/gone")
    for source in (fetched, failed):
        fetch_source.apply(args=(source.pk,))
    move(claims[0], "in_review", "verified")
    move(claims[1], "in_review", "false")
    move(claims[2], "in_review", "misleading")
    move(claims[3], "in_review", "unverifiable")
    move(claims[4], "in_review", "needs_attribution")
    move(claims[5], "in_review")
    move(claims[6], "not_checkable", actor=editor)
    move(claims[7], "in_review", "false", "in_review", "misleading", actor=editor)
    claim_assign(actor=editor, claim_id=claims[8].pk, assignee_id=people[Role.FACT_CHECKER].pk)
    # A revision that edits a sentence (its claim takes the new text) and replaces another (its claim
    # is superseded, and the new sentence is a new claim).
    revised = (
        ARTICLES[1][2]
        .replace("1,200 permanent jobs", "900 permanent jobs")
        .replace(
            "The harbour authority said the expansion would create",
            "Union officials doubt the expansion will bring",
        )
    )
    submit(newsroom, people[Role.EDITOR], 1, "business", "Harbour expansion", revised, url=False)

    other, other_people = newsroom_with_people("Other Courier", "other", ["News"])
    other_article = submit(other, other_people[Role.EDITOR], 10, "news", "Elsewhere", ARTICLES[0][2])
    other_claim = other_article.claims.order_by("ordinal").first()
    move(other_claim, "in_review", "false", actor=Actor.for_user(other_people[Role.EDITOR]))
    editorial.api_key_create(newsroom=other, name="other cms", role=Role.EDITOR)

    for n in range(3):
        editorial.api_key_create(newsroom=newsroom, name=f"spare {n}", role=Role.EDITOR)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('editorial_apikey', 'id'), %s)", [FUZZ_KEY_ID - 1]
        )
    issued = editorial.api_key_create(newsroom=newsroom, name="schemathesis", role=Role.ADMIN)
    assert issued.api_key.pk == FUZZ_KEY_ID, issued.api_key.pk
    return issued.raw_key


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310  (loopback, http)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def key_still_works(base: str, raw_key: str) -> bool:
    headers = {"Authorization": f"Api-Key {raw_key}"}
    request = urllib.request.Request(f"{base}/api/v1/desks", headers=headers)  # noqa: S310  (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status == 200
    except urllib.error.HTTPError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("FACTDESK_FUZZ_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--max-examples", type=int, default=40, help="test cases per operation and phase")
    parser.add_argument("--seed", default=str(DEFAULT_SEED), help="a number, or 'random'")
    parser.add_argument("--workers", type=int, default=2, help="schemathesis's concurrent clients")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the server's log)")
    parser.add_argument(
        "extra", nargs=argparse.REMAINDER, help="after --: more options for schemathesis run (--checks all)"
    )
    args = parser.parse_args()
    seed_value = secrets.randbelow(2**31) if args.seed == "random" else int(args.seed)
    started = time.monotonic()

    var_dir = Path(tempfile.mkdtemp(prefix="factdesk-fuzz-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FACTDESK_VAR_DIR": str(var_dir),  # the file-system broker, the throttle's cache
        "CELERY_BROKER_URL": "filesystem://localhost/",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "FACTDESK_API_RATE": "1000000/min",
        "FACTDESK_API_ANALYZE_RATE": "1000000/min",
        "FACTDESK_FETCH_ON_ADD": "false",
        "FACTDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",  # the seeded source's page, on loopback
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    recreate_database(args.database_url)
    subprocess.run(  # noqa: S603  (our own commands, no shell)
        [str(VENV / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True
    )

    os.environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    # The web page a source points at: the minutes, and a 404 ("not here") for anything else.
    with LocalWeb("127.0.0.1") as web:
        web.route("/minutes", Answer(body=PAGE))
        raw_key = seed(web.url(""))
    print(f"Seeded {args.database_url} in {time.monotonic() - started:.1f} s.", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = var_dir / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [str(VENV / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "--graceful-timeout", "5"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_up(f"{base}/api/v1/schema", server)
        command = [
            str(VENV / "schemathesis"), "run", f"{base}/api/v1/schema",
            "--header", f"Authorization: Api-Key {raw_key}",
            "--checks", CHECKS,
            "--max-examples", str(args.max_examples),
            "--seed", str(seed_value),
            "--workers", str(args.workers),
            "--generation-database", "none",
            "--request-timeout", "60",
            "--no-color",
            *[part for part in args.extra if part != "--"],
        ]  # fmt: skip
        shown = [part.replace(raw_key, "fd_…") for part in command]
        print(f"$ {' '.join(shown)}", flush=True)
        (var_dir / "schemathesis.toml").write_text(CONFIG)
        fuzz = subprocess.run(command, cwd=var_dir, env=env, check=False)  # noqa: S603
        survived = key_still_works(base, raw_key)
    finally:
        stop_session(server, timeout=15)

    failed = fuzz.returncode != 0 or not survived
    if not survived:
        print("FAIL: the fuzz key no longer works: the run revoked it, and tested little after that.")
    if failed:
        print(f"\n--- the server's log ({log_path}) ---\n{log_path.read_text(errors='replace')[-20000:]}")
    if not args.keep:
        drop_database(args.database_url)
        shutil.rmtree(var_dir, ignore_errors=True)
    verdict = "FAIL" if failed else "PASS"
    print(f"{verdict}: schemathesis (seed {seed_value}) in {time.monotonic() - started:.0f} s in all.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
