import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.analysis import checkworthiness
from factcheck.analysis.checkworthiness import score


@pytest.mark.parametrize(
    ("factual", "vague"),
    [
        (
            "The county spent £4.2m on road repairs in 2023, up 18% on the year before.",
            "I think people here deserve better.",
        ),
        (
            "Unemployment in the region fell to 3.9% last quarter, the lowest since 2008.",
            "What a wonderful evening it has been.",
        ),
        (
            "The hospital trust treated 41,000 patients in A&E during December.",
            "Thank you all so much for coming.",
        ),
    ],
)
def test_figures_score_higher_than_vague_opinion(factual, vague):
    assert score(factual)[0] > score(vague)[0]


def test_a_sentence_full_of_figures_is_check_worthy_and_small_talk_is_not():
    assert score("The council cut its housing budget by 12% in 2022, saving £3.1 million.")[0] >= 0.5
    assert score("Thanks, it is good to be here.")[0] < 0.5


@pytest.mark.parametrize(
    "sentence",
    [
        "The Environment Agency recorded 312 sewage spills in the county in 2023, twice the number of 2021.",
        "The World Bank says the economy shrank by 4 percent last year.",
    ],
)
def test_figures_from_a_named_institution_are_check_worthy(sentence):
    assert score(sentence)[0] >= 0.5


@pytest.mark.parametrize(
    "sentence",
    ["Thank you very much.", "Let me finish.", "Good evening, everyone.", "Can I just respond to that?"],
)
def test_debate_pleasantries_and_interruptions_are_not(sentence):
    assert score(sentence)[0] < 0.5


def test_reasons_name_what_the_sentence_contains():
    _, reasons = score(
        "Dr Amara Okafor said waiting lists grew by 20% in March 2024 because of staff shortages, "
        "more than in any other region."
    )
    for reason in (
        "contains figures",
        "gives a percentage",
        "names a date",
        "names people or organisations",
        "makes a comparison",
        "reports a change",
        "states a cause",
        "attributes a statement",
    ):
        assert reason in reasons


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The bridge cost $40 million to build.", "names a sum of money"),
        ("The museum may reopen after the repairs.", "hedged"),
        ("I believe the new stadium is a mistake.", "opinion"),
        ("Why has the library closed?", "question"),
        ("The ferry service ended in 1997.", "names a date"),
        ("Voters in Lisbon backed the proposal.", "names people or organisations"),
    ],
)
def test_each_reason(sentence, reason):
    assert reason in score(sentence)[1]


def test_a_plain_sentence_has_no_reasons():
    assert score("it rained all afternoon")[1] == ()


def test_the_first_word_of_a_sentence_is_not_taken_for_a_name():
    assert "names people or organisations" not in score("Rain fell all afternoon.")[1]


def test_reasons_do_not_depend_on_the_weights(monkeypatch):
    sentence = "Sales rose by 7% in 2021, according to the company."
    value, before = score(sentence)
    model = checkworthiness.load_model()
    for weights in ("words", "unigrams", "pairs", "hand", "chars"):
        monkeypatch.setattr(model, weights, {})
    monkeypatch.setattr(model, "per_word", checkworthiness._WordWeights({}, {}, model.char_sizes))
    assert score(sentence)[0] != pytest.approx(value)  # the weights are really gone ...
    assert score(sentence)[1] == before  # ... and the reasons stay


def test_threshold_maps_to_one_half():
    model = checkworthiness.load_model()
    sentence = "The plan costs 5 billion euros."
    words, chars, hand = checkworthiness.features(sentence, model.char_sizes)
    logit = model.logit(words, chars, hand)
    expected = 1 / (1 + math.exp(-(logit - model.threshold_logit)))
    assert score(sentence)[0] == pytest.approx(expected)
    assert (score(sentence)[0] >= 0.5) == (logit >= model.threshold_logit)


def test_char_ngrams_of_a_padded_word():
    assert checkworthiness.char_ngrams("tax", (2, 3)) == [" t", "ta", "ax", "x ", " ta", "tax", "ax "]
    # A padded word shorter than a size gives nothing of that size or larger.
    assert checkworthiness.char_ngrams("a", (2, 3, 4)) == [" a", "a ", " a "]
    assert checkworthiness.char_ngrams("", (2, 3)) == ["  "]


def test_character_ngrams_score_words_the_model_has_no_weight_for():
    # A made-up word has no word weight, but its character n-grams ("illion", "000") carry weight.
    model = checkworthiness.load_model()
    assert model.chars, "the weights file has character n-gram weights"
    unseen = "zorbillion"
    assert unseen not in model.unigrams
    grams = checkworthiness.char_ngrams(unseen, model.char_sizes)
    expected = sum(model.chars.get(gram, 0.0) for gram in grams)
    assert expected != 0.0
    model.per_word.pop(unseen, None)
    assert model.per_word[unseen] == pytest.approx(expected)
    assert unseen in model.per_word  # remembered for the next sentence


def test_the_word_memo_is_bounded_and_does_not_change_scores(monkeypatch):
    model = checkworthiness.load_model()
    sentence = "The quintuplexed budget grew by 40 percent in 2022."
    first = score(sentence)[0]
    monkeypatch.setattr(checkworthiness, "MEMO_SIZE", 50)
    for i in range(500):
        score(f"Word{i} and other{i} words")
        assert len(model.per_word) <= 50
    model.per_word.clear()
    assert score(sentence)[0] == first
    assert score(sentence)[0] == first  # once more, from the memo
    long_word = "x" * 1000
    score(long_word)
    assert long_word not in model.per_word  # very long words are scored, not remembered


def test_the_weights_file_loads_and_describes_itself():
    data = json.loads(checkworthiness.WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert data["format_version"] == checkworthiness.FORMAT_VERSION
    meta = checkworthiness.metadata()
    assert meta["version"]
    assert 0 < meta["threshold_probability"] < 1
    assert meta["threshold_logit"] == data["threshold_logit"]
    assert 0.62 <= meta["dev_f1"] <= 1
    # Fitted on train and chosen on debates held out of train (blocked cross-validation) by a rule written
    # into the fitting script and recorded here, among candidates whose figures are recorded too; the
    # test_gold figure is recorded once, with how it was obtained (the floor itself is
    # bench/eval_checkworthiness.py's to enforce).
    assert "blocked cross-validation" in meta["selection_rule"]
    chosen = [
        candidate
        for candidate in meta["candidates"]
        if (candidate["features"], candidate["C"]) == (meta["features"], meta["C"])
    ]
    assert len(chosen) == 1
    best = max(c["heldout_debates_f1"] for c in meta["candidates"])
    assert chosen[0]["heldout_debates_f1"] >= best - 0.003
    assert chosen[0]["threshold_probability"] == meta["threshold_probability"]
    # The decision threshold is the chosen probability, as a logit the scorer subtracts.
    p = meta["threshold_probability"]
    assert meta["threshold_logit"] == pytest.approx(math.log(p / (1 - p)), abs=1e-4)
    assert 0 <= meta["test_gold_f1"] <= 1
    assert "once" in meta["test_gold_note"]
    assert len(data["word_weights"]) > 1000
    assert len(data["char_weights"]) > 1000
    assert data["char_sizes"] == sorted(data["char_sizes"])
    assert checkworthiness.WEIGHTS_PATH.stat().st_size < 1_000_000


def test_the_model_is_loaded_once():
    assert checkworthiness.load_model() is checkworthiness.load_model()


@pytest.mark.parametrize(
    "sentence", ["", " ", "\x00\x07\u200f", "?", "٣٤٥ مليون دولار في ٢٠٢٣", "🚀🔥 100% 🙃", "a" * 100_000]
)
def test_odd_input(sentence):
    value, reasons = score(sentence)
    assert 0.0 <= value <= 1.0
    assert all(isinstance(reason, str) for reason in reasons)


_ODD_PIECES = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec="ascii"), max_size=20),
    st.sampled_from(
        [
            *"\x00\t\n\r\u200e\u200f\u202e\u2028\ufeff\u201c\u201d\u2018\u2019%$€£?!",
            "שלום עולם",
            "مرحبا ٣٤٥",
            "😀",
            "👩🏽\u200d⚕️",
            "Ünïcødé",
            "ﬁ",
            "İ",
            "1,500",
            "3.5%",
            "$20bn",
            "Mr. Smith",
            "NATO",
        ]
    ),
)
_ODD_TEXT = st.lists(_ODD_PIECES, max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_ODD_TEXT)
def test_score_is_a_probability_for_any_text(sentence):
    value, reasons = score(sentence)
    assert 0.0 <= value <= 1.0
    assert not math.isnan(value)
    assert len(set(reasons)) == len(reasons)


@settings(max_examples=200, deadline=None)
@given(_ODD_TEXT)
def test_scoring_matches_the_features_the_model_was_fitted_on(sentence):
    # score() takes a faster path (bigrams as token pairs, each word's unigram and character n-gram
    # weights summed once and remembered); it must agree with features() + logit(), which is what
    # bench/fit_checkworthiness.py fits.
    model = checkworthiness.load_model()
    expected = 1 / (
        1
        + math.exp(
            -(model.logit(*checkworthiness.features(sentence, model.char_sizes)) - model.threshold_logit)
        )
    )
    assert score(sentence)[0] == pytest.approx(expected, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=20), st.integers(min_value=1_000, max_value=20_000))
def test_very_long_text(chunk, repeat):
    value, _ = score(chunk * repeat)
    assert 0.0 <= value <= 1.0


@pytest.mark.parametrize(
    ("evidence", "opinion"),
    [
        ("Polls show the mayor losing ground among renters.", "I think the mayor is doing a fine job."),
        ("Surveys suggest most commuters would pay a higher fare.", "The new fare is a disgrace."),
        ("Recent polls have shown the council trailing on housing.", "We should build more homes."),
        ("A study found that the scheme cut waiting times.", "In my view the scheme is a mistake."),
    ],
)
def test_a_claim_citing_a_poll_or_study_scores_at_least_as_high_as_plain_opinion(evidence, opinion):
    assert score(evidence)[0] >= score(opinion)[0]


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Polls show the mayor losing ground among renters.", "cites a poll or survey"),
        ("A survey of 2,000 tenants found rents rose sharply.", "cites a poll or survey"),
        ("A study found that the scheme cut waiting times.", "cites a study or report"),
        ("The report says the bridge is unsafe.", "cites a study or report"),
    ],
)
def test_reasons_name_the_evidence_a_claim_cites_first(sentence, reason):
    reasons = score(sentence)[1]
    assert reasons[0] == reason


def test_no_evidence_reason_without_a_poll_or_study():
    reasons = score("I think the mayor is doing a fine job.")[1]
    assert not {"cites a poll or survey", "cites a study or report"} & set(reasons)
