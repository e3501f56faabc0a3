"""The claim review workflow, declared as data: states, transitions, who may take each, and guards.

This table is the whole workflow.  ``factcheck.services.claim_transition`` is the only code that
changes a claim's state, and it does exactly what the table says: whatever asks for a transition
(the API, or the admin's claim page and queue, whose bulk actions are a hand-picked few of these
transitions in ``factcheck/admin/queue.py``) gets only what the table allows the person or key.
The README's state diagram is generated from the table (``python manage.py workflow_diagram``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class ClaimStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    IN_REVIEW = "in_review", "In review"
    NEEDS_ATTRIBUTION = "needs_attribution", "Needs attribution"
    VERIFIED = "verified", "Verified"
    MISLEADING = "misleading", "Misleading"
    FALSE = "false", "False"
    UNVERIFIABLE = "unverifiable", "Unverifiable"
    NOT_CHECKABLE = "not_checkable", "Not checkable"
    SUPERSEDED = "superseded", "Superseded"


#: States a claim is in while it still needs someone's attention.
OPEN_STATES = frozenset({ClaimStatus.UNREVIEWED, ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_ATTRIBUTION})
#: The verdicts a fact-checker gives.
VERDICTS = frozenset(
    {ClaimStatus.VERIFIED, ClaimStatus.MISLEADING, ClaimStatus.FALSE, ClaimStatus.UNVERIFIABLE}
)


class WorkflowRole(models.TextChoices):
    """Who acts in the workflow.  Newsroom roles map onto these (an admin acts as an editor)."""

    FACT_CHECKER = "fact_checker", "Fact-checker"
    EDITOR = "editor", "Editor"
    REPORTER = "reporter", "Reporter"
    SYSTEM = "system", "Factdesk"


CHECKERS = frozenset({WorkflowRole.FACT_CHECKER, WorkflowRole.EDITOR})
EDITORS = frozenset({WorkflowRole.EDITOR})


@dataclass(frozen=True)
class Transition:
    """One move of the workflow.

    ``roles``: who may make it.  ``own_articles_only``: a reporter may make it only on claims of an
    article they report.  Guards: ``needs_note`` (the event must say why) and ``needs_source`` (the
    claim must have a source attached).  ``takes``: the actor becomes the claim's assignee.
    """

    name: str
    label: str
    sources: frozenset[ClaimStatus]
    target: ClaimStatus
    roles: frozenset[WorkflowRole]
    needs_note: bool = False
    needs_source: bool = False
    takes: bool = False
    own_articles_only: frozenset[WorkflowRole] = frozenset()


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "take", "Take", frozenset({ClaimStatus.UNREVIEWED}), ClaimStatus.IN_REVIEW, CHECKERS, takes=True
    ),
    Transition(
        "verify",
        "Verified",
        frozenset({ClaimStatus.IN_REVIEW}),
        ClaimStatus.VERIFIED,
        CHECKERS,
        needs_source=True,
    ),
    Transition(
        "mark_misleading",
        "Misleading",
        frozenset({ClaimStatus.IN_REVIEW}),
        ClaimStatus.MISLEADING,
        CHECKERS,
        needs_note=True,
    ),
    Transition(
        "mark_false",
        "False",
        frozenset({ClaimStatus.IN_REVIEW}),
        ClaimStatus.FALSE,
        CHECKERS,
        needs_note=True,
    ),
    Transition(
        "mark_unverifiable",
        "Unverifiable",
        frozenset({ClaimStatus.IN_REVIEW}),
        ClaimStatus.UNVERIFIABLE,
        CHECKERS,
        needs_note=True,
    ),
    Transition(
        "request_attribution",
        "Send back for attribution",
        frozenset({ClaimStatus.IN_REVIEW}),
        ClaimStatus.NEEDS_ATTRIBUTION,
        CHECKERS,
        needs_note=True,
    ),
    Transition(
        "answer_attribution",
        "Answer with the source",
        frozenset({ClaimStatus.NEEDS_ATTRIBUTION}),
        ClaimStatus.IN_REVIEW,
        CHECKERS | {WorkflowRole.REPORTER, WorkflowRole.SYSTEM},
        needs_note=True,
        own_articles_only=frozenset({WorkflowRole.REPORTER}),
    ),
    Transition(
        "dismiss",
        "Dismiss as not checkable",
        frozenset({ClaimStatus.UNREVIEWED}),
        ClaimStatus.NOT_CHECKABLE,
        EDITORS,
        needs_note=True,
    ),
    Transition(
        "reopen",
        "Reopen",
        VERDICTS | {ClaimStatus.NOT_CHECKABLE},
        ClaimStatus.IN_REVIEW,
        # Factdesk reopens a decided claim when a revision changes what was checked (docs/revisions.md).
        EDITORS | {WorkflowRole.SYSTEM},
        needs_note=True,
    ),
    Transition(
        "supersede",
        "Superseded by a revision",
        frozenset(set(ClaimStatus) - {ClaimStatus.SUPERSEDED}),
        ClaimStatus.SUPERSEDED,
        frozenset({WorkflowRole.SYSTEM}),
    ),
)

BY_NAME: dict[str, Transition] = {transition.name: transition for transition in TRANSITIONS}


def transition_to(source: ClaimStatus | str, target: ClaimStatus | str) -> Transition | None:
    """The transition from ``source`` to ``target``, or None when the workflow has no such move."""
    for transition in TRANSITIONS:
        if source in transition.sources and transition.target == target:
            return transition
    return None


def transitions_from(source: ClaimStatus | str) -> list[Transition]:
    return [transition for transition in TRANSITIONS if source in transition.sources]


def allowed(transition: Transition, role: WorkflowRole | str, *, reports_article: bool = False) -> bool:
    """May someone acting as ``role`` make ``transition``?  (Guards are checked separately.)"""
    if role not in transition.roles:
        return False
    return role not in transition.own_articles_only or reports_article


def mermaid() -> str:
    """The state diagram (Mermaid), generated from the table, for the README."""
    lines = ["stateDiagram-v2", f"    [*] --> {ClaimStatus.UNREVIEWED.value}"]
    for transition in TRANSITIONS:
        if transition.name == "supersede":
            continue
        who = ", ".join(
            sorted(
                role.label.lower() + (" of the article" if role in transition.own_articles_only else "")
                for role in transition.roles
                if role != WorkflowRole.SYSTEM
            )
        )
        guards = [g for g, on in (("note", transition.needs_note), ("source", transition.needs_source)) if on]
        guard = f" [needs {' and '.join(guards)}]" if guards else ""
        for source in sorted(transition.sources):
            lines.append(f"    {source} --> {transition.target.value}: {transition.label} ({who}){guard}")
    lines.append(
        f"    {ClaimStatus.SUPERSEDED.value}: superseded (from any state, "
        "when a revision removes or rewrites the sentence)"
    )
    return "\n".join(lines)
