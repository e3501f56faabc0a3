"""Writes on the checking side.  Keyword-only, typed, each in a transaction, named ``<entity>_<verb>``.

- ``articles``: submitting articles, storing their analysis, editors' corrections, checking policy;
- ``review``: the review workflow (the one place a claim's state changes), assignment;
- ``sources``: the sources behind claims, and what the workers fetched of them;
- ``actors``: who acts, and the role that gives them on a claim.
"""

from factcheck.services.actors import Actor
from factcheck.services.articles import (
    Correction,
    analysis_override_set,
    article_analyze,
    article_mark_failed,
    article_submit,
    checking_policy_save,
    claim_exclude,
    excluded_block_promote,
)
from factcheck.services.review import allowed_transitions, claim_assign, claim_transition
from factcheck.services.sources import source_add

__all__ = [
    "Actor",
    "Correction",
    "allowed_transitions",
    "analysis_override_set",
    "article_analyze",
    "article_mark_failed",
    "article_submit",
    "checking_policy_save",
    "claim_assign",
    "claim_exclude",
    "claim_transition",
    "excluded_block_promote",
    "source_add",
]
