"""dlbook.tensor_adam: the same iterates as torch.optim.Adam."""

import pytest
import torch

from dlbook.tensor_adam import TensorAdam


def test_same_iterates_as_torch_optim() -> None:
    torch.manual_seed(0)
    A, b = torch.randn(6, 4, dtype=torch.float64), torch.randn(6, dtype=torch.float64)
    ours, ref = torch.zeros(4, dtype=torch.float64, requires_grad=True), torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt_ours, opt_ref = TensorAdam([ours], lr=0.05), torch.optim.Adam([ref], lr=0.05)
    for _ in range(30):
        for p, opt in ((ours, opt_ours), (ref, opt_ref)):
            opt.zero_grad()
            ((A @ p - b) ** 2).sum().backward()
            opt.step()
    assert torch.allclose(ours, ref, atol=1e-12)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="at least one"):
        TensorAdam([])
    with pytest.raises(ValueError, match="lr"):
        TensorAdam([torch.zeros(1, requires_grad=True)], lr=0.0)
