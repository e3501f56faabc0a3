"""The admin of the checking side: articles (submitted through the service), claims and their history."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from editorial import services as editorial_services
from editorial.models import AnalysisStatus, Article, BodyFormat, Role
from factcheck.actors import Actor
from factcheck.models import Claim, ClaimEvent
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit
from factcheck.workflow import ClaimStatus
from tests.factories import DeskFactory, UserFactory, member

pytestmark = pytest.mark.django_db

BUDGET = "The council approved a budget of $4.2 million on Tuesday, the largest in a decade."
CRITICS = "Critics say it is too small."
EXPERTS = "Experts believe unemployment in the city fell to 4.1 percent in March."
HOSPITAL = "The new hospital will open in 2027 and employ 1,200 people."
CREDIT = "Photo: Jane Doe/Reuters"
BODY = f"{BUDGET} {CRITICS}\n\n{EXPERTS}\n\n{CREDIT}"
BODY_V2 = f"{BUDGET} {CRITICS}\n\n{HOSPITAL}\n\n{CREDIT}"

WHICH_CRITICS = "Which critics? Name the people or organisations, or link their statement."
WHICH_EXPERTS = "Which experts? Name them, or link the report they wrote."
SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold claim</b>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BOLD_ESCAPED = "&lt;b&gt;bold claim&lt;/b&gt;"

ARTICLES = reverse("admin:editorial_article_changelist")
ARTICLE_ADD = reverse("admin:editorial_article_add")
CLAIMS = reverse("admin:factcheck_claim_changelist")


def article_change(article) -> str:
    return reverse("admin:editorial_article_change", args=[article.pk])


def claim_change(claim) -> str:
    return reverse("admin:factcheck_claim_change", args=[claim.pk])


@pytest.fixture
def editor_client(client, newsroom):
    """A staff member, not a superuser, with the editor role in ``newsroom`` only."""
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    return client


def submitted(newsroom, external_id: str = "cms-1", body: str = BODY, **fields) -> Article:
    """An article submitted and analysed through the services, as the API would."""
    article = article_submit(
        actor=Actor.system(), newsroom=newsroom, external_id=external_id, body=body, **fields
    )
    article_analyze(article_id=article.pk)
    article.refresh_from_db()
    return article


def live_claims(article) -> list[Claim]:
    return list(article.claims.exclude(status=ClaimStatus.SUPERSEDED).order_by("ordinal"))


def add_form(newsroom, **fields) -> dict[str, str]:
    return {
        "newsroom": str(newsroom.pk),
        "desk": "",
        "external_id": "",
        "title": "Budget approved",
        "url": "https://ledger.example/budget",
        "byline": "Ann Reporter",
        "body_format": BodyFormat.TEXT,
        "body": BODY,
        "_save": "Save",
        **fields,
    }


class _FormInputs(HTMLParser):
    """The hidden inputs of the page's forms, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.hidden: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden.append((values["name"], values.get("value") or ""))


def inline_fields(html: str) -> dict[str, str]:
    """The inline formsets' management and id fields exactly as the change page renders them."""
    parser = _FormInputs()
    parser.feed(html)
    fields = {
        name: value for name, value in parser.hidden if name.startswith(("claims-", "excluded_blocks-"))
    }
    assert "claims-TOTAL_FORMS" in fields and "excluded_blocks-TOTAL_FORMS" in fields
    return fields


def change_form(client, article, **fields) -> dict[str, str]:
    page = client.get(article_change(article))
    assert page.status_code == 200
    return {
        **inline_fields(page.content.decode()),
        "newsroom": str(article.newsroom_id),
        "desk": str(article.desk_id or ""),
        "external_id": article.external_id,
        "title": article.title,
        "url": article.url,
        "byline": article.byline,
        "body_format": article.body_format,
        "body": article.body,
        "_save": "Save",
        **fields,
    }


def body_errors(response) -> list[str]:
    assert response.status_code == 200, "a refused form is shown again, not redirected"
    return list(response.context["adminform"].form.errors.get("body", []))


# --- Adding and editing articles ---------------------------------------------------------------


def test_adding_an_article_submits_it_analyses_it_and_generates_an_external_id(
    admin_client, newsroom, django_capture_on_commit_callbacks
):
    desk = DeskFactory(newsroom=newsroom, name="Politics", slug="politics")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(ARTICLE_ADD, add_form(newsroom, desk=str(desk.pk)))

    assert response.status_code == 302
    article = Article.objects.get()
    assert len(callbacks) == 1  # the analysis was queued once, after the commit
    assert response.url == ARTICLES
    assert re.fullmatch(r"admin-[0-9a-f]{12}", article.external_id)
    assert (article.newsroom, article.desk, article.title, article.byline, article.revision) == (
        newsroom,
        desk,
        "Budget approved",
        "Ann Reporter",
        1,
    )
    assert article.analysis_status == AnalysisStatus.ANALYZED
    assert [claim.text for claim in live_claims(article)] == [BUDGET, CRITICS, EXPERTS]
    assert [event.action for event in ClaimEvent.objects.filter(claim__article=article)] == ["created"] * 3


def test_an_external_id_given_on_the_add_form_is_kept(
    admin_client, newsroom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ARTICLE_ADD, add_form(newsroom, external_id="cms-77"))
    assert response.status_code == 302
    assert list(Article.objects.values_list("external_id", flat=True)) == ["cms-77"]


def test_the_change_page_shows_claims_excluded_parts_and_highlighted_cues(admin_client, newsroom):
    article = submitted(newsroom, title="Budget approved")

    html = admin_client.get(article_change(article)).content.decode()

    for text in (BUDGET, CRITICS, EXPERTS):
        assert text in html
    assert "Claims (current revision)" in html
    assert "Kept out of the claims" in html
    assert CREDIT in html and "image credit" in html
    marks = re.findall(r'<mark title="([^"]*)">([^<]*)</mark>', html)
    assert (WHICH_CRITICS, "Critics") in marks
    assert (WHICH_EXPERTS, "Experts") in marks
    assert "Vague group" in html and "Unnamed experts" in html  # the kinds by name, not code
    assert ">vague_collective<" not in html and "anonymous_experts," not in html


def test_untrusted_title_and_body_are_escaped_on_every_page(
    admin_client, newsroom, django_capture_on_commit_callbacks
):
    title = f"{SCRIPT} {BOLD}"
    body = f"{SCRIPT} {BOLD} Critics say the council approved a budget of $4.2 million on Tuesday."
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ARTICLE_ADD, add_form(newsroom, title=title, body=body))
    assert response.status_code == 302
    article = Article.objects.get()
    claim = live_claims(article)[0]
    assert SCRIPT in claim.text  # stored as sent...

    for url in (ARTICLES, article_change(article), claim_change(claim), CLAIMS):
        html = admin_client.get(url).content.decode()
        assert SCRIPT not in html, url  # ...and never shown raw
        assert BOLD not in html, url
        assert SCRIPT_ESCAPED in html, url
        assert BOLD_ESCAPED in html, url


def test_editing_the_body_starts_revision_2_and_reanalyses(
    admin_client, newsroom, django_capture_on_commit_callbacks
):
    article = submitted(newsroom, title="Budget approved")
    data = change_form(admin_client, article, body=BODY_V2)
    assert data["claims-TOTAL_FORMS"] == "3" and data["claims-INITIAL_FORMS"] == "3"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(article_change(article), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert len(callbacks) == 1
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert (article.revision, article.analyzed_revision, article.body) == (2, 2, BODY_V2)
    assert article.analysis_status == AnalysisStatus.ANALYZED
    assert [claim.text for claim in live_claims(article)] == [BUDGET, CRITICS, HOSPITAL]
    superseded = article.claims.get(status=ClaimStatus.SUPERSEDED)
    assert superseded.text == EXPERTS


def test_saving_an_unchanged_body_keeps_the_revision(
    admin_client, newsroom, django_capture_on_commit_callbacks
):
    article = submitted(newsroom, title="Budget approved")
    claims_before = set(article.claims.values_list("pk", "status"))
    data = change_form(admin_client, article, title="Budget approved, critics unhappy")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(article_change(article), data)

    assert response.status_code == 302
    assert callbacks == []  # nothing to re-analyse
    article.refresh_from_db()
    assert (article.revision, article.title) == (1, "Budget approved, critics unhappy")
    assert set(article.claims.values_list("pk", "status")) == claims_before


def test_the_change_page_cannot_move_an_article_to_another_external_id_or_newsroom(
    admin_client, newsroom, other_newsroom, django_capture_on_commit_callbacks
):
    article = submitted(newsroom, title="Budget approved")
    data = change_form(
        admin_client, article, external_id="cms-other", newsroom=str(other_newsroom.pk), title="Renamed"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(article_change(article), data)

    assert response.status_code == 302
    assert list(Article.objects.values_list("pk", "newsroom", "external_id", "title")) == [
        (article.pk, newsroom.pk, "cms-1", "Renamed")
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("", "This field is required.", id="empty"),
        pytest.param("  \n\t\n  ", "The article is empty: there is nothing to check.", id="whitespace"),
    ],
)
def test_an_empty_body_is_refused_on_the_body_field(
    admin_client, newsroom, body, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(ARTICLE_ADD, add_form(newsroom, body=body))
    assert body_errors(response) == [message]
    assert not Article.objects.exists()
    assert callbacks == []


def test_an_html_body_without_text_is_refused_with_the_analysis_message(admin_client, newsroom):
    response = admin_client.post(
        ARTICLE_ADD, add_form(newsroom, body_format=BodyFormat.HTML, body="<p> </p>")
    )
    assert body_errors(response) == [
        "The article has no text once its markup is removed: there is nothing to check."
    ]
    assert not Article.objects.exists()


def test_a_body_over_the_limit_is_refused_on_the_body_field(admin_client, newsroom, settings):
    settings.FACTDESK_MAX_ARTICLE_CHARS = 50
    response = admin_client.post(ARTICLE_ADD, add_form(newsroom, body="x" * 51))
    assert body_errors(response) == ["The article is 51 characters long; the limit is 50 characters."]
    assert not Article.objects.exists()


def test_a_longer_body_on_the_change_page_is_refused_and_the_article_kept(admin_client, newsroom, settings):
    article = submitted(newsroom)
    settings.FACTDESK_MAX_ARTICLE_CHARS = len(BODY)
    response = admin_client.post(article_change(article), change_form(admin_client, article, body=BODY + "!"))
    assert body_errors(response) == [
        f"The article is {len(BODY) + 1} characters long; the limit is {len(BODY)} characters."
    ]
    article.refresh_from_db()
    assert (article.revision, article.body) == (1, BODY)


def test_a_desk_of_another_newsroom_is_refused(admin_client, newsroom, other_newsroom):
    foreign = DeskFactory(newsroom=other_newsroom)
    response = admin_client.post(ARTICLE_ADD, add_form(newsroom, desk=str(foreign.pk)))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["desk"] == ["That desk belongs to another newsroom."]
    assert not Article.objects.exists()


# --- Tenancy -----------------------------------------------------------------------------------


def test_an_editor_sees_only_their_newsrooms_articles_and_claims(editor_client, newsroom, other_newsroom):
    ours = submitted(newsroom, title="Ledger budget story")
    theirs = submitted(other_newsroom, body=BODY_V2, title="Courier hospital story")
    their_claim = theirs.claims.get(text=HOSPITAL)
    our_claim = ours.claims.get(text=EXPERTS)

    articles = editor_client.get(ARTICLES)
    assert articles.status_code == 200
    assert list(articles.context["cl"].result_list) == [ours]
    assert "Ledger budget story" in articles.content.decode()
    assert "Courier hospital story" not in articles.content.decode()

    claims = editor_client.get(CLAIMS)
    assert claims.status_code == 200
    assert {claim.article_id for claim in claims.context["cl"].result_list} == {ours.pk}
    assert EXPERTS in claims.content.decode()
    assert HOSPITAL not in claims.content.decode()

    assert editor_client.get(article_change(ours)).status_code == 200
    assert editor_client.get(claim_change(our_claim)).status_code == 200
    for url in (article_change(theirs), claim_change(their_claim)):
        response = editor_client.get(url, follow=True)
        assert response.redirect_chain == [(reverse("admin:index"), 302)], url
        html = response.content.decode()
        assert "Courier hospital story" not in html and HOSPITAL not in html
        assert "doesn\u2019t exist" in html  # Django's own "perhaps it was deleted?" message


def test_an_editor_cannot_change_another_newsrooms_article_by_posting(
    editor_client, newsroom, other_newsroom, django_capture_on_commit_callbacks
):
    theirs = submitted(other_newsroom, title="Courier hospital story")
    data = add_form(other_newsroom, external_id=theirs.external_id, body=BODY_V2)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(article_change(theirs), data)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    theirs.refresh_from_db()
    assert (theirs.revision, theirs.body) == (1, BODY)


def test_the_add_form_offers_only_the_editors_newsrooms_and_desks(editor_client, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, name="Politics")
    DeskFactory(newsroom=other_newsroom, name="Sport")

    response = editor_client.get(ARTICLE_ADD)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["newsroom"].queryset) == [newsroom]
    assert list(form.fields["desk"].queryset) == [politics]
    html = response.content.decode()
    assert "The Daily Ledger" in html and "Politics" in html
    assert "The Evening Courier" not in html and "Sport" not in html


def test_the_editor_cannot_submit_to_another_newsroom(editor_client, newsroom, other_newsroom):
    response = editor_client.post(ARTICLE_ADD, add_form(other_newsroom))
    assert response.status_code == 200
    assert "newsroom" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_a_fact_checker_may_add_articles_and_a_reporter_may_only_look(client, newsroom):
    submitted(newsroom, title="Ledger budget story")

    client.force_login(member(newsroom, Role.FACT_CHECKER, "fiona"))
    assert client.get(ARTICLES).status_code == 200
    assert client.get(ARTICLE_ADD).status_code == 200

    client.force_login(member(newsroom, Role.REPORTER, "rory"))
    listing = client.get(ARTICLES)
    assert listing.status_code == 200
    assert "Ledger budget story" in listing.content.decode()
    assert client.get(ARTICLE_ADD).status_code == 403
    response = client.post(ARTICLE_ADD, add_form(newsroom))
    assert response.status_code == 403
    assert Article.objects.count() == 1


def test_staff_without_a_membership_get_no_article_admin(client, newsroom):
    submitted(newsroom)
    client.force_login(UserFactory(username="stranger"))
    assert client.get(ARTICLES).status_code == 403
    assert client.get(CLAIMS).status_code == 403


# --- Claims ------------------------------------------------------------------------------------


@pytest.fixture
def revised(newsroom):
    """An article at revision 2: EXPERTS superseded, HOSPITAL new, CRITICS flagged all along."""
    submitted(newsroom)
    return submitted(newsroom, body=BODY_V2)


def listed(client, query: str = "") -> set[str]:
    response = client.get(f"{CLAIMS}?{query}")
    assert response.status_code == 200
    return {claim.text for claim in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", {BUDGET, CRITICS, EXPERTS, HOSPITAL}, id="all"),
        pytest.param("status__exact=superseded", {EXPERTS}, id="status-superseded"),
        pytest.param("status__exact=unreviewed", {BUDGET, CRITICS, HOSPITAL}, id="status-unreviewed"),
        pytest.param("flag_kind=any", {CRITICS, EXPERTS}, id="any-flag"),
        pytest.param("flag_kind=none", {BUDGET, HOSPITAL}, id="no-flag"),
        pytest.param("flag_kind=vague_collective", {CRITICS}, id="vague-collective"),
        pytest.param("flag_kind=anonymous_experts", {EXPERTS}, id="anonymous-experts"),
        pytest.param("flag_kind=any&status__exact=unreviewed", {CRITICS}, id="combined"),
    ],
)
def test_claim_list_filters(admin_client, revised, query, expected):
    assert listed(admin_client, query) == expected


def test_the_flag_kind_filter_offers_the_kinds_found(admin_client, revised):
    response = admin_client.get(CLAIMS)
    flag_filter = next(spec for spec in response.context["cl"].filter_specs if spec.title == "flag kind")
    assert [value for value, _ in flag_filter.lookup_choices] == [
        "any",
        "none",
        "anonymous_experts",
        "vague_collective",
    ]


def test_the_claim_page_shows_its_flags_and_history(admin_client, newsroom):
    article = submitted(newsroom)
    claim = article.claims.get(text=CRITICS)

    response = admin_client.get(claim_change(claim))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<mark title="{WHICH_CRITICS}">Critics</mark>' in html
    assert "Vague group" in html
    assert "history" in html.lower()
    flag_formset, event_formset = (formset.formset for formset in response.context["inline_admin_formsets"])
    assert [(flag.kind, flag.cue) for flag in flag_formset.queryset] == [("vague_collective", "Critics")]
    assert [(event.actor_name, event.action, event.to_status) for event in event_formset.queryset] == [
        ("Factdesk", "created", ClaimStatus.UNREVIEWED)
    ]
    assert "Found in revision 1." in html
    assert reverse("admin:editorial_article_change", args=[article.pk]) in html


def test_claims_cannot_be_added_or_deleted(admin_client, newsroom):
    claim = submitted(newsroom).claims.get(text=BUDGET)

    assert admin_client.get(reverse("admin:factcheck_claim_add")).status_code == 403
    assert admin_client.post(reverse("admin:factcheck_claim_add"), {"text": "Made up."}).status_code == 403
    delete = reverse("admin:factcheck_claim_delete", args=[claim.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    actions = admin_client.get(CLAIMS).context["action_form"].fields["action"].choices
    assert "delete_selected" not in [name for name, _ in actions]
    admin_client.post(CLAIMS, {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes"})
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert Claim.objects.count() == 3


def test_claim_events_are_read_only(admin_client, newsroom):
    event = ClaimEvent.objects.filter(claim__article=submitted(newsroom)).first()
    change = reverse("admin:factcheck_claimevent_change", args=[event.pk])
    delete = reverse("admin:factcheck_claimevent_delete", args=[event.pk])

    assert admin_client.get(reverse("admin:factcheck_claimevent_changelist")).status_code == 200
    view = admin_client.get(change)
    assert view.status_code == 200  # shown, read-only
    assert view.context["has_change_permission"] is False
    assert 'name="_save"' not in view.content.decode()
    assert admin_client.get(reverse("admin:factcheck_claimevent_add")).status_code == 403
    assert admin_client.post(change, {"action": "deleted", "note": "rewritten"}).status_code == 403
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.action, event.note) == ("created", "Found in revision 1.")
    assert ClaimEvent.objects.count() == 3


# --- Query budget ------------------------------------------------------------------------------


def articles_in(newsroom, count: int) -> None:
    desks = [DeskFactory(newsroom=newsroom, name=name) for name in ("Politics", "City")]
    for number in range(count):
        submitted(newsroom, external_id=f"cms-{number}", title=f"Story {number}", desk=desks[number % 2])


def queries_for(client, url: str, django_assert_max_num_queries, bound: int = 1000) -> int:
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [ARTICLES, CLAIMS], ids=["articles", "claims"])
@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_changelists_make_a_fixed_number_of_queries(
    request, client, newsroom, url, who, django_assert_max_num_queries
):
    if who == "superuser":
        client.force_login(request.getfixturevalue("superuser"))
    else:
        client.force_login(member(newsroom, Role.EDITOR, "edna"))
    articles_in(newsroom, 3)
    few = queries_for(client, url, django_assert_max_num_queries)
    assert len(client.get(url).context["cl"].result_list) >= 3

    for number in range(3, 15):
        submitted(
            newsroom, external_id=f"cms-{number}", title=f"Story {number}", desk=Article.objects.first().desk
        )
    assert Article.objects.count() == 15
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 15


def test_an_edit_role_in_one_newsroom_gives_no_write_in_another(
    client, newsroom, other_newsroom, django_capture_on_commit_callbacks
):
    person = member(newsroom, Role.EDITOR, "edna")
    editorial_services.member_add(newsroom=other_newsroom, user=person, role=Role.REPORTER)
    client.force_login(person)
    theirs = submitted(other_newsroom, title="Courier hospital story")

    form = client.get(ARTICLE_ADD).context["adminform"].form
    assert list(form.fields["newsroom"].queryset) == [newsroom]
    view = client.get(article_change(theirs))
    assert view.status_code == 200 and view.context["has_change_permission"] is False  # view only
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(article_change(theirs), add_form(other_newsroom, body=BODY_V2))
        added = client.post(ARTICLE_ADD, add_form(other_newsroom))
    assert posted.status_code == 403
    assert added.status_code == 200 and "newsroom" in added.context["adminform"].form.errors
    theirs.refresh_from_db()
    assert (theirs.revision, Article.objects.count()) == (1, 1)
