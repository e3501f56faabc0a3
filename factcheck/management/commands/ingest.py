"""``ingest FILE... --newsroom SLUG``: submit article files for checking, as the API would.

Each file becomes the article ``<prefix><file stem>`` (submitting it again updates it).  A file that
cannot be submitted is reported with its name and the others still go in; the command fails at the
end if any did.  ``--wait`` analyses each article inline, for use without a worker.
"""

from __future__ import annotations

import html
import logging
import re
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from editorial.management.commands._helpers import desks_by_slug, error_text, newsroom_by_slug
from editorial.models import AnalysisStatus
from factcheck import selectors
from factcheck.actors import Actor
from factcheck.management.commands.analyze import FORMAT_CHOICES, resolve_format
from factcheck.services.analyses import article_analyze, article_mark_failed
from factcheck.services.articles import article_submit
from factcheck.services.sources import follow_ups_queue_on_commit

logger = logging.getLogger(__name__)

TITLE_MAX_CHARS = 500
_HTML_TITLE_RE = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


class FileRejected(Exception):
    """One file cannot be submitted; the message says why."""


def title_of(body: str, body_format: str) -> str:
    """The first non-empty line of a text file; the <title> or first <h1> of an HTML file."""
    if body_format == "html":
        match = _HTML_TITLE_RE.search(body)
        title = html.unescape(_TAG_RE.sub("", match.group(2))) if match else ""
    else:
        title = next((line for line in body.splitlines() if line.strip()), "")
    return " ".join(title.split())[:TITLE_MAX_CHARS]


def read_article(path: Path, *, max_chars: int) -> str:
    try:
        if not path.is_file():
            raise FileRejected("no such file" if not path.exists() else "not a regular file")
        if path.stat().st_size > max_chars * 4:  # 4 bytes per character at most in UTF-8
            raise FileRejected(f"too large: the limit is {max_chars:,} characters")
        raw = path.read_bytes()
    except OSError as error:
        raise FileRejected(f"cannot be read ({error.strerror or error})") from error
    try:
        body = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(f"not valid UTF-8 (byte {error.start})") from error
    if not body.strip():
        raise FileRejected("empty: there is nothing to check")
    return body


class Command(BaseCommand):
    help = "Submit article files (plain text or HTML) to a newsroom for checking."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--newsroom", required=True, metavar="SLUG")
        parser.add_argument("--desk", default=None, metavar="SLUG", help="A desk of the newsroom.")
        parser.add_argument("--format", choices=FORMAT_CHOICES, default="auto", dest="body_format")
        parser.add_argument(
            "--external-id-prefix",
            default="",
            metavar="P",
            help="Put before each file's stem to make its id.",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Analyse each article now instead of leaving it to the worker.",
        )

    def handle(self, *args, **options):
        newsroom = newsroom_by_slug(options["newsroom"])
        desk = desks_by_slug(newsroom, [options["desk"]])[0] if options["desk"] else None
        max_chars = settings.FACTDESK_MAX_ARTICLE_CHARS
        paths = [Path(name) for name in options["files"]]
        err = getattr(self.stderr, "_out", sys.stderr)
        actor = Actor.system()
        submitted = failed = 0
        bar = tqdm(paths, desc="Submitting", unit="file", file=err, disable=len(paths) < 2, leave=False)
        for path in bar:
            try:
                message = self._one(path, newsroom=newsroom, desk=desk, actor=actor, options=options,
                                    max_chars=max_chars)  # fmt: skip
            except FileRejected as error:
                failed += 1
                with tqdm.external_write_mode(file=err):
                    self.stderr.write(f"{path}: {error}")
                continue
            submitted += 1
            with tqdm.external_write_mode(file=err):
                self.stdout.write(message)
        bar.close()
        self.stdout.write(f"{submitted} submitted, {failed} failed")
        if failed:
            raise CommandError(f"{failed} of {len(paths)} files could not be submitted (see above).")

    def _one(self, path: Path, *, newsroom, desk, actor, options, max_chars: int) -> str:
        body = read_article(path, max_chars=max_chars)
        body_format = resolve_format(options["body_format"], body, path.name)
        external_id = f"{options['external_id_prefix']}{path.stem}"
        try:
            article = article_submit(
                actor=actor, newsroom=newsroom, external_id=external_id, body=body, body_format=body_format,
                title=title_of(body, body_format), desk=desk,
            )  # fmt: skip
        except ValidationError as error:
            raise FileRejected(error_text(error)) from error
        message = f"{path}: article {article.pk} ({external_id!r}, revision {article.revision})"
        if not options["wait"]:
            return f"{message}, queued for analysis"
        revision = article.revision
        try:
            analyzed = article_analyze(article_id=article.pk)
        except Exception as error:  # what the worker would record as a failure; the other files go on
            logger.exception("analysis of article %s failed", article.pk)
            reason = f"Internal error while analysing ({type(error).__name__}: {error})."
            article_mark_failed(article_id=article.pk, revision=revision, reason=reason)
            raise FileRejected(f"analysis failed: {reason}") from error
        follow_ups_queue_on_commit(analyzed.follow_ups)
        article = analyzed.article
        if article is None:
            raise FileRejected("the article was deleted before it could be analysed")
        if article.analysis_status != AnalysisStatus.ANALYZED:
            raise FileRejected(f"analysis failed: {article.analysis_error or article.analysis_status}")
        claims = selectors.live_claims().filter(article=article).count()
        return f"{message}, analysed: {claims} claims"
