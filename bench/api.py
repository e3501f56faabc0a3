"""How fast the REST API serves its claims list under gunicorn and PostgreSQL, with concurrent clients.

Usage: .venv/bin/python -m bench.api [--claims 20000] [--database-url postgres://…/factdesk_bench_api]
                                     [--clients 16] [--seconds 10] [--configs sync:2,gthread:2x4,…]
                                     [--rounds 3] [--keep] [--no-peer]

1. Creates the database named in ``--database-url`` (dropping one of that name first; ``--keep`` reuses
   it when it is filled, and keeps it afterwards) and migrates it.
2. Fills it with a newsroom as it looks after some months of use: 4 desks, 12 people, 25 claims per
   article, their states skewed as in use (most resolved, 30% superseded), 20% of the claims flagged
   with 1 to 3 attribution flags each, times of change over three months, and a second newsroom with
   a tenth of the claims.
3. Serves the project with gunicorn as production would (DEBUG off, persistent database connections),
   with HTTPS off (no TLS on loopback) and throttling off (one key would hit its rate at once), once
   per worker configuration of ``--configs``, and drives ``GET /api/v1/claims?page_size=50`` (each
   claim with its flags) from ``--clients`` concurrent keep-alive clients (a closed loop: each sends
   its next request when the answer is in) for ``--seconds`` after a 3 s warm-up: the first pages
   and the pages after them (following the ``next`` cursors) of 8 lists: in id order, by
   check-worthiness, by time of change, flagged only, one desk, unreviewed, one flag kind, and
   check-worthy by time of change.  The clients run in processes of their own, each an event loop on
   raw sockets (prebuilt requests; of an answer, only its status, length and ``Connection`` are read),
   which costs about a third of the CPU that a thread per client with ``http.client`` did (measured
   before 2026-12-07: the figures from then are of that client); both sides are driven alike.
4. Picks the configuration with the most requests per second (among those with p95 under 50 ms, if
   any), then measures the endpoint and the named peer under it in turn, ``--rounds`` times each, so
   that other work on the machine weighs on both alike, and prints the medians.  The peer is the
   same view served the plain DRF way, as the endpoint was before it was made fast: its filters
   validated by their serializer and its query built on each request, ``ListAPIView.list`` with
   the ``ClaimOutput`` ModelSerializer over the claims with every column, their assignees joined
   and their flags prefetched.

Each row: requests per second, p50/p95/p99 latency as the clients saw it, errors, and the CPU (in
cores) that the gunicorn processes, every PostgreSQL process of the machine, and the clients used,
beside how busy the whole machine was (2 cores: other work on it shows there).  PASS when the
endpoint makes at least 400 requests/s with p95 under 50 ms.  Asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import multiprocessing
import os
import random
import secrets
import selectors
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from bench import common

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/factdesk_bench_api"
VENV = REPO / ".venv" / "bin"
TARGET_RPS = 400
TARGET_P95_MS = 50.0
PAGE = 50
CLAIMS_PER_ARTICLE = 25
DEFAULT_CONFIGS = "sync:2,sync:3,sync:4,gthread:2x4,gthread:3x2"
PEER = "DRF ListAPIView.list + ClaimOutput (ModelSerializer)"

SENTENCES = common.NEWS_SENTENCES[:10]  # the claims this bench has always served
# (status, share): resolved claims dominate after months of use; a third were superseded by revisions.
STATUSES = [("superseded", 0.30), ("verified", 0.25), ("not_checkable", 0.15), ("unverifiable", 0.06),
            ("misleading", 0.04), ("false", 0.03), ("unreviewed", 0.10), ("in_review", 0.04),
            ("needs_attribution", 0.03)]  # fmt: skip
FLAG_KINDS = ["hedge", "vague_collective", "anonymous_experts", "agentless_passive", "unnamed_report",
              "vague_quantity", "anonymous_official"]  # fmt: skip
DESKS = ["Politics", "Business", "Science", "City"]


# --- The database ----------------------------------------------------------------------------------


def prepare_database(url: str, *, keep: bool, claims: int) -> bool:
    """Create the bench database (or keep a filled one); True when it still has to be filled."""
    if keep:
        count = common.claims_in(url)
        if count == claims + claims // 10:
            print(f"Reusing {common.admin_url(url)[1]}: {count:,} claims (--keep).")
            return False
    common.recreate_database(url)
    return True


def run_manage(env: dict, *args: str) -> None:
    subprocess.run([str(VENV / "python"), "manage.py", *args], cwd=REPO, env=env, check=True)


def pick(rng: random.Random, choices: list[tuple[str, float]]) -> str:
    return rng.choices([value for value, _ in choices], weights=[share for _, share in choices])[0]


def fill(*, claims: int) -> None:
    """Fill the migrated database (Django set up on it): the big newsroom, and one with a tenth of it."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from editorial import services as editorial
    from editorial.models import Article, Desk, Role
    from factcheck.models import AttributionFlag, Claim, flag_kinds_value

    rng = random.Random(42)
    now = timezone.now()
    for slug, name, count in (
        ("ledger", "The Daily Ledger", claims),
        ("courier", "Valley Courier", claims // 10),
    ):
        newsroom = editorial.newsroom_ensure(name=name, slug=slug, desk_names=DESKS).newsroom
        desks = list(Desk.objects.filter(newsroom=newsroom).order_by("pk"))
        people = [
            editorial.member_upsert(
                newsroom=newsroom, username=f"{slug}-{n}", role=role, desks=[desks[n % len(desks)]]
            ).membership.user
            for n, role in enumerate([Role.FACT_CHECKER] * 8 + [Role.EDITOR] * 3 + [Role.ADMIN])
        ]
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                Article(
                    newsroom=newsroom,
                    desk=desks[n % len(desks)] if n % 20 else None,
                    external_id=f"cms-{n}",
                    title=f"Article {n}",
                    url=f"https://{slug}.example/{n}",
                    byline="By Bench Reporter",
                    body="…",
                    body_format="text",
                    body_hash=f"{n:064d}",
                    canonical_text="…",
                    analysis_status="analyzed",
                    analyzed_revision=1,
                )
                for n in range(max(1, count // CLAIMS_PER_ARTICLE))
            )
            rows = []
            for n in range(count):
                article = articles[n // CLAIMS_PER_ARTICLE % len(articles)]
                text = SENTENCES[(n * 7 + n // CLAIMS_PER_ARTICLE) % len(SENTENCES)]
                text = text.replace("{n}", str(n % 997)).replace("{n2}", str(10 + n % 89))
                status = pick(rng, STATUSES)
                score = round(rng.random(), 4)
                rows.append(
                    Claim(
                        article=article,
                        newsroom=newsroom,
                        desk=article.desk,
                        revision=1,
                        ordinal=n % CLAIMS_PER_ARTICLE + (1000 if status == "superseded" else 0),
                        text=text,
                        start=(n % CLAIMS_PER_ARTICLE) * 120,
                        end=(n % CLAIMS_PER_ARTICLE) * 120 + len(text),
                        paragraph=(n % CLAIMS_PER_ARTICLE) // 3,
                        kind=pick(rng, common.CLAIM_KINDS),
                        checkworthiness=score,
                        checkworthiness_reasons=["contains figures", "names a sum of money"][
                            : int(score * 3)
                        ],
                        status=status,
                        assignee=rng.choice(people[:11])
                        if status not in ("unreviewed", "superseded") or rng.random() < 0.1
                        else None,
                        is_flagged=rng.random() < 0.20,
                    )
                )
            for claim in rows:  # flagged exactly when it has kinds: "," until its flags name them below
                claim.flag_kinds = "," if claim.is_flagged else None
            made = Claim.objects.bulk_create(rows, batch_size=2000)
            flags = []
            for claim in made:
                if claim.is_flagged:
                    for i in range(rng.choice((1, 1, 2, 3))):
                        kind = rng.choice(FLAG_KINDS)
                        flags.append(
                            AttributionFlag(
                                claim=claim,
                                kind=kind,
                                cue="analysts say",
                                start=claim.start + i,
                                end=claim.start + i + 12,
                                severity="medium",
                                message="Which analysts? Name them, or link the report they wrote.",
                            )
                        )
            AttributionFlag.objects.bulk_create(flags, batch_size=2000)
            kinds: dict[int, list[str]] = {}
            for flag in flags:
                kinds.setdefault(flag.claim_id, []).append(flag.kind)
            for claim in made:
                claim.flag_kinds = flag_kinds_value(kinds.get(claim.pk, []))
            Claim.objects.bulk_update([c for c in made if c.is_flagged], ["flag_kinds"], batch_size=2000)
            # Spread the times of change over three months, as incremental syncs would see them.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE factcheck_claim SET updated_at = %s - (id %% 9000) * interval '15 minutes' "
                    "WHERE newsroom_id = %s",
                    [now - dt.timedelta(minutes=1), newsroom.pk],
                )
        print(f"  {newsroom.name}: {len(made):,} claims, {len(flags):,} flags, {len(articles):,} articles")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def bench_key() -> str:
    from editorial import services as editorial
    from editorial.models import Newsroom

    newsroom = Newsroom.objects.get(slug="ledger")
    editorial.api_key_revoke_all(newsroom=newsroom, name="bench")
    return editorial.api_key_create(newsroom=newsroom, name="bench").raw_key


# --- The server ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    kind: str  # sync or gthread
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> Config:
        kind, _, size = text.partition(":")
        workers, _, threads = size.partition("x")
        return cls(kind, int(workers), int(threads or 1))

    def describe(self) -> str:
        if self.kind == "sync":
            return f"{self.workers} sync workers"
        return f"{self.workers} gthread workers x {self.threads} threads"


class Server:
    """gunicorn serving the project (or the peer) on a free loopback port, for one measurement."""

    def __init__(self, config: Config, env: dict, *, app: str = "config.wsgi") -> None:
        self.port = common.free_port()
        command = [str(VENV / "gunicorn"), app, "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(config.workers), "--worker-class", config.kind,
                   "--threads", str(config.threads), "--keep-alive", "30", "--backlog", "512",
                   "--log-level", "warning"]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)

    def wait_until_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/claims")
                if conn.getresponse().status in (200, 401):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far (from /proc)."""
        total = 0.0
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        for pid in pids:
            try:
                total += common.cpu_seconds(pid)
            except OSError:
                continue
        return total

    def stop(self) -> None:
        common.stop_session(self.process, timeout=20)


@functools.cache
def _peer():
    """The peer: the same URL, key, filters and cursor pagination, served the plain DRF way, as the
    endpoint was before it was made fast: the filters validated by their serializer and the query
    built by the selector on each request, ``ListAPIView.list`` with the ``ClaimOutput``
    ModelSerializer, on every column of the claims with their assignees joined and their flags
    prefetched (the selector's query before it read only what the list shows)."""
    from config.wsgi import application  # sets Django up, before DRF's views import our models
    from factcheck import selectors
    from factcheck.api import views

    def filters(self):
        if not hasattr(self, "_filters"):
            given = self.filters_class(data=self.request.query_params)
            given.is_valid(raise_exception=True)
            self._filters = given.validated_data
        return self._filters

    def get_queryset(self):
        filters = self.filters()
        desk_id = views._desk_id(self.request, filters.get("desk"))
        claims = selectors.claim_list(
            newsroom=self.request.auth.newsroom, **views._claim_list_arguments(filters, desk_id=desk_id)
        )
        return claims.defer(None).select_related("assignee").prefetch_related("flags")

    from httpapi.pagination import CursorPage

    view = views.ClaimListView
    view.pagination_class = CursorPage  # the ORM's query on each page, not speed's compiled one
    view.list = views.FilteredListView.list  # DRF's ListAPIView.list: FilteredListView keeps it
    view.filters = filters
    view.get_queryset = get_queryset
    return application


def peer_application(environ, start_response):
    """The peer's WSGI application (gunicorn ``bench.api:peer_application``)."""
    return _peer()(environ, start_response)


# --- The clients -----------------------------------------------------------------------------------


def collect_paths(port: int, key: str, pages_each: int = 12) -> list[str]:
    """The pages the clients ask for: the first and the following ones of several lists."""
    lists = [
        f"/api/v1/claims?page_size={PAGE}",
        f"/api/v1/claims?page_size={PAGE}&ordering=-checkworthiness",
        f"/api/v1/claims?page_size={PAGE}&ordering=-updated_at",
        f"/api/v1/claims?page_size={PAGE}&flagged=true",
        f"/api/v1/claims?page_size={PAGE}&desk=politics&ordering=-checkworthiness",
        f"/api/v1/claims?page_size={PAGE}&status=unreviewed",
        f"/api/v1/claims?page_size={PAGE}&flag_kind=hedge",
        f"/api/v1/claims?page_size={PAGE}&checkworthiness_min=0.5&ordering=-updated_at",
    ]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Api-Key {key}"}
    paths = []
    for first in lists:
        path = first
        for _ in range(pages_each):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status} {body}")
            if len(body["results"]) != PAGE:
                break
            paths.append(path)
            if not body["next"]:
                break
            parts = urlsplit(body["next"])
            path = f"{parts.path}?{parts.query}"
    return paths


def client_process(
    port: int, key: str, paths: list[str], clients: int, start: float, seconds: float, seed: int
):
    """One process of clients: ``clients`` keep-alive connections in a closed loop until the end, each
    sending its next request when the whole answer is in (reconnecting when the server closes).

    One event loop on raw sockets: each request is prebuilt bytes, and of each answer only the status
    line and the ``Content-Length`` and ``Connection`` headers are read.  It measures what a thread per
    client with ``http.client`` measured (the time from sending a request to the end of its answer),
    for about a third of the CPU, which the server, on the same cores, gets instead.
    """
    rng = random.Random(seed)
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Api-Key {key}\r\n"
        f"Accept: application/json\r\n\r\n".encode()
        for path in paths
    ]
    latencies: list[float] = []
    errors = 0
    selector = selectors.DefaultSelector()
    sockets: list[socket.socket | None] = [None] * clients
    buffers = [bytearray() for _ in range(clients)]
    sent = [0.0] * clients

    def send(number: int) -> None:
        nonlocal errors
        sock = sockets[number]
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sockets[number] = sock
                selector.register(sock, selectors.EVENT_READ, number)
            buffers[number].clear()
            sent[number] = time.perf_counter()
            sock.sendall(requests[rng.randrange(len(requests))])
        except OSError:
            latencies.append(time.perf_counter() - sent[number])
            errors += 1
            close(number)
            sent[number] = 0.0

    def close(number: int) -> None:
        sock = sockets[number]
        if sock is not None:
            selector.unregister(sock)
            sock.close()
            sockets[number] = None

    def answered(buffer: bytearray) -> tuple[int, bool] | None:
        """(status, the server closes) once the whole answer is in ``buffer``; None before."""
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return None
        head = bytes(buffer[:head_end]).decode("latin-1").lower().split("\r\n")
        length, closes = 0, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                closes = value.strip() == "close"
        if len(buffer) < head_end + 4 + length:
            return None
        return int(head[0].split()[1]), closes

    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    for number in range(clients):
        send(number)
    cpu = time.process_time()
    while selector.get_map():
        for event, _ in selector.select(timeout=30):
            number = event.data
            sock = sockets[number]
            assert sock is not None
            try:
                data = sock.recv(262144)
            except OSError:
                data = b""
            buffer = buffers[number]
            buffer += data
            done = answered(buffer) if data else None
            if done is None and data:
                continue
            latencies.append(time.perf_counter() - sent[number])
            if done is None or done[0] != 200:
                errors += 1
            if done is None or done[1]:
                close(number)
            if time.time() < end:
                send(number)
            elif sockets[number] is not None:
                close(number)
    return latencies, errors, time.process_time() - cpu


@dataclass(frozen=True)
class Result:
    label: str
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    server_cpu: float  # cores
    database_cpu: float  # cores
    client_cpu: float  # cores
    busy: float  # the whole machine, cores

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def passes(self) -> bool:
        return self.rps >= TARGET_RPS and self.p95 < TARGET_P95_MS and not self.errors


def postgres_cpu_seconds() -> float:
    """CPU time so far of every PostgreSQL process of the machine (other work's included), from /proc."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text.partition(") ")[0].endswith("(postgres"):
            total += common.stat_cpu_seconds(text)
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all the machine's cores, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def load(label: str, server: Server, key: str, paths: list[str], *, clients: int, seconds: float) -> Result:
    processes = max(1, min(4, clients // 8))
    per_process = [clients // processes + (n < clients % processes) for n in range(processes)]
    start = time.time() + 1.0
    context = multiprocessing.get_context("spawn")
    cpu_before, database_before, busy_before = server.cpu_seconds(), postgres_cpu_seconds(), machine_busy()
    with context.Pool(processes) as pool:
        jobs = [
            pool.apply_async(client_process, (server.port, key, paths, threads, start, seconds, n))
            for n, threads in enumerate(per_process)
        ]
        outcomes = [job.get(timeout=seconds + 60) for job in jobs]
    busy_after = machine_busy()
    server_cpu = server.cpu_seconds() - cpu_before
    database_cpu = postgres_cpu_seconds() - database_before
    latencies = sorted(latency for outcome in outcomes for latency in outcome[0])
    errors = sum(outcome[1] for outcome in outcomes)
    client_cpu = sum(outcome[2] for outcome in outcomes)
    cores = os.cpu_count() or 1
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * cores
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(
        label=label,
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        p50=quantiles[49] * 1000,
        p95=quantiles[94] * 1000,
        p99=quantiles[98] * 1000,
        server_cpu=server_cpu / (seconds + 1.0),
        database_cpu=database_cpu / (seconds + 1.0),
        client_cpu=client_cpu / seconds,
        busy=busy,
    )


def median_result(label: str, results: list[Result]) -> Result:
    """Each figure's median over ``results`` (the rounds of one side)."""
    middle = {
        field.name: statistics.median(getattr(result, field.name) for result in results)
        for field in fields(Result)
        if field.name not in ("label", "errors")
    }
    return Result(label=label, errors=sum(result.errors for result in results), **middle)


def measure(label, config, env, key, paths, *, clients, seconds, app="config.wsgi") -> Result:
    server = Server(config, env, app=app)
    try:
        server.wait_until_up()
        load(label, server, key, paths, clients=clients, seconds=min(3.0, seconds))  # warm-up
        return load(label, server, key, paths, clients=clients, seconds=seconds)
    finally:
        server.stop()


def row(result: Result) -> str:
    verdict = "PASS" if result.passes else "fail"
    return (
        f"{result.label:<44} {result.rps:>7.0f} {result.p50:>7.1f} {result.p95:>7.1f} {result.p99:>7.1f} "
        f"{result.errors:>6} {result.server_cpu:>6.2f} {result.database_cpu:>6.2f} {result.client_cpu:>6.2f} "
        f"{result.busy:>5.2f}  {verdict}"
    )


HEADER = (
    f"{'':<44} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
    f"{'server':>6} {'pg':>6} {'client':>6} {'busy':>5}\n"
    f"{'':<44} {'':>7} {'':>7} {'':>7} {'':>7} {'':>6} {'cores':>6} {'cores':>6} {'cores':>6} {'cores':>5}"
)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=20_000, help="claims of the measured newsroom")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement")
    parser.add_argument("--configs", default=DEFAULT_CONFIGS, help="gunicorn configurations to measure")
    parser.add_argument("--keep", action="store_true", help="reuse a filled database, and keep it afterwards")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the endpoint and its peer")
    parser.add_argument("--no-peer", action="store_true", help="do not measure the peer")
    args = parser.parse_args()
    configs = [Config.parse(text) for text in args.configs.split(",")]

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FACTDESK_API_RATE": "",  # throttling off: one key asks for thousands of pages a second
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"Machine: {os.cpu_count()} cores, load average {load_average()} (other work shares them).")
    started = time.perf_counter()
    fresh = prepare_database(args.database_url, keep=args.keep, claims=args.claims)
    run_manage(env, "migrate", "--noinput", "-v", "0")
    os.environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    from django.db import connections

    if fresh:
        print(f"Filling {args.claims:,} claims:")
        fill(claims=args.claims)
        print(f"Filled in {time.perf_counter() - started:.1f} s.")
    key = bench_key()
    connections.close_all()

    try:
        first = Server(configs[0], env)
        try:
            first.wait_until_up()
            paths = collect_paths(first.port, key)
        finally:
            first.stop()
        print(f"{len(paths)} pages of {PAGE} claims (first pages and cursors of 8 lists), {args.clients} "
              f"concurrent clients, {args.seconds:.0f} s each after a 3 s warm-up.\n")  # fmt: skip
        print(HEADER)
        results = []
        for config in configs:
            result = measure(
                f"Factdesk, {config.describe()}",
                config,
                env,
                key,
                paths,
                clients=args.clients,
                seconds=args.seconds,
            )
            results.append((config, result))
            print(row(result), flush=True)
        fits = [pair for pair in results if pair[1].p95 < TARGET_P95_MS and not pair[1].errors]
        best_config, _ = max(fits or results, key=lambda pair: pair[1].rps)
        print(f"\nChosen: {best_config.describe()} (gunicorn --worker-class {best_config.kind} "
              f"--workers {best_config.workers} --threads {best_config.threads}).")  # fmt: skip
        # The endpoint and its peer in turn, so that other work on the machine weighs on both alike.
        print(f"\nThe endpoint and its peer ({PEER}), in turn, {args.rounds} rounds:\n{HEADER}")
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(measure("Factdesk", best_config, env, key, paths, clients=args.clients,
                                seconds=args.seconds))  # fmt: skip
            print(row(ours[-1]), flush=True)
            if not args.no_peer:
                theirs.append(measure("peer", best_config, env, key, paths, clients=args.clients,
                                      seconds=args.seconds, app="bench.api:peer_application"))  # fmt: skip
                print(row(theirs[-1]), flush=True)
        best = median_result(f"Factdesk, median of {args.rounds}", ours)
        print(f"\n{HEADER}\n{row(best)}")
        if theirs:
            peer = median_result(f"peer, median of {args.rounds}", theirs)
            print(row(peer))
            if peer.errors:
                print(f"\nThe peer answered {peer.errors} requests with errors: its figures mean nothing.")
            else:
                print(f"\nThe endpoint against its peer ({PEER}): {best.rps / peer.rps:.1f}x the requests/s, "
                      f"p95 {best.p95:.1f} ms against {peer.p95:.1f} ms.")  # fmt: skip
        verdict = "PASS" if best.passes else "FAIL"
        print(f"{verdict}: {best.rps:.0f} requests/s (target {TARGET_RPS}), p95 {best.p95:.1f} ms "
              f"(target under {TARGET_P95_MS:.0f} ms), {best.errors} errors, under {best_config.describe()} "
              f"with {args.clients} clients; load average now {load_average()}.")  # fmt: skip
    finally:
        if not args.keep:
            common.drop_database(args.database_url)
            print("Dropped the bench database (pass --keep to reuse it).")


if __name__ == "__main__":
    main()
