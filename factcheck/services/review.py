"""The review workflow in action: the one place a claim's state changes, and assignment.

Every change locks the claim's article row, then the claim row (``select_for_update``), so of two
people acting on the same claim at once one wins and the other is refused with what happened, never
silently overwritten.  The article comes first because ``article_analyze`` locks the article and
then rewrites its claims: taking the locks in the same order, a review and a revision wait for each
other instead of deadlocking.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from editorial.models import Article
from factcheck import domain_events
from factcheck.actors import Actor
from factcheck.models import EVIDENCE, Claim, ClaimEvent
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

CLAIM_FIELDS_CHANGED = ["status", "verdict_at", "assignee", "updated_at"]


def _label(status: str) -> str:
    return ClaimStatus(status).label.lower()


def _locked_claim(claim_id: int) -> Claim:
    """The claim with its article, both locked until the end of the caller's transaction.

    The article first, as ``article_analyze`` does (see the module's docstring).
    """
    locked = Article.objects.select_for_update(of=("self",)).filter(claims__pk=claim_id)
    if not locked.values_list("pk", flat=True):
        raise Claim.DoesNotExist(f"No claim {claim_id}.")
    return Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim_id)


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
    claim.verdict_at = timezone.now() if transition.target in VERDICTS else None
    if transition.takes and actor.user is not None:
        claim.assignee = actor.user
    return event


def allowed_transitions(*, actor: Actor, claim: Claim) -> list[Transition]:
    """The transitions ``actor`` may make on ``claim`` now (guards aside): the buttons to show."""
    role, reports = actor.workflow_role(claim)
    if role is None:
        return []
    return [t for t in transitions_from(claim.status) if allowed(t, role, reports_article=reports)]


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
        claim = _locked_claim(claim_id)
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
        if transition.needs_source and not claim.sources.filter(EVIDENCE).exists():
            raise ValidationError(
                {
                    "sources": "A claim is verified only with a source: attach one, or wait until a "
                    "source found for it has been fetched."
                }
            )
        event = claim_transition_apply(claim, transition, actor=actor, note=note)
        claim.save(update_fields=CLAIM_FIELDS_CHANGED)
        event.save()
        domain_events.claim_events_recorded(recorded=[(claim, event)])
    return claim


def claim_assign(*, actor: Actor, claim_id: int, assignee_id: int | None, note: str = "") -> Claim:
    """Give a claim to someone of its newsroom who checks claims (or to nobody).  Editors only."""
    with transaction.atomic():
        claim = _locked_claim(claim_id)
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
        if claim.assignee_id == (assignee.pk if assignee else None):
            return claim
        event = actor.event(
            claim=claim,
            action="assign",
            from_status=claim.status,
            to_status=claim.status,
            note=note or (f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."),
        )
        claim.assignee = assignee
        claim.save(update_fields=["assignee", "updated_at"])
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
        claim = _locked_claim(claim_id)
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
]
