"""Storing an article's analysis, recording permanent failures, and editors' corrections of what
counts as a claim."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from editorial.models import AnalysisStatus, Article
from factcheck import domain_events
from factcheck.actors import Actor
from factcheck.analysis.pipeline import InputRejected, Overrides, analyze, fold
from factcheck.analysis.types import Analysis
from factcheck.models import (
    AnalysisOverride,
    AttributionFlag,
    Claim,
    ClaimEvent,
    ExcludedBlock,
)
from factcheck.selectors import attribution_policy, flagged_claim_ids, flagged_claims
from factcheck.services.review import claim_transition_apply
from factcheck.services.sources import cited_sources, sources_after_analysis
from factcheck.workflow import BY_NAME, ClaimStatus

logger = logging.getLogger(__name__)

#: Kept claims park their ordinals this far up while the new order is written.
ORDINAL_PARKING = 10_000_000


def article_mark_failed(*, article_id: int, revision: int, reason: str) -> None:
    """Record a permanent analysis failure, unless a newer revision has arrived meanwhile."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return
        article.analysis_status = AnalysisStatus.FAILED
        article.analysis_error = reason[:2000] or "Analysis failed."
        article.save(update_fields=["analysis_status", "analysis_error", "updated_at"])


def article_analyze(*, article_id: int, correction: Correction | None = None) -> Article | None:
    """Analyse the article's current revision and store its claims, flags and excluded blocks.

    Idempotent: a revision already analysed is left alone, so a redelivered task changes nothing —
    unless ``correction`` says an editor has just changed what counts as a claim, in which case the
    revision is stored again and the changes are recorded as theirs.
    The analysis itself runs outside any transaction; the results are stored in one.
    """

    def done(article: Article) -> bool:
        return (
            correction is None
            and article.analyzed_revision == article.revision
            and article.analysis_status == AnalysisStatus.ANALYZED
        )

    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or done(article):
            return article
        revision, body, body_format = article.revision, article.body, article.body_format
        base_url = article.url or ""
        policy = attribution_policy(newsroom=article.newsroom)
        overrides = _overrides(article)
        article.analysis_status, article.analysis_error = AnalysisStatus.ANALYZING, ""
        # Under way: if the worker dies, the sweep queues it again once the lease has run out.
        article.analysis_due_at = timezone.now() + timedelta(seconds=settings.FACTDESK_ANALYSIS_LEASE_SECONDS)
        article.save(update_fields=["analysis_status", "analysis_error", "analysis_due_at", "updated_at"])

    try:
        analysis = analyze(
            body,
            fmt=body_format,
            max_chars=settings.FACTDESK_MAX_ARTICLE_CHARS,
            policy=policy,
            overrides=overrides,
            max_claims=settings.FACTDESK_MAX_CLAIMS_PER_ARTICLE,
        )
    except InputRejected as error:
        article_mark_failed(article_id=article_id, revision=revision, reason=str(error))
        return Article.objects.filter(pk=article_id).first()
    cited = cited_sources(analysis=analysis, base_url=base_url)  # DNS: outside the transaction

    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return article  # deleted, or a newer body is queued: its own task will store it
        if done(article):
            return article
        live = list(article.claims.exclude(status=ClaimStatus.SUPERSEDED).order_by("ordinal"))
        flagged_before = flagged_claim_ids(article=article, live=live)
        _store_analysis(
            article=article,
            revision=revision,
            analysis=analysis,
            correction=correction or Correction(),
            live=live,
        )
        sources_after_analysis(article=article, cited=cited)
        flagged = flagged_claims(article=article)
        domain_events.article_analyzed(
            article=article,
            revision=revision,
            flagged_before=flagged_before,
            flagged=flagged,
            actor=correction.actor if correction else None,
        )
        article.canonical_text = analysis.text
        article.word_count = len(analysis.text.split())
        article.analyzed_revision = revision
        article.analysis_status, article.analysis_error = AnalysisStatus.ANALYZED, ""
        article.save(
            update_fields=[
                "canonical_text",
                "word_count",
                "analyzed_revision",
                "analysis_status",
                "analysis_error",
                "updated_at",
            ]
        )
    return article


@dataclass(frozen=True)
class Correction:
    """Who changed what counts as a claim, and why: the audit trail records it on the claims."""

    actor: Actor = field(default_factory=Actor.system)
    note: str = ""


def _overrides(article: Article) -> Overrides:
    claims, excluded = set(), set()
    for text, as_claim in AnalysisOverride.objects.filter(article=article).values_list("text", "as_claim"):
        (claims if as_claim else excluded).add(text)
    return Overrides(claims=frozenset(claims), excluded=frozenset(excluded))


def analysis_override_set(
    *, actor: Actor, article: Article, text: str, as_claim: bool, reason: str = ""
) -> Article:
    """Make ``text`` of ``article`` a claim (or keep it out of the claims) now and in later revisions."""
    folded = fold(text)
    if not folded:
        raise ValidationError({"text": "There is no text to decide on."})
    with transaction.atomic():
        AnalysisOverride.objects.update_or_create(
            article=article,
            text_digest=hashlib.sha256(folded.encode()).hexdigest(),
            defaults={
                "text": folded,
                "as_claim": as_claim,
                "reason": reason[:300],
                "actor_user": actor.user,
                "actor_name": actor.name,
            },
        )
    what = "made a claim" if as_claim else "kept out of the claims"
    note = f"{actor.name} {what}{': ' + reason if reason else '.'}"
    return article_analyze(article_id=article.pk, correction=Correction(actor=actor, note=note))


def excluded_block_promote(*, actor: Actor, block: ExcludedBlock, reason: str = "") -> Article:
    """An editor's call: a part the analysis kept out ("image credit", say) is a claim after all."""
    return analysis_override_set(
        actor=actor, article=block.article, text=block.text, as_claim=True, reason=reason
    )


def claim_exclude(*, actor: Actor, claim: Claim, reason: str = "") -> Article:
    """An editor's call: a sentence taken for a claim is furniture; its claim is superseded."""
    return analysis_override_set(
        actor=actor, article=claim.article, text=claim.text, as_claim=False, reason=reason
    )


def _store_analysis(
    *, article: Article, revision: int, analysis: Analysis, correction: Correction, live: list[Claim]
) -> None:
    """Bring the article's live claims (``live``, in their order) in line with ``analysis``.

    A sentence that was already a claim keeps its row, review state and history (its position and
    flags are refreshed); a claim whose sentence is gone is superseded; new sentences become claims.
    """
    actor = correction.actor
    by_text: dict[str, deque[Claim]] = defaultdict(deque)
    for claim in live:
        by_text[claim.text].append(claim)

    kept: list[Claim] = []
    created: list[Claim] = []
    answered: list[Claim] = []  # waiting for attribution, in a new revision: the reporter's answer
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
            created.append(
                Claim(
                    article=article,
                    newsroom_id=article.newsroom_id,
                    desk_id=article.desk_id,
                    text=found.text,
                    **fields,
                )
            )
        else:
            if previous.status == ClaimStatus.NEEDS_ATTRIBUTION and previous.revision != revision:
                answered.append(previous)
            for name, value in fields.items():
                setattr(previous, name, value)
            kept.append(previous)

    gone = [claim for queue in by_text.values() for claim in queue]
    moved = [
        (
            claim,
            claim_transition_apply(
                claim,
                BY_NAME["supersede"],
                actor=actor,
                note=correction.note or f"Revision {revision} removed or rewrote this sentence.",
            ),
        )
        for claim in gone
    ]
    moved += [
        (
            claim,
            claim_transition_apply(
                claim,
                BY_NAME["answer_attribution"],
                actor=actor,
                note=f"The article was revised (revision {revision}).",
            ),
        )
        for claim in answered
    ]
    events = [event for _, event in moved]
    now = timezone.now()  # bulk_update does not set auto_now fields itself
    for claim in (*gone, *kept):
        claim.updated_at = now
    if gone:
        Claim.objects.bulk_update(gone, ["status", "verdict_at", "updated_at"])
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
                "status",
                "updated_at",
            ],
        )
        AttributionFlag.objects.filter(claim__in=kept).delete()
    Claim.objects.bulk_create(created)
    for claim in created:
        events.append(
            actor.event(
                claim=claim,
                action="created",
                to_status=claim.status,
                note=correction.note or f"Found in revision {revision}.",
            )
        )
    ClaimEvent.objects.bulk_create(events)
    domain_events.claim_events_recorded(recorded=moved)  # one batch of claim.status_changed

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
