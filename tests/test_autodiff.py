"""The scalar reverse-mode engine (§6.5) against torch.autograd in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlbook.autodiff import Value, graph_edges, zero_grad

TOL = 1e-12  # both sides are float64 and apply the same chain rule; only rounding differs


def _expr(a, b, c, lib):
    """One expression using every operation, written once for Value and once for torch tensors."""
    exp, log, tanh = (lambda v: v.exp(), lambda v: v.log(), lambda v: v.tanh()) if lib == "v" else \
        (torch.exp, torch.log, torch.tanh)
    sig = (lambda v: v.sigmoid()) if lib == "v" else torch.sigmoid
    relu = (lambda v: v.relu()) if lib == "v" else torch.relu
    d = a * b + c ** 2 - a / c
    e = tanh(d) * exp(b / 3.0) + log(c * c + 1.0)
    f = relu(e - 0.5) + sig(a - b) * 2.0 - (1.0 - a) ** 3 + 1.0 / (e * e + 1.0)
    return f * d + relu(-d) - 2.0


@pytest.mark.parametrize("seed", range(20))
def test_gradients_match_torch_on_random_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, 3)
    x[2] = x[2] if abs(x[2]) > 0.2 else 0.7  # c is divided by
    vals = [Value(float(v)) for v in x]
    out = _expr(*vals, "v")
    out.backward()
    ts = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in x]
    ref = _expr(*ts, "t")
    ref.backward()
    assert out.data == pytest.approx(ref.item(), abs=TOL, rel=TOL)
    for v, t in zip(vals, ts):
        assert v.grad == pytest.approx(t.grad.item(), abs=TOL, rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_small_mlp_gradients_match_torch(seed: int) -> None:
    """A 3-4-2 tanh/ReLU network with a squared loss, built from Values, against the same net in torch."""
    rng = np.random.default_rng(100 + seed)
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
    x, y = rng.normal(size=3), rng.normal(size=2)
    P = [[[Value(float(v)) for v in row] for row in M] for M in (W1, W2)]
    B = [[Value(float(v)) for v in vec] for vec in (b1, b2)]
    h = [(sum((w * float(xi) for w, xi in zip(row, x)), Value(0.0)) + bb).tanh() for row, bb in zip(P[0], B[0])]
    o = [(sum((w * hi for w, hi in zip(row, h)), Value(0.0)) + bb).relu() for row, bb in zip(P[1], B[1])]
    loss = sum(((oi - float(yi)) ** 2 for oi, yi in zip(o, y)), Value(0.0))
    loss.backward()
    T = [torch.tensor(M, dtype=torch.float64, requires_grad=True) for M in (W1, b1, W2, b2)]
    ht = torch.tanh(T[0] @ torch.tensor(x) + T[1])
    ot = torch.relu(T[2] @ ht + T[3])
    lt = ((ot - torch.tensor(y)) ** 2).sum()
    lt.backward()
    assert loss.data == pytest.approx(lt.item(), rel=TOL)
    np.testing.assert_allclose([[w.grad for w in row] for row in P[0]], T[0].grad.numpy(), atol=TOL, rtol=1e-10)
    np.testing.assert_allclose([[w.grad for w in row] for row in P[1]], T[2].grad.numpy(), atol=TOL, rtol=1e-10)
    np.testing.assert_allclose([b.grad for b in B[0]], T[1].grad.numpy(), atol=TOL, rtol=1e-10)


def test_reused_node_accumulates_and_finite_differences_agree() -> None:
    x = Value(0.8)
    y = x * x * x + x.exp() * x  # x is used five times
    y.backward()
    exact = 3 * 0.8**2 + math.exp(0.8) * (1 + 0.8)
    assert x.grad == pytest.approx(exact, rel=1e-14)
    f = lambda v: v**3 + math.exp(v) * v
    h = 1e-5
    assert x.grad == pytest.approx((f(0.8 + h) - f(0.8 - h)) / (2 * h), rel=1e-8)   # central difference, O(h²)
    zero_grad([x])
    assert x.grad == 0.0


def test_deep_chain_does_not_hit_recursion_limit() -> None:
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_sigmoid_is_finite_at_extremes() -> None:
    for v in (-800.0, 800.0):
        s = Value(v).sigmoid()
        s.backward()
        assert math.isfinite(s.data)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="real number"):
        Value("a")
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="zero"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="constant real exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError, match="integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="overflows"):
        Value(800.0).exp()
    y = Value(-2.0) ** 3  # a negative base with an integer exponent is fine
    y.backward()
    assert y.data == -8.0


def test_backward_twice_on_one_graph_gives_the_same_gradient() -> None:
    """Regression (review E3): intermediate nodes kept their old grad, so a second sweep gave 8, not 4."""
    x = Value(2.0)
    z = x * x + 1
    z.backward()
    zero_grad([x])
    z.backward()
    assert x.grad == 4.0
    z.backward()                       # leaves accumulate, as in PyTorch
    assert x.grad == 8.0


def test_graph_edges_follow_the_operations() -> None:
    a, b = Value(1.0), Value(2.0)
    out = (a * b + a).tanh()
    order, edges = graph_edges(out)
    assert [v.op for v in order][-1] == "tanh" and len(order) == 5
    assert len(edges) == 5                               # a→*, b→*, *→+, a→+, +→tanh
    assert all(p < c for p, c in edges)                  # parents come first


def test_zero_to_the_zero_has_derivative_zero() -> None:
    x = Value(0.0)
    y = x**0 + x**2
    y.backward()
    assert y.data == 1.0 and x.grad == 0.0
    with pytest.raises(ValueError, match="no finite derivative"):
        Value(0.0) ** 0.5
