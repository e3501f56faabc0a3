"""The API's speed tricks, in one place.  Each is kept because it pays, and each answers what plain
DRF answers (a filters serializer validating the query string on each request; ``ListAPIView.list``
with ``ClaimOutput`` over the models): the oracle of ``tests/factcheck/test_api_perf.py``.  How fast,
is ``bench/api.py``'s to say.

- The validated filters of a list are remembered per process for each query string's filters (an
  invalid set raises every time): DRF deep-copies a serializer's fields for each use.  The
  validated values are immutable.
- The claims list's rows are named rows (``selectors.CLAIM_LIST_FIELDS``), not models, and ``ClaimOutput``'s
  dictionaries are built from them by hand (``serializers.claim_rows``); the page's flags come in one
  plain query (``selectors.claim_list_flags``): two queries a page.
- The query for one newsroom and set of filters is built once per process and cloned for each
  request (the pagination orders, filters and slices a clone; the remembered query is never run):
  building it through the ORM, with the review queue's filters and the join for the assignee's name,
  is about a quarter of the CPU of a request.
- The page's SQL (that query ordered, after the cursor, and sliced) is compiled once per process for
  each remembered query, order and kind of page, with the cursor's values as slots filled in on each
  request (``ClaimPage``), and run on a plain cursor: the rows are named rows of the same columns,
  through the same converters (the reasons' JSON decoded once per distinct text).  Compiling it
  through the ORM, and the ORM's iteration of the rows, was about a third of the CPU of a request.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Expression, Field, JSONField, QuerySet
from django.db.models.utils import create_namedtuple_class
from django.http import QueryDict
from rest_framework import serializers

from editorial.models import Newsroom
from factcheck import selectors
from factcheck.api.serializers import claim_rows
from httpapi.pagination import Cursor, CursorPage

#: Where ``rows`` leaves, on the clone it returns, the key of the query it was cloned from.
_REMEMBERED = "_factdesk_remembered"


def validated_filters(filters_class: type[serializers.Serializer[Any]], query: QueryDict) -> dict[str, Any]:
    """The ``validated_data`` of ``filters_class`` for the filters of the query string ``query``;
    raises its ``ValidationError`` as the serializer does."""
    names = _filter_names(filters_class)
    values = tuple((name, tuple(query.getlist(name))) for name in names if name in query)
    return dict(_validated_filters(filters_class, values))


@functools.cache
def _filter_names(filters_class: type[serializers.Serializer[Any]]) -> tuple[str, ...]:
    return tuple(filters_class().fields)


@functools.lru_cache(maxsize=1024)
def _validated_filters(
    filters_class: type[serializers.Serializer[Any]], values: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[str, Any], ...]:
    data = QueryDict(mutable=True)
    for name, given in values:
        data.setlist(name, list(given))
    filters = filters_class(data=data)
    filters.is_valid(raise_exception=True)
    return tuple(filters.validated_data.items())


def rows(*, newsroom: Newsroom, arguments: Mapping[str, Any]) -> QuerySet[Any]:
    """The list's named rows (with ``selectors.CLAIM_LIST_HOLDER``) for ``newsroom``: ``selectors.claim_list``
    with ``arguments``, as a fresh clone of the query remembered for them."""
    key = (newsroom.pk, tuple(sorted(arguments.items())))
    clone = _remembered_rows(newsroom, key[1]).all()
    setattr(clone, _REMEMBERED, key)
    return clone


@functools.lru_cache(maxsize=256)
def _remembered_rows(newsroom: Newsroom, arguments: tuple[tuple[str, Any], ...]) -> QuerySet[Any]:
    """Only the newsroom's id goes into the query; a newsroom is equal to another only by its id."""
    claims = selectors.claim_list(newsroom=newsroom, **dict(arguments))
    return claims.values_list(*selectors.CLAIM_LIST_FIELDS, *selectors.CLAIM_LIST_HOLDER, named=True)


def page(claims: list[Any]) -> list[dict[str, Any]]:
    """``ClaimOutput``'s dictionaries for a page of the list's rows, with their flags (one query)."""
    return claim_rows(claims, selectors.claim_list_flags(claim_ids=[claim.id for claim in claims]))


# --- The page's SQL, compiled once per remembered query, order and kind of page -----------------------


@dataclass(frozen=True)
class _Slot:
    """A parameter of a compiled page: the cursor's value ``index``, given on each request."""

    index: int


class _CursorValue(Expression):
    """The cursor's value ``index`` in the compiled SQL: a slot, filled in for each request."""

    def __init__(self, index: int, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.index = index

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return "%s", (_Slot(self.index),)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # with a _Slot for each of the cursor's values
    fields: tuple[Field[Any, Any], ...]  # the cursor's values' fields
    row: Any  # the named row's class, with the columns' names
    # (column, its converters, its expression): what the ORM applies to each row
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


@functools.lru_cache(maxsize=1024)
def _json(text: str) -> Any:
    return json.loads(text)


def _decoded(value: Any, expression: Any, connection: Any) -> Any:
    """``JSONField.from_db_value`` (without a decoder), each distinct text decoded once."""
    if not isinstance(value, str):
        return value
    try:
        return _json(value)
    except json.JSONDecodeError:
        return value


class ClaimPage(CursorPage):
    """``CursorPage`` for the claims list: a page of a remembered query (``rows``) runs SQL compiled
    once; any other queryset is paginated as ``CursorPage`` does."""

    def fetch(self, queryset: QuerySet[Any], cursor: Cursor | None, backwards: bool) -> list[Any]:
        key = getattr(queryset, _REMEMBERED, None)
        if key is None:
            return super().fetch(queryset, cursor, backwards)
        order = tuple(self.order_by(backwards))
        compiled = _compiled(queryset, key, order, cursor is not None, backwards, self.page_size + 1, self)
        connection = connections[queryset.db]
        if cursor is None:
            params: Any = compiled.params
        else:
            # As a lookup gives the database a value (an SQLite datetime is a text in UTC, say).
            values = [
                field.get_db_prep_value(value, connection=connection, prepared=False)
                for field, value in zip(compiled.fields, cursor.values, strict=True)
            ]
            params = [values[param.index] if isinstance(param, _Slot) else param for param in compiled.params]
        with connection.cursor() as db:
            db.execute(compiled.sql, params)
            rows = db.fetchall()
        make = compiled.row._make
        if not compiled.converters:
            return [make(row) for row in rows]
        page = []
        for values in rows:
            values = list(values)
            for column, converters, expression in compiled.converters:
                value = values[column]
                for converter in converters:
                    value = converter(value, expression, connection)
                values[column] = value
            page.append(make(values))
        return page


def _compiled(
    queryset: QuerySet[Any],
    key: tuple[Any, ...],
    order: tuple[str, ...],
    after_cursor: bool,
    backwards: bool,
    limit: int,
    page: CursorPage,
) -> _Compiled:
    """The page's SQL for the remembered query ``key`` (``queryset`` is a clone of it), remembered."""
    cache_key = (key, order, after_cursor, backwards, limit, queryset.db)
    found = _COMPILED.get(cache_key)
    if found is not None:
        return found
    query = queryset.order_by(*order)
    fields = tuple(queryset.model._meta.get_field(name) for name, _ in page.fields)
    if after_cursor:
        slots = tuple(_CursorValue(index, field) for index, field in enumerate(fields))
        query = query.filter(page._beyond(slots, backwards))
    query = query[:limit]
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    names = [*query.query.extra_select, *query.query.values_select, *query.query.annotation_select]
    expressions = [expression for expression, _, _ in compiler.select]
    converters = []
    for column, (found_converters, expression) in compiler.get_converters(expressions).items():
        field = expression.output_field
        if isinstance(field, JSONField) and field.decoder is None:
            # Decoded once per distinct text (a claim's reasons are a few of a few phrases): the list
            # is shared by the rows that have it, which only read it.
            found_converters = [
                _decoded if converter == field.from_db_value else converter for converter in found_converters
            ]
        converters.append((column, tuple(found_converters), expression))
    compiled = _Compiled(
        sql=sql,
        params=tuple(params),
        fields=fields,
        row=create_namedtuple_class(*names),
        converters=tuple(converters),
    )
    if len(_COMPILED) >= 1024:
        _COMPILED.clear()
    _COMPILED[cache_key] = compiled
    return compiled


_COMPILED: dict[tuple[Any, ...], _Compiled] = {}
