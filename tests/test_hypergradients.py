"""dlbook.hypergradients: forward mode = reverse mode through the unrolled loop (torch.autograd) = finite differences."""

import numpy as np
import pytest
import torch

from dlbook.hypergradients import unrolled_ridge


def _data():
    r = np.random.default_rng(0)
    w = r.standard_normal(6)
    X, Xv = r.standard_normal((20, 6)), r.standard_normal((40, 6))
    return X, X @ w + r.standard_normal(20), Xv, Xv @ w + r.standard_normal(40)


@pytest.mark.parametrize("log_lam", [-3.0, 0.0, 1.0])
def test_against_autograd_and_finite_differences(log_lam: float) -> None:
    X, y, Xv, yv = _data()
    loss, grad, w = unrolled_ridge(X, y, Xv, yv, log_lam, steps=50, lr=0.1)
    a = torch.tensor(log_lam, dtype=torch.float64, requires_grad=True)
    Xt, yt, Xvt, yvt = (torch.tensor(v) for v in (X, y, Xv, yv))
    wt = torch.zeros(6, dtype=torch.float64)
    for _ in range(50):
        wt = wt - 0.1 * (Xt.T @ (Xt @ wt - yt) / 20 + torch.exp(a) * wt)
    val = ((Xvt @ wt - yvt) ** 2).sum() / 80
    val.backward()
    assert loss == pytest.approx(val.item(), rel=1e-12) and np.allclose(w, wt.detach().numpy())
    assert grad == pytest.approx(a.grad.item(), rel=1e-9)
    h = 1e-5
    fd = (unrolled_ridge(X, y, Xv, yv, log_lam + h, 50)[0] - unrolled_ridge(X, y, Xv, yv, log_lam - h, 50)[0]) / (2 * h)
    assert grad == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_bad_inputs() -> None:
    X, y, Xv, yv = _data()
    with pytest.raises(ValueError, match="shapes"):
        unrolled_ridge(X, y[:-1], Xv, yv, 0.0)
    with pytest.raises(ValueError, match="steps"):
        unrolled_ridge(X, y, Xv, yv, 0.0, steps=0)
