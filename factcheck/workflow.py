"""The claim review workflow.

The states are declared here once; the transition table (who may move a claim from which state
to which, and on what condition) joins them when the review queue is built.  Nothing outside
``factcheck.services`` assigns a claim's state.
"""

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
