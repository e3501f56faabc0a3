"""Who hears about what: the events of the checking side become notifications and emails for the
right people, once, in the transaction of the event (factcheck/notifications/services.py)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import Claim
from factcheck.notifications.models import Delivery, Event, Notification, OutboxEmail, OutboxState
from factcheck.notifications.services.events import claims_flagged_notify
from factcheck.notifications.services.preferences import notification_preferences_save
from factcheck.services.analyses import Correction, article_analyze, claim_exclude
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_assign, claim_transition
from factcheck.tasks import analyze_article
from factcheck.workflow import ClaimStatus
from tests.factcheck.notifications.builders import (
    ANALYSTS,
    BELIEVED,
    BUDGET,
    HOSPITAL,
    SITE,
    TITLE,
    VAGUE_BODY,
    analysed,
    person,
    visible,
)
from tests.factories import DeskFactory, NewsroomFactory, claim_of, revise

pytestmark = pytest.mark.django_db

EXPERTS = "Experts warn the bridge is unsafe."
NOTE = "Which analysts? Name them, or cut the sentence."


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def parts(message) -> tuple[str, str]:
    """The plain text, and the HTML as a reader sees it."""
    return message.body, visible(html_of(message))


# --- (a) Flagged claims -> the desk's editors ---------------------------------------------------------


def test_each_desk_editor_gets_one_email_for_an_article_listing_every_flagged_sentence(
    newsroom, desk, django_capture_on_commit_callbacks
):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    newsroom_admin = person(newsroom, Role.ADMIN, "ada", desks=[desk])
    person(newsroom, Role.EDITOR, "other-desk", desks=[DeskFactory(newsroom=newsroom, slug="politics")])
    person(newsroom, Role.FACT_CHECKER, "checker", desks=[desk])
    person(newsroom, Role.REPORTER, "reporter", desks=[desk])
    person(newsroom, Role.EDITOR, "no-address", desks=[desk], email="")
    gone = person(newsroom, Role.EDITOR, "gone", desks=[desk])
    gone.is_active = False
    gone.save()

    with django_capture_on_commit_callbacks(execute=True):
        article = analysed(newsroom, desk=desk)

    assert recipients() == [newsroom_admin.email, editor.email]
    flagged = [claim_of(article, ANALYSTS), claim_of(article, BELIEVED)]
    for message in mail.outbox:
        assert message.subject == f"2 claims flagged in “{TITLE}”"
        html = html_of(message)
        for part in parts(message):
            assert ANALYSTS in part and BELIEVED in part
            assert BUDGET not in part and HOSPITAL not in part  # not flagged: not listed
            assert "Which analysts? Name them, or link the report they wrote." in part
        for claim in flagged:
            assert f"Review it: {SITE}/admin/factcheck/reviewitem/{claim.pk}/change/" in message.body
            assert (
                f'<a href="{SITE}/admin/factcheck/reviewitem/{claim.pk}/change/">Review this claim</a>'
                in html
            )
        assert "“Analysts” (unnamed experts, high)" in message.body
        assert '<mark title="Which analysts? Name them, or link the report they wrote."' in html
        assert "It is believed" in message.body
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert Notification.objects.filter(event=Event.CLAIMS_FLAGGED).count() == 2


def test_a_redelivered_analysis_a_rerun_or_a_correction_makes_no_second_email(
    newsroom, desk, django_capture_on_commit_callbacks
):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    other_editor = person(newsroom, Role.EDITOR, "eddie", desks=[desk])
    with django_capture_on_commit_callbacks(execute=True):
        article = analysed(newsroom, desk=desk)
        analyze_article.apply(args=[article.pk])  # a redelivered task
        article_analyze(article_id=article.pk)  # a re-run
        # An editor's correction stores the same revision again, as theirs.
        claim_exclude(actor=Actor.for_user(editor), claim=claim_of(article, HOSPITAL), reason="a promo")

    assert recipients() == [other_editor.email, editor.email]
    assert OutboxEmail.objects.count() == 2


def test_a_revision_lists_only_sentences_not_flagged_to_the_editor_before(
    newsroom, desk, django_capture_on_commit_callbacks
):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    article = analysed(newsroom, desk=desk)
    assert OutboxEmail.objects.filter(user=editor).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        revise(article, VAGUE_BODY.replace(BUDGET, f"{BUDGET} {EXPERTS}"))

    [message] = mail.outbox
    assert message.subject == f"1 claim flagged in “{TITLE}”"
    assert EXPERTS in message.body
    assert ANALYSTS not in message.body and BELIEVED not in message.body
    assert "revision 2" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        revise(article, article.body.replace(HOSPITAL, "The hospital will open in 2028."))
    assert len(mail.outbox) == 1  # nothing newly flagged: no email
    assert OutboxEmail.objects.filter(user=editor).count() == 2


def test_an_article_without_a_desk_goes_to_every_editor_and_admin_of_its_newsroom(newsroom, desk):
    on_desk = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    no_desk = person(newsroom, Role.EDITOR, "eddie")
    newsroom_admin = person(newsroom, Role.ADMIN, "ada")
    person(newsroom, Role.FACT_CHECKER, "checker")
    person(NewsroomFactory(slug="elsewhere"), Role.EDITOR, "stranger")

    analysed(newsroom, desk=None)

    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == sorted(
        [on_desk.email, no_desk.email, newsroom_admin.email]
    )


def test_an_article_with_no_flagged_claim_sends_nothing(newsroom, desk):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    analysed(newsroom, desk=desk, body=f"{BUDGET}\n\n{HOSPITAL}")
    assert not Notification.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_the_editor_whose_correction_flagged_a_sentence_is_not_told_about_it(newsroom, desk):
    editor = person(newsroom, Role.EDITOR, "edna", desks=[desk])
    other_editor = person(newsroom, Role.EDITOR, "eddie", desks=[desk])
    article = analysed(newsroom, desk=desk, body=f"{BUDGET}\n\n{HOSPITAL}")
    assert not OutboxEmail.objects.exists()

    revision = article_submit(
        actor=Actor.for_user(editor), newsroom=newsroom, external_id=article.external_id,
        body=f"{BUDGET}\n\n{EXPERTS}", title=TITLE, desk=desk,
    ).revision  # fmt: skip
    article_analyze(article_id=article.pk, correction=Correction(actor=Actor.for_user(editor)))

    assert list(OutboxEmail.objects.values_list("to", "dedup_key")) == [
        (other_editor.email, f"claims_flagged:article{article.pk}:revision{revision}:user{other_editor.pk}")
    ]


def test_the_flagged_claims_email_takes_the_same_queries_for_one_claim_or_many(
    newsroom, desk, django_assert_max_num_queries
):
    person(newsroom, Role.EDITOR, "edna", desks=[desk])
    person(newsroom, Role.ADMIN, "ada", desks=[desk])
    one = analysed(newsroom, desk=desk, body=ANALYSTS, external_id="one")
    vague = [ANALYSTS, BELIEVED, EXPERTS, "Reports suggest the plan failed.", "Critics say it is too small."]
    many = analysed(newsroom, desk=desk, body="\n\n".join(vague), external_id="many")
    assert Claim.objects.filter(article=many, is_flagged=True).count() == len(vague)
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()

    with django_assert_max_num_queries(1000) as few:
        claims_flagged_notify(article=one, revision=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        made = claims_flagged_notify(article=many, revision=1)

    assert [len(n.payload["claims"]) for n in made] == [len(vague)] * 2


# --- (b) Assignment -> the assignee -------------------------------------------------------------------


def test_an_assignment_emails_the_assignee_with_the_note(newsroom, django_capture_on_commit_callbacks):
    editor = person(newsroom, Role.EDITOR, "edna")
    checker = person(newsroom, Role.FACT_CHECKER, "chuck")
    claim = claim_of(analysed(newsroom), ANALYSTS)

    with django_capture_on_commit_callbacks(execute=True):
        claim_assign(
            actor=Actor.for_user(editor),
            claim_id=claim.pk,
            assignee_id=checker.pk,
            note="Before noon, please.",
        )

    [message] = mail.outbox
    assert message.to == [checker.email]
    assert message.subject == f"A claim in “{TITLE}” is assigned to you"
    for part in parts(message):
        assert "edna assigned you a claim" in part
        assert ANALYSTS in part
        assert "Before noon, please." in part
    assert f'href="{SITE}/admin/factcheck/reviewitem/{claim.pk}/change/"' in html_of(message)
    assert f"Review it: {SITE}/admin/factcheck/reviewitem/{claim.pk}/change/" in message.body


def test_taking_a_claim_yourself_assigning_it_to_yourself_or_to_nobody_sends_nothing(newsroom):
    editor = person(newsroom, Role.EDITOR, "edna")
    checker = person(newsroom, Role.FACT_CHECKER, "chuck")
    article = analysed(newsroom)
    first, second = claim_of(article, ANALYSTS), claim_of(article, BELIEVED)

    claim_transition(actor=Actor.for_user(checker), claim_id=first.pk, to=ClaimStatus.IN_REVIEW)
    claim_assign(actor=Actor.for_user(editor), claim_id=second.pk, assignee_id=editor.pk)
    claim_assign(actor=Actor.for_user(editor), claim_id=second.pk, assignee_id=None)

    assert not Notification.objects.filter(event=Event.CLAIM_ASSIGNED).exists()
    assert not OutboxEmail.objects.filter(kind=Event.CLAIM_ASSIGNED).exists()


# --- (c) Sent back for attribution -> the article's reporters -----------------------------------------


def test_sending_a_claim_back_for_attribution_emails_the_reporters_with_the_note(
    newsroom, django_capture_on_commit_callbacks
):
    checker = person(newsroom, Role.FACT_CHECKER, "chuck")
    reporters = [person(newsroom, Role.REPORTER, "rita"), person(newsroom, Role.REPORTER, "ray")]
    person(newsroom, Role.REPORTER, "not-on-this-story")
    claim = claim_of(analysed(newsroom, reporters=reporters), ANALYSTS)
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to=ClaimStatus.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        claim_transition(
            actor=Actor.for_user(checker), claim_id=claim.pk, to=ClaimStatus.NEEDS_ATTRIBUTION, note=NOTE
        )

    assert recipients() == sorted(reporter.email for reporter in reporters)
    for message in mail.outbox:
        assert message.subject == f"Attribution needed: a claim in “{TITLE}”"
        for part in parts(message):
            assert "chuck sent a claim of your article" in part
            assert ANALYSTS in part
            assert NOTE in part
        assert f"Note from chuck: {NOTE}" in message.body
        assert f"{SITE}/admin/factcheck/reviewitem/{claim.pk}/change/" in message.body
        assert (
            f'<a href="{SITE}/admin/factcheck/reviewitem/{claim.pk}/change/">Answer with the source</a>'
            in html_of(message)
        )


# --- (d) A verdict -> the reporters, off by default ---------------------------------------------------


def test_a_verdict_reaches_the_reporter_only_when_they_ask_for_it(
    newsroom, django_capture_on_commit_callbacks
):
    editor = person(newsroom, Role.EDITOR, "edna")
    reporter = person(newsroom, Role.REPORTER, "rita")
    claim = claim_of(analysed(newsroom, reporters=[reporter]), ANALYSTS)
    claim_transition(actor=Actor.for_user(editor), claim_id=claim.pk, to=ClaimStatus.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        claim_transition(
            actor=Actor.for_user(editor), claim_id=claim.pk, to=ClaimStatus.FALSE, note="The report says 3%."
        )
    assert mail.outbox == []  # off by default

    notification_preferences_save(
        user=reporter, newsroom=newsroom, deliveries={Event.VERDICT_GIVEN: Delivery.IMMEDIATELY}
    )
    claim_transition(
        actor=Actor.for_user(editor), claim_id=claim.pk, to=ClaimStatus.IN_REVIEW, note="New figures."
    )
    with django_capture_on_commit_callbacks(execute=True):
        claim_transition(
            actor=Actor.for_user(editor), claim_id=claim.pk, to=ClaimStatus.MISLEADING, note="Out of context."
        )

    [message] = mail.outbox
    assert message.to == [reporter.email]
    assert message.subject == f"Verdict: misleading — a claim in “{TITLE}”"
    assert "edna marked a claim of your article" in message.body
    assert "Out of context." in message.body


# --- Preferences and transactions ---------------------------------------------------------------------


def test_never_makes_nothing_and_digest_keeps_the_event_for_the_digest(newsroom, desk):
    never = person(newsroom, Role.EDITOR, "never", desks=[desk])
    later = person(newsroom, Role.EDITOR, "later", desks=[desk])
    for user, delivery in ((never, Delivery.NEVER), (later, Delivery.DIGEST)):
        notification_preferences_save(
            user=user, newsroom=newsroom, deliveries={Event.CLAIMS_FLAGGED: delivery}
        )

    analysed(newsroom, desk=desk)

    [waiting] = Notification.objects.all()
    assert (waiting.user, waiting.delivery, waiting.email) == (later, Delivery.DIGEST, None)
    assert [claim["text"] for claim in waiting.payload["claims"]] == [ANALYSTS, BELIEVED]
    assert not OutboxEmail.objects.exists()


def test_an_event_rolled_back_leaves_no_email_and_sends_nothing(newsroom, django_capture_on_commit_callbacks):
    checker = person(newsroom, Role.FACT_CHECKER, "chuck")
    reporter = person(newsroom, Role.REPORTER, "rita")
    claim = claim_of(analysed(newsroom, reporters=[reporter]), ANALYSTS)
    claim_transition(actor=Actor.for_user(checker), claim_id=claim.pk, to=ClaimStatus.IN_REVIEW)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        claim_transition(
            actor=Actor.for_user(checker), claim_id=claim.pk, to=ClaimStatus.NEEDS_ATTRIBUTION, note=NOTE
        )
        assert OutboxEmail.objects.count() == 1  # made with the event...
        raise RuntimeError("the caller's transaction fails")

    assert callbacks == []
    assert not OutboxEmail.objects.exists()  # ...and gone with it
    assert not Notification.objects.exists()
    assert mail.outbox == []
