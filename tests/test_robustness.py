"""Robustness of the library's public functions, by property-based testing (hypothesis).

For every public function: a bad shape, a wrong dtype, a NaN or an infinity, an empty array or probabilities
that do not sum to one raise a ``ValueError`` saying what was wrong (never an error from deep inside NumPy,
never a silent NaN); extreme but valid inputs (logits of ±1000, tiny variances) give finite results with no
warning. The sweep of every demo over its whole control range lives in ``tests/test_demo.py``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlbook import calculus, classifiers, clustering, estimators, information, mlp, optimize, prob, regression
from dlbook.autodiff import Value
from dlbook.checks import as_array, check_int, check_positive, check_probabilities
from dlbook.pca import (correlated_gaussian, direction_objective, fit_pca, pca_decode, pca_encode,
                        reconstruction_error)

# derandomize: the same examples on every run, so CI is reproducible (explore locally with --hypothesis-seed)
FAST = settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
not_finite = st.sampled_from([np.nan, np.inf, -np.inf])
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)


def vectors(min_size: int = 1, max_size: int = 12, elements: st.SearchStrategy = finite) -> st.SearchStrategy:
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements)


def matrices(min_rows: int = 2, min_cols: int = 1, elements: st.SearchStrategy = finite) -> st.SearchStrategy:
    shape = st.tuples(st.integers(min_rows, 10), st.integers(min_cols, 6))
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def spoiled(draw: Any, arrays: st.SearchStrategy) -> np.ndarray:
    """An array from ``arrays`` with one entry replaced by NaN, +inf or -inf."""
    arr = draw(arrays).copy()
    index = draw(st.integers(0, arr.size - 1))
    arr.flat[index] = draw(not_finite)
    return arr


@st.composite
def distributions(draw: Any, min_size: int = 1, max_size: int = 10) -> np.ndarray:
    """A probability vector: non-negative weights (some may be zero) normalised to sum to one."""
    w = draw(vectors(min_size, max_size, st.floats(0.0, 1e3, allow_nan=False)))
    if w.sum() == 0:
        w[0] = 1.0
    return w / w.sum()


def quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with every warning turned into an error (a valid input must not warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def assert_finite(x: Any) -> None:
    assert np.all(np.isfinite(np.asarray(x, dtype=np.float64))), f"non-finite result: {x}"


# -- dlbook.checks -------------------------------------------------------------------------------------

@FAST
@given(spoiled(hnp.arrays(np.float64, shapes, elements=finite)))
def test_as_array_rejects_nan_and_inf(x: np.ndarray) -> None:
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        as_array(x, "x")


@FAST
@given(hnp.arrays(np.float64, shapes, elements=finite), st.integers(0, 4))
def test_as_array_rejects_the_wrong_rank_and_keeps_the_right_one(x: np.ndarray, ndim: int) -> None:
    if x.ndim == ndim:
        np.testing.assert_array_equal(as_array(x, "x", ndim=ndim), x)
    else:
        with pytest.raises(ValueError, match=f"x must be {ndim}-D; got an array of shape"):
            as_array(x, "x", ndim=ndim)


@FAST
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)
                  .filter(lambda s: 0 in s)))
def test_as_array_rejects_empty_arrays(x: np.ndarray) -> None:
    with pytest.raises(ValueError, match="x must have at least 1 element"):
        as_array(x, "x")


@FAST
@given(st.one_of(st.lists(st.text(min_size=1).filter(lambda s: not _parses(s)), min_size=1, max_size=4),
                 st.dictionaries(st.text(), st.integers(), min_size=1),
                 st.lists(st.lists(finite, min_size=1, max_size=3), min_size=2, max_size=3)
                 .filter(lambda rows: len({len(r) for r in rows}) > 1)))
def test_as_array_rejects_non_numeric_and_ragged_input(x: Any) -> None:
    with pytest.raises(ValueError, match="x must be numeric"):
        as_array(x, "x")


def _parses(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


@FAST
@given(st.one_of(st.floats(max_value=0.0), not_finite, st.text(max_size=3).filter(lambda s: not _parses(s))))
def test_check_positive_rejects_non_positive_and_non_finite(v: Any) -> None:
    with pytest.raises(ValueError, match="w must"):
        check_positive(v, "w")


@FAST
@given(st.floats(5e-324, 1e308))
def test_check_positive_keeps_every_positive_float(v: float) -> None:
    assert check_positive(v, "w") == v


@FAST
@given(st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none()))
def test_check_int_rejects_what_is_not_an_integer(v: Any) -> None:
    with pytest.raises(ValueError, match="k must be an integer"):
        check_int(v, "k")


@FAST
@given(distributions(), st.floats(1e-4, 10.0).filter(lambda c: abs(c - 1.0) > 1e-3))
def test_check_probabilities_rejects_unnormalised_vectors(p: np.ndarray, scale: float) -> None:
    q = p * scale
    if np.all(q <= 1.0):
        with pytest.raises(ValueError, match="p must sum to 1"):
            check_probabilities(q, "p")
    else:
        with pytest.raises(ValueError, match="p must contain probabilities in \\[0, 1\\]"):
            check_probabilities(q, "p")


@FAST
@given(distributions(min_size=2), st.data())
def test_check_probabilities_rejects_negative_and_non_finite_entries(p: np.ndarray, data: Any) -> None:
    i = data.draw(st.integers(0, p.size - 1))
    bad = p.copy()
    bad[i] = data.draw(st.one_of(not_finite, st.floats(-1.0, -1e-9)))
    with pytest.raises(ValueError, match="p must"):
        check_probabilities(bad, "p")


@FAST
@given(distributions())
def test_check_probabilities_keeps_every_distribution(p: np.ndarray) -> None:
    np.testing.assert_array_equal(check_probabilities(p, "p"), p)


# -- dlbook.pca ----------------------------------------------------------------------------------------

@FAST
@given(matrices(), st.data())
def test_fit_pca_is_orthonormal_sorted_and_finite_for_any_finite_data(X: np.ndarray, data: Any) -> None:
    k = data.draw(st.integers(1, X.shape[1]))
    pca = quietly(fit_pca, X, k)
    D = pca.components
    assert D.shape == (X.shape[1], k)
    np.testing.assert_allclose(D.T @ D, np.eye(k), atol=1e-8)
    assert np.all(np.diff(pca.eigenvalues) <= 1e-9 * max(1.0, pca.eigenvalues[0]))
    assert np.all(pca.eigenvalues >= 0)
    assert_finite(pca.explained_variance_ratio)
    assert_finite(quietly(reconstruction_error, pca, X))


@FAST
@given(matrices(min_cols=2, elements=st.floats(-1.0, 1.0)), st.sampled_from([1e-150, 1e-12, 1.0, 1e100]),
       st.floats(-1e6, 1e6))
def test_fit_pca_stays_finite_at_tiny_and_huge_variances(noise: np.ndarray, scale: float, offset: float) -> None:
    """Data with a tiny spread around a large offset (or a huge spread) is still valid data."""
    pca = quietly(fit_pca, offset + scale * noise, 1)
    assert_finite(pca.components)
    assert_finite(pca.eigenvalues)
    assert_finite(pca.explained_variance_ratio)


@FAST
@given(spoiled(matrices()))
def test_fit_pca_rejects_nan_and_inf(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        fit_pca(X, 1)


@FAST
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4)
                  .filter(lambda s: len(s) != 2), elements=finite))
def test_fit_pca_rejects_data_that_is_not_a_matrix(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match="X must be 2-D"):
        fit_pca(X, 1)


@FAST
@given(matrices(min_rows=1), st.integers(-3, 10))
def test_fit_pca_rejects_one_example_or_a_bad_number_of_components(X: np.ndarray, k: int) -> None:
    if X.shape[0] < 2:
        with pytest.raises(ValueError, match="X must have at least 2 rows"):
            fit_pca(X, 1)
    elif not 1 <= k <= X.shape[1]:
        with pytest.raises(ValueError, match="n_components must be in"):
            fit_pca(X, k)


@FAST
@given(matrices(min_cols=2), st.integers(1, 3), st.data())
def test_encode_decode_reject_the_wrong_width_and_non_finite_input(X: np.ndarray, extra: int, data: Any) -> None:
    pca = fit_pca(X, 1)
    wide = np.zeros((3, X.shape[1] + extra))
    with pytest.raises(ValueError, match=f"X must have {X.shape[1]} columns"):
        pca_encode(pca, wide)
    with pytest.raises(ValueError, match="C must have 1 columns"):
        pca_decode(pca, np.zeros((3, 1 + extra)))
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        reconstruction_error(pca, data.draw(spoiled(st.just(X))))


@FAST
@given(matrices(min_cols=2), st.data())
def test_direction_objective_rejects_bad_directions_and_splits_the_trace(X: np.ndarray, data: Any) -> None:
    n = X.shape[1]
    d = data.draw(vectors(n, n, st.floats(-10, 10)).filter(lambda v: np.linalg.norm(v) > 1e-3))
    unit = d / np.linalg.norm(d)
    captured, error = quietly(direction_objective, X, unit)
    Xc = X - X.mean(axis=0)
    assert captured + error == pytest.approx(np.sum(Xc**2), rel=1e-9, abs=1e-6)
    if abs(np.linalg.norm(d) - 1.0) > 1e-6:
        with pytest.raises(ValueError, match="d must be a unit vector"):
            direction_objective(X, d)
    with pytest.raises(ValueError, match=f"d must have {n} entries"):
        direction_objective(X, np.append(unit, 0.0))


@FAST
@given(st.integers(-5, 1), st.floats(-1e3, 0.0))
def test_correlated_gaussian_rejects_too_few_samples_and_non_positive_spread(m: int, s: float) -> None:
    with pytest.raises(ValueError, match="m must be in"):
        correlated_gaussian(m, 30.0, (1.0, 1.0))
    with pytest.raises(ValueError, match="std must be two positive numbers"):
        correlated_gaussian(10, 30.0, (1.0, s))


# -- dlbook.prob ---------------------------------------------------------------------------------------

logits = st.floats(-1000.0, 1000.0)
logit_rows = hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 8)), elements=logits)
tiny_to_one = st.floats(1e-100, 1.0)  # a standard deviation or scale: a variance as small as 1e-200


@FAST
@given(hnp.arrays(np.float64, shapes, elements=logits))
def test_sigmoid_and_softplus_stay_finite_and_in_range_at_extreme_logits(x: np.ndarray) -> None:
    s = quietly(prob.sigmoid, x)
    assert_finite(s)
    assert np.all((s >= 0) & (s <= 1))
    z = quietly(prob.softplus, x)
    assert_finite(z)
    assert np.all(z >= np.maximum(x, 0.0))


@FAST
@given(logit_rows)
def test_logsumexp_softmax_and_log_softmax_stay_finite_at_extreme_logits(x: np.ndarray) -> None:
    lse = quietly(prob.logsumexp, x, axis=-1)
    assert_finite(lse)
    top = x.max(axis=-1)
    assert np.all(lse >= top - 1e-9) and np.all(lse <= top + np.log(x.shape[-1]) + 1e-9)
    p = quietly(prob.softmax, x, axis=-1)
    assert_finite(p)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)
    lp = quietly(prob.log_softmax, x, axis=-1)
    assert_finite(lp)
    assert np.all(lp <= 1e-12)


@FAST
@given(spoiled(logit_rows), st.sampled_from(["sigmoid", "softplus"]))
def test_squashing_functions_reject_nan_and_inf(x: np.ndarray, name: str) -> None:
    with pytest.raises(ValueError, match="x must"):
        getattr(prob, name)(x)


@FAST
@given(logit_rows, st.data(), st.sampled_from(["logsumexp", "softmax", "log_softmax"]))
def test_normalisers_reject_nan_and_plus_inf(x: np.ndarray, data: Any, name: str) -> None:
    bad = x.copy()
    bad.flat[data.draw(st.integers(0, x.size - 1))] = data.draw(st.sampled_from([np.nan, np.inf]))
    with pytest.raises(ValueError, match="x must not contain NaN or \\+inf"):
        getattr(prob, name)(bad, axis=-1)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "logsumexp", "softmax", "log_softmax"])
def test_probability_functions_reject_empty_and_non_numeric_input(name: str) -> None:
    fn = getattr(prob, name)
    with pytest.raises(ValueError, match="x must have at least 1 element"):
        fn(np.zeros((0,)))
    with pytest.raises(ValueError, match="x must be numeric"):
        fn(["a", "b"])


@FAST
@given(hnp.arrays(np.float64, shapes, elements=finite), finite, tiny_to_one)
def test_densities_stay_finite_at_tiny_widths(x: np.ndarray, mean: float, width: float) -> None:
    for fn in (prob.gaussian_logpdf, prob.gaussian_pdf, prob.laplace_pdf):
        out = quietly(fn, x, mean, width)
        assert_finite(out)
        assert np.shape(out) == x.shape
    assert np.all(quietly(prob.gaussian_pdf, x, mean, width) >= 0)


@FAST
@given(st.one_of(st.floats(max_value=0.0), not_finite), st.sampled_from(["gaussian_logpdf", "gaussian_pdf",
                                                                          "laplace_pdf"]))
def test_densities_reject_a_non_positive_or_non_finite_width(width: float, name: str) -> None:
    with pytest.raises(ValueError, match="must be finite and > 0"):
        getattr(prob, name)(np.zeros(3), 0.0, width)


@FAST
@given(st.one_of(not_finite.map(float), vectors(2, 4)), st.sampled_from(["gaussian_logpdf", "laplace_pdf"]))
def test_densities_reject_a_non_finite_or_non_scalar_mean(mean: Any, name: str) -> None:
    with pytest.raises(ValueError, match="mean must"):
        getattr(prob, name)(np.zeros(3), mean, 1.0)


@FAST
@given(st.one_of(st.floats(allow_nan=True).filter(lambda v: not 0 <= v <= 1), st.just(np.nan)),
       st.sampled_from([0.0, 1.0]))
def test_bernoulli_rejects_phi_outside_zero_one(phi: float, x: float) -> None:
    with pytest.raises(ValueError, match="phi must"):
        prob.bernoulli_pmf(x, phi)


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v not in (0.0, 1.0)))
def test_bernoulli_rejects_non_binary_outcomes(x: float) -> None:
    with pytest.raises(ValueError, match="x must contain only 0 and 1"):
        prob.bernoulli_pmf([0.0, x], 0.5)


@st.composite
def mixtures(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = draw(distributions(1, 5))
    k = w.size
    return (w, draw(vectors(k, k, st.floats(-1e3, 1e3))), draw(vectors(k, k, tiny_to_one)))


@FAST
@given(mixtures(), vectors(1, 6))
def test_mixture_is_finite_far_in_the_tails_and_with_tiny_components(mix: tuple, x: np.ndarray) -> None:
    w, mu, sd = mix
    assert_finite(quietly(prob.mixture_logpdf, x, w, mu, sd))
    assert_finite(quietly(prob.mixture_pdf, x, w, mu, sd))
    mean, var = quietly(prob.mixture_moments, w, mu, sd)
    assert_finite([mean, var])
    assert var >= 0


@FAST
@given(mixtures(), st.floats(1e-3, 10.0).filter(lambda c: abs(c - 1.0) > 1e-3))
def test_mixture_rejects_weights_that_do_not_sum_to_one(mix: tuple, scale: float) -> None:
    w, mu, sd = mix
    with pytest.raises(ValueError, match="weights must"):
        prob.mixture_logpdf(0.0, w * scale, mu, sd)


@FAST
@given(mixtures(), st.data())
def test_mixture_rejects_mismatched_lengths_and_bad_widths(mix: tuple, data: Any) -> None:
    w, mu, sd = mix
    with pytest.raises(ValueError, match="same length"):
        prob.mixture_moments(w, np.append(mu, 0.0), sd)
    bad = sd.copy()
    bad[data.draw(st.integers(0, sd.size - 1))] = data.draw(st.one_of(st.floats(-10.0, 0.0), not_finite))
    with pytest.raises(ValueError, match="stds must"):
        prob.mixture_moments(w, mu, bad)


@FAST
@given(mixtures(), st.one_of(st.integers(-5, 0), st.floats(0.5, 5.0), st.booleans()))
def test_sample_mixture_rejects_a_bad_sample_count(mix: tuple, n: Any) -> None:
    with pytest.raises(ValueError, match="n must"):
        prob.sample_mixture(n, *mix, rng=np.random.default_rng(0))


# -- dlbook.information --------------------------------------------------------------------------------

@st.composite
def positive_distributions(draw: Any, size: int) -> np.ndarray:
    """A probability vector with every entry > 0 (some as small as about 1e-300)."""
    w = draw(vectors(size, size, st.floats(1e-300, 1.0)))
    return w / w.sum()


@FAST
@given(distributions())
def test_entropy_is_between_zero_and_log_n(p: np.ndarray) -> None:
    h = quietly(information.entropy, p)
    assert_finite(h)
    assert 0.0 <= h <= np.log(p.size) + 1e-12


@FAST
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(distributions(n, n), positive_distributions(n))))
def test_kl_and_cross_entropy_are_finite_non_negative_and_consistent(pq: tuple) -> None:
    p, q = pq
    kl = quietly(information.kl_discrete, p, q)
    ce = quietly(information.cross_entropy, p, q)
    assert_finite([kl, ce])
    assert kl >= 0
    assert ce == pytest.approx(quietly(information.entropy, p) + kl, rel=1e-9, abs=1e-9)
    assert quietly(information.kl_discrete, p, p) == pytest.approx(0.0, abs=1e-12)


@FAST
@given(st.integers(2, 8).flatmap(lambda n: st.tuples(positive_distributions(n), distributions(n, n))),
       st.data())
def test_kl_is_infinite_never_nan_where_q_rules_out_what_p_allows(pq: tuple, data: Any) -> None:
    p, q = pq
    i = data.draw(st.integers(0, q.size - 1))
    q = q.copy()
    q[i] = 0.0
    if q.sum() == 0:
        q[(i + 1) % q.size] = 1.0
    q = q / q.sum()
    assert quietly(information.kl_discrete, p, q) == np.inf
    assert quietly(information.cross_entropy, p, q) == np.inf


@FAST
@given(distributions(min_size=2), st.floats(1e-3, 10.0).filter(lambda c: abs(c - 1.0) > 1e-3),
       st.sampled_from(["entropy", "kl_p", "kl_q", "cross_entropy_q"]))
def test_information_rejects_unnormalised_distributions(p: np.ndarray, scale: float, which: str) -> None:
    bad = p * scale
    with pytest.raises(ValueError, match="must (sum to 1|contain probabilities)"):
        if which == "entropy":
            information.entropy(bad)
        elif which == "kl_p":
            information.kl_discrete(bad, p)
        elif which == "kl_q":
            information.kl_discrete(p, bad)
        else:
            information.cross_entropy(p, bad)


@FAST
@given(spoiled(distributions(min_size=2)), st.sampled_from(["entropy", "kl_discrete"]))
def test_information_rejects_nan_and_inf(p: np.ndarray, name: str) -> None:
    args = (p,) if name == "entropy" else (p, np.full(p.size, 1.0 / p.size))
    with pytest.raises(ValueError, match="p must"):
        getattr(information, name)(*args)


@FAST
@given(distributions(2, 5), distributions(2, 5))
def test_kl_rejects_distributions_over_different_outcomes(p: np.ndarray, q: np.ndarray) -> None:
    if p.size != q.size:
        with pytest.raises(ValueError, match="p and q must have the same"):
            information.kl_discrete(p, q)


@FAST
@given(st.floats(0.0, 1.0), st.floats(1e-300, 1.0 - 1e-16))
def test_bernoulli_information_is_finite_for_any_valid_pair(p: float, q: float) -> None:
    for value in (quietly(information.bernoulli_entropy, p), quietly(information.bernoulli_cross_entropy, p, q),
                  quietly(information.bernoulli_kl, p, q)):
        assert_finite(value)
    assert quietly(information.bernoulli_kl, p, q) >= 0


@FAST
@given(st.one_of(st.floats(allow_nan=True).filter(lambda v: not 0 <= v <= 1), not_finite),
       st.sampled_from(["bernoulli_entropy", "bernoulli_kl"]))
def test_bernoulli_information_rejects_a_parameter_outside_zero_one(p: float, name: str) -> None:
    args = (p,) if name == "bernoulli_entropy" else (p, 0.5)
    with pytest.raises(ValueError, match="p must"):
        getattr(information, name)(*args)


@FAST
@given(finite, tiny_to_one, finite, tiny_to_one)
def test_gaussian_information_is_finite_at_tiny_widths(m1: float, s1: float, m2: float, s2: float) -> None:
    assert_finite(quietly(information.gaussian_entropy, s1))
    kl = quietly(information.kl_gaussian, m1, s1, m2, s2)
    assert_finite(kl)
    assert kl >= 0


@FAST
@given(st.one_of(st.floats(max_value=0.0), not_finite))
def test_gaussian_information_rejects_a_bad_width(std: float) -> None:
    with pytest.raises(ValueError, match="must be finite and > 0"):
        information.gaussian_entropy(std)
    with pytest.raises(ValueError, match="std_q must be finite and > 0"):
        information.kl_gaussian(0.0, 1.0, 0.0, std)


# -- dlbook.regression, dlbook.classifiers, dlbook.clustering, dlbook.estimators (Chapter 5) -----------

@st.composite
def regression_data(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    X = draw(matrices(min_rows=1))
    y = draw(vectors(X.shape[0], X.shape[0]))
    return X, y


@FAST
@given(regression_data(), st.sampled_from([0.0, 1e-12, 0.1, 1e3]), st.booleans(),
       st.sampled_from([1e-100, 1.0, 1e100]))
def test_linear_regression_is_finite_for_any_finite_data(data: tuple, lam: float, intercept: bool,
                                                         scale: float) -> None:
    """Rank-deficient, tiny-scale and huge-scale designs all give finite weights (the minimum-norm solution)."""
    X, y = data
    fit = quietly(regression.fit_linear_regression, X * scale, y, weight_decay=lam, fit_intercept=intercept)
    assert_finite(fit.weights)
    assert_finite(fit.bias)
    assert_finite(quietly(fit.predict, X * scale))


@FAST
@given(regression_data(), st.integers(1, 3), st.data())
def test_linear_regression_rejects_mismatched_spoiled_or_misshapen_input(data: tuple, extra: int,
                                                                        draws: Any) -> None:
    X, y = data
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        regression.fit_linear_regression(X, np.append(y, np.zeros(extra)))
    with pytest.raises(ValueError, match="must contain only finite numbers"):
        regression.fit_linear_regression(draws.draw(spoiled(st.just(X))), y)
    with pytest.raises(ValueError, match="y must be 1-D"):
        regression.fit_linear_regression(X, y[:, None])
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
        regression.fit_linear_regression(X, y, weight_decay=draws.draw(st.one_of(st.floats(max_value=-1e-12),
                                                                                  not_finite)))


@FAST
@given(matrices(min_rows=1, min_cols=1), matrices(min_rows=1, min_cols=1), st.floats(1e-6, 1e6))
def test_kernels_are_finite_bounded_and_reject_mismatched_features(X: np.ndarray, Z: np.ndarray,
                                                                   gamma: float) -> None:
    if X.shape[1] != Z.shape[1]:
        with pytest.raises(ValueError, match="X and Z must have the same number of columns"):
            classifiers.rbf_kernel(X, Z, gamma)
        return
    d2 = quietly(classifiers.squared_distances, X, Z)
    assert_finite(d2)
    assert np.all(d2 >= 0)
    K = quietly(classifiers.rbf_kernel, X, Z, gamma)
    assert np.all((K >= 0) & (K <= 1))


@FAST
@given(st.one_of(st.floats(max_value=0.0), not_finite))
def test_rbf_kernel_rejects_a_bad_width(gamma: float) -> None:
    with pytest.raises(ValueError, match="gamma must be finite and > 0"):
        classifiers.rbf_kernel(np.zeros((2, 2)), np.zeros((3, 2)), gamma)


@FAST
@given(matrices(min_rows=1), st.floats(-1e3, 1e3), st.data())
def test_logistic_loss_and_gradient_stay_finite_at_extreme_scores(X: np.ndarray, b: float, data: Any) -> None:
    """Scores z = Xw + b reach ±1e9 here: the loss is large but finite, the gradient bounded."""
    w = data.draw(vectors(X.shape[1], X.shape[1], st.floats(-1e3, 1e3)))
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(X), max_size=len(X))))
    loss = quietly(classifiers.logistic_loss, w, b, X, y)
    assert_finite(loss)
    assert loss >= 0
    gw, gb = quietly(classifiers.logistic_gradient, w, b, X, y)
    assert_finite(gw)
    assert abs(gb) <= 1.0


@FAST
@given(matrices(min_rows=1), st.floats(allow_nan=True).filter(lambda v: v not in (0.0, 1.0)))
def test_logistic_regression_rejects_labels_that_are_not_binary(X: np.ndarray, bad: float) -> None:
    y = np.zeros(len(X))
    y[0] = bad
    with pytest.raises(ValueError, match="y must"):
        classifiers.fit_logistic_regression(X, y, epochs=1)


@FAST
@given(matrices(min_rows=1), st.data())
def test_kmeans_is_finite_monotone_and_rejects_a_bad_k(X: np.ndarray, data: Any) -> None:
    m = X.shape[0]
    k = data.draw(st.integers(1, m))
    result = quietly(clustering.kmeans, X, k, max_iter=20)
    assert_finite(result.centers)
    assert np.all(np.diff(result.inertia_history) <= 1e-9 * (1.0 + result.inertia_history[:-1]))
    with pytest.raises(ValueError, match="k must be in"):
        clustering.kmeans(X, data.draw(st.one_of(st.integers(-3, 0), st.integers(m + 1, m + 5))))
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        clustering.kmeans(data.draw(spoiled(st.just(X))), 1)


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 20)), elements=finite))
def test_sample_statistics_are_finite_and_non_negative(x: np.ndarray) -> None:
    for unbiased in (False, True):
        v = quietly(estimators.sample_variance, x, unbiased=unbiased)
        assert_finite(v)
        assert np.all(np.asarray(v) >= 0)
    assert_finite(quietly(estimators.standard_error_of_mean, x))
    lo, hi = quietly(estimators.mean_confidence_interval, x)
    assert np.all(np.asarray(lo) <= np.asarray(hi))


@FAST
@given(st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), not_finite))
def test_confidence_level_outside_zero_one_is_rejected(level: float) -> None:
    with pytest.raises(ValueError, match="level must"):
        estimators.mean_confidence_interval(np.arange(5.0), level)


# -- dlbook.autodiff -----------------------------------------------------------------------------------

@FAST
@given(st.floats(-1000.0, 1000.0), st.floats(-3.0, 3.0))
def test_autodiff_stays_finite_at_extreme_inputs(x: float, w: float) -> None:
    """Saturating units at ±1000 give finite values and finite (possibly zero) gradients."""
    a, b = Value(x), Value(w)
    out = (a * b).tanh() + a.sigmoid() * b + a.relu() * 0.001 + (b * b + 1.0).log()
    quietly(out.backward)
    assert_finite([out.data, a.grad, b.grad])


@FAST
@given(st.one_of(st.text(max_size=3).filter(lambda s: not _parses(s)), st.none(), st.lists(finite, min_size=2)))
def test_autodiff_rejects_what_is_not_a_number(x: Any) -> None:
    with pytest.raises(ValueError, match="Value needs a real number"):
        Value(x)


@FAST
@given(st.floats(max_value=0.0))
def test_autodiff_log_rejects_a_non_positive_argument(x: float) -> None:
    with pytest.raises(ValueError, match="log needs a positive argument"):
        Value(x).log()


# -- dlbook.mlp ----------------------------------------------------------------------------------------

@FAST
@given(logit_rows, st.data())
def test_output_losses_stay_finite_at_extreme_logits(z: np.ndarray, data: Any) -> None:
    labels = np.array(data.draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=len(z), max_size=len(z))))
    loss = quietly(mlp.softmax_cross_entropy, z, labels)
    assert_finite(loss)
    assert loss >= 0
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=z.shape[1], max_size=z.shape[1])))
    bce = quietly(mlp.bce_with_logits, z[0], y)
    assert_finite(bce)
    assert bce >= 0


@FAST
@given(logit_rows, st.data())
def test_output_losses_reject_bad_labels(z: np.ndarray, data: Any) -> None:
    k = z.shape[1]
    bad = data.draw(st.one_of(st.integers(k, k + 5), st.integers(-5, -1)))
    labels = np.zeros(len(z), dtype=int)
    labels[0] = bad
    with pytest.raises(ValueError, match="labels must be integers"):
        mlp.softmax_cross_entropy(z, labels)
    with pytest.raises(ValueError, match="labels must be a 1-D array"):
        mlp.softmax_cross_entropy(z, np.zeros(len(z) + 1, dtype=int))
    y = np.full(k, data.draw(st.floats(allow_nan=False).filter(lambda v: v not in (0.0, 1.0))))
    with pytest.raises(ValueError, match="y must"):
        mlp.bce_with_logits(z[0], y)


@FAST
@given(spoiled(logit_rows), st.sampled_from(["relu", "leaky_relu", "abs_rectify", "hard_tanh"]))
def test_hidden_units_reject_nan_and_inf(z: np.ndarray, name: str) -> None:
    with pytest.raises(ValueError, match="z must contain only finite numbers"):
        getattr(mlp, name)(z)


@FAST
@given(st.lists(st.integers(1, 6), min_size=2, max_size=4), st.integers(1, 4), st.data())
def test_mlp_forward_and_backward_are_finite_and_reject_the_wrong_width(sizes: list, extra: int, data: Any) -> None:
    rng = np.random.default_rng(0)
    layers = mlp.init_mlp(sizes, rng)
    X = data.draw(hnp.arrays(np.float64, (5, sizes[0]), elements=st.floats(-1e3, 1e3)))
    logits, cache = quietly(mlp.mlp_forward, layers, X)
    assert_finite(logits)
    grads = quietly(mlp.mlp_backward, layers, cache, rng.integers(0, sizes[-1], 5))
    for g in grads:
        assert_finite(g.W)
        assert_finite(g.b)
    with pytest.raises(ValueError, match=f"X must have {sizes[0]} columns"):
        mlp.mlp_forward(layers, np.zeros((5, sizes[0] + extra)))


# -- dlbook.calculus and dlbook.optimize (Chapter 4) ---------------------------------------------------

@FAST
@given(vectors(1, 6, st.floats(-10.0, 10.0)))
def test_numerical_gradient_is_finite_and_rejects_bad_functions_and_points(x: np.ndarray) -> None:
    g = quietly(calculus.numerical_gradient, lambda v: float(np.sum(np.tanh(v)) + 0.5 * v @ v), x)
    assert_finite(g)
    np.testing.assert_allclose(g, 1.0 - np.tanh(x) ** 2 + x, atol=1e-6)
    with pytest.raises(ValueError, match="f must be a callable"):
        calculus.numerical_gradient(3.0, x)
    with pytest.raises(ValueError, match="x must contain only finite numbers"):
        calculus.numerical_gradient(np.sum, np.append(x, np.nan))


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=finite))
def test_curvature_tools_reject_non_square_matrices_and_classify_symmetric_ones(A: np.ndarray) -> None:
    if A.shape[0] != A.shape[1]:
        for fn in (calculus.condition_number, calculus.second_derivative_test, optimize.max_stable_learning_rate):
            with pytest.raises(ValueError, match="must be a square matrix"):
                fn(A)
        return
    H = A + A.T
    assert quietly(calculus.second_derivative_test, H) in {"minimum", "maximum", "saddle", "inconclusive"}
    c = quietly(calculus.condition_number, H)
    assert c >= 1.0 or c == np.inf


@FAST
@given(st.one_of(st.floats(max_value=0.0), not_finite), st.floats(0.5, 1e6))
def test_optimisers_reject_a_bad_learning_rate_or_condition(lr: float, condition: float) -> None:
    q = optimize.quadratic_with_condition(max(condition, 1.0))
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        optimize.gradient_descent(q.gradient, np.ones(2), lr, 5)
    if condition < 1:
        with pytest.raises(ValueError, match="condition must be >= 1"):
            optimize.quadratic_with_condition(condition)


@FAST
@given(st.floats(1.0, 1e6), st.floats(0.0, 180.0), st.floats(0.01, 2.5), vectors(2, 2, st.floats(-1e3, 1e3)))
def test_gradient_descent_paths_stay_finite_even_past_the_stability_limit(condition: float, angle: float,
                                                                         ratio: float, x0: np.ndarray) -> None:
    """Past 2/λ_max the iterates grow; the path stops before it would hold inf or NaN, with no warning."""
    q = optimize.quadratic_with_condition(condition, angle)
    lr = ratio * optimize.max_stable_learning_rate(q.H)
    path = quietly(optimize.gradient_descent, q.gradient, x0, lr, 200)
    assert_finite(path)
    assert path.shape[1] == 2


@FAST
@given(matrices(min_rows=1), st.data())
def test_least_squares_solvers_are_finite_and_reject_mismatched_shapes(A: np.ndarray, data: Any) -> None:
    b = data.draw(vectors(A.shape[0], A.shape[0]))
    lam = data.draw(st.sampled_from([0.0, 1.0, 1e6]))  # not a λ below ε‖AᵀA‖: reported (LinAlgError)
    assert_finite(quietly(optimize.regularised_lstsq, A, b, lam))
    with pytest.raises(ValueError, match=f"b must have {A.shape[0]} entries"):
        optimize.regularised_lstsq(A, np.append(b, 1.0), lam)
    with pytest.raises(ValueError, match="lam must be finite and >= 0"):
        optimize.regularised_lstsq(A, b, data.draw(st.one_of(st.floats(max_value=-1e-12), not_finite)))
