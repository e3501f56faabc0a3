import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.analysis.kinds import classify
from factcheck.analysis.types import ClaimKind


@pytest.mark.parametrize(
    "sentence",
    [
        "The council spent £4.2m on the scheme in 2023.",
        "Rail fares rose by 3% in January.",
        "The minister said the plant will close next spring.",
        "The mayor told the meeting it was a disgrace.",
        'The so-called "reform" cut spending by 3%.',
        "The will of the voters was clear.",
        "She asked whether the levy was fair.",
        "",
    ],
)
def test_statement(sentence):
    assert classify(sentence) is ClaimKind.STATEMENT


@pytest.mark.parametrize(
    "sentence",
    [
        "“We will not back down,” she said.",
        "“Why now?” the chairman asked.",
        "He told reporters: “The plan is dead and buried.”",
        '"The figures speak for themselves."',
        "According to the report, “the river has never been dirtier.”",
        "“We have done nothing wrong,” said Ana Ruiz, the firm's lawyer.",
        "“This is the start of something much bigger",
    ],
)
def test_quotation(sentence):
    assert classify(sentence) is ClaimKind.QUOTATION


def test_anything_in_a_blockquote_is_a_quotation():
    assert classify("Is the tram worth it?", in_quotation=True) is ClaimKind.QUOTATION
    assert classify("Turnout was 61%.", in_quotation=True) is ClaimKind.QUOTATION


@pytest.mark.parametrize(
    "sentence",
    ["Is the tram line worth the money?", "Who pays for the new bridge? ", "Will the tax go up?)"],
)
def test_question(sentence):
    assert classify(sentence) is ClaimKind.QUESTION


@pytest.mark.parametrize(
    "sentence",
    [
        "I think the mayor has lost the room.",
        "We believe the tax is unfair.",
        "In my view, the stadium was a mistake.",
        "It is a disgrace that the pool is still shut.",
        "The council should publish the audit.",
        "The decision was outrageous.",
        "I'm convinced the figures are wrong.",
    ],
)
def test_opinion(sentence):
    assert classify(sentence) is ClaimKind.OPINION


@pytest.mark.parametrize(
    "sentence",
    [
        "Unemployment is expected to rise to 5% next year.",
        "Growth will slow to 1.1% in 2026, the central bank forecasts.",
        "The cuts could lead to longer waiting lists.",
        "The new line is set to open in 2027.",
        "House prices are projected to fall.",
        "The factory won't reopen.",
    ],
)
def test_prediction(sentence):
    assert classify(sentence) is ClaimKind.PREDICTION


def test_a_short_scare_quote_is_not_a_quotation():
    assert classify("Critics call it a “stealth tax” on drivers.") is ClaimKind.STATEMENT


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_classify_accepts_any_text(sentence, in_quotation):
    kind = classify(sentence, in_quotation=in_quotation)
    assert isinstance(kind, ClaimKind)
    if in_quotation:
        assert kind is ClaimKind.QUOTATION


def _words_of(text: str) -> list[str]:
    return text.split()


# classify() skips the patterns whose words are not in the sentence (kinds._letter_runs); these texts glue
# those words to letters, digits, apostrophes and characters that case-fold oddly, to show that the
# shortcut never changes a kind.
_GATED_WORDS = st.sampled_from(
    [
        *_words_of("I we my our me frankly personally think believe am 'm in view to for is"),
        *_words_of("said says told announced according confirmed vowed will won't shall 'll they'll"),
        *_words_of("expected set going to on course track forecasts projects that predicted could may lead"),
        *_words_of("by 2030 next year coming should shouldn't ought must have disgrace a shame terrible"),
        *["\u201c", "\u201d", '"', ",", ":", "?", ".", "'", "\u2019", "_", "2", "\u00e9", "x", "-"],
        *["\u0130", "\u0131", "\u017f", "\u212a", "SAID", "WiLL", "\u017fhould", "I\u2019M"],
    ]
)
_GATED_TEXT = st.lists(st.tuples(_GATED_WORDS, st.sampled_from(["", " ", " ", "\n"])), max_size=25).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=500, deadline=None)
@given(_GATED_TEXT, st.booleans())
def test_skipping_patterns_never_changes_the_kind(sentence, in_quotation):
    from unittest import mock

    from factcheck.analysis import kinds

    fast = classify(sentence, in_quotation=in_quotation)
    with mock.patch.object(kinds, "_letter_runs", lambda _sentence: None):
        assert classify(sentence, in_quotation=in_quotation) is fast
