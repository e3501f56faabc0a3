"""ClaimReview ratings: how a newsroom publishes its verdicts as schema.org ``reviewRating``.

A newsroom's checking policy holds the map (``CheckingPolicy.claim_review_ratings``), as JSON::

    {"worst": 1, "best": 5,
     "verdicts": {"false": {"rating": 1, "name": "False"},
                  "misleading": {"rating": 2, "name": "Misleading"},
                  "verified": {"rating": 5, "name": "True"}}}

``worst`` and ``best`` are the ends of the numeric scale (``worstRating``, ``bestRating``); each
verdict has its ``rating`` (``ratingValue``) on that scale and the ``name`` readers see
(``alternateName``, what fact-checkers call the textual rating).  A verdict that is not in the map is
not published: ``GET /api/v1/claims/{id}/claimreview`` answers 404 for its claims.

``unverifiable`` is left out by default.  It says that the evidence could not be found, not that the
claim is more or less true: put at the middle of a truth scale it would read as "half true", which is
a finding the checker did not make.  A newsroom that publishes it (as "Unproven", say) adds it with the
rating its readers will understand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from factcheck.workflow import VERDICTS, ClaimStatus

NAME_MAX_LENGTH = 100
#: In the workflow's order of the statuses, for forms and documentation.
VERDICT_ORDER = tuple(status.value for status in ClaimStatus if status in VERDICTS)


def default_claim_review_ratings() -> dict:
    """The map a newsroom starts with: on a 1 to 5 scale, false 1, misleading 2, verified 5."""
    return {
        "worst": 1,
        "best": 5,
        "verdicts": {
            ClaimStatus.FALSE.value: {"rating": 1, "name": "False"},
            ClaimStatus.MISLEADING.value: {"rating": 2, "name": "Misleading"},
            ClaimStatus.VERIFIED.value: {"rating": 5, "name": "True"},
        },
    }


@dataclass(frozen=True)
class Rating:
    """A verdict as schema.org's ``Rating``: its value on the scale, and what it says in words."""

    value: int
    name: str
    worst: int
    best: int


@dataclass(frozen=True)
class RatingScale:
    worst: int
    best: int
    verdicts: Mapping[str, tuple[int, str]]

    def rating(self, verdict: str) -> Rating | None:
        """The rating of ``verdict``, or None when the newsroom does not publish it."""
        if verdict not in self.verdicts:
            return None
        value, name = self.verdicts[verdict]
        return Rating(value=value, name=name, worst=self.worst, best=self.best)


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def rating_scale(ratings) -> RatingScale:
    """The scale ``ratings`` (the JSON of ``CheckingPolicy.claim_review_ratings``) describes.

    Raises ``ValidationError`` saying what is wrong: a scale whose ends are not whole numbers with
    ``worst`` below ``best``, a verdict the workflow does not have, a rating off the scale, or a
    name that is empty or longer than 100 characters.
    """
    if not isinstance(ratings, Mapping) or set(ratings) != {"worst", "best", "verdicts"}:
        raise ValidationError('Write an object with "worst", "best" and "verdicts".')
    worst, best, verdicts = ratings["worst"], ratings["best"], ratings["verdicts"]
    if not (_whole_number(worst) and _whole_number(best)) or worst >= best:
        raise ValidationError("The worst and best ratings are whole numbers, the worst below the best.")
    if not isinstance(verdicts, Mapping):
        raise ValidationError('"verdicts" is an object: a verdict and its rating and name.')
    errors, parsed = [], {}
    for verdict, entry in verdicts.items():
        if verdict not in VERDICT_ORDER:
            errors.append(f"{verdict!r} is not a verdict (those are {', '.join(VERDICT_ORDER)}).")
            continue
        if not isinstance(entry, Mapping) or set(entry) != {"rating", "name"}:
            errors.append(f'{verdict}: write {{"rating": a whole number, "name": "what it says"}}.')
            continue
        value, name = entry["rating"], entry["name"]
        if not _whole_number(value) or not worst <= value <= best:
            errors.append(f"{verdict}: the rating is a whole number from {worst} to {best}.")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX_LENGTH:
            errors.append(f"{verdict}: the name is a text of 1 to {NAME_MAX_LENGTH} characters.")
        if not errors:
            parsed[verdict] = (value, name.strip())
    if errors:
        raise ValidationError(errors)
    return RatingScale(worst=worst, best=best, verdicts=parsed)


def validate_claim_review_ratings(ratings) -> None:
    """The model field's validator: the admin's form and ``full_clean`` refuse a map that does not parse."""
    rating_scale(ratings)


DEFAULT_SCALE = rating_scale(default_claim_review_ratings())
