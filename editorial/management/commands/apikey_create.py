"""``apikey_create --newsroom SLUG --name NAME [--role ROLE]``: issue an API key and print it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from editorial import services
from editorial.management.commands._helpers import error_text, newsroom_by_slug
from editorial.models import ApiKey, Role


class Command(BaseCommand):
    help = "Issue an API key for a newsroom. The key is printed once and only its digest is stored."

    def add_arguments(self, parser):
        parser.add_argument("--newsroom", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True, help="What uses the key, e.g. 'CMS production'.")
        parser.add_argument("--role", default=Role.EDITOR, choices=Role.values)

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.")
        max_length = ApiKey._meta.get_field("name").max_length
        if len(name) > max_length:
            raise CommandError(f"--name is {len(name)} characters long; the limit is {max_length}.")
        newsroom = newsroom_by_slug(options["newsroom"])
        try:
            issued = services.api_key_create(newsroom=newsroom, name=name, role=options["role"])
        except ValidationError as error:
            raise CommandError(f"Cannot create the key: {error_text(error)}") from error
        key = issued.api_key
        self.stdout.write(f"Created API key {key.name!r} ({key.prefix}) for {newsroom.name} as {key.role}.")
        self.stdout.write(issued.raw_key)
        self.stdout.write(self.style.WARNING("Store this key now: it will not be shown again."))
