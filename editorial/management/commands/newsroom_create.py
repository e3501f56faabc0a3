"""``newsroom_create --name NAME --slug SLUG [--desk NAME]...``: a newsroom and its desks (idempotent)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from editorial import services
from editorial.management.commands._helpers import error_text


class Command(BaseCommand):
    help = (
        "Create a newsroom and its desks. Idempotent: an existing slug is reused (not renamed) and only "
        "missing desks are added; a desk's slug is made from its name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The newsroom's name, e.g. 'The Daily Ledger'.")
        parser.add_argument("--slug", required=True, help="Short unique name used in commands and URLs.")
        parser.add_argument(
            "--desk", action="append", default=[], metavar="NAME", help="A desk name; repeat for several."
        )

    def handle(self, *args, name: str, slug: str, desk: list[str], **options):
        if not name.strip():
            raise CommandError("--name must not be empty.")
        try:
            result = services.newsroom_ensure(name=name.strip(), slug=slug, desk_names=desk)
        except ValidationError as error:
            raise CommandError(f"Cannot create newsroom {slug!r}: {error_text(error)}") from error
        newsroom = result.newsroom
        if result.created:
            self.stdout.write(f"Created newsroom {newsroom.name!r} ({newsroom.slug}).")
        else:
            note = f" (its name stays {newsroom.name!r})" if newsroom.name != name.strip() else ""
            self.stdout.write(f"Newsroom {newsroom.slug!r} already exists; reusing it{note}.")
        for created in result.desks_created:
            self.stdout.write(f"Created desk {created.name!r} ({created.slug}).")
        if desk and not result.desks_created:
            self.stdout.write("All desks already exist.")
