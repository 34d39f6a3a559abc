"""dlbook.information (§3.13) against scipy.stats, scipy.special, torch.distributions and quadrature."""

import numpy as np
import pytest
import scipy.special as sps
import scipy.stats as st
import torch
from scipy.integrate import quad, simpson
from scipy.optimize import minimize
from torch.distributions import Bernoulli, Categorical, Normal, kl_divergence

from dlbook.information import (_reverse_kl_and_grad, bernoulli_cross_entropy, bernoulli_entropy, bernoulli_kl,
                                cross_entropy, entropy, fit_forward_kl, fit_reverse_kl, forward_kl,
                                gaussian_entropy, gaussian_expectation, kl_discrete, kl_gaussian, kl_numeric_1d,
                                mixture_entropy, reverse_kl, reverse_kl_curve, self_information)
from dlbook.prob import gaussian_logpdf, laplace_pdf, mixture_logpdf, mixture_pdf

RNG = np.random.default_rng(0)
P = RNG.dirichlet(np.ones(6), size=4)
Q = RNG.dirichlet(np.ones(6), size=4)
BOOK = ([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])  # ½N(−2, 0.5²) + ½N(2, 0.5²)
MIXTURES = [BOOK, ([0.9, 0.1], [-3.0, 3.0], [0.3, 0.3]), ([0.3, 0.7], [-0.5, 1.0], [1.0, 0.4]),
            ([0.2, 0.5, 0.3], [-2.0, 0.0, 3.0], [0.5, 1.0, 0.7])]
QS = [(0.0, 0.3), (0.0, 3.0), (1.0, 1.0), (-4.0, 0.2), (0.5, 8.0)]


def _quad(f, lo=-80.0, hi=80.0) -> float:
    return quad(f, lo, hi, points=[-3, -2, -0.5, 0, 1, 2, 3], limit=1000, epsabs=1e-12, epsrel=1e-12)[0]


def test_discrete_quantities_match_scipy_and_torch() -> None:
    """Tolerance 1e-12 against scipy.stats.entropy, scipy.special.rel_entr and torch's Categorical."""
    np.testing.assert_allclose(entropy(P), st.entropy(P, axis=1), rtol=1e-12)
    np.testing.assert_allclose(kl_discrete(P, Q), st.entropy(P, Q, axis=1), rtol=1e-12)
    np.testing.assert_allclose(kl_discrete(P, Q), sps.rel_entr(P, Q).sum(1), rtol=1e-12)
    np.testing.assert_allclose(cross_entropy(P, Q), -sps.xlogy(P, Q).sum(1), rtol=1e-12)
    torch_kl = kl_divergence(Categorical(probs=torch.tensor(P)), Categorical(probs=torch.tensor(Q))).numpy()
    np.testing.assert_allclose(kl_discrete(P, Q), torch_kl, rtol=1e-10)
    np.testing.assert_allclose(entropy(P), Categorical(probs=torch.tensor(P)).entropy().numpy(), rtol=1e-10)
    np.testing.assert_allclose(kl_discrete(P.T, Q.T, axis=0), st.entropy(P, Q, axis=1), rtol=1e-12)
    # H(P, Q) = H(P) + D_KL(P‖Q) (eq. 3.51); D_KL(P‖P) = 0
    np.testing.assert_allclose(cross_entropy(P, Q), entropy(P) + kl_discrete(P, Q), rtol=1e-12)
    np.testing.assert_allclose(kl_discrete(P, P), 0.0, atol=1e-15)
    np.testing.assert_allclose(self_information([1.0, 0.5, np.exp(-3)]), [0.0, np.log(2), 3.0], rtol=1e-14)


def test_zero_probabilities_follow_0_log_0_and_give_inf_never_nan() -> None:
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert kl_discrete(p, q) == pytest.approx(np.log(2), rel=1e-14)  # the 0·log 0 term is 0
    assert entropy(p) == pytest.approx(np.log(2), rel=1e-14)
    assert kl_discrete(q, p) == np.inf and cross_entropy(q, p) == np.inf  # q puts mass where p has none
    assert entropy([0.0, 1.0, 0.0]) == 0.0 and kl_discrete([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert self_information(0.0) == np.inf
    with np.errstate(all="raise"):
        vals = [kl_discrete(p, q), kl_discrete(q, p), cross_entropy(q, p), entropy(p), bernoulli_kl(0.0, 1.0),
                bernoulli_kl(1.0, 1.0), bernoulli_entropy(0.0), bernoulli_cross_entropy(1.0, 0.0)]
    assert not np.any(np.isnan(vals))
    assert bernoulli_kl(1.0, 1.0) == 0.0 and bernoulli_kl(0.0, 1.0) == np.inf


def test_bernoulli_quantities_match_torch() -> None:
    p, q = np.linspace(0.01, 0.99, 23), np.linspace(0.97, 0.02, 23)
    tp, tq = Bernoulli(probs=torch.tensor(p)), Bernoulli(probs=torch.tensor(q))
    np.testing.assert_allclose(bernoulli_kl(p, q), kl_divergence(tp, tq).numpy(), rtol=1e-10)
    np.testing.assert_allclose(bernoulli_entropy(p), tp.entropy().numpy(), rtol=1e-10)
    ce = -(p * np.log(q) + (1 - p) * np.log1p(-q))  # closed form
    np.testing.assert_allclose(bernoulli_cross_entropy(p, q), ce, rtol=1e-12)
    assert bernoulli_entropy(0.5) == pytest.approx(np.log(2), rel=1e-15)  # the maximum (fig. 3.5)


def test_gaussian_closed_forms_match_torch_and_scipy() -> None:
    for mp, sp, mq, sq in [(0, 1, 0, 1), (0.3, 0.5, -1, 2), (5, 3, 0, 0.1)]:
        ref = kl_divergence(Normal(torch.tensor(float(mp)), torch.tensor(float(sp))),
                            Normal(torch.tensor(float(mq)), torch.tensor(float(sq)))).item()
        assert kl_gaussian(mp, sp, mq, sq) == pytest.approx(ref, rel=1e-6, abs=1e-7)  # torch computes in float32
        assert kl_gaussian(mp, sp, mq, sq) == pytest.approx(
            _quad(lambda x: st.norm.pdf(x, mp, sp) * (st.norm.logpdf(x, mp, sp) - st.norm.logpdf(x, mq, sq)),
                  mp - 30 * sp, mp + 30 * sp), rel=1e-9, abs=1e-12)
        assert gaussian_entropy(sp) == pytest.approx(st.norm(0, sp).entropy(), rel=1e-14)


def test_kl_numeric_1d_against_closed_form_and_quadrature() -> None:
    x = np.linspace(-20, 20, 20001)
    got = kl_numeric_1d(lambda t: gaussian_logpdf(t, 0.3, 0.7), lambda t: gaussian_logpdf(t, -1, 1.5), x)
    assert got == pytest.approx(kl_gaussian(0.3, 0.7, -1, 1.5), rel=1e-7)
    lap = lambda t: np.log(laplace_pdf(t, 0.0, 1.0))  # noqa: E731
    ref = _quad(lambda t: laplace_pdf(t, 0, 1) * (np.log(laplace_pdf(t, 0, 1)) - gaussian_logpdf(t, 0, 2)), -50, 50)
    assert kl_numeric_1d(lap, lambda t: gaussian_logpdf(t, 0, 2), np.linspace(-50, 50, 200001)) == pytest.approx(
        ref, rel=1e-6)
    # q = uniform on [0, 1] has no mass where p = N(0, 1) has: inf, not NaN
    log_unif = lambda t: np.where((t >= 0) & (t <= 1), 0.0, -np.inf)  # noqa: E731
    assert kl_numeric_1d(lambda t: gaussian_logpdf(t, 0, 1), log_unif, x) == np.inf
    # and the other way round p = 0 outside [0, 1] contributes nothing: D(U‖N(0.5, 1)) by quadrature
    # (the jumps of p at 0 and 1 cost the trapezoid rule O(h) = 1e-5 here)
    ref = quad(lambda t: -gaussian_logpdf(t, 0.5, 1.0), 0, 1)[0]
    assert kl_numeric_1d(log_unif, lambda t: gaussian_logpdf(t, 0.5, 1.0), np.linspace(-1, 2, 300001)) == \
        pytest.approx(ref, rel=2e-5)


def test_gaussian_expectation_is_exact_for_moments() -> None:
    assert gaussian_expectation(lambda x: x, 1.5, 2.0) == pytest.approx(1.5, rel=1e-12)
    assert gaussian_expectation(lambda x: x**2, 1.5, 2.0) == pytest.approx(1.5**2 + 4.0, rel=1e-12)
    assert gaussian_expectation(np.cos, 0.0, 1.0) == pytest.approx(np.exp(-0.5), rel=1e-12)


@pytest.mark.parametrize("mix", MIXTURES)
def test_mixture_divergences_match_quadrature(mix) -> None:
    """Both directions and the mixture entropy against scipy.integrate.quad, to 1e-8 relative."""
    w, m, s = mix
    h = _quad(lambda x: -mixture_pdf(x, w, m, s) * mixture_logpdf(x, w, m, s), -40, 40)
    assert mixture_entropy(w, m, s) == pytest.approx(h, rel=1e-8, abs=1e-10)
    for mu, sg in QS:
        fwd = _quad(lambda x: mixture_pdf(x, w, m, s) * (mixture_logpdf(x, w, m, s) - gaussian_logpdf(x, mu, sg)),
                    -40, 40)
        rev = _quad(lambda x: st.norm.pdf(x, mu, sg) * (st.norm.logpdf(x, mu, sg) - mixture_logpdf(x, w, m, s)),
                    mu - 12 * sg, mu + 12 * sg)
        assert forward_kl(w, m, s, mu, sg) == pytest.approx(fwd, rel=1e-8)
        assert reverse_kl(w, m, s, mu, sg) == pytest.approx(rev, rel=1e-8)


@pytest.mark.parametrize("mix", MIXTURES)
def test_reverse_kl_curve_is_reverse_kl_along_the_grid(mix) -> None:
    """The one-pass curve (log p evaluated once, windows of it weighted) against reverse_kl at each mean."""
    for grid in (np.linspace(-5.0, 5.0, 81), np.linspace(-1.0, 2.0, 4), np.linspace(-3.0, 3.0, 7),
                 np.linspace(40.0, 41.0, 11)):  # far from 0: rounding makes the steps unequal by ~1e-15
        for std in (0.3, 1.0, 2.5):
            np.testing.assert_allclose(reverse_kl_curve(*mix, grid, std), reverse_kl(*mix, grid, std),
                                       rtol=1e-6, atol=1e-9)


def test_reverse_kl_gradient_matches_finite_differences() -> None:
    w, m, s = (np.asarray(a) for a in MIXTURES[3])
    for th in [(0.0, 0.0), (1.3, -0.7), (-2.5, 1.2)]:
        kl, g = _reverse_kl_and_grad(w, m, s, *th)
        assert kl == pytest.approx(reverse_kl(w, m, s, th[0], np.exp(th[1])), rel=1e-12)
        eps = 1e-6
        fd = [(reverse_kl(w, m, s, th[0] + eps, np.exp(th[1])) - reverse_kl(w, m, s, th[0] - eps, np.exp(th[1])))
              / (2 * eps),
              (reverse_kl(w, m, s, th[0], np.exp(th[1] + eps)) - reverse_kl(w, m, s, th[0], np.exp(th[1] - eps)))
              / (2 * eps)]
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_forward_fit_is_moment_matching_for_the_book_example() -> None:
    """§3.13, fig. 3.6: for ½N(−2, .5²) + ½N(2, .5²), Var = 0.5² + 2² = 4.25 by the law of total variance."""
    fit = fit_forward_kl(*BOOK)
    assert fit.mean == pytest.approx(0.0, abs=1e-12) and fit.std**2 == pytest.approx(4.25, rel=1e-12)
    for w, m, s in MIXTURES:  # every nudge of (μ, σ) increases the quadrature objective (oracle)
        fit = fit_forward_kl(w, m, s)
        fwd = lambda mu, sg: _quad(  # noqa: E731
            lambda x: mixture_pdf(x, w, m, s) * (mixture_logpdf(x, w, m, s) - gaussian_logpdf(x, mu, sg)), -40, 40)
        base = fwd(fit.mean, fit.std)
        assert fit.kl == pytest.approx(base, rel=1e-8)
        for dm, ds in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3), (1e-3, -1e-3)]:
            assert fwd(fit.mean + dm, fit.std + ds) > base


def _rev_quad(w, m, s, mu, sg) -> float:
    return _quad(lambda x: st.norm.pdf(x, mu, sg) * (st.norm.logpdf(x, mu, sg) - mixture_logpdf(x, w, m, s)),
                 mu - 12 * sg, mu + 12 * sg)


def test_reverse_fit_locks_onto_each_mode_when_far_apart() -> None:
    fits = fit_reverse_kl(*BOOK)
    best = fits[:2]
    assert sorted(round(f.mean, 2) for f in best) == [-2.0, 2.0]
    assert all(f.std == pytest.approx(0.5, abs=1e-3) for f in best)
    assert best[0].kl == pytest.approx(best[1].kl, rel=1e-9)  # the two are mirror images
    assert best[0].kl == pytest.approx(np.log(2), abs=1e-3)  # q covers one mode: it misses half of p's mass
    for f in fits:  # each is a local minimum of the quadrature objective (oracle): every nudge increases it
        base = _rev_quad(*BOOK, f.mean, f.std)
        assert base == pytest.approx(f.kl, rel=1e-8)
        for dm, ds in [(1e-2, 0), (-1e-2, 0), (0, 1e-2), (0, -1e-2), (1e-2, 1e-2), (-1e-2, 1e-2)]:
            assert _rev_quad(*BOOK, f.mean + dm, f.std + ds) > base
    # the forward fit is much worse under the reverse divergence, and vice versa
    fwd = fit_forward_kl(*BOOK)
    assert reverse_kl(*BOOK, fwd.mean, fwd.std) > best[0].kl
    assert forward_kl(*BOOK, best[0].mean, best[0].std) > fwd.kl


def test_reverse_fit_single_optimum_when_modes_overlap() -> None:
    fits = fit_reverse_kl([0.5, 0.5], [-0.5, 0.5], [1.0, 1.0])
    assert len(fits) == 1 and fits[0].mean == pytest.approx(0.0, abs=1e-6)
    # an unequal mixture: the best fit leans to the heavier mode; a generic optimiser agrees
    w, m, s = [0.8, 0.2], [-1.0, 1.0], [1.0, 1.0]
    x = np.linspace(-15, 15, 6001)  # oracle: Simpson's rule with scipy's densities and logsumexp

    def rev_grid(th):
        lq = st.norm.logpdf(x, th[0], np.exp(th[1]))
        lp = sps.logsumexp(np.log(w) + st.norm.logpdf(x[:, None], m, s), axis=1)
        return simpson(np.exp(lq) * (lq - lp), x=x)

    res = minimize(rev_grid, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-13})
    best = fit_reverse_kl(w, m, s)[0]
    assert best.mean == pytest.approx(res.x[0], abs=1e-4) and best.std == pytest.approx(np.exp(res.x[1]), rel=1e-4)
    assert best.mean < 0


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="p must contain probabilities"):
        kl_discrete([-0.1, 1.1], [0.5, 0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        kl_discrete([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="p must sum to 1"):
        entropy([0.2, 0.2])
    with pytest.raises(ValueError, match="same \\(broadcastable\\) shape"):
        cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="at least 1-D"):
        entropy(1.0)
    with pytest.raises(ValueError, match="p must be a probability"):
        bernoulli_kl(1.2, 0.5)
    with pytest.raises(ValueError, match="std_q must be finite and > 0"):
        kl_gaussian(0, 1, 0, 0)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        gaussian_entropy(-1.0)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        reverse_kl(*BOOK, 0.0, 0.0)
    with pytest.raises(ValueError, match="stds must all be > 0"):
        fit_reverse_kl([0.5, 0.5], [0, 1], [0.0, 1.0])
    with pytest.raises(ValueError, match="weights must sum to 1"):
        fit_forward_kl([0.5, 0.7], [0, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        kl_numeric_1d(np.sin, np.cos, [0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="grid's shape"):
        kl_numeric_1d(lambda t: 0.0, np.cos, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="evenly spaced; got steps from 1 to 2"):
        reverse_kl_curve(*BOOK, [0.0, 1.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="at least 2 means; got 1"):
        reverse_kl_curve(*BOOK, [0.0], 1.0)
    with pytest.raises(ValueError, match="increasing"):
        reverse_kl_curve(*BOOK, [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        reverse_kl_curve(*BOOK, [0.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="starts must be rows"):
        fit_reverse_kl(*BOOK, starts=[[0.0, -1.0]])
    with pytest.raises(ValueError, match="p must contain probabilities"):
        self_information([1.5])
