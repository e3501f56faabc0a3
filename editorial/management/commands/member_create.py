"""``member_create``: a person's login and their role (and desks) in a newsroom, created or updated."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from editorial import services
from editorial.management.commands._helpers import desks_by_slug, error_text, newsroom_by_slug
from editorial.models import Role


class Command(BaseCommand):
    help = (
        "Create a newsroom member's login, or update it, with a role and desks. An existing user keeps "
        "their password unless --password or --generate-password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--newsroom", required=True, metavar="SLUG")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default=None)
        parser.add_argument(
            "--desk", action="append", default=[], metavar="SLUG", help="A desk of the newsroom; repeatable."
        )
        password = parser.add_mutually_exclusive_group()
        password.add_argument("--password", default=None, help="Set this password (validated).")
        password.add_argument(
            "--generate-password", action="store_true", help="Set a random password and print it once."
        )

    def handle(self, *args, **options):
        username = options["username"].strip()
        if not username:
            raise CommandError("--username must not be empty.")
        newsroom = newsroom_by_slug(options["newsroom"])
        desks = desks_by_slug(newsroom, options["desk"])
        password = options["password"]
        if options["generate_password"]:
            password = secrets.token_urlsafe(18)
        try:
            result = services.member_upsert(
                newsroom=newsroom,
                username=username,
                role=options["role"],
                email=options["email"],
                password=password,
                desks=desks,
            )
        except ValidationError as error:
            raise CommandError(f"Cannot create member {username!r}: {error_text(error)}") from error
        membership = result.membership
        verb = "Created user" if result.user_created else "Updated user"
        self.stdout.write(f"{verb} {username!r}: {membership.get_role_display()} at {newsroom.name}.")
        desk_slugs = sorted(membership.desks.values_list("slug", flat=True))
        if desk_slugs:
            self.stdout.write(f"Desks: {', '.join(desk_slugs)}.")
        if options["generate_password"]:
            self.stdout.write(f"Password: {password}")
            self.stdout.write(self.style.WARNING("Store it now: it will not be shown again."))
        elif result.user_created and password is None:
            self.stdout.write("No password set: use --generate-password or the admin to give one.")
