"""The API's parser: strict JSON, size-limited.  DRF's views import it when they load, so it imports no
view (nor ``httpapi.handlers``, which does)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import IO, Any, NoReturn

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from httpapi.errors import too_large_message


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


#: Deepest nesting of arrays and objects a body may have.  No operation takes more than a few levels;
#: the limit keeps every later walk of the parsed value (validation, error messages) far from
#: Python's recursion limit.
MAX_JSON_DEPTH = 64


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity); send a number or null")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a 64-bit float")
    return value


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in ``value``, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        stack.extend((child, level + 1) for child in item)
    return deepest


class LimitedJSONParser(JSONParser):
    """Strict JSON with a cap on the body size (``FACTDESK_MAX_BODY_BYTES``): 413 above it; 400 for
    anything that is not standard JSON (``NaN``, ``Infinity``, a number too large to be finite),
    nests deeper than ``MAX_JSON_DEPTH`` or is not text; never a 500."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.FACTDESK_MAX_BODY_BYTES
        if stream is None:
            raise exceptions.ParseError("The request has no body; send a JSON object.")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(too_large_message(limit))
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            value = json.loads(
                raw.decode(encoding), parse_constant=_refuse_constant, parse_float=_finite_float
            )
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                f"The request body is not valid {encoding}: {error.reason}."
            ) from error
        except RecursionError:
            value = None
            depth = MAX_JSON_DEPTH + 1
        except ValueError as error:
            raise exceptions.ParseError(f"Malformed JSON: {error}.") from error
        else:
            depth = _depth(value)
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"Malformed JSON: arrays and objects nest deeper than {MAX_JSON_DEPTH} levels."
            )
        return value
