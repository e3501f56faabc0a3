"""Domain errors that every interface understands: the API maps them to a status, the admin shows them;
and the API's one error body, for what answers outside DRF (the URLconf's handlers, the body limit).

Nothing here imports DRF: httpapi/bodies.py, a middleware, uses it, and DRF's views import httpapi.handlers.
"""

from django.http import JsonResponse

API_PREFIX = "/api/"


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
