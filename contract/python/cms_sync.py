"""A CMS integration through a client generated from Factdesk's schema (openapi-python-client).

Submits an article, waits for its analysis, reads every claim page by page (following
``next_cursor``), takes the most check-worthy claim for review, and reads its history.  Every value
is typed: mypy --strict checks this file against the generated client (``make api-contract``).

    openapi-python-client generate --url http://127.0.0.1:8000/api/v1/schema --meta none \
        --output-path factdesk_client
    FACTDESK_API_KEY=fd_... python cms_sync.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import os
import sys
import time
import uuid

from factdesk_client import AuthenticatedClient
from factdesk_client.api.articles import article_get, article_submit
from factdesk_client.api.claims import claim_history, claim_list, claim_transition
from factdesk_client.models import (
    AnalysisStatusEnum,
    ArticleOutput,
    ArticleSubmitInput,
    ArticleSubmitOutput,
    BodyFormatEnum,
    ClaimOrderingEnum,
    ClaimOutput,
    ClaimStatusEnum,
    ErrorCodeEnum,
    ErrorOutput,
    PaginatedClaimOutputList,
    TransitionInput,
)
from factdesk_client.types import UNSET, Unset

BODY = (
    "The council approved a budget of $4.2 million on Tuesday, the largest in a decade.\n\n"
    "Critics say the plan will fail.\n\n"
    "Unemployment in the city fell to 4.1 percent in March, according to the statistics office."
)


def submit(client: AuthenticatedClient) -> ArticleOutput:
    """Submit (or update) the article, and wait until its analysis is done."""
    submitted = article_submit.sync(
        client=client,
        body=ArticleSubmitInput(
            external_id="cms-example-1", body=BODY, format_=BodyFormatEnum.TEXT, title="Council budget"
        ),
        idempotency_key=str(uuid.uuid4()),  # a retry with the same key cannot submit it twice
    )
    if not isinstance(submitted, ArticleSubmitOutput):
        raise SystemExit(f"submit refused: {submitted}")
    for _ in range(120):
        article = article_get.sync(submitted.id, client=client)
        if not isinstance(article, ArticleOutput):
            raise SystemExit(f"article {submitted.id}: {article}")
        if article.analysis_status in (AnalysisStatusEnum.ANALYZED, AnalysisStatusEnum.FAILED):
            return article
        time.sleep(0.5)
    raise SystemExit("the analysis did not finish within a minute: is a worker running?")


def every_claim(client: AuthenticatedClient, article_id: int) -> list[ClaimOutput]:
    """All the article's claims, most check-worthy first, two a page: the same filters and the
    ``next_cursor`` of the page before, until it is null."""
    claims: list[ClaimOutput] = []
    cursor: str | Unset = UNSET
    while True:
        page = claim_list.sync(
            client=client,
            article=article_id,
            ordering=ClaimOrderingEnum.CHECKWORTHINESS_DESC,
            page_size=2,
            cursor=cursor,
        )
        if not isinstance(page, PaginatedClaimOutputList):
            raise SystemExit(f"claims: {page}")
        claims += page.results
        if page.next_cursor is None:
            return claims
        cursor = page.next_cursor


def main() -> None:
    base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    # The generated client sends `Authorization: Bearer <key>`, which Factdesk accepts.
    client = AuthenticatedClient(base_url=base_url, token=os.environ["FACTDESK_API_KEY"])
    with client:
        article = submit(client)
        print(f"article {article.id}: {article.analysis_status.value}, {article.readiness.value}")
        claims = every_claim(client, article.id)
        for claim in claims:
            flags = ", ".join(flag.kind.value for flag in claim.flags) or "no flags"
            score = f"{claim.checkworthiness:.2f}"
            print(f"  claim {claim.id} [{claim.status.value}] {score} ({flags}) {claim.text}")

        open_claims = [claim for claim in claims if claim.status is ClaimStatusEnum.UNREVIEWED]
        if not open_claims:
            print("no unreviewed claim to take")
            return
        claim = open_claims[0]
        moved = claim_transition.sync(
            claim.id,
            client=client,
            body=TransitionInput(to=ClaimStatusEnum.IN_REVIEW, expected_status=claim.status),
        )
        if isinstance(moved, ErrorOutput):
            if moved.code is ErrorCodeEnum.CONFLICT:  # someone moved it first: not an error for us
                print(f"claim {claim.id} was moved meanwhile: {moved.detail}")
                return
            raise SystemExit(f"take refused ({moved.code.value}): {moved.detail}")
        if moved is None:
            raise SystemExit("no answer")
        holder = f"API key {moved.assignee_key.name}" if moved.assignee_key else f"person {moved.assignee}"
        print(f"took claim {moved.id}: {moved.status.value}, held by {holder}")
        print("  next moves: " + ", ".join(status.value for status in moved.transitions))
        history = claim_history.sync(claim.id, client=client)
        if not isinstance(history, list):
            raise SystemExit(f"history: {history}")
        for event in history:
            moved_from = event.from_status.value if event.from_status else "-"
            moved_to = event.to_status.value if event.to_status else "-"
            when = f"{event.created_at:%H:%M:%S}"
            print(f"  {when} {event.action.value} {moved_from} -> {moved_to} by {event.actor}")


if __name__ == "__main__":
    main()
