"""Health for load balancers and orchestrators: /healthz (the process answers) and /readyz (the
database, the broker and at least one worker answer, each with its state; 503 when any does not).

Neither needs a login, and neither says more than each dependency's state and the class of its error:
no address, no credentials.  django-health-check was measured for this: its releases after 4.8 need
Python 3.14, and 4.8's view answers 500 (not 503) on a failed check and its Celery check asks for a
worker on every queue; these three checks are a few lines each.
"""

from __future__ import annotations

import time

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is up and serving requests (nothing else is checked: a liveness probe)."""
    return JsonResponse({"status": "ok"})


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        state = {"ok": True, **check()}
    except Exception as error:  # any failure of a dependency is its state, not this view's
        state = {"ok": False, "error": type(error).__name__}
    state["seconds"] = round(time.monotonic() - started, 3)
    return state


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _broker() -> dict:
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=settings.FACTDESK_READYZ_TIMEOUT)
        return {"transport": broker.transport_cls}


def _workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"workers": 0, "note": "tasks run in the web process (CELERY_TASK_ALWAYS_EAGER)"}
    replies = current_app.control.ping(timeout=settings.FACTDESK_READYZ_TIMEOUT, limit=1)
    if not replies:
        raise LookupError("no worker answered")
    return {"workers": len(replies)}


@never_cache
@require_GET
def readyz(request):
    """Ready to take work: 200 when the database, the broker and a worker answer, else 503."""
    checks = {"database": _timed(_database), "broker": _timed(_broker)}
    checks["workers"] = _timed(_workers) if checks["broker"]["ok"] else {"ok": False, "error": "BrokerDown"}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )
