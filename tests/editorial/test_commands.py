"""The operators' commands: newsroom_create, member_create, apikey_create, apikey_revoke."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from editorial import services
from editorial.models import ApiKey, Desk, Membership, Newsroom, Role
from tests.factories import DeskFactory, MembershipFactory, UserFactory, api_key_for

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


# --- newsroom_create ---------------------------------------------------------------------------


def test_newsroom_create_makes_the_newsroom_and_its_desks():
    out = run(
        "newsroom_create",
        "--name",
        "The Daily Ledger",
        "--slug",
        "ledger",
        "--desk",
        "City Hall",
        "--desk",
        "Science",
    )
    newsroom = Newsroom.objects.get(slug="ledger")
    assert newsroom.name == "The Daily Ledger"
    assert sorted(newsroom.desks.values_list("slug", "name")) == [
        ("city-hall", "City Hall"),
        ("science", "Science"),
    ]
    assert "Created newsroom 'The Daily Ledger' (ledger)" in out
    assert "Created desk 'City Hall' (city-hall)" in out


def test_newsroom_create_is_idempotent_and_adds_only_missing_desks():
    run("newsroom_create", "--name", "The Daily Ledger", "--slug", "ledger", "--desk", "City")
    out = run(
        "newsroom_create", "--name", "Another Name", "--slug", "ledger", "--desk", "City", "--desk", "Sport"
    )
    assert Newsroom.objects.filter(slug="ledger").count() == 1
    newsroom = Newsroom.objects.get(slug="ledger")
    assert newsroom.name == "The Daily Ledger"  # reused, not renamed
    assert sorted(newsroom.desks.values_list("slug", flat=True)) == ["city", "sport"]
    assert "already exists" in out
    assert "Created desk 'Sport' (sport)" in out
    assert "'City'" not in out.split("already exists", 1)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Bad", "--slug", "not a slug!"], "slug"),
        (["--name", "  ", "--slug", "ok"], "--name must not be empty"),
        (["--name", "Ok", "--slug", "ok", "--desk", "!!!"], "no letter or digit"),
    ],
)
def test_newsroom_create_refuses_invalid_values(args, message):
    with pytest.raises(CommandError, match=message):
        run("newsroom_create", *args)
    assert not Newsroom.objects.exists()


def test_newsroom_create_requires_name_and_slug():
    with pytest.raises(CommandError, match="--slug"):
        run("newsroom_create", "--name", "Ledger")


# --- member_create -----------------------------------------------------------------------------


def test_member_create_with_generated_password_prints_it_once(newsroom):
    DeskFactory(newsroom=newsroom, slug="city")
    out = run(
        "member_create",
        "--newsroom",
        "ledger",
        "--username",
        "ana",
        "--role",
        "fact_checker",
        "--email",
        "ana@example.org",
        "--desk",
        "city",
        "--generate-password",
    )
    password = re.search(r"^Password: (\S+)$", out, re.MULTILINE).group(1)
    assert out.count(password) == 1
    assert "will not be shown again" in out
    user = get_user_model().objects.get(username="ana")
    assert user.check_password(password)
    assert user.email == "ana@example.org"
    assert user.is_staff and not user.is_superuser
    membership = Membership.objects.get(newsroom=newsroom, user=user)
    assert membership.role == Role.FACT_CHECKER
    assert list(membership.desks.values_list("slug", flat=True)) == ["city"]
    assert "Created user 'ana'" in out


def test_member_create_updates_an_existing_user_and_keeps_the_password(newsroom):
    user = UserFactory(username="ben", email="old@example.org")
    MembershipFactory(newsroom=newsroom, user=user, role=Role.REPORTER)
    out = run(
        "member_create",
        "--newsroom",
        "ledger",
        "--username",
        "ben",
        "--role",
        "editor",
        "--email",
        "new@example.org",
    )
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert user.check_password("correct horse battery staple")
    assert Membership.objects.get(newsroom=newsroom, user=user).role == Role.EDITOR
    assert Membership.objects.filter(user=user).count() == 1
    assert "Updated user 'ben'" in out
    assert "Password" not in out


def test_member_create_sets_a_given_password(newsroom):
    run(
        "member_create",
        "--newsroom",
        "ledger",
        "--username",
        "cy",
        "--role",
        "admin",
        "--password",
        "a-long-and-unusual-passphrase",
    )
    assert get_user_model().objects.get(username="cy").check_password("a-long-and-unusual-passphrase")


def test_member_create_without_password_leaves_the_login_unusable(newsroom):
    out = run("member_create", "--newsroom", "ledger", "--username", "dee", "--role", "reporter")
    assert not get_user_model().objects.get(username="dee").has_usable_password()
    assert "No password set" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--newsroom", "nowhere", "--role", "editor"], "no newsroom 'nowhere'"),
        (["--newsroom", "ledger", "--role", "chief"], "invalid choice: 'chief'"),
        (["--newsroom", "ledger", "--role", "editor", "--desk", "sport"], "no desk 'sport'"),
        (["--newsroom", "ledger", "--role", "editor", "--password", "123"], "password"),
        (["--newsroom", "ledger", "--role", "editor", "--email", "not-an-email"], "email"),
        (
            ["--newsroom", "ledger", "--role", "editor", "--password", "x" * 20, "--generate-password"],
            "not allowed",
        ),
    ],
)
def test_member_create_errors_leave_no_user_behind(newsroom, args, message):
    with pytest.raises(CommandError, match=message):
        run("member_create", "--username", "eve", *args)
    assert not get_user_model().objects.filter(username="eve").exists()
    assert not Membership.objects.exists()


def test_member_create_refuses_a_desk_of_another_newsroom(newsroom, other_newsroom):
    DeskFactory(newsroom=other_newsroom, slug="sport")
    with pytest.raises(CommandError, match="no desk 'sport'"):
        run(
            "member_create",
            "--newsroom",
            "ledger",
            "--username",
            "fay",
            "--role",
            "editor",
            "--desk",
            "sport",
        )
    assert not Desk.objects.filter(newsroom=newsroom).exists()


# --- apikey_create / apikey_revoke --------------------------------------------------------------


def test_apikey_create_prints_a_working_key_once(newsroom):
    out = run("apikey_create", "--newsroom", "ledger", "--name", "CMS production", "--role", "reporter")
    raw_keys = re.findall(r"^fd_[0-9a-f]{12}\.\S+$", out, re.MULTILINE)
    assert len(raw_keys) == 1
    assert "will not be shown again" in out
    api_key = services.api_key_authenticate(raw_key=raw_keys[0])
    assert api_key is not None
    assert api_key.newsroom == newsroom
    assert api_key.name == "CMS production"
    assert api_key.role == Role.REPORTER
    assert raw_keys[0] not in api_key.hashed_secret


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--newsroom", "nowhere", "--name", "x"], "no newsroom 'nowhere'"),
        (["--newsroom", "ledger", "--name", " "], "--name must not be empty"),
        (["--newsroom", "ledger", "--name", "x", "--role", "owner"], "invalid choice: 'owner'"),
        (["--newsroom", "ledger", "--name", "x" * 101], "the limit is 100"),
    ],
)
def test_apikey_create_errors(newsroom, args, message):
    with pytest.raises(CommandError, match=message):
        run("apikey_create", *args)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("form", ["prefix", "fd_prefix", "whole key"])
def test_apikey_revoke_revokes_the_key(newsroom, form):
    api_key, raw_key = api_key_for(newsroom)
    other, other_raw = api_key_for(newsroom)
    given = {"prefix": api_key.prefix, "fd_prefix": f"fd_{api_key.prefix}", "whole key": raw_key}[form]
    out = run("apikey_revoke", given)
    assert f"Revoked API key 'tests' ({api_key.prefix})" in out
    assert services.api_key_authenticate(raw_key=raw_key) is None
    assert services.api_key_authenticate(raw_key=other_raw) == other


def test_apikey_revoke_twice_says_so(newsroom):
    api_key, _ = api_key_for(newsroom)
    run("apikey_revoke", api_key.prefix)
    revoked_at = ApiKey.objects.get(pk=api_key.pk).revoked_at
    assert "already revoked" in run("apikey_revoke", api_key.prefix)
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == revoked_at


def test_apikey_revoke_unknown_prefix(newsroom):
    api_key_for(newsroom)
    with pytest.raises(CommandError, match="no API key with prefix 'abcdef123456'"):
        run("apikey_revoke", "abcdef123456")
    assert not ApiKey.objects.exclude(revoked_at=None).exists()
