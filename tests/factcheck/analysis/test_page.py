"""Whole web pages and article bodies as HTML: the article's claims come out, the page's furniture does
not (each class with its reason), offsets stay exact, and markup of any depth is read whole or refused."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.analysis import page
from factcheck.analysis.blocks import MAX_DEPTH, parse_html
from factcheck.analysis.pipeline import MAX_HTML_CHARS, InputRejected, analyze

ARTICLE = (
    "<h1>Ferry Service Returns to Kelp Island</h1>"
    "<p>The ferry to Kelp Island resumed sailings on Tuesday after a three-month repair of its ramp.</p>"
    "<p>The island council said 1,200 passengers had booked crossings for the first week.</p>"
    "<p>Repairs cost 2.4 million euros, according to the harbour board, which paid half of it.</p>"
    "<p>Fares stay at eight euros for adults and four euros for children until the end of the year.</p>"
)


def whole_page(article: str = ARTICLE, *, furniture: str = "") -> str:
    return (
        "<!DOCTYPE html><html><head><title>Ferry | Island Gazette</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
        "<li><a href='/sport'>Sport</a></li></ul></nav>"
        f"<main><article>{article}{furniture}</article></main>"
        "<footer><p>Island Gazette, 4 Quay Street. Contact the newsroom for corrections.</p></footer>"
        "</body></html>"
    )


def claim_texts(body: str) -> list[str]:
    return [claim.text for claim in analyze(body, fmt="html").claims]


def excluded_reasons(body: str) -> dict[str, str]:
    return {" ".join(item.text.split()): item.reason for item in analyze(body, fmt="html").excluded}


ARTICLE_SENTENCES = [
    "The ferry to Kelp Island resumed sailings on Tuesday after a three-month repair of its ramp.",
    "The island council said 1,200 passengers had booked crossings for the first week.",
    "Repairs cost 2.4 million euros, according to the harbour board, which paid half of it.",
    "Fares stay at eight euros for adults and four euros for children until the end of the year.",
]


# ---------------------------------------------------------------------------------------------
# Furniture, class by class: each kept out with a reason an editor understands


@pytest.mark.parametrize(
    ("container", "text", "reason"),
    [
        ("<div class='share-buttons'>", "Share this story with a friend who takes the ferry.", page.SHARE),
        (
            "<section class='related-stories'>",
            "Bridge tolls rise again as the council rejects a cap.",
            page.RELATED,
        ),
        (
            "<div id='comments'>",
            "I took this ferry every week for years and it was always late.",
            page.COMMENTS,
        ),
        (
            "<div class='newsletter-signup'>",
            "Our morning briefing lands in your inbox before seven.",
            page.PROMO,
        ),
        ("<div role='dialog'>", "We use small files on your device to remember your choices.", page.DIALOG),
        (
            "<div class='cookie-notice'>",
            "We use small files on your device to remember choices.",
            page.COOKIE,
        ),
        ("<div class='ad-slot'>", "Island Motors has the best prices on new cars this month.", page.ADVERT),
        (
            "<aside>",
            "The ferry first sailed in 1962 and has carried nine million people since.",
            page.SIDEBAR,
        ),
        (
            "<div class='photo-caption'>",
            "Passengers board the ferry at the north pier on Tuesday.",
            page.CAPTION,
        ),
        ("<div hidden>", "Your browser is out of date and some features may not work.", page.HIDDEN),
    ],
    ids=[
        "share",
        "related",
        "comments",
        "newsletter",
        "dialog",
        "cookie",
        "advert",
        "aside",
        "caption",
        "hidden",
    ],
)
def test_each_class_of_page_furniture_is_kept_out_with_its_reason(container, text, reason):
    tag = container[1:].split()[0].rstrip(">")
    body = whole_page(furniture=f"{container}<p>{text}</p></{tag}>")
    assert claim_texts(body) == ARTICLE_SENTENCES
    assert excluded_reasons(body)[text] == reason


def test_menus_and_footers_of_a_whole_page_are_kept_out():
    reasons = excluded_reasons(whole_page())
    assert reasons["Home"] == page.NAVIGATION
    assert reasons["Island Gazette, 4 Quay Street. Contact the newsroom for corrections."] == page.FOOTER
    assert reasons["Ferry Service Returns to Kelp Island"] == "headline"


def test_a_data_table_is_its_own_excluded_class():
    table = (
        "<table><tr><th>Route</th><th>Sailings</th></tr><tr><td>North pier to Kelp Island</td><td>6</td></tr>"
        "<tr><td>South pier to Kelp Island</td><td>4</td></tr></table>"
    )
    analysis = analyze(whole_page(furniture=table), fmt="html")
    assert [claim.text for claim in analysis.claims] == ARTICLE_SENTENCES
    rows = [item for item in analysis.excluded if "Kelp Island" in item.text and "pier" in item.text]
    assert [row.text for row in rows] == ["North pier to Kelp Island 6", "South pier to Kelp Island 4"]
    assert {row.reason for row in rows} == {"data table: a table row is not a sentence"}


def test_a_table_that_lays_out_the_page_is_not_a_data_table():
    cell = " ".join(ARTICLE_SENTENCES)
    body = f"<table><tr><td>Menu</td><td><p>{cell}</p></td></tr></table>"
    assert claim_texts(body) == ARTICLE_SENTENCES


@pytest.mark.parametrize(
    "container",
    ["<div class='entry-content has-comments share-enabled'>", "<div aria-hidden='true'>", "<aside>"],
)
def test_the_articles_own_container_is_never_furniture_whatever_its_class(container):
    tag = container[1:].split()[0].rstrip(">")
    body = whole_page(article=f"{container}{ARTICLE}</{tag}>")
    assert claim_texts(body) == ARTICLE_SENTENCES


def test_related_headlines_and_menus_around_the_article_are_left_out_by_the_main_text():
    related = "".join(
        f"<li><a href='/s/{i}'>{title}</a></li>"
        for i, title in enumerate(
            [
                "Council approves new parking rules for the old town after long debate",
                "Lighthouse keeper retires after forty years on the rocks of the point",
                "School meals to cost more from September, the education board says",
            ]
        )
    )
    body = (
        "<html><body><div class='top'><a href='/'>Island Gazette</a> <a href='/login'>Log in</a></div>"
        f"<div class='main'>{ARTICLE}</div><div class='more'><h3>More news</h3><ul>{related}</ul></div>"
        "</body></html>"
    )
    assert claim_texts(body) == ARTICLE_SENTENCES


@pytest.mark.parametrize(
    "teaser",
    [
        "The lighthouse on the point will close for repairs in March, the harbour board said, and the",
        "Lighthouse keepers on the coast met on Friday to discuss the future of the service and its\u2026",
        "Lighthouse keepers on the coast met on Friday to discuss the future of the service and its...",
    ],
)
def test_an_excerpt_of_another_story_cut_short_is_kept_out(teaser):
    reasons = excluded_reasons(whole_page(furniture=f"<p>{teaser}</p>"))
    assert reasons[teaser] == "teaser of another story, cut short"


def test_a_paragraph_ending_on_a_quoted_ellipsis_or_a_full_stop_is_not_a_teaser():
    ending = '<p>The harbour master said the keepers had asked for "more time, more staff and..."</p>'
    assert "The harbour master said" in " ".join(claim_texts(whole_page(furniture=ending)))


def test_a_promo_sentence_inside_a_paragraph_is_kept_out():
    article = ARTICLE.replace(
        "until the end of the year.</p>",
        "until the end of the year. Sign up for our newsletter to get island news every morning.</p>",
    )
    analysis = analyze(article, fmt="html")
    assert [claim.text for claim in analysis.claims] == ARTICLE_SENTENCES
    assert [(item.text, item.reason) for item in analysis.excluded if "Sign up" in item.text] == [
        ("Sign up for our newsletter to get island news every morning.", "promo")
    ]


def test_the_standfirst_in_a_heading_element_is_prose():
    standfirst = (
        "<h2>Islanders waited three months for the crossing to reopen after storms damaged the ramp.</h2>"
    )
    article = ARTICLE.replace("</h1>", "</h1>" + standfirst)
    texts = claim_texts(whole_page(article=article))
    assert (
        texts[0] == "Islanders waited three months for the crossing to reopen after storms damaged the ramp."
    )
    assert texts[1:] == ARTICLE_SENTENCES


def test_an_article_body_fragment_loses_no_sentence():
    body = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES)
    assert claim_texts(body) == ARTICLE_SENTENCES


# ---------------------------------------------------------------------------------------------
# Offsets stay exact


def test_claims_and_links_keep_exact_offsets_into_the_canonical_text():
    article = ARTICLE.replace(
        "the harbour board", "<a href='https://example.org/board'>the harbour board</a>"
    )
    analysis = analyze(whole_page(article=article), fmt="html")
    for claim in analysis.claims:
        assert analysis.text[claim.start : claim.end] == claim.text
    for item in analysis.excluded:
        assert analysis.text[item.start : item.end] == item.text
    board = [link for link in analysis.links if link.href == "https://example.org/board"]
    assert len(board) == 1
    assert analysis.text[board[0].start : board[0].end] == "the harbour board"


# ---------------------------------------------------------------------------------------------
# Size: the limit applies to the article text; pages are accepted up to MAX_HTML_CHARS


def test_a_large_page_with_a_short_article_is_accepted_under_the_article_limit():
    padding = "<script>var x = '" + "x" * 3_000_000 + "';</script>"
    body = whole_page().replace("<body>", "<body>" + padding)
    analysis = analyze(body, fmt="html", max_chars=1_000_000)
    assert [claim.text for claim in analysis.claims] == ARTICLE_SENTENCES


def test_a_page_over_the_html_limit_is_refused_with_the_limit_in_the_message():
    body = "<p>The ferry returned.</p>" + " " * MAX_HTML_CHARS
    with pytest.raises(InputRejected) as refused:
        analyze(body, fmt="html")
    assert str(refused.value) == (
        f"The HTML page is {len(body):,} characters long; the limit is {MAX_HTML_CHARS:,} characters."
    )


def test_a_page_whose_text_is_over_the_limit_is_refused_before_the_analysis():
    body = "".join(f"<p>{sentence}</p>" for sentence in ARTICLE_SENTENCES * 5)
    with pytest.raises(InputRejected) as refused:
        analyze(body, fmt="html", max_chars=1_000)
    message = str(refused.value)
    assert message.startswith("The text of the page is 1,7") and message.endswith(
        " characters long; the limit is 1,000 characters."
    )


# ---------------------------------------------------------------------------------------------
# Depth: read whole, or refused with a clear message; never a partial article


def nested(depth: int) -> str:
    return (
        "<p>The ferry resumed sailings on Tuesday.</p>"
        + "<div>" * depth
        + "<p>The council said 1,200 passengers had booked.</p>"
        + "</div>" * depth
        + "<p>Repairs cost 2.4 million euros.</p>"
    )


@pytest.mark.parametrize("depth", [300, 1500])
def test_html_nested_hundreds_deep_is_read_whole(depth):
    assert claim_texts(nested(depth)) == [
        "The ferry resumed sailings on Tuesday.",
        "The council said 1,200 passengers had booked.",
        "Repairs cost 2.4 million euros.",
    ]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, 5000])
def test_html_nested_deeper_than_the_parser_reads_is_refused_not_cut(depth):
    with pytest.raises(InputRejected) as refused:
        analyze(nested(depth), fmt="html")
    assert f"nested more than {MAX_DEPTH:,} elements deep" in str(refused.value)
    assert "not analysed" in str(refused.value)


def test_parse_html_without_the_main_text_pass_keeps_every_paragraph():
    doc = parse_html(whole_page(), main_text=False)
    paragraphs = [doc.text[b.start : b.end] for b in doc.blocks if b.kind.is_content]
    assert paragraphs == ARTICLE_SENTENCES


# ---------------------------------------------------------------------------------------------
# Metadata


def test_page_metadata_reads_json_ld_and_open_graph():
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Ferry Returns to Kelp Island",'
        ' "author": {"@type": "Person", "name": "Maren Holt"}, "datePublished": "2025-03-04"}'
    )
    html = f"<html><head><script type='application/ld+json'>{ld}</script></head><body>{ARTICLE}</body></html>"
    assert page.page_metadata(html) == page.PageMetadata(
        title="Ferry Returns to Kelp Island", byline="Maren Holt", published="2025-03-04"
    )
    og = (
        "<html><head><meta property='og:title' content='Kelp Island ferry is back'>"
        "<meta name='author' content='Ines Varga'></head><body><p>The ferry is back.</p></body></html>"
    )
    found = page.page_metadata(og)
    assert (found.title, found.byline) == ("Kelp Island ferry is back", "Ines Varga")


def test_page_metadata_of_a_fragment_is_empty():
    assert page.page_metadata("<p>The ferry is back.</p>").title == ""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=300)
    | st.builds(
        lambda head, ld: f"<html><head><script type='application/ld+json'>{ld}</script>{head}</head></html>",
        st.text(max_size=80),
        st.text(alphabet='{}[]":,@ abcdeArticlNwsheadlinauthor', max_size=120),
    )
)
def test_page_metadata_never_fails_and_stays_within_its_limits(html):
    found = page.page_metadata(html)
    assert all(isinstance(value, str) for value in found)
    assert len(found.title) <= page.MAX_METADATA_CHARS and len(found.byline) <= page.MAX_METADATA_CHARS
    assert found.published == "" or len(found.published) == 10
