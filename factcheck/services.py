"""Writes on the checking side: submitting articles for checking and storing their analysis."""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from editorial.models import AnalysisStatus, ApiKey, Article, BodyFormat, Desk, Newsroom
from editorial.services import article_upsert
from factcheck.analysis.pipeline import InputRejected, analyze, check_input
from factcheck.analysis.types import Analysis
from factcheck.models import ActorKind, AttributionFlag, Claim, ClaimEvent, ExcludedBlock
from factcheck.workflow import ClaimStatus

logger = logging.getLogger(__name__)

#: Kept claims park their ordinals this far up while the new order is written.
ORDINAL_PARKING = 10_000_000


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, an API key, or Factdesk itself."""

    kind: str
    user: object | None = None
    api_key: ApiKey | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls(kind=ActorKind.USER, user=user)

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> Actor:
        return cls(kind=ActorKind.API_KEY, api_key=api_key)

    @property
    def name(self) -> str:
        if self.kind == ActorKind.USER and self.user is not None:
            return self.user.get_username()
        if self.kind == ActorKind.API_KEY and self.api_key is not None:
            return f"API key {self.api_key.name} ({self.api_key.prefix})"
        return "Factdesk"

    def event(self, **fields) -> ClaimEvent:
        return ClaimEvent(
            actor_kind=self.kind,
            actor_user=self.user,
            actor_api_key=self.api_key,
            actor_name=self.name,
            **fields,
        )


def article_submit(
    *,
    actor: Actor,
    newsroom: Newsroom,
    external_id: str,
    body: str,
    body_format: str = BodyFormat.TEXT,
    title: str = "",
    url: str = "",
    byline: str = "",
    desk: Desk | None = None,
) -> Article:
    """Create or update an article by ``external_id``; a new or changed body is queued for analysis."""
    try:
        check_input(body, fmt=body_format, max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS)
    except InputRejected as error:
        raise ValidationError({"body": str(error)}) from error
    from factcheck.tasks import analyze_article  # the task module imports this one

    with transaction.atomic():
        result = article_upsert(
            newsroom=newsroom,
            external_id=external_id,
            body=body,
            body_format=body_format,
            title=title,
            url=url,
            byline=byline,
            desk=desk,
        )
        if result.body_changed:
            article_id = result.article.pk
            transaction.on_commit(lambda: analyze_article.delay(article_id))
    logger.info(
        "article %s %s by %s (revision %s)",
        result.article.pk,
        "created" if result.created else "updated",
        actor.name,
        result.article.revision,
    )
    return result.article


def article_mark_failed(*, article_id: int, revision: int, reason: str) -> None:
    """Record a permanent analysis failure, unless a newer revision has arrived meanwhile."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return
        article.analysis_status = AnalysisStatus.FAILED
        article.analysis_error = reason[:2000] or "Analysis failed."
        article.save(update_fields=["analysis_status", "analysis_error", "updated_at"])


def article_analyze(*, article_id: int) -> Article | None:
    """Analyse the article's current revision and store its claims, flags and excluded blocks.

    Idempotent: a revision already analysed is left alone, so a redelivered task changes nothing.
    The analysis itself runs outside any transaction; the results are stored in one.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            return None
        if (
            article.analyzed_revision == article.revision
            and article.analysis_status == AnalysisStatus.ANALYZED
        ):
            return article
        revision, body, body_format = article.revision, article.body, article.body_format
        article.analysis_status, article.analysis_error = AnalysisStatus.ANALYZING, ""
        article.save(update_fields=["analysis_status", "analysis_error", "updated_at"])

    try:
        analysis = analyze(body, fmt=body_format, max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS)
    except InputRejected as error:
        article_mark_failed(article_id=article_id, revision=revision, reason=str(error))
        return Article.objects.filter(pk=article_id).first()

    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return article  # deleted, or a newer body is queued: its own task will store it
        if article.analyzed_revision == revision and article.analysis_status == AnalysisStatus.ANALYZED:
            return article
        _store_analysis(article=article, revision=revision, analysis=analysis)
        article.canonical_text = analysis.text
        article.analyzed_revision = revision
        article.analysis_status, article.analysis_error = AnalysisStatus.ANALYZED, ""
        article.save(
            update_fields=[
                "canonical_text",
                "analyzed_revision",
                "analysis_status",
                "analysis_error",
                "updated_at",
            ]
        )
    return article


def _store_analysis(*, article: Article, revision: int, analysis: Analysis) -> None:
    """Bring the article's live claims in line with ``analysis``.

    A sentence that was already a claim keeps its row, review state and history (its position and
    flags are refreshed); a claim whose sentence is gone is superseded; new sentences become claims.
    """
    system = Actor.system()
    live = list(article.claims.exclude(status=ClaimStatus.SUPERSEDED).order_by("ordinal"))
    by_text: dict[str, deque[Claim]] = defaultdict(deque)
    for claim in live:
        by_text[claim.text].append(claim)

    kept: list[Claim] = []
    created: list[Claim] = []
    for found in analysis.claims:
        fields = {
            "revision": revision,
            "ordinal": found.index,
            "start": found.start,
            "end": found.end,
            "paragraph": found.paragraph,
            "kind": str(found.kind),
            "checkworthiness": found.checkworthiness,
            "checkworthiness_reasons": list(found.reasons),
            "is_flagged": bool(found.flags),
        }
        previous = by_text[found.text].popleft() if by_text.get(found.text) else None
        if previous is None:
            created.append(Claim(article=article, text=found.text, **fields))
        else:
            for name, value in fields.items():
                setattr(previous, name, value)
            kept.append(previous)

    gone = [claim for queue in by_text.values() for claim in queue]
    events: list[ClaimEvent] = []
    if gone:
        for claim in gone:
            events.append(
                system.event(
                    claim=claim,
                    action="superseded",
                    from_status=claim.status,
                    to_status=ClaimStatus.SUPERSEDED,
                    note=f"Revision {revision} removed or rewrote this sentence.",
                )
            )
            claim.status = ClaimStatus.SUPERSEDED
        Claim.objects.bulk_update(gone, ["status", "updated_at"])
    if kept:
        # Move kept claims out of the way first, so that the unique live ordinal holds at every step.
        Claim.objects.filter(pk__in=[claim.pk for claim in kept]).update(
            ordinal=F("ordinal") + ORDINAL_PARKING
        )
        Claim.objects.bulk_update(
            kept,
            [
                "revision",
                "ordinal",
                "start",
                "end",
                "paragraph",
                "kind",
                "checkworthiness",
                "checkworthiness_reasons",
                "is_flagged",
                "updated_at",
            ],
        )
        AttributionFlag.objects.filter(claim__in=kept).delete()
    Claim.objects.bulk_create(created)
    for claim in created:
        events.append(
            system.event(
                claim=claim, action="created", to_status=claim.status, note=f"Found in revision {revision}."
            )
        )
    ClaimEvent.objects.bulk_create(events)

    claims_by_index = {claim.ordinal: claim for claim in (*kept, *created)}
    AttributionFlag.objects.bulk_create(
        AttributionFlag(
            claim=claims_by_index[found.index],
            kind=flag.kind,
            cue=flag.cue,
            start=flag.start,
            end=flag.end,
            severity=str(flag.severity),
            message=flag.message,
        )
        for found in analysis.claims
        for flag in found.flags
    )
    ExcludedBlock.objects.filter(article=article).delete()
    ExcludedBlock.objects.bulk_create(
        ExcludedBlock(
            article=article,
            revision=revision,
            text=item.text,
            start=item.start,
            end=item.end,
            reason=item.reason,
        )
        for item in analysis.excluded
    )
