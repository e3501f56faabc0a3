"""Finding a newsroom's objects by what API clients name them with."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

from editorial.models import Desk, Newsroom


def desk_by_slug(newsroom: Newsroom, slug: str) -> Desk:
    """The newsroom's desk ``slug``; a slug it does not have is a 400 on ``desk``."""
    desk = Desk.objects.filter(newsroom=newsroom, slug=slug).first()
    if desk is None:
        raise ValidationError({"desk": [f"Your newsroom has no desk {slug!r}."]})
    return desk
