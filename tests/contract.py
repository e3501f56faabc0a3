"""Every API response a test receives, checked against the OpenAPI schema by a strict validator.

``tests/conftest.py`` wraps Django's test ``Client.request`` (and so DRF's ``APIClient``) for the whole
session: each response to an operation the schema has is validated with openapi-core against the
live schema (drf-spectacular's, as ``/api/v1/schema`` serves it), so a response the schema does not
allow fails the test that got it, whatever the test asserts.  Strict means:

- the status must be one the operation documents, with the content type it documents;
- the body must match its schema, and an object may have no property the schema does not name
  (openapi-core's ``additional_properties_default_policy="forbid"``);
- ``nullable`` means what OpenAPI 3.0 says: ``null`` only where a typed schema allows it.

A response to a path or method the schema does not have (an unknown path, a 405, a trailing-slash
redirect) is left alone: there is no contract for it to break.

A new endpoint or field needs nothing here: its test's responses are checked as soon as it is in
the schema.  A test that must receive a response the schema does not allow (to show that this
check catches it) uses :func:`unchecked`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

API_PREFIX = "/api/v1/"
#: The schema and its documentation page are not operations of the schema.
NOT_OPERATIONS = ("/api/v1/schema", "/api/v1/docs")

_state = threading.local()


class ContractViolation(AssertionError):
    """A response the OpenAPI schema does not allow."""


def schema() -> dict[str, Any]:
    """The live OpenAPI schema, as ``/api/v1/schema`` serves it under the current settings."""
    return _schema(settings.SITE_URL)


@functools.cache
def _schema(site_url: str) -> dict[str, Any]:
    """One per site URL (its ``servers``): a test that overrides SITE_URL gets a schema of its own, and the
    tests after it the one of theirs."""
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def validator() -> OpenAPI:
    """openapi-core's validator for the live schema (which it checks first, as a valid OpenAPI 3.0)."""
    spec = copy.deepcopy(schema())
    spec.pop("servers", None)  # the tests' requests go to http://testserver, not SITE_URL
    config = Config(
        additional_properties_default_policy="forbid",
        extra_media_type_deserializers={"application/ld+json": json.loads},  # ClaimReview's JSON-LD
    )
    return OpenAPI.from_dict(spec, config=config)


def validate(request: HttpRequest, response: HttpResponseBase) -> None:
    """Raises :class:`ContractViolation` when ``response`` to ``request`` breaks the schema."""
    path = request.path
    if not path.startswith(API_PREFIX) or path.startswith(NOT_OPERATIONS) or request.resolver_match is None:
        return  # not an operation, or answered before any view (a 308 to the path without a slash)
    if getattr(response, "streaming", False):
        # A streamed file (the export's CSV or JSON Lines): the schema gives its media types, and
        # reading its body here would consume the stream the test reads; tests/factcheck/test_exports.py
        # checks its rows.
        return
    try:
        validator().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        return
    except Exception as error:
        reasons = [reason for cause in _causes(error) if (reason := _reason(cause))] or [str(error)[:300]]
        raise ContractViolation(
            f"{request.method} {request.get_full_path()} answered {response.status_code}, which the OpenAPI "
            f"schema does not allow: {type(error).__name__}: "
            + "; ".join(reasons)
            + f"\nbody: {getattr(response, 'content', b'')[:1500]!r}"
        ) from None


def _causes(error: BaseException) -> Iterator[BaseException]:
    cause: BaseException | None = error
    while cause is not None:
        yield cause
        yield from getattr(cause, "schema_errors", ())
        cause = cause.__cause__


def _reason(error: BaseException) -> str:
    """A jsonschema error as where and what (``claims/0/url: '' is valid under each of ...``)."""
    message = getattr(error, "message", None)
    if message is None:
        return ""
    path = "/".join(str(part) for part in getattr(error, "absolute_path", ()))
    return f"{path or '(body)'}: {message[:300]}"


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """Responses inside are not validated (for a test that shows the validator refuses one)."""
    _state.off = True
    try:
        yield
    finally:
        _state.off = False


def checking_request(original: Any) -> Any:
    """``Client.request`` that validates the response it returns."""

    @functools.wraps(original)
    def request(self: Client, **request: Any) -> Any:
        response = original(self, **request)
        wsgi_request = getattr(response, "wsgi_request", None)
        if wsgi_request is not None and not getattr(_state, "off", False):
            validate(wsgi_request, response)
        return response

    return request
