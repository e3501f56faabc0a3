"""The cursor pagination every API list shares."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

if TYPE_CHECKING:  # DRF imports this module while loading its views: no import of them at run time
    from rest_framework.request import Request
    from rest_framework.views import APIView


@dataclass(frozen=True)
class Cursor:
    values: tuple[Any, ...]  # the boundary row's values, one per field of the order
    backwards: bool


class CursorPage(BasePagination):
    """Keyset pagination: each page starts just after the last row of the one before.

    The view names its order (``cursor_ordering()``, ending with ``id`` so that it is total); the
    cursor carries the boundary row's values for every field of that order, so ties (many claims
    with the same score, or updated in the same second) never repeat or skip rows, and a page costs
    the same wherever it is.  A cursor is bound to its order: another ``ordering`` with it is a 404.
    """

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = "Invalid cursor: follow the `next` and `previous` links as they are given."

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"page_size": ["Must be a whole number."]}) from None
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({"page_size": [f"Must be from 1 to {self.max_page_size}."]})
        return size

    def paginate_queryset(  # type: ignore[override]  # only ever given a queryset, never a list
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        cursor_ordering = getattr(view, "cursor_ordering", None)
        ordering = tuple(cursor_ordering()) if cursor_ordering is not None else ("id",)
        assert ordering[-1].lstrip("-") == "id", "the last field of a cursor order must be the id"
        self.ordering = ordering
        self.fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
        model = queryset.model
        cursor = self.decode_cursor(request, model)

        backwards = cursor is not None and cursor.backwards
        rows = self.fetch(queryset, cursor, backwards)
        more = len(rows) > self.page_size
        page = rows[: self.page_size]
        if backwards:
            page.reverse()

        self.next_values = self.previous_values = None
        if page and backwards:
            self.next_values = self._values(page[-1])  # the page this cursor came from
            if more:
                self.previous_values = self._values(page[0])
        elif page:
            if more:
                self.next_values = self._values(page[-1])
            if cursor is not None:
                self.previous_values = self._values(page[0])
        return page

    def order_by(self, backwards: bool) -> list[str]:
        """The page's order: the cursor order, reversed for a page before a cursor."""
        return [f"-{name}" if descending != backwards else name for name, descending in self.fields]

    def fetch(self, queryset: QuerySet[Any], cursor: Cursor | None, backwards: bool) -> list[Any]:
        """The rows of the page and the one after it (to know whether there is a next page), in order."""
        queryset = queryset.order_by(*self.order_by(backwards))
        if cursor is not None:
            queryset = queryset.filter(self._beyond(cursor.values, backwards))
        return list(queryset[: self.page_size + 1])

    def _beyond(self, values: tuple[Any, ...], backwards: bool) -> Q:
        """Rows after ``values`` in the order (before them, ``backwards``)."""
        clauses: list[Q] = []
        equal: dict[str, Any] = {}
        for (name, descending), value in zip(self.fields, values, strict=True):
            lookup = "lt" if descending != backwards else "gt"
            clauses.append(Q(**equal, **{f"{name}__{lookup}": value}))
            equal[name] = value
        # The first field's bound again, on its own: lets the database start the index scan there.
        first_name, first_descending = self.fields[0]
        bound = Q(**{f"{first_name}__{'lte' if first_descending != backwards else 'gte'}": values[0]})
        return bound & reduce(or_, clauses)

    def _values(self, row: Model) -> tuple[str, ...]:
        values = []
        for name, _ in self.fields:
            value = getattr(row, name)
            values.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
        return tuple(values)

    def cursor_token(self, values: tuple[str, ...], *, backwards: bool) -> str:
        """The ``cursor`` parameter's value for the page that starts beyond ``values``."""
        payload = {"o": ",".join(self.ordering), "v": list(values), "b": int(backwards)}
        return (
            base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
        )

    def encode_cursor(self, values: tuple[str, ...], *, backwards: bool) -> str:
        token = self.cursor_token(values, backwards=backwards)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request: Request, model: type[Model]) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii") + b"=" * (-len(token) % 4))
            payload = json.loads(raw)
            ordering, values, backwards = payload["o"], tuple(payload["v"]), bool(payload["b"])
            if ordering != ",".join(self.ordering) or len(values) != len(self.fields):
                raise ValueError("not this order")
            parsed = []
            for (name, _), value in zip(self.fields, values, strict=True):
                if not isinstance(value, str):
                    raise ValueError("not a string")
                field = model._meta.get_field(name)
                if not isinstance(field, Field):  # a cursor orders by columns only
                    raise ValueError("not a column")
                # What the database will be given: a value it cannot take is a bad cursor, not a 500.
                python = field.to_python(value)
                field.get_db_prep_value(python, connection=connection, prepared=False)
                parsed.append(python)
        except (
            ValueError,
            TypeError,
            KeyError,
            OverflowError,
            binascii.Error,
            UnicodeError,
            DjangoValidationError,
        ):
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        return Cursor(values=tuple(parsed), backwards=backwards)

    def get_next_link(self) -> str | None:
        if self.next_values is None:
            return None
        return self.encode_cursor(self.next_values, backwards=False)

    def get_previous_link(self) -> str | None:
        if self.previous_values is None:
            return None
        return self.encode_cursor(self.previous_values, backwards=True)

    def get_paginated_response(self, data: Any) -> Response:
        after, before = self.next_values, self.previous_values
        return Response(
            {
                "next": None if after is None else self.encode_cursor(after, backwards=False),
                "previous": None if before is None else self.encode_cursor(before, backwards=True),
                "next_cursor": None if after is None else self.cursor_token(after, backwards=False),
                "previous_cursor": None if before is None else self.cursor_token(before, backwards=True),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True, "readOnly": True}
        token = {"type": "string", "nullable": True, "readOnly": True}
        return {
            "type": "object",
            "required": ["next", "previous", "next_cursor", "previous_cursor", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last one."},
                "previous": {**link, "description": "The page before, or null on the first one."},
                "next_cursor": {
                    **token,
                    "description": "The `cursor` of the next page, or null on the last one: send it with "
                    "the same filters, ordering and page_size.",
                },
                "previous_cursor": {
                    **token,
                    "description": "The `cursor` of the page before, or null on the first one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: a list's `next_cursor` or `previous_cursor`, sent "
                "with the same filters and ordering.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} ({self.page_size} by default).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
