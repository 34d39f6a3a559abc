"""Finite differences, curvature and conditioning (§4.2–4.3) against torch.autograd, numpy.linalg and scipy."""

import numpy as np
import pytest
import torch
from scipy.optimize import approx_fprime

from dlbook.calculus import (condition_number, directional_derivative, directional_second_derivative,
                             numerical_gradient, numerical_hessian, numerical_jacobian, second_derivative_test)

RNG = np.random.default_rng(0)
X0 = RNG.standard_normal(4)
W = RNG.standard_normal((3, 4))


def f_scalar_torch(x: torch.Tensor) -> torch.Tensor:
    return torch.sin(x[0]) * x[1] ** 2 + torch.exp(0.3 * x[2]) * x[3] + torch.log1p(x @ x)


def f_scalar(x: np.ndarray) -> float:
    return float(f_scalar_torch(torch.as_tensor(x, dtype=torch.float64)))


def f_vector_torch(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(torch.as_tensor(W) @ x) * x[:3]


def f_vector(x: np.ndarray) -> np.ndarray:
    return f_vector_torch(torch.as_tensor(x, dtype=torch.float64)).numpy()


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(x, dtype=torch.float64)


def test_gradient_matches_autograd_and_scipy() -> None:
    # central differences: truncation O(h²) ≈ 1e-12 and rounding ≈ 1e-16/1e-6, so 1e-8 is a safe tolerance
    g = numerical_gradient(f_scalar, X0)
    x = _t(X0).requires_grad_(True)
    f_scalar_torch(x).backward()
    np.testing.assert_allclose(g, x.grad.numpy(), atol=1e-8)
    np.testing.assert_allclose(g, approx_fprime(X0, f_scalar, 1e-7), atol=1e-5)  # scipy's forward differences


def test_jacobian_matches_autograd() -> None:
    J = numerical_jacobian(f_vector, X0)
    J_torch = torch.autograd.functional.jacobian(f_vector_torch, _t(X0)).numpy()
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J, J_torch, atol=1e-8)


def test_hessian_matches_autograd_and_is_symmetric() -> None:
    H = numerical_hessian(f_scalar, X0)
    H_torch = torch.autograd.functional.hessian(f_scalar_torch, _t(X0)).numpy()
    np.testing.assert_allclose(H, H_torch, atol=1e-6)  # O(h²) = 1e-8 truncation, ε/h² ≈ 1e-8 rounding
    np.testing.assert_array_equal(H, H.T)


def test_hessian_of_quadratic_is_exact() -> None:
    A = RNG.standard_normal((3, 3))
    A = A + A.T
    H = numerical_hessian(lambda x: 0.5 * x @ A @ x, RNG.standard_normal(3))
    np.testing.assert_allclose(H, A, atol=1e-6)


def test_directional_derivatives() -> None:
    g = numerical_gradient(f_scalar, X0)
    u = RNG.standard_normal(4)
    u /= np.linalg.norm(u)
    # the derivative of f(x + αu) at α = 0, by a 1-D central difference
    a = 1e-6
    slope = (f_scalar(X0 + a * u) - f_scalar(X0 - a * u)) / (2 * a)
    assert directional_derivative(g, u) == pytest.approx(slope, abs=1e-7)
    # eqs. 4.3-4.4: it is ‖g‖ cos θ, most negative along −g
    assert directional_derivative(g, -g / np.linalg.norm(g)) == pytest.approx(-np.linalg.norm(g), rel=1e-12)
    H = torch.autograd.functional.hessian(f_scalar_torch, _t(X0)).numpy()
    lam, V = np.linalg.eigh(H)
    weights = (V.T @ u) ** 2
    assert weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert directional_second_derivative(H, u) == pytest.approx(weights @ lam, rel=1e-10)
    assert directional_second_derivative(H, V[:, 0]) == pytest.approx(lam[0], rel=1e-10)


def test_condition_number_matches_numpy_for_symmetric() -> None:
    B = RNG.standard_normal((5, 5))
    S = B @ B.T + 0.1 * np.eye(5)
    assert condition_number(S) == pytest.approx(np.linalg.cond(S, 2), rel=1e-9)
    assert condition_number(np.diag([2.0, -8.0])) == pytest.approx(4.0)  # magnitudes (eq. 4.2)
    assert condition_number(np.diag([1.0, 0.0])) == float("inf")
    assert condition_number(np.eye(3) * 7) == pytest.approx(1.0)


def test_condition_number_refuses_a_non_normal_matrix_whose_eigenvalue_ratio_is_wrong() -> None:
    """Review E1: the shear has eigenvalue ratio 1 but amplifies relative errors 1e6 times."""
    from dlbook.linalg import svd_condition_number

    S = np.array([[1.0, 1000.0], [0.0, 1.0]])
    mags = np.abs(np.linalg.eigvals(S))
    assert mags.max() / mags.min() == pytest.approx(1.0)       # what eq. 4.2 would report
    b, db = np.array([1000.0, 1.0]), np.array([0.0, 1e-9])
    x, dx = np.linalg.solve(S, b), np.linalg.solve(S, db)
    amplification = (np.linalg.norm(dx) / np.linalg.norm(x)) / (np.linalg.norm(db) / np.linalg.norm(b))
    assert amplification > 0.9e6                              # ... and what actually happens
    assert svd_condition_number(S) == pytest.approx(np.linalg.cond(S), rel=1e-9)
    assert svd_condition_number(S) > amplification * 0.999
    with pytest.raises(ValueError, match="must be normal.*svd_condition_number"):
        condition_number(S)
    R = np.array([[0.0, -2.0], [2.0, 0.0]])                    # normal but not symmetric: allowed
    assert condition_number(R) == pytest.approx(np.linalg.cond(R))


@pytest.mark.parametrize("eigs, kind", [((1.0, 2.0), "minimum"), ((-1.0, -3.0), "maximum"),
                                        ((2.0, -2.0), "saddle"), ((1.0, 0.0), "inconclusive")])
def test_second_derivative_test(eigs: tuple, kind: str) -> None:
    Q = np.linalg.qr(RNG.standard_normal((2, 2)))[0]
    assert second_derivative_test(Q @ np.diag(eigs) @ Q.T) == kind


def test_saddle_of_figure_4_5() -> None:
    H = numerical_hessian(lambda x: x[0] ** 2 - x[1] ** 2, np.zeros(2))
    np.testing.assert_allclose(H, np.diag([2.0, -2.0]), atol=1e-6)
    assert second_derivative_test(H, tol=1e-6) == "saddle"


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="f must be a callable"):
        numerical_gradient(3.0, X0)
    with pytest.raises(ValueError, match="x must be 1-D"):
        numerical_gradient(f_scalar, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        numerical_jacobian(f_vector, X0, h=0.0)
    with pytest.raises(ValueError, match="must return a scalar"):
        numerical_gradient(f_vector, X0)
    with pytest.raises(ValueError, match="must return a scalar"):
        numerical_hessian(f_vector, X0)
    with pytest.raises(ValueError, match="unit vector"):
        directional_derivative(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="u must have 2 entries"):
        directional_derivative(np.ones(2), np.ones(3) / np.sqrt(3))
    with pytest.raises(ValueError, match="square"):
        condition_number(np.ones((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        second_derivative_test(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="finite"):
        condition_number(np.array([[np.nan, 0], [0, 1]]))


# -- gradient checking (§11.5) ------------------------------------------------------------------------------------

from dlbook.calculus import finite_difference, gradient_check  # noqa: E402


@pytest.mark.parametrize("kind", ["forward", "centred"])
def test_finite_difference_matches_autograd(kind: str) -> None:
    x = torch.tensor(X0, requires_grad=True)
    (g,) = torch.autograd.grad(f_scalar_torch(x), x)
    eps, tol = (1e-7, 1e-5) if kind == "forward" else (1e-5, 1e-8)
    assert np.allclose(finite_difference(f_scalar, X0, eps, kind), g.numpy(), atol=tol)


def test_finite_difference_runs_in_float32() -> None:
    f = lambda x: np.sum(x**2)                                          # noqa: E731
    g = finite_difference(f, np.array([1.0, 2.0], np.float32), 1e-2, "centred", np.float32)
    assert g.dtype == np.float32 and np.allclose(g, [2.0, 4.0], atol=1e-3)


def test_gradient_check_agrees_with_torch_gradcheck() -> None:
    """A correct gradient passes both our check and torch.autograd.gradcheck; a wrong one fails both."""
    def grad_right(x: np.ndarray) -> np.ndarray:
        t = torch.tensor(x, requires_grad=True)
        with torch.enable_grad():
            return torch.autograd.grad(f_scalar_torch(t), t)[0].numpy()

    def grad_wrong(x: np.ndarray) -> np.ndarray:
        g = grad_right(x)
        g[2] *= 1.01                                                    # a 1 % bug in one coordinate
        return g

    assert torch.autograd.gradcheck(f_scalar_torch, (torch.tensor(X0, requires_grad=True),))
    assert gradient_check(f_scalar, grad_right, X0) < 1e-8
    assert gradient_check(f_scalar, grad_wrong, X0) > 1e-4

    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[override]
            ctx.save_for_backward(x)
            return f_scalar_torch(x)

        @staticmethod
        def backward(ctx, out):  # type: ignore[override]
            (x,) = ctx.saved_tensors
            return out * torch.tensor(grad_wrong(x.detach().numpy()))

    assert not torch.autograd.gradcheck(Wrong.apply, (torch.tensor(X0, requires_grad=True),), raise_exception=False)


def test_finite_difference_error_is_v_shaped_with_minimum_near_theory() -> None:
    f = lambda x: float(np.sum(np.exp(x) * np.sin(x)))                  # noqa: E731
    x = np.array([0.7])
    exact = float(np.exp(0.7) * (np.sin(0.7) + np.cos(0.7)))
    eps = np.logspace(-13, -1, 61)
    u = np.finfo(np.float64).eps
    for kind, best in (("forward", np.sqrt(u)), ("centred", u ** (1 / 3))):
        err = np.array([abs(finite_difference(f, x, e, kind)[0] - exact) for e in eps])
        assert abs(np.log10(eps[np.argmin(err)] / best)) <= 1.0
        assert err[0] > 100 * err.min() and err[-1] > 100 * err.min()


def test_gradient_check_bad_inputs() -> None:
    with pytest.raises(ValueError, match="forward' or 'centred"):
        finite_difference(f_scalar, X0, 1e-6, "backward")
    with pytest.raises(ValueError, match="float32 or float64"):
        finite_difference(f_scalar, X0, 1e-6, "forward", np.float16)
    with pytest.raises(ValueError, match="eps"):
        finite_difference(f_scalar, X0, 0.0)
    with pytest.raises(ValueError, match="shape of x"):
        gradient_check(f_scalar, lambda x: np.zeros(2), X0)
