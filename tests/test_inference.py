"""The ELBO, EM, Gaussian mean field and binary sparse coding against exact enumeration, sklearn and closed forms."""

import numpy as np
import pytest
from scipy.special import logsumexp as sp_logsumexp
from sklearn.mixture import GaussianMixture

from dlbook.inference import (bsc_elbo, bsc_log_joint, bsc_mean_field, elbo_discrete, em_gmm, gmm_log_likelihood,
                              linear_gaussian_posterior, mean_field_gaussian)
from dlbook.information import kl_discrete
from dlbook.rbm import all_binary_states


def test_log_evidence_is_elbo_plus_kl_for_a_discrete_latent():
    log_joint = np.log([0.03, 0.12, 0.05])          # p(v, h) for h = 0, 1, 2 at one observed v
    log_pv = sp_logsumexp(log_joint)
    posterior = np.exp(log_joint - log_pv)
    for q in ([1 / 3] * 3, [0.7, 0.2, 0.1], [0.0, 1.0, 0.0], posterior):
        q = np.asarray(q)
        assert elbo_discrete(log_joint, q) + kl_discrete(q, posterior) == pytest.approx(log_pv, abs=1e-12)
    assert elbo_discrete(log_joint, posterior) == pytest.approx(log_pv, abs=1e-12)


def _mixture_data(seed=0):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal([0, 0], 0.6, (120, 2)), rng.normal([3, 1], [1.0, 0.4], (80, 2)),
              rng.normal([0.5, 3], 0.5, (60, 2))]
    start = dict(weights=np.full(3, 1 / 3), means=X[[0, 130, 250]], covs=np.stack([np.eye(2)] * 3))
    return X, start


def test_em_matches_sklearn_from_the_same_start_and_never_decreases():
    X, s = _mixture_data()
    out = em_gmm(X, s["weights"], s["means"], s["covs"], n_iter=25)
    gm = GaussianMixture(3, covariance_type="full", max_iter=25, tol=0.0, reg_covar=0.0, weights_init=s["weights"],
                         means_init=s["means"], precisions_init=np.linalg.inv(s["covs"]), init_params="random")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # sklearn warns that 25 iterations did not "converge"
        gm.fit(X)
    np.testing.assert_allclose(out["means"], gm.means_, atol=1e-8)
    np.testing.assert_allclose(out["covs"], gm.covariances_, atol=1e-8)
    np.testing.assert_allclose(out["weights"], gm.weights_, atol=1e-8)
    assert out["log_likelihood"][-1] == pytest.approx(gm.score(X), abs=1e-8)
    assert np.all(np.diff(out["log_likelihood"]) >= -1e-12)
    assert gmm_log_likelihood(X, out["weights"], out["means"], out["covs"]) == pytest.approx(
        out["log_likelihood"][-1], abs=1e-12)


def test_mean_field_gaussian_has_the_true_means_and_variances_one_over_lambda_ii():
    mean, precision = linear_gaussian_posterior(np.array([1.5, -0.8]), 2.0)
    cov = np.linalg.inv(precision)
    w = np.array([1.5, -0.8])
    np.testing.assert_allclose(w * 2.0 / (1 + w @ w), mean, atol=1e-12)       # conditioning the joint of (h, v)
    m, var, _ = mean_field_gaussian(mean, precision, n_iter=200)
    np.testing.assert_allclose(m, mean, atol=1e-10)
    # the optimum of KL(q ‖ p) over factorised Gaussians, found numerically (no update equations)
    from scipy.optimize import minimize

    def kl(p):
        mq, s2 = p[:2], np.exp(p[2:])
        return 0.5 * (precision.diagonal() @ s2 + (mq - mean) @ precision @ (mq - mean) - np.log(s2).sum())
    best = minimize(kl, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(np.exp(best[2:]), var, atol=1e-5)
    np.testing.assert_allclose(best[:2], m, atol=1e-5)
    assert np.all(var < np.diag(cov))                                                    # too narrow


def _bsc(m=6, n=8, seed=0):
    rng = np.random.default_rng(seed)
    W, b, beta = rng.normal(0, 1, (n, m)), rng.normal(-1, 0.5, m), np.full(n, 2.0)
    h = (rng.random(m) < 0.3).astype(float)
    v = W @ h + rng.normal(0, 1 / np.sqrt(2.0), n)
    return v, W, b, beta


def test_bsc_elbo_matches_enumeration_and_bounds_log_evidence():
    v, W, b, beta = _bsc()
    H = all_binary_states(6)
    lj = bsc_log_joint(v, H, W, b, beta)
    h_hat = np.random.default_rng(1).random(6)
    q = np.prod(np.where(H == 1, h_hat, 1 - h_hat), axis=1)       # the factorial q over all 2^6 states
    assert bsc_elbo(v, h_hat, W, b, beta) == pytest.approx(elbo_discrete(lj, q), abs=1e-10)
    h_fit, elbos = bsc_mean_field(v, W, b, beta, n_iter=200, damping=0.5)
    assert elbos[-1] <= sp_logsumexp(lj) + 1e-12 and elbos[-1] > bsc_elbo(v, h_hat, W, b, beta)
    # a fixed point: one more undamped update leaves ĥ where it is
    again, _ = bsc_mean_field(v, W, b, beta, n_iter=1, damping=0.0, init=h_fit)
    np.testing.assert_allclose(again, h_fit, atol=1e-8)


def test_bsc_mean_field_is_exact_when_the_columns_do_not_interact():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    W, b, beta = 1.5 * Q[:, :8], rng.normal(-1, 0.5, 8), np.full(10, 1.0)            # WᵀβW is diagonal
    v = W @ (rng.random(8) < 0.4) + rng.normal(0, 1, 10)
    H = all_binary_states(8)
    lj = bsc_log_joint(v, H, W, b, beta)
    post = np.exp(lj - sp_logsumexp(lj))
    h_fit, elbos = bsc_mean_field(v, W, b, beta, n_iter=50, damping=0.3)
    np.testing.assert_allclose(h_fit, post @ H, atol=1e-10)                             # brute-force marginals
    assert elbos[-1] == pytest.approx(sp_logsumexp(lj), abs=1e-8)                        # the bound is tight


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="one probability per latent"):
        elbo_discrete(np.zeros(3), [0.5, 0.5])
    with pytest.raises(ValueError, match="expected weights"):
        em_gmm(np.zeros((5, 2)), [0.5, 0.5], np.zeros((3, 2)), np.stack([np.eye(2)] * 3))
    with pytest.raises(ValueError, match="symmetric positive definite"):
        mean_field_gaussian(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))
    v, W, b, beta = _bsc()
    with pytest.raises(ValueError, match="damping"):
        bsc_mean_field(v, W, b, beta, damping=1.0)
    with pytest.raises(ValueError, match="positive"):
        bsc_mean_field(v, W, b, -beta)
    with pytest.raises(ValueError, match="binary codes"):
        bsc_log_joint(v, np.full((1, b.size), 0.5), W, b, beta)
