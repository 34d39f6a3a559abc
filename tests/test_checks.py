"""The shared input checks raise clear ValueErrors."""

import numpy as np
import pytest

from dlbook.checks import as_array, check_int, check_positive, check_probabilities, check_square, check_unit_vector
from dlbook.utils import device, seed_everything


def test_as_array_checks_rank_size_and_finiteness() -> None:
    assert as_array([[1, 2]], "X", ndim=2).dtype == np.float64
    with pytest.raises(ValueError, match="X must be 2-D; got an array of shape \\(3,\\)"):
        as_array([1, 2, 3], "X", ndim=2)
    with pytest.raises(ValueError, match="finite"):
        as_array([1.0, np.nan], "x")
    with pytest.raises(ValueError, match="at least 1"):
        as_array([], "x")
    with pytest.raises(ValueError, match="numeric"):
        as_array(["a", "b"], "x")
    with pytest.raises(ValueError, match="must be real"):
        as_array([1 + 2j], "x")


def test_scalar_checks() -> None:
    assert check_positive(2, "w") == 2.0
    for bad in (0, -1, np.inf, np.nan, "x", 10**400):
        with pytest.raises(ValueError, match="w must"):
            check_positive(bad, "w")
    assert check_positive(0, "w", allow_zero=True) == 0.0
    assert check_int(3, "k", low=0, high=5) == 3
    for bad in (2.5, True, -1, 9):
        with pytest.raises(ValueError, match="k must"):
            check_int(bad, "k", low=0, high=5)


def test_probabilities() -> None:
    np.testing.assert_array_equal(check_probabilities([0.25, 0.75], "p"), [0.25, 0.75])
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        check_probabilities([-0.1, 1.1], "p")
    with pytest.raises(ValueError, match="sum to 1"):
        check_probabilities([0.2, 0.2], "p")


def test_seed_everything_repeats_and_device_is_available() -> None:
    a = seed_everything(3).standard_normal(4)
    b = seed_everything(3).standard_normal(4)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)
    assert device().type in {"cpu", "cuda", "mps"}


def test_seed_everything_uses_one_torch_thread_by_default() -> None:
    import torch

    before = torch.get_num_threads()
    try:
        seed_everything(0, threads=2)
        assert torch.get_num_threads() == 2
        seed_everything(0)
        assert torch.get_num_threads() == 1
        seed_everything(0, threads=None)
        assert torch.get_num_threads() == 1
        with pytest.raises(ValueError, match="threads"):
            seed_everything(0, threads=0)
    finally:
        torch.set_num_threads(before)

def test_check_square_and_check_unit_vector() -> None:
    assert check_square(np.eye(2), "A").shape == (2, 2)
    with pytest.raises(ValueError, match="A must be a square matrix; got shape \\(2, 3\\)"):
        check_square(np.ones((2, 3)), "A")
    with pytest.raises(ValueError, match="A must be 2-D"):
        check_square(np.ones(3), "A")
    u = check_unit_vector([0.6, 0.8], 2, "u")
    assert np.allclose(u, [0.6, 0.8])
    with pytest.raises(ValueError, match="u must be a unit vector \\(norm 1\\); got norm 2"):
        check_unit_vector([0.0, 2.0], 2, "u")
    with pytest.raises(ValueError, match="u must have 3 entries; got 2"):
        check_unit_vector([0.6, 0.8], 3, "u")


def test_seed_everything_seeds_torch_imported_later() -> None:
    """Without torch imported, seed_everything defers seeding torch to its first import (in a fresh process)."""
    import subprocess
    import sys

    code = ("import sys\nfrom dlbook import seed_everything\nseed_everything(3)\nassert 'torch' not in sys.modules\n"
            "import torch\na = torch.rand(3)\nassert torch.get_num_threads() == 1\ntorch.manual_seed(3)\n"
            "assert torch.equal(a, torch.rand(3))\nprint('seeded')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "seeded" in out.stdout, out.stderr[-2000:]


def test_glue_writes_what_myst_nb_reads() -> None:
    """dlbook.glue emits the same display message as myst_nb.glue (MyST-NB pastes it into the prose)."""
    from unittest import mock

    import myst_nb

    from dlbook import glue

    calls = []
    for fn, target in ((glue, "IPython.display.display"), (myst_nb.glue, "myst_nb.ext.glue.ipy_display")):
        with mock.patch(target, side_effect=lambda *a, **k: calls.append((a, k))):
            fn("x", 0.25, display=False)
    assert calls[0] == calls[1]
    assert "application/papermill.record/text/plain" in calls[0][0][0]
