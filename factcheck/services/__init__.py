"""Writes of the checking side, one module per responsibility; import from the module that runs.

- ``articles``: submitting articles for checking; ``analyses``: storing their analysis, and editors'
  corrections of it; ``checking_policies``: a newsroom's checking policy and ClaimReview ratings;
- ``review``: the review workflow (the one place a claim's state changes), assignment;
- ``sources``: attaching sources to claims; ``fetching``: fetching them (the lease state machine);
  ``fetcher``: the fetcher as configured; ``searches``: search providers and their searches.

Who acts, and the role that gives them on a claim, is ``factcheck.actors``.

Events they record fan out to webhooks and notifications from ``factcheck.domain_events``.
"""
