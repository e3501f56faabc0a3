"""Storing an article's analysis, recording permanent failures, and editors' corrections of what
counts as a claim."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict, deque
from collections.abc import Callable
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
from factcheck.analysis import revisions
from factcheck.analysis.pipeline import InputRejected, Overrides, analyze, fold
from factcheck.analysis.types import Analysis
from factcheck.analysis.types import Claim as FoundClaim
from factcheck.models import (
    AnalysisOverride,
    AttributionFlag,
    AuditAction,
    Claim,
    ClaimEvent,
    ExcludedBlock,
    flag_kinds_value,
)
from factcheck.selectors import attribution_policy, flagged_claim_ids, flagged_claims
from factcheck.services.review import DECISIONS, claim_transition_apply
from factcheck.services.sources import (
    NO_FOLLOW_UPS,
    FollowUps,
    cited_sources,
    follow_ups_queue_on_commit,
    sources_after_analysis,
)
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


@dataclass(frozen=True)
class Analyzed:
    """What ``article_analyze`` did: the article as it left it (None when it is gone), and the work
    its caller queues once it returns (the fetches of the sources its claims cite, their searches)."""

    article: Article | None
    follow_ups: FollowUps = NO_FOLLOW_UPS


def article_analyze(*, article_id: int, correction: Correction | None = None) -> Analyzed:
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
            return Analyzed(article)
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
        return Analyzed(Article.objects.filter(pk=article_id).first())
    cited = cited_sources(analysis=analysis, base_url=base_url)  # DNS: outside the transaction

    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.revision != revision:
            return Analyzed(article)  # deleted, or a newer body is queued: its own task will store it
        if done(article):
            return Analyzed(article)
        live = list(article.claims.exclude(status=ClaimStatus.SUPERSEDED).order_by("ordinal"))
        flagged_before = flagged_claim_ids(live=live)
        _store_analysis(
            article=article,
            revision=revision,
            analysis=analysis,
            correction=correction or Correction(),
            live=live,
        )
        follow_ups = sources_after_analysis(article=article, cited=cited)
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
    return Analyzed(article, follow_ups)


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
    analyzed = article_analyze(article_id=article.pk, correction=Correction(actor=actor, note=note))
    follow_ups_queue_on_commit(analyzed.follow_ups)  # an editor's request: queued as a request queues
    return analyzed.article


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

    Each sentence of the analysis is matched to the claim it continues (docs/revisions.md):

    - the same text: the claim keeps its row, review state and history (position and flags are
      refreshed).  A claim waiting for attribution is answered only if its flags changed (a link or a
      credit added to the sentence's attribution); an edit elsewhere in the article changes nothing.
    - the same sentence up to small edits (``revisions.match``): the claim keeps its row and takes the
      new text.  A verdict and its sources carry over, and the claim page shows the change since the
      verdict; when the edit changes a number, a name, a negation or the attribution
      (``revisions.compare``), the claim goes back to review.  A claim waiting for attribution whose
      attribution the edit changes, or that it makes name someone, is answered.
    - a rewrite of a sentence waiting for attribution that credits its source (``revisions.credits``):
      a new claim, assigned to whoever had the old one and linked to it; the old one is answered
      and superseded.

    A claim whose sentence is gone is superseded; other new sentences become claims.
    """
    actor = correction.actor
    new_revision = bool(live) and any(claim.revision != revision for claim in live)
    old_flags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for claim_id, kind, cue in AttributionFlag.objects.filter(claim__in=live).values_list(
        "claim_id", "kind", "cue"
    ):
        old_flags[claim_id].append((kind, cue))

    def flags_of(found: FoundClaim) -> list[tuple[str, str]]:
        return [(flag.kind, flag.cue) for flag in found.flags]

    by_text: dict[str, deque[Claim]] = defaultdict(deque)
    for claim in live:
        by_text[claim.text].append(claim)
    previous_of: dict[int, Claim] = {}  # analysis index -> the claim it continues, same text
    for found in analysis.claims:
        if by_text.get(found.text):
            previous_of[found.index] = by_text[found.text].popleft()
    leftover = [claim for queue in by_text.values() for claim in queue]
    leftover.sort(key=lambda claim: claim.ordinal)
    unmatched = [found for found in analysis.claims if found.index not in previous_of]
    edited: dict[int, Claim] = {}  # analysis index -> the claim it edits
    for j, i in revisions.match([c.text for c in leftover], [f.text for f in unmatched]).items():
        edited[unmatched[j].index] = leftover[i]
    taken = {claim.pk for claim in edited.values()}
    leftover = [claim for claim in leftover if claim.pk not in taken]
    unmatched = [found for found in unmatched if found.index not in edited]
    rewrites = _credited_rewrites(
        waiting=[c for c in leftover if c.status == ClaimStatus.NEEDS_ATTRIBUTION],
        unmatched=unmatched,
        old_flags=old_flags,
        flags_of=flags_of,
    )

    kept: list[Claim] = []
    created: list[Claim] = []
    moved: list[tuple[Claim, ClaimEvent]] = []
    noted: list[ClaimEvent] = []  # edits that move nothing: the history says what changed
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
            "flag_kinds": flag_kinds_value(flag.kind for flag in found.flags),
            "text": found.text,
        }
        previous = previous_of.get(found.index)
        if previous is not None:
            if (
                new_revision
                and previous.status == ClaimStatus.NEEDS_ATTRIBUTION
                and Counter(old_flags[previous.pk]) != Counter(flags_of(found))
            ):
                note = f"Revision {revision} changed the sentence's attribution (its flags)."
                moved.append(
                    (
                        previous,
                        claim_transition_apply(
                            previous, BY_NAME["answer_attribution"], actor=actor, note=note
                        ),
                    )
                )
        elif (previous := edited.get(found.index)) is not None:
            change = revisions.compare(
                previous.text, found.text, old_flags=old_flags[previous.pk], new_flags=flags_of(found)
            )
            event = _edited(previous, change, revision=revision, actor=actor)
            if event.from_status != event.to_status:
                moved.append((previous, event))
            else:
                noted.append(event)
        else:
            predecessor = rewrites.get(found.index)
            claim = Claim(
                article=article,
                newsroom_id=article.newsroom_id,
                desk_id=article.desk_id,
                deadline=article.deadline,
                **fields,
            )
            if predecessor is not None:
                # The reporter's answer: a new claim for the checker who asked, linked to their request.
                claim.predecessor, claim.assignee_id = predecessor, predecessor.assignee_id
                claim.assignee_key_id = predecessor.assignee_key_id  # or the API key that asked
            created.append(claim)
            continue
        for name, value in fields.items():
            setattr(previous, name, value)
        kept.append(previous)

    gone = leftover
    answered = {claim.pk: found_index for found_index, claim in rewrites.items()}
    for claim in gone:
        if claim.pk in answered:
            new_text = next(f.text for f in analysis.claims if f.index == answered[claim.pk])
            note = f"Revision {revision} rewrote the sentence to credit its source: “{new_text}”"
            moved.append(
                (claim, claim_transition_apply(claim, BY_NAME["answer_attribution"], actor=actor, note=note))
            )
    moved += [
        (
            claim,
            claim_transition_apply(
                claim,
                BY_NAME["supersede"],
                actor=actor,
                note=correction.note
                or (
                    f"Revision {revision} rewrote this sentence to credit its source; "
                    "the rewrite is a new claim."
                    if claim.pk in answered
                    else f"Revision {revision} removed or rewrote this sentence."
                ),
            ),
        )
        for claim in gone
    ]
    events = [event for _, event in moved] + noted
    now = timezone.now()  # bulk_update does not set auto_now fields itself
    for claim in (*gone, *kept):
        claim.updated_at = now
    if gone:
        Claim.objects.bulk_update(gone, ["status", "verdict_text", "verdict_at", "updated_at"])
    if kept:
        # Move kept claims out of the way first, so that the unique live ordinal holds at every step.
        Claim.objects.filter(pk__in=[claim.pk for claim in kept]).update(
            ordinal=F("ordinal") + ORDINAL_PARKING
        )
        Claim.objects.bulk_update(
            kept,
            [
                "text",
                "revision",
                "ordinal",
                "start",
                "end",
                "paragraph",
                "kind",
                "checkworthiness",
                "checkworthiness_reasons",
                "is_flagged",
                "flag_kinds",
                "status",
                "verdict_text",
                "updated_at",
            ],
        )
        AttributionFlag.objects.filter(claim__in=kept).delete()
    Claim.objects.bulk_create(created)
    for claim in created:
        rewrite = (
            f" It rewrites claim #{claim.predecessor.pk} to credit its source, which answers that "
            "claim's request for attribution."
            if claim.predecessor is not None
            else ""
        )
        events.append(
            actor.event(
                claim=claim,
                action=AuditAction.CREATED,
                to_status=claim.status,
                note=(correction.note or f"Found in revision {revision}.") + rewrite,
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


def _edited(previous: Claim, change: revisions.Change, *, revision: int, actor: Actor) -> ClaimEvent:
    """The (unsaved) event of a claim's sentence edited by a revision, after moving the claim in
    memory if the edit calls for it: back to review when it changes what a decision was made on,
    answered when it changes the attribution of a claim waiting for one, or names someone new."""
    was = (
        f"Revision {revision} edited the sentence (similarity {change.similarity:.2f}); "
        f"it read: “{previous.text}”."
    )
    if previous.status in DECISIONS and change.material:
        note = f"{was} The edit could alter what was checked: {'; '.join(change.reasons)}."
        return claim_transition_apply(previous, BY_NAME["reopen"], actor=actor, note=note)
    credited = [item for item in change.names if item.endswith(" added")]
    if previous.status == ClaimStatus.NEEDS_ATTRIBUTION and (change.attribution or credited):
        note = f"{was} It changed the attribution ({'; '.join(change.attribution + tuple(credited))})."
        return claim_transition_apply(previous, BY_NAME["answer_attribution"], actor=actor, note=note)
    kept = (
        " A style edit: the verdict and its sources carry over."
        if previous.status in DECISIONS
        else f" It changed: {'; '.join(change.reasons)}."
        if change.material
        else ""
    )
    return actor.event(
        claim=previous,
        action=AuditAction.REVISED,
        from_status=previous.status,
        to_status=previous.status,
        note=was + kept,
    )


def _credited_rewrites(
    *,
    waiting: list[Claim],
    unmatched: list[FoundClaim],
    old_flags: dict[int, list[tuple[str, str]]],
    flags_of: Callable[[FoundClaim], list[tuple[str, str]]],
) -> dict[int, Claim]:
    """New sentences that rewrite a claim waiting for attribution to credit its source:
    ``{analysis index: the claim it answers}``, each claim and sentence used once (the most similar
    rewrite first)."""
    candidates = sorted(
        (
            (-revisions.similarity(claim.text, found.text), found.index, claim.pk, claim)
            for claim in waiting
            for found in unmatched
            if revisions.credits(
                claim.text, found.text, old_flags=old_flags[claim.pk], new_flags=flags_of(found)
            )
        ),
        key=lambda item: item[:3],
    )
    out: dict[int, Claim] = {}
    used: set[int] = set()
    for _, index, pk, claim in candidates:
        if index not in out and pk not in used:
            out[index] = claim
            used.add(pk)
    return out
