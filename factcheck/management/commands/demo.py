"""``demo [--smoke]``: a ready-to-try newsroom with the sample article analysed, and how to log in.

Idempotent: the newsroom "Demo Gazette" (``demo``), its desk and the ``editor`` login are reused; the
editor's password and the demo API key are new on every run (older demo keys are revoked), because
neither can be shown again once printed.  Every write goes through a service.
"""

from __future__ import annotations

import secrets
import shlex
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from editorial import services as editorial_services
from editorial.management.commands._helpers import error_text
from editorial.models import AnalysisStatus, Desk, Role
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.management.commands.ingest import title_of
from factcheck.services.analyses import article_analyze, article_mark_failed
from factcheck.services.articles import article_submit
from factcheck.services.sources import follow_ups_queue_on_commit

SAMPLE_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample_article.txt"
NEWSROOM_NAME, NEWSROOM_SLUG, DESK_NAME = "Demo Gazette", "demo", "City"
USERNAME, EMAIL = "editor", "editor@demo.invalid"
KEY_NAME = "demo"
EXTERNAL_ID = "demo-sample"


class Command(BaseCommand):
    help = (
        "Set up a demo newsroom with an editor login and an API key, analyse the sample article, and "
        "print the claims it found. Safe to run again (new password and key each time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--smoke", action="store_true", help="Only set up and report; say that no server is started."
        )

    def handle(self, *args, smoke: bool, **options):
        try:
            body = SAMPLE_ARTICLE.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read the sample article {SAMPLE_ARTICLE}: {error}") from error
        password = secrets.token_urlsafe(15)
        try:
            ensured = editorial_services.newsroom_ensure(
                name=NEWSROOM_NAME, slug=NEWSROOM_SLUG, desk_names=[DESK_NAME]
            )
            newsroom = ensured.newsroom
            desk = Desk.objects.get(newsroom=newsroom, slug="city")
            member = editorial_services.member_upsert(
                newsroom=newsroom, username=USERNAME, role=Role.EDITOR, email=EMAIL, password=password,
                desks=[desk],
            )  # fmt: skip
            user = editorial_services.user_update(user=member.membership.user, staff=True, superuser=True)
            revoked = editorial_services.api_key_revoke_all(newsroom=newsroom, name=KEY_NAME)
            issued = editorial_services.api_key_create(newsroom=newsroom, name=KEY_NAME, role=Role.EDITOR)
            article = article_submit(
                actor=Actor.for_user(user), newsroom=newsroom, external_id=EXTERNAL_ID, body=body,
                title=title_of(body, "text"), desk=desk,
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError(f"The demo could not be set up: {error_text(error)}") from error
        try:
            analyzed = article_analyze(article_id=article.pk)
        except Exception as error:
            reason = f"Internal error while analysing ({type(error).__name__}: {error})."
            article_mark_failed(article_id=article.pk, revision=article.revision, reason=reason)
            raise CommandError(f"The analysis of the sample article failed: {reason}") from error
        follow_ups_queue_on_commit(analyzed.follow_ups)
        analysed = analyzed.article
        if analysed is None:
            raise CommandError("The demo article disappeared before it could be analysed.")

        write = self.stdout.write
        write(f"Newsroom: {newsroom.name} ({newsroom.slug}){' — created' if ensured.created else ''}")
        if revoked:
            write(f"Revoked {revoked} older demo API key{'s' if revoked != 1 else ''}.")
        write("")
        write(f"Article: {analysed.title}")
        write(f"Analysis: {analysed.get_analysis_status_display()} (revision {analysed.revision})")
        if analysed.analysis_status != AnalysisStatus.ANALYZED:
            raise CommandError(f"The analysis of the sample article failed: {analysed.analysis_error or '?'}")
        detail = selectors.article_detail(newsroom=newsroom, article_id=analysed.pk)
        claims = detail.live_claims
        if not claims:
            raise CommandError("The analysis of the sample article found no claims.")
        flagged = sum(1 for claim in claims if claim.is_flagged)
        write(f"Claims: {len(claims)} ({flagged} with vague or uncredited attribution)")
        write("")
        for number, claim in enumerate(claims, start=1):
            write(f"#{number} [{claim.kind}, checkworthiness {claim.checkworthiness:.2f}] {claim.text}")
            for flag in claim.flags.all():
                write(f"    flag {flag.kind} ({flag.severity}): {flag.cue!r} — {flag.message}")
        excluded = list(detail.excluded_blocks.all())
        write("")
        write(f"Kept out of the claims: {len(excluded)}")
        for block in excluded:
            text = block.text if len(block.text) <= 90 else block.text[:89] + "…"
            write(f"  - {block.reason}: {text}")

        site = settings.SITE_URL
        write("")
        write(f"Admin: {site}/admin/  login: {USERNAME} / {password}")
        write(f"API key: {issued.raw_key}")
        write("Try the API:")
        header = shlex.quote(f"Authorization: Api-Key {issued.raw_key}")
        write(f"  curl -H {header} {site}/api/v1/articles/{analysed.pk}")
        write(
            self.style.WARNING(
                "The password and the key are shown only now; run the demo again for new ones."
            )
        )
        if smoke:
            write("Smoke run: the server is not started.")
