"""``apikey_revoke PREFIX``: revoke an API key at once (the prefix, or the whole key, identifies it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from editorial import services
from editorial.models import ApiKey


def key_prefix(value: str) -> str:
    """The prefix of ``fd_<prefix>.<secret>``, ``fd_<prefix>`` or ``<prefix>``."""
    value = value.strip()
    value = value.removeprefix("fd_")
    return value.partition(".")[0]


class Command(BaseCommand):
    help = "Revoke an API key. A revoked key is refused at once and cannot be restored."

    def add_arguments(self, parser):
        parser.add_argument("prefix", help="The key's prefix as the admin lists it (or the whole key).")

    def handle(self, *args, prefix: str, **options):
        wanted = key_prefix(prefix)
        if not wanted:
            raise CommandError("Give the key's prefix.")
        api_key = ApiKey.objects.select_related("newsroom").filter(prefix=wanted).first()
        if api_key is None:
            raise CommandError(f"There is no API key with prefix {wanted!r}.")
        if api_key.revoked_at is not None:
            self.stdout.write(f"API key {api_key.name!r} ({api_key.prefix}) was already revoked.")
            return
        services.api_key_revoke(api_key=api_key)
        self.stdout.write(f"Revoked API key {api_key.name!r} ({api_key.prefix}) of {api_key.newsroom.name}.")
