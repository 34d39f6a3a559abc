"""dlbook.representation: Zaslavsky's count (eq. 15.4) against brute-force counts of sign patterns."""

from math import comb

import numpy as np
import pytest

from dlbook.representation import (count_codes, count_regions, count_regions_lp, few_label_indices,
                                   nearest_mean_predict, probe_points, random_hyperplanes, sign_codes,
                                   zaslavsky_regions)


def test_zaslavsky_small_cases():
    assert [zaslavsky_regions(n, 2) for n in range(5)] == [1, 2, 4, 7, 11]
    assert zaslavsky_regions(6, 2) == 22 and zaslavsky_regions(3, 5) == 8  # n <= d: every code, 2^n
    assert zaslavsky_regions(10, 3) == sum(comb(10, j) for j in range(4))


@pytest.mark.parametrize("n, d", [(1, 1), (4, 1), (3, 2), (6, 2), (4, 3), (5, 3), (2, 4)])
def test_formula_equals_both_brute_force_counts(n, d):
    W, b = random_hyperplanes(n, d, np.random.default_rng(10 * n + d))
    assert count_regions_lp(W, b) == count_regions(W, b) == zaslavsky_regions(n, d)


def test_sampling_counts_at_most_the_regions_and_codes_are_binary():
    rng = np.random.default_rng(0)
    W, b = random_hyperplanes(5, 2, rng)
    X = rng.uniform(-3, 3, (20000, 2))
    assert set(np.unique(sign_codes(W, b, X))) <= {0, 1}
    assert count_codes(W, b, X) <= zaslavsky_regions(5, 2)


def test_parallel_lines_are_not_in_general_position():
    W, b = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.array([0.0, -1.0, 0.0])
    assert count_regions_lp(W, b) == 6 < zaslavsky_regions(3, 2)


def test_few_label_helpers():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 10)
    idx = few_label_indices(y, 4, rng)
    assert np.array_equal(np.bincount(y[idx]), [4, 4, 4]) and len(set(idx)) == 12
    F = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    assert np.array_equal(nearest_mean_predict(F, [0, 0, 1, 1], np.array([[0.2, 0.1], [4.0, 4.5]])), [0, 1])


@pytest.mark.parametrize("call, message", [
    (lambda: zaslavsky_regions(3, 0), "d"),
    (lambda: probe_points(np.zeros((2, 2)), np.zeros(2)), "non-zero"),
    (lambda: sign_codes(np.ones((2, 2)), np.ones(3), np.ones((1, 2))), "one row/entry"),
    (lambda: sign_codes(np.ones((2, 2)), np.ones(2), np.ones((1, 3))), "columns"),
    (lambda: count_regions_lp(np.ones((13, 2)), np.ones(13)), "hyperplanes"),
    (lambda: few_label_indices(np.array([0, 0, 1]), 2, np.random.default_rng(0)), "smallest class"),
])
def test_bad_inputs_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
