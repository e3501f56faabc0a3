"""Tests of factcheck.analysis.blocks: canonical text, block kinds, links, and the parser's invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.analysis.blocks import HtmlRejected, html_has_text, parse, parse_html, parse_text
from factcheck.analysis.types import BlockKind, Document

K = BlockKind


def kinds(doc: Document) -> list[tuple[str, BlockKind]]:
    return [(doc.text[b.start : b.end], b.kind) for b in doc.blocks]


def kind_of(doc: Document, text: str) -> BlockKind:
    found = [b.kind for b in doc.blocks if doc.text[b.start : b.end] == text]
    assert found, f"no block {text!r} in {kinds(doc)}"
    return found[0]


def assert_invariants(doc: Document) -> None:
    covered = bytearray(len(doc.text))
    previous_end = 0
    for block in doc.blocks:
        assert 0 <= previous_end <= block.start < block.end <= len(doc.text)
        assert not doc.text[block.start].isspace() and not doc.text[block.end - 1].isspace()
        assert (block.reason == "") == block.kind.is_content
        covered[block.start : block.end] = b"\x01" * (block.end - block.start)
        previous_end = block.end
    for i, char in enumerate(doc.text):
        assert covered[i] or char.isspace(), f"{char!r} at {i} is in no block"
    for link in doc.links:
        assert 0 <= link.start < link.end <= len(doc.text)


# ---------------------------------------------------------------------------------------------
# Plain text

ARTICLE = """\
Harbour Town Votes to Rebuild Its Sea Wall

By Priya Natarajan

Harbour Town's council voted on Tuesday to spend $4.2 million rebuilding the sea wall that failed last winter.

The vote was six to one.

Storm Damage Last Winter

Creddit: Wavecrest Images

Flooding reached 300 homes in January, according to the town's own damage survey.

LISBON, PORTUGAL \u2013 Jan 5, 2021: Waves break over the old harbour wall at high tide \u2014 Photo by jsilva

What Comes Next

Image Credit: Harbour Town Council
Work starts in May and should take two years, the council said.

Read more: How other towns paid for their sea walls

Advertisement

Priya Natarajan is a staff writer who covers coastal towns. She has reported from six countries.
"""


def test_plain_text_article_blocks():
    doc = parse_text(ARTICLE)
    assert doc.text == ARTICLE
    assert kinds(doc) == [
        ("Harbour Town Votes to Rebuild Its Sea Wall", K.HEADLINE),
        ("By Priya Natarajan", K.BYLINE),
        (
            "Harbour Town's council voted on Tuesday to spend $4.2 million rebuilding the sea wall "
            "that failed last winter.",
            K.PARAGRAPH,
        ),
        ("The vote was six to one.", K.PARAGRAPH),
        ("Storm Damage Last Winter", K.HEADING),
        ("Creddit: Wavecrest Images", K.IMAGE_CREDIT),
        ("Flooding reached 300 homes in January, according to the town's own damage survey.", K.PARAGRAPH),
        (
            "LISBON, PORTUGAL \u2013 Jan 5, 2021: Waves break over the old harbour wall at high tide "
            "\u2014 Photo by jsilva",
            K.CAPTION,
        ),
        ("What Comes Next", K.HEADING),
        ("Image Credit: Harbour Town Council", K.IMAGE_CREDIT),
        ("Work starts in May and should take two years, the council said.", K.PARAGRAPH),
        ("Read more: How other towns paid for their sea walls", K.PROMO),
        ("Advertisement", K.PROMO),
        (
            "Priya Natarajan is a staff writer who covers coastal towns. "
            "She has reported from six countries.",
            K.BYLINE,
        ),
    ]
    reasons = {doc.text[b.start : b.end]: b.reason for b in doc.blocks}
    assert reasons["Harbour Town Votes to Rebuild Its Sea Wall"] == "headline"
    assert reasons["Storm Damage Last Winter"] == "section heading"
    assert reasons["Creddit: Wavecrest Images"] == "image credit"
    assert reasons["Advertisement"] == "promo"
    assert reasons["By Priya Natarajan"] == "byline"
    assert reasons["The vote was six to one."] == ""
    assert reasons[doc.text[doc.blocks[-1].start : doc.blocks[-1].end]] == "author bio"
    assert_invariants(doc)


def test_plain_text_source_lines():
    doc = parse_text(ARTICLE)
    lines = ARTICLE.split("\n")
    for block in doc.blocks:
        assert (
            lines[block.source_line - 1].strip().startswith(doc.text[block.start : block.end].split("\n")[0])
        )


def test_line_endings_are_normalised_and_nothing_else():
    body = "Title Of The Piece\r\n\r\nFirst line of text.\rSecond line.  \r\n \t \r\nLast one."
    doc = parse_text(body)
    assert doc.text == "Title Of The Piece\n\nFirst line of text.\nSecond line.  \n \t \nLast one."
    assert kinds(doc) == [
        ("Title Of The Piece", K.HEADLINE),
        ("First line of text.\nSecond line.", K.PARAGRAPH),  # a single line break stays inside
        ("Last one.", K.PARAGRAPH),
    ]


def test_blank_lines_of_white_space_separate_paragraphs():
    doc = parse_text("One paragraph here.\n \u00a0\t\nAnother paragraph here.")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "One paragraph here.",
        "Another paragraph here.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Credit: Jane Roe",
        "Credits: Alpine Stock",
        "Image Credit: Northwind Agency",
        "Photo credit: Jane Roe",
        "Image: Northwind Agency",
        "Photo: Getty Images",
        "Photograph: Jane Roe/Northwind",
        "Source: Shutterstock",
        "(Photo by Jane Roe)",
        "(Photo by Jane Roe/Getty Images)",
        "Photo courtesy of the Okafor family",
        "Courtesy of the Okafor family",
        "Creddit: Pixabay",
        "Credt: Pixabay",
        "Cedit: Pixabay",
        "Imgae: Pixabay",
        "AP Photo/Jane Roe",
    ],
)
def test_image_credits(line):
    doc = parse_text(f"The ferry resumed service on Monday.\n\n{line}\n\nPassenger numbers are still low.")
    block = doc.blocks[1]
    assert (doc.text[block.start : block.end], block.kind, block.reason) == (
        line,
        K.IMAGE_CREDIT,
        "image credit",
    )


def test_credit_glued_to_a_paragraph_is_its_own_block():
    doc = parse_text(
        "The ferry resumed service on Monday.\n\nCredit: Jane Roe\nPassenger numbers are still low."
    )
    assert kinds(doc)[1:] == [
        ("Credit: Jane Roe", K.IMAGE_CREDIT),
        ("Passenger numbers are still low.", K.PARAGRAPH),
    ]


def test_heading_glued_to_a_paragraph_is_its_own_block():
    doc = parse_text(
        "The ferry resumed service on Monday.\n\nWhat Passengers Say\nMost riders welcomed the news."
    )
    assert kinds(doc)[1:] == [
        ("What Passengers Say", K.HEADING),
        ("Most riders welcomed the news.", K.PARAGRAPH),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "ROME, ITALY \u2013 Apr 2, 2018: Tourists queue outside the Colosseum \u2014 Photo by mrossi",
        "NEW YORK, USA - 12 March 2020: Commuters wait on a subway platform",
        "OSLO \u2014 June 4, 2019: A tram crosses the square \u2014 Photo: kberg",
        "Firefighters on the roof of the depot on Sunday. (Photo by Jane Roe/Northwind)",
        "Image: The mayor cuts the ribbon at the opening of the new bridge on Friday.",
    ],
)
def test_photo_captions(line):
    doc = parse_text(f"The ferry resumed service on Monday.\n\n{line}\n\nPassenger numbers are still low.")
    assert (doc.blocks[1].kind, doc.blocks[1].reason) == (K.CAPTION, "photo caption")


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Doe",
        "BY JANE DOE AND JOHN ROE",
        "By Jane Doe, Staff Writer",
        "By Jane van der Berg | Wire Service",
        "Reporting by Jane Doe; Editing by John Roe",
        "The Wire Service contributed to this report.",
    ],
)
def test_bylines(line):
    doc = parse_text(f"Port Reopens After Storm\n\n{line}\n\nThe port reopened on Monday.")
    assert kind_of(doc, line) is K.BYLINE


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Why the port closed",
        "Read more",
        "Related: Ports across the coast",
        "Advertisement",
        "Share this article",
        "Subscribe to our morning briefing for the day's top stories.",
        "Sign up for our newsletter",
        "Click here to get alerts",
        "Follow us on Mastodon and Bluesky",
        "\u00a9 2024 Harbour Gazette. All rights reserved.",
    ],
)
def test_promos(line):
    doc = parse_text(f"The port reopened on Monday.\n\n{line}\n\nTraffic is expected to recover.")
    assert (doc.blocks[1].kind, doc.blocks[1].reason) == (K.PROMO, "promo")


@pytest.mark.parametrize(
    "bio",
    [
        "Sam Rivera is a freelance journalist based in Porto.",
        "Dana Okafor is a skilled writer with a passion for news and current events. "
        "With a sharp eye, she explains what happened. Stay informed and engaged!",
        "Lee Chen covers transport for the Gazette. You can reach him at lee@example.org.",
    ],
)
def test_trailing_author_bio(bio):
    doc = parse_text(f"The port reopened on Monday.\n\nTraffic is expected to recover.\n\n{bio}")
    assert (doc.blocks[-1].kind, doc.blocks[-1].reason) == (K.BYLINE, "author bio")
    assert doc.blocks[1].kind is K.PARAGRAPH


@pytest.mark.parametrize("line", ["Follow for more!", "Stay informed and engaged!"])
def test_sign_offs_are_bio(line):
    doc = parse_text(f"The port reopened on Monday.\n\n{line}")
    assert (doc.blocks[-1].kind, doc.blocks[-1].reason) == (K.BYLINE, "author bio")


def test_bio_only_at_the_end_of_the_article():
    body = (
        "The port reopened on Monday.\n\n"
        "Maria Lopez is a freelance journalist who was detained at the border last year.\n\n"
        "Her lawyers say the case against her has no basis."
    )
    assert kind_of(parse_text(body), body.split("\n\n")[1]) is K.PARAGRAPH


@pytest.mark.parametrize(
    "paragraph",
    [
        "Feb 11, 2015: the day the old port authority was dissolved.",
        "11 February 2015 was the day the old port authority was dissolved.",
        "A photo of the collapsed pier, taken by a fisherman, spread quickly online.",
        "Photo by photo, investigators rebuilt the last hours of the ship.",
        "Photographs show the pier collapsing.",
        "The vote passed.",
        "It rained.",
        "By Monday, the storm had passed.",
        "Share prices fell 5% after the announcement.",
        "Most popular among voters was the tax cut.",
        "Source: a senior official told us the plan was scrapped after talks failed last week.",
        "Subscribers to the ferry pass rose by a third.",
        "What does this mean for the town?",
    ],
)
def test_false_positive_traps_stay_paragraphs(paragraph):
    doc = parse_text(f"The port reopened on Monday.\n\n{paragraph}\n\nTraffic is expected to recover.")
    assert kinds(doc)[1] == (paragraph, K.PARAGRAPH)


def test_a_paragraph_split_by_a_blank_line_is_not_a_heading():
    doc = parse_text(
        "The port reopened on Monday.\n\nThe minister said the plan would\n\ncost millions more."
    )
    assert doc.blocks[1].kind is K.PARAGRAPH


def test_first_block_is_a_headline_only_if_it_looks_like_one():
    assert parse_text("The port reopened on Monday.\n\nMore text here.").blocks[0].kind is K.PARAGRAPH
    doc = parse_text("Port reopens after three weeks of repairs\n\nThe port reopened on Monday.")
    assert (doc.blocks[0].kind, doc.blocks[0].reason) == (K.HEADLINE, "headline")


def test_all_caps_heading_and_short_title_case_question():
    doc = parse_text("The port reopened.\n\nWHAT HAPPENED\n\nIt flooded.\n\nWhat Comes Next?\n\nRepairs.")
    assert kind_of(doc, "WHAT HAPPENED") is K.HEADING
    assert kind_of(doc, "What Comes Next?") is K.HEADING


@pytest.mark.parametrize(
    "sentence",
    [
        'The mayor told the council that the budget was "balanced."',
        "The coach said his players had been \u201cexceptional.\u201d",
        "Pressed on the delay, she said only: 'We are working on it.'",
    ],
)
def test_a_sentence_ending_inside_quotation_marks_is_not_a_headline(sentence):
    doc = parse_text(sentence)
    assert kinds(doc) == [(sentence, K.PARAGRAPH)]


@pytest.mark.parametrize(
    "headline",
    ["Harbour dispute rumbles on as unions dig in", "Rivals close in", "Council presses on with toll bridge"],
)
def test_a_headline_may_end_on_the_particle_of_a_phrasal_verb(headline):
    doc = parse_text(f"{headline}\n\nThe port reopened on Monday after three weeks.")
    assert kinds(doc)[0] == (headline, K.HEADLINE)


def test_a_line_ending_on_a_dangling_preposition_is_still_not_a_headline():
    doc = parse_text("The ministers resumed the talks on\n\nMore text here.")
    assert doc.blocks[0].kind is K.PARAGRAPH


@pytest.mark.parametrize(
    "top",
    [
        # caption below its credit, among the furniture at the top
        [
            ("Ferry Strike Ends", K.HEADLINE),
            ("By Jane Roe", K.BYLINE),
            ("Photo: Tom Reid/Northwind", K.IMAGE_CREDIT),
            ("Passengers board the first ferry in Dover on Monday.", K.CAPTION),
        ],
        # caption above its credit
        [
            ("Ferry Strike Ends", K.HEADLINE),
            ("A deckhand casts off the mooring lines at the harbour in Calais.", K.CAPTION),
            ("(Photo by Tom Reid/Getty Images)", K.IMAGE_CREDIT),
        ],
        # a caption that ends on a date, with no credit line at all
        [
            ("Ferry Strike Ends", K.HEADLINE),
            ("Lorries queue for the port on the A20 near Folkestone, 14 July 2025.", K.CAPTION),
            ("By Jane Roe", K.BYLINE),
        ],
    ],
)
def test_captions_on_their_own_line_at_the_top(top):
    body = "DOVER \u2014 Ferry workers ended their strike on Monday. Services resumed within hours."
    doc = parse_text("\n\n".join(line for line, _ in top) + "\n\n" + body)
    assert kinds(doc) == [*top, (body, K.PARAGRAPH)]
    assert all(b.reason == "photo caption" for b in doc.blocks if b.kind is K.CAPTION)


@pytest.mark.parametrize(
    "paragraph",
    [
        "DOVER \u2014 Ferry workers ended their strike in Dover on Monday.",  # a lede in the past tense
        "The port is expected to reopen in Dover on Monday.",  # looks ahead
        "Unions say the strike in Dover will go on.",  # reports
        "Ticket sales at the port in Dover rose 12% on Monday.",  # figures
        "The strike continues in Dover. Talks resume on Monday.",  # two sentences
        "Talks resume in Dover on Monday.",  # no credit next to it
    ],
)
def test_a_one_sentence_lede_after_the_credit_stays_a_paragraph(paragraph):
    credit = "" if paragraph.startswith("Talks resume") else "Photo: Tom Reid/Northwind\n\n"
    doc = parse_text(f"Ferry Strike Ends\n\n{credit}{paragraph}\n\nMore text follows here.")
    assert kind_of(doc, paragraph) is K.PARAGRAPH


def test_a_paragraph_after_a_credit_inside_the_body_stays_a_paragraph():
    # Credits that open a section whose picture lost its caption (as in the sample article).
    body = (
        "The port reopened on Monday after three weeks.\n\n"
        "What Comes Next\n\n"
        "Credit: Northwind\n\n"
        "The new terminal opens to the public in Dover on Friday.\n\n"
        "Traffic is expected to recover.\n\n"
        "Image: Northwind\n\n"
        "Ferries leave the harbour in Dover every hour.\n\n"
        "Fares are unchanged."
    )
    doc = parse_text(body)
    assert kind_of(doc, "The new terminal opens to the public in Dover on Friday.") is K.PARAGRAPH
    assert kind_of(doc, "Ferries leave the harbour in Dover every hour.") is K.PARAGRAPH


def test_a_caption_with_its_credit_on_one_line():
    line = (
        "A fishing boat rests on the dry bed of the reservoir near Seville, Spain. "
        "Photograph: Jane Roe/Northwind via Getty Images"
    )
    doc = parse_text(f"Drought Empties Reservoirs\n\n{line}\n\nThe reservoir is at 9% of capacity.")
    assert (doc.blocks[1].kind, doc.blocks[1].reason) == (K.CAPTION, "photo caption")
    assert doc.text[doc.blocks[1].start : doc.blocks[1].end] == line


@pytest.mark.parametrize(
    "bio",
    [
        "Tom Reid is the Harbour Gazette's transport correspondent, based in Dover.",
        "Tom Reid is Harbour Gazette News's southern England reporter. He has covered the port since 2015.",
        "Tom Reid is the Gazette's senior economics editor.\n\nHe previously worked for a wire service.",
    ],
)
def test_bio_with_a_possessive_publication_and_the_sentence_after_it(bio):
    doc = parse_text(f"The port reopened on Monday.\n\nTraffic is expected to recover.\n\n{bio}")
    assert [b.reason for b in doc.blocks[2:]] == ["author bio"] * (bio.count("\n\n") + 1)
    assert doc.blocks[1].kind is K.PARAGRAPH


def test_a_pronoun_paragraph_after_a_body_paragraph_is_not_a_bio():
    doc = parse_text("The port reopened on Monday.\n\nShe said the port would stay open.")
    assert doc.blocks[1].kind is K.PARAGRAPH


def test_bulleted_lines_are_list_items():
    doc = parse_text("The plan has three parts.\n\n- A new wall\n- A pump station\n- Higher roads")
    assert kinds(doc)[1:] == [
        ("- A new wall", K.LIST_ITEM),
        ("- A pump station", K.LIST_ITEM),
        ("- Higher roads", K.LIST_ITEM),
    ]


def test_empty_and_blank_text():
    assert parse_text("").blocks == ()
    assert parse_text(" \n\t\r\n").blocks == ()


# ---------------------------------------------------------------------------------------------
# HTML

HTML = """<!DOCTYPE html>
<html><head><title>Not shown</title><style>p { color: red }</style></head>
<body><article>
<h1>Harbour   Town &amp; the Sea</h1>
<p>By Priya Natarajan</p>
<p>The council voted <b>six</b> to one, <a href="https://example.org/minutes">according to
   the <i>minutes</i></a>, on a caf&eacute; terrace&nbsp;downtown.</p>
<!-- <p>A commented-out paragraph.</p> -->
<script>document.write("<p>injected</p>")</script>
<noscript>Turn on scripts.</noscript>
<template><p>A template.</p></template>
<figure><img src="wall.jpg" alt="The wall"><figcaption>The wall after the storm.</figcaption></figure>
<figure><figcaption>Photo: Northwind Agency</figcaption></figure>
<h2>What Comes Next</h2>
<p>Work starts in May.<br>It takes two years.</p>
<blockquote><p>&ldquo;We will rebuild,&rdquo; the mayor said.</p></blockquote>
<ul>
  <li>A new wall
    <ol><li>Phase one</li><li>Phase two</li></ol>
  </li>
  <li>A pump station, see <a href="/pumps">the plan</a></li>
</ul>
<p>Read more: How other towns paid</p>
</article></body></html>"""


def test_html_article_blocks():
    doc = parse_html(HTML)
    assert kinds(doc) == [
        ("Harbour Town & the Sea", K.HEADLINE),
        ("By Priya Natarajan", K.BYLINE),
        (
            "The council voted six to one, according to the minutes, on a caf\u00e9 terrace downtown.",
            K.PARAGRAPH,
        ),
        ("The wall after the storm.", K.CAPTION),
        ("Photo: Northwind Agency", K.IMAGE_CREDIT),
        ("What Comes Next", K.HEADING),
        ("Work starts in May.\nIt takes two years.", K.PARAGRAPH),
        ("\u201cWe will rebuild,\u201d the mayor said.", K.QUOTATION),
        ("A new wall", K.LIST_ITEM),
        ("Phase one", K.LIST_ITEM),
        ("Phase two", K.LIST_ITEM),
        ("A pump station, see the plan", K.LIST_ITEM),
        ("Read more: How other towns paid", K.PROMO),
    ]
    assert "\n\n".join(text for text, _kind in kinds(doc)) == doc.text
    assert_invariants(doc)


def test_html_drops_scripts_styles_comments_and_head():
    doc = parse_html(HTML)
    for hidden in ("Not shown", "color", "commented-out", "injected", "Turn on scripts", "A template"):
        assert hidden not in doc.text


def test_html_links_cover_their_anchor_text():
    doc = parse_html(HTML)
    assert [(link.href, doc.text[link.start : link.end]) for link in doc.links] == [
        ("https://example.org/minutes", "according to the minutes"),
        ("/pumps", "the plan"),
    ]


def test_html_link_without_text_or_href_is_not_a_link():
    doc = parse_html('<p>See <a href="/x"><img src="i.png"></a> and <a name="n">here</a>.</p>')
    assert doc.links == ()
    assert doc.text == "See and here."


def test_html_source_lines():
    doc = parse_html(HTML)
    lines = HTML.split("\n")
    for block in doc.blocks:
        first_word = doc.text[block.start : block.end].split()[0]
        assert first_word.strip("\u201c,") in lines[block.source_line - 1].replace("&ldquo;", "")


def test_html_double_br_splits_and_glued_credit():
    doc = parse_html("<p>Credit: Jane Roe<br>The ferry runs again.<br><br>\n<br>Fares are unchanged.</p>")
    assert kinds(doc) == [
        ("Credit: Jane Roe", K.IMAGE_CREDIT),
        ("The ferry runs again.", K.PARAGRAPH),
        ("Fares are unchanged.", K.PARAGRAPH),
    ]


def test_html_headline_is_the_first_heading_when_there_is_no_h1():
    doc = parse_html("<h2>Port Reopens</h2><p>The port reopened.</p><h2>Why It Closed</h2><p>It flooded.</p>")
    assert [b.kind for b in doc.blocks] == [K.HEADLINE, K.PARAGRAPH, K.HEADING, K.PARAGRAPH]


def test_html_containers_and_loose_text():
    doc = parse_html("<div>Loose text <span>here.</span><section><p>Inner.</p></section>Tail text.</div>")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == ["Loose text here.", "Inner.", "Tail text."]


def test_html_figcaption_and_bio():
    doc = parse_html(
        "<p>The port reopened on Monday.</p>"
        "<figure><figcaption>Credit: Jane Roe</figcaption></figure>"
        "<p>Lee Chen is a reporter for the Harbour Gazette.</p>"
    )
    assert [(b.kind, b.reason) for b in doc.blocks] == [
        (K.PARAGRAPH, ""),
        (K.IMAGE_CREDIT, "image credit"),
        (K.BYLINE, "author bio"),
    ]


def test_html_entities_are_decoded():
    doc = parse_html("<p>Fish &amp; chips cost &pound;5 &mdash; &#8220;cheap&#x201D;, he said&#46;</p>")
    assert doc.text == "Fish & chips cost \u00a35 \u2014 \u201ccheap\u201d, he said."


@pytest.mark.parametrize("body", ["", "   ", "<!-- only a comment -->", "<script>x()</script>", "<p></p>"])
def test_html_without_text(body):
    doc = parse_html(body)
    assert (doc.text, doc.blocks, doc.links) == ("", (), ())


def test_parse_dispatches_on_format():
    assert parse("<p>Hello there.</p>", "html").text == "Hello there."
    assert parse("<p>Hello there.</p>", "text").text == "<p>Hello there.</p>"
    with pytest.raises(ValueError, match="markdown"):
        parse("Hello", "markdown")


# ---------------------------------------------------------------------------------------------
# Properties

TEXT_PIECES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "\r\n",
            "\r",
            " \t\n",
            "\u2028",
            "\x00",
            "\x1c",
            "\u00a0",
            "Credit: X",
            "Creddit: Y\n",
            "By Jane Doe",
            "Read more",
            "PARIS, FRANCE \u2013 Feb 1, 2020: caption \u2014 Photo by z",
            "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
            "\U0001f600\U0001f1eb\U0001f1f7",
            "A Title Case Line",
            "x" * 5000,
            "word " * 400,
            "- item\n- item",
        ]
    ),
)
HTML_PIECES = st.one_of(
    TEXT_PIECES,
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<br>",
            "<br/>",
            "<h1>",
            "</h1>",
            "<h3>",
            "<a href='u'>",
            '<a href="v">',
            "</a>",
            "<ul><li>",
            "</li>",
            "</ul>",
            "<blockquote>",
            "</blockquote>",
            "<figure><figcaption>",
            "</figcaption></figure>",
            "<script>",
            "</script>",
            "<style>",
            "<!--",
            "-->",
            "<div>",
            "</div>",
            "&amp;",
            "&nbsp;",
            "&#0;",
            "&bogus;",
            "<",
            ">",
            "<![CDATA[x]]>",
            "<?php echo 1 ?>",
            "<template>",
            "<b><i>",
            "</b>",
        ]
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(TEXT_PIECES, max_size=12).map("".join))
def test_parse_text_invariants(text):
    doc = parse_text(text)
    assert doc.text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert_invariants(doc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(HTML_PIECES, max_size=25).map("".join))
def test_parse_html_invariants(html):
    doc = parse_html(html)
    assert_invariants(doc)
    assert "\n\n\n" not in doc.text
    assert doc.text == doc.text.strip()


def parsed_outcome(html: str, max_text_chars: int | None):
    """What the parser makes of ``html``: whether its document has text, or the refusal's message."""
    try:
        return bool(parse_html(html, main_text=False, max_text_chars=max_text_chars).text.strip())
    except HtmlRejected as refused:
        return str(refused)


def checked_outcome(html: str, max_text_chars: int | None):
    try:
        return html_has_text(html, max_text_chars=max_text_chars)
    except HtmlRejected as refused:
        return str(refused)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(HTML_PIECES, max_size=25).map("".join), st.sampled_from([None, 1, 40, 600]))
def test_the_check_of_a_page_agrees_with_its_parse(html, max_text_chars):
    """The request checks a page without building its blocks; it must refuse exactly what the parse
    refuses, with the same message, and find text exactly where the parse does."""
    assert checked_outcome(html, max_text_chars) == parsed_outcome(html, max_text_chars)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head><body> </body></html>",
        "<svg><text>drawn</text></svg><select><option>one</option></select>",
        "<p></p><iframe>framed</iframe>tail after the frame",
        "<div>" * 3000 + "deep" + "</div>" * 3000,
        "<p>" + "word " * 50 + "</p>",
    ],
)
def test_the_check_of_a_page_agrees_with_its_parse_on_edge_cases(html):
    for limit in (None, 100):
        assert checked_outcome(html, limit) == parsed_outcome(html, limit)


# libxml2 replaces control characters and non-characters with U+FFFD, so anchors avoid them.
HTML_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cn"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(HTML_CHARS, max_size=30), st.text(HTML_CHARS, min_size=1, max_size=30)), max_size=6
    )
)
def test_html_link_ranges_hold_their_anchor_text(pairs):
    from html import escape

    body = "".join(
        f"<p>{escape(before)}<a href='/{i}'>{escape(anchor)}</a></p>"
        for i, (before, anchor) in enumerate(pairs)
    )
    doc = parse_html(body)
    assert_invariants(doc)
    expected = [(f"/{i}", " ".join(anchor.split())) for i, (_before, anchor) in enumerate(pairs)]
    expected = [(href, text) for href, text in expected if text]
    assert [(link.href, doc.text[link.start : link.end]) for link in doc.links] == expected


def test_html_navigation_table_rows_and_footer():
    doc = parse_html(
        "<nav><ul><li><a href='/'>Home</a></li></ul></nav><h1>Port Reopens</h1>"
        "<table><tr><th>Ships</th><th>Waiting</th></tr><tr><td>Tankers</td><td>12</td></tr></table>"
        "<footer><p>&copy; 2024 Harbour Gazette</p></footer>"
    )
    assert kinds(doc) == [
        ("Home", K.FURNITURE),
        ("Port Reopens", K.HEADLINE),
        ("Ships Waiting", K.TABLE),
        ("Tankers 12", K.TABLE),
        ("\u00a9 2024 Harbour Gazette", K.FURNITURE),
    ]
    assert [block.reason for block in doc.blocks] == [
        "navigation or menu",
        "headline",
        "data table: a table row is not a sentence",
        "data table: a table row is not a sentence",
        "page footer",
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Image caption, Volunteers sort donated food at the depot in Leeds", K.CAPTION),
        ("Media caption, The mayor explains why the bridge was closed", K.CAPTION),
        ("Video caption, Drone footage shows the flooded valley", K.CAPTION),
        ("Image source, Northwind Agency", K.IMAGE_CREDIT),
        ("Image source, Reuters", K.IMAGE_CREDIT),
        ("Caption: Volunteers sort donated food at the depot", K.CAPTION),
        ("Photo caption: The old mill before the fire", K.CAPTION),
        ("Pictured: The old mill before the fire", K.CAPTION),
    ],
)
def test_labelled_captions_and_sources(line, kind):
    doc = parse_text(f"Food Banks Stretched\n\n{line}\n\nDemand at food banks rose by a third this winter.")
    assert kind_of(doc, line) is kind


@pytest.mark.parametrize(
    "question", ["How did the ferry sink?", "Who pays for the repairs?", "Is the water safe to drink?"]
)
def test_a_short_question_answered_by_the_next_paragraph_is_a_heading(question):
    answer = "The inquiry found that a cargo door was left open as the ferry left the harbour at night."
    doc = parse_text(f"The port reopened on Monday.\n\n{question}\n\n{answer}")
    assert (kind_of(doc, question), kind_of(doc, answer)) == (K.HEADING, K.PARAGRAPH)


@pytest.mark.parametrize(
    "question",
    [
        "Why should we pay for their mistakes?",  # first person: a rhetorical question in an op-ed
        '"Who is going to pay for this?"',  # a quotation
        "So who will pay for the repairs in the end, now that the insurer has pulled out?",  # long
        "Who pays for the repairs?\nNobody knows.",  # not alone
    ],
)
def test_questions_that_are_not_headings_stay_paragraphs(question):
    answer = "The inquiry found that a cargo door was left open as the ferry left the harbour at night."
    doc = parse_text(f"The port reopened on Monday.\n\n{question}\n\n{answer}")
    assert kind_of(doc, question) is K.PARAGRAPH


def test_a_question_followed_by_another_question_stays_a_paragraph():
    doc = parse_text(
        "The port reopened.\n\nWho pays for the repairs?\n\nAnd who checks that the work is done right?"
    )
    assert kind_of(doc, "Who pays for the repairs?") is K.PARAGRAPH


@pytest.mark.parametrize(
    "bio",
    [
        "About the author: Lina Haddad writes about housing for the Evening Courier.",
        "About the writer: Tom Reid has covered the courts for a decade. He lives in Bristol.",
        "The author is a former diplomat who now teaches at a university in Leiden.",
        "Contact the author at desk@example.org.",
        "Lina Haddad covers housing. She can be reached at lhaddad@example.org.",
    ],
)
def test_about_the_author_blocks_are_bios(bio):
    doc = parse_text(f"Rents rose again in March.\n\nThe council meets on Friday.\n\n{bio}")
    assert (kind_of(doc, bio), doc.blocks[-1].reason) == (K.BYLINE, "author bio")
    assert kind_of(doc, "The council meets on Friday.") is K.PARAGRAPH


def test_about_the_author_is_a_bio_anywhere():
    bio = "About the author: Lina Haddad writes about housing for the Evening Courier."
    doc = parse_text(f"Rents rose again in March.\n\n{bio}\n\nThe council meets on Friday.")
    assert kind_of(doc, bio) is K.BYLINE


def test_the_author_is_a_bio_only_at_the_end():
    review = "The author is best known for a memoir about her years at sea."
    doc = parse_text(f"A new novel is out.\n\n{review}\n\nIt sold well in its first week.")
    assert kind_of(doc, review) is K.PARAGRAPH


def test_an_unpunctuated_caption_next_to_its_credit():
    caption = "Engineers inspected the cracked span for six hours on Sunday"
    doc = parse_text(
        "Bridge Closed After Cracks Found\n\nBy Tom Reid\n\nUpdated 09:15 GMT, 3 March 2025\n\n"
        f"{caption}\n\nImage: Northwind Agency\n\n"
        "The bridge will stay shut until at least May, the council said."
    )
    assert kind_of(doc, caption) is K.CAPTION
    assert kind_of(doc, "The bridge will stay shut until at least May, the council said.") is K.PARAGRAPH


def test_a_paragraph_with_a_full_stop_above_a_credit_stays_a_paragraph():
    body = "The span will be rebuilt at a cost of 40 million pounds."
    doc = parse_text(
        f"The bridge closed.\n\nMore text here.\n\n{body}\n\nCredit: Northwind\n\nRepairs start soon."
    )
    assert kind_of(doc, body) is K.PARAGRAPH
