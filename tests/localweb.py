"""A real HTTP server on loopback for tests that fetch: scripted answers per path, and a log of hits.

    with LocalWeb("127.0.0.2") as web:
        web.route("/report", Answer(body=b"<html>...</html>"))
        web.route("/flaky", Answer(status=500), Answer(body=b"ok", content_type="text/plain"))
        web.url("/report")  # http://127.0.0.2:<port>/report

A path answers its scripted answers in turn, then repeats the last one.  Every request is counted
in ``hits`` (by path), so a test can say how often a source was really fetched.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    #: When set, the answer waits for this event (at most a minute) before it is sent: a fetch that is
    #: surely still running when the test acts, however slow the machine.
    hold: threading.Event | None = None


class LocalWeb:
    def __init__(self, host: str = "127.0.0.2") -> None:
        self.host = host
        self.routes: dict[str, list[Answer]] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with web._lock:
                    web.hits[path] += 1
                    answers = web.routes.get(path) or [Answer(status=404, body=b"not here")]
                    answer = answers[min(web.hits[path], len(answers)) - 1]
                    web.last_query[path] = self.path.partition("?")[2]
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.hold is not None:
                    answer.hold.wait(timeout=60)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        self.last_query: dict[str, str] = {}
        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str, *answers: Answer) -> str:
        with self._lock:
            self.routes[path] = list(answers)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}{path}"
