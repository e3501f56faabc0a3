"""How long 100 sources take to fetch with the default fetch worker, beside fetching them one by one.

Usage: .venv/bin/python -m bench.fetch [--sources 100] [--delay 0.3] [--hosts 20]
                                       [--database-url postgres://…/factdesk_bench_fetch]
                                       [--broker-url redis://127.0.0.1:6379/12]

1. Stands up local HTTP servers on ``--hosts`` loopback addresses (127.0.0.2, 127.0.0.3, …: a
   claim's sources are on different sites), each answering every request after ``--delay`` seconds
   with a small article page.
2. Creates the database (dropping one of that name first), migrates it, and adds ``--sources``
   sources to one claim, spread over the hosts.
3. Starts the fetch workers as the README runs them (two per core of ``celery -A config worker -Q fetch
   --pool threads --concurrency 16``, the settings' defaults otherwise, including 4 requests at a
   time per host), warms them up with 64 sources each (each thread connects to the database, each
   process loads the extractors: a worker that has been running has done so long since), then
   queues one fetch task per source in Redis and times until every source is fetched, archived
   and matched (the database says so).
4. Fetches the same addresses one after another with the same fetcher in this process (no
   database, no broker: the network part only, which flatters the sequential side), and prints
   both times and the ratio.  Target: at least 10 times faster than one after another.
5. Also times the worker on one single host, where the per-host limit (4) caps it: printed for
   what it is, not judged against the target.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import cpu_seconds, recreate_database

REPO = Path(__file__).resolve().parents[1]

BIN = REPO / ".venv" / "bin"
TARGET = 10.0
THREADS = 16
WORKER = ["-Q", "fetch", "--pool", "threads", "--concurrency", str(THREADS)]  # as in the README
#: A news page of usual size: navigation, an article of eight paragraphs (about 3 kB of text), an
#: aside and a footer.
TOPICS = [
    "road repairs on the ring road", "two new teachers at the primary school", "a new roof for the pool",
    "street lighting in the old town", "the library's opening hours", "grants for small businesses",
    "bus services to the hospital", "flood defences along the river",
]  # fmt: skip
PARAGRAPH = (
    "<p>Paragraph {i} of report {n}: the council approved a budget of $4.2 million on Tuesday, the "
    "largest in a decade, by nine votes to three after a debate that lasted most of the evening. "
    "Members of the finance committee said that part of the increase would pay for {topic}, which "
    "residents had asked for at every public meeting since the storms in March.</p>"
)
PAGE = (
    "<!doctype html><html><head><title>Report {n}: the council's budget</title></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a></nav>"
    "<main><article><h1>Report {n}: the council's budget</h1><p class='byline'>By the city desk</p>"
    "{paragraphs}</article><aside><h2>Most read</h2><ul><li>Storm damage</li><li>School places</li>"
    "</ul></aside></main><footer>Copyright the Ledger. All rights reserved.</footer></body></html>"
)


def page(n: str) -> str:
    paragraphs = "".join(PARAGRAPH.format(i=i + 1, n=n, topic=topic) for i, topic in enumerate(TOPICS))
    return PAGE.format(n=n, paragraphs=paragraphs)


def serve(host: str, delay: float) -> ThreadingHTTPServer:
    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            time.sleep(delay)
            body = page(self.path.rsplit("/", 1)[-1]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Slow)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/factdesk_bench_fetch")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()

    hosts = [str(ipaddress.ip_address("127.0.0.2") + i) for i in range(args.hosts)]
    servers = [serve(host, args.delay) for host in hosts]
    var = Path(f"/tmp/factdesk-bench-fetch-{os.getpid()}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DEBUG", "FACTDESK_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "FACTDESK_VAR_DIR": str(var),
        "FACTDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
        "FACTDESK_FETCH_ON_ADD": "false",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    print(f"Preparing {args.database_url} ...", flush=True)
    recreate_database(args.database_url)
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True)

    import django

    django.setup()
    import redis
    from celery import Celery
    from django.db import connection

    from factcheck.actors import Actor
    from factcheck.models import Claim, FetchStatus, Source
    from factcheck.services import fetcher as fetcher_config
    from factcheck.services.sources import source_add
    from tests.factories import ArticleFactory, member

    redis.Redis.from_url(args.broker_url).flushdb()
    text = "The council approved a budget of $4.2 million on Tuesday."
    article = ArticleFactory(body=text)
    claim = Claim.objects.create(
        article=article, newsroom=article.newsroom, revision=1, ordinal=0, text=text, start=0, end=len(text),
        kind="statement", checkworthiness=0.9,
    )  # fmt: skip
    actor = Actor.for_user(member(article.newsroom, "fact_checker", "bench"))

    def add_sources(tag: str, addresses: list[str], count: int = args.sources) -> tuple[list[int], list[str]]:
        port = {host: servers[hosts.index(host)].server_address[1] for host in addresses}
        urls = []
        for n in range(count):
            host = addresses[n % len(addresses)]
            urls.append(f"http://{host}:{port[host]}/{tag}/{n}")
        ids = [source_add(actor=actor, claim_id=claim.pk, url=url).pk for url in urls]
        return ids, urls

    broker = Celery(broker=args.broker_url)
    cpu: dict[str, float] = {}  # worker CPU seconds per source, by run

    def run_worker(ids: list[int], log: Path, processes: int, warm_up: list[int]) -> float:
        workers = [
            subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    *WORKER,
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "warning",
                    f"--hostname=bench-{log.stem}-{i}@%h",
                ],
                cwd=REPO,
                env=env,
                stdout=log.with_suffix(f".{i}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for i in range(processes)
        ]
        try:
            # Warm up (which also waits for the workers to start): each worker thread opens its
            # database connection and each process loads the extractors, as a worker that has been
            # running has done long since.
            for source_id in warm_up:
                broker.send_task("factcheck.fetch_source", args=[source_id], queue="fetch")
            while Source.objects.filter(pk__in=warm_up, status=FetchStatus.FETCHED).count() < len(warm_up):
                time.sleep(0.05)
            cpu_before = sum(cpu_seconds(worker.pid) for worker in workers)
            start = time.perf_counter()
            for source_id in ids:
                broker.send_task("factcheck.fetch_source", args=[source_id], queue="fetch")
            done = Source.objects.filter(pk__in=ids, status__in=[FetchStatus.FETCHED, FetchStatus.FAILED])
            while done.count() < len(ids):
                if any(worker.poll() is not None for worker in workers):
                    raise SystemExit(f"a worker exited; see {log.parent}")
                if time.perf_counter() - start > 300:
                    raise SystemExit("not done in 300 s")
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            failed = Source.objects.filter(pk__in=ids, status=FetchStatus.FAILED).first()
            if failed:
                raise SystemExit(f"a fetch failed: {failed.url}: {failed.failure}")
            cpu[log.stem] = (sum(cpu_seconds(worker.pid) for worker in workers) - cpu_before) / len(ids)
            return elapsed
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            connection.close()

    var.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    processes = 2 * cores  # the README's fetch workers: two per core
    delay_ms = args.delay * 1000
    print(f"Fetching {args.sources} sources on {len(hosts)} hosts, each answering after {delay_ms:.0f} ms")

    def warm(tag: str, processes: int) -> list[int]:
        return add_sources(f"warm-{tag}", hosts, count=64 * processes)[0]

    one_process = run_worker(add_sources("one-process", hosts)[0], var / "one-process.log", 1, warm("one", 1))
    spread_ids, spread_urls = add_sources("spread", hosts)
    parallel = run_worker(spread_ids, var / "spread.log", processes, warm("spread", processes))
    with_passages = Source.objects.filter(pk__in=spread_ids, passages__isnull=False).distinct().count()
    single = run_worker(
        add_sources("single", hosts[:1])[0], var / "single.log", processes, warm("single", processes)
    )

    fetcher = fetcher_config.fetcher()
    start = time.perf_counter()
    for url in spread_urls:
        result = fetcher.fetch(url)
        assert result.outcome == "ok", result.error
    sequential = time.perf_counter() - start

    ratio = sequential / parallel
    print()
    rows = [
        ("one after another (same fetcher, no DB)", sequential),
        (f"fetch workers: {processes} (two per core) x {THREADS} threads", parallel),
        (f"one fetch worker x {THREADS} threads", one_process),
        (f"{processes} fetch workers, all sources on one host", single),
    ]
    print(f"{'':<50}{'time':>9}{'sources/s':>11}")
    for label, seconds in rows:
        print(f"{label:<50}{seconds:>8.2f}s{args.sources / seconds:>11.1f}")
    verdict = "PASS" if ratio >= TARGET else "FAIL"
    print()
    print(f"Speed-up over one after another: {ratio:.1f}x (target {TARGET:.0f}x): {verdict}")
    print(f"{with_passages} of {args.sources} sources archived with matching passages.")
    per_source = ", ".join(f"{run} {seconds * 1000:.0f} ms" for run, seconds in cpu.items())
    print(f"Worker CPU per source (user+system): {per_source}.")
    for server in servers:
        server.shutdown()
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
