"""What the operators' commands share: turning validation errors into messages, finding rows by slug."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from editorial.models import Desk, Newsroom


def error_text(error: ValidationError) -> str:
    """A validation error as one line: ``field: message; field: message``."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "; ".join(error.messages)


def newsroom_by_slug(slug: str) -> Newsroom:
    newsroom = Newsroom.objects.filter(slug=slug).first()
    if newsroom is None:
        known = ", ".join(Newsroom.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
        raise CommandError(f"There is no newsroom {slug!r} (newsrooms: {known}).")
    return newsroom


def desks_by_slug(newsroom: Newsroom, slugs: list[str]) -> list[Desk]:
    desks = {desk.slug: desk for desk in Desk.objects.filter(newsroom=newsroom)}
    missing = [slug for slug in slugs if slug not in desks]
    if missing:
        known = ", ".join(sorted(desks)) or "none yet"
        raise CommandError(f"Newsroom {newsroom.slug!r} has no desk {missing[0]!r} (desks: {known}).")
    return [desks[slug] for slug in dict.fromkeys(slugs)]
