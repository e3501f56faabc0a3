"""``demo [--smoke]``: a ready-to-try newsroom with the sample article analysed, and how to log in.

Idempotent: the newsroom "Demo Gazette" (``demo``), its desk, the sample article and three logins are
reused: ``editor`` (an editor), ``checker`` (a fact-checker) and ``admin`` (the newsroom's admin, and a
superuser, who manages people and newsrooms), so that each view of the admin can be tried.  Their
passwords and the two API keys (an editor's and an admin's) are new on every run (older demo keys are
revoked), because none can be shown again once printed.  The article has a published address, so that
its claims' ClaimReview can be tried once one has a verdict.  Everything printed names
``settings.SITE_URL``, the address the demo serves (``make demo PORT=8101`` sets it).  Every write
goes through a service.
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
#: (username, newsroom role, superuser, what they see): one login for each view of the admin.
LOGINS = (
    ("editor", Role.EDITOR, False, "the review queue, claim pages, the standards dashboard"),
    ("checker", Role.FACT_CHECKER, False, "the review queue and claim pages, as a fact-checker"),
    ("admin", Role.ADMIN, True, "all of it, and people, newsrooms, API keys and webhooks"),
)
#: (key name, role, shell variable) of the demo's API keys.
KEYS = (("demo", Role.EDITOR, "KEY"), ("demo-admin", Role.ADMIN, "ADMIN_KEY"))
EXTERNAL_ID = "demo-sample"
ARTICLE_URL = "https://demo-gazette.example/city/brackenford-lead-pipes"


class Command(BaseCommand):
    help = (
        "Set up a demo newsroom with an editor, a fact-checker and an admin login and two API keys, "
        "analyse the sample article, and print the claims it found. Safe to run again (new passwords "
        "and keys each time)."
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
        passwords = {username: secrets.token_urlsafe(15) for username, *_ in LOGINS}
        try:
            ensured = editorial_services.newsroom_ensure(
                name=NEWSROOM_NAME, slug=NEWSROOM_SLUG, desk_names=[DESK_NAME]
            )
            newsroom = ensured.newsroom
            desk = Desk.objects.get(newsroom=newsroom, slug="city")
            users = {}
            for username, role, superuser, _ in LOGINS:
                member = editorial_services.member_upsert(
                    newsroom=newsroom, username=username, role=role, email=f"{username}@demo.invalid",
                    password=passwords[username], desks=[desk],
                )  # fmt: skip
                users[username] = editorial_services.user_update(
                    user=member.membership.user, staff=True, superuser=superuser
                )
            revoked = sum(
                editorial_services.api_key_revoke_all(newsroom=newsroom, name=name) for name, *_ in KEYS
            )
            issued = {
                variable: editorial_services.api_key_create(newsroom=newsroom, name=name, role=role)
                for name, role, variable in KEYS
            }
            article = article_submit(
                actor=Actor.for_user(users["editor"]), newsroom=newsroom, external_id=EXTERNAL_ID, body=body,
                title=title_of(body, "text"), desk=desk, url=ARTICLE_URL,
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
        for claim in claims:
            score = f"checkworthiness {claim.checkworthiness:.2f}"
            write(f"Claim {claim.number} [{claim.kind}, {score}] {claim.text}")
            for flag in claim.flags.all():
                write(f"    flag: {flag.get_kind_display()} ({flag.severity}): {flag.cue!r} — {flag.message}")
        excluded = list(detail.excluded_blocks.all())
        write("")
        write(f"Kept out of the claims: {len(excluded)}")
        for block in excluded:
            text = block.text if len(block.text) <= 90 else block.text[:89] + "…"
            write(f"  - {block.reason}: {text}")

        site = settings.SITE_URL
        example = max(claims, key=lambda claim: (claim.checkworthiness, -claim.ordinal))
        write("")
        write(f"Admin: {site}/admin/  — one login per view (new passwords each run):")
        for username, role, _, sees in LOGINS:
            write(f"  {username:<8} / {passwords[username]}   {Role(role).label}: {sees}")
        write(f"Standards dashboard: {site}/admin/factcheck/standardsdashboard/")
        write(f"API documentation: {site}/api/v1/docs")
        write("")
        write("For the README's API examples, paste this into your shell:")
        exports = {
            "FACTDESK": site,
            **{variable: key.raw_key for variable, key in issued.items()},
            "ARTICLE": str(analysed.pk),
            "CLAIM": str(example.pk),
        }
        write("  export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in exports.items()))
        write("(KEY: an editor's API key; ADMIN_KEY: the newsroom admin's; ARTICLE: the demo article;")
        write(f" CLAIM: the id of its most check-worthy claim, claim {example.number} of the article.)")
        write("For example:")
        header = shlex.quote(f"Authorization: Api-Key {issued['KEY'].raw_key}")
        write(f"  curl -s -H {header} {site}/api/v1/articles/{analysed.pk}")
        write(
            self.style.WARNING(
                "The passwords and the keys are shown only now; run the demo again for new ones."
            )
        )
        if smoke:
            write("Smoke run: the server is not started.")
