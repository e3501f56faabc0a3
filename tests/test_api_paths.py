"""One path convention: no API path ends with a slash, and the slashed form redirects with a 308."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.factcheck.test_api import assert_error


def test_no_api_path_ends_with_a_slash():
    paths = list(SchemaGenerator().get_schema(request=None, public=True)["paths"])
    assert len(paths) > 20
    assert [path for path in paths if path.endswith("/")] == []


@pytest.mark.parametrize(
    ("method", "slashed", "bare"),
    [
        (
            "get",
            "/api/v1/claims/?status=unreviewed&page_size=2",
            "/api/v1/claims?status=unreviewed&page_size=2",
        ),
        ("get", "/api/v1/claims/12/claimreview/", "/api/v1/claims/12/claimreview"),
        ("post", "/api/v1/analyze/", "/api/v1/analyze"),
        ("post", "/api/v1/articles/", "/api/v1/articles"),
        ("get", "/api/v1/schema/", "/api/v1/schema"),
    ],
)
def test_a_trailing_slash_is_a_308_to_the_path_without_it(api, method, slashed, bare):
    """308 keeps the method and the body: a client that follows it sends the same POST again."""
    response = getattr(api, method)(slashed, {"text": "x"} if method == "post" else None, format="json")

    body = assert_error(response, 308, "trailing_slash")
    assert response["Location"] == bare
    assert bare in body["detail"]


def test_a_308_is_answered_before_authentication():
    assert Client().get("/api/v1/desks/")["Location"] == "/api/v1/desks"


def test_an_unknown_path_with_a_slash_is_still_a_404(api):
    assert_error(api.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(api.get("/api/v1/claims/1/nothing/"), 404, "not_found")


def test_paths_outside_the_api_keep_their_slashes(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.get("/admin")["Location"] == "/admin/"
