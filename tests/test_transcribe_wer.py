"""The word error rate used to judge transcripts: word-level Levenshtein on normalised words."""

from __future__ import annotations

import pytest

from transcribe.wer import edit_distance, normalise, number_words, word_error_rate


def test_identical_text_has_no_errors():
    assert (
        word_error_rate("The garden group met on Tuesdays.", "the garden group met on tuesdays")
        == 0
    )


def test_punctuation_case_and_accents_do_not_count():
    assert normalise("Lucía's café—open, at 9!") == ["lucia's", "cafe", "open", "at", "nine"]


def test_digits_and_number_words_compare_equal():
    assert word_error_rate("twenty years and forty people", "20 years and 40 people") == 0
    assert number_words(1234) == "one thousand two hundred thirty four"


@pytest.mark.parametrize(
    ("reference", "hypothesis", "edits"),
    [
        ("a b c d", "a x c d", 1),  # substitution
        ("a b c d", "a c d", 1),  # deletion
        ("a b c d", "a b b c d", 1),  # insertion
        ("a b c d", "", 4),
        ("", "a b", 2),
        ("kitten sat on the mat", "sitting sat on mat", 2),
    ],
)
def test_edit_distance_counts_substitutions_deletions_and_insertions(reference, hypothesis, edits):
    assert edit_distance(reference.split(), hypothesis.split()) == edits


def test_rate_is_edits_per_reference_word():
    assert word_error_rate("one two three four", "one two three") == pytest.approx(0.25)
    assert word_error_rate("one two", "one two three four") == pytest.approx(1.0)


def test_empty_reference():
    assert word_error_rate("", "") == 0
    assert word_error_rate("", "something") == 1
