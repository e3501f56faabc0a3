"""End to end: a real web server and a real Celery worker, talking through Redis, on the test database.

An article is submitted over HTTP; the web process queues its analysis in Redis after commit; the
worker process analyses it and stores the claims; the test reads them back over HTTP.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests import shared_redis
from tests.factories import NewsroomFactory, api_key_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = ROOT / ".venv" / "bin"
# A Redis database of its own, flushed at the start (CI names one in FACTDESK_TEST_REDIS_URL).
BROKER_URL = os.environ.get("FACTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
TIMEOUT = 60

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
JOBS = "Unemployment in the city fell to 4.1 percent in March, according to the statistics office."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."


def require_redis() -> None:
    """Skip when Redis is not running here, unless CI says the services must be there.  Waits for
    the other tests that use it to finish first (tests/shared_redis.py)."""
    shared_redis.take()
    try:
        client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.ConnectionError as error:
        reason = f"Redis is not reachable at {BROKER_URL} ({error}); start it to run this test"
        if os.environ.get("FACTDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (FACTDESK_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    client.flushdb()  # no message left over from an earlier run
    client.close()


def test_database_url() -> str:
    """The URL of the database pytest-django created, for the processes the test starts."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        assert name != ":memory:" and "mode=memory" not in name, (
            "the worker cannot share an in-memory database"
        )
        return f"sqlite:///{Path(name).resolve()}"
    assert connection.vendor == "postgresql", connection.vendor
    quote = urllib.parse.quote
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(settings['NAME'])}"


test_database_url.__test__ = False  # a helper, not a test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """A subprocess with its output in a file, always stopped at the end of the test."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")

    def check_running(self) -> None:
        code = self.process.poll()
        assert code is None, f"{self.name} exited with {code}:\n{self.output()}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_file.close()
        # Shown by pytest only when the test fails.
        print(f"----- {self.name} output -----\n{self.log.read_text(errors='replace')}")


def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment of the processes a test starts: production settings on the test database."""
    require_redis()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",  # not settings_test: that one runs tasks eagerly
        SECRET_KEY=secrets.token_urlsafe(45),
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=test_database_url(),
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=BROKER_URL,
        FACTDESK_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(
    env: dict[str, str],
    tmp_path: Path,
    name: str,
    *,
    queue: str = "celery",
    pool: str = "solo",
    concurrency: int = 1,
    extra_args: tuple[str, ...] = (),
    log: str = "worker.log",
) -> Service:
    """A Celery worker; by default a solo one on the default queue (analysis, email)."""
    return Service(
        f"celery worker {name}",
        [str(BIN / "celery"), "-A", "config", "worker", f"--pool={pool}", f"--concurrency={concurrency}",
         "-Q", queue, *extra_args, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "info", f"--hostname={name}-{os.getpid()}@%h"],
        env,
        tmp_path / log,
    )  # fmt: skip


def start_web(env: dict[str, str], tmp_path: Path, *, workers: int = 1) -> Service:
    """gunicorn on a free port, once it answers."""
    port = free_port()
    service = Service(
        "gunicorn",
        [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--access-logfile", "-"],
        env,
        tmp_path / "web.log",
    )  # fmt: skip
    service.base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        service.check_running()
        try:
            urllib.request.urlopen(f"{service.base_url}/api/v1/claims", timeout=5)
        except urllib.error.HTTPError:
            break  # 401: it answers
        except OSError:
            if time.monotonic() > deadline:
                service.stop()
                pytest.fail(f"gunicorn did not answer within 30 s:\n{service.output()}")
            time.sleep(0.2)
        else:
            break
    return service


@pytest.fixture
def services_env(transactional_db, tmp_path):
    return base_env(tmp_path)


@pytest.fixture
def worker(services_env, tmp_path):
    service = start_worker(services_env, tmp_path, "factdesk-test")
    yield service
    service.stop()


@pytest.fixture
def web(services_env, tmp_path):
    service = start_web(services_env, tmp_path)
    yield service
    service.stop()


def call(web, key: str, method: str, path: str, payload: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        web.base_url + path,
        data=json.dumps(payload).encode() if payload is not None else None,
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def eventually(
    condition: Callable[[], object],
    what: str,
    *services: Service,
    timeout: float = TIMEOUT,
    interval: float = 0.1,
    detail: Callable[[], object] | None = None,
):
    """Wait for ``condition()`` to be true and return it, failing early if a service dies, and at the
    deadline with ``detail()`` and the services' output."""
    deadline = time.monotonic() + timeout
    while True:
        for service in services:
            service.check_running()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            output = "\n".join(f"--- {service.name} ---\n{service.output()}" for service in services)
            extra = f" ({detail()})" if detail is not None else ""
            pytest.fail(f"{what}: not within {timeout} s{extra}.\n{output}")
        time.sleep(interval)


def wait_for_analysis(web, worker, key: str, url: str, revision: int) -> dict:
    path = urllib.parse.urlsplit(url).path
    last: dict = {}

    def analysed() -> dict | None:
        status, _, article = call(web, key, "GET", path)
        assert status == 200, article
        last.update(article)
        if article["analysis_status"] == "analyzed" and article["analyzed_revision"] == revision:
            return article
        assert article["analysis_status"] != "failed", article["analysis_error"]
        return None

    return eventually(
        analysed,
        f"revision {revision} analysed",
        worker,
        web,
        interval=0.25,
        detail=lambda: f"last: {last.get('analysis_status')}",
    )


def test_a_submitted_article_is_analysed_by_the_worker(worker, web):
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    _, key = api_key_for(newsroom)

    status, headers, submitted = call(
        web, key, "POST", "/api/v1/articles", {"external_id": "cms-1", "body": f"{BUDGET}\n\n{JOBS}"}
    )

    assert status == 202, submitted
    assert submitted["url"] == f"{web.base_url}/api/v1/articles/{submitted['id']}"
    assert headers["Location"] == submitted["url"]
    article = wait_for_analysis(web, worker, key, submitted["url"], revision=1)
    texts = [claim["text"] for claim in article["claims"]]
    assert texts == [BUDGET, JOBS]
    for claim in article["claims"]:
        assert article["canonical_text"][claim["start"] : claim["end"]] == claim["text"]
    budget_id = article["claims"][0]["id"]
    assert "factcheck.analyze_article" in worker.output()  # it was the worker, not the web process

    status, _, resubmitted = call(
        web, key, "POST", "/api/v1/articles", {"external_id": "cms-1", "body": f"{BUDGET}\n\n{HOSPITAL}"}
    )

    assert status == 202, resubmitted
    assert (resubmitted["id"], resubmitted["revision"]) == (submitted["id"], 2)
    article = wait_for_analysis(web, worker, key, submitted["url"], revision=2)
    claims = {claim["text"]: claim for claim in article["claims"]}
    assert set(claims) == {BUDGET, HOSPITAL}
    assert claims[BUDGET]["id"] == budget_id
