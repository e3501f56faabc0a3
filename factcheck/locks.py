"""Row locks in the order every writer of the checking side takes them: an article, then its claims.

``article_analyze`` locks the article and then rewrites its claims; a review, an assignment or a new
source locks the claim's article before the claim, so that a review and a revision of the same
article wait for each other instead of deadlocking.
"""

from __future__ import annotations

from editorial.models import Article
from factcheck.models import Claim


def claim_with_article_locked(claim_id: int) -> Claim:
    """The claim with its article, both locked until the end of the caller's transaction (the
    article first); raises ``Claim.DoesNotExist`` when there is no such claim."""
    locked = Article.objects.select_for_update(of=("self",)).filter(claims__pk=claim_id)
    if not locked.values_list("pk", flat=True):
        raise Claim.DoesNotExist(f"No claim {claim_id}.")
    return Claim.objects.select_for_update(of=("self",)).select_related("article").get(pk=claim_id)
