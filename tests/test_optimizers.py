"""The optimisers of §8.3, §8.5 and §8.6 against torch.optim (identical float64 iterates), scipy and closed forms."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize
from scipy.sparse.linalg import cg

from dlbook.optimize import newton_step
from dlbook.optimizers import (SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp, bfgs, clip_gradient_norm,
                               conjugate_gradient,
                               coordinate_descent, exponential_average, lbfgs, linear_decay, polyak_average,
                               rosenbrock, rosenbrock_gradient, rosenbrock_hessian, run, terminal_speed)

RNG = np.random.default_rng(3)
B = RNG.standard_normal((5, 5))
H = B @ B.T + 0.3 * np.eye(5)
b = RNG.standard_normal(5)
X0 = RNG.standard_normal(5)


def quad_grad(x: np.ndarray) -> np.ndarray:
    return H @ x - b


def torch_path(make_opt, n_steps: int = 40, x0: np.ndarray = X0, grad=quad_grad, scheduler=None) -> np.ndarray:
    """Iterates of a torch.optim optimiser fed *the same gradient function* as ours (not autograd's, whose
    ½(H + Hᵀ)x − b rounds differently from H @ x − b), so the comparison tests the update rule alone."""
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([xt])
    sched = scheduler(opt) if scheduler else None
    path = [x0.copy()]
    for _ in range(n_steps):
        xt.grad = torch.from_numpy(grad(xt.detach().numpy().copy()))
        opt.step()
        if sched:
            sched.step()
        path.append(xt.detach().numpy().copy())
    return np.array(path)


def test_autograd_gradient_of_the_quadratic_agrees() -> None:
    """The gradient we feed both sides is the autograd gradient of ½xᵀHx − bᵀx, up to rounding."""
    xt = torch.tensor(X0, requires_grad=True)
    (0.5 * xt @ torch.tensor(H) @ xt - torch.tensor(b) @ xt).backward()
    np.testing.assert_allclose(quad_grad(X0), xt.grad.numpy(), rtol=0, atol=1e-13)


CASES = [
    ("sgd", lambda: SGD(0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    ("momentum", lambda: Momentum(0.03, 0.9), lambda p: torch.optim.SGD(p, lr=0.03, momentum=0.9)),
    ("adagrad", lambda: AdaGrad(0.2, delta=1e-7), lambda p: torch.optim.Adagrad(p, lr=0.2, eps=1e-7)),
    ("rmsprop", lambda: RMSProp(0.01, rho=0.9, delta=0.0),
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0)),
    ("rmsprop_momentum", lambda: RMSProp(0.005, rho=0.9, delta=0.0, alpha=0.8),
     lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, eps=0.0, momentum=0.8)),
    ("adam", lambda: Adam(0.05), lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8)),
]


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_iterates_equal_torch_optim(name, ours, theirs) -> None:
    # identical gradients in, so the iterates agree to a few units in the last place (not just 1e-12)
    np.testing.assert_allclose(run(ours(), quad_grad, X0, 40), torch_path(theirs), rtol=0, atol=1e-14)


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock"])
def test_nesterov_equals_torch_after_change_of_variables(surface: str) -> None:
    """Book (Alg. 8.3): v ← αv − ε∇J(θ + αv), θ ← θ + v. torch: b ← μb + ∇J(φ), φ ← φ − ε(∇J(φ) + μb).

    They are the same recursion with φ = θ + αv and v = −εb (v₀ = 0, so φ₀ = θ₀; torch's buffer starts at
    the first gradient, which is μ·0 + g₀). Both directions are checked: our θ + αv against torch's φ, and
    torch's φ + αεb (the book's θ, recovered from torch's buffer) against our θ. On Rosenbrock the gradient
    really is taken at a point other than θ, so a wrong look-ahead point would show.
    """
    grad, x0, lr = (quad_grad, X0, 0.03) if surface == "quadratic" else (rosenbrock_gradient, np.array([-1.2, 1.0]), 1e-4)
    opt = Nesterov(lr, 0.9)
    thetas, look_ahead = [x0.copy()], [x0.copy()]
    theta = x0.copy()
    for _ in range(40):
        theta = opt.step(theta, grad)
        thetas.append(theta.copy())
        look_ahead.append(theta + opt.alpha * opt.v)
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([xt], lr=lr, momentum=0.9, nesterov=True)
    phis, recovered = [x0.copy()], [x0.copy()]
    for _ in range(40):
        xt.grad = torch.from_numpy(grad(xt.detach().numpy().copy()))
        sgd.step()
        phi, buf = xt.detach().numpy().copy(), sgd.state[xt]["momentum_buffer"].numpy()
        phis.append(phi)
        recovered.append(phi + 0.9 * lr * buf)
    scale = np.abs(np.array(phis)).max()
    np.testing.assert_allclose(np.array(look_ahead), np.array(phis), rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(np.array(thetas), np.array(recovered), rtol=0, atol=1e-13 * scale)
    assert np.abs(np.array(thetas) - np.array(phis)).max() > 1e-4 * scale   # θ and φ really are different points


def test_rmsprop_delta_placement_is_the_documented_difference() -> None:
    """Book: ε g/√(δ + r). torch: ε g/(√r + eps). With δ = eps = 1e-6 they differ, but only slightly."""
    ours = run(RMSProp(0.01, rho=0.9, delta=1e-6), quad_grad, X0, 40)
    theirs = torch_path(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6))
    gap = np.abs(ours - theirs).max()
    assert 1e-14 < gap < 1e-5


def test_linear_decay_matches_torch_linear_lr() -> None:
    eps0, tau = 0.1, 25
    sched = lambda k: linear_decay(k, eps0, 0.01 * eps0, tau)
    ours = run(SGD(sched), quad_grad, X0, 40)
    theirs = torch_path(lambda p: torch.optim.SGD(p, lr=eps0), 40,
                        scheduler=lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.01,
                                                                               total_iters=tau))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert linear_decay(0, 1.0, 0.01, 10) == 1.0 and linear_decay(10, 1.0, 0.01, 10) == 0.01
    assert linear_decay(50, 1.0, 0.01, 10) == 0.01


@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
def test_momentum_terminal_speed(alpha: float) -> None:
    """On a constant gradient g the step size tends to ε‖g‖/(1 − α) (eq. 8.17)."""
    g = np.array([3.0, -4.0])
    path = run(Momentum(0.01, alpha), lambda x: g, np.zeros(2), 3000)
    step = np.linalg.norm(path[-1] - path[-2])
    assert step == pytest.approx(terminal_speed(0.01, 5.0, alpha), rel=1e-10)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_adam_first_step_is_lr_per_coordinate(scale: float) -> None:
    g = scale * np.array([1.0, -2.0, 0.5])
    path = run(Adam(0.001, delta=0.0), lambda x: g, np.zeros(3), 1)
    np.testing.assert_allclose(np.abs(path[1]), 0.001, rtol=1e-12)


def test_rmsprop_nesterov_first_two_steps_by_hand() -> None:
    eps, rho, alpha = 0.1, 0.9, 0.5
    opt = RMSProp(eps, rho=rho, delta=0.0, alpha=alpha, nesterov=True)
    x1 = opt.step(X0, quad_grad)
    g0 = quad_grad(X0)
    r = (1 - rho) * g0**2
    v = -eps * g0 / np.sqrt(r)
    np.testing.assert_allclose(x1, X0 + v, atol=1e-14)
    x2 = opt.step(x1, quad_grad)
    g1 = quad_grad(x1 + alpha * v)
    r = rho * r + (1 - rho) * g1**2
    v = alpha * v - eps * g1 / np.sqrt(r)
    np.testing.assert_allclose(x2, x1 + v, atol=1e-14)


def test_conjugate_gradient_n_steps_and_scipy() -> None:
    for n in (2, 5, 12):
        M = RNG.standard_normal((n, n))
        A = M @ M.T + 0.1 * np.eye(n)
        rhs = RNG.standard_normal(n)
        x, path = conjugate_gradient(A, rhs)
        assert len(path) - 1 <= n
        np.testing.assert_allclose(x, np.linalg.solve(A, rhs), atol=1e-8 * np.linalg.cond(A))
        x_sp, info = cg(A, rhs, rtol=1e-12, maxiter=10 * n)
        assert info == 0
        np.testing.assert_allclose(x, x_sp, atol=1e-6)


def test_conjugate_directions_are_conjugate() -> None:
    _, path = conjugate_gradient(H, b)
    d = np.diff(path, axis=0)
    G = d @ H @ d.T
    off = G - np.diag(np.diag(G))
    assert np.abs(off).max() < 1e-9 * np.abs(np.diag(G)).max()


def test_bfgs_and_lbfgs_match_scipy_on_rosenbrock() -> None:
    x0 = np.array([-1.2, 1.0])
    ref = minimize(rosenbrock, x0, jac=rosenbrock_gradient, method="BFGS", options={"gtol": 1e-8})
    ref_l = minimize(rosenbrock, x0, jac=rosenbrock_gradient, method="L-BFGS-B")
    for method in (bfgs, lbfgs):
        x, path = method(rosenbrock, rosenbrock_gradient, x0)
        np.testing.assert_allclose(x, ref.x, atol=1e-6)
        np.testing.assert_allclose(x, ref_l.x, atol=1e-4)
        assert np.linalg.norm(rosenbrock_gradient(x)) <= 1e-8
        assert len(path) < 200


def test_bfgs_on_quadratic_with_many_dimensions() -> None:
    f = lambda x: 0.5 * x @ H @ x - b @ x
    x, _ = bfgs(f, quad_grad, X0)
    ref = minimize(f, X0, jac=quad_grad, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(x, ref.x, atol=1e-7)
    x2, _ = lbfgs(f, quad_grad, X0, memory=3)
    np.testing.assert_allclose(x2, ref.x, atol=1e-7)


def test_rosenbrock_derivatives_match_autograd() -> None:
    x = np.array([-0.7, 1.3])
    xt = torch.tensor(x, requires_grad=True)
    f = (1 - xt[0]) ** 2 + 100 * (xt[1] - xt[0] ** 2) ** 2
    (g,) = torch.autograd.grad(f, xt, create_graph=True)
    Ht = torch.stack([torch.autograd.grad(g[i], xt, retain_graph=True)[0] for i in range(2)])
    assert rosenbrock(x) == pytest.approx(f.item(), rel=1e-14)
    np.testing.assert_allclose(rosenbrock_gradient(x), g.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(rosenbrock_hessian(x), Ht.numpy(), atol=1e-12)
    # Newton from near the minimum converges (reusing dlbook.optimize.newton_step)
    p = np.array([0.9, 0.8])
    for _ in range(8):
        p = newton_step(p, rosenbrock_gradient(p), rosenbrock_hessian(p))
    np.testing.assert_allclose(p, [1.0, 1.0], atol=1e-12)


def test_coordinate_descent_converges_to_solution() -> None:
    path = coordinate_descent(H, b, np.zeros(5), 400)
    np.testing.assert_allclose(path[-1], np.linalg.solve(H, b), atol=1e-8)


def test_averages() -> None:
    path = RNG.standard_normal((30, 3))
    avg = polyak_average(path)
    np.testing.assert_allclose(avg[-1], path.mean(axis=0), atol=1e-14)
    np.testing.assert_allclose(avg[9], path[:10].mean(axis=0), atol=1e-14)
    ema = exponential_average(path, 0.0)
    np.testing.assert_allclose(ema, path)
    ema = exponential_average(path, 0.9)
    w = 0.1 * 0.9 ** np.arange(29, -1, -1)
    w[0] = 0.9**29
    np.testing.assert_allclose(ema[-1], w @ path, atol=1e-12)


def test_run_stops_when_diverging() -> None:
    path = run(SGD(10.0), quad_grad, X0, 1000)
    assert len(path) < 1000 and np.all(np.isfinite(path))


@pytest.mark.parametrize("bad", [lambda: SGD(-1.0), lambda: Momentum(0.1, 1.0), lambda: Adam(rho2=1.5),
                                 lambda: RMSProp(0.1, nesterov=True), lambda: AdaGrad(0.1, delta=-1),
                                 lambda: linear_decay(-1, 1.0, 0.1, 10), lambda: terminal_speed(0.1, 1.0, 1.0),
                                 lambda: run(object(), quad_grad, X0, 3), lambda: run(SGD(0.1), quad_grad, [[1.0]], 3),
                                 lambda: conjugate_gradient(np.array([[1.0, 2.0], [0.0, 1.0]]), [1.0, 1.0]),
                                 lambda: conjugate_gradient(-np.eye(2), [1.0, 1.0]),
                                 lambda: conjugate_gradient(np.eye(2), [1.0, 1.0, 1.0]),
                                 lambda: coordinate_descent(np.diag([1.0, 0.0]), [1.0, 1.0], [0.0, 0.0], 2),
                                 lambda: exponential_average(np.ones((3, 2)), 1.0)])
def test_bad_inputs_raise(bad) -> None:
    with pytest.raises(ValueError):
        bad()


@pytest.mark.parametrize("threshold", [0.1, 1.0, 100.0])
def test_clip_gradient_norm_matches_torch(threshold: float) -> None:
    g = RNG.standard_normal(7) * 3
    p = torch.zeros(7, dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_([p], threshold)
    np.testing.assert_allclose(clip_gradient_norm(g, threshold), p.grad.numpy(), rtol=1e-5)  # torch adds 1e-6 to the norm
    with pytest.raises(ValueError):
        clip_gradient_norm(g, 0.0)
