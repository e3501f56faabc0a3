"""What every API view shares: the error body, the exception handler, the size-limited parser."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


class LimitedJSONParser(JSONParser):
    """JSON with a cap on the body size (``FACTDESK_MAX_BODY_BYTES``): 413 above it, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.FACTDESK_MAX_BODY_BYTES
        if stream is None:
            raise exceptions.ParseError("The request has no body; send a JSON object.")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than the limit of {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding))
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                f"The request body is not valid {encoding}: {error.reason}."
            ) from error
        except ValueError as error:
            raise exceptions.ParseError(f"Malformed JSON: {error}.") from error


def _messages(value):
    """DRF's error detail as plain JSON: ``{field: [message, ...]}``, nested for nested input."""
    if isinstance(value, dict):
        return {key: _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if any(isinstance(item, dict | list) for item in value):
            return [_messages(item) for item in value]
        return [str(item) for item in value]
    return [str(value)]


def error_response(*, status_code: int, code: str, detail: str, errors: dict | None = None, headers=None):
    """The one error body: ``{"code", "detail", "errors": {field: [messages]}}``."""
    return Response(
        {"code": code, "detail": detail, "errors": errors or {}}, status=status_code, headers=headers
    )


def exception_handler(exc, context):
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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail})
        field, messages = next(iter(errors.items()))
        first = messages[0] if messages and isinstance(messages[0], str) else "see errors"
        detail = f"Invalid input ({field}): {first}"
        code = "invalid"
    else:
        detail_value = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        detail = str(detail_value)
        errors = {}
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
    headers = {
        key: value for key, value in response.headers.items() if key in ("WWW-Authenticate", "Retry-After")
    }
    return error_response(
        status_code=response.status_code, code=code, detail=detail, errors=errors, headers=headers
    )
