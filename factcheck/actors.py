"""Who acts: a person, an API key, or Factdesk itself, and what role that gives them on a claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from editorial.models import ApiKey, Role
from factcheck.models import ActorKind, Claim, ClaimEvent
from factcheck.workflow import WorkflowRole

#: Newsroom roles as the review workflow sees them: a newsroom admin acts as an editor.
WORKFLOW_ROLES: dict[str, WorkflowRole] = {
    Role.ADMIN: WorkflowRole.EDITOR,
    Role.EDITOR: WorkflowRole.EDITOR,
    Role.FACT_CHECKER: WorkflowRole.FACT_CHECKER,
    Role.REPORTER: WorkflowRole.REPORTER,
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person, an API key, or Factdesk itself."""

    kind: ActorKind
    user: User | None = None
    api_key: ApiKey | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def for_user(cls, user: User) -> Actor:
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

    def event(self, **fields: Any) -> ClaimEvent:
        return ClaimEvent(
            actor_kind=self.kind,
            actor_user=self.user,
            actor_api_key=self.api_key,
            actor_name=self.name,
            **fields,
        )

    def workflow_role(self, claim: Claim) -> tuple[WorkflowRole | None, bool]:
        """The role this actor plays on ``claim``'s newsroom, and whether they report its article."""
        newsroom_id = claim.article.newsroom_id
        if self.kind == ActorKind.SYSTEM:
            return WorkflowRole.SYSTEM, False
        if self.kind == ActorKind.API_KEY and self.api_key is not None:
            if self.api_key.newsroom_id != newsroom_id:
                return None, False
            return WORKFLOW_ROLES.get(self.api_key.role), False
        user = self.user
        if user is None or not user.is_active:
            return None, False
        reports = claim.article.reporters.filter(pk=user.pk).exists()
        if user.is_superuser:
            return WorkflowRole.EDITOR, reports
        role = user.memberships.filter(newsroom_id=newsroom_id).values_list("role", flat=True).first()
        return (WORKFLOW_ROLES.get(role) if role is not None else None), reports
