"""The API's one error body and the exception handler that maps every refusal to it, and the
URLconf's 404 and 500.  (The parser, ``httpapi.parsers``, and the schema class, ``httpapi.schema``, are
imported by DRF's views when they load, so neither may import DRF's views, as this module does.)"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from httpapi.errors import API_PREFIX, DomainError, ErrorCode, error_body, json_error, too_large_message
from httpapi.outputs import Output
from httpapi.parsers import RequestTooLarge

# --- The one error body -----------------------------------------------------------------------------


class ErrorOutput(Output):
    """The body of every error the API answers, whatever the status."""

    code = serializers.ChoiceField(
        choices=ErrorCode.choices,
        help_text="What went wrong, for programs: branch on this (a 409 is `conflict` or "
        "`idempotency_key_in_use`), not on `detail`.",
    )
    detail = serializers.CharField(help_text="What went wrong, for people.")
    # The body's field is named ``errors``, like the serializer's own property: the schema needs that name.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For invalid input: the messages for each field (empty otherwise).",
    )


def error(description: str) -> OpenApiResponse:
    """An error response of an operation, for ``extend_schema(responses=...)``."""
    return OpenApiResponse(ErrorOutput, description=description)


def error_response(
    *,
    status_code: int,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The one error body: ``{"code", "detail", "errors": {field: [messages]}}``."""
    return Response(error_body(code=code, detail=detail, errors=errors), status=status_code, headers=headers)


def _messages(detail: Any) -> dict[str, list[str]]:
    """DRF's error detail as the one body's ``{field: [message, ...]}``.

    A field of nested input is named by its path, ``events.6`` (the seventh item of ``events``) or
    ``claims.2.url``, so that every value is a list of messages, as the schema says.
    """
    flat: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, item in enumerate(value):
                if item:  # DRF leaves an empty {} for the valid items of a list of objects
                    walk(item, f"{path}.{index}" if path else str(index))
        else:
            messages = value if isinstance(value, list) else [value]
            flat.setdefault(path or "non_field_errors", []).extend(str(message) for message in messages)

    walk(detail, "")
    return flat


#: The code of an error whose exception names none of ``ErrorCode``, by its status.
STATUS_CODES = {
    400: ErrorCode.INVALID,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.REQUEST_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.THROTTLED,
}


def _code_of(status_code: int) -> str:
    return STATUS_CODES.get(status_code, ErrorCode.SERVER_ERROR)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(status_code=exc.status_code, code=exc.code, detail=exc.message)
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(too_large_message(settings.FACTDESK_MAX_BODY_BYTES))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        field, messages = next(iter(errors.items()))
        first = messages[0] if messages else "see errors"
        detail = f"Invalid input ({field}): {first}"
        code = "invalid"
    else:
        detail_value = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        detail = str(detail_value)
        errors = {}
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else ""
        code = (
            codes if isinstance(codes, str) and codes in ErrorCode.values else _code_of(response.status_code)
        )
    headers = {
        key: value for key, value in response.headers.items() if key in ("WWW-Authenticate", "Retry-After")
    }
    if isinstance(exc, exceptions.Throttled):
        # DRF leaves the header out when the wait rounds to nothing; a client still needs it.
        headers["Retry-After"] = str(max(1, int(exc.wait or 0)))  # type: ignore[attr-defined]  # set by DRF
    if isinstance(exc, exceptions.MethodNotAllowed) and "Allow" in response.headers:
        headers["Allow"] = response.headers["Allow"]
    return error_response(
        status_code=response.status_code, code=code, detail=detail, errors=errors, headers=headers
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for paths no view answers: the one error body under /api/, the usual page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return json_error(
            status_code=404, code="not_found", detail=f"No such endpoint: {request.path}. See /api/v1/docs."
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500: the one error body under /api/ (the error itself is logged), the usual page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return json_error(
            status_code=500, code="server_error", detail="Something went wrong on our side; it is logged."
        )
    return defaults.server_error(request)
