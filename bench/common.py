"""What the bench scripts and .ci/api_fuzz.py share: their throw-away PostgreSQL database, a free
loopback port, stopping the servers they start, the CPU time of processes (from /proc), and the claims
of the bench databases.

Imported as ``bench.common`` (the scripts run as ``.venv/bin/python -m bench.NAME`` from the project's
folder).  psycopg is imported where it is used: bench/api.py's client processes import their module,
and need none of this.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def admin_url(url: str) -> tuple[str, str]:
    """The URL of the server's ``postgres`` database, and the name of the database of ``url``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def drop_database(url: str, *, create: bool = False) -> None:
    """Drop the database of ``url`` (closing its connections), and create it again, empty, if told."""
    import psycopg
    from psycopg import sql

    server, name = admin_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(url: str) -> None:
    """The database of ``url``, empty: dropped first if there is one."""
    drop_database(url, create=True)


def claims_in(url: str) -> int | None:
    """How many claims the database of ``url`` holds (0 before it is migrated); None without it."""
    import psycopg

    server, name = admin_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            return None
    with psycopg.connect(url) as bench:
        table = bench.execute("SELECT to_regclass('factcheck_claim')").fetchone()[0]
        return bench.execute("SELECT count(*) FROM factcheck_claim").fetchone()[0] if table else 0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_session(process: subprocess.Popen, *, timeout: float) -> None:
    """Stop ``process`` (started with ``start_new_session``) and every process of its session: SIGTERM,
    then SIGKILL if they are not gone within ``timeout`` seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def stat_cpu_seconds(stat: str) -> float:
    """The user and system CPU time in a ``/proc/<pid>/stat`` line."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux /proc); OSError once it is gone."""
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())


# Claim texts for the bench databases: news sentences, some with vague attributions, "{n}" and "{n2}"
# standing for numbers.
NEWS_SENTENCES = [
    "The council approved a budget of ${n} million on Tuesday, the largest in a decade.",
    "Unemployment in the region fell to {n} per cent last quarter, according to the statistics office.",
    "Experts warn that the bridge, built in 19{n2}, is no longer safe for heavy lorries.",
    "Some residents say the new bus lanes have added {n} minutes to their commute.",
    "The hospital treated {n} patients for heat stroke during the July heatwave.",
    "It is widely believed that the minister knew about the contract before it was signed.",
    "Reports suggest that as many as {n} jobs could be lost when the plant closes next year.",
    '"We will not raise taxes," the mayor said at a rally attended by {n} supporters.',
    "The river rose {n2} centimetres above its highest recorded level on Sunday night.",
    "Critics argue the scheme has cost taxpayers more than ${n} million since it began.",
    "Officials said the airport expansion would create {n} permanent jobs.",
    "The club has won {n2} of its last 40 matches, its best run since the 1990s.",
]
# The kinds of those claims, with their shares.
CLAIM_KINDS = [("statement", 0.70), ("quotation", 0.15), ("opinion", 0.08), ("prediction", 0.05),
               ("question", 0.02)]  # fmt: skip
