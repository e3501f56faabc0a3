"""The fault suite's own processes: a Redis server it stops, kills and restarts on a port of its own
(never the machine's), Celery beat, and the environment of the web and worker processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.integration.test_worker import BIN, Service, free_port, test_database_url


def require(binary: str) -> str:
    """The path of ``binary``; a skip without it, unless CI says the services must be there."""
    path = shutil.which(binary)
    if path is None:
        reason = f"{binary} is not installed here; the fault suite needs it"
        if os.environ.get("FACTDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (FACTDESK_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return path


class OwnRedis:
    """A Redis server of the test's own, on a free port that stays the same across restarts; it
    keeps nothing on disk, so a restart comes back empty (every queued message lost)."""

    def __init__(self, workdir: Path, host: str = "127.0.0.1") -> None:
        self.binary = require("redis-server")
        self.host, self.port = host, free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.url = f"redis://{host}:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self._log = (workdir / "redis.log").open("ab")

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", self.host, "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--protected-mode", "no"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(host=self.host, port=self.port, socket_connect_timeout=1).ping()
                return self
            except redis.exceptions.ConnectionError:
                assert self.process.poll() is None, f"redis-server exited with {self.process.returncode}"
                assert time.monotonic() < deadline, "redis-server did not answer within 20 s"
                time.sleep(0.05)

    def kill(self) -> None:
        """Stop at once (SIGKILL): the broker is gone with everything it held."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, socket_connect_timeout=2)

    def depth(self, queue: str = "celery") -> int:
        return self.client().llen(queue)

    def close(self) -> None:
        self.kill()
        self._log.close()


def report(line: str) -> None:
    """Print a scenario's measured figures, and add them to ``FACTDESK_FAULT_REPORT`` when it names a
    file (CI shows that file after the suite)."""
    print(line)
    target = os.environ.get("FACTDESK_FAULT_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def fault_env(tmp_path: Path, broker_url: str, **extra: str) -> dict[str, str]:
    """Production settings on the test database and the suite's own broker, with sweeps and leases
    short enough for a test (``extra`` overrides)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="fault-suite-" + "k" * 40,
        HTTPS="false",
        ALLOWED_HOSTS="*",
        DATABASE_URL=test_database_url(),
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker_url,
        FACTDESK_VAR_DIR=str(tmp_path / "var"),
        FACTDESK_SWEEP_SECONDS="2",
        FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS="5",
        FACTDESK_ANALYSIS_LEASE_SECONDS="10",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_beat(env: dict[str, str], tmp_path: Path) -> Service:
    """Celery beat, which runs the sweeps."""
    return Service(
        "celery beat",
        [str(BIN / "celery"), "-A", "config", "beat", "-l", "info",
         "-s", str(tmp_path / "beat-schedule"), "--pidfile="],
        env,
        tmp_path / "beat.log",
    )  # fmt: skip
