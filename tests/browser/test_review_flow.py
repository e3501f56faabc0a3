"""An editor's walk through the admin in a real browser (headless Chromium).

Logs in through the admin's login page, filters the queue to flagged claims (every column in view at
1,366 px, the claims of the article due in an hour before those of the one due in three days, each
with its time left), opens one, takes it, is refused a "Verified" without a source, then marks it
unverifiable with a note and finds that in the claim's history; opens a verified claim whose sentence
a style edit changed since, and sees the verdict carried over and the change; then opens the standards
dashboard, where both verdicts are counted, downloads its CSV, and follows the desk's link to the
export page, whose CSV has both claims.  ``FACTDESK_SCREENSHOTS=1`` also saves
docs/review-queue.png, docs/claim-page.png and docs/standards-dashboard.png, the README's screenshots.

The walk is a list of steps (``WALK``): a new page of the admin is one more step at the end.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from editorial import services as editorial_services
from editorial.models import AnalysisStatus, Role
from factcheck.actors import Actor
from factcheck.models import AttributionFlag, Claim, ClaimEvent
from factcheck.services.analyses import article_analyze
from factcheck.services.articles import article_submit
from factcheck.services.review import claim_transition
from factcheck.workflow import ClaimStatus
from tests.browser.conftest import VIEWPORT
from tests.factories import ArchivedSourceFactory, DeskFactory, NewsroomFactory, UserFactory, member

pytestmark = pytest.mark.browser

#: A laptop's screen: the queue must show every column without a sideways scroll.
LAPTOP = {"width": 1366, "height": 768}


def expect(target):
    """Playwright's ``expect``, imported when first used: without playwright, the browser fixture skips
    the test with the reason (or fails it, in CI) before any step runs."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


PASSWORD = "correct horse battery staple"
EXPERTS = "Experts warn that the new bridge on Mill Road is unsafe for heavy lorries."
BODY = "\n\n".join(
    [
        "The council approved a budget of $4.2 million on Tuesday, the largest in a decade.",
        EXPERTS,
        "Critics say the city has spent 30 percent more on consultants since 2021.",
        "Officials said the repairs would take at least 18 months.",
        "Finance director Harold Mbeki told the council that $1.1 million would come from a state loan.",
        "Some residents believe bus fares will rise by 9 percent next year.",
        "The library on Station Street will reopen in May.",
    ]
)
#: The article due in an hour: its claims come first in the queue.  Its first sentence is verified,
#: then a style edit changes it ("percent" to "per cent"), which keeps the verdict.
URGENT_TITLE = "Home Office figures for the city"
CRIME = "Crime fell 20 percent last year, the Home Office said."
URGENT_BODY = "\n\n".join(
    [
        CRIME,
        "Critics say the fall came too late for the estates on the east side.",
        "Some residents believe the new patrols made the difference.",
    ]
)
NOTE = "Neither the council nor the highways agency has published a load assessment of the bridge."


@pytest.fixture
def editor(transactional_db):
    """Edna, a staff member with the editor role in The Daily Ledger (and nowhere else)."""
    newsroom = NewsroomFactory(name="The Daily Ledger", slug="ledger")
    DeskFactory(newsroom=newsroom, name="City", slug="city")
    user = UserFactory(username="edna", first_name="Edna", last_name="Krabappel", password=PASSWORD)
    editorial_services.member_add(newsroom=newsroom, user=user, role=Role.EDITOR)
    return user


@pytest.fixture
def article(editor):
    """An article due in three days, submitted and analysed through the services, with vague
    attributions flagged."""
    newsroom = editor.memberships.get().newsroom
    article = article_submit(
        actor=Actor.system(),
        newsroom=newsroom,
        external_id="cms-2041",
        title="Council approves the Mill Road repairs",
        byline="Ana Ruiz",
        desk=newsroom.desks.get(slug="city"),
        body=BODY,
        deadline=timezone.now() + timedelta(days=3),
    )
    article_analyze(article_id=article.pk)  # idempotent: a no-op if the commit hook ran it
    article.refresh_from_db()
    assert article.analysis_status == AnalysisStatus.ANALYZED
    flagged = Claim.objects.filter(article=article, is_flagged=True)
    assert flagged.count() >= 3 and flagged.filter(text=EXPERTS).exists()
    return article


@pytest.fixture
def carried_over(editor):
    """The claim of an article due in an hour that a fact-checker verified (with an archived source)
    before a style edit changed its sentence: through the services, as the CMS and the worker would."""
    newsroom = editor.memberships.get().newsroom
    fields = {
        "actor": Actor.system(),
        "newsroom": newsroom,
        "external_id": "cms-2042",
        "title": URGENT_TITLE,
        "byline": "Ana Ruiz",
        "desk": newsroom.desks.get(slug="city"),
        "deadline": timezone.now() + timedelta(hours=1),
    }
    article = article_submit(body=URGENT_BODY, **fields)
    article_analyze(article_id=article.pk)
    claim = Claim.objects.get(article=article, text=CRIME)
    checker = Actor.for_user(member(newsroom, Role.FACT_CHECKER, "carl"))
    ArchivedSourceFactory(claim=claim)
    for state in ("in_review", "verified"):
        claim_transition(actor=checker, claim_id=claim.pk, to=state, note="Checked with the Home Office.")
    article_submit(body=URGENT_BODY.replace("20 percent", "20 per cent"), **fields)  # the style edit
    article_analyze(article_id=article.pk)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED and claim.changed_since_verdict, claim.status
    assert claim.text == CRIME.replace("20 percent", "20 per cent")
    assert Claim.objects.filter(article=article, is_flagged=True).exists()
    return claim


def log_in(page, *, walk) -> None:
    """Through the admin's own login page."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "edna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(re.compile("edna", re.IGNORECASE))


def review_queue(page, *, walk) -> None:
    """The queue, filtered to flagged claims, every column in view at 1,366 px."""
    page.set_viewport_size(LAPTOP)
    page.goto("/admin/factcheck/reviewitem/")
    expect(page.locator("#content h1")).to_contain_text(re.compile("review", re.IGNORECASE))
    expect(page.locator("#result_list")).to_contain_text(walk["unflagged"])
    page.locator("#changelist-filter").get_by_role("link", name="Any flag").click()
    expect(page).to_have_url(re.compile(r"[?&]flag_kind=any"))
    results = page.locator("#result_list")
    expect(results).to_contain_text("Experts warn")
    expect(results).to_contain_text("Critics say")
    expect(results).to_contain_text("Unnamed experts")  # the kind by its name, under the claim
    expect(results).not_to_contain_text(walk["unflagged"])
    # Soonest deadline first: the article due in an hour, then the one due in three days.
    rows = results.locator("tbody tr")
    titles = [title.strip() for title in rows.locator("a.queue-article").all_inner_texts()]
    urgent, later = titles.count(URGENT_TITLE), len(titles) - titles.count(URGENT_TITLE)
    assert urgent and later and titles[urgent:] == [walk["article"].title] * later, titles
    left = rows.locator("span.time-left")
    expect(left).to_have_count(len(titles))  # every row shows its time left
    expect(left.first).to_have_text(re.compile(r"^\d+ min$"))  # due in an hour
    expect(left.last).to_have_text(re.compile(r"^\d+ d$"))  # due in three days
    expect(results.locator("span.time-left[data-overdue='true']")).to_have_count(0)
    assert_styled(page)
    # Nothing hides behind a sideways scroll: the table fits its box, and its last column the window.
    assert results.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1"), (
        "the queue scrolls sideways"
    )
    headers = page.locator("#result_list thead th")
    expect(headers).to_have_count(6)  # the tick box and five columns
    last = headers.last.bounding_box()
    assert last is not None and last["x"] + last["width"] <= LAPTOP["width"], last
    walk["screenshot"](page, "review-queue")
    page.set_viewport_size(VIEWPORT)


def claim_page(page, *, walk) -> None:
    """Take the claim, be refused "Verified" without a source, mark it unverifiable with a note."""
    results = page.locator("#result_list")
    results.get_by_role("link", name=re.compile("Experts warn")).first.click()
    expect(page).to_have_url(re.compile(rf"/admin/factcheck/reviewitem/{walk['claim'].pk}/change/"))
    form = page.locator("form#transition-form")
    expect(form.locator("button.transition[value='in_review']")).to_have_text("Take")
    expect(form.locator("button.transition[value='verified']")).to_have_count(0)

    expect(page.locator("#claim-status")).to_have_text("Unreviewed")

    # Take it.
    form.locator("button.transition[value='in_review']").click()
    expect(page.locator("ul.messagelist li.success").first).to_contain_text("in review")
    expect(page.locator("#claim-status")).to_have_text("In review")
    expect(page.locator("#claim-assignee")).to_have_text("edna")
    expect(form.locator("button.transition[value='in_review']")).to_have_count(0)
    expect(form.locator("button.transition[value='verified']")).to_have_text("Verified")

    # "Verified" with no source attached: refused, and the claim stays in review.
    form.locator("button.transition[value='verified']").click()
    refusal = page.locator("ul.messagelist li.error")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text(re.compile("source", re.IGNORECASE))
    expect(form.locator("button.transition[value='verified']")).to_be_visible()
    expect(page.locator("#claim-status")).to_have_text("In review")

    # A note, then "Unverifiable".
    page.fill("#id_transition_note", NOTE)
    form.locator("button.transition[value='unverifiable']").click()
    expect(page.locator("ul.messagelist li.success").first).to_contain_text(
        re.compile("unverifiable", re.IGNORECASE)
    )
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    expect(page.locator("#claim-status")).to_have_text("Unverifiable")
    expect(form.locator("button.transition[value='unverifiable']")).to_have_count(0)

    # The history says who did what, and why, in words rather than codes.
    history = page.locator("#claim-history")
    expect(history).to_contain_text("Unverifiable")
    expect(history).to_contain_text("In review → Unverifiable")
    expect(history).not_to_contain_text("mark_unverifiable")
    expect(history.locator("tr", has_text=NOTE)).to_contain_text(re.compile("edna", re.IGNORECASE))
    walk["screenshot"](page, "claim-page", full_page=True)


def carried_over_verdict(page, *, walk) -> None:
    """A verified claim whose sentence a style edit changed: the verdict stands, the change is shown."""
    claim = walk["carried_over"]
    page.goto(f"/admin/factcheck/reviewitem/{claim.pk}/change/")
    expect(page.locator("#claim-status")).to_have_text("Verified")
    expect(page.locator("#claim-sentence")).to_have_text(claim.text)
    mark = page.locator("#claim-changed-since-verdict")
    expect(mark).to_have_attribute("data-status", "verified")
    expect(mark).to_contain_text("the verdict and its sources carried over")
    diff = page.locator("#claim-verdict-diff")
    expect(diff).to_have_text(f"{CRIME[:14]}percentper cent{CRIME[21:]}")  # checked, then what stands
    expect(diff.locator("del.removed")).to_have_text(["percent"])
    expect(diff.locator("ins.added")).to_have_text(["per cent"])


def standards_dashboard(page, *, walk) -> None:
    """The dashboard counts the verdicts given, draws its charts, and gives the same figures as CSV."""
    page.goto("/admin/")  # from the index, where an editor finds it
    page.locator("#content-main").get_by_role("link", name="Standards dashboard").click()
    expect(page.locator("#content h1")).to_have_text("Standards dashboard")
    charts = page.locator("#standards-charts svg.chart")
    expect(charts).to_have_count(5)
    row = page.locator("#standards-table tbody tr", has_text="City")
    expect(row).to_have_count(1)
    cells = row.locator("td")  # words, flags, per 1,000 words, kinds, then the four verdicts
    expect(cells.nth(4)).to_have_text("1")  # verified: the verdict carried over
    expect(cells.nth(7)).to_have_text("1")  # unverifiable: the verdict of the claim page
    expect(charts.nth(1)).to_contain_text("City")
    walk["screenshot"](page, "standards-dashboard", full_page=True)
    with page.expect_download() as download:
        page.locator("#standards-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(r["desk"], r["verdicts_unverifiable"], r["flags"]) for r in rows] == [
        ("City", "1", str(walk["flags"]))
    ]
    walk["period"] = (rows[0]["period_start"], rows[0]["period_end"])


def claim_export(page, *, walk) -> None:
    """From the dashboard's desk row to the export page, the desk and period chosen; its CSV has both
    claims reviewed on the walk."""
    row = page.locator("#standards-table tbody tr", has_text="City")
    row.locator("a.standards-export").click()
    expect(page).to_have_url(re.compile(r"/admin/factcheck/claim/export/\?"))
    expect(page.locator("#content h1")).to_have_text("Export reviewed claims")
    since, until = walk["period"]
    expect(page.locator("#id_desk option:checked")).to_have_text(re.compile(r"^City "))
    expect(page.locator("#id_newsroom option:checked")).to_have_text("The Daily Ledger")
    expect(page.locator("#id_since")).to_have_value(since)
    expect(page.locator("#id_until")).to_have_value(until)
    with page.expect_download() as download:
        page.locator("#export-form input[type=submit]").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")  # the file starts with a BOM
    rows = list(csv.DictReader(io.StringIO(text)))
    exported = {int(r["claim_id"]): (r["desk"], r["verdict"]) for r in rows}
    assert exported == {
        walk["claim"].pk: ("city", "unverifiable"),
        walk["carried_over"].pk: ("city", "verified"),
    }, rows


#: The editor's walk, in order.  Each step takes the page and the walk's shared state.
WALK = [log_in, review_queue, claim_page, carried_over_verdict, standards_dashboard, claim_export]


def test_an_editor_walks_the_queue_a_claim_the_dashboard_and_the_export(
    browser, editor, article, carried_over, screenshot
):
    claim = Claim.objects.get(article=article, text=EXPERTS)
    walk = {
        "article": article,
        "claim": claim,
        "carried_over": carried_over,
        "unflagged": Claim.objects.filter(article=article, is_flagged=False).first().text[:40],
        "flags": AttributionFlag.objects.filter(claim__newsroom=article.newsroom)
        .exclude(claim__status="superseded")
        .count(),
        "screenshot": screenshot,
    }
    with browser() as page:
        for step in WALK:
            step(page, walk=walk)

    # What the pages showed is what was stored.
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNVERIFIABLE
    assert claim.assignee_id == editor.pk
    actions = list(ClaimEvent.objects.filter(claim=claim).values_list("action", flat=True))
    assert actions.count("take") == 1 and "verify" not in actions
    event = ClaimEvent.objects.get(claim=claim, action="mark_unverifiable")
    assert event.note == NOTE and event.actor_user_id == editor.pk
    carried_over.refresh_from_db()
    assert carried_over.status == ClaimStatus.VERIFIED and carried_over.changed_since_verdict


def assert_styled(page) -> None:
    """The admin's stylesheet was served (by the live server's static-files handler) and applied."""
    stylesheet = page.locator("link[rel='stylesheet'][href*='admin/css/base.css']")
    expect(stylesheet).to_have_count(1)
    response = page.request.get(stylesheet.get_attribute("href"))
    assert response.ok, f"{response.url}: {response.status}"
    # base.css lays the header out as a flex row; unstyled, it is a plain block.
    assert page.locator("#header").evaluate("e => getComputedStyle(e).display") == "flex"
