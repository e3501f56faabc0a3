"""Admin of the checking side.

- ``articles``: articles, submitted through the service, with readiness and highlighted claims;
- ``queue``: the review queue (editors' and fact-checkers' working list) and its bulk actions;
- ``claim_page``: the queue's claim page and the forms that move a claim through the workflow;
- ``claims``: claims as records (every revision), flags, history and parts kept out;
- ``policy``: newsrooms' checking policies;
- ``sources``: sources on the claim page (passages, archived copy, refetch) and search providers;
- ``standards``: the standards dashboard (charts and CSV of how desks and reporters are doing);
- ``common``: highlighting untrusted text, roles, refusals.
"""

from factcheck.admin import articles, claims, policy, queue, sources, standards
from factcheck.admin.common import highlight

__all__ = ["articles", "claims", "highlight", "policy", "queue", "sources", "standards"]
