"""A newsroom's checking policy: which attribution flags it wants and how severe, its threshold of
check-worthiness, and how it publishes its verdicts as ClaimReview ratings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.models import Newsroom
from factcheck.analysis.attribution import KINDS as ATTRIBUTION_KINDS
from factcheck.analysis.types import Severity
from factcheck.claimreview import VERDICT_ORDER, rating_scale
from factcheck.models import CheckingPolicy, validate_verdicts_needing_source


def claim_review_ratings_save(*, newsroom: Newsroom, ratings: dict) -> CheckingPolicy:
    """Set how ``newsroom`` publishes its verdicts as ClaimReview (see ``factcheck.claimreview``).

    Creates the newsroom's checking policy with its defaults if it has none.  A map that does not
    parse is refused with ``ValidationError`` on ``claim_review_ratings``, and nothing is saved.
    """
    try:
        rating_scale(ratings)
    except ValidationError as error:
        raise ValidationError({"claim_review_ratings": error.messages}) from None
    with transaction.atomic():
        policy, _ = CheckingPolicy.objects.select_for_update().get_or_create(newsroom=newsroom)
        policy.claim_review_ratings = ratings
        policy.save(update_fields=["claim_review_ratings", "updated_at"])
    return policy


def verdicts_needing_source_save(*, newsroom: Newsroom, verdicts: list[str]) -> CheckingPolicy:
    """Set which verdicts ``newsroom`` gives only on evidence (a source fetched and archived, or one a
    person marked offline with a note).  Creates the policy with its defaults if there is none; a
    list naming anything but verdicts is refused with ``ValidationError`` and nothing is saved."""
    try:
        validate_verdicts_needing_source(verdicts)
    except ValidationError as error:
        raise ValidationError({"verdicts_needing_source": error.messages}) from None
    with transaction.atomic():
        policy, _ = CheckingPolicy.objects.select_for_update().get_or_create(newsroom=newsroom)
        policy.verdicts_needing_source = [v for v in VERDICT_ORDER if v in verdicts]
        policy.save(update_fields=["verdicts_needing_source", "updated_at"])
    return policy


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
    defaults: dict[str, object] = {
        "flag_kinds": [kind for kind in ATTRIBUTION_KINDS if kind in flag_kinds],
        "severities": overrides,
        "extra_vague_terms": extra_vague_terms.strip(),
        "allowed_phrases": allowed_phrases.strip(),
    }
    if checkworthiness_threshold is not None:
        defaults["checkworthiness_threshold"] = checkworthiness_threshold
    policy, _ = CheckingPolicy.objects.update_or_create(newsroom=newsroom, defaults=defaults)
    return policy
