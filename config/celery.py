"""The Celery application.  Workers start with ``celery -A config worker``.

Each worker counts its tasks and their durations for Prometheus (monitoring/metrics.py); with
``FACTDESK_WORKER_METRICS_PORT`` set, the worker serves them itself on that port (of
``FACTDESK_WORKER_METRICS_ADDR``, loopback by default), for a worker host that runs no web server.
"""

import os
import time

from celery import Celery, signals
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("factdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

TASKS = Counter("factdesk_tasks", "Celery tasks finished, by task and state.", ["task", "state"])
DURATION = Histogram(
    "factdesk_task_duration_seconds",
    "How long each Celery task ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **_) -> None:
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_) -> None:
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    TASKS.labels(name, state or "unknown").inc()
    if started is not None:
        DURATION.labels(name).observe(time.monotonic() - started)


@signals.worker_init.connect
def _serve_metrics(**_) -> None:
    port = os.environ.get("FACTDESK_WORKER_METRICS_PORT")
    if not port:
        return
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(
        int(port), addr=os.environ.get("FACTDESK_WORKER_METRICS_ADDR", "127.0.0.1"), registry=registry
    )
