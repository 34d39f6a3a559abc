"""Gradient descent, optimal step, Newton and (constrained) least squares (§4.3–4.5)
against closed forms, numpy.linalg, scipy.optimize and torch.autograd."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize, minimize_scalar

from dlbook.optimize import (Quadratic, constrained_lstsq, gradient_descent, kkt_residuals, line_search,
                             lstsq_gradient_descent, max_stable_learning_rate, newton_step, optimal_step,
                             quadratic_with_condition, regularised_lstsq, steepest_descent_exact,
                             taylor_step_prediction)

RNG = np.random.default_rng(1)
B = RNG.standard_normal((4, 4))
H4 = B @ B.T + 0.5 * np.eye(4)
Q4 = Quadratic(H4, RNG.standard_normal(4))
A = RNG.standard_normal((8, 3))
b = 3.0 * RNG.standard_normal(8)


def test_quadratic_gradient_matches_autograd() -> None:
    x = RNG.standard_normal(4)
    xt = torch.tensor(x, requires_grad=True)
    f = 0.5 * xt @ torch.tensor(H4) @ xt - torch.tensor(Q4.b) @ xt
    f.backward()
    assert Q4.value(x) == pytest.approx(f.item(), rel=1e-12)
    np.testing.assert_allclose(Q4.gradient(x), xt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(Q4.minimizer(), np.linalg.solve(H4, Q4.b), atol=1e-12)


@pytest.mark.parametrize("kappa, angle", [(1.0, 0.0), (5.0, 45.0), (50.0, 120.0)])
def test_quadratic_with_condition(kappa: float, angle: float) -> None:
    q = quadratic_with_condition(kappa, angle, lambda_max=2.0)
    assert np.linalg.cond(q.H) == pytest.approx(kappa, rel=1e-10)
    lam, V = np.linalg.eigh(q.H)
    assert lam[-1] == pytest.approx(2.0)
    t = np.deg2rad(angle)
    if kappa > 1:  # (with κ = 1 every direction has the same curvature)
        assert abs(V[:, -1] @ [np.cos(t), np.sin(t)]) == pytest.approx(1.0)  # most curvature along the angle


def test_gradient_descent_matches_closed_form() -> None:
    """On ½xᵀHx − bᵀx the error obeys x_k − x* = (I − εH)^k (x₀ − x*)."""
    x0, eps, k = np.ones(4), 0.05, 25
    path = gradient_descent(Q4.gradient, x0, eps, k)
    xs = Q4.minimizer()
    expected = xs + np.linalg.matrix_power(np.eye(4) - eps * H4, k) @ (x0 - xs)
    assert path.shape == (k + 1, 4)
    np.testing.assert_allclose(path[-1], expected, atol=1e-10)


def test_gradient_descent_matches_torch_sgd() -> None:
    x0, eps = RNG.standard_normal(4), 0.03
    xt = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.SGD([xt], lr=eps)
    for _ in range(10):
        opt.zero_grad()
        (0.5 * xt @ torch.tensor(H4) @ xt - torch.tensor(Q4.b) @ xt).backward()
        opt.step()
    np.testing.assert_allclose(gradient_descent(Q4.gradient, x0, eps, 10)[-1], xt.detach().numpy(), atol=1e-12)


def test_stability_limit_two_over_lambda_max() -> None:
    q = quadratic_with_condition(10.0, 30.0, lambda_max=4.0)
    limit = max_stable_learning_rate(q.H)
    assert limit == pytest.approx(2 / np.linalg.eigvalsh(q.H).max())
    x0 = np.array([1.0, -0.5])
    below = gradient_descent(q.gradient, x0, 0.95 * limit, 400)
    above = gradient_descent(q.gradient, x0, 1.05 * limit, 400)
    assert np.linalg.norm(below[-1]) < 1e-3 * np.linalg.norm(x0)
    assert np.linalg.norm(above[-1]) > 1e3 * np.linalg.norm(x0)


def test_gradient_descent_stops_when_it_overflows() -> None:
    path = gradient_descent(lambda x: 1e10 * x, np.ones(2), 1.0, 10_000)
    assert len(path) < 10_001 and np.all(np.isfinite(path))


def test_taylor_prediction_and_optimal_step() -> None:
    x = RNG.standard_normal(4)
    g = Q4.gradient(x)
    for eps in (0.0, 0.1, 0.7):  # eq. 4.9 is exact on a quadratic
        assert taylor_step_prediction(Q4.value(x), g, H4, eps) == pytest.approx(Q4.value(x - eps * g), rel=1e-12)
    best = minimize_scalar(lambda e: Q4.value(x - e * g), bounds=(0, 10), method="bounded",
                           options={"xatol": 1e-12})
    assert optimal_step(g, H4) == pytest.approx(best.x, rel=1e-6)
    lam, V = np.linalg.eigh(H4)
    assert optimal_step(V[:, -1], H4) == pytest.approx(1 / lam[-1], rel=1e-12)  # the worst case: 1/λ_max


def test_steepest_descent_exact_and_line_search() -> None:
    q = quadratic_with_condition(5.0, 45.0)
    path = steepest_descent_exact(q, np.array([2.0, -1.0]), 60)
    assert np.linalg.norm(path[-1]) < 1e-8
    steps = np.diff(path, axis=0)
    # with exact line search successive steps are orthogonal: the zig-zag
    dots = np.einsum("ij,ij->i", steps[:-1], steps[1:])
    assert np.all(np.abs(dots[:5]) < 1e-12 * np.linalg.norm(steps[0]) ** 2)
    x = np.array([2.0, -1.0])
    g = q.gradient(x)
    grid = np.linspace(0, 3, 3001)
    assert line_search(q.value, x, -g, grid) == pytest.approx(optimal_step(g, q.H), abs=1e-3)


def test_newton_one_step_on_pd_quadratic() -> None:
    x0 = RNG.standard_normal(4)
    np.testing.assert_allclose(newton_step(x0, Q4.gradient(x0), H4), Q4.minimizer(), atol=1e-10)
    x = torch.tensor(x0)
    f = lambda v: 0.5 * v @ torch.tensor(H4) @ v - torch.tensor(Q4.b) @ v  # noqa: E731
    H = torch.autograd.functional.hessian(f, x).numpy()
    g = torch.autograd.functional.jacobian(f, x).numpy()
    np.testing.assert_allclose(newton_step(x0, g, H), np.linalg.solve(H4, Q4.b), atol=1e-10)


def test_lstsq_gradient_descent_matches_numpy() -> None:
    x, steps = lstsq_gradient_descent(A, b, tol=1e-10)
    np.testing.assert_allclose(x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-8)
    assert steps > 0
    g = A.T @ A @ x - A.T @ b
    assert np.linalg.norm(g) <= 1e-10


def test_regularised_lstsq_is_ridge() -> None:
    lam = 0.7
    x = regularised_lstsq(A, b, lam)
    # eq. 4.26 minimises ½‖Ax − b‖² + λxᵀx: compare with scipy's general minimiser
    res = minimize(lambda v: 0.5 * np.sum((A @ v - b) ** 2) + lam * v @ v, np.zeros(3), method="BFGS",
                   options={"gtol": 1e-10})
    np.testing.assert_allclose(x, res.x, atol=1e-6)
    np.testing.assert_allclose(regularised_lstsq(A, b, 0.0), np.linalg.pinv(A) @ b, atol=1e-12)


@pytest.mark.parametrize("method", ["bisection", "ascent"])
def test_constrained_lstsq_matches_scipy_slsqp(method: str) -> None:
    sol = constrained_lstsq(A, b, radius=1.0, method=method, learning_rate=1.0)
    res = minimize(lambda v: 0.5 * np.sum((A @ v - b) ** 2), np.zeros(3), method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda v: 1.0 - v @ v}], options={"ftol": 1e-14})
    np.testing.assert_allclose(sol.x, res.x, atol=1e-5)
    assert sol.x @ sol.x == pytest.approx(1.0, abs=1e-8)  # the constraint is active
    assert sol.lam > 0
    r = kkt_residuals(A, b, sol.x, sol.lam)
    assert r["stationarity"] < 1e-6 and r["primal"] < 1e-8 and r["dual"] == 0 and r["complementary"] < 1e-8


def test_constrained_lstsq_inactive_constraint() -> None:
    sol = constrained_lstsq(A, b, radius=100.0)
    np.testing.assert_allclose(sol.x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-10)
    assert sol.lam == 0.0 and sol.iterations == 0


def test_both_multiplier_methods_agree() -> None:
    s1 = constrained_lstsq(A, b, radius=0.5, method="bisection")
    s2 = constrained_lstsq(A, b, radius=0.5, method="ascent", learning_rate=2.0, tol=1e-12)
    assert s1.lam == pytest.approx(s2.lam, rel=1e-6)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros(2))
    with pytest.raises(ValueError, match="b must have 2 entries"):
        Quadratic(np.eye(2), np.zeros(3))
    with pytest.raises(ValueError, match="positive definite"):
        Quadratic(np.diag([1.0, -1.0]), np.zeros(2)).minimizer()
    with pytest.raises(ValueError, match="condition must be >= 1"):
        quadratic_with_condition(0.5)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        gradient_descent(Q4.gradient, np.ones(4), -0.1, 3)
    with pytest.raises(ValueError, match="n_steps must be an integer"):
        gradient_descent(Q4.gradient, np.ones(4), 0.1, 2.5)
    with pytest.raises(ValueError, match="gᵀHg must be > 0"):
        optimal_step(np.array([0.0, 1.0]), np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="invertible"):
        newton_step(np.zeros(2), np.ones(2), np.diag([1.0, 0.0]))
    with pytest.raises(ValueError, match="did not reach"):
        lstsq_gradient_descent(A, b, learning_rate=10.0, max_steps=50)
    with pytest.raises(ValueError, match="method must be"):
        constrained_lstsq(A, b, method="newton")
    with pytest.raises(ValueError, match="did not converge"):
        constrained_lstsq(A, b, method="ascent", learning_rate=1e-6, max_iter=5)
    with pytest.raises(ValueError, match="lam must be finite and >= 0"):
        regularised_lstsq(A, b, -1.0)
    with pytest.raises(ValueError, match="b must have 8 entries"):
        lstsq_gradient_descent(A, b[:3])
    with pytest.raises(ValueError, match="positive eigenvalue"):
        max_stable_learning_rate(-np.eye(2))


def test_regularised_lstsq_survives_a_singular_gram_matrix() -> None:
    """Found by the property tests: AᵀA singular and λ tiny used to raise LinAlgError."""
    A, b, lam = np.array([[13748.0, 404835.0, 0.0]]), np.array([0.0]), 1e-8
    x = regularised_lstsq(A, b, lam)
    oracle = np.linalg.lstsq(np.vstack([A, np.sqrt(2 * lam) * np.eye(3)]), np.r_[b, 0, 0, 0], rcond=None)[0]
    np.testing.assert_allclose(x, oracle, atol=1e-12)


def test_constrained_lstsq_is_feasible_when_the_multiplier_is_tiny() -> None:
    """Found by the property tests: λ ≈ 5e-9 used to stop the bisection too early (xᵀx = 1.0094 > 1)."""
    sol = constrained_lstsq(np.array([[1e-8]]), np.array([1.0]), radius=1.0)
    assert float(sol.x @ sol.x) <= 1.0 + 1e-12
    assert float(sol.x @ sol.x) == pytest.approx(1.0, rel=1e-6)


def test_regularised_lstsq_is_sklearn_ridge_with_alpha_two_lambda() -> None:
    """Review E14: the Lagrangian's coefficient λ is ridge's α/2 (sklearn) and weight decay's α/2 (§7.1)."""
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(2)
    A, b = rng.standard_normal((20, 4)), rng.standard_normal(20)
    for lam in (0.1, 1.0, 7.5):
        x = regularised_lstsq(A, b, lam)
        ridge = Ridge(alpha=2 * lam, fit_intercept=False, solver="svd").fit(A, b).coef_
        np.testing.assert_allclose(x, ridge, rtol=1e-10, atol=1e-12)
        assert not np.allclose(x, Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(A, b).coef_, atol=1e-6)
