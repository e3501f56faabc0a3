"""The review workflow (factcheck/workflow.py) and the services that move claims through it.

The expectations here are the issue's rules restated by hand (``RULES``), not read from the table
in ``factcheck.workflow``: a wrong row in the table makes these tests fail.
"""

from __future__ import annotations

import ast
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F

from editorial.models import Article, Role
from factcheck import selectors, workflow
from factcheck.actors import Actor
from factcheck.models import ActorKind, CheckingPolicy, Claim, ClaimEvent
from factcheck.selectors import Readiness
from factcheck.services.analyses import analysis_override_set, article_analyze
from factcheck.services.checking_policies import checking_policy_save
from factcheck.services.review import allowed_transitions, claim_assign, claim_transition
from factcheck.services.sources import source_add
from factcheck.workflow import ClaimStatus
from httpapi.errors import Conflict, Forbidden
from tests.factories import (
    BUDGET,
    ArchivedSourceFactory,
    ArticleFactory,
    MembershipFactory,
    NewsroomFactory,
    UserFactory,
    analysed,
    api_key_for,
    claim_of,
    revise,
    with_claims,
)

ROOT = Path(__file__).resolve().parents[2]

CRITICS = "Critics say it is too small."
BODY = f"{BUDGET}\n\n{CRITICS}"
NOTE = "Checked against the council minutes."
URL = "https://example.org/council-minutes"

# --- The rules, as the issue states them ---------------------------------------------------------

UNREVIEWED, IN_REVIEW, NEEDS_ATTRIBUTION = "unreviewed", "in_review", "needs_attribution"
VERDICTS = ("verified", "misleading", "false", "unverifiable")
NOT_CHECKABLE, SUPERSEDED = "not_checkable", "superseded"
STATES = (UNREVIEWED, IN_REVIEW, NEEDS_ATTRIBUTION, *VERDICTS, NOT_CHECKABLE, SUPERSEDED)

CHECKERS = frozenset({"fact_checker", "editor"})
EDITORS = frozenset({"editor"})

#: (from, to) -> (the event's action, who may make the move).  "own_reporter": a reporter of the
#: claim's article; "reporter": any other reporter.
RULES: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (UNREVIEWED, IN_REVIEW): ("take", CHECKERS),
    (IN_REVIEW, "verified"): ("verify", CHECKERS),
    (IN_REVIEW, "misleading"): ("mark_misleading", CHECKERS),
    (IN_REVIEW, "false"): ("mark_false", CHECKERS),
    (IN_REVIEW, "unverifiable"): ("mark_unverifiable", CHECKERS),
    (IN_REVIEW, NEEDS_ATTRIBUTION): ("request_attribution", CHECKERS),
    (NEEDS_ATTRIBUTION, IN_REVIEW): ("answer_attribution", CHECKERS | {"own_reporter", "system"}),
    (UNREVIEWED, NOT_CHECKABLE): ("dismiss", EDITORS),
    # Factdesk reopens a decided claim whose sentence a revision changes in substance.
    **{(state, IN_REVIEW): ("reopen", EDITORS | {"system"}) for state in (*VERDICTS, NOT_CHECKABLE)},
    **{(state, SUPERSEDED): ("supersede", frozenset({"system"})) for state in STATES if state != SUPERSEDED},
}

#: Everyone who may try, and the role the rules give them (None: no role in the claim's newsroom).
#: A newsroom admin acts as an editor, a superuser too; an API key acts with its key's role and
#: reports no article.
ACTORS: dict[str, str | None] = {
    "fact_checker": "fact_checker",
    "editor": "editor",
    "newsroom_admin": "editor",
    "reporter_of_the_article": "own_reporter",
    "reporter_of_another_article": "reporter",
    "key_fact_checker": "fact_checker",
    "key_editor": "editor",
    "key_admin": "editor",
    "key_reporter": "reporter",
    "system": "system",
    "editor_of_another_newsroom": None,
    "superuser": "editor",
}

KEY_ROLES = {
    "key_fact_checker": Role.FACT_CHECKER,
    "key_editor": Role.EDITOR,
    "key_admin": Role.ADMIN,
    "key_reporter": Role.REPORTER,
}
MEMBER_ROLES = {
    "fact_checker": Role.FACT_CHECKER,
    "editor": Role.EDITOR,
    "newsroom_admin": Role.ADMIN,
    "reporter_of_the_article": Role.REPORTER,
    "reporter_of_another_article": Role.REPORTER,
}


def expected_outcome(source: str, target: str, actor_name: str) -> str:
    rule = RULES.get((source, target))
    if rule is None:
        return "conflict"
    return "ok" if ACTORS[actor_name] in rule[1] else "forbidden"


# --- Building claims with the real services -----------------------------------------------------


def member(newsroom, role, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(newsroom=newsroom, user=user, role=role)
    return user


class Desk:
    """The people who put claims into a state before a test acts on them."""

    def __init__(self, newsroom):
        self.newsroom = newsroom
        self.checker = Actor.for_user(member(newsroom, Role.FACT_CHECKER))
        self.editor = Actor.for_user(member(newsroom, Role.EDITOR))

    def move(self, claim: Claim, to: str, actor: Actor | None = None) -> Claim:
        return claim_transition(actor=actor or self.checker, claim_id=claim.pk, to=to, note="setting up")

    def put(self, claim: Claim, state: str) -> Claim:
        """Bring a fresh claim to ``state`` by the workflow's own moves (a revision for superseded)."""
        if state in (IN_REVIEW, NEEDS_ATTRIBUTION, *VERDICTS):
            self.move(claim, IN_REVIEW)
        if state in (NEEDS_ATTRIBUTION, *VERDICTS):
            self.move(claim, state)
        if state == NOT_CHECKABLE:
            self.move(claim, NOT_CHECKABLE, actor=self.editor)
        if state == SUPERSEDED:
            revise(claim.article, claim.article.body.replace(claim.text, "The mayor resigned on Friday."))
        claim.refresh_from_db()
        assert claim.status == state, f"setting up: the claim is {claim.status}, not {state}"
        return claim


def make_actor(name: str, *, newsroom, article) -> Actor:
    if name == "system":
        return Actor.system()
    if name in KEY_ROLES:
        return Actor.for_api_key(api_key_for(newsroom, role=KEY_ROLES[name])[0])
    if name == "superuser":
        return Actor.for_user(UserFactory(is_superuser=True))
    if name == "editor_of_another_newsroom":
        return Actor.for_user(member(NewsroomFactory(slug="elsewhere"), Role.EDITOR))
    user = member(newsroom, MEMBER_ROLES[name])
    if name == "reporter_of_the_article":
        article.reporters.add(user)
    if name == "reporter_of_another_article":
        ArticleFactory(newsroom=newsroom).reporters.add(user)
    return Actor.for_user(user)


@pytest.fixture
def desk(newsroom):
    return Desk(newsroom)


@pytest.fixture
def article(newsroom):
    """BUDGET and CRITICS as the analysis stores them (tests/test_factories.py), without running it."""
    return with_claims(newsroom, body=BODY)


@pytest.fixture
def claim(article, desk):
    claim = claim_of(article)
    ArchivedSourceFactory(claim=claim, url=URL)  # evidence for a verdict: fetched and archived
    return claim


def events(claim) -> list[ClaimEvent]:
    return list(ClaimEvent.objects.filter(claim=claim).order_by("created_at", "id"))


# --- The rules themselves --------------------------------------------------------------------------


def test_the_restated_rules_cover_every_pair_the_table_declares():
    """Every move of the table is in the rules and back (the matrix below checks who may make it)."""
    declared = {
        (source, t.target.value) for t in workflow.TRANSITIONS for source in (s.value for s in t.sources)
    }
    assert declared == set(RULES)
    assert set(STATES) == set(ClaimStatus.values)


# --- Every (from, to) pair, for everyone who might try --------------------------------------------


def attempt(actor: Actor, claim: Claim, source: str, target: str, outcome: str) -> None:
    """``actor`` moves ``claim`` (in ``source``) to ``target``; check the outcome and what it left."""
    assignee_before = claim.assignee_id
    events_before = {event.pk for event in events(claim)}
    if outcome != "ok":
        with pytest.raises(Conflict if outcome == "conflict" else Forbidden):
            claim_transition(actor=actor, claim_id=claim.pk, to=target, note=NOTE)
        claim.refresh_from_db()
        assert (claim.status, claim.assignee_id) == (source, assignee_before)
        assert {event.pk for event in events(claim)} == events_before
        return

    returned = claim_transition(actor=actor, claim_id=claim.pk, to=target, note=NOTE)
    claim.refresh_from_db()
    assert returned.status == claim.status == target
    new = [event for event in events(claim) if event.pk not in events_before]
    assert len(new) == 1
    event = new[0]
    action = RULES[(source, target)][0]
    assert (event.action, event.from_status, event.to_status, event.note) == (action, source, target, NOTE)
    assert (event.actor_kind, event.actor_user, event.actor_api_key) == (
        actor.kind,
        actor.user,
        actor.api_key,
    )
    if actor.user:
        assert event.actor_name == actor.user.get_username()
    elif actor.api_key:
        assert event.actor_name == f"API key tests ({actor.api_key.prefix})"
    else:
        assert event.actor_name == "Factdesk"
    if action == "take" and actor.user is not None:
        assert claim.assignee == actor.user
    else:
        assert claim.assignee_id == assignee_before


@pytest.mark.django_db
@pytest.mark.parametrize("target", STATES)
@pytest.mark.parametrize("source", STATES)
def test_every_move_for_every_role(newsroom, desk, claim, source, target, subtests):
    """Each of ``ACTORS`` tries the move on the same claim, each attempt rolled back after."""
    claim = desk.put(claim, source)
    actors = {name: make_actor(name, newsroom=newsroom, article=claim.article) for name in ACTORS}
    for name, actor in actors.items():
        with subtests.test(actor=name), transaction.atomic():
            attempt(
                actor, Claim.objects.get(pk=claim.pk), source, target, expected_outcome(source, target, name)
            )
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("source", STATES)
def test_the_moves_offered_are_the_moves_allowed(newsroom, desk, claim, source, subtests):
    claim = desk.put(claim, source)
    for name in ACTORS:
        with subtests.test(actor=name):
            actor = make_actor(name, newsroom=newsroom, article=claim.article)
            offered = {t.target.value for t in allowed_transitions(actor=actor, claim=claim)}
            assert offered == {target for target in STATES if expected_outcome(source, target, name) == "ok"}


# --- Guards ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verified_needs_a_source(article, desk):
    claim = desk.put(claim_of(article), IN_REVIEW)
    with pytest.raises(ValidationError) as caught:
        claim_transition(actor=desk.checker, claim_id=claim.pk, to="verified", note=NOTE)
    assert "source" in caught.value.message_dict["sources"][0]
    claim.refresh_from_db()
    assert claim.status == IN_REVIEW

    source_add(actor=desk.checker, claim_id=claim.pk, url=URL)
    with pytest.raises(ValidationError) as caught:  # attached, and not fetched yet: no evidence
        claim_transition(actor=desk.checker, claim_id=claim.pk, to="verified", note=NOTE)
    assert "still waiting to be fetched" in caught.value.message_dict["sources"][0]

    ArchivedSourceFactory(claim=claim)
    verified = claim_transition(actor=desk.checker, claim_id=claim.pk, to="verified")
    assert verified.status == "verified"  # with evidence, and without a note: verify needs none


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "target"),
    [
        (IN_REVIEW, "misleading"),
        (IN_REVIEW, "false"),
        (IN_REVIEW, "unverifiable"),
        (IN_REVIEW, NEEDS_ATTRIBUTION),
        (UNREVIEWED, NOT_CHECKABLE),
        ("false", IN_REVIEW),
        (NOT_CHECKABLE, IN_REVIEW),
    ],
)
@pytest.mark.parametrize("note", ["", "   \n "])
def test_moves_that_need_a_note(desk, claim, source, target, note):
    claim = desk.put(claim, source)
    count = len(events(claim))
    with pytest.raises(ValidationError) as caught:
        claim_transition(actor=desk.editor, claim_id=claim.pk, to=target, note=note)
    assert "note" in caught.value.message_dict["note"][0]
    claim.refresh_from_db()
    assert claim.status == source
    assert len(events(claim)) == count


@pytest.mark.django_db
def test_take_needs_no_note_and_the_guards_come_after_the_permission(newsroom, claim, desk):
    taken = claim_transition(actor=desk.checker, claim_id=claim.pk, to=IN_REVIEW)
    assert taken.status == IN_REVIEW
    reporter = Actor.for_user(member(newsroom, Role.REPORTER))
    with pytest.raises(Forbidden):  # not "add a note": it is not theirs to do at all
        claim_transition(actor=reporter, claim_id=claim.pk, to="false")


@pytest.mark.django_db
def test_a_stale_expected_status_is_a_conflict_naming_the_state_and_who_moved_it(newsroom, claim, desk):
    winner = Actor.for_user(member(newsroom, Role.FACT_CHECKER, username="ana"))
    claim_transition(actor=winner, claim_id=claim.pk, to=IN_REVIEW, expected_status=UNREVIEWED)
    # A later source is not the move: the message names who moved the claim.
    source_add(actor=desk.editor, claim_id=claim.pk, url="https://example.org/other")

    with pytest.raises(Conflict) as caught:
        claim_transition(
            actor=desk.editor, claim_id=claim.pk, to=NOT_CHECKABLE, note=NOTE, expected_status=UNREVIEWED
        )
    message = caught.value.message
    assert "changed while you were looking" in message
    assert "now in review by ana" in message
    claim.refresh_from_db()
    assert (claim.status, claim.assignee.username) == (IN_REVIEW, "ana")


@pytest.mark.django_db
def test_a_move_the_workflow_lacks_is_a_conflict_saying_what_is_possible(claim, desk):
    with pytest.raises(Conflict) as caught:
        claim_transition(actor=desk.editor, claim_id=claim.pk, to="verified", note=NOTE)
    assert "unreviewed cannot become verified" in caught.value.message
    assert "in review" in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["approved", "", "IN_REVIEW"])
def test_an_unknown_state_is_a_validation_error(claim, desk, target):
    with pytest.raises(ValidationError) as caught:
        claim_transition(actor=desk.editor, claim_id=claim.pk, to=target, note=NOTE)
    assert "Unknown state" in caught.value.message_dict["to"][0]
    claim.refresh_from_db()
    assert claim.status == UNREVIEWED


@pytest.mark.django_db
def test_an_unknown_claim_does_not_exist(desk):
    with pytest.raises(Claim.DoesNotExist):
        claim_transition(actor=desk.editor, claim_id=10**9, to=IN_REVIEW)


# --- Assignment ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editors_assign_claims_to_checkers_of_the_newsroom(newsroom, claim, role):
    editor = Actor.for_user(member(newsroom, role))
    checker = member(newsroom, Role.FACT_CHECKER, username="bo")
    assigned = claim_assign(actor=editor, claim_id=claim.pk, assignee_id=checker.pk)
    claim.refresh_from_db()
    assert assigned.assignee == claim.assignee == checker
    event = events(claim)[-1]
    assert (event.action, event.from_status, event.to_status, event.actor_user) == (
        "assign",
        UNREVIEWED,
        UNREVIEWED,
        editor.user,
    )
    assert event.note == "Assigned to bo."

    count = len(events(claim))
    claim_assign(actor=editor, claim_id=claim.pk, assignee_id=checker.pk)
    assert len(events(claim)) == count  # unchanged: nothing to record

    claim_assign(actor=editor, claim_id=claim.pk, assignee_id=None)
    claim.refresh_from_db()
    assert claim.assignee is None
    assert events(claim)[-1].note == "Unassigned."


@pytest.mark.django_db
def test_an_editor_key_assigns_too(newsroom, claim):
    checker = member(newsroom, Role.FACT_CHECKER)
    key = Actor.for_api_key(api_key_for(newsroom, role=Role.EDITOR)[0])
    claim_assign(actor=key, claim_id=claim.pk, assignee_id=checker.pk)
    claim.refresh_from_db()
    assert claim.assignee == checker
    assert events(claim)[-1].actor_api_key == key.api_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["fact_checker", "reporter_of_the_article", "key_fact_checker", "key_reporter"]
)
def test_only_editors_assign(newsroom, claim, name):
    checker = member(newsroom, Role.FACT_CHECKER)
    actor = make_actor(name, newsroom=newsroom, article=claim.article)
    count = len(events(claim))
    with pytest.raises(Forbidden):
        claim_assign(actor=actor, claim_id=claim.pk, assignee_id=checker.pk)
    claim.refresh_from_db()
    assert claim.assignee is None
    assert len(events(claim)) == count


@pytest.mark.django_db
def test_an_editor_of_another_newsroom_cannot_assign(newsroom, other_newsroom, claim):
    outsider = Actor.for_user(member(other_newsroom, Role.EDITOR))
    with pytest.raises(Forbidden):
        claim_assign(actor=outsider, claim_id=claim.pk, assignee_id=outsider.user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reporter", "checker_elsewhere", "inactive_checker", "nobody"])
def test_claims_go_only_to_active_checkers_of_the_newsroom(newsroom, other_newsroom, claim, desk, who):
    if who == "reporter":
        assignee_id = member(newsroom, Role.REPORTER).pk
    elif who == "checker_elsewhere":
        assignee_id = member(other_newsroom, Role.FACT_CHECKER).pk
    elif who == "inactive_checker":
        user = member(newsroom, Role.FACT_CHECKER)
        user.is_active = False
        user.save()
        assignee_id = user.pk
    else:
        assignee_id = 10**9
    with pytest.raises(ValidationError) as caught:
        claim_assign(actor=desk.editor, claim_id=claim.pk, assignee_id=assignee_id)
    assert "assignee" in caught.value.message_dict
    claim.refresh_from_db()
    assert claim.assignee is None


# --- Revisions answer and supersede ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_revision_elsewhere_leaves_a_request_for_attribution_waiting(newsroom, desk):
    """Only a change to the flagged sentence's attribution answers it (tests/factcheck/test_revisions.py
    has the rewrites that do); a sentence added elsewhere is no answer."""
    article = analysed(newsroom, body=BODY)
    claim = desk.put(claim_of(article, CRITICS), NEEDS_ATTRIBUTION)
    history = events(claim)

    revise(article, f"{BUDGET} The vote was 7 to 2.\n\n{CRITICS}")

    claim.refresh_from_db()
    assert (claim.status, claim.revision, claim.is_flagged) == (NEEDS_ATTRIBUTION, 2, True)
    assert events(claim) == history


@pytest.mark.django_db
def test_a_revision_that_rewrites_the_sentence_supersedes_the_request(newsroom, desk):
    article = analysed(newsroom, body=BODY)
    claim = desk.put(claim_of(article, CRITICS), NEEDS_ATTRIBUTION)
    rewritten = "Critics, among them the mayor, say it is too small."
    seen = claim.updated_at

    revise(article, f"{BUDGET}\n\n{rewritten}")

    claim.refresh_from_db()
    assert claim.status == SUPERSEDED
    assert claim.updated_at > seen
    last = events(claim)[-1]
    assert (last.action, last.actor_kind, last.from_status, last.to_status) == (
        "supersede",
        ActorKind.SYSTEM,
        NEEDS_ATTRIBUTION,
        SUPERSEDED,
    )
    assert claim_of(article, rewritten).status == UNREVIEWED


@pytest.mark.django_db
def test_reanalysing_the_same_revision_does_not_answer_the_request(newsroom, desk):
    article = analysed(newsroom, body=BODY)
    claim = desk.put(claim_of(article, CRITICS), NEEDS_ATTRIBUTION)
    analysis_override_set(actor=desk.editor, article=article, text=BUDGET, as_claim=True)
    claim.refresh_from_db()
    assert claim.status == NEEDS_ATTRIBUTION


# --- Readiness -------------------------------------------------------------------------------------


def readiness_of(article: Article) -> Readiness:
    """The article's readiness as the admin derives it (the API's list derives it its own way)."""
    return selectors.readiness(selectors.with_readiness(Article.objects.filter(pk=article.pk)).get())


@pytest.mark.django_db
def test_readiness_follows_the_claims(newsroom, desk):
    article = ArticleFactory(newsroom=newsroom, body=BODY)
    assert readiness_of(article) == Readiness.PENDING
    article_analyze(article_id=article.pk)
    budget, critics = claim_of(article, BUDGET), claim_of(article, CRITICS)
    # What the analysis makes of the two sentences is what this test relies on.
    assert (budget.is_flagged, critics.is_flagged) == (False, True)
    assert budget.checkworthiness >= selectors.DEFAULT_THRESHOLD > critics.checkworthiness

    def readiness():
        return readiness_of(article)

    assert readiness() == Readiness.BLOCKED  # a flagged claim nobody has looked at
    desk.move(critics, IN_REVIEW)
    assert readiness() == Readiness.OPEN  # the check-worthy budget claim is unreviewed
    desk.move(critics, NEEDS_ATTRIBUTION)
    assert readiness() == Readiness.BLOCKED  # the flagged claim waits for its attribution
    desk.move(critics, IN_REVIEW)
    assert readiness() == Readiness.OPEN
    desk.move(budget, IN_REVIEW)
    assert readiness() == Readiness.OPEN
    ArchivedSourceFactory(claim=budget, url=URL)
    desk.move(budget, "verified")
    # Everything check-worthy is resolved; the flagged claim scores under the threshold.
    assert readiness() == Readiness.CLEAR


@pytest.mark.django_db
def test_readiness_threshold_comes_from_the_checking_policy(newsroom, other_newsroom, desk):
    article = analysed(newsroom, body=BODY)
    budget, critics = claim_of(article, BUDGET), claim_of(article, CRITICS)
    desk.move(critics, IN_REVIEW)
    desk.move(budget, NOT_CHECKABLE, actor=desk.editor)
    assert readiness_of(article) == Readiness.CLEAR

    def policy(newsroom, threshold):
        checking_policy_save(
            newsroom=newsroom, flag_kinds=[], severities={}, checkworthiness_threshold=threshold
        )

    policy(other_newsroom, 0.0)  # another newsroom's policy changes nothing here
    assert readiness_of(article) == Readiness.CLEAR
    policy(newsroom, critics.checkworthiness)  # at the threshold counts
    assert readiness_of(article) == Readiness.OPEN
    policy(newsroom, None)  # None keeps the threshold
    assert CheckingPolicy.objects.get(newsroom=newsroom).checkworthiness_threshold == critics.checkworthiness
    assert readiness_of(article) == Readiness.OPEN
    policy(newsroom, min(1.0, critics.checkworthiness + 0.001))
    assert readiness_of(article) == Readiness.CLEAR


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [-0.1, 1.01, float("nan")])
def test_the_threshold_is_a_score_from_0_to_1(newsroom, threshold):
    with pytest.raises(ValidationError) as caught:
        checking_policy_save(
            newsroom=newsroom, flag_kinds=[], severities={}, checkworthiness_threshold=threshold
        )
    assert "checkworthiness_threshold" in caught.value.message_dict
    assert not CheckingPolicy.objects.exists()


@pytest.mark.django_db
def test_with_readiness_annotates_each_article_in_one_query(newsroom, desk, django_assert_num_queries):
    pending = ArticleFactory(newsroom=newsroom, body=BODY)
    blocked = analysed(newsroom, body=BODY)
    open_ = analysed(newsroom, body=BODY)
    desk.move(claim_of(open_, CRITICS), IN_REVIEW)
    clear = analysed(newsroom, body=BODY)
    desk.move(claim_of(clear, CRITICS), IN_REVIEW)
    desk.move(claim_of(clear, BUDGET), NOT_CHECKABLE, actor=desk.editor)
    # A superseded flagged claim blocks nothing: the revision replaced it with an unflagged one.
    revised = analysed(newsroom, body=BODY)
    desk.move(claim_of(revised, BUDGET), NOT_CHECKABLE, actor=desk.editor)
    revise(revised, f"{BUDGET}\n\nThe mayor said it is too small.")
    desk.move(claim_of(revised, "The mayor said it is too small."), NOT_CHECKABLE, actor=desk.editor)

    with django_assert_num_queries(1):
        found = {
            article.pk: selectors.readiness(article)
            for article in selectors.with_readiness(Article.objects.filter(newsroom=newsroom))
        }
    assert found[pending.pk] == Readiness.PENDING
    assert found[blocked.pk] == Readiness.BLOCKED
    assert found[open_.pk] == Readiness.OPEN
    assert found[clear.pk] == Readiness.CLEAR
    assert found[revised.pk] == Readiness.CLEAR


# --- Concurrency: one claim, many hands --------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) are what is tested: SQLite serialises every writer",
)


def race(attempts):
    """Run every ``(actor, to, note, expected_status)`` at once, each thread on its own connection."""
    barrier = threading.Barrier(len(attempts))

    def attempt(claim_id, actor, to, note, expected):
        try:
            barrier.wait(timeout=30)
            claim_transition(actor=actor, claim_id=claim_id, to=to, note=note, expected_status=expected)
            return "ok", ""
        except (Conflict, Forbidden) as error:
            return type(error).__name__, error.message
        except Exception as error:  # reported, and fails the test
            return type(error).__name__, str(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        futures = [pool.submit(attempt, *a) for a in attempts]
        return [future.result(timeout=60) for future in futures]


def replay(claim) -> str:
    """Apply the claim's recorded moves in order; each must follow the rules from the state before."""
    state = None
    for event in events(claim):
        if event.action == "created":
            state = event.to_status
        elif event.from_status != event.to_status:
            assert event.from_status == state, f"{event.action} from {event.from_status}, but it was {state}"
            assert (event.from_status, event.to_status) in RULES
            state = event.to_status
    return state


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(4))
def test_of_many_checkers_taking_a_claim_at_once_exactly_one_wins(round_):
    newsroom = NewsroomFactory(slug=f"race-{round_}")
    checkers = [member(newsroom, Role.FACT_CHECKER, username=f"checker{round_}-{i}") for i in range(12)]
    claim = claim_of(with_claims(newsroom, body=BODY))

    results = race(
        [
            (claim.pk, Actor.for_user(user), IN_REVIEW, "", UNREVIEWED if i % 2 else None)
            for i, user in enumerate(checkers)
        ]
    )

    winners = [user for user, (outcome, _) in zip(checkers, results, strict=True) if outcome == "ok"]
    assert len(winners) == 1, results
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (IN_REVIEW, winners[0])
    for i, (outcome, message) in enumerate(results):
        if checkers[i] == winners[0]:
            continue
        assert outcome == "Conflict", message
        if i % 2:
            assert "changed while you were looking" in message
            assert f"by {winners[0].username}" in message
        else:
            assert "cannot become in review" in message
    takes = [event for event in events(claim) if event.action == "take"]
    assert [(e.actor_user, e.from_status, e.to_status) for e in takes] == [
        (winners[0], UNREVIEWED, IN_REVIEW)
    ]
    assert replay(claim) == claim.status


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(4))
def test_takes_dismissals_and_verdicts_at_once_leave_one_lawful_history(round_):
    newsroom = NewsroomFactory(slug=f"mixed-{round_}")
    checkers = [member(newsroom, Role.FACT_CHECKER, username=f"fc{round_}-{i}") for i in range(7)]
    editors = [member(newsroom, Role.EDITOR, username=f"ed{round_}-{i}") for i in range(4)]
    key = Actor.for_api_key(api_key_for(newsroom, role=Role.FACT_CHECKER)[0])
    claim = claim_of(with_claims(newsroom, body=BODY))
    ArchivedSourceFactory(claim=claim, url=URL)

    user = Actor.for_user
    attempts = [
        *[
            (claim.pk, user(u), IN_REVIEW, "", UNREVIEWED if i < 3 else None)
            for i, u in enumerate(checkers[:5])
        ],
        (claim.pk, user(editors[0]), IN_REVIEW, "", UNREVIEWED),
        (claim.pk, user(editors[1]), NOT_CHECKABLE, NOTE, UNREVIEWED),
        (claim.pk, user(editors[2]), NOT_CHECKABLE, NOTE, None),
        (claim.pk, user(editors[3]), NOT_CHECKABLE, NOTE, None),
        (claim.pk, user(checkers[5]), "false", NOTE, None),
        (claim.pk, user(checkers[6]), "misleading", NOTE, None),
        (claim.pk, key, "verified", NOTE, None),
    ]
    results = race(attempts)

    won = [a for a, (outcome, _) in zip(attempts, results, strict=True) if outcome == "ok"]
    first_moves = [a for a in won if a[2] in (IN_REVIEW, NOT_CHECKABLE)]
    verdicts = [a for a in won if a[2] in VERDICTS]
    assert len(first_moves) == 1, results
    assert len(verdicts) <= (1 if first_moves[0][2] == IN_REVIEW else 0), results
    resolved = (verdicts or first_moves)[-1][2] != IN_REVIEW
    for (_, _, to, _, expected), (outcome, message) in zip(attempts, results, strict=True):
        # Once the claim is resolved, "in review" means reopening it, which is for editors only.
        late_take = to == IN_REVIEW and expected is None and resolved
        assert outcome in ({"ok", "Conflict", "Forbidden"} if late_take else {"ok", "Conflict"}), message

    moves = [e for e in events(claim) if e.from_status != e.to_status and e.action != "created"]
    assert len(moves) == len(won)
    assert [(e.actor_name, e.to_status) for e in moves] == [
        (a[1].name, a[2]) for a in (*first_moves, *verdicts)
    ]
    claim.refresh_from_db()
    assert replay(claim) == claim.status == (verdicts or first_moves)[-1][2]
    taken_by = first_moves[0][1].user if first_moves[0][2] == IN_REVIEW else None
    assert claim.assignee == taken_by
    for (_, _, _, _, expected), (outcome, message) in zip(attempts, results, strict=True):
        if outcome == "Conflict" and expected is not None:
            assert "changed while you were looking" in message


# --- Nothing else assigns a claim's state ----------------------------------------------------------

#: The only places allowed to write a claim's state: (file, function, what).
ALLOWED_WRITES = {
    ("factcheck/services/review.py", "claim_transition_apply", "assignment"),
    ("factcheck/services/analyses.py", "_store_analysis", "bulk_update"),
}
CREATING = {"create", "get_or_create", "update_or_create", "bulk_create", "update"}


#: Variables that hold another model's ``status`` (a source's fetch state; the outbox and webhook
#: deliveries have a ``state``): writing those is not changing a claim's state.
OTHER_STATUS_HOLDERS = frozenset({"source"})


def _is_status(node) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def status_writes(source: str, filename: str) -> list[tuple[str, int, str, str]]:
    """Every place in ``source`` that writes an attribute or field named ``status``:
    ``(file, line, enclosing function, what)``."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        what = None
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            flat = [t for target in targets for t in ast.walk(target)]
            if any(
                isinstance(t, ast.Attribute)
                and t.attr == "status"
                and not (isinstance(t.value, ast.Name) and t.value.id in OTHER_STATUS_HOLDERS)
                for t in flat
            ):
                what = "assignment"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            keywords = {kw.arg for kw in node.keywords}
            if name == "setattr" and len(node.args) > 1 and _is_status(node.args[1]):
                what = "assignment"
            elif name == "bulk_update":
                fields = [*node.args[1:2], *(kw.value for kw in node.keywords if kw.arg == "fields")]
                if any(_is_status(item) for f in fields for item in ast.walk(f)):
                    what = "bulk_update"
            elif "status" in keywords and (name in CREATING or name in ("Claim", "ReviewItem")):
                what = f"{name}(status=...)"
            elif name in CREATING:
                defaults = [kw.value for kw in node.keywords if kw.arg in ("defaults", "create_defaults")]
                if any(isinstance(d, ast.Dict) and any(_is_status(key) for key in d.keys) for d in defaults):
                    what = f"{name}(defaults={{'status': ...}})"
        if what:
            found.append((filename, node.lineno, function, what))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source, filename=filename), "<module>")
    return found


#: Packages without Django (tests/test_architecture.py checks): they cannot write a claim.
PLAIN_PYTHON = ("factcheck/analysis/", "factcheck/web/")


def project_status_writes() -> list[tuple[str, int, str, str]]:
    found = []
    for package in ("factcheck", "editorial"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/tests/" in relative or relative.startswith(PLAIN_PYTHON):
                continue
            found += status_writes(path.read_text(encoding="utf-8"), relative)
    return found


def test_nothing_but_the_workflow_assigns_a_claims_state():
    stray = [
        f"{file}:{line} in {function}(): {what}"
        for file, line, function, what in project_status_writes()
        if (file, function, what) not in ALLOWED_WRITES
    ]
    assert not stray, (
        "Only factcheck.services.claim_transition (through review.claim_transition_apply) changes a "
        "claim's state; these write `status` themselves:\n" + "\n".join(stray)
    )


def test_the_allowed_writes_are_still_there():
    """Each exception is still needed: the scanner does find the workflow's own writes."""
    found = {(file, function, what) for file, _, function, what in project_status_writes()}
    assert found >= ALLOWED_WRITES


@pytest.mark.parametrize(
    "code",
    [
        "claim.status = 'verified'",
        "self.claim.status += 'x'",
        "a.status, b = 1, 2",
        "setattr(claim, 'status', 'verified')",
        "Claim.objects.filter(pk=1).update(status='verified')",
        "Claim.objects.bulk_update(claims, ['status', 'updated_at'])",
        "Claim.objects.bulk_update(claims, fields=('status',))",
        "Claim(article=a, status='verified')",
        "Claim.objects.create(article=a, status='verified')",
        "Claim.objects.update_or_create(pk=1, defaults={'status': 'verified'})",
    ],
)
def test_the_scanner_finds_status_writes(code):
    assert [line for _, line, _, _ in status_writes(f"def f():\n    {code}\n", "x.py")] == [2]


@pytest.mark.parametrize(
    "code",
    [
        "Claim.objects.filter(status='verified')",
        "claim.status == 'verified'",
        "article.analysis_status = 'analyzed'",
        "Claim.objects.bulk_update(claims, ['ordinal'])",
        "ClaimEvent(from_status='a', to_status='b')",
    ],
)
def test_the_scanner_leaves_reads_and_other_fields_alone(code):
    assert status_writes(f"def f():\n    {code}\n", "x.py") == []


def wait_until_another_session_waits_for_a_lock(timeout=10.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # or it is read once per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the review never waited for a lock")


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["claim_transition", "claim_assign", "source_add"])
def test_a_review_waits_for_a_revision_being_stored_instead_of_deadlocking(service):
    """``article_analyze`` locks the article, then writes its claims; the review services must
    take the locks in that order too, or the two deadlock (PostgreSQL kills one of them)."""
    newsroom = NewsroomFactory(slug="deadlock")
    checker = member(newsroom, Role.FACT_CHECKER)
    editor = Actor.for_user(member(newsroom, Role.EDITOR))
    claim = claim_of(with_claims(newsroom, body=BODY))
    calls = {
        "claim_transition": lambda: claim_transition(actor=editor, claim_id=claim.pk, to=IN_REVIEW),
        "claim_assign": lambda: claim_assign(actor=editor, claim_id=claim.pk, assignee_id=checker.pk),
        "source_add": lambda: source_add(actor=editor, claim_id=claim.pk, url=URL),
    }
    article_locked, outcomes = threading.Event(), {}

    def store_a_revision():  # the lock order of article_analyze's second transaction
        try:
            with transaction.atomic():
                Article.objects.select_for_update().get(pk=claim.article_id)
                article_locked.set()
                wait_until_another_session_waits_for_a_lock()
                Claim.objects.filter(article_id=claim.article_id).update(paragraph=F("paragraph"))
            outcomes["revision"] = "ok"
        except Exception as error:  # reported, and fails the test
            outcomes["revision"] = repr(error)
        finally:
            connections.close_all()

    def review():
        try:
            assert article_locked.wait(timeout=10)
            calls[service]()
            outcomes["review"] = "ok"
        except Exception as error:  # reported, and fails the test
            outcomes["review"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=store_a_revision), threading.Thread(target=review)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"revision": "ok", "review": "ok"}
    assert ClaimEvent.objects.filter(claim=claim).count() == 2  # created, and the review's own


# --- The diagram -----------------------------------------------------------------------------------


def diagram_command_output() -> str:
    out = StringIO()
    call_command("workflow_diagram", stdout=out)
    return out.getvalue()


def test_the_diagram_draws_every_move_but_superseding_with_its_guards():
    arrows = [line.strip() for line in workflow.mermaid().splitlines() if "-->" in line and "[*]" not in line]
    drawn = {tuple(arrow.split(":")[0].split(" --> ")) for arrow in arrows}
    assert drawn == {pair for pair in RULES if pair[1] != SUPERSEDED}
    assert len(arrows) == len(drawn)
    needs_note = {(IN_REVIEW, v) for v in VERDICTS if v != "verified"} | {
        (IN_REVIEW, NEEDS_ATTRIBUTION),
        (NEEDS_ATTRIBUTION, IN_REVIEW),
        (UNREVIEWED, NOT_CHECKABLE),
        *((state, IN_REVIEW) for state in (*VERDICTS, NOT_CHECKABLE)),
    }
    for arrow in arrows:
        pair = tuple(arrow.split(":")[0].split(" --> "))
        assert arrow.endswith("[needs note]") == (pair in needs_note), arrow
        assert arrow.endswith("[needs source]") == (pair == (IN_REVIEW, "verified")), arrow
    assert "reporter of the article" in next(a for a in arrows if a.startswith("needs_attribution"))


def test_the_workflow_diagram_command_prints_a_mermaid_block():
    assert diagram_command_output() == f"```mermaid\n{workflow.mermaid()}\n```\n"


def test_the_readme_shows_the_current_diagram():
    """Regenerate with ``python manage.py workflow_diagram`` and paste it under "The review workflow"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n#{2,3} The review workflow\n", readme, maxsplit=1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    blocks = re.findall(r"^```mermaid\n.*?^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert blocks == [diagram_command_output().strip()]
    assert readme.count("```mermaid") == 1
