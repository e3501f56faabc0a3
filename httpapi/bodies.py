"""Request bodies: one size limit for every path, checked before anything reads the body, and chunked
bodies read up to that limit.

``FACTDESK_MAX_BODY_BYTES`` is the largest body any request may send (Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is set to the same value).  :class:`BodyLimitMiddleware` refuses a
larger ``Content-Length`` at once, 413, with the API's error body under ``/api/``.

A chunked body (``Transfer-Encoding: chunked``) has no ``Content-Length``, and Django reads a body by
its length only, so it would see none ("field is required").  gunicorn takes the chunks off and says
that its ``wsgi.input`` ends where the body ends (``wsgi.input_terminated``); :class:`ChunkedBodies`,
around the WSGI application, then reads the body, at most one byte more than the limit, and hands it
to Django with its length.  A server that does not say so gets a 411: send a ``Content-Length``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

import io

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from httpapi.errors import API_PREFIX, json_error, too_large_message


def _chunked(environ: WSGIEnvironment) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


class ChunkedBodies:
    """WSGI middleware: a chunked body, read up to the limit, reaches Django with a ``Content-Length``."""

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if _chunked(environ) and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            # One byte over the limit is enough for BodyLimitMiddleware to refuse it; the rest is
            # never read into memory.
            body = environ["wsgi.input"].read(settings.FACTDESK_MAX_BODY_BYTES + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.application(environ, start_response)


def _refusal(request: HttpRequest, *, status: int, code: str, detail: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return json_error(status_code=status, code=code, detail=detail)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class BodyLimitMiddleware:
    """Refuses, before any view reads it, a body over ``FACTDESK_MAX_BODY_BYTES`` (413) and a body
    whose length the server could not give (411)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        if _chunked(meta) and not meta.get("CONTENT_LENGTH"):
            return _refusal(
                request,
                status=411,
                code="length_required",
                detail="This server cannot read a chunked body here: send the body with a Content-Length "
                "header.",
            )
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(
                request, status=400, code="invalid", detail="Content-Length is not a whole number of bytes."
            )
        limit = settings.FACTDESK_MAX_BODY_BYTES
        if length > limit:
            return _refusal(request, status=413, code="request_too_large", detail=too_large_message(limit))
        return self.get_response(request)
