"""Hidden units, output losses and the hand-written MLP backward pass (§6.2–6.5) against torch in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.mlp import (ACTIVATIONS, Layer, abs_rectify, activation, bce_with_logits, count_linear_pieces,
                        fit_relu_units, folded, hard_tanh, init_mlp, leaky_relu, maxout, minibatch_order,
                        mlp_backward, mlp_forward, mlp_predict, relu, relu_features, softmax_cross_entropy, tent,
                        backprop,
                        train_mlp)

TOL = 1e-10
TORCH_ACT = {"relu": torch.relu, "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "abs": torch.abs,
             "sigmoid": torch.sigmoid, "tanh": torch.tanh, "hard_tanh": F.hardtanh, "softplus": F.softplus,
             "linear": lambda z: z}


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_and_derivatives_match_torch(name: str) -> None:
    z = np.random.default_rng(0).uniform(-4, 4, 200)
    z = z[np.abs(np.abs(z) - 1) > 1e-3]  # away from the kinks, where derivatives are conventions
    g, dg = activation(name)
    zt = _t(z, grad=True)
    yt = TORCH_ACT[name](zt)
    yt.sum().backward()
    np.testing.assert_allclose(g(z), yt.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(dg(z), zt.grad.numpy(), atol=1e-12)


def test_rectifier_family_closed_forms() -> None:
    z = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(relu(z), np.where(z > 0, z, 0))
    np.testing.assert_allclose(leaky_relu(z, -1.0), abs_rectify(z))  # α = −1 is |z| (§6.3.1)
    np.testing.assert_allclose(leaky_relu(z, 0.0), relu(z))
    np.testing.assert_allclose(hard_tanh(z), np.clip(z, -1, 1))
    # tanh(z) = 2σ(2z) − 1 (§6.3.2)
    np.testing.assert_allclose(activation("tanh")[0](z), 2 * activation("sigmoid")[0](2 * z) - 1, atol=1e-15)


def test_maxout_matches_torch_and_generalises_relu() -> None:
    z = np.random.default_rng(1).normal(size=(5, 12))
    for k in (1, 2, 3, 4):
        ref = torch.from_numpy(z).reshape(5, 12 // k, k).amax(dim=-1).numpy()
        np.testing.assert_array_equal(maxout(z, k), ref)
    # a maxout unit over the pair (z, 0) is a ReLU, over (z, −z) it is |z|
    x = np.linspace(-2, 2, 9)
    np.testing.assert_array_equal(maxout(np.stack([x, 0 * x], 1), 2)[:, 0], relu(x))
    np.testing.assert_array_equal(maxout(np.stack([x, -x], 1), 2)[:, 0], np.abs(x))
    with pytest.raises(ValueError, match="multiple of k"):
        maxout(z, 5)


def test_bce_with_logits_matches_torch_and_is_finite() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(scale=5, size=50)
    y = rng.integers(0, 2, 50).astype(float)
    ref = F.binary_cross_entropy_with_logits(_t(z), _t(y)).item()
    assert bce_with_logits(z, y) == pytest.approx(ref, rel=1e-12)
    # extreme logits: right answers cost ~0, wrong ones cost |z|, never inf or nan
    assert bce_with_logits(np.array([1000.0]), np.array([1.0])) == 0.0
    assert bce_with_logits(np.array([1000.0]), np.array([0.0])) == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        bce_with_logits(z, y + 0.5)
    with pytest.raises(ValueError, match="same shape"):
        bce_with_logits(z, y[:3])


def test_softmax_cross_entropy_matches_torch() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(scale=30, size=(40, 7))
    y = rng.integers(0, 7, 40)
    ref = F.cross_entropy(_t(z), torch.from_numpy(y)).item()
    assert softmax_cross_entropy(z, y) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError, match="class indices"):
        softmax_cross_entropy(z, y[:5])
    with pytest.raises(ValueError, match=r"integers in \[0, 6\]"):
        softmax_cross_entropy(z, y + 7)


def _torch_loss(layers, X, y, act):
    params = [(_t(l.W, True), _t(l.b, True)) for l in layers]
    h = _t(X)
    for i, (W, b) in enumerate(params):
        h = h @ W.T + b
        if i < len(params) - 1:
            h = TORCH_ACT[act](h)
    loss = F.cross_entropy(h, torch.from_numpy(y))
    loss.backward()
    return loss.item(), params


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "leaky_relu", "softplus"])
def test_hand_backward_matches_autograd_on_random_networks(seed: int, act: str) -> None:
    rng = np.random.default_rng(seed)
    depth = 1 + seed % 3
    sizes = [int(rng.integers(2, 7)) for _ in range(depth + 1)] + [int(rng.integers(2, 6))]
    layers = init_mlp(sizes, rng)
    for l in layers:
        l.b = rng.normal(size=l.b.shape)
    X = rng.normal(size=(13, sizes[0]))
    y = rng.integers(0, sizes[-1], 13)
    logits, cache = mlp_forward(layers, X, act)
    grads = mlp_backward(layers, cache, y, act)
    loss, params = _torch_loss(layers, X, y, act)
    assert softmax_cross_entropy(logits, y) == pytest.approx(loss, rel=1e-12)
    for g, (W, b) in zip(grads, params):
        np.testing.assert_allclose(g.W, W.grad.numpy(), atol=TOL, rtol=1e-9)
        np.testing.assert_allclose(g.b, b.grad.numpy(), atol=TOL, rtol=1e-9)


def test_training_matches_torch_sgd_step_for_step() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    layers = init_mlp([5, 8, 3], rng)
    batches = minibatch_order(60, 16, 3, seed=0)
    ours, losses = train_mlp(layers, X, y, batches, lr=0.3, act="tanh")
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        for mod, l in zip([net[0], net[2]], layers):
            mod.weight.copy_(_t(l.W))
            mod.bias.copy_(_t(l.b))
    opt = torch.optim.SGD(net.parameters(), lr=0.3)
    ref = []
    for idx in batches:
        opt.zero_grad()
        loss = F.cross_entropy(net(_t(X[idx])), torch.from_numpy(y[idx]))
        loss.backward()
        opt.step()
        ref.append(loss.item())
    np.testing.assert_allclose(losses, ref, rtol=1e-10)
    np.testing.assert_allclose(ours[0].W, net[0].weight.detach().numpy(), atol=1e-10)
    assert mlp_predict(ours, X, "tanh").shape == (60,)
    assert layers[0].W is not ours[0].W  # training returns new layers


def test_init_and_batches() -> None:
    layers = init_mlp([64, 32, 10], np.random.default_rng(0))
    a = np.sqrt(6 / 96)
    assert layers[0].W.shape == (32, 64) and np.abs(layers[0].W).max() <= a
    batches = minibatch_order(10, 4, 2, seed=1)
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2]
    assert sorted(np.concatenate(batches[:3]).tolist()) == list(range(10))


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="activation must be one of"):
        activation("swish")
    with pytest.raises(ValueError, match="at least an input and an output"):
        init_mlp([3], np.random.default_rng(0))
    with pytest.raises(ValueError, match="each width"):
        init_mlp([3, 0, 2], np.random.default_rng(0))
    layers = [Layer(np.zeros((2, 3)), np.zeros(2))]
    with pytest.raises(ValueError, match="X must have 3 columns"):
        mlp_forward(layers, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        train_mlp(layers, np.zeros((4, 3)), np.zeros(4, int), [np.arange(4)], lr=0.0)
    with pytest.raises(ValueError, match="one label per row of X"):
        train_mlp(layers, np.zeros((4, 3)), np.zeros(3, int), [np.arange(3)], lr=0.1)
    with pytest.raises(ValueError, match="at least one Layer"):
        mlp_forward([], np.zeros((4, 3)))
    _, cache = mlp_forward(layers, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="cache holds 1 layers but the network has 2"):
        mlp_backward(layers * 2, cache, np.zeros(4, int))
    with pytest.raises(ValueError, match=r"delta must have the shape of the output pre-activations \(4, 2\)"):
        backprop(layers, cache, np.zeros((4, 3)))


# -- width and depth (§6.4) ---------------------------------------------------------------------------------

def test_relu_features_match_torch() -> None:
    rng = np.random.default_rng(5)
    x, knots = rng.uniform(-3, 3, 40), np.sort(rng.uniform(-3, 3, 7))
    ref = F.relu(_t(x)[:, None] - _t(knots)[None, :]).numpy()
    np.testing.assert_array_equal(relu_features(x, knots), ref)


@pytest.mark.parametrize("units", [1, 2, 5, 16])
def test_fit_relu_units_is_the_least_squares_linear_spline(units: int) -> None:
    """The ReLU basis with a knot at min(x) spans the linear splines with the other knots inside: the fit must
    equal SciPy's least-squares linear spline (an independent B-spline solver) with those interior knots."""
    from scipy.interpolate import LSQUnivariateSpline

    x = np.linspace(-np.pi, np.pi, 301)
    y = np.sin(2 * x) + 0.3 * x
    knots, v, a = fit_relu_units(x, y, units)
    np.testing.assert_allclose(knots, x.min() + 2 * np.pi * np.arange(units) / units, atol=1e-12)
    fit = relu_features(x, knots) @ v + a
    ref = LSQUnivariateSpline(x, y, knots[1:], k=1)(x) if units > 1 else np.polyval(np.polyfit(x, y, 1), x)
    np.testing.assert_allclose(fit, ref, atol=1e-9)


def test_fit_relu_units_is_exact_on_a_polyline_with_the_same_knots() -> None:
    x = np.linspace(0.0, 4.0, 401)
    y = 1.0 - 2.0 * x + 3.0 * np.maximum(0, x - 1) - 5.0 * np.maximum(0, x - 3)   # knots at 1 and 3 of 0, 1, 2, 3
    knots, v, a = fit_relu_units(x, y, 4)
    np.testing.assert_allclose(relu_features(x, knots) @ v + a, y, atol=1e-10)
    np.testing.assert_allclose(v, [-2.0, 3.0, 0.0, -5.0], atol=1e-9)


def test_tent_and_folds_match_the_triangle_wave() -> None:
    """t(x) = 1 − |2x − 1| on [0, 1], and its l-fold composition is the triangle wave 1 − |2 frac(2^(l−1) x) − 1|."""
    x = np.random.default_rng(6).uniform(0, 1, 500)
    np.testing.assert_allclose(tent(x), 1 - np.abs(2 * x - 1), atol=1e-15)
    np.testing.assert_array_equal(folded(x, 0), x)
    for depth in range(1, 9):
        wave = 1 - np.abs(2 * np.mod(2.0 ** (depth - 1) * x, 1.0) - 1)
        np.testing.assert_allclose(folded(x, depth), wave, atol=1e-9)


def test_count_linear_pieces_closed_forms() -> None:
    x = np.linspace(-1, 1, 201)
    assert count_linear_pieces(x, 3 * x + 1) == 1
    assert count_linear_pieces(x, np.abs(x)) == 2
    # a random polyline with kinks on grid points: one piece per kink plus one
    rng = np.random.default_rng(7)
    kinks = np.sort(rng.choice(np.arange(10, 190), 6, replace=False))
    slopes = np.cumsum(np.r_[rng.normal(), rng.choice([-1, 1], 6) * rng.uniform(0.5, 2, 6)])
    y = slopes[0] * x + sum((slopes[i + 1] - slopes[i]) * np.maximum(0, x - x[k]) for i, k in enumerate(kinks))
    assert count_linear_pieces(x, y) == 7
    xs = np.linspace(0, 1, 2**10 + 1)
    assert [count_linear_pieces(xs, folded(xs, l)) for l in range(1, 9)] == [2**l for l in range(1, 9)]


def test_architecture_bad_inputs() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        count_linear_pieces([0.0, 1.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        fit_relu_units(np.arange(5.0), np.arange(4.0), 2)
    with pytest.raises(ValueError, match="n_units"):
        fit_relu_units(np.arange(5.0), np.arange(5.0), 0)
    with pytest.raises(ValueError, match="depth"):
        folded(np.arange(3.0), -1)


@pytest.mark.parametrize("alpha", [0.01, 0.2, -1.0])
def test_leaky_relu_derivative_honours_its_slope(alpha: float) -> None:
    z = np.random.default_rng(1).uniform(-3, 3, 50)
    z = z[np.abs(z) > 1e-3]
    g, dg = activation("leaky_relu", alpha=alpha)
    zt = _t(z, grad=True)
    F.leaky_relu(zt, alpha).sum().backward()
    np.testing.assert_allclose(g(z), leaky_relu(z, alpha))
    np.testing.assert_allclose(dg(z), zt.grad.numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="alpha only applies"):
        activation("relu", alpha=0.1)


def test_weight_decay_gradient_matches_autograd() -> None:
    """§6.5.7: J = cross-entropy + λ Σ‖W‖² (biases unpenalised)."""
    rng = np.random.default_rng(3)
    layers = init_mlp([4, 6, 3], rng)
    X, y, lam = rng.normal(size=(10, 4)), rng.integers(0, 3, 10), 0.05
    _, cache = mlp_forward(layers, X, "tanh")
    grads = mlp_backward(layers, cache, y, "tanh", weight_decay=lam)
    params = [(_t(l.W, True), _t(l.b, True)) for l in layers]
    h = _t(X)
    for i, (W, b) in enumerate(params):
        h = h @ W.T + b
        h = torch.tanh(h) if i < len(params) - 1 else h
    (F.cross_entropy(h, torch.from_numpy(y)) + lam * sum((W**2).sum() for W, _ in params)).backward()
    for g, (W, b) in zip(grads, params):
        np.testing.assert_allclose(g.W, W.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(g.b, b.grad.numpy(), atol=1e-12)


def test_backprop_on_a_stack_of_networks_equals_one_at_a_time() -> None:
    """The same forward/backward code runs S independent networks stacked on a leading axis."""
    rng = np.random.default_rng(2)
    nets = [init_mlp([3, 5, 2], rng) for _ in range(4)]
    stacked = [Layer(W=np.stack([n[i].W for n in nets]), b=np.stack([n[i].b for n in nets])) for i in range(2)]
    X = rng.normal(size=(7, 3))
    delta = rng.normal(size=(4, 7, 2))
    out, cache = mlp_forward(stacked, X, "relu")
    grads = backprop(stacked, cache, delta, "relu")
    for s, net in enumerate(nets):
        o, c = mlp_forward(net, X, "relu")
        np.testing.assert_allclose(out[s], o, atol=1e-14)
        for g, gs in zip(backprop(net, c, delta[s], "relu"), grads):
            np.testing.assert_allclose(gs.W[s], g.W, atol=1e-14)
            np.testing.assert_allclose(gs.b[s], g.b, atol=1e-14)
