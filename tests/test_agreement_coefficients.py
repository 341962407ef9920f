"""Cohen's kappa and Krippendorff's alpha against hand-computed examples and edge cases."""

from __future__ import annotations

import pytest

from coding.agreement import cohen_kappa, krippendorff_alpha, observed_agreement

# Ten segments; 1 = the coder tagged it with the code, 0 = did not.
CODER_A = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
CODER_B = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]


def test_kappa_for_two_coders_matches_the_hand_computation():
    """Agreements: segments 1-3 (both yes) and 6-10 (both no): p_o = 8/10 = 0.8.
    Each coder said yes 4 times out of 10, so chance agreement
    p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.16 + 0.36 = 0.52.
    kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 0.58333...
    """
    assert cohen_kappa(CODER_A, CODER_B) == pytest.approx(0.28 / 0.48)


def test_alpha_for_two_coders_matches_the_hand_computation():
    """Coincidences (each unit has m = 2 values, so every ordered pair weighs 1/(m-1) = 1):
    o(1,1) = 3 units x 2 ordered pairs = 6; o(0,0) = 5 x 2 = 10;
    o(1,0) = o(0,1) = 2 (segments 4 and 5, one each way per unit).
    n_1 = 6 + 2 = 8, n_0 = 10 + 2 = 12, n = 20.
    alpha = 1 - (n - 1) * (o(1,0) + o(0,1)) / (n_1 n_0 + n_0 n_1)
          = 1 - 19 * 4 / 192 = 116 / 192 = 0.60417...
    """
    assert krippendorff_alpha([CODER_A, CODER_B]) == pytest.approx(116 / 192)


def test_alpha_for_three_coders_matches_the_hand_computation():
    """Four units, three coders: (1,1,1), (1,1,0), (0,0,0), (0,0,0).
    m = 3, so every ordered pair weighs 1/2; each unit has 6 ordered pairs.
    Unit 1: o(1,1) += 3. Unit 2: pairs (1,1) x2, (1,0) x2, (0,1) x2: o(1,1) += 1,
    o(1,0) += 1, o(0,1) += 1. Units 3 and 4: o(0,0) += 3 each.
    o(1,1) = 4, o(1,0) = o(0,1) = 1, o(0,0) = 6; n_1 = 5, n_0 = 7, n = 12.
    alpha = 1 - 11 * 2 / (2 * 5 * 7) = 1 - 22/70 = 48/70 = 0.68571...
    """
    ratings = [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    assert krippendorff_alpha(ratings) == pytest.approx(48 / 70)


def test_alpha_matches_krippendorffs_published_example_with_missing_values():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example:
    four observers, twelve units, some values missing; the published alpha is 0.743.
    """
    ratings = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    assert krippendorff_alpha(ratings) == pytest.approx(0.743, abs=0.0005)


def test_perfect_agreement_with_variation_is_one():
    assert cohen_kappa(CODER_A, CODER_A) == 1
    assert krippendorff_alpha([CODER_A, CODER_A, CODER_A]) == 1
    assert observed_agreement([CODER_A, CODER_A]) == 1


def test_no_variation_leaves_the_coefficients_undefined_but_agreement_observed():
    """Both coders left every segment uncoded: p_e = 1 and D_e = 0, so both are 0/0."""
    nothing = [0] * 6
    assert cohen_kappa(nothing, nothing) is None
    assert krippendorff_alpha([nothing, nothing, nothing]) is None
    assert observed_agreement([nothing, nothing]) == 1


def test_complete_disagreement_gives_negative_kappa():
    """p_o = 0; each coder said yes once in two: p_e = 0.5; kappa = (0 - 0.5) / 0.5 = -1."""
    assert cohen_kappa([1, 0], [0, 1]) == -1


def test_units_with_a_single_value_do_not_count():
    """Unit 3 has one value only (the other is missing), so only units 1-2 are pairable."""
    with_missing = [[1, 0, 1], [1, 0, None]]
    assert krippendorff_alpha(with_missing) == krippendorff_alpha([[1, 0], [1, 0]]) == 1


def test_empty_input_has_no_coefficient():
    assert cohen_kappa([], []) is None
    assert krippendorff_alpha([]) is None
    assert observed_agreement([[None], [1]]) is None


def test_ratings_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same units"):
        cohen_kappa([1, 0], [1])
    with pytest.raises(ValueError, match="every unit"):
        krippendorff_alpha([[1, 0], [1]])
