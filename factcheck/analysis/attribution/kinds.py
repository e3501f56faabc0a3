"""The kinds of flag: one row each, with its default severity, its priority and the question it asks.

A newsroom linguist adds or retunes a kind here.  ``label`` is the kind's name wherever people read it
(the admin, the dashboard, emails).  ``priority`` settles overlapping cues (the lower
wins: "some analysts" is flagged once, as anonymous experts).  ``question`` is what the editor reads;
it is formatted with ``noun`` (the head noun as written, lower case), ``cue`` (the words flagged) and
``group`` (the cue, lower-cased when only its first letter is a capital); ``question_one``, when set, is
asked instead for one unnamed person ("someone said", "a lawmaker said").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from factcheck.analysis.types import Severity

ANONYMOUS_EXPERTS = "anonymous_experts"
VAGUE_QUANTITY = "vague_quantity"
UNNAMED_REPORT = "unnamed_report"
AGENTLESS_PASSIVE = "agentless_passive"
HEDGE = "hedge"
VAGUE_COLLECTIVE = "vague_collective"
ANONYMOUS_OFFICIAL = "anonymous_official"


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    severity: Severity
    priority: int
    question: str
    question_one: str = ""  # for one unnamed person ("someone", "a lawmaker"), where it differs


TABLE: tuple[Kind, ...] = (
    Kind(
        ANONYMOUS_EXPERTS,
        "Unnamed experts",
        Severity.HIGH,
        0,
        "Which {noun}? Name them, or link the report they wrote.",
    ),
    Kind(
        VAGUE_QUANTITY,
        "Vague count of people",
        Severity.HIGH,
        4,
        "Who are \u201c{cue}\u201d, and how many? Name who holds this view, or cite a poll that measures it.",
    ),
    Kind(
        UNNAMED_REPORT,
        "Unnamed report or study",
        Severity.HIGH,
        2,
        "Which {noun}? Name who published it and when, or link it.",
    ),
    Kind(
        AGENTLESS_PASSIVE,
        "Passive voice hiding the source",
        Severity.MEDIUM,
        5,
        "\u201c{cue}\u201d by whom? Name who believes or says this.",
    ),
    Kind(
        HEDGE,
        "Hedge without a source",
        Severity.MEDIUM,
        6,
        "\u201c{cue}\u201d according to whom? Name who makes the claim and what it rests on.",
    ),
    Kind(
        VAGUE_COLLECTIVE,
        "Vague group",
        Severity.MEDIUM,
        1,
        "Which {group}? Name the people or organisations, or link their statement.",
        "Who is \u201c{cue}\u201d? Name them, or say why the newsroom keeps them anonymous.",
    ),
    Kind(
        ANONYMOUS_OFFICIAL,
        "Anonymous official",
        Severity.LOW,
        3,
        "Who is the source? Name them, or record who they are and why the newsroom granted anonymity.",
    ),
)

BY_CODE: Mapping[str, Kind] = MappingProxyType({kind.code: kind for kind in TABLE})

#: Every kind's label, for people.
LABELS: Mapping[str, str] = MappingProxyType({kind.code: kind.label for kind in TABLE})

#: Every kind with its default severity (what the admin, the API and a newsroom's policy offer).
KINDS: Mapping[str, Severity] = MappingProxyType({kind.code: kind.severity for kind in TABLE})
