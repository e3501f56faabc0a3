"""factcheck/analysis/revisions.py: which sentence a revision edits, and whether the edit matters.

The pairs below are the measurements behind ``SAME_SENTENCE`` (docs/revisions.md gives the figures;
``bench/revision_pairs.py`` prints them).  ``EDITS`` are one sentence before and after an edit, with
what the rule must say of it; ``DIFFERENT`` are sentences that stand next to each other in one article
and must never be taken for one another.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.analysis import revisions
from factcheck.analysis.revisions import SAME_SENTENCE, compare, credits, match, similarity

#: (before, after, material?, which questions say so)
EDITS: list[tuple[str, str, bool, set[str]]] = [
    # Style edits: a verdict carries over.
    (
        "Crime fell 20 percent last year, the Home Office said.",
        "Crime fell 20 per cent last year, the Home Office said.",
        False,
        set(),
    ),
    ("Unemployment rose to 5.2% in March.", "Unemployment rose to 5.2 percent in March.", False, set()),
    (
        "The council approved a budget of $4.2 million on Tuesday.",
        "The council approved a budget of $4.2m on Tuesday.",
        False,
        set(),
    ),
    (
        "The mayor said the plan would cost twenty million pounds.",
        "The mayor says the plan would cost 20 million pounds.",
        False,
        set(),
    ),
    (
        "The goverment spent 3 billion on the scheme.",
        "The government spent 3 billion on the scheme.",
        False,
        set(),
    ),
    (
        "\u201cIt is a disgrace,\u201d said Jane Roe, the party\u2019s leader.",
        '"It is a disgrace," said Jane Roe, the party\'s leader.',
        False,
        set(),
    ),
    (
        "The bridge, built in 1932, carries 40,000 cars a day.",
        "Built in 1932, the bridge carries 40,000 cars a day.",
        False,
        set(),
    ),
    (
        "Exports to China grew by a third last year.",
        "Exports to China grew by a third over the last year.",
        False,
        set(),
    ),
    # Edits that could alter what was checked.
    ("Crime fell 20 percent last year.", "Crime fell 25 percent last year.", True, {"numbers"}),
    ("Crime fell 20 percent last year.", "Crime fell 20 percentage points last year.", True, {"numbers"}),
    ("The budget is $4.2 million.", "The budget is $4.2 billion.", True, {"numbers"}),
    ("Smith approved the plan on Tuesday.", "Jones approved the plan on Tuesday.", True, {"names"}),
    ("The minister did not sign the order.", "The minister signed the order.", True, {"negation"}),
    ("The minister signed the order.", "The minister hasn't signed the order.", True, {"negation"}),
    (
        "The mayor said the plan would cost £3m.",
        "The mayor denied the plan would cost £3m.",
        True,
        {"attribution"},
    ),
    (
        "Critics say the tax is too high.",
        "Economists at the IFS say the tax is too high.",
        True,
        {"names"},  # and the attribution, once the flags are given (test_a_flag_that_goes...)
    ),
]

#: Sentences next to each other in one article: never the same sentence.
DIFFERENT: list[tuple[str, str]] = [
    ("The council approved a budget of $4.2 million on Tuesday.", "Critics say it is too small."),
    ("Crime fell 20 percent last year.", "Burglaries fell 12 percent last year."),
    ("The minister signed the order on Monday.", "The minister met the unions on Friday."),
    ("Unemployment rose to 5.2% in March.", "Inflation fell to 3.1% in March."),
    ("The bridge carries 40,000 cars a day.", "The tunnel carries 25,000 cars a day."),
    ("Smith approved the plan on Tuesday.", "Jones rejected the plan on Wednesday."),
    ("The school has 900 pupils and 60 teachers.", "The school opened in 1974 with 300 pupils."),
    ("Exports to China grew by a third last year.", "Imports from China fell by a fifth last year."),
]


#: Edits too large to be taken for the same sentence: the claim is superseded and its rewrite is a new
#: claim, checked afresh (a clause moved to the front; a vague source replaced by a named one, which
#: the rewrite rule answers when the claim waits for attribution).
REWRITES = {
    "The bridge, built in 1932, carries 40,000 cars a day.",
    "Critics say the tax is too high.",
}


def test_the_threshold_keeps_small_edits_together():
    scores = {before: similarity(before, after) for before, after, _, _ in EDITS}
    assert all(score >= SAME_SENTENCE for before, score in scores.items() if before not in REWRITES), scores
    assert all(scores[before] < SAME_SENTENCE for before in REWRITES)


def test_different_sentences_taken_for_an_edit_go_back_to_review():
    """Parallel sentences ("Crime fell 20 percent" and "Burglaries fell 12 percent") can be as alike as
    an edit; every one that passes the threshold differs in a number or a name, which reopens it."""
    for before, after in DIFFERENT:
        if similarity(before, after) >= SAME_SENTENCE:
            assert compare(before, after).material, (before, after)
    assert max(similarity(a, b) for a, b in DIFFERENT) >= SAME_SENTENCE  # the case is real


@pytest.mark.parametrize(("before", "after", "material", "questions"), EDITS)
def test_each_edit_is_judged_by_the_rule(before, after, material, questions):
    change = compare(before, after)
    assert change.material is material
    said = {name for name in ("numbers", "names", "negation", "attribution") if getattr(change, name)}
    assert said == questions, change


def test_the_style_edit_of_the_issue_is_not_material():
    change = compare("Crime fell 20 percent last year.", "Crime fell 20 per cent last year.")
    assert not change.material and change.reasons == ()
    assert change.similarity > 0.9


def test_a_flag_that_goes_is_a_change_of_attribution():
    flags = [("vague_collective", "Critics")]
    assert compare("Critics say it.", "Critics say it.", old_flags=flags, new_flags=flags).attribution == ()
    assert compare("Critics say it.", "Critics say it.", old_flags=flags).attribution == (
        "vague_collective: critics removed",
    )


def test_matching_pairs_each_sentence_once_and_leaves_new_sentences_alone():
    old = ["Crime fell 20 percent last year.", "Critics say it is too small.", "The council voted 7 to 2."]
    new = [
        "The council voted 7 to 2 on Tuesday.",
        "Crime fell 20 per cent last year.",
        "A wholly new sentence about the weather.",
    ]
    assert match(old, new) == {1: 0, 0: 2}


def test_matching_prefers_the_closest_of_two_similar_sentences():
    old = ["Crime fell 20 percent in 2023.", "Crime fell 20 percent in 2024."]
    assert match(old, ["Crime fell 20 per cent in 2024."]) == {0: 1}


def test_a_rewrite_that_names_the_source_credits_it():
    old = "Experts say the new policy cut crime by 20 percent."
    new = "A Home Office study published in March found the new policy cut crime by 20 percent."
    assert similarity(old, new) < SAME_SENTENCE  # a rewrite, not an edit
    assert credits(old, new, old_flags=[("anonymous_experts", "Experts")], new_flags=[])
    # Still vague in the same way: no credit.
    assert not credits(
        old,
        "Many experts say the new policy cut crime by 20 percent.",
        old_flags=[("anonymous_experts", "Experts")],
        new_flags=[("anonymous_experts", "Many experts")],
    )
    # Another claim altogether: no credit, whoever it names.
    assert not credits(
        old,
        "The Home Office said on Monday that prisons are full.",
        old_flags=[("anonymous_experts", "Experts")],
        new_flags=[],
    )
    # A sentence that was never flagged has nothing to credit.
    assert not credits(old, new, old_flags=[], new_flags=[])


def test_the_diff_names_what_went_and_what_came():
    assert revisions.diff("Crime fell 20 percent.", "Crime fell 20 per cent.") == [
        ("equal", "Crime fell 20 "),
        ("delete", "percent."),
        ("insert", "per cent."),
    ]


@given(st.text(max_size=200), st.text(max_size=200))
def test_any_pair_of_texts_is_compared_without_error(a, b):
    change = compare(a, b)
    assert 0.0 <= change.similarity <= 1.0
    pieces = revisions.diff(a, b)
    assert "".join(text for op, text in pieces if op != "insert") == a
    assert "".join(text for op, text in pieces if op != "delete") == b
    if a == b:
        assert not change.material
