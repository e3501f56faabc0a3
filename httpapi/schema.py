"""The OpenAPI schema class: drf-spectacular's, with the errors every operation shares documented on each."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, Literal

from django.conf import settings
from django.db.models import Choices
from django.utils.module_loading import import_string
from drf_spectacular import openapi
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from httpapi.handlers import error
from httpapi.headers import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, REPLAYED_HEADER

#: Errors any operation can answer.
COMMON_ERRORS = {
    401: "No API key, or an unknown or revoked one.",
    406: "The API answers in JSON only: send `Accept: application/json`, or no `Accept`.",
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


# --- The contract: what postprocess_schema_enums leaves for generated clients to trip on ------------


def _walk(node: Any) -> Any:
    """Every dict in ``node``, depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _choice_values(choices: Any) -> tuple[str, ...]:
    """The values of an ``ENUM_NAME_OVERRIDES`` entry (a dotted path to choices, or choices)."""
    if isinstance(choices, str):
        choices = import_string(choices)
    if isinstance(choices, type) and issubclass(choices, Choices):
        return tuple(str(value) for value in choices.values)
    return tuple(str(choice if isinstance(choice, str) else choice[0]) for choice in choices)


def enum_varname(value: str) -> str:
    """A readable constant name for an enum value: ``-updated_at`` → ``UPDATED_AT_DESC``,
    ``claim.status_changed`` → ``CLAIM_STATUS_CHANGED``."""
    descending = value.startswith("-")
    name = re.sub(r"[^0-9A-Za-z]+", "_", value.lstrip("-")).strip("_").upper() or "BLANK"
    if name[0].isdigit():
        name = f"V{name}"
    return f"{name}_DESC" if descending else name


def _named_enums(schemas: dict[str, Any]) -> dict[frozenset[str], str]:
    """Each enum's values → its component's name: the components', then ENUM_NAME_OVERRIDES'."""
    named = {
        frozenset(schema["enum"]): name
        for name, schema in schemas.items()
        if "enum" in schema and None not in schema["enum"] and "" not in schema["enum"]
    }
    for name, choices in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        named.setdefault(frozenset(_choice_values(choices)), name)
    return named


def _reuse_enums_in_parameters(result: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A query parameter's enum becomes a reference to the one component with its values, so a filter
    takes the very type its objects carry (``status=claim.status``) and no generator makes a copy."""
    named = _named_enums(schemas)
    for operation in _walk(result.get("paths", {})):
        for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
            holder = parameter.get("schema", {})
            if holder.get("type") == "array":
                holder = holder.get("items", {})
            values = holder.get("enum")
            if not values:
                continue
            name = named.get(frozenset(values))
            if name is None:
                raise ValueError(
                    f"The enum of the query parameter {parameter['name']} ({values}) has no name: "
                    "add it to ENUM_NAME_OVERRIDES."
                )
            schemas.setdefault(name, {"type": "string", "enum": list(values)})
            if "default" in holder:
                parameter["description"] = (
                    f"{parameter.get('description', '')}\n\nDefault: `{holder['default']}`.".strip()
                )
            holder.clear()
            holder["$ref"] = f"#/components/schemas/{name}"


NULL = {"$ref": "#/components/schemas/NullEnum"}


def _type_nullable_references(schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """OpenAPI 3.0 ignores ``nullable`` beside no ``type``, and a ``$ref`` inside a nullable schema
    still refuses null.  A nullable reference (``allOf: [$ref]``) becomes ``oneOf`` the referenced
    schema or ``NullEnum`` (null only): null matches the second branch only, any other value the
    first only.  A reference to an enum keeps ``nullable`` with the enum's type beside it; one to an
    object needs neither (``type: object`` there would be an object with no properties, which a strict
    validator reads as "no property allowed")."""
    if not schema.get("nullable") or "type" in schema:
        return
    branches = schema.get("oneOf") or schema.pop("allOf", None) or []
    types = set()
    for branch in branches:
        target = schemas.get(branch.get("$ref", "").rpartition("/")[2], branch)
        if target.get("enum") != [None]:
            types.add(target.get("type", "object"))
    if NULL not in branches:
        branches.append(NULL)
    schemas.setdefault("NullEnum", {"enum": [None]})
    schema["oneOf"] = branches
    if types == {"object"}:
        del schema["nullable"]
    elif len(types) == 1:
        schema["type"] = types.pop()


def _one_branch_for_each_value(schema: dict[str, Any]) -> None:
    """A URL or blank (``oneOf: [uri, maxLength 0]``): "" matched both branches, which ``oneOf``
    forbids.  The URL branch takes at least one character, so every value matches exactly one."""
    branches = schema.get("oneOf")
    if not isinstance(branches, list) or not any(branch.get("maxLength") == 0 for branch in branches):
        return
    for branch in branches:
        if "default" in branch:
            schema.setdefault("default", branch.pop("default"))
        if branch.get("type") == "string" and branch.get("maxLength") != 0:
            branch["minLength"] = max(1, branch.get("minLength", 0))


def _describe_responses(result: dict[str, Any]) -> None:
    """A response needs a description (OpenAPI requires one, and an empty one is invalid)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if not response.get("description"):
                    response["description"] = HTTPStatus(int(status)).phrase


def postprocess_contract(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """After drf-spectacular's enum hook: what generated clients and strict validators need.

    - every enum a named component, reused by the query parameters, with ``x-enum-varnames``
      (readable constant names, ``UPDATED_AT_DESC`` rather than ``VALUE_5``);
    - nullable references typed, and blank-or-URL fields with one branch per value;
    - the server from ``SITE_URL``.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _reuse_enums_in_parameters(result, schemas)
    _describe_responses(result)
    for schema in _walk(result):
        _type_nullable_references(schema, schemas)
        _one_branch_for_each_value(schema)
    for schema in schemas.values():
        values = schema.get("enum")
        if values and all(isinstance(value, str) for value in values):
            schema["x-enum-varnames"] = [enum_varname(value) for value in values]
    result["servers"] = [{"url": settings.SITE_URL, "description": "This Factdesk (SITE_URL)."}]
    return dict(sorted(result.items(), key=lambda item: SCHEMA_KEY_ORDER.get(item[0], 99)))


SCHEMA_KEY_ORDER = {"openapi": 0, "info": 1, "servers": 2, "paths": 3, "components": 4, "security": 5}
