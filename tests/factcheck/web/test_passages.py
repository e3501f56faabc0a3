"""Passage matching: exact offsets, ranking, highlighted terms, normalised numbers and words."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from factcheck.web.passages import best_passages, content_terms

ARTICLE = """Council budget rises

The weather in the city was mild on Tuesday, and the market opened as usual.

The council said on Tuesday that its budget would rise to £4.2m next year, up from £3.9m this year.

Councillor Jane Smith said: "This is the largest increase in a decade." Residents were not convinced.

Roads will get 1,200 km of new surface. Libraries reopen in May.

Spending on the city's social care will grow by 20 per cent, the councils' papers show."""


def highlighted(passage):
    return [passage.text[start:end] for start, end in passage.terms]


def test_the_best_passage_comes_first_with_exact_offsets():
    passages = best_passages("The council's budget will rise to 4.2 million pounds next year", ARTICLE)
    assert passages, "the claim is in the text"
    best = passages[0]
    assert best.text == (
        "The council said on Tuesday that its budget would rise to £4.2m next year, up from £3.9m this year."
    )
    assert ARTICLE[best.start : best.end] == best.text
    assert highlighted(best) == ["council", "budget", "rise", "4.2m", "next", "year", "year"]
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for passage in passages:
        assert ARTICLE[passage.start : passage.end] == passage.text
        assert 0 < passage.relevance <= 1
        assert passage.terms


def test_passages_do_not_overlap_and_respect_the_limit():
    passages = best_passages("council budget city Tuesday", ARTICLE, limit=10)
    spans = sorted((p.start, p.end) for p in passages)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))
    assert len(best_passages("council budget city Tuesday", ARTICLE, limit=2)) == 2
    assert best_passages("council budget", ARTICLE, limit=0) == []


def test_numbers_match_however_they_are_written():
    text = "Turnout was 1200 voters. The deficit reached 4,200,000 pounds. Prices rose 20%."
    assert highlighted(best_passages("1,200 voters", text)[0]) == ["1200", "voters"]
    assert highlighted(best_passages("a deficit of 4.2m", text)[0]) == ["deficit", "4,200,000"]
    assert highlighted(best_passages("a deficit of £4.2 million", text)[0]) == ["deficit", "4,200,000"]
    assert highlighted(best_passages("prices rose 20 per cent", text)[0]) == ["Prices", "rose", "20", "%"]
    assert best_passages("1,201 voters", text)[0].terms == [
        (len("Turnout was 1200 "), len("Turnout was 1200 voters"))
    ]
    assert content_terms("4.2bn, 4.20 billion, 4,200m and 4200000000") == ["4200000000"]
    assert content_terms("3.5 thousand, 3,500 and 3.5k") == ["3500"]


def test_plurals_and_possessives_fold_to_one_word():
    text = "The councils' budgets were cut. A county is not a city. The weather was fine."
    best = best_passages("the council's budget for cities", text)[0]
    assert best.text == "The councils' budgets were cut. A county is not a city."
    assert highlighted(best) == ["councils", "budgets", "city"]
    assert best.relevance == 1.0
    assert content_terms("The council's budgets for cities and taxes") == ["council", "budget", "city", "tax"]


def test_a_passage_is_made_of_consecutive_sentences_when_they_all_match():
    text = (
        "Nothing here. The mayor promised new housing. The housing plan costs 3m. "
        "Unrelated sentence about sport. Another one about weather."
    )
    best = best_passages("mayor housing plan 3m", text)[0]
    assert best.text == "The mayor promised new housing. The housing plan costs 3m."
    assert highlighted(best) == ["mayor", "housing", "housing", "plan", "3m"]


def test_a_passage_covering_the_whole_claim_has_full_relevance():
    text = "Spending on social care will grow by 20 per cent. The weather was fine."
    full = best_passages("Social care spending will grow 20%", text)[0]
    assert full.relevance == 1.0
    partial = best_passages("Social care spending will shrink by half in Leeds", text)[0]
    assert 0 < partial.relevance < 1


def test_nothing_is_returned_without_a_matching_word():
    assert best_passages("zebra crossings in Narnia", ARTICLE) == []
    assert best_passages("the and of it", ARTICLE) == []  # no content words
    assert best_passages("council budget", "") == []
    assert best_passages("council budget", "   \n\n  ") == []
    assert best_passages("", ARTICLE) == []


def test_a_very_long_sentence_is_cut_into_pieces():
    filler = " ".join(["lorem"] * 400)
    text = f"{filler} the hospital waiting list grew {filler}."
    best = best_passages("hospital waiting list", text)[0]
    assert "hospital waiting list" in best.text
    assert len(best.text) <= 1000
    assert text[best.start : best.end] == best.text


WORDS = st.sampled_from(
    [
        "council",
        "budget",
        "rise",
        "4.2m",
        "4,200,000",
        "1,200",
        "city",
        "cities",
        "the",
        "of",
        "20%",
        "per",
        "cent",
    ]
)
SEPARATORS = st.sampled_from([" ", ". ", "\n", "\n\n", ", ", "! ", " \u2014 ", "? "])


@settings(max_examples=150, deadline=None)
@example(text="per\ncent ", claim="20%", limit=1)  # "per" and "cent" in two sentences: two words
@given(
    st.lists(st.tuples(WORDS, SEPARATORS), max_size=60).map(lambda pairs: "".join(w + s for w, s in pairs)),
    st.lists(WORDS, min_size=1, max_size=6).map(" ".join),
    st.integers(min_value=1, max_value=5),
)
def test_passages_are_exact_ranked_and_disjoint_for_any_text(text, claim, limit):
    passages = best_passages(claim, text, limit=limit)
    assert len(passages) <= limit
    wanted = set(content_terms(claim))
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert passage.terms and 0 <= passage.relevance <= 1
        for start, end in passage.terms:
            assert 0 <= start < end <= len(passage.text)
            assert set(content_terms(passage.text[start:end])) <= wanted
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    spans = sorted((p.start, p.end) for p in passages)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40))
def test_any_text_and_claim_are_handled(text, claim):
    for passage in best_passages(claim, text):
        assert text[passage.start : passage.end] == passage.text
