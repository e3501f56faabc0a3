"""Separate hosts on one machine: network namespaces of the test's own, joined by a bridge in a namespace
of their own, with addresses from a private /24 that exists only inside them (never in the machine's
own namespace), and a PostgreSQL server of the test's own (initdb in a temporary folder, from the
machine's binaries, run as the postgres user) that the test can stop and start.

Needs root (``ip netns``); everything is removed on exit.
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def require_root_tools() -> None:
    missing = [tool for tool in ("ip",) if shutil.which(tool) is None]
    if os.geteuid() != 0 or missing or not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        reason = "separate hosts need root, iproute2 and PostgreSQL's binaries (initdb)"
        if os.environ.get("FACTDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (FACTDESK_REQUIRE_SERVICES=1)")
        pytest.skip(reason)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Network:
    """Namespaces ``names`` (hosts), each with one address on a shared bridge."""

    def __init__(self, names: list[str]) -> None:
        require_root_tools()
        tag = f"{os.getpid() % 10000}{random.randrange(100)}"
        self.subnet = f"10.{random.randrange(200, 250)}.{random.randrange(1, 250)}"
        self.hub = f"fdh{tag}"
        self.hosts = {name: f"fd{name}{tag}" for name in names}
        self.address = {name: f"{self.subnet}.{index + 1}" for index, name in enumerate(names)}
        self.created: list[str] = []
        try:
            _ip("netns", "add", self.hub)
            self.created.append(self.hub)
            _ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.hub, "link", "set", "br0", "up")
            for index, (name, namespace) in enumerate(self.hosts.items()):
                _ip("netns", "add", namespace)
                self.created.append(namespace)
                inner, outer = f"v{tag}{index}", f"h{tag}{index}"
                _ip(
                    "link",
                    "add",
                    inner,
                    "netns",
                    namespace,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    outer,
                    "netns",
                    self.hub,
                )
                _ip("-n", self.hub, "link", "set", outer, "master", "br0")
                _ip("-n", self.hub, "link", "set", outer, "up")
                _ip("-n", namespace, "addr", "add", f"{self.address[name]}/24", "dev", inner)
                _ip("-n", namespace, "link", "set", inner, "up")
                _ip("-n", namespace, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    def command(self, host: str, args: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.hosts[host], *args]

    def close(self) -> None:
        for namespace in reversed(self.created):
            subprocess.run(["ip", "netns", "del", namespace], check=False, capture_output=True)
        self.created = []


class OwnPostgres:
    """A PostgreSQL server of the test's own, in ``host``'s namespace, trusting the private /24."""

    def __init__(self, network: Network, host: str) -> None:
        self.network, self.host = network, host
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="factdesk-fault-pg-"))
        self.data = self.folder / "data"
        user = pwd.getpwnam("postgres")
        os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"])
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {network.subnet}.0/24 trust\n")
        self.url = f"postgres://postgres@{network.address[host]}:5432/factdesk"
        self.process: subprocess.Popen | None = None

    def _as_postgres(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            cwd=self.folder,
            **kwargs,
        )

    def start(self) -> OwnPostgres:
        log = (self.folder / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            self.network.command(
                self.host,
                ["runuser", "-u", "postgres", "--", str(self.bin / "postgres"), "-D", str(self.data),
                 "-h", self.network.address[self.host], "-p", "5432", "-k", str(self.folder),
                 "-c", "fsync=off", "-c", "max_connections=100"],
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-q", "-h", str(self.folder), "-p", "5432"], check=False
            )
            if ready.returncode == 0:
                return self
            assert self.process.poll() is None, (self.folder / "postgres.log").read_text()
            assert time.monotonic() < deadline, "PostgreSQL did not start within 30 s"
            time.sleep(0.2)

    def create_database(self) -> None:
        self._as_postgres([str(self.bin / "createdb"), "-h", str(self.folder), "-p", "5432", "factdesk"])

    def query(self, sql: str) -> list[list[str]]:
        done = self._as_postgres(
            [
                str(self.bin / "psql"),
                "-h",
                str(self.folder),
                "-p",
                "5432",
                "-d",
                "factdesk",
                "-tAF",
                "|",
                "-c",
                sql,
            ],
            text=True,
        )
        return [line.split("|") for line in done.stdout.splitlines() if line]

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` drops every connection at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self._as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop"])
            self.process.wait(timeout=30)
        self.process = None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
