"""Safe retries: a POST sent again with the same ``Idempotency-Key`` gets the first answer, and the
work is done once.

The first request with a key stores a row (unique per API key and key) before the view runs, and
the response after it.  Meanwhile the same key answers 409 (the unique constraint decides which of
two simultaneous requests runs; the other is told to retry); afterwards, the stored response, with
``Idempotent-Replayed: true``.  The same key with another method, path or body is a 422.

What is kept: 2xx, and the 4xx that say something about the request itself (400, 403, 404, 409,
410, 422), so that a retry learns the same.  Never a 5xx, a 401, a 413, a 415 or a 429: those say
nothing final, and the row is dropped so that the retry runs.  Rows expire after
``FACTDESK_API_IDEMPOTENCY_TTL`` seconds; each new row purges a batch of expired ones, and an expired
row is ignored wherever it is met.  A row left without a response (the process died mid-request)
is taken over after ``STALE_AFTER``.

It wraps every view of the API in the URLconf (``idempotent_routes``), so that no view can forget it.
It runs before the view, so it reads the API key itself (and leaves it on the request, for the view's
authentication); a request without a valid key goes straight to the view (and its 401).  A replay is
answered from the row: it runs no view, and no throttle.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from editorial.models import ApiKey, IdempotencyRecord
from httpapi.authentication import request_api_key
from httpapi.errors import json_error
from httpapi.headers import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, REPLAYED_HEADER

META_NAME = "HTTP_" + IDEMPOTENCY_HEADER.upper().replace("-", "_")
KEY_PATTERN = re.compile(IDEMPOTENCY_KEY_PATTERN)
STALE_AFTER = timedelta(minutes=5)
KEPT_STATUSES = frozenset({400, 403, 404, 409, 410, 422})
KEPT_HEADERS = ("Content-Type", "Location")
#: Larger responses (only the analysis preview's can be) are not kept: a retry runs again.
MAX_KEPT_BYTES = 1_000_000
PURGE_BATCH = 100


@dataclass(frozen=True)
class Begun:
    """What to do with a request that carries a key: run it (``record`` is then ours), replay, or refuse."""

    record: IdempotencyRecord | None = None
    replay: IdempotencyRecord | None = None
    conflict: bool = False
    mismatch: bool = False


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotency_begin(*, api_key: ApiKey, key: str, method: str, path: str, request_digest: str) -> Begun:
    """Claim ``key`` for this request, or say what became of the request that claimed it first."""
    for _ in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=api_key,
                    key=key,
                    fingerprint=request_digest,
                    method=method,
                    path=path,
                    expires_at=now + timedelta(seconds=settings.FACTDESK_API_IDEMPOTENCY_TTL),
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
            if existing is None:
                continue  # purged between the two statements: claim it again
            abandoned = existing.response_status is None and existing.created_at <= now - STALE_AFTER
            if existing.expires_at <= now or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk).delete()
                continue
            if existing.fingerprint != request_digest:
                return Begun(mismatch=True)
            if existing.response_status is None:
                return Begun(conflict=True)
            return Begun(replay=existing)
        _purge_expired(now)
        return Begun(record=record)
    return Begun(conflict=True)  # three races lost in a row: let the client retry


def idempotency_complete(*, record: IdempotencyRecord, response: HttpResponseBase) -> None:
    """Keep ``response`` for the retries, if it is worth keeping; otherwise free the key."""
    status = response.status_code
    body: bytes | None = (
        getattr(response, "content", None) if not getattr(response, "streaming", False) else None
    )
    keep = 200 <= status < 300 or status in KEPT_STATUSES
    if keep and body is not None and len(body) <= MAX_KEPT_BYTES:
        try:
            text = body.decode(response.charset or "utf-8")
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                response_status=status, response_body=text, response_headers=headers
            )
            return
    idempotency_abandon(record=record)


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def _purge_expired(now: datetime) -> None:
    expired = IdempotencyRecord.objects.filter(expires_at__lte=now).values("pk")[:PURGE_BATCH]
    IdempotencyRecord.objects.filter(pk__in=expired).delete()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    headers = dict(record.response_headers)
    response = HttpResponse(
        record.response_body.encode("utf-8"),
        status=record.response_status,
        content_type=headers.pop("Content-Type", "application/json"),
    )
    for name, value in headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """``view``, honouring ``Idempotency-Key`` on POST (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.META.get(META_NAME)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        try:
            api_key = request_api_key(request)  # kept on the request: the view's authentication reuses it
        except AuthenticationFailed:
            api_key = None
        if api_key is None:
            return view(request, *args, **kwargs)  # a 401: nothing to keep
        # A body over FACTDESK_MAX_BODY_BYTES never gets here: BodyLimitMiddleware answers 413 first.
        if not KEY_PATTERN.fullmatch(key):
            message = (
                "The header is empty: send a key unique to this request, or no header at all."
                if not key.strip()
                else "Send 1 to 255 printable ASCII characters, not starting with a space."
            )
            return json_error(
                status_code=400,
                code="invalid",
                detail=f"Invalid input ({IDEMPOTENCY_HEADER}): {message}",
                errors={IDEMPOTENCY_HEADER: [message]},
            )
        path = request.get_full_path()
        begun = idempotency_begin(
            api_key=api_key,
            key=key,
            method=request.method,
            path=path,
            request_digest=fingerprint(method=request.method, path=path, body=request.body),
        )
        if begun.mismatch:
            return json_error(
                status_code=422,
                code="idempotency_key_reused",
                detail=f"This {IDEMPOTENCY_HEADER} was used with a different request (method, path or "
                "body). Use a new key for a new request.",
            )
        if begun.conflict:
            return json_error(
                status_code=409,
                code="idempotency_key_in_use",
                detail=f"A request with this {IDEMPOTENCY_HEADER} is still being answered. Retry in a "
                "moment to get its response.",
            )
        if begun.replay is not None:
            return _replay(begun.replay)
        record = begun.record
        if record is None:  # begun is one of the four outcomes, and the other three returned above
            raise RuntimeError("idempotency_begin gave no record to run the request under")
        try:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render):
                response = render()  # DRF's responses: render now, to keep the bytes sent
        except BaseException:
            idempotency_abandon(record=record)
            raise
        idempotency_complete(record=record, response=response)
        return response

    return wrapped


def idempotent_routes(routes: Iterable[URLPattern | URLResolver]) -> list[URLPattern]:
    """``routes`` with each view wrapped by :func:`idempotent`: the URLconf applies it to the whole API."""
    wrapped = []
    for route in routes:
        if not isinstance(route, URLPattern):
            raise TypeError(f"{route!r}: nested includes are not wrapped; list the routes themselves.")
        wrapped.append(URLPattern(route.pattern, idempotent(route.callback), route.default_args, route.name))
    return wrapped
