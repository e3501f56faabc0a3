"""One path convention for the API: no trailing slash.

Every API path is written without one (``/api/v1/claims/42``).  A request for the same path with a
trailing slash is answered ``308 Permanent Redirect`` to the path without it, which keeps the method
and the body (a POST stays a POST), with the API's error body saying where to go.  A path that is
not an API path with or without the slash is left to the URLconf (a 404 in the error body).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import is_valid_path

from httpapi.errors import API_PREFIX, error_body


def trailing_slash_redirect(request: HttpRequest) -> JsonResponse | None:
    """The 308 to ``request``'s path without its trailing slash, when that path is the API's; else None."""
    path = request.path_info
    if not (path.startswith(API_PREFIX) and path.endswith("/")) or is_valid_path(path):
        return None
    bare = path.rstrip("/")
    if not bare or not is_valid_path(bare):
        return None
    location = request.path[: len(request.path) - (len(path) - len(bare))]
    if query := request.META.get("QUERY_STRING"):
        location += f"?{query}"
    response = JsonResponse(
        error_body(
            code="trailing_slash",
            detail=f"API paths have no trailing slash: {request.method} {location}",
        ),
        status=308,
    )
    response["Location"] = location
    return response


class TrailingSlashMiddleware:
    """Answers an API path written with a trailing slash with a 308 to the path without it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return trailing_slash_redirect(request) or self.get_response(request)
