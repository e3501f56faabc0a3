"""Domain errors that every interface understands: the API maps them to a status, the admin shows them;
and the API's one error body, for what answers outside DRF (the URLconf's handlers, the body limit).

Nothing here imports DRF: httpapi/bodies.py, a middleware, uses it, and DRF's views import httpapi.handlers.
"""

from django.db import models
from django.http import JsonResponse

API_PREFIX = "/api/"


class ErrorCode(models.TextChoices):
    """The ``code`` of every error body: what went wrong, for programs to branch on."""

    INVALID = "invalid", "Invalid input: `errors` has the messages per field."
    PARSE_ERROR = "parse_error", "The body is not JSON."
    NOT_AUTHENTICATED = "not_authenticated", "No API key."
    AUTHENTICATION_FAILED = "authentication_failed", "An unknown or revoked API key, or another scheme."
    PERMISSION_DENIED = "permission_denied", "The key's role may not do this."
    NOT_FOUND = "not_found", "No such object in your newsroom, or no such path."
    CONFLICT = "conflict", "Not allowed from the object's current state, or it changed since."
    METHOD_NOT_ALLOWED = "method_not_allowed", "The path does not take this method."
    NOT_ACCEPTABLE = "not_acceptable", "The API cannot answer in the media type asked for."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body is not application/json."
    REQUEST_TOO_LARGE = "request_too_large", "The body is over the size limit."
    LENGTH_REQUIRED = "length_required", "A chunked body this server cannot read."
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use", "A request with this Idempotency-Key is in flight."
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", "This Idempotency-Key was used for another request."
    THROTTLED = "throttled", "Too many requests: wait for Retry-After seconds."
    TRAILING_SLASH = "trailing_slash", "API paths have no trailing slash: follow the 308."
    SERVER_ERROR = "server_error", "Something went wrong on the server."


def error_body(*, code: str, detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, object]:
    return {"code": code, "detail": detail, "errors": errors or {}}


def json_error(
    *, status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The one error body, answered from outside a DRF view (the URLconf's handlers, idempotency)."""
    return JsonResponse(error_body(code=code, detail=detail, errors=errors), status=status_code)


def too_large_message(limit: int) -> str:
    return f"The request body is larger than the limit of {limit:,} bytes (FACTDESK_MAX_BODY_BYTES)."


class DomainError(Exception):
    """A refusal with a message for the person who asked.  ``status_code`` is what the API answers."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    """Not allowed from the current state (another person got there first, or the workflow forbids it)."""

    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    """Not yours to do: your role does not allow it."""

    status_code = 403
    code = "permission_denied"
