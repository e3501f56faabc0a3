"""Submitting articles for checking, storing their analysis, and editors' corrections of it."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from editorial.models import AnalysisStatus, Article, BodyFormat, Desk, Newsroom
from editorial.services import article_upsert
from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.pipeline import InputRejected, Overrides, analyze, check_input, fold
from factcheck.analysis.types import Analysis, Severity
from factcheck.models import (
    AnalysisOverride,
    AttributionFlag,
    CheckingPolicy,
    Claim,
    ClaimEvent,
    ExcludedBlock,
)
from factcheck.notifications.services import claims_flagged_notify
from factcheck.queue import publish_each_on_commit
from factcheck.selectors import attribution_policy
from factcheck.services.actors import Actor
from factcheck.services.review import move
from factcheck.services.sources import cited_sources, sources_after_analysis
from factcheck.webhooks.services.events import (
    article_analyzed_emit,
    claims_status_changed_emit,
    flagged_before_analysis,
    flagged_claims,
)
from factcheck.workflow import BY_NAME, ClaimStatus

logger = logging.getLogger(__name__)

#: Kept claims park their ordinals this far up while the new order is written.
ORDINAL_PARKING = 10_000_000
#: An analysis in these states is still owed: the sweep queues it again when it is overdue.
PENDING_ANALYSIS = (AnalysisStatus.RECEIVED, AnalysisStatus.ANALYZING)


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

    now = timezone.now()
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
        # Claims keep their article's desk, for the review queue's desk filter.
        Claim.objects.filter(article=result.article).exclude(desk_id=result.article.desk_id).update(
            desk_id=result.article.desk_id
        )
        article = result.article
        if result.body_changed:
            # The row is the record of the work: the sweep queues it again if this message is lost.
            Article.objects.filter(pk=article.pk).update(
                analysis_queued_at=now, analysis_due_at=now + _requeue_after()
            )
            publish_each_on_commit(analyze_article, [article.pk])
        elif _overdue(article, now):
            # The same body again (a client retrying after an error) while its analysis is overdue:
            # queue it now rather than at the next sweep.
            Article.objects.filter(pk=article.pk).update(analysis_due_at=now + _requeue_after())
            publish_each_on_commit(analyze_article, [article.pk])
    logger.info(
        "article %s %s by %s (revision %s)",
        result.article.pk,
        "created" if result.created else "updated",
        actor.name,
        result.article.revision,
    )
    return result.article


def _requeue_after() -> timedelta:
    return timedelta(seconds=settings.FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS)


def _overdue(article: Article, now: datetime) -> bool:
    return article.analysis_status in PENDING_ANALYSIS and (
        article.analysis_due_at is None or article.analysis_due_at <= now
    )


def analyses_overdue(*, limit: int = 500, now: datetime | None = None) -> list[int]:
    """The articles whose analysis should be running and is not, oldest due first, at most ``limit``:
    received and not started in time (the message was lost: the broker was down, or it restarted
    empty), or under way past the lease (the worker died).  Each gets its next due time, as far
    ahead as it has already waited (at least ``FACTDESK_ANALYSIS_REQUEUE_AFTER_SECONDS``), so that a
    long queue is not flooded with copies; the caller queues them.  An analysis still under way in
    fact is not disturbed: the copy finds its revision stored, or stores the same claims.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(analysis_status__in=PENDING_ANALYSIS)
            .filter(Q(analysis_due_at__isnull=True) | Q(analysis_due_at__lte=now))
            .order_by(F("analysis_due_at").asc(nulls_first=True), "pk")
            .values_list("pk", "analysis_queued_at")[:limit]
        )
        for pk, queued_at in rows:
            waited = now - queued_at if queued_at is not None else timedelta(0)
            Article.objects.filter(pk=pk).update(
                analysis_queued_at=queued_at or now, analysis_due_at=now + max(_requeue_after(), waited)
            )
    return [pk for pk, _ in rows]


def checking_policy_save(
    *,
    newsroom: Newsroom,
    flag_kinds: list[str],
    severities: dict[str, str],
    extra_vague_terms: str = "",
    allowed_phrases: str = "",
    checkworthiness_threshold: float | None = None,
) -> CheckingPolicy:
    """Create or replace ``newsroom``'s checking policy (used by analyses from now on).

    ``checkworthiness_threshold`` (0 to 1): the score from which a claim must be resolved before the
    article is clear; None keeps the newsroom's current threshold (0.5 for a new policy).
    """
    unknown = sorted(set(flag_kinds) - set(ATTRIBUTION_KINDS))
    if unknown:
        raise ValidationError({"flag_kinds": f"Unknown kind(s): {', '.join(unknown)}."})
    bad = {kind: value for kind, value in severities.items() if kind not in ATTRIBUTION_KINDS}
    bad |= {kind: value for kind, value in severities.items() if value not in {s.value for s in Severity}}
    if bad:
        raise ValidationError({"severities": f"Unknown kind or severity: {bad}."})
    if checkworthiness_threshold is not None and not 0 <= checkworthiness_threshold <= 1:
        raise ValidationError({"checkworthiness_threshold": "The threshold is a score from 0 to 1."})
    overrides = {kind: value for kind, value in severities.items() if value != ATTRIBUTION_KINDS[kind]}
    defaults = {
        "flag_kinds": [kind for kind in ATTRIBUTION_KINDS if kind in flag_kinds],
        "severities": overrides,
        "extra_vague_terms": extra_vague_terms.strip(),
        "allowed_phrases": allowed_phrases.strip(),
    }
    if checkworthiness_threshold is not None:
        defaults["checkworthiness_threshold"] = checkworthiness_threshold
    policy, _ = CheckingPolicy.objects.update_or_create(newsroom=newsroom, defaults=defaults)
    return policy


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
        flagged_before = flagged_before_analysis(article=article, live=live)
        _store_analysis(
            article=article,
            revision=revision,
            analysis=analysis,
            correction=correction or Correction(),
            live=live,
        )
        sources_after_analysis(article=article, cited=cited)
        flagged = flagged_claims(article=article)
        article_analyzed_emit(
            article=article, revision=revision, flagged_before=flagged_before, flagged=flagged
        )
        claims_flagged_notify(
            article=article, revision=revision, actor=correction and correction.actor, flagged=flagged
        )
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
    moved: list[tuple[Claim, ClaimEvent]] = []  # claim.status_changed, emitted once for all of them
    events = [
        move(
            claim,
            BY_NAME["supersede"],
            actor=actor,
            note=correction.note or f"Revision {revision} removed or rewrote this sentence.",
            batch=moved,
        )
        for claim in gone
    ]
    events += [
        move(
            claim,
            BY_NAME["answer_attribution"],
            actor=actor,
            note=f"The article was revised (revision {revision}).",
            batch=moved,
        )
        for claim in answered
    ]
    claims_status_changed_emit(moves=moved)
    now = timezone.now()  # bulk_update does not set auto_now fields itself
    for claim in (*gone, *kept):
        claim.updated_at = now
    if gone:
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
