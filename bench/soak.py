"""Load without loss: articles submitted at a steady rate for a fixed time against gunicorn and two
Celery worker processes (with beat), on PostgreSQL and a Redis server of the bench's own.

Prints the throughput (articles analysed per second), the latency from submission to analysed (p50,
p95), the depth of the analysis queue over time, each worker's memory (resident, all its processes)
at the start and at the end, and the articles lost (answered 202 and never analysed) or duplicated
(claims stored more than once, or a second revision): both must be 0, and the script exits 1 if not.
Beside them, the peer: the same articles analysed in this one process, no web server, broker or
database, the ceiling that the workers' per-article overhead is measured against.

    .venv/bin/python -m bench.soak --seconds 60 --rate 4
    .venv/bin/python -m bench.soak --database-url postgres://postgres@127.0.0.1:5432/factdesk_soak

The database is created empty (dropped first if it exists) and migrated.  Needs ``redis-server``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import common

REPO = Path(__file__).resolve().parent.parent

VENV = REPO / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_soak"
PARAGRAPHS = 12  # claims per article


def body(number: int) -> str:
    return "\n\n".join(
        sentence.replace("{n}", str(number % 97 + index)).replace("{n2}", str(10 + index))
        for index, sentence in enumerate(common.NEWS_SENTENCES[:PARAGRAPHS])
    )


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KiB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def start(name: str, args: list[str], env: dict, logs: Path) -> subprocess.Popen:
    log = (logs / f"{name}.log").open("wb")
    return subprocess.Popen(
        args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_for_web(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def submit(url: str, key: str, number: int) -> tuple[int, int | None]:
    payload = json.dumps({"external_id": f"soak-{number}", "body": body(number)}).encode()
    request = urllib.request.Request(
        url + "/api/v1/articles",
        data=payload,
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())["id"]
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return 0, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to submit (default 60)")
    parser.add_argument("--rate", type=float, default=4.0, help="articles submitted per second (default 4)")
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to wait for the rest afterwards")
    parser.add_argument("--database-url", default=os.environ.get("SOAK_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed")

    work = Path(tempfile.mkdtemp(prefix="factdesk-soak-"))
    redis_port, web_port = common.free_port(), common.free_port()
    broker = f"redis://127.0.0.1:{redis_port}/0"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="soak-" + "s" * 45,
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        CELERY_BROKER_URL=broker,
        FACTDESK_VAR_DIR=str(work / "var"),
        FACTDESK_API_RATE="",
        PYTHONUNBUFFERED="1",
    )
    common.recreate_database(args.database_url)
    subprocess.run([str(VENV / "python"), "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from editorial import services as editorial
    from editorial.models import AnalysisStatus, Article
    from factcheck.analysis.pipeline import analyze
    from factcheck.models import Claim

    newsroom = editorial.newsroom_create(name="Soak", slug="soak")
    key = editorial.api_key_create(newsroom=newsroom, name="soak").raw_key

    processes: dict[str, subprocess.Popen] = {}
    processes["redis"] = start(
        "redis",
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(work)],
        env,
        work,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        processes["web"] = start(
            "web",
            [str(VENV / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "2"],
            env,
            work,
        )
        for name in ("worker-1", "worker-2"):
            processes[name] = start(
                name,
                [str(VENV / "celery"), "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
                 "-Q", "celery,fetch", f"--hostname={name}@%h", "-l", "warning"],
                env,
                work,
            )  # fmt: skip
        processes["beat"] = start(
            "beat",
            [str(VENV / "celery"), "-A", "config", "beat", "-s", str(work / "beat"), "-l", "warning"],
            env,
            work,
        )
        web = f"http://127.0.0.1:{web_port}"
        wait_for_web(web, processes["web"])
        time.sleep(3)  # the workers connect
        memory_start = {name: rss_kib(processes[name].pid) for name in ("worker-1", "worker-2")}

        submitted: dict[int, float] = {}
        refused: list[int] = []
        analysed: dict[int, float] = {}
        depths: list[tuple[float, int]] = []
        lock = threading.Lock()
        began = time.monotonic()

        def submitter() -> None:
            number = 0
            while (elapsed := time.monotonic() - began) < args.seconds:
                due = number / args.rate
                if elapsed < due:
                    time.sleep(due - elapsed)
                sent = time.monotonic()
                status, article_id = submit(web, key, number)
                with lock:
                    if status == 202 and article_id is not None:
                        submitted[article_id] = sent
                    else:
                        refused.append(status)
                number += 1

        import redis

        queue = redis.Redis(port=redis_port)
        thread = threading.Thread(target=submitter)
        thread.start()
        next_depth = 0.0
        while True:
            now = time.monotonic()
            with lock:
                waiting = [pk for pk in submitted if pk not in analysed]
            for pk in Article.objects.filter(
                pk__in=waiting, analysis_status=AnalysisStatus.ANALYZED
            ).values_list("pk", flat=True):
                analysed[pk] = now
            if now >= next_depth:
                depths.append((now - began, queue.llen("celery")))
                next_depth = now + 5
            finished = not thread.is_alive()
            with lock:
                done = finished and len(analysed) == len(submitted)
            if done or now - began > args.seconds + args.drain:
                break
            time.sleep(0.25)
        thread.join()
        memory_end = {name: rss_kib(processes[name].pid) for name in ("worker-1", "worker-2")}
        last = max(analysed.values(), default=began)
    finally:
        for process in processes.values():
            if process.poll() is None:
                common.stop_session(process, timeout=20)

    latencies = sorted(analysed[pk] - submitted[pk] for pk in analysed)
    lost = len(submitted) - len(analysed)
    duplicated = 0
    for article in Article.objects.filter(pk__in=list(submitted)):
        claims = Claim.objects.filter(article=article).count()
        if article.revision != 1 or claims != PARAGRAPHS:
            duplicated += 1
    peer_started = time.perf_counter()
    for number in range(50):
        analyze(body(number), fmt="text", max_chars=1_000_000)
    peer_rate = 50 / (time.perf_counter() - peer_started)

    print(f"soak: {args.seconds:.0f} s at {args.rate:g} articles/s, gunicorn (2) and 2 worker processes")
    print(f"  submitted {len(submitted)} (refused {len(refused)}), analysed {len(analysed)}")
    print(f"  throughput: {len(analysed) / max(last - began, 1e-9):.2f} articles/s analysed")
    if latencies:
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(f"  submission to analysed: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print("  analysis queue depth: " + ", ".join(f"{at:.0f}s={depth}" for at, depth in depths))
    for name in memory_start:
        start_mib, end_mib = memory_start[name] / 1024, memory_end[name] / 1024
        print(f"  {name} memory: {start_mib:.1f} MiB at start, {end_mib:.1f} MiB at end")
    print(f"  peer (analysis alone, this process): {peer_rate:.1f} articles/s")
    print(f"  lost: {lost}, duplicated: {duplicated}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if lost == 0 and duplicated == 0 and not refused else 1


if __name__ == "__main__":
    sys.exit(main())
