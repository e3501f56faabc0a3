"""The review queue in the admin: the list, its filters and bulk actions, the claim page and its forms,
the article page's readiness and highlighted text, tenancy and the query budget."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from editorial import services as editorial_services
from editorial.models import Article, Role
from factcheck.actors import Actor
from factcheck.analysis.attribution import KINDS as FLAG_KINDS
from factcheck.models import Claim, ClaimEvent, Source
from factcheck.selectors import QueueFilters, review_queue
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_transition
from factcheck.services.sources import source_add
from factcheck.workflow import ClaimStatus
from tests.factories import ArchivedSourceFactory, DeskFactory, UserFactory

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
CRITICS = "Critics say it is too small."
EXPERTS = "Experts believe unemployment in the city fell to 4.1 percent in March."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."
OFFICIALS = "Officials said the plan would cost $3 million."
BODY_A = f"{BUDGET} {CRITICS}\n\n{EXPERTS}\n\nPhoto: Jane Doe/Reuters"
BODY_B = f"{HOSPITAL}\n\n{OFFICIALS}"
WHICH_CRITICS = "Which critics? Name the people or organisations, or link their statement."
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

QUEUE = reverse("admin:factcheck_reviewitem_changelist")
ARTICLES = reverse("admin:editorial_article_changelist")
BUTTON = re.compile(r'<button type="submit" name="to" value="([^"]+)" class="transition">([^<]+)</button>')
NEEDS_SOURCE = (
    "Verified needs evidence, and it has no source fetched and archived. Wait for a fetch to archive a "
    "source, or mark a source as offline with a note saying what it is (a phone call, a document on file)."
)


def page_of(claim) -> str:
    return reverse("admin:factcheck_reviewitem_change", args=[claim.pk])


def post_url(claim, name: str) -> str:
    return reverse(f"admin:factcheck_reviewitem_{name}", args=[claim.pk])


def article_page(article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def member(newsroom, role: str, username: str):
    user = UserFactory(username=username)
    editorial_services.member_add(newsroom=newsroom, user=user, role=role)
    return user


def submitted(newsroom, external_id: str, body: str, **fields) -> Article:
    article = article_submit(
        actor=Actor.system(), newsroom=newsroom, external_id=external_id, body=body, **fields
    )
    article_analyze(article_id=article.pk)
    article.refresh_from_db()
    return article


def claim(text: str) -> Claim:
    return Claim.objects.exclude(status=ClaimStatus.SUPERSEDED).get(text=text)


def flash(response) -> list[tuple[str, str]]:
    """(level, text) of the messages shown on the page a post redirected to (and shown only there)."""
    html = response.content.decode()
    shown = [(message.level_tag, message.message) for message in response.context["messages"]]
    for _, text in shown:
        assert escape(text) in html
    return shown


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    return [item.text for item in response.context["cl"].result_list]


def snapshot() -> tuple:
    """Everything a review changes."""
    return (
        sorted(Claim.objects.values_list("pk", "status", "assignee_id", "updated_at")),
        ClaimEvent.objects.count(),
        Source.objects.count(),
    )


# --- The newsroom at work ------------------------------------------------------------------------


@pytest.fixture
def people(newsroom):
    return {
        "edna": member(newsroom, Role.EDITOR, "edna"),
        "fiona": member(newsroom, Role.FACT_CHECKER, "fiona"),
        "felix": member(newsroom, Role.FACT_CHECKER, "felix"),
        "rory": member(newsroom, Role.REPORTER, "rory"),
    }


@pytest.fixture
def worked(newsroom, people):
    """Two articles of ``newsroom`` mid-review.

    BUDGET verified (fiona, with a source), CRITICS in review (fiona), EXPERTS unreviewed,
    HOSPITAL dismissed (edna), OFFICIALS waiting for attribution (felix).  Rory reports article B.
    Scores are set so that the order does not depend on the scorer.
    """
    politics = DeskFactory(newsroom=newsroom, name="Politics", slug="politics")
    city = DeskFactory(newsroom=newsroom, name="City", slug="city")
    a = submitted(newsroom, "cms-a", BODY_A, title="Budget approved", desk=politics)
    b = submitted(newsroom, "cms-b", BODY_B, title="Hospital plans", desk=city)
    b.reporters.add(people["rory"])
    for text, score in ((BUDGET, 0.9), (CRITICS, 0.4), (EXPERTS, 0.8), (HOSPITAL, 0.7), (OFFICIALS, 0.6)):
        Claim.objects.filter(text=text).update(checkworthiness=score)
    fiona, felix, edna = (Actor.for_user(people[name]) for name in ("fiona", "felix", "edna"))
    for text in (BUDGET, CRITICS):
        claim_transition(actor=fiona, claim_id=claim(text).pk, to=ClaimStatus.IN_REVIEW)
    ArchivedSourceFactory(claim=claim(BUDGET), url="https://ledger.example/minutes", actor_name="fiona")
    claim_transition(actor=fiona, claim_id=claim(BUDGET).pk, to=ClaimStatus.VERIFIED)
    claim_transition(
        actor=edna, claim_id=claim(HOSPITAL).pk, to=ClaimStatus.NOT_CHECKABLE, note="A plan, not a fact."
    )
    claim_transition(actor=felix, claim_id=claim(OFFICIALS).pk, to=ClaimStatus.IN_REVIEW)
    claim_transition(
        actor=felix, claim_id=claim(OFFICIALS).pk, to=ClaimStatus.NEEDS_ATTRIBUTION, note="Which officials?"
    )
    return {"a": a, "b": b, "politics": politics, "city": city}


@pytest.fixture
def as_user(client, people):
    def login(name: str) -> Client:
        client.force_login(people[name])
        return client

    return login


# --- The list ------------------------------------------------------------------------------------


def test_the_queue_is_its_own_admin_entry(as_user, worked):
    assert QUEUE == "/admin/factcheck/reviewitem/"
    index = as_user("fiona").get(reverse("admin:index")).content.decode()
    assert f'<a href="{QUEUE}"' in index and "Review queue" in index
    response = as_user("fiona").get(QUEUE)
    assert "<h1>Review queue</h1>" in response.content.decode()


def test_open_claims_by_default_most_urgent_first(as_user, worked):
    """Flagged first, then more check-worthy; BUDGET (verified) and HOSPITAL (dismissed) are not open."""
    assert listed(as_user("fiona")) == [EXPERTS, OFFICIALS, CRITICS]
    assert listed(as_user("fiona"), "status=all") == [EXPERTS, OFFICIALS, CRITICS, BUDGET, HOSPITAL]


def test_equal_claims_are_listed_oldest_first(as_user, worked):
    Claim.objects.filter(text__in=[EXPERTS, OFFICIALS]).update(checkworthiness=0.5)
    now = timezone.now()
    Claim.objects.filter(text=OFFICIALS).update(created_at=now - timedelta(days=2))
    Claim.objects.filter(text=EXPERTS).update(created_at=now - timedelta(days=1))
    assert listed(as_user("fiona"))[:2] == [OFFICIALS, EXPERTS]
    Claim.objects.filter(text=EXPERTS).update(created_at=now - timedelta(days=3))
    assert listed(as_user("fiona"))[:2] == [EXPERTS, OFFICIALS]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("status=verified", [BUDGET], id="verified"),
        pytest.param("status=in_review", [CRITICS], id="in-review"),
        pytest.param("status=needs_attribution", [OFFICIALS], id="needs-attribution"),
        pytest.param("status=not_checkable", [HOSPITAL], id="not-checkable"),
        pytest.param("status=unreviewed", [EXPERTS], id="unreviewed"),
        pytest.param("flag_kind=any", [EXPERTS, OFFICIALS, CRITICS], id="any-flag"),
        pytest.param("flag_kind=none&status=all", [BUDGET, HOSPITAL], id="no-flag"),
        pytest.param("flag_kind=vague_collective&status=all", [CRITICS], id="vague-collective"),
        pytest.param("flag_kind=anonymous_official", [OFFICIALS], id="anonymous-official"),
        pytest.param("assignee=mine&status=all", [CRITICS, BUDGET], id="mine"),
        pytest.param("assignee=unassigned&status=all", [EXPERTS, HOSPITAL], id="unassigned"),
        pytest.param("q=unemployment", [EXPERTS], id="search-claim-text"),
        pytest.param("q=hospital&status=all", [OFFICIALS, HOSPITAL], id="search-article-title"),
        pytest.param("q=nothing+like+this", [], id="search-nothing"),
    ],
)
def test_filters_and_search(as_user, worked, query, expected):
    assert listed(as_user("fiona"), query) == expected


def test_the_flag_kind_filter_reads_the_kinds_stored_on_the_claim(worked, people):
    """The same claims, in the same order, as a look at the flags themselves, for every kind."""
    flagged = Claim.objects.filter(flags__isnull=False).distinct()
    assert {c.flag_kinds for c in flagged} == {
        ",vague_collective,",
        ",anonymous_experts,",
        ",anonymous_official,",
    }
    for kind in FLAG_KINDS:
        by_flags = [
            c.pk
            for c in review_queue(viewer=people["edna"])
            if any(flag.kind == kind for flag in c.flags.all())
        ]
        assert [
            c.pk for c in review_queue(viewer=people["edna"], filters=QueueFilters(flag_kind=kind))
        ] == by_flags


def test_filter_by_desk_and_by_a_named_assignee(as_user, worked, people):
    client = as_user("fiona")
    assert listed(client, f"desk={worked['politics'].pk}&status=all") == [EXPERTS, CRITICS, BUDGET]
    assert listed(client, f"desk={worked['city'].pk}&status=all") == [OFFICIALS, HOSPITAL]
    assert listed(client, f"assignee={people['felix'].pk}") == [OFFICIALS]
    assert listed(client, "desk=junk") == [] and listed(client, "assignee=junk") == []


def test_a_claim_an_api_key_took_is_not_unassigned(as_user, worked, newsroom):
    key = editorial_services.api_key_create(newsroom=newsroom, name="CMS bot", role=Role.FACT_CHECKER).api_key
    claim_transition(actor=Actor.for_api_key(key), claim_id=claim(EXPERTS).pk, to=ClaimStatus.IN_REVIEW)

    assert (claim(EXPERTS).assignee, claim(EXPERTS).assignee_key) == (None, key)
    assert listed(as_user("fiona"), "assignee=unassigned&status=all") == [HOSPITAL]
    html = as_user("fiona").get(QUEUE).content.decode()
    assert "API key CMS bot" in html
    page = as_user("fiona").get(page_of(claim(EXPERTS))).content.decode()
    assert '<dd id="claim-assignee">API key CMS bot</dd>' in page


def filter_choices(response, title: str) -> list[str]:
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.title == title)
    return [str(label) for _, label in spec.lookup_choices]


def test_the_desk_and_assignee_filters_offer_only_the_viewers_newsrooms(
    as_user, worked, other_newsroom, people
):
    DeskFactory(newsroom=other_newsroom, name="Sport")
    member(other_newsroom, Role.FACT_CHECKER, "otto")
    response = as_user("fiona").get(QUEUE)
    assert filter_choices(response, "desk") == ["City", "Politics"]
    assert filter_choices(response, "assignee") == ["Mine", "Unassigned", "edna", "felix", "fiona"]
    assert filter_choices(response, "status")[-1] == "All states"
    html = response.content.decode()
    assert "Open (default)" in html and "Sport" not in html and "otto" not in html
    assert "assignee" not in response.context["action_form"].fields  # fact-checkers do not assign
    assignees = as_user("edna").get(QUEUE).context["action_form"].fields["assignee"].queryset
    assert [person.username for person in assignees] == ["edna", "felix", "fiona"]


def test_the_desk_filter_costs_the_same_queries_however_many_desks(
    as_user, worked, newsroom, django_assert_max_num_queries
):
    client = as_user("fiona")
    with django_assert_max_num_queries(1000) as few:
        client.get(QUEUE)
    for number in range(12):
        DeskFactory(newsroom=newsroom, name=f"Desk {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(filter_choices(response, "desk")) == 14


def test_the_columns(as_user, worked):
    Claim.objects.filter(text=EXPERTS).update(created_at=timezone.now() - timedelta(hours=3, minutes=5))
    Claim.objects.filter(text=CRITICS).update(created_at=timezone.now() - timedelta(days=2, hours=1))
    response = as_user("fiona").get(QUEUE)
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
    experts = next(row for row in rows if "unemployment" in row)
    assert '<mark title="Which experts? Name them, or link the report they wrote.">Experts</mark>' in experts
    assert f'href="{article_page(worked["a"])}"' in experts and "Budget approved" in experts
    assert '<span class="queue-desk help">Politics</span>' in experts
    assert '<span class="queue-flags help" style="display: block">Unnamed experts</span>' in experts
    assert ">Unreviewed<" in experts and ">unassigned<" in experts and "anonymous_experts" not in experts
    assert ">0.80<" in experts and ">3 h<" in experts
    assert f'href="{page_of(claim(EXPERTS))}"' in experts
    assert len(re.findall(r'<td class="field-', experts)) == 4  # and the claim's <th>: five columns
    critics = next(row for row in rows if "too small" in row)
    assert ">2 d<" in critics and ">fiona<" in critics and ">In review<" in critics


def test_a_long_article_title_is_shortened_with_the_whole_on_hover(as_user, newsroom, people):
    title = "Council approves the Mill Road repairs after a fourth evening of argument over the cost"
    submitted(newsroom, "cms-long", f"{BUDGET} {CRITICS}", title=title)
    html = as_user("fiona").get(QUEUE).content.decode()
    link = re.search(r'<a href="[^"]+" class="queue-article" title="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link.group(1) == title
    assert link.group(2) == "Council approves the Mill Road repairs after a…"


def test_claim_text_is_escaped_in_the_queue(as_user, people, newsroom):
    submitted(newsroom, "cms-x", f"{SCRIPT} Critics say the council spent $4 million on roads.")
    html = as_user("fiona").get(QUEUE).content.decode()
    assert SCRIPT not in html
    assert SCRIPT_ESCAPED in html


def test_another_newsrooms_claims_are_not_in_the_queue(as_user, worked, other_newsroom):
    submitted(other_newsroom, "cms-other", f"{HOSPITAL} Critics say it will be late.")
    assert listed(as_user("edna"), "status=all") == [EXPERTS, OFFICIALS, CRITICS, BUDGET, HOSPITAL]
    texts = set(Claim.objects.filter(newsroom=other_newsroom).values_list("text", flat=True))
    assert "Critics say it will be late." in texts


def test_superseded_claims_never_show(as_user, worked, newsroom):
    submitted(newsroom, "cms-a", f"{BUDGET} {CRITICS}\n\nPhoto: Jane Doe/Reuters", desk=worked["politics"])
    assert Claim.objects.get(text=EXPERTS).status == ClaimStatus.SUPERSEDED
    assert EXPERTS not in listed(as_user("fiona"), "status=all")
    assert EXPERTS not in listed(as_user("fiona"), "status=superseded")


def test_staff_without_a_membership_get_no_queue(client, worked):
    client.force_login(UserFactory(username="stranger"))
    assert client.get(QUEUE).status_code == 403
    assert client.get(page_of(claim(EXPERTS))).status_code == 403


# --- Bulk actions ----------------------------------------------------------------------------------


def run(client, action: str, claims: list[Claim], query: str = "status=all", **fields):
    data = {"action": action, "index": "0", "_selected_action": [c.pk for c in claims], **fields}
    response = client.post(f"{QUEUE}?{query}", data, follow=True)
    assert response.redirect_chain == [(f"{QUEUE}?{query}", 302)], response.content.decode()[:500]
    return flash(response)


def action_names(client) -> list[str]:
    action_form = client.get(QUEUE).context["action_form"]
    if action_form is None:  # no action at all: no checkboxes, no action bar
        return []
    return [name for name, _ in action_form.fields["action"].choices if name]


def test_the_actions_offered_follow_the_role(as_user, worked):
    verdicts = ["verify", "mark_misleading", "mark_false", "mark_unverifiable"]
    assert action_names(as_user("edna")) == ["take", "assign", "dismiss", *verdicts]
    assert action_names(as_user("fiona")) == ["take", *verdicts]
    assert action_names(as_user("rory")) == []


def test_take_reports_each_refused_claim(as_user, worked):
    experts, critics, budget = claim(EXPERTS), claim(CRITICS), claim(BUDGET)
    events = ClaimEvent.objects.count()

    result = run(as_user("felix"), "take", [experts, critics, budget])

    assert result == [
        (
            "warning",
            f"1 taken; 2 refused: #{critics.pk} (in review): Take is only for claims that are unreviewed. "
            f"#{budget.pk} (verified): Take is only for claims that are unreviewed.",
        )
    ]
    experts.refresh_from_db()
    assert (experts.status, experts.assignee.username) == (ClaimStatus.IN_REVIEW, "felix")
    assert ClaimEvent.objects.count() == events + 1
    assert claim(CRITICS).status == ClaimStatus.IN_REVIEW and claim(BUDGET).status == ClaimStatus.VERIFIED


def test_a_role_elsewhere_is_refused_claim_by_claim(client, worked, newsroom, other_newsroom):
    """A fact-checker here who only reports at the other newsroom may not take its claims."""
    person = member(newsroom, Role.FACT_CHECKER, "dual")
    editorial_services.member_add(newsroom=other_newsroom, user=person, role=Role.REPORTER)
    theirs = submitted(other_newsroom, "cms-other", "Critics say the bridge is unsafe.").claims.get()
    client.force_login(person)

    result = run(client, "take", [claim(EXPERTS), theirs])

    assert result == [
        (
            "warning",
            f"1 taken; 1 refused: #{theirs.pk} (unreviewed): Take is not for reporters: ask an editor.",
        )
    ]
    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.UNREVIEWED


def test_a_verdict_without_a_source_is_refused_and_the_others_given(as_user, worked, people):
    fiona = Actor.for_user(people["fiona"])
    claim_transition(actor=fiona, claim_id=claim(EXPERTS).pk, to=ClaimStatus.IN_REVIEW)
    ArchivedSourceFactory(claim=claim(EXPERTS), url="https://stats.example/march")
    critics = claim(CRITICS)

    result = run(as_user("fiona"), "verify", [claim(EXPERTS), critics])

    assert result == [("warning", f"1 marked verified; 1 refused: #{critics.pk} (in review): {NEEDS_SOURCE}")]
    assert claim(EXPERTS).status == ClaimStatus.VERIFIED
    assert claim(CRITICS).status == ClaimStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_misleading", ClaimStatus.MISLEADING),
        ("mark_false", ClaimStatus.FALSE),
        ("mark_unverifiable", ClaimStatus.UNVERIFIABLE),
    ],
)
def test_verdicts_that_need_a_note(as_user, worked, action, status):
    client = as_user("fiona")
    before = snapshot()
    [(level, text)] = run(client, action, [claim(CRITICS)])
    assert level == "error" and "needs a note saying why" in text and "Nothing was changed" in text
    assert snapshot() == before

    assert run(client, action, [claim(CRITICS)], note="The budget is the largest in a decade.") == [
        ("success", f"1 marked {status.label.lower()}.")
    ]
    event = ClaimEvent.objects.filter(claim=claim(CRITICS)).latest("id")
    assert (event.actor_name, event.to_status, event.note) == (
        "fiona",
        status,
        "The budget is the largest in a decade.",
    )


def test_dismiss_needs_a_note_and_an_unreviewed_claim(as_user, worked):
    client = as_user("edna")
    before = snapshot()
    [(level, _)] = run(client, "dismiss", [claim(EXPERTS)])
    assert level == "error" and snapshot() == before

    critics = claim(CRITICS)
    result = run(client, "dismiss", [claim(EXPERTS), critics], note="An opinion.")

    assert result == [
        (
            "warning",
            f"1 dismissed; 1 refused: #{critics.pk} (in review): "
            "Dismiss as not checkable is only for claims that are unreviewed.",
        )
    ]
    assert claim(EXPERTS).status == ClaimStatus.NOT_CHECKABLE


def test_a_fact_checker_cannot_run_an_editors_action(as_user, worked):
    before = snapshot()
    response = as_user("fiona").post(
        f"{QUEUE}?status=all",
        {"action": "dismiss", "index": "0", "_selected_action": [claim(EXPERTS).pk], "note": "No."},
    )
    assert response.status_code in (200, 302)
    assert snapshot() == before


def test_assign_to(as_user, worked, people, newsroom, other_newsroom):
    edna = people["edna"]
    editorial_services.member_add(newsroom=other_newsroom, user=edna, role=Role.EDITOR)
    theirs = submitted(other_newsroom, "cms-other", "Critics say the bridge is unsafe.").claims.get()
    client = as_user("edna")
    before = snapshot()
    [(level, text)] = run(client, "assign", [claim(EXPERTS)])
    assert level == "error" and "Choose whom" in text and snapshot() == before

    result = run(
        client, "assign", [claim(EXPERTS), claim(OFFICIALS), theirs], assignee=str(people["fiona"].pk)
    )

    assert result == [
        (
            "warning",
            f"2 assigned to fiona; 1 refused: #{theirs.pk} (unreviewed): "
            "Assign to an editor or fact-checker of this newsroom.",
        )
    ]
    assert claim(EXPERTS).assignee == people["fiona"] and claim(OFFICIALS).assignee == people["fiona"]
    assert ClaimEvent.objects.filter(action="assign").count() == 2


# --- The claim page --------------------------------------------------------------------------------


def buttons(client, item) -> list[tuple[str, str]]:
    response = client.get(page_of(item))
    assert response.status_code == 200
    return BUTTON.findall(response.content.decode())


VERDICT_BUTTONS = [
    ("verified", "Verified"),
    ("misleading", "Misleading"),
    ("false", "False"),
    ("unverifiable", "Unverifiable"),
    ("needs_attribution", "Send back for attribution"),
]


def test_the_buttons_are_the_transitions_the_person_may_take(as_user, worked):
    experts, critics, budget, officials = claim(EXPERTS), claim(CRITICS), claim(BUDGET), claim(OFFICIALS)
    fiona, edna, rory = "fiona", "edna", "rory"

    assert buttons(as_user(fiona), experts) == [("in_review", "Take")]
    assert buttons(as_user(edna), experts) == [
        ("in_review", "Take"),
        ("not_checkable", "Dismiss as not checkable"),
    ]
    assert buttons(as_user(rory), experts) == []

    assert buttons(as_user(fiona), critics) == VERDICT_BUTTONS
    assert buttons(as_user(edna), critics) == VERDICT_BUTTONS
    assert buttons(as_user(rory), critics) == []

    assert buttons(as_user(fiona), budget) == []
    assert buttons(as_user(edna), budget) == [("in_review", "Reopen")]

    answer = [("in_review", "Answer with the source")]
    assert buttons(as_user(rory), officials) == answer  # he reports article B
    assert buttons(as_user(fiona), officials) == answer


def test_the_page_shows_the_passage_flags_sources_history_and_forms(as_user, worked):
    critics = claim(CRITICS)
    html = as_user("edna").get(page_of(critics)).content.decode()

    passage = re.search(r'<p id="claim-passage">(.*?)</p>', html, re.S).group(1)
    assert passage == (
        f'<span class="context context-before">{BUDGET} </span>'
        f'<span id="claim-sentence"><mark title="{WHICH_CRITICS}">Critics</mark> say it is too small.</span>'
        '<span class="context context-after"></span>'
    )
    assert 'id="claim-flags"' in html and "Vague group" in html and WHICH_CRITICS in html
    assert (
        '<form method="post" action="{}" id="transition-form">'.format(post_url(critics, "transition"))
        in html
    )
    assert '<input type="hidden" name="expected_status" value="in_review">' in html
    assert '<textarea name="note" id="id_transition_note"' in html
    assert 'id="source-form"' in html and 'name="url" id="id_source_url"' in html
    assert 'id="assign-form"' in html and '<select name="assignee" id="id_assignee">' in html
    assert re.search(r'<option value="\d+" selected>fiona</option>', html)
    history = re.search(r'<table id="claim-history">(.*?)</table>', html, re.S).group(1)
    actions = re.findall(r'<tr class="event" data-action="([^"]+)">', history)
    assert actions == ["created", "take"]
    assert "Unreviewed → In review" in history and "fiona" in history
    assert "<td>Take</td>" in history and "<td>Created by the analysis</td>" in history


def test_the_passage_reaches_the_next_sentence_of_the_paragraph(as_user, worked):
    html = as_user("fiona").get(page_of(claim(BUDGET))).content.decode()
    assert '<span class="context context-before"></span>' in html
    assert f'<span class="context context-after"> {CRITICS}</span>' in html
    sources = re.search(r'<ul id="claim-sources">(.*?)</ul>', html, re.S).group(1)
    assert 'href="https://ledger.example/minutes"' in sources and "Added by fiona," in sources
    assert "Added by a person" not in sources


def test_only_editors_get_the_assign_form(as_user, worked):
    html = as_user("fiona").get(page_of(claim(CRITICS))).content.decode()
    assert 'id="assign-form"' not in html


def post(client, item, name: str, **data):
    response = client.post(post_url(item, name), data, follow=True)
    assert response.redirect_chain == [(page_of(item), 302)]
    return flash(response)


def test_verified_without_a_source_is_refused_and_changes_nothing(as_user, worked):
    client = as_user("fiona")
    critics = claim(CRITICS)
    before = snapshot()

    result = post(client, critics, "transition", to="verified", expected_status="in_review", note="Checked.")

    assert result == [("error", NEEDS_SOURCE)]
    assert snapshot() == before
    page = client.get(page_of(critics))
    assert page.context is not None and BUTTON.findall(page.content.decode()) == VERDICT_BUTTONS


def test_a_successful_transition_writes_the_event_shown_in_history(as_user, worked):
    client = as_user("fiona")
    critics = claim(CRITICS)

    result = post(
        client,
        critics,
        "transition",
        to="misleading",
        expected_status="in_review",
        note="Largest in a decade.",
    )

    assert result == [("success", f"Claim {critics.ordinal + 1} is now misleading.")]
    critics.refresh_from_db()
    assert critics.status == ClaimStatus.MISLEADING
    event = ClaimEvent.objects.filter(claim=critics).latest("id")
    assert (event.actor_name, event.action, event.from_status, event.to_status, event.note) == (
        "fiona",
        "mark_misleading",
        "in_review",
        "misleading",
        "Largest in a decade.",
    )
    html = client.get(page_of(critics)).content.decode()
    history = re.search(r'<table id="claim-history">(.*?)</table>', html, re.S).group(1)
    last = re.findall(r'<tr class="event".*?</tr>', history, re.S)[-1]
    assert "fiona" in last and "<td>Misleading</td>" in last and "In review → Misleading" in last
    assert "mark_misleading</td>" not in last
    assert "Largest in a decade." in last


def test_stale_and_forbidden_transitions_are_refused(as_user, worked):
    experts = claim(EXPERTS)
    before = snapshot()
    [(level, text)] = post(
        as_user("fiona"), experts, "transition", to="in_review", expected_status="in_review"
    )
    assert level == "error" and text.startswith("The claim changed while you were looking at it")
    [(level, text)] = post(
        as_user("rory"), experts, "transition", to="in_review", expected_status="unreviewed"
    )
    assert (level, text) == ("error", "Take is not for reporters: ask an editor.")
    [(level, text)] = post(
        as_user("fiona"), experts, "transition", to="verified", expected_status="unreviewed"
    )
    assert level == "error" and text.startswith("A claim that is unreviewed cannot become verified")
    assert snapshot() == before


def test_adding_a_source(as_user, worked):
    client = as_user("fiona")
    critics = claim(CRITICS)

    result = post(client, critics, "sources", url="https://ledger.example/report", note="The <b>report</b>.")

    assert result == [("success", "Source added: https://ledger.example/report")]
    assert list(critics.sources.values_list("url", "note", "actor_name")) == [
        ("https://ledger.example/report", "The <b>report</b>.", "fiona")
    ]
    html = client.get(page_of(critics)).content.decode()
    assert 'href="https://ledger.example/report"' in html and "The &lt;b&gt;report&lt;/b&gt;." in html
    assert "source_added" in html

    before = snapshot()
    for url in ("javascript:alert(1)", "not a url", "https://ledger.example/report"):
        [(level, _)] = post(client, critics, "sources", url=url)
        assert level == "error", url
    assert snapshot() == before


def test_assigning_on_the_page(as_user, worked, people):
    experts = claim(EXPERTS)
    result = post(as_user("edna"), experts, "assign", assignee=str(people["felix"].pk))
    assert result == [("success", f"Claim {experts.ordinal + 1} is assigned to felix.")]
    assert claim(EXPERTS).assignee == people["felix"]
    assert post(as_user("edna"), experts, "assign", assignee="") == [
        ("success", f"Claim {experts.ordinal + 1} is assigned to nobody.")
    ]
    assert claim(EXPERTS).assignee is None

    before = snapshot()
    assert post(as_user("fiona"), experts, "assign", assignee=str(people["fiona"].pk)) == [
        ("error", "Only editors assign claims.")
    ]
    assert post(as_user("edna"), experts, "assign", assignee=str(people["rory"].pk)) == [
        ("error", "Assign to an editor or fact-checker of this newsroom.")
    ]
    assert snapshot() == before


def test_the_forms_need_a_csrf_token(worked, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["fiona"])
    before = snapshot()
    experts = claim(EXPERTS)
    for name, data in (
        ("transition", {"to": "in_review", "expected_status": "unreviewed"}),
        ("sources", {"url": "https://ledger.example/x"}),
        ("assign", {"assignee": ""}),
    ):
        assert client.post(post_url(experts, name), data).status_code == 403
    assert snapshot() == before


def test_a_get_never_changes_anything(as_user, worked):
    client = as_user("edna")
    before = snapshot()
    experts = claim(EXPERTS)
    assert client.get(page_of(experts)).status_code == 200
    assert client.get(f"{page_of(experts)}?to=in_review&expected_status=unreviewed").status_code == 200
    for name in ("transition", "assign", "sources"):
        response = client.get(post_url(experts, name), {"to": "in_review", "url": "https://x.example/"})
        assert response.status_code == 405, name
    assert client.post(page_of(experts), {"to": "in_review"}).status_code == 405
    assert client.get(QUEUE, {"action": "take", "_selected_action": experts.pk}).status_code in (200, 302)
    assert snapshot() == before


def test_another_newsrooms_claim_page_does_not_exist_for_you(as_user, worked, other_newsroom):
    theirs = submitted(other_newsroom, "cms-other", "Critics say the bridge is unsafe.").claims.get()
    client = as_user("edna")
    response = client.get(page_of(theirs), follow=True)
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert "bridge" not in response.content.decode()
    before = snapshot()
    for name, data in (
        ("transition", {"to": "in_review", "expected_status": "unreviewed"}),
        ("sources", {"url": "https://ledger.example/x"}),
        ("assign", {"assignee": ""}),
    ):
        assert client.post(post_url(theirs, name), data).status_code == 404
    assert snapshot() == before


def test_untrusted_text_is_escaped_on_the_claim_page(as_user, people, newsroom):
    submitted(newsroom, "cms-x", f"Critics say {SCRIPT} the roads cost $4 million. The mayor said <b>no</b>.")
    item = Claim.objects.get(ordinal=0)
    html = as_user("fiona").get(page_of(item)).content.decode()
    assert SCRIPT not in html and "<b>no</b>" not in html
    assert SCRIPT_ESCAPED in html and "&lt;b&gt;no&lt;/b&gt;" in html


def test_the_claim_record_links_to_the_review_page(client, worked, people):
    client.force_login(people["fiona"])
    html = client.get(reverse("admin:factcheck_claim_change", args=[claim(CRITICS).pk])).content.decode()
    assert f'<a href="{page_of(claim(CRITICS))}" id="review-page-link">' in html


# --- The article page ------------------------------------------------------------------------------


def test_readiness_on_the_article_page_and_list(as_user, worked, newsroom):
    client = as_user("fiona")
    html = client.get(article_page(worked["a"])).content.decode()
    assert (
        '<strong id="article-readiness" data-readiness="blocked">'
        "Blocked: a flagged claim is unreviewed or waits for attribution</strong>"
    ) in html
    assert html.index('id="article-readiness"') < html.index('name="title"')  # near the top

    clear = submitted(newsroom, "cms-c", "The council met on Tuesday.")
    Claim.objects.filter(article=clear).update(checkworthiness=0.1)
    listing = client.get(ARTICLES).content.decode()
    badges = re.findall(
        r'<span class="readiness" data-readiness="(\w+)" title="([^"]*)">(\w+)</span>', listing
    )
    blocked = ("blocked", "Blocked: a flagged claim is unreviewed or waits for attribution", "blocked")
    clear = ("clear", "Clear: every check-worthy claim is resolved", "clear")
    assert sorted(badges) == [blocked, blocked, clear]


def test_the_article_text_highlights_every_claim_linked_to_its_review_page(as_user, worked):
    html = as_user("fiona").get(article_page(worked["a"])).content.decode()
    text = re.search(r'<div id="article-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    links = re.findall(
        r'<a href="([^"]+)" class="claim" id="claim-(\d+)"[^>]*style="background: ([^;]+);', text
    )
    assert [href for href, _, _ in links] == [page_of(claim(t)) for t in (BUDGET, CRITICS, EXPERTS)]
    backgrounds = [background for _, _, background in links]
    assert backgrounds[0] == backgrounds[2] != backgrounds[1]  # alternating
    assert f'<mark title="{WHICH_CRITICS}">Critics</mark>' in text
    assert "Photo: Jane Doe/Reuters" in text  # furniture shown, not linked


def test_untrusted_text_is_escaped_on_the_article_page(as_user, people, newsroom):
    article = submitted(newsroom, "cms-x", f"Critics say {SCRIPT} the roads cost $4 million.")
    html = as_user("fiona").get(article_page(article)).content.decode()
    assert SCRIPT not in html and SCRIPT_ESCAPED in html


# --- Query budget ----------------------------------------------------------------------------------


def flagged_article(newsroom, external_id: str, sentences: int, desk=None) -> Article:
    body = " ".join(
        f"Critics say the city spent {n} million dollars on roads in {1950 + n}." for n in range(sentences)
    )
    return submitted(newsroom, external_id, body, title=f"Roads {external_id}", desk=desk)


def queries(client, url: str, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(1000) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["fiona", "edna"])
def test_the_queue_makes_a_fixed_number_of_queries(
    as_user, newsroom, people, who, django_assert_max_num_queries
):
    client = as_user(who)
    desks = [DeskFactory(newsroom=newsroom, name=name) for name in ("Politics", "City")]
    flagged_article(newsroom, "few", 5, desk=desks[0])
    Claim.objects.filter(ordinal__in=[1, 3]).update(assignee=people["fiona"])
    few = queries(client, QUEUE, django_assert_max_num_queries)

    flagged_article(newsroom, "many", 55, desk=desks[1])
    Claim.objects.filter(ordinal__gte=30).update(assignee=people["felix"])
    with django_assert_max_num_queries(few):
        response = client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 60
    assert sum(item.is_flagged for item in response.context["cl"].result_list) == 60


def test_the_article_page_makes_a_fixed_number_of_queries(
    as_user, newsroom, people, django_assert_max_num_queries
):
    client = as_user("fiona")
    few = flagged_article(newsroom, "few", 5)
    many = flagged_article(newsroom, "many", 60)
    assert many.claims.count() == 60
    bound = queries(client, article_page(few), django_assert_max_num_queries)
    with django_assert_max_num_queries(bound):
        html = client.get(article_page(many)).content.decode()
    assert html.count('class="claim"') == 60


def test_the_claim_page_makes_a_fixed_number_of_queries(
    as_user, worked, people, django_assert_max_num_queries
):
    client = as_user("edna")
    fiona = Actor.for_user(people["fiona"])
    source_add(actor=fiona, claim_id=claim(EXPERTS).pk, url="https://ledger.example/experts")
    bound = queries(client, page_of(claim(EXPERTS)), django_assert_max_num_queries)  # one source
    for n in range(10):
        source_add(actor=fiona, claim_id=claim(BUDGET).pk, url=f"https://ledger.example/{n}")
    budget = page_of(claim(BUDGET))  # verified, with 11 sources, a neighbour and a longer history
    with django_assert_max_num_queries(bound):
        assert client.get(budget).status_code == 200
