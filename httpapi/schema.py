"""The OpenAPI schema class: drf-spectacular's, with the errors every operation shares documented on each."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from httpapi.handlers import error
from httpapi.headers import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, REPLAYED_HEADER

#: Errors any operation can answer.
COMMON_ERRORS = {
    401: "No API key, or an unknown or revoked one.",
    429: "Too many requests with this API key: try again after the seconds in `Retry-After`.",
}
#: Errors any POST can answer (the first four only when it takes a body).
POST_ERRORS = {
    400: "Invalid input: `errors` has a message per field.",
    411: "A chunked body this server could not read: send a `Content-Length`.",
    413: "The request body is over the configured limit (`FACTDESK_MAX_BODY_BYTES`).",
    415: "The body is not JSON: send `Content-Type: application/json`.",
    409: f"A request with the same `{IDEMPOTENCY_HEADER}` is still being answered: retry in a moment.",
    422: f"This `{IDEMPOTENCY_HEADER}` was used before with a different request (method, path or body).",
}
NOT_FOUND = "No such object in your newsroom."
BAD_PAGE_SIZE = "A filter is invalid, or `page_size` is not a whole number from 1 to 200."
BAD_CURSOR = "The cursor is not one this list gave: follow `next` and `previous` as they are."


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every operation shares documented on each of them.

    Each view documents its own errors (a 403 of the workflow, a 409 of a state); this adds 401 and
    429 to all, 404 to those with an object in the path, and what a POST can meet (the body and the
    ``Idempotency-Key``), and gives every error the one body, ``ErrorOutput``.
    """

    def get_override_parameters(self) -> list[Any]:
        parameters = [
            *super().get_override_parameters(),
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before the next request.",
            ),
        ]
        if self.method == "POST":
            parameters += [
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    pattern=f"^{IDEMPOTENCY_KEY_PATTERN}$",  # what the idempotency wrapper accepts; else 400
                    description=(
                        "Any unique string of up to 255 printable ASCII characters (a UUID, say). A retry "
                        "with the same key and the same body gets the first response again, with "
                        f"`{REPLAYED_HEADER}: true`, instead of doing the work twice; keys are kept for "
                        "24 hours by default."
                    ),
                ),
                OpenApiParameter(
                    REPLAYED_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=[200, 201, 202, 400, 403, 404, 409],
                    description="`true` when this is the stored response to an earlier request with the "
                    f"same `{IDEMPOTENCY_HEADER}`.",
                ),
            ]
        return parameters

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = dict(COMMON_ERRORS)
        if "{" in self.path:
            wanted[404] = NOT_FOUND
        elif self.method == "GET" and self._get_paginator() is not None:
            wanted[400] = BAD_PAGE_SIZE
            wanted[404] = BAD_CURSOR
        if self.method == "POST":
            has_body = self.get_request_serializer() is not None
            wanted.update(
                {code: text for code, text in POST_ERRORS.items() if has_body or code in (409, 422)}
            )
        for code, description in wanted.items():
            key = str(code)
            if key not in responses:
                responses[key] = self._error_response(key, description)
            elif code == 409 and self.method == "POST":
                responses[key]["description"] += f" Or: {description[0].lower()}{description[1:]}"
        for key, response in responses.items():
            if key.startswith(("4", "5")) and "content" not in response:
                response.update(self._error_response(key, response.get("description", "")))
        return responses

    def _error_response(self, code: str, description: str) -> dict[str, Any]:
        response: dict[str, Any] = self._get_response_for_code(error(description), code)
        return response
