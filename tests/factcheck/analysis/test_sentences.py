"""Tests for factcheck.analysis.sentences: news-style examples and the span contract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.analysis.sentences import split, split_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The U.S. Treasury sold $40 billion of notes. Demand was weak.",
            ["The U.S. Treasury sold $40 billion of notes.", "Demand was weak."],
            id="dotted-abbreviation-inside",
        ),
        pytest.param(
            "The aid arrived from the U.S. Then the convoy left.",
            ["The aid arrived from the U.S.", "Then the convoy left."],
            id="dotted-abbreviation-at-end",
        ),
        pytest.param(
            "Sen. Ada Whitcombe and Gen. Paul Ferrand met Dr. Ilse Brandt on Feb. 12 in Geneva.",
            ["Sen. Ada Whitcombe and Gen. Paul Ferrand met Dr. Ilse Brandt on Feb. 12 in Geneva."],
            id="titles-and-month",
        ),
        pytest.param(
            "The contract went to Halvorsen Inc. The losing bidder plans to appeal.",
            ["The contract went to Halvorsen Inc.", "The losing bidder plans to appeal."],
            id="company-suffix-at-end",
        ),
        pytest.param(
            "Martin Ruiz Jr. said the vote at St. Anne's School was fair.",
            ["Martin Ruiz Jr. said the vote at St. Anne's School was fair."],
            id="jr-and-saint",
        ),
        pytest.param(
            "A biography of J. R. R. Tolkien topped the list. Sales doubled.",
            ["A biography of J. R. R. Tolkien topped the list.", "Sales doubled."],
            id="initials",
        ),
        pytest.param(
            "Inflation slowed to 2.4 percent in March. Wages rose 3.1 percent.",
            ["Inflation slowed to 2.4 percent in March.", "Wages rose 3.1 percent."],
            id="decimals",
        ),
        pytest.param(
            "The fund holds $1.25 billion. Its manager declined to comment.",
            ["The fund holds $1.25 billion.", "Its manager declined to comment."],
            id="money",
        ),
        pytest.param(
            "He is ranked No. 4 in the world. His rival is No. 9.",
            ["He is ranked No. 4 in the world.", "His rival is No. 9."],
            id="number-abbreviation",
        ),
        pytest.param(
            "The polls close at 8 p.m. Results are expected overnight.",
            ["The polls close at 8 p.m.", "Results are expected overnight."],
            id="time-at-end",
        ),
        pytest.param(
            "The hearing resumes at 9 a.m. Thursday in Room 4.",
            ["The hearing resumes at 9 a.m. Thursday in Room 4."],
            id="time-before-weekday",
        ),
        pytest.param(
            "The minister hesitated... Then she signed the order.",
            ["The minister hesitated...", "Then she signed the order."],
            id="ellipsis-then-capital",
        ),
        pytest.param(
            "Prices rose, fell… and rose again. Traders were puzzled.",
            ["Prices rose, fell… and rose again.", "Traders were puzzled."],
            id="ellipsis-inside-sentence",
        ),
        pytest.param(
            'The statute reads: "no vessel shall . . . enter the harbour" after dark.',
            ['The statute reads: "no vessel shall . . . enter the harbour" after dark.'],
            id="spaced-ellipsis",
        ),
        pytest.param(
            '"The bridge is safe." Engineers disagreed with the mayor.',
            ['"The bridge is safe."', "Engineers disagreed with the mayor."],
            id="closing-quote-kept",
        ),
        pytest.param(
            "“We will rebuild,” the governor said. “It will take years.”",
            ["“We will rebuild,” the governor said.", "“It will take years.”"],
            id="curly-quotes",
        ),
        pytest.param(
            '"It is over. We lost," the coach said after the match.',
            ['"It is over. We lost," the coach said after the match.'],
            id="no-break-inside-short-quote",
        ),
        pytest.param(
            "Turnout was low. (Rain fell all day.) Officials blamed the weather.",
            ["Turnout was low.", "(Rain fell all day.)", "Officials blamed the weather."],
            id="parenthesised-sentence",
        ),
        pytest.param(
            "The agency (founded in 1971.) closed its office in town.",
            ["The agency (founded in 1971.) closed its office in town."],
            id="period-inside-parenthesis",
        ),
        pytest.param(
            "LISBON — The central bank raised rates on Thursday. Markets fell.",
            ["LISBON — The central bank raised rates on Thursday.", "Markets fell."],
            id="dateline",
        ),
        pytest.param(
            "OSLO (Reuters) — Norway's wealth fund posted a record gain.",
            ["OSLO (Reuters) — Norway's wealth fund posted a record gain."],
            id="dateline-with-agency",
        ),
        pytest.param(
            "SPRINGFIELD, Ill. (AP) — The state senate adjourned early.",
            ["SPRINGFIELD, Ill. (AP) — The state senate adjourned early."],
            id="dateline-with-state",
        ),
        pytest.param(
            "TALLINN —\nEstonia opened a new border post on Monday.",
            ["TALLINN —\nEstonia opened a new border post on Monday."],
            id="dateline-on-its-own-line",
        ),
        pytest.param(
            "The council set three goals: 1. Fix the roads. 2. Hire teachers. 3. Cut fees.",
            ["The council set three goals:", "1. Fix the roads.", "2. Hire teachers.", "3. Cut fees."],
            id="numbered-list",
        ),
        pytest.param(
            "Read the report at https://example.org/audit-2023.html. It runs to 80 pages.",
            ["Read the report at https://example.org/audit-2023.html.", "It runs to 80 pages."],
            id="url",
        ),
        pytest.param(
            "Send tips to desk.editor@example.com. We read every message.",
            ["Send tips to desk.editor@example.com.", "We read every message."],
            id="email",
        ),
        pytest.param(
            "Did the ministry know? Nobody would say! The inquiry opens in May.",
            ["Did the ministry know?", "Nobody would say!", "The inquiry opens in May."],
            id="question-and-exclamation",
        ),
        pytest.param(
            "Heading of a page\n\nThe first paragraph starts here.",
            ["Heading of a page", "The first paragraph starts here."],
            id="blank-line",
        ),
    ],
)
def test_split_news_prose(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_spans_are_absolute_indices_into_the_text() -> None:
    text = "Intro. The mayor resigned. Her deputy took over. Outro."
    start = text.index("The")
    end = text.index(" Outro")
    spans = split_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["The mayor resigned.", "Her deputy took over."]
    assert spans[0][0] == start


def test_empty_and_blank_text() -> None:
    assert split_spans("") == []
    assert split_spans(" \n\t ") == []
    assert split_spans("Some text.", 5, 2) == []


_CHARS = st.characters(codec="utf-8") | st.sampled_from(
    list(
        ".!?\u2026\u3002\uff0e\"'\u201c\u201d\u2018\u2019()[]{}\u2022\u2043- "
        "\n\r\t\x0b\x0c\x1c\x85\u2028\u2029\u200f\u202e\u00a0\U0001f600"
    )
)
_WORDS = st.sampled_from(
    [
        "U.S.",
        "Mr.",
        "Dr.",
        "Inc.",
        "a.m.",
        "No.",
        "1.",
        "a)",
        "J.",
        "e.g.",
        "3.5",
        "...",
        ". . .",
        "—",
        "http://x.y/z.",
    ]
)
_TEXT = st.text(_CHARS) | st.lists(_WORDS | st.text(_CHARS, max_size=8), max_size=40).map(" ".join)


def _check_contract(text: str, start: int, end: int) -> None:
    spans = split_spans(text, start, end)
    lo, hi, _ = slice(start, end).indices(len(text))
    previous_end = lo
    covered = set()
    for s, e in spans:
        assert lo <= s < e <= hi
        assert s >= previous_end, "spans must be sorted and must not overlap"
        assert not text[s].isspace() and not text[e - 1].isspace(), "spans must be trimmed"
        covered.update(range(s, e))
        previous_end = e
    for i in range(lo, hi):
        if not text[i].isspace():
            assert i in covered, f"non-space character {text[i]!r} at {i} is not in any span"


@given(_TEXT)
@settings(max_examples=400, deadline=None)
def test_contract_holds_for_any_text(text: str) -> None:
    _check_contract(text, 0, len(text))
    assert split(text) == [text[s:e] for s, e in split_spans(text)]


@given(_TEXT, st.integers(-50, 200), st.integers(-50, 200))
@settings(max_examples=300, deadline=None)
def test_contract_holds_for_sub_ranges(text: str, start: int, end: int) -> None:
    _check_contract(text, start, end)


@given(st.text(_CHARS, min_size=1, max_size=30), st.integers(1, 2000))
@settings(max_examples=30, deadline=None)
def test_long_lines_without_punctuation(chunk: str, times: int) -> None:
    text = ("word " * times) + chunk * 50
    _check_contract(text, 0, len(text))
