"""Writes of the ClaimReview feature: a newsroom's map from verdicts to published ratings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.models import Newsroom
from factcheck.claimreview import rating_scale
from factcheck.models import CheckingPolicy


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
