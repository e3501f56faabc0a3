"""Plain-text articles as newsrooms and archives send them: the title line and section labels are not
claims, and a text of one paragraph is all body, final full stop or not."""

from __future__ import annotations

import pytest

from factcheck.analysis.blocks import parse_text
from factcheck.analysis.pipeline import analyze
from factcheck.analysis.types import BlockKind

BODY = (
    "The harbour board voted on Tuesday to rebuild the northern sea wall, which storms breached twice last "
    "winter. Work is due to start in May and to take two years, the board said."
)


def claims(text: str) -> list[str]:
    return [claim.text for claim in analyze(text).claims]


def test_a_one_paragraph_text_without_a_final_full_stop_is_all_claims():
    analysis = analyze("The minister resigned on Monday. Analysts say the plan will fail")
    assert [claim.text for claim in analysis.claims] == [
        "The minister resigned on Monday.",
        "Analysts say the plan will fail",
    ]
    assert analysis.excluded == ()
    assert [flag.cue for flag in analysis.claims[1].flags] == ["Analysts"]


def test_a_one_line_text_that_reads_like_a_headline_is_still_a_claim():
    assert claims("Harbour Board Approves New Sea Wall") == ["Harbour Board Approves New Sea Wall"]


@pytest.mark.parametrize(
    "title",
    [
        "Harbour Board Backs New Sea Wall After Winter Storms.",  # Title Case, with a full stop
        "Sea wall vote: work on the northern defences starts in May.",  # the two halves of a headline
        "Harbour board backs the new sea wall.",  # short, above a much longer paragraph
        "Sea wall plan wins backing; \nBoard says the work will take two years.",  # title and subtitle
    ],
)
def test_the_title_line_of_a_text_article_is_not_a_claim(title):
    analysis = analyze(f"{title}\n\n{BODY}")
    assert [claim.text for claim in analysis.claims] == [
        "The harbour board voted on Tuesday to rebuild the northern sea wall, which storms breached twice "
        "last winter.",
        "Work is due to start in May and to take two years, the board said.",
    ]
    assert [item.reason for item in analysis.excluded] == ["headline"]


@pytest.mark.parametrize(
    "dateline",
    ["HARBOURTON (Reuters) \u2014 ", "PORT ELLIS, Maine, May 4 (AP) \u2014 ", "KELP ISLAND \u2013 "],
)
def test_the_line_above_a_wire_dateline_is_the_title(dateline):
    title = "Harbour board to rebuild the sea wall after two breaches in a winter."
    analysis = analyze(f"{title}\n\n{dateline}{BODY}")
    assert [(item.text, item.reason) for item in analysis.excluded] == [(title, "headline")]


def test_a_short_first_paragraph_of_prose_is_not_taken_for_a_title():
    text = "Experts warn the sea wall could fail.\n\nThe harbour board said the repairs had worked."
    assert claims(text) == [
        "Experts warn the sea wall could fail.",
        "The harbour board said the repairs had worked.",
    ]


def test_a_short_lede_that_opens_as_prose_does_is_not_taken_for_a_title():
    text = f"The harbour board resigned on Monday.\n\n{BODY}"
    assert claims(text)[0] == "The harbour board resigned on Monday."


def test_an_opening_quotation_is_not_a_title():
    text = f'"We will rebuild the wall," the mayor said.\n\n{BODY}'
    assert claims(text)[0] == '"We will rebuild the wall," the mayor said.'


@pytest.mark.parametrize("label", ["ABSTRACT.", "FULL TEXT.", "SUMMARY:", "LEAD"])
def test_section_labels_of_an_archive_are_not_claims(label):
    text = f"Harbour Board Backs New Sea Wall.\n\n{label}\n\n{BODY}\n\n{label}\n\n{BODY}"
    doc = parse_text(text)
    labels = [b for b in doc.blocks if doc.text[b.start : b.end] == label]
    assert len(labels) == 2
    assert {(b.kind, b.reason) for b in labels} == {(BlockKind.HEADING, "section label")}
    assert label not in claims(text)


def test_a_sentence_in_capitals_is_not_a_section_label():
    text = f"{BODY}\n\nTHE WALL WILL COST TEN MILLION EUROS."
    assert claims(text)[-1] == "THE WALL WILL COST TEN MILLION EUROS."
