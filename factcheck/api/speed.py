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
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from rest_framework import serializers

from editorial.models import Newsroom
from factcheck import selectors
from factcheck.api.serializers import claim_rows


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
    return _remembered_rows(newsroom, tuple(sorted(arguments.items()))).all()


@functools.lru_cache(maxsize=256)
def _remembered_rows(newsroom: Newsroom, arguments: tuple[tuple[str, Any], ...]) -> QuerySet[Any]:
    """Only the newsroom's id goes into the query; a newsroom is equal to another only by its id."""
    claims = selectors.claim_list(newsroom=newsroom, **dict(arguments))
    return claims.values_list(*selectors.CLAIM_LIST_FIELDS, *selectors.CLAIM_LIST_HOLDER, named=True)


def page(claims: list[Any]) -> list[dict[str, Any]]:
    """``ClaimOutput``'s dictionaries for a page of the list's rows, with their flags (one query)."""
    return claim_rows(claims, selectors.claim_list_flags(claim_ids=[claim.id for claim in claims]))
