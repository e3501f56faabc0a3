"""The review workflow in action: the one place a claim's state changes, and assignment.

Every change locks the claim's article row, then the claim row (``factcheck.locks``), so of two
people acting on the same claim at once one wins and the other is refused with what happened, never
silently overwritten.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from factcheck import domain_events
from factcheck.actors import Actor
from factcheck.locks import claim_with_article_locked
from factcheck.models import (
    EVIDENCE,
    CheckingPolicy,
    Claim,
    ClaimEvent,
    FetchStatus,
    default_verdicts_needing_source,
    is_evidence,
)
from factcheck.selectors import NOTE_ACTION
from factcheck.workflow import (
    BY_NAME,
    VERDICTS,
    ClaimStatus,
    Transition,
    WorkflowRole,
    allowed,
    transition_to,
    transitions_from,
)
from httpapi.errors import Conflict, Forbidden

CLAIM_FIELDS_CHANGED = ["status", "verdict_at", "assignee", "assignee_key", "verdict_text", "updated_at"]

#: States whose decision is recorded with the sentence it was made on (``Claim.verdict_text``).
DECISIONS = VERDICTS | {ClaimStatus.NOT_CHECKABLE}


def _label(status: str) -> str:
    return ClaimStatus(status).label.lower()


def claim_transition_apply(
    claim: Claim, transition: Transition, *, actor: Actor, note: str = ""
) -> ClaimEvent:
    """Apply ``transition`` to the (locked) ``claim`` in memory and return its unsaved audit event.

    The caller has checked the transition and the permission, saves both, and records the event
    (``domain_events.claim_events_recorded``).  This is the only code that assigns a claim's state
    (a test checks).
    """
    event = actor.event(
        claim=claim, action=transition.name, from_status=claim.status, to_status=transition.target, note=note
    )
    claim.status = transition.target
    if transition.target in DECISIONS:
        claim.verdict_text = claim.text  # what the verdict was given on: later edits are shown against it

    claim.verdict_at = timezone.now() if transition.target in VERDICTS else None
    if transition.takes and (actor.user is not None or actor.api_key is not None):
        # The taker holds the claim, a person or an API key, never both (``claim_one_holder``).
        claim.assignee, claim.assignee_key = actor.user, actor.api_key
    return event


def allowed_transitions(*, actor: Actor, claim: Claim) -> list[Transition]:
    """The transitions ``actor`` may make on ``claim`` now (guards aside): the buttons to show."""
    role, reports = actor.workflow_role(claim)
    if role is None:
        return []
    return [t for t in transitions_from(claim.status) if allowed(t, role, reports_article=reports)]


def passable_transitions(*, actor: Actor, claim: Claim) -> list[Transition]:
    """The transitions ``actor`` may make on ``claim`` now whose guards on the claim pass: a move that
    needs a source is left out while the claim has none that counts as evidence (``EVIDENCE``, as
    ``claim_transition`` checks); a note is the asker's to give.  Reads ``claim.sources``, which
    ``selectors.claim_detail`` prefetches."""
    return transition_choices(actor=actor, claim=claim)[0]


def transition_choices(
    *, actor: Actor, claim: Claim
) -> tuple[list[Transition], list[tuple[Transition, str]]]:
    """The transitions ``actor``'s role may make on ``claim`` now, parted in two: those whose guards on
    the claim pass (:func:`passable_transitions`), and those a guard blocks, each with the guard's
    message, the one ``claim_transition`` would refuse it with (the evidence guard's, from
    :func:`evidence_refusal`).  Reads ``claim.sources``, which ``selectors.claim_detail`` prefetches."""
    sources = list(claim.sources.all())
    moves = allowed_transitions(actor=actor, claim=claim)
    if any(is_evidence(source) for source in sources):
        return moves, []
    wanted = verdicts_needing_evidence(newsroom_id=claim.newsroom_id)
    statuses = {source.status for source in sources}
    passable: list[Transition] = []
    blocked: list[tuple[Transition, str]] = []
    for move in moves:
        if needs_evidence(claim=claim, transition=move, wanted=wanted):
            blocked.append((move, evidence_refusal(transition=move, statuses=statuses)))
        else:
            passable.append(move)
    return passable, blocked


def claim_transition(
    *, actor: Actor, claim_id: int, to: str, note: str = "", expected_status: str | None = None
) -> Claim:
    """Move a claim to state ``to``, as the declared workflow allows ``actor``, and record it.

    Raises ``Conflict`` (409) when the workflow has no such move from the claim's current state, or
    the claim changed since the caller looked at it (``expected_status``); ``Forbidden`` (403) when
    the move exists but is not the actor's to make; ``ValidationError`` (400) when a guard fails.
    """
    note = (note or "").strip()
    with transaction.atomic():
        claim = claim_with_article_locked(claim_id)
        if expected_status is not None and claim.status != expected_status:
            # The last move of the claim (a source added since is not what changed it).
            last = claim.events.exclude(from_status=F("to_status")).order_by("-created_at", "-id").first()
            by = f" by {last.actor_name}" if last else ""
            raise Conflict(
                f"The claim changed while you were looking at it: it is now {_label(claim.status)}{by}. "
                "Reload it and decide again."
            )
        if to not in ClaimStatus.values:
            raise ValidationError(
                {"to": f"Unknown state {to!r}; states are {', '.join(ClaimStatus.values)}."}
            )
        transition = transition_to(claim.status, to)
        if transition is None:
            possible = ", ".join(_label(t.target) for t in transitions_from(claim.status)) or "nothing"
            raise Conflict(
                f"A claim that is {_label(claim.status)} cannot become {_label(to)}; "
                f"from here it can become: {possible}."
            )
        role, reports = actor.workflow_role(claim)
        if role is None or not allowed(transition, role, reports_article=reports):
            who = (role.label.lower() + "s") if role else "people outside the newsroom"
            extra = " on their own articles" if role in transition.own_articles_only else ""
            raise Forbidden(f"{transition.label} is not for {who}{extra}: ask an editor.")
        if transition.needs_note and not note:
            raise ValidationError({"note": f"{transition.label} needs a note saying why."})
        evidence_required(claim=claim, transition=transition)
        event = claim_transition_apply(claim, transition, actor=actor, note=note)
        claim.save(update_fields=CLAIM_FIELDS_CHANGED)
        event.save()
        domain_events.claim_events_recorded(recorded=[(claim, event)])
    return claim


def verdicts_needing_evidence(*, newsroom_id: int) -> list[str]:
    """The verdicts the newsroom gives only on evidence (``CheckingPolicy.verdicts_needing_source``);
    without a policy, those whose transition the workflow table guards with ``needs_source``."""
    wanted = (
        CheckingPolicy.objects.filter(newsroom_id=newsroom_id)
        .values_list("verdicts_needing_source", flat=True)
        .first()
    )
    return default_verdicts_needing_source() if wanted is None else list(wanted)


def needs_evidence(*, claim: Claim, transition: Transition, wanted: list[str] | None = None) -> bool:
    """Does ``transition`` need evidence on ``claim``?  ``wanted``: the newsroom's
    ``verdicts_needing_evidence``, when the caller has it already."""
    if transition.target not in VERDICTS:
        return transition.needs_source
    if wanted is None:
        wanted = verdicts_needing_evidence(newsroom_id=claim.newsroom_id)
    return transition.target in wanted


def evidence_required(*, claim: Claim, transition: Transition) -> None:
    """Refuse (``ValidationError`` on ``sources``) a verdict that needs evidence and has none: a source
    fetched and archived, or one a person marked as an offline source with a note."""
    if not needs_evidence(claim=claim, transition=transition):
        return
    if claim.sources.filter(EVIDENCE).exists():
        return
    statuses = set(claim.sources.values_list("status", flat=True).distinct())
    raise ValidationError({"sources": evidence_refusal(transition=transition, statuses=statuses)})


def evidence_refusal(*, transition: Transition, statuses: set[str]) -> str:
    """Why ``transition`` is refused on a claim without evidence whose sources are in ``statuses``
    (``FetchStatus`` values; empty for none)."""
    why = (
        "its sources are still waiting to be fetched"
        if statuses & {FetchStatus.PENDING, FetchStatus.FETCHING}
        else "its sources could not be fetched"
        if FetchStatus.FAILED in statuses
        else "it has no source fetched and archived"
    )
    return (
        f"{transition.label} needs evidence, and {why}. Wait for a fetch to archive a source, or mark a "
        "source as offline with a note saying what it is (a phone call, a document on file)."
    )


def claim_assign(*, actor: Actor, claim_id: int, assignee_id: int | None, note: str = "") -> Claim:
    """Give a claim to someone of its newsroom who checks claims (or to nobody).  Editors only."""
    with transaction.atomic():
        claim = claim_with_article_locked(claim_id)
        role, _ = actor.workflow_role(claim)
        if role not in (WorkflowRole.EDITOR, WorkflowRole.SYSTEM):
            raise Forbidden("Only editors assign claims.")
        assignee = None
        if assignee_id is not None:
            assignee = (
                get_user_model()
                .objects.filter(
                    pk=assignee_id,
                    is_active=True,
                    memberships__newsroom_id=claim.article.newsroom_id,
                    memberships__role__in=["admin", "editor", "fact_checker"],
                )
                .first()
            )
            if assignee is None:
                raise ValidationError({"assignee": "Assign to an editor or fact-checker of this newsroom."})
        if claim.assignee_id == (assignee.pk if assignee else None) and claim.assignee_key_id is None:
            return claim
        event = actor.event(
            claim=claim,
            action="assign",
            from_status=claim.status,
            to_status=claim.status,
            note=note or (f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."),
        )
        claim.assignee, claim.assignee_key = assignee, None  # an API key that held it lets go
        claim.save(update_fields=["assignee", "assignee_key", "updated_at"])
        event.save()
        domain_events.claim_events_recorded(recorded=[(claim, event)])
    return claim


def claim_note_add(*, actor: Actor, claim_id: int, note: str) -> ClaimEvent:
    """Write a note in a claim's history (a question, a lead, a call made), without moving it.

    Anyone with a role in the claim's newsroom may; the claim counts as changed (``updated_at``).
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "A note needs some text."})
    with transaction.atomic():
        claim = claim_with_article_locked(claim_id)
        role, _ = actor.workflow_role(claim)
        if role is None:
            raise Forbidden("Only people of the claim's newsroom write in its history.")
        event = actor.event(
            claim=claim, action=NOTE_ACTION, from_status=claim.status, to_status=claim.status, note=note
        )
        event.save()
        claim.save(update_fields=["updated_at"])
    return event


__all__ = [
    "BY_NAME",
    "allowed_transitions",
    "claim_assign",
    "claim_note_add",
    "claim_transition",
    "claim_transition_apply",
    "evidence_refusal",
    "passable_transitions",
    "transition_choices",
]
