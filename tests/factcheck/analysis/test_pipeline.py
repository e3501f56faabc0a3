"""Tests for factcheck.analysis.pipeline: what analyze refuses, and the contract of every Analysis."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.analysis.blocks import parse
from factcheck.analysis.pipeline import InputRejected, analyze
from factcheck.analysis.types import Analysis, ClaimKind

SAMPLE = Path(__file__).resolve().parents[3] / "factcheck" / "fixtures" / "sample_article.txt"

# ---------------------------------------------------------------------------------------------
# What analyze refuses


@pytest.mark.parametrize("fmt", ["text", "html"])
@pytest.mark.parametrize("body", ["", " ", "\n\n\n", " \t\r\n\u00a0\u2028\u3000 "])
def test_empty_and_white_space_only_articles_are_refused(body, fmt):
    with pytest.raises(InputRejected, match=r"^The article is empty: there is nothing to check\.$"):
        analyze(body, fmt=fmt)


@pytest.mark.parametrize("body", ["<p> </p>", "<script>alert(1)</script>", "<!-- nothing -->", "<br><br>"])
def test_html_without_visible_text_is_refused(body):
    with pytest.raises(InputRejected, match="no text once its markup is removed"):
        analyze(body, fmt="html")


def test_an_article_over_the_limit_is_refused_with_the_limit_in_the_message():
    with pytest.raises(InputRejected) as refused:
        analyze("Officials said the bridge will reopen. " * 30, max_chars=1_000)
    assert str(refused.value) == "The article is 1,170 characters long; the limit is 1,000 characters."


def test_an_article_at_the_limit_is_analysed():
    body = "The bridge reopened on Monday."
    assert analyze(body, max_chars=len(body)).claims[0].text == body


@pytest.mark.parametrize("fmt", ["markdown", "TEXT", "", "htm"])
def test_an_unknown_format_is_refused(fmt):
    with pytest.raises(InputRejected) as refused:
        analyze("The bridge reopened on Monday.", fmt=fmt)
    assert str(refused.value) == f"Unknown body format {fmt!r}: use one of text, html."


def test_a_body_that_is_not_text_is_refused():
    with pytest.raises(InputRejected, match="must be text"):
        analyze(b"The bridge reopened.")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The contract of every analysis, on arbitrary input

_NEWS = st.sampled_from(
    [
        "Analysts say the merger will fail.",
        "Some believe the mayor lied.",
        "It is understood that talks broke down.",
        "According to sources, the deal is off.",
        "Officials, speaking on condition of anonymity, said so.",
        '"We will not back down," she said.',
        "Is this the end?",
        "Credit: Jane Doe/Reuters",
        "By John Smith",
        "Read more: Other stories",
        "Dr. Ilse Brandt of the U.S. Army said 3.5 p.c. rose.",
        "1. First item\n2. Second item",
        "\u2022 a bullet",
        "\u201cQuoted,\u201d he said.",
        "Reportedly, critics at Moody\u2019s disagree.",
        "Jane Roe is a reporter who covers politics.",
    ]
)
_ODD = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\n" * 7,
        "\r\n",
        "\r",
        " ",
        "\t",
        "\u00a0",
        "\u2028",
        "\u2029",
        "\x0b",
        "\x0c",
        "\x85",
        "\x00",
        "\x1c",
        "\u200b",
        "\u200f",
        "\u202e",
        "\u0645\u0631\u062d\u0628\u0627",  # Arabic
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
        "\U0001f600",
        "\U0001f469\u200d\U0001f4bb",
        "\ufe0f",
        "\u0301",
        "\ufffd",
        "\u0130\u0131\u017f\u212a",
        ".",
        "...",
        "\u2026",
        "?!",
        '"',
        "'",
        "\u201c",
        "\u201d",
        "\u2019",
        "(",
        ")",
        "[",
        "]",
        "--",
        "\u2014",
        ":",
        ";",
        ",",
        "<p>",
        "</p>",
        "<br>",
        "<br/><br/>",
        "<h1>",
        "</h1>",
        "<h2>",
        "<blockquote>",
        "</blockquote>",
        "<li>",
        "<a href='/x'>",
        "</a>",
        "<figcaption>",
        "</figcaption>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<",
        ">",
        "&amp;",
        "&nbsp;",
        "&#0;",
        "<![CDATA[x]]>",
    ]
)
_LONG_LINE = st.builds(
    lambda word, n: (word + " ") * n, st.sampled_from(["word", "analysts say", "x."]), st.integers(100, 600)
)
_PIECE = st.one_of(_NEWS, _ODD, _ODD, st.text(max_size=12), _LONG_LINE)
_BODY = st.one_of(st.text(), st.lists(_PIECE, max_size=40).map("".join))


def assert_contract(analysis: Analysis) -> None:
    text = analysis.text
    claims, excluded = analysis.claims, analysis.excluded
    assert [c.index for c in claims] == list(range(len(claims)))
    for c in claims:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end] == c.text
        assert isinstance(c.kind, ClaimKind)
        assert 0.0 <= c.checkworthiness <= 1.0
        for f in c.flags:
            assert c.start <= f.start < f.end <= c.end
            assert text[f.start : f.end] == f.cue
    for e in excluded:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text
    for items in (claims, excluded):
        assert all(a.end <= b.start for a, b in itertools.pairwise(items)), "out of order or overlapping"
    # Claims and excluded blocks never overlap, and together hold every character but white space, once.
    ranges = sorted([(c.start, c.end) for c in claims] + [(e.start, e.end) for e in excluded])
    covered = 0
    for start, end in ranges:
        assert start >= covered, f"{(start, end)} overlaps what comes before it"
        assert not text[covered:start].strip(), (
            f"{text[covered:start]!r} is in no claim and no excluded block"
        )
        covered = end
    assert not text[covered:].strip(), f"{text[covered:]!r} is in no claim and no excluded block"
    paragraphs = [c.paragraph for c in claims]
    assert all(0 <= b - a <= 1 for a, b in itertools.pairwise([0, *paragraphs]))
    for link in analysis.links:
        assert 0 <= link.start < link.end <= len(text)
    json.dumps(analysis.as_dict())


def check(body: str, fmt: str) -> None:
    try:
        analysis = analyze(body, fmt=fmt)
    except InputRejected:
        # Refused only when there is no text to check.
        assert not body.strip() or (fmt == "html" and not parse(body, "html").text.strip())
        return
    assert body.strip()
    assert_contract(analysis)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BODY)
def test_any_plain_text_gives_a_consistent_analysis_or_a_clear_refusal(body):
    check(body, "text")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BODY)
def test_any_html_gives_a_consistent_analysis_or_a_clear_refusal(body):
    check(body, "html")


def test_plain_text_is_never_refused_when_it_has_a_visible_character():
    for body in ["x", "\u200b", "\x00", "\U0001f600", "<p></p>", "\u202e"]:
        assert analyze(body).text == body


def test_sample_article_keeps_the_contract():
    article = SAMPLE.read_text(encoding="utf-8")
    analysis = analyze(article)
    assert_contract(analysis)
    assert analysis.claims and analysis.excluded and any(c.flags for c in analysis.claims)
    html = "<article><p>" + article.replace("\n\n", "</p>\n<p>") + "</p></article>"
    assert_contract(analyze(html, fmt="html"))
