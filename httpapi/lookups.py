"""Finding a newsroom's objects by what API clients name them with."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound, ValidationError

from editorial.models import Desk, Newsroom


def first_or_404[M: Model](queryset: QuerySet[M], message: str) -> M:
    """The first row of ``queryset`` (the newsroom's object a path names); none is a 404 with ``message``."""
    found = queryset.first()
    if found is None:
        raise NotFound(message)
    return found


def desk_by_slug(newsroom: Newsroom, slug: str) -> Desk:
    """The newsroom's desk ``slug``; a slug it does not have is a 400 on ``desk``."""
    desk = Desk.objects.filter(newsroom=newsroom, slug=slug).first()
    if desk is None:
        raise ValidationError({"desk": [f"Your newsroom has no desk {slug!r}."]})
    return desk
