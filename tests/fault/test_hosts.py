"""The web server and two workers as separate hosts, and the database connection dropped.

Each of gunicorn, two Celery workers (beat beside the first) and the services (a Redis and a
PostgreSQL server of the test's own) runs in a network namespace of its own, reaching the others over
a private /24 that exists only inside those namespaces: nothing over loopback, nothing shared with
the machine's servers.  The client submits articles from the services' host; both workers analyse
some.  Then PostgreSQL is stopped at once (every connection dropped, as in a crash) while the workers
are busy, and started again: every article accepted is analysed once, within a stated time, and the
web server takes new work again.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.fault.hosts import Network, OwnPostgres
from tests.fault.processes import report
from tests.integration.test_worker import BIN, ROOT, Service, eventually

pytestmark = [pytest.mark.integration, pytest.mark.fault]

ARTICLES = 12
PARAGRAPHS = 150  # claims per article: enough that the workers are busy when the database drops
SENTENCE = (
    "The council of district {n} approved a budget of ${k} million on Tuesday, the largest in a decade."
)
#: Every accepted article analysed this long after the database is back, at most.
RECOVERY_WITHIN = 90.0
OUTAGE = 5.0  # seconds the database is down


def body(n: int) -> str:
    return "\n\n".join(SENTENCE.format(n=n, k=k) for k in range(1, PARAGRAPHS + 1))


@pytest.fixture
def network():
    net = Network(["svc", "web", "w1", "w2"])
    yield net
    net.close()


def test_web_and_two_workers_on_separate_hosts_survive_the_database_dropping(network, tmp_path):
    address = network.address
    database = OwnPostgres(network, "svc").start()
    services: list[Service] = []
    try:
        database.create_database()
        redis_url = f"redis://{address['svc']}:6379/0"
        redis_args = ["redis-server", "--bind", address["svc"], "--port", "6379", "--save", "",
                      "--appendonly", "no", "--protected-mode", "no", "--dir", str(tmp_path)]  # fmt: skip
        redis_env = {"PATH": os.environ["PATH"]}
        services.append(
            Service("redis", network.command("svc", redis_args), redis_env, tmp_path / "redis.log")
        )
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "DEBUG"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY="fault-hosts-" + "h" * 40,
            HTTPS="false",
            ALLOWED_HOSTS=address["web"],
            DATABASE_URL=database.url,
            CONN_MAX_AGE="60",  # persistent connections, as in production: the drop breaks them
            CELERY_BROKER_URL=redis_url,
            FACTDESK_VAR_DIR=str(tmp_path / "var"),
            FACTDESK_SWEEP_SECONDS="2",
            FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS="5",
            FACTDESK_ANALYSIS_LEASE_SECONDS="10",
            PYTHONUNBUFFERED="1",
        )

        def manage(*args: str) -> str:
            done = subprocess.run(
                network.command("web", [str(BIN / "python"), "manage.py", *args]),
                cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            return done.stdout

        manage("migrate", "-v", "0")
        manage("newsroom_create", "--name", "Ledger", "--slug", "ledger")
        issued = manage("apikey_create", "--newsroom", "ledger", "--name", "hosts").splitlines()
        key = next(line for line in issued if line.startswith("fd_"))

        web_url = f"http://{address['web']}:8000"
        web_args = [str(BIN / "gunicorn"), "config.wsgi", "-b", f"{address['web']}:8000", "-w", "2",
                    "--access-logfile", "-"]  # fmt: skip
        web = Service("gunicorn (web host)", network.command("web", web_args), env, tmp_path / "web.log")
        services.append(web)
        workers = {}
        for host in ("w1", "w2"):
            worker_args = [str(BIN / "celery"), "-A", "config", "worker", "--pool=solo", "-Q", "celery,fetch",
                           f"--hostname={host}@%h", "-l", "info"]  # fmt: skip
            workers[host] = Service(
                f"celery worker ({host} host)",
                network.command(host, worker_args),
                env,
                tmp_path / f"{host}.log",
            )
            services.append(workers[host])
        beat_args = [str(BIN / "celery"), "-A", "config", "beat", "-l", "info",
                     "-s", str(tmp_path / "beat-schedule"), "--pidfile="]  # fmt: skip
        beat = Service("celery beat (w1 host)", network.command("w1", beat_args), env, tmp_path / "beat.log")
        services.append(beat)

        def client(method: str, path: str, payloads: list[dict] | None = None) -> list:
            done = subprocess.run(
                network.command("svc", [str(BIN / "python"), "-m", "tests.fault.netclient", method,
                                        web_url + path, key]),
                cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                input="\n".join(json.dumps(p) for p in payloads or []),
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        def answers() -> bool:
            try:
                return client("GET", "/healthz")[0][0] == 200
            except AssertionError:
                return False

        eventually(answers, "gunicorn answering on the web host", *services, timeout=60, interval=0.5)

        def analysed(ids) -> int:
            listed = ",".join(str(int(pk)) for pk in ids)  # integers from the API's answers
            sql = "SELECT count(*) FROM editorial_article WHERE analysis_status = 'analyzed' AND id IN (%s)"
            rows = database.query(sql % listed)
            return int(rows[0][0])

        first = client(
            "POST", "/api/v1/articles", [{"external_id": f"a{n}", "body": body(n)} for n in range(ARTICLES)]
        )
        assert [status for status, _ in first] == [202] * ARTICLES, first
        ids = [answer["id"] for _, answer in first]
        eventually(lambda: analysed(ids) >= 1, "an article analysed", *services, timeout=60, interval=0.05)

        database.stop("immediate")  # every connection dropped, as in a crash
        time.sleep(OUTAGE)
        database.start()
        back = time.monotonic()
        analysed_before = analysed(ids)  # nothing was analysed while it was down
        assert analysed_before < ARTICLES, "the outage came after the work it was meant to interrupt"
        eventually(
            lambda: analysed(ids) == ARTICLES,
            "every accepted article analysed",
            *services,
            timeout=RECOVERY_WITHIN,
            interval=0.5,
        )
        recovered = time.monotonic() - back
        after = client(
            "POST", "/api/v1/articles", [{"external_id": f"b{n}", "body": body(100 + n)} for n in range(3)]
        )
        assert [status for status, _ in after] == [202] * 3, after
        later = [answer["id"] for _, answer in after]
        eventually(
            lambda: analysed(later) == 3,
            "articles submitted after the outage analysed",
            *services,
            timeout=60,
            interval=0.5,
        )
        report(
            f"hosts {address}: {ARTICLES - analysed_before} of {ARTICLES} articles left when the database "
            f"dropped; all {ARTICLES} articles analysed {recovered:.1f} s after the database came "
            f"back from a {OUTAGE:.0f} s outage (limit {RECOVERY_WITHIN:.0f} s)"
        )

        # Nothing twice: each article's claims once, one revision, none superseded.
        rows = database.query(
            "SELECT a.id, a.revision, count(c.id) FROM editorial_article a "
            "LEFT JOIN factcheck_claim c ON c.article_id = a.id GROUP BY a.id, a.revision"
        )
        assert len(rows) == ARTICLES + 3
        assert all((revision, claims) == ("1", str(PARAGRAPHS)) for _, revision, claims in rows), rows
        # Both worker hosts did some of the work, over the private network.
        for host, worker in workers.items():
            output = worker.output()
            analyses = [line for line in output.splitlines() if "factcheck.analyze_article[" in line]
            assert any("succeeded" in line for line in analyses), f"{host} analysed nothing"
            assert f"@{address['svc']}:6379/0" in output, f"{host} did not use the services' host"
    finally:
        for service in reversed(services):
            service.stop()
        database.close()
