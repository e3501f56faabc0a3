"""Prometheus metrics at /metrics: requests by route, method and status and their durations (the
``RequestMetrics`` middleware), the Celery tasks' counts and durations (recorded by config/celery.py
in each worker), and, computed when scraped, the broker's queue depths and the work recorded in the
database and not yet done.  All with prometheus-client; django-prometheus (2.5.0, its latest) requires
Django < 6.1, so it cannot be installed beside this project's Django.

Not public: the view answers 404 unless ``FACTDESK_METRICS_TOKEN`` is set, and then only to a request
with ``Authorization: Bearer <that token>`` (Prometheus's ``authorization`` in a scrape config).
Several processes on one host (gunicorn's workers, a prefork worker's children) share their counts
through prometheus_client's multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder of
that host for all of them.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from celery import current_app
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import ChannelError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "factdesk_http_requests",
    "HTTP requests answered, by route, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "factdesk_http_request_duration_seconds",
    "How long requests took to answer, by route and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class RequestMetrics:
    """Counts each request and times it, labelled by its URL pattern (never the raw path, so that the
    labels stay few), its method and its status."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name or "") if match is not None else "unmatched"
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        LATENCY.labels(route, method).observe(time.monotonic() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class Backlog:
    """Collected at each scrape: messages waiting in each broker queue, and the work owed by kind."""

    def collect(self):
        from factcheck.operations import backlogs  # the apps are loaded by the time anyone scrapes

        depth = GaugeMetricFamily(
            "factdesk_queue_depth", "Messages waiting in the broker's queue.", labels=["queue"]
        )
        try:
            with current_app.connection_for_write() as broker:
                broker.ensure_connection(
                    max_retries=1, interval_start=0, timeout=settings.FACTDESK_READYZ_TIMEOUT
                )
                channel = broker.default_channel
                for queue in settings.CELERY_TASK_QUEUES:
                    try:
                        waiting = channel.queue_declare(queue.name, passive=True).message_count
                    except ChannelError:  # never declared on this broker (a fresh one): empty
                        waiting = 0
                    depth.add_metric([queue.name], waiting)
        except Exception as error:  # the broker down: no depth to report, the rest still is
            logger.warning("queue depths unavailable: %s", type(error).__name__)
        yield depth
        owed = GaugeMetricFamily(
            "factdesk_backlog", "Work recorded in the database and not yet done.", labels=["kind", "state"]
        )
        for kind, state, count in backlogs():
            owed.add_metric([kind, state], count)
        yield owed


def _authorised(request) -> bool:
    token = settings.FACTDESK_METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
@require_GET
def metrics(request):
    """The metrics in Prometheus's text format, for a scraper holding the token (else 404)."""
    if not _authorised(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    computed = CollectorRegistry()
    computed.register(Backlog())
    return HttpResponse(
        generate_latest(processes) + generate_latest(computed), content_type=CONTENT_TYPE_LATEST
    )
