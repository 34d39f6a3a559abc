"""dlbook.sharpness: the rescaled network is the same function; its Hessian is D^-1 H D^-1 (torch.autograd)."""

import numpy as np
import pytest
import torch

from dlbook.sharpness import rescaled_hessian, rescaling, top_eigenvalue, two_layer_loss, unflatten

SIZES = (3, 4, 2)


def _torch_loss(X, y):
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def f(th):
        W1, b1, W2, b2 = th[:12].view(4, 3), th[12:16], th[16:24].view(2, 4), th[24:]
        return torch.nn.functional.cross_entropy(torch.relu(Xt @ W1.T + b1) @ W2.T + b2, yt)
    return f


def test_rescaling_keeps_the_loss_and_transforms_the_hessian() -> None:
    r = np.random.default_rng(0)
    X, y, theta = r.standard_normal((30, 3)), r.integers(0, 2, 30), r.standard_normal(26)
    f = _torch_loss(X, y)
    assert two_layer_loss(theta, SIZES, X, y) == pytest.approx(f(torch.tensor(theta)).item(), rel=1e-12)
    H = torch.autograd.functional.hessian(f, torch.tensor(theta)).numpy()
    for alpha in (0.1, 7.0):
        s = rescaling(SIZES, alpha)
        assert two_layer_loss(s * theta, SIZES, X, y) == pytest.approx(two_layer_loss(theta, SIZES, X, y), rel=1e-12)
        H2 = torch.autograd.functional.hessian(f, torch.tensor(s * theta)).numpy()
        assert np.allclose(rescaled_hessian(H, s), H2, atol=1e-10)
    assert top_eigenvalue(np.diag([1.0, 5.0, 2.0])) == 5.0


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="entries"):
        unflatten(np.zeros(5), SIZES)
    with pytest.raises(ValueError, match="alpha"):
        rescaling(SIZES, -1.0)
    with pytest.raises(ValueError, match="match scale"):
        rescaled_hessian(np.eye(3), np.ones(4))
