"""Request bodies (httpapi/parsers.py, httpapi/bodies.py): strict JSON, one size limit answered 413
in the error body, chunked bodies read or refused, on every POST of the API; and once through a real
gunicorn, which is where chunked bodies come from."""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.parse
from io import BytesIO

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from factcheck.models import Article
from httpapi.parsers import MAX_JSON_DEPTH, LimitedJSONParser
from tests.factcheck.test_api import assert_error
from tests.factories import NewsroomFactory, api_key_for
from tests.integration.test_worker import base_env, start_web
from tests.test_api_errors import objects, post_operations  # noqa: F401  (objects is a fixture)

pytestmark = pytest.mark.django_db


def each_post(objects):  # noqa: F811
    """Each POST that takes a body (the others never read one)."""
    paths = [template.format(**objects["ids"]) for template, fields in post_operations() if fields]
    assert len(paths) >= 6
    yield from paths


def post(client, path: str, body: bytes | str, **extra):
    return client.post(path, body, content_type="application/json", **extra)


# --- Strict JSON ------------------------------------------------------------------------------------


def test_json_nested_ten_thousand_deep_is_a_400_on_every_post(objects):  # noqa: F811
    deep = "[" * 10_000 + "]" * 10_000  # 20 kB
    for path in each_post(objects):
        body = assert_error(post(objects["client"], path, deep), 400, "parse_error")
        assert f"deeper than {MAX_JSON_DEPTH} levels" in body["detail"], path


def test_json_just_over_the_depth_limit_is_a_400_and_at_it_is_parsed(objects):  # noqa: F811
    client = objects["client"]
    over = json.dumps({"text": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})
    assert_error(post(client, "/api/v1/analyze", over), 400, "parse_error")
    at = json.dumps({"text": json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))})
    body = assert_error(post(client, "/api/v1/analyze", at), 400, "invalid")  # parsed: a field error
    assert "text" in body["errors"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_standard_numbers_are_refused_on_every_post(objects, constant):  # noqa: F811
    for path in each_post(objects):
        body = assert_error(post(objects["client"], path, f'{{"text": {constant}}}'), 400, "parse_error")
        assert constant.lstrip("-") in body["detail"], path  # named in the message


@settings(max_examples=200, deadline=None)
@example(text="1e999")  # a float that overflows to infinity
@example(text="[-1E400]")
@given(text=st.text(alphabet='[]{}":,0123456789aeflnrstu -NIa', max_size=200))
def test_the_parser_answers_any_text_with_a_value_or_a_parse_error(text):
    """Whatever the bytes, the parser returns standard JSON or raises DRF's ParseError: nothing else."""
    with contextlib.suppress(ParseError):
        value = LimitedJSONParser().parse(BytesIO(text.encode()))
        json.dumps(value, allow_nan=False)  # no NaN or Infinity got through


# --- Size -------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_json_413_naming_it_on_every_post(objects, settings):  # noqa: F811
    """Above Django's own form limit (2.5 MB by default) too: the one error body, never Django's page."""
    limit = settings.FACTDESK_MAX_BODY_BYTES
    assert limit == settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # one limit for the API and Django
    payload = json.dumps({"text": "x" * limit, "body": "x", "note": "x", "external_id": "x"})
    for path in each_post(objects):
        body = assert_error(post(objects["client"], path, payload), 413, "request_too_large")
        assert f"{limit:,} bytes" in body["detail"], path
        assert "FACTDESK_MAX_BODY_BYTES" in body["detail"]


def test_the_body_limit_admits_a_ten_megabyte_html_page(api, settings, django_capture_on_commit_callbacks):
    # Long paragraphs: the submission reads a page's structure and metadata, whose cost grows with the
    # number of elements; 170,000 short ones made this the slowest test of the suite, which is about the
    # size of the body.
    paragraph = " ".join(["The council met on Tuesday and approved the budget."] * 1_000)
    page = "<html><body>" + f"<p>{paragraph}</p>\n" * 200 + "</body></html>"
    assert len(page.encode()) > 10_000_000
    settings.FACTDESK_MAX_ARTICLE_CHARS = len(page)  # this test is about the body, not the article
    payload = json.dumps({"external_id": "cms-big", "format": "html", "body": page})
    with django_capture_on_commit_callbacks(execute=False):
        response = post(api, "/api/v1/articles", payload)
    assert response.status_code == 202, response.content[:500]
    assert Article.objects.get(external_id="cms-big").body == page


def test_a_body_over_the_limit_elsewhere_is_a_plain_413(admin_client, settings):
    settings.FACTDESK_MAX_BODY_BYTES = 1000
    response = admin_client.post("/admin/factcheck/article/add/", {"body": "x" * 2000})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert b"1,000 bytes" in response.content


# --- Chunked bodies ---------------------------------------------------------------------------------


def test_a_chunked_body_the_server_did_not_measure_is_a_411(api):
    """What the test client sends here is what a server that passes chunks on unmeasured gives Django."""
    response = post(
        api,
        "/api/v1/analyze",
        b'{"text": "The council approved a budget."}',
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    body = assert_error(response, 411, "length_required")
    assert "Content-Length" in body["detail"]


# --- Through gunicorn -------------------------------------------------------------------------------


def send(base_url: str, key: str, path: str, body: bytes, *, chunked: bool) -> tuple[int, str, bytes]:
    address = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
    try:
        if chunked:
            pieces = [body[index : index + 7000] for index in range(0, len(body), 7000)]
            connection.request("POST", path, body=iter(pieces), headers=headers, encode_chunked=True)
        else:
            connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_gunicorn_reads_chunked_bodies_up_to_the_limit_and_parses_strictly(tmp_path):
    env = base_env(tmp_path)
    env["FACTDESK_MAX_BODY_BYTES"] = "50000"
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    _, key = api_key_for(newsroom)
    web = start_web(env, tmp_path)
    try:
        text = "The council approved a budget of $4.2 million on Tuesday. " * 300  # 18 kB, 3 chunks
        status, content_type, raw = send(
            web.base_url, key, "/api/v1/analyze", json.dumps({"text": text}).encode(), chunked=True
        )
        assert status == 200, raw[:500]
        assert len(json.loads(raw)["claims"]) == 300

        over = json.dumps({"text": "x" * 60_000}).encode()
        for chunked in (True, False):
            status, content_type, raw = send(web.base_url, key, "/api/v1/analyze", over, chunked=chunked)
            assert (status, content_type) == (413, "application/json"), raw[:500]
            answer = json.loads(raw)
            assert answer["code"] == "request_too_large"
            assert "50,000 bytes" in answer["detail"]

        for body in ("[" * 10_000 + "]" * 10_000, '{"text": NaN}'):
            status, _, raw = send(web.base_url, key, "/api/v1/analyze", body.encode(), chunked=True)
            assert status == 400, raw[:500]
            assert json.loads(raw)["code"] == "parse_error"
        web.check_running()
    finally:
        web.stop()
