"""The README's API examples run as written on a fresh demo.

The demo is set up as ``make demo`` sets it up (``migrate``, then ``manage.py demo`` with ``DEBUG`` and
``SITE_URL`` for its port), on the embedded SQLite database and broker in a folder of its own, served
by ``runserver`` on a free port beside a Celery worker.  Then every ``sh`` block of README.md that
calls curl runs in bash, in order, with the variables of the ``export`` line the demo printed.  curl
reads a curlrc that adds ``--fail-with-body``, so a block fails on any answer of 400 or more.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.common import free_port

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BIN = Path(sys.executable).parent
#: Settings of the machine or of the test run that the demo must not inherit.
NOT_INHERITED = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CELERY_", "FACTDESK_", "CACHE_URL", "SITE_URL")


def curl_blocks(text: str) -> list[str]:
    """The ``sh`` blocks of ``text`` that call curl, in order."""
    return [block for block in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M) if "curl " in block]


def test_the_readme_has_curl_examples_to_run():
    blocks = curl_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    for block in blocks:
        assert "8000" not in block and "uuidgen" not in block, block  # the demo's own address and tools


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A fresh demo on a free port: (environment for the examples, the demo's output)."""
    tmp_path = tmp_path_factory.mktemp("demo")
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    (home / ".curlrc").write_text("fail-with-body\nshow-error\nmax-time = 60\n")
    env = {name: value for name, value in os.environ.items() if not name.startswith(NOT_INHERITED)}
    env.update(
        DEBUG="true",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECRET_KEY="readme-test-" + "k" * 40,
        FACTDESK_VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="WARNING",
        HOME=str(home),
    )
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=REPO, check=True, timeout=300)
    report = subprocess.run(
        [*manage, "demo", "--smoke"], env=env, cwd=REPO, check=True, timeout=300, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    exports = re.search(r"^  export (.+)$", report, re.M)
    assert exports, report
    variables = dict(item.split("=", 1) for item in exports.group(1).split())
    assert variables["FACTDESK"] == f"http://127.0.0.1:{port}"

    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [
        subprocess.Popen(  # what `make serve` runs, minus beat
            [str(BIN / "celery"), "-A", "config", "worker", "--pool=threads", "--concurrency=2",
             "-l", "warning"],
            env=env, cwd=REPO, stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env, cwd=REPO, stdout=(logs / "web.log").open("w"), stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    log = (logs / "web.log").read_text()
                    pytest.fail(f"the demo server did not answer within 60 s:\n{log}")
                time.sleep(0.3)
        yield {**env, **variables}, report
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_every_curl_example_runs_as_written_on_a_fresh_demo(demo):
    env, _ = demo
    blocks = curl_blocks(README.read_text(encoding="utf-8"))
    for number, block in enumerate(blocks, start=1):
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            env=env, cwd=env["HOME"], capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert ran.returncode == 0, (
            f"README curl block {number} failed ({ran.returncode}):\n{block}\n"
            f"--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
        )
        assert ran.stdout.strip(), f"README curl block {number} printed nothing:\n{block}"


def test_an_empty_idempotency_key_is_refused_over_http(demo):
    env, _ = demo
    ran = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
         f"{env['FACTDESK']}/api/v1/analyze",
         "-H", f"Authorization: Api-Key {env['KEY']}", "-H", "Content-Type: application/json",
         "-H", "Idempotency-Key;",  # curl's way of sending the header with an empty value
         "-d", '{"text": "Experts warn the bridge is unsafe.", "format": "text"}'],
        env={**env, "HOME": "/nonexistent"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.stdout == "400", ran.stdout + ran.stderr


def test_the_empty_idempotency_key_answer_says_so(demo):
    env, _ = demo
    ran = subprocess.run(
        ["curl", "-s", "-X", "POST", f"{env['FACTDESK']}/api/v1/analyze",
         "-H", f"Authorization: Api-Key {env['KEY']}", "-H", "Content-Type: application/json",
         "-H", "Idempotency-Key;", "-d", '{"text": "Experts warn.", "format": "text"}'],
        env={**env, "HOME": "/nonexistent"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "The header is empty" in ran.stdout, ran.stdout
