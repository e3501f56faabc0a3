"""The standards dashboard page: who may see it, what it shows, its CSV, and bad input."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import NoReverseMatch, reverse

from editorial.models import Desk, Role
from tests.factcheck.test_charts import parse_svg
from tests.factcheck.test_standards import desk_figures  # noqa: F401  (the hand-worked fixture)
from tests.factories import NewsroomFactory, member

DASHBOARD = reverse("admin:factcheck_standardsdashboard_changelist")
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


def as_member(client, newsroom, role, username):
    client.force_login(member(newsroom, role, username))
    return client


def csv_of(response) -> dict[str, dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    return {row[next(iter(row))]: row for row in rows}


def test_the_csv_has_the_hand_worked_figures(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    response = as_member(client, newsroom, Role.EDITOR, "edna").get(DASHBOARD, {**NOVEMBER, "format": "csv"})

    assert response.status_code == 200
    assert 'filename="standards-by-desk-2026-11-01-to-2026-11-30.csv"' in response["Content-Disposition"]
    rows = csv_of(response)
    assert list(rows) == ["City", "Politics", "No desk"]
    politics = rows["Politics"]
    assert (politics["words"], politics["flags"], politics["flags_per_1000_words"]) == ("2000", "3", "1.500")
    assert (
        politics["flags_hedge"],
        politics["flags_anonymous_experts"],
        politics["flags_vague_collective"],
    ) == (
        "1",
        "1",
        "1",
    )
    assert (politics["verdicts_verified"], politics["verdicts_false"], politics["verdicts_misleading"]) == (
        "1",
        "1",
        "1",
    )
    assert (politics["verdict_hours_median"], politics["verdict_hours_p90"]) == ("10.00", "213.20")
    assert (politics["sent_back"], politics["came_back"], politics["came_back_hours_median"]) == (
        "2",
        "1",
        "3.00",
    )
    assert politics["open_claims"] == "1"
    assert rows["No desk"]["verdict_hours_median"] == ""  # no verdict: no figure, not zero


def test_by_reporter(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    client = as_member(client, newsroom, Role.ADMIN, "ada")
    rows = csv_of(client.get(DASHBOARD, {**NOVEMBER, "group": "reporter", "format": "csv"}))
    assert list(rows) == ["Alice Ng", "bob", "No reporter"]
    assert (rows["Alice Ng"]["words"], rows["Alice Ng"]["verdict_hours_median"]) == ("3000", "4.00")


def test_the_page_draws_the_charts_and_the_table(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    html = as_member(client, newsroom, Role.EDITOR, "edna").get(DASHBOARD, NOVEMBER).content.decode()

    svgs = [
        parse_svg(svg + "</svg>") for svg in html.split("<figure>")[1:] for svg in [svg.split("</svg>")[0]]
    ]
    titles = [svg.find("{http://www.w3.org/2000/svg}title").text for svg in svgs]
    assert titles == [
        "Unnamed-source flags per 1,000 words, by kind",
        "Verdicts given",
        "Time from submission to verdict",
        "Age of the claims open now",
        "How fast claims sent back for attribution came back",
    ]
    # 213.2 h is past three days: that chart is in days (10 h = 0.4 d).
    assert "Politics, median: 0.4 d" in html and "Politics, 90th percentile: 8.9 d" in html
    assert "Politics, median: 3.0 h" in html  # came back (hours)
    assert 'id="standards-csv"' in html and "format=csv" in html
    assert '<th scope="row">Politics <a href="' in html  # the desk's name, then its export link


def test_names_are_escaped_in_the_page_charts_and_csv(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    Desk.objects.filter(name="City").update(name="<script>alert(1)</script>")
    Desk.objects.filter(name="Politics").update(name='=HYPERLINK("http://evil.example")')
    client = as_member(client, newsroom, Role.EDITOR, "edna")

    html = client.get(DASHBOARD, NOVEMBER).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    rows = csv_of(client.get(DASHBOARD, {**NOVEMBER, "format": "csv"}))
    assert '\'=HYPERLINK("http://evil.example")' in rows  # a spreadsheet shows it, never runs it


@pytest.mark.parametrize("role", [Role.FACT_CHECKER, Role.REPORTER])
def test_only_editors_and_admins_see_it(client, desk_figures, role):  # noqa: F811
    newsroom, *_ = desk_figures
    client = as_member(client, newsroom, role, "someone")
    assert client.get(DASHBOARD).status_code == 403
    assert "standardsdashboard" not in client.get(reverse("admin:index")).content.decode()


def test_an_editor_elsewhere_sees_none_of_it(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    client = as_member(client, NewsroomFactory(slug="harbour"), Role.EDITOR, "hugo")
    html = client.get(DASHBOARD, NOVEMBER).content.decode()
    assert "Politics" not in html and "Nothing in this period." in html
    response = client.get(DASHBOARD, {**NOVEMBER, "newsroom": newsroom.pk})
    assert response.status_code == 200 and "Politics" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "yesterday"}, "From: Enter a valid date."),
        ({"start": "2026-11-02", "end": "2026-11-01"}, "The period ends before it starts."),
        ({"start": "2020-01-01", "end": "2026-11-01"}, "longer than 366 days"),
        ({"group": "planet"}, "by: Select a valid choice."),
        ({"format": "xml"}, "Only format=csv is offered"),
    ],
)
def test_bad_input_is_refused_with_the_reason(client, desk_figures, query, message):  # noqa: F811
    newsroom, *_ = desk_figures
    response = as_member(client, newsroom, Role.EDITOR, "edna").get(DASHBOARD, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_superuser_may_pick_a_newsroom(admin_client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    rows = csv_of(admin_client.get(DASHBOARD, {**NOVEMBER, "newsroom": newsroom.pk, "format": "csv"}))
    assert "City (The Daily Ledger)" not in rows and "City" in rows
    everywhere = csv_of(admin_client.get(DASHBOARD, {**NOVEMBER, "format": "csv"}))
    assert "City (The Daily Ledger)" in everywhere  # several newsrooms: the desk says whose
    bad = admin_client.get(DASHBOARD, {"newsroom": "99999"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_the_dashboard_is_one_page_and_shows_no_claim_by_itself():
    for view in ("add", "change", "history", "delete"):
        args = [] if view == "add" else [1]
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:factcheck_standardsdashboard_{view}", args=args)


def test_each_desk_links_to_the_export_of_its_claims_for_the_period(client, desk_figures):  # noqa: F811
    newsroom, *_ = desk_figures
    page = as_member(client, newsroom, Role.EDITOR, "edna").get(DASHBOARD, NOVEMBER)
    by_reporter = client.get(DASHBOARD, {**NOVEMBER, "group": "reporter"})

    export = reverse("admin:factcheck_claim_export")
    links = {row["label"]: row["export_url"] for row in page.context["rows"]}
    for name in ("City", "Politics"):
        desk = Desk.objects.get(newsroom=newsroom, name=name)
        query = f"newsroom={newsroom.pk}&amp;desk={desk.pk}&amp;since=2026-11-01&amp;until=2026-11-30"
        assert links[name] == f"{export}?{query.replace('&amp;', '&')}"
        assert f'href="{export}?{query}" class="standards-export"'.encode() in page.content
    assert links["No desk"] is None  # no desk to choose on the export page
    assert b'class="standards-export"' not in by_reporter.content
