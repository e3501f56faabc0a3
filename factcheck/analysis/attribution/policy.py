"""A newsroom's settings for the attribution flags (stored per newsroom, edited in the admin)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from factcheck.analysis.attribution.kinds import KINDS
from factcheck.analysis.types import Severity


@dataclass(frozen=True)
class Policy:
    """A newsroom's settings: which kinds to flag, how severe, house vague terms, phrases never flagged."""

    enabled: frozenset[str] = frozenset(KINDS)
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    extra_vague_terms: tuple[str, ...] = ()
    allowed_phrases: tuple[str, ...] = ()

    def severity(self, kind: str) -> Severity:
        return self.severities.get(kind, KINDS[kind])


DEFAULT_POLICY = Policy()
