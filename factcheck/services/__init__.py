"""Writes on the checking side.  Keyword-only, typed, each in a transaction, named ``<entity>_<verb>``.

- ``articles``: submitting articles, storing their analysis, editors' corrections, checking policy;
- ``review``: the review workflow (the one place a claim's state changes), assignment;
- ``sources``: the sources behind claims, and what the workers fetched of them;
- ``actors``: who acts, and the role that gives them on a claim.
"""

from factcheck.services.actors import Actor
from factcheck.services.articles import (
    Correction,
    analyses_overdue,
    analysis_override_set,
    article_analyze,
    article_mark_failed,
    article_submit,
    checking_policy_save,
    claim_exclude,
    excluded_block_promote,
)
from factcheck.services.review import allowed_transitions, claim_assign, claim_transition
from factcheck.services.sources import (
    PASSAGES_PER_SOURCE,
    Busy,
    Found,
    Lease,
    Readable,
    cited_links,
    fetch_begin,
    fetch_finish,
    fetcher,
    search_provider_errors,
    search_provider_save,
    searches_overdue,
    source_add,
    source_refetch,
    sources_found,
    stale_source_ids,
)

__all__ = [
    "PASSAGES_PER_SOURCE",
    "Actor",
    "Busy",
    "Correction",
    "Found",
    "Lease",
    "Readable",
    "allowed_transitions",
    "analyses_overdue",
    "analysis_override_set",
    "article_analyze",
    "article_mark_failed",
    "article_submit",
    "checking_policy_save",
    "cited_links",
    "claim_assign",
    "claim_exclude",
    "claim_transition",
    "excluded_block_promote",
    "fetch_begin",
    "fetch_finish",
    "fetcher",
    "search_provider_errors",
    "search_provider_save",
    "searches_overdue",
    "source_add",
    "source_refetch",
    "sources_found",
    "stale_source_ids",
]
