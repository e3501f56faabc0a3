"""The admin keeps to the API's rules: every admin page and action, for every role, walked as
tests/test_api_isolation.py walks the schema.

Two newsrooms each hold one object of every kind the admin shows.  Each role of the first newsroom
opens every page the admin has (lists, change, add, delete, history, the custom views) on its own
objects and on the other newsroom's, and reads the actions each list offers.  Pages answer only the
roles the API allows for the same objects (API keys, webhooks, search providers and the outbox are
their admins' only); nothing of the other newsroom, not even its name, appears anywhere; a role is
offered only the actions it may take, and one it is not offered does nothing when posted.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from editorial import services as editorial_services
from editorial.models import ApiKey, Role
from factcheck.models import SearchProvider
from factcheck.notifications.models import DigestSchedule, NotificationPreferences, OutboxEmail
from factcheck.services.analyses import article_analyze
from factcheck.services.checking_policies import checking_policy_save
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.factories import ArticleFactory, DeskFactory, NewsroomFactory, api_key_for, member

pytestmark = pytest.mark.django_db

ROLES = [Role.ADMIN, Role.EDITOR, Role.FACT_CHECKER, Role.REPORTER]
#: What the API keeps to a newsroom's admins (and Django's own users and groups, to superusers).
ADMINS_ONLY = {
    "editorial.apikey",
    "webhooks.webhookendpoint",
    "webhooks.webhookdelivery",
    "factcheck.searchprovider",
    "notifications.outboxemail",
}
SUPERUSERS_ONLY = {"auth.user", "auth.group"}
#: The standards dashboard (no API): editors' and newsroom admins'.
EDITORS_ONLY = {"factcheck.standardsdashboard"}
#: A person's own, or their newsroom admins' (the walk's object is another person's).
OWN_OR_ADMINS = {"notifications.notificationpreferences"}
#: Actions and the roles offered each, where the API says who may do the same.
ACTION_ROLES = {
    ("editorial.apikey", "revoke"): {Role.ADMIN},
    ("webhooks.webhookendpoint", "send_test_event"): {Role.ADMIN},
    ("webhooks.webhookendpoint", "enable"): {Role.ADMIN},
    ("notifications.outboxemail", "send_again"): {Role.ADMIN},
}
THEIRS = "COURIERX"  # in every text of the other newsroom's objects
THEIR_NAME = "The Evening Courier"


def world(newsroom, marker: str) -> dict:
    """One object of each kind the admin shows, in ``newsroom``, each text carrying ``marker``."""
    desk = DeskFactory(newsroom=newsroom, name=f"{marker} desk", slug=f"{marker.lower()}-desk")
    checker = member(newsroom, Role.FACT_CHECKER, f"{marker.lower()}-checker")
    article = ArticleFactory(
        newsroom=newsroom,
        desk=desk,
        title=f"{marker} budget",
        body=f"The {marker} council approved a budget of $4.2 million on Tuesday.\n\nPhoto: {marker}",
        url="https://example.org/budget",
    )
    article_analyze(article_id=article.pk)
    claim = article.claims.get()
    source = claim.sources.create(url=f"https://example.org/{marker}", actor_name=marker)
    api_key, _ = api_key_for(newsroom, role=Role.ADMIN)
    ApiKey.objects.filter(pk=api_key.pk).update(name=f"{marker} CMS")
    endpoint = WebhookEndpoint.objects.create(
        newsroom=newsroom,
        url=f"https://example.org/{marker}/hooks",
        description=f"{marker} hook",
        events=["claim.flagged"],
        secret="whsec_test",
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.CLAIM_FLAGGED,
        event_id=uuid.uuid4(),
        payload={"marker": marker},
        next_attempt_at=timezone.now(),
    )
    SearchProvider.objects.create(
        newsroom=newsroom,
        name=f"{marker} search",
        kind="http_json",
        url_template=f"https://search.example/{marker}?q={{query}}",
        results_path="items",
        fields={"url": "link"},
    )
    checking_policy_save(newsroom=newsroom, flag_kinds=[], severities={})
    NotificationPreferences.objects.create(user=checker, newsroom=newsroom)
    DigestSchedule.objects.create(newsroom=newsroom)
    OutboxEmail.objects.create(
        newsroom=newsroom,
        user=checker,
        to=f"{marker.lower()}@example.org",
        kind="digest",
        subject=f"{marker} digest",
        body_text=marker,
        body_html=marker,
        dedup_key=f"digest-{marker}",
        next_attempt_at=timezone.now(),
    )
    return {"newsroom": newsroom, "claim": claim, "source": source, "checker": checker}


def object_of(model_admin, newsroom):
    """The object of ``newsroom`` this admin shows (None for Django's users and groups)."""
    path = getattr(model_admin, "newsroom_path", None)
    if path is None:
        return None
    if model_admin.model is type(newsroom):
        return newsroom
    return model_admin.model._default_manager.filter(**{path: newsroom}).order_by("pk").first()


def pages(model_admin, obj) -> list[str]:
    """Every page of ``model_admin`` about ``obj``: Django's and the admin's own views (GET)."""
    info = model_admin.model._meta.app_label, model_admin.model._meta.model_name
    urls = []
    for pattern in model_admin.get_urls():
        name = pattern.name or ""
        if not name.startswith("{}_{}_".format(*info)) or name.endswith(("_changelist", "_add")):
            continue
        route = str(pattern.pattern)
        if "<path:object_id>" not in route:
            continue
        kwargs = {"object_id": str(obj.pk)}
        if "<int:source_id>" in route:
            kwargs["source_id"] = obj.sources.first().pk
        urls.append(reverse(f"admin:{name}", kwargs=kwargs))
    return urls


def label(model_admin) -> str:
    return model_admin.model._meta.label_lower


def may_view(role: str, model_admin) -> bool:
    if label(model_admin) in SUPERUSERS_ONLY:
        return False
    if label(model_admin) in EDITORS_ONLY:
        return role in (Role.ADMIN, Role.EDITOR)
    return label(model_admin) not in ADMINS_ONLY or role == Role.ADMIN


def offered(response) -> set[str]:
    form = response.context.get("action_form") if response.context else None
    if form is None:
        return set()
    return {value for value, _ in form.fields["action"].choices if value}


@pytest.fixture
def newsrooms(db):
    ours = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    theirs = NewsroomFactory(name=THEIR_NAME, slug="courier")
    return world(ours, "LEDGERX"), world(theirs, THEIRS)


def assert_nothing_of_theirs(response, where: str) -> None:
    text = response.content.decode(errors="replace")
    for secret in (THEIRS, THEIR_NAME, THEIRS.lower()):
        assert secret not in text, f"{where}: shows {secret!r}"


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_only_the_roles_the_api_allows(client, newsrooms, role):
    ours, theirs = newsrooms
    person = member(ours["newsroom"], role, f"walker-{role}")
    client.force_login(person)
    walked = 0
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        allowed = may_view(role, model_admin)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        response = client.get(changelist)
        assert response.status_code == (200 if allowed else 403), (changelist, response.status_code)
        assert_nothing_of_theirs(response, changelist)
        for action in offered(response):
            expected = ACTION_ROLES.get((label(model_admin), action))
            if expected is not None:
                assert role in expected, f"{role} is offered {action} on {changelist}"
        for (name, action), roles in ACTION_ROLES.items():
            if name == label(model_admin) and role in roles:
                assert action in offered(response), f"{role} is not offered {action} on {changelist}"

        if label(model_admin) not in EDITORS_ONLY:  # the dashboard has no rows to add, change or read
            add = client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code in (200, 403), (changelist, add.status_code)
            if not allowed:
                assert add.status_code == 403, f"{role} may add on {changelist}"
            assert_nothing_of_theirs(add, f"{changelist}add/")

        mine, other = object_of(model_admin, ours["newsroom"]), object_of(model_admin, theirs["newsroom"])
        if mine is None:
            continue
        for url in pages(model_admin, mine):
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            if not allowed:
                # 302: the admin's "no such object" (to the index), as for another newsroom's
                assert response.status_code in (302, 403, 405), f"{role} reads {url}: {response.status_code}"
            elif url.endswith(("/change/", "/history/")):
                mine_to_read = label(model_admin) not in OWN_OR_ADMINS or role == Role.ADMIN
                assert response.status_code == (200 if mine_to_read else 302), (url, response.status_code)
            assert_nothing_of_theirs(response, url)
            walked += 1
        for url in pages(model_admin, other):
            response = client.get(url)
            assert response.status_code != 200 or "/delete/" not in url, url
            assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
            assert_nothing_of_theirs(response, url)
            walked += 1
    assert walked > 60

    for url in ["/admin/", *{f"/admin/{model._meta.app_label}/" for model in admin.site._registry}]:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)  # 404: no app of theirs
        assert_nothing_of_theirs(response, url)
    people = client.get(
        "/admin/autocomplete/",
        {"app_label": "editorial", "model_name": "membership", "field_name": "user", "term": ""},
    )
    assert people.status_code in (200, 403)
    assert_nothing_of_theirs(people, "the people autocomplete")


def test_every_admin_action_names_the_permission_it_needs():
    """An action without one is offered to whoever may see the list: every role."""
    for model_admin in admin.site._registry.values():
        for action in model_admin.actions or ():
            function = getattr(model_admin, action) if isinstance(action, str) else action
            assert getattr(function, "allowed_permissions", ()), (label(model_admin), action)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.FACT_CHECKER, Role.REPORTER])
def test_an_action_a_role_is_not_offered_does_nothing_when_posted(client, newsrooms, role):
    ours, _ = newsrooms
    client.force_login(member(ours["newsroom"], role, f"poster-{role}"))
    key = ApiKey.objects.filter(newsroom=ours["newsroom"]).get()
    endpoint = WebhookEndpoint.objects.get(newsroom=ours["newsroom"])
    deliveries = WebhookDelivery.objects.count()

    client.post(
        reverse("admin:editorial_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    client.post(
        reverse("admin:webhooks_webhookendpoint_changelist"),
        {"action": "send_test_event", "_selected_action": [endpoint.pk]},
    )

    key.refresh_from_db()
    assert key.is_active
    assert WebhookDelivery.objects.count() == deliveries


def test_a_member_of_two_newsrooms_sees_both_names_and_no_third(client, newsrooms):
    """The list filters offer the viewer's own newsrooms, all of them (the filter is still useful)."""
    ours, theirs = newsrooms
    third = NewsroomFactory(name="The Morning Herald", slug="herald")
    person = member(ours["newsroom"], Role.EDITOR, "two-hats")
    editorial_services.member_add(newsroom=theirs["newsroom"], user=person, role=Role.REPORTER)
    client.force_login(person)
    page = client.get(reverse("admin:editorial_desk_changelist")).content.decode()
    assert "The Daily Ledger" in page and THEIR_NAME in page
    assert third.name not in page
    assert re.search(r"By newsroom", page, re.IGNORECASE)


@pytest.mark.parametrize(("role", "found"), [(Role.ADMIN, 1), (Role.EDITOR, 0), (Role.REPORTER, 0)])
def test_only_an_admin_finds_people_by_email_as_the_api_shows_none(client, newsrooms, role, found):
    ours, _ = newsrooms
    client.force_login(member(ours["newsroom"], role, f"searcher-{role}"))
    response = client.get(reverse("admin:editorial_membership_changelist"), {"q": "ledgerx-checker@example"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == found
