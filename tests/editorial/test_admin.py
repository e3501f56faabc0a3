"""The admin of the newsroom side: API keys (issued and revoked through the service), and tenancy."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from editorial import services
from editorial.models import ApiKey, Role
from tests.factories import DeskFactory, api_key_for, member

pytestmark = pytest.mark.django_db

KEYS = reverse("admin:editorial_apikey_changelist")
KEY_ADD = reverse("admin:editorial_apikey_add")
RAW_KEY = re.compile(r"fd_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}")


def key_change(api_key) -> str:
    return reverse("admin:editorial_apikey_change", args=[api_key.pk])


def issue(client, newsroom, name: str = "CMS production", role: str = Role.EDITOR):
    """Add a key through the admin form; returns the response and the raw keys its messages show."""
    response = client.post(KEY_ADD, {"newsroom": newsroom.pk, "name": name, "role": role, "_save": "Save"})
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    return response, shown


# --- API keys ----------------------------------------------------------------------------------


def test_adding_a_key_shows_the_raw_key_once_and_stores_only_its_digest(admin_client, superuser, newsroom):
    response, shown = issue(admin_client, newsroom, role=Role.FACT_CHECKER)

    assert response.status_code == 302
    api_key = ApiKey.objects.get()
    assert (api_key.newsroom, api_key.name, api_key.role, api_key.created_by) == (
        newsroom,
        "CMS production",
        Role.FACT_CHECKER,
        superuser,
    )
    raw_keys = RAW_KEY.findall(" ".join(shown))
    assert len(raw_keys) == 1, shown
    raw_key = raw_keys[0]
    prefix, secret = raw_key[3:].split(".")
    assert api_key.prefix == prefix
    assert api_key.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert not any(secret in str(value) for value in row.values())

    assert services.api_key_authenticate(raw_key=raw_key) == api_key

    # The page the admin lands on shows the key in its message, once, and no page shows it again.
    assert admin_client.get(response.url).content.decode().count(raw_key) == 1
    for url in (KEYS, key_change(api_key)):
        html = admin_client.get(url).content.decode()
        assert secret not in html and api_key.hashed_secret not in html, url


def test_the_key_change_page_is_read_only_and_shows_no_secret(admin_client, newsroom):
    api_key, raw_key = api_key_for(newsroom)
    secret = raw_key.split(".", 1)[1]

    response = admin_client.get(key_change(api_key))

    assert response.status_code == 200
    html = response.content.decode()
    assert api_key.prefix in html
    assert secret not in html and api_key.hashed_secret not in html
    assert response.context["adminform"].form.fields == {}  # every field is read-only
    posted = admin_client.post(key_change(api_key), {"name": "renamed", "role": Role.ADMIN, "_save": "Save"})
    assert posted.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.role) == ("tests", Role.EDITOR)


def test_the_revoke_action_revokes_the_selected_keys(admin_client, newsroom):
    revoked, revoked_raw = api_key_for(newsroom)
    kept, kept_raw = api_key_for(newsroom)
    assert services.api_key_authenticate(raw_key=revoked_raw) == revoked

    response = admin_client.post(KEYS, {"action": "revoke", "_selected_action": [revoked.pk]})

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["1 key(s) revoked."]
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    assert services.api_key_authenticate(raw_key=revoked_raw) is None
    assert services.api_key_authenticate(raw_key=kept_raw) == kept
    assert ApiKey.objects.count() == 2


def test_keys_cannot_be_deleted(admin_client, newsroom):
    api_key, _ = api_key_for(newsroom)

    changelist = admin_client.get(KEYS)
    actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
    assert "revoke" in actions and "delete_selected" not in actions
    delete = reverse("admin:editorial_apikey_delete", args=[api_key.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert delete not in admin_client.get(key_change(api_key)).content.decode()
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


def test_a_newsroom_admin_issues_keys_only_for_their_newsroom(client, newsroom, other_newsroom):
    client.force_login(member(newsroom, Role.ADMIN, "ada"))
    theirs, _ = api_key_for(other_newsroom)
    ours, _ = api_key_for(newsroom)

    form = client.get(KEY_ADD).context["adminform"].form
    assert list(form.fields["newsroom"].queryset) == [newsroom]
    assert list(client.get(KEYS).context["cl"].result_list) == [ours]

    response, shown = issue(client, other_newsroom)
    assert response.status_code == 200 and "newsroom" in response.context["adminform"].form.errors
    assert shown == []
    assert ApiKey.objects.count() == 2

    client.post(KEYS, {"action": "revoke", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.is_active


def test_an_editor_may_not_issue_keys(client, newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    assert client.get(KEY_ADD).status_code == 403
    response, shown = issue(client, newsroom)
    assert response.status_code == 403 and shown == []
    assert not ApiKey.objects.exists()


def test_an_admin_of_one_newsroom_cannot_issue_keys_where_they_are_only_a_reporter(
    client, newsroom, other_newsroom
):
    person = member(newsroom, Role.ADMIN, "ada")
    services.member_add(newsroom=other_newsroom, user=person, role=Role.REPORTER)
    client.force_login(person)

    form = client.get(KEY_ADD).context["adminform"].form
    assert list(form.fields["newsroom"].queryset) == [newsroom]
    response, shown = issue(client, other_newsroom, role=Role.ADMIN)
    assert response.status_code == 200 and shown == []
    assert not ApiKey.objects.filter(newsroom=other_newsroom).exists()


# --- Newsrooms and desks -----------------------------------------------------------------------


def test_staff_see_only_their_newsrooms_and_desks(client, newsroom, other_newsroom):
    DeskFactory(newsroom=newsroom, name="Politics")
    DeskFactory(newsroom=other_newsroom, name="Sport")
    client.force_login(member(newsroom, Role.EDITOR, "edna"))

    newsrooms = client.get(reverse("admin:editorial_newsroom_changelist"))
    assert list(newsrooms.context["cl"].result_list) == [newsroom]
    desks = client.get(reverse("admin:editorial_desk_changelist"))
    assert [desk.name for desk in desks.context["cl"].result_list] == ["Politics"]
    response = client.get(reverse("admin:editorial_newsroom_change", args=[other_newsroom.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_a_newsroom_admin_cannot_rename_their_newsroom_or_touch_anothers_desks(
    client, newsroom, other_newsroom
):
    person = member(newsroom, Role.ADMIN, "ada")
    services.member_add(newsroom=other_newsroom, user=person, role=Role.REPORTER)
    ours, theirs = (
        DeskFactory(newsroom=newsroom, name="Politics"),
        DeskFactory(newsroom=other_newsroom, name="Sport"),
    )
    client.force_login(person)

    change = reverse("admin:editorial_newsroom_change", args=[newsroom.pk])
    assert client.post(change, {"name": "Renamed", "slug": "renamed"}).status_code == 403
    newsroom.refresh_from_db()
    assert newsroom.name == "The Daily Ledger"
    their_desk = reverse("admin:editorial_desk_change", args=[theirs.pk])
    assert (
        client.post(their_desk, {"newsroom": other_newsroom.pk, "name": "X", "slug": "x"}).status_code == 403
    )
    our_desk = reverse("admin:editorial_desk_change", args=[ours.pk])
    data = {"newsroom": newsroom.pk, "name": "Politics and policy", "slug": ours.slug, "_save": "Save"}
    assert client.post(our_desk, data).status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.name, theirs.name) == ("Politics and policy", "Sport")
