"""The newsroom side of the REST API: desks and people (read), API keys (a newsroom admin's key)."""

from __future__ import annotations

import pytest

from editorial.models import ApiKey, Role
from editorial.services import api_key_revoke
from tests.factcheck.test_api import assert_error
from tests.factories import DeskFactory, UserFactory, api_key_for, client_for, member

pytestmark = pytest.mark.django_db


# --- Desks -------------------------------------------------------------------------------------------


def test_desks_are_the_newsrooms_own(api, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, name="Politics", slug="politics")
    DeskFactory(newsroom=newsroom, name="Science", slug="science")
    DeskFactory(newsroom=other_newsroom, name="Business", slug="business")

    page = api.get("/api/v1/desks").json()

    assert [desk["slug"] for desk in page["results"]] == ["politics", "science"]
    assert set(page["results"][0]) == {"id", "slug", "name", "created_at"}
    assert (page["next"], page["previous"]) == (None, None)
    one = api.get(f"/api/v1/desks/{politics.pk}")
    assert one.status_code == 200
    assert one.json() == page["results"][0]


def test_another_newsrooms_desk_is_a_404(api, other_newsroom):
    theirs = DeskFactory(newsroom=other_newsroom)
    assert_error(api.get(f"/api/v1/desks/{theirs.pk}"), 404, "not_found")


# --- People ------------------------------------------------------------------------------------------


def test_people_are_memberships_with_role_and_desks_and_no_email(api, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, slug="politics")
    ana = member(newsroom, Role.EDITOR, "ana")
    ana.first_name, ana.last_name = "Ana", "Lima"
    ana.save()
    ana.memberships.get(newsroom=newsroom).desks.add(politics)
    member(newsroom, Role.FACT_CHECKER, "bo")
    member(other_newsroom, Role.EDITOR, "cy")
    member(other_newsroom, Role.ADMIN, "ana")  # ana works for both: only her role here shows

    response = api.get("/api/v1/people")

    assert response.status_code == 200
    people = response.json()["results"]
    assert [(p["username"], p["role"], p["desks"]) for p in people] == [
        ("ana", "editor", ["politics"]),
        ("bo", "fact_checker", []),
    ]
    assert people[0]["id"] == ana.pk
    assert people[0]["name"] == "Ana Lima"
    assert "@" not in response.content.decode()  # no email, of anybody
    assert api.get(f"/api/v1/people/{ana.pk}").json() == people[0]


def test_people_filter_by_role_and_desk(api, newsroom, other_newsroom):
    politics = DeskFactory(newsroom=newsroom, slug="politics")
    DeskFactory(newsroom=other_newsroom, slug="business")
    ana = member(newsroom, Role.EDITOR, "ana")
    ana.memberships.get().desks.add(politics)
    member(newsroom, Role.FACT_CHECKER, "bo")

    def usernames(query):
        response = api.get(f"/api/v1/people?{query}")
        assert response.status_code == 200, response.content
        return [p["username"] for p in response.json()["results"]]

    assert usernames("role=fact_checker") == ["bo"]
    assert usernames("desk=politics") == ["ana"]
    assert usernames("desk=politics&role=fact_checker") == []
    body = assert_error(api.get("/api/v1/people?desk=business"), 400, "invalid")
    assert "business" in body["errors"]["desk"][0]
    assert_error(api.get("/api/v1/people?role=boss"), 400, "invalid")


def test_a_person_of_another_newsroom_is_a_404(api, other_newsroom):
    cy = member(other_newsroom, Role.EDITOR, "cy")
    loner = UserFactory(username="loner")
    assert_error(api.get(f"/api/v1/people/{cy.pk}"), 404, "not_found")
    assert_error(api.get(f"/api/v1/people/{loner.pk}"), 404, "not_found")


# --- API keys ----------------------------------------------------------------------------------------


def test_an_admin_key_creates_a_key_shown_once(admin_api, newsroom):
    response = admin_api.post("/api/v1/keys", {"name": "CMS staging", "role": "reporter"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    created = ApiKey.objects.get(pk=body["id"])
    assert (created.newsroom, created.name, created.role) == (newsroom, "CMS staging", Role.REPORTER)
    assert body["key"].startswith(f"fd_{created.prefix}.")
    assert body["active"] is True
    assert body["key"] not in created.hashed_secret
    # The new key works, and is never shown again.
    assert client_for(body["key"]).get("/api/v1/claims").status_code == 200
    listed = {key["id"]: key for key in admin_api.get("/api/v1/keys").json()["results"]}
    assert "key" not in listed[created.pk]
    assert body["key"] not in admin_api.get("/api/v1/keys").content.decode()


def test_a_new_key_is_an_editors_by_default(admin_api):
    body = admin_api.post("/api/v1/keys", {"name": "CMS"}, format="json").json()
    assert body["role"] == "editor"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "role": "boss"}, "role"),
    ],
)
def test_a_bad_key_request_is_a_400(admin_api, payload, field):
    before = ApiKey.objects.count()
    body = assert_error(admin_api.post("/api/v1/keys", payload, format="json"), 400, "invalid")
    assert field in body["errors"]
    assert ApiKey.objects.count() == before


def test_an_admin_key_revokes_a_key_of_its_newsroom(admin_api, api, api_key):
    response = admin_api.post(f"/api/v1/keys/{api_key[0].pk}/revoke")

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert response.json()["revoked_at"]
    assert_error(api.get("/api/v1/claims"), 401, "authentication_failed")
    again = admin_api.post(f"/api/v1/keys/{api_key[0].pk}/revoke")
    assert again.json()["revoked_at"] == response.json()["revoked_at"]  # revoked once, for good


def test_keys_list_shows_the_newsrooms_keys_only(admin_api, newsroom, other_newsroom, api_key):
    revoked = api_key_for(newsroom)[0]
    api_key_revoke(api_key=revoked)
    api_key_for(other_newsroom)

    results = admin_api.get("/api/v1/keys").json()["results"]

    assert {key["id"] for key in results} == set(
        ApiKey.objects.filter(newsroom=newsroom).values_list("pk", flat=True)
    )
    assert {key["id"]: key["active"] for key in results}[revoked.pk] is False


@pytest.mark.parametrize("role", [Role.EDITOR, Role.FACT_CHECKER, Role.REPORTER])
def test_only_an_admin_key_manages_keys(newsroom, api_key, role):
    client = client_for(api_key_for(newsroom, role=role)[1])
    before = ApiKey.objects.count()

    for response in (
        client.get("/api/v1/keys"),
        client.post("/api/v1/keys", {"name": "sneaky", "role": "admin"}, format="json"),
        client.post(f"/api/v1/keys/{api_key[0].pk}/revoke"),
    ):
        body = assert_error(response, 403, "permission_denied")
        assert "admin" in body["detail"]
    assert ApiKey.objects.count() == before
    api_key[0].refresh_from_db()
    assert api_key[0].is_active


def test_another_newsrooms_key_cannot_be_revoked(admin_api, other_newsroom):
    theirs = api_key_for(other_newsroom)[0]
    assert_error(admin_api.post(f"/api/v1/keys/{theirs.pk}/revoke"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.is_active
