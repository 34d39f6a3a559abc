"""dlbook.conv, dlbook.pooling and dlbook.gabor against torch, scipy, loops and closed forms (Chapter 9)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F

from dlbook.conv import (circular_shift, conv2d, conv2d_grads, conv2d_loop, conv_cost, conv_matrix,
                         conv_output_size, convolve2d, fft_conv2d, im2col, kernel_placements, locally_connected,
                         pad_amounts, parameter_count, separable_conv2d, separable_cost, separable_factors,
                         tiled_conv2d)
from dlbook.gabor import complex_cell, gabor, gabor_kernel, grating, simple_cell
from dlbook.pooling import adaptive_max_pool2d, pool1d, pool2d

RNG = np.random.default_rng(0)
T = torch.tensor


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("m", [1, 2, 5, 8, 13])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_output_sizes_match_torch(m: int, k: int, s: int) -> None:
    x = torch.zeros(1, 1, 1, m)
    w = torch.zeros(1, 1, 1, k)
    if k <= m:
        assert conv_output_size(m, k, s, "valid") == F.conv2d(x, w, stride=s).shape[-1]
    assert conv_output_size(m, k, s, "full") == F.conv2d(x, w, stride=s, padding=(0, k - 1)).shape[-1]
    if s == 1:
        assert conv_output_size(m, k, 1, "same") == F.conv2d(x, w, padding="same").shape[-1] == m
    elif k % 2:
        assert conv_output_size(m, k, s, "same") == F.conv2d(x, w, stride=s, padding=(0, k // 2)).shape[-1]
    assert len(kernel_placements(m, k, s, "full")) == conv_output_size(m, k, s, "full")


def test_output_size_formulas() -> None:
    for m, k in [(16, 6), (320, 2), (7, 7)]:
        assert conv_output_size(m, k) == m - k + 1
        assert conv_output_size(m, k, padding="same") == m
        assert conv_output_size(m, k, padding="full") == m + k - 1
    assert pad_amounts(4, "same") == (1, 2) and pad_amounts(3, 2) == (2, 2)


def test_conv2d_loop_and_vectorised_agree_with_scipy() -> None:
    x, k = RNG.standard_normal((9, 11)), RNG.standard_normal((3, 4))
    assert np.allclose(conv2d_loop(x, k), scipy.signal.correlate2d(x, k, mode="valid"), atol=1e-12)
    for mode in ("valid", "same", "full"):
        assert np.allclose(conv2d(x, k, padding=mode), scipy.signal.correlate2d(x, k, mode=mode), atol=1e-12)
    for mode in ("valid", "full"):
        assert np.allclose(convolve2d(x, k, padding=mode), scipy.signal.convolve2d(x, k, mode=mode), atol=1e-12)
    for shape in [(3, 5), (3, 4), (2, 2), (4, 1), (1, 6)]:      # odd and even kernels: 'same' is scipy's centre
        kk = RNG.standard_normal(shape)
        assert np.allclose(convolve2d(x, kk, padding="same"), scipy.signal.convolve2d(x, kk, mode="same"), atol=1e-12)
        assert np.allclose(convolve2d(x, kk, padding="same", boundary="circular"),
                           scipy.signal.convolve2d(x, kk, mode="same", boundary="wrap"), atol=1e-12)
        assert np.allclose(convolve2d(x, kk, stride=2, padding="same"),
                           scipy.signal.convolve2d(x, kk, mode="same")[::2, ::2], atol=1e-12)


def test_even_kernel_same_offset_between_conv2d_and_convolve2d() -> None:
    """Flipping an even kernel moves its centre: convolve2d 'same' = flipped conv2d 'same' shifted by one pixel."""
    x, k = RNG.standard_normal((8, 9)), RNG.standard_normal((4, 2))
    full = scipy.signal.convolve2d(x, k, mode="full")
    assert np.allclose(convolve2d(x, k, padding="same"), full[1:9, 0:9], atol=1e-12)           # ⌊(k−1)/2⌋ = 1, 0
    assert np.allclose(conv2d(x, k[::-1, ::-1], padding="same"), full[2:10, 1:10], atol=1e-12)  # ⌊k/2⌋ = 2, 1


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv2d_matches_torch(stride: int, padding: int) -> None:
    X, K = RNG.standard_normal((2, 3, 10, 11)), RNG.standard_normal((4, 3, 3, 2))
    ours = conv2d(X, K, stride=stride, padding=padding)
    assert np.allclose(ours, F.conv2d(T(X), T(K), stride=stride, padding=padding).numpy(), atol=1e-12)
    assert np.allclose(im2col(X, 3, 2, stride, padding),
                       F.unfold(T(X), (3, 2), stride=stride, padding=padding).numpy(), atol=0)


def test_conv2d_same_and_circular_match_torch() -> None:
    X, K = RNG.standard_normal((1, 2, 8, 9)), RNG.standard_normal((3, 2, 3, 3))
    assert np.allclose(conv2d(X, K, padding="same"), F.conv2d(T(X), T(K), padding="same").numpy(), atol=1e-12)
    wrapped = F.pad(T(X), (1, 1, 1, 1), mode="circular")
    assert np.allclose(conv2d(X, K, padding="same", boundary="circular"), F.conv2d(wrapped, T(K)).numpy(),
                       atol=1e-12)


def test_conv2d_single_channel_input_with_bank() -> None:
    X, K = RNG.standard_normal((2, 6, 6)), RNG.standard_normal((5, 2, 3, 3))
    assert conv2d(X, K).shape == (1, 5, 4, 4)


@pytest.mark.parametrize("padding", ["valid", "same", "full"])
@pytest.mark.parametrize("boundary", ["zero", "circular"])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv_matrix_product_equals_conv2d(padding: str, boundary: str, stride: int) -> None:
    x, k = RNG.standard_normal((6, 7)), RNG.standard_normal((3, 2))
    M = conv_matrix(x.shape, k, stride, padding, boundary)
    assert np.allclose(M @ x.ravel(), conv2d(x, k, stride, padding, boundary).ravel(), atol=1e-12)


def test_conv_matrix_structure() -> None:
    k = np.array([[1.0, 2.0, 3.0]])
    T1 = conv_matrix((1, 6), k).toarray()                      # 1-D: Toeplitz
    assert all(np.allclose(np.diag(T1, d), v) for d, v in zip(range(3), (1, 2, 3)))
    C = conv_matrix((4, 4), RNG.standard_normal((3, 3)), padding="same", boundary="circular").toarray()
    blocks = C.reshape(4, 4, 4, 4).transpose(0, 2, 1, 3)      # block (I, J) is 4×4
    for I in range(4):
        for J in range(4):
            assert np.allclose(blocks[I, J], blocks[(I + 1) % 4, (J + 1) % 4])      # block circulant
            assert np.allclose(blocks[I, J], np.roll(np.roll(blocks[I, J], 1, 0), 1, 1))  # circulant blocks


def test_circular_convolution_is_exactly_equivariant() -> None:
    x, k = RNG.standard_normal((12, 10)), RNG.standard_normal((3, 3))
    for dy, dx in [(1, 0), (3, -2), (7, 9)]:
        a = conv2d(circular_shift(x, dy, dx), k, padding="same", boundary="circular")
        b = circular_shift(conv2d(x, k, padding="same", boundary="circular"), dy, dx)
        assert np.allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 1), (2, 0), (2, 2), (3, 1), (1, "same"), (1, "full")])
def test_conv2d_grads_match_autograd(stride: int, padding) -> None:
    X, K = RNG.standard_normal((2, 3, 9, 8)), RNG.standard_normal((4, 3, 3, 3))
    Xt, Kt = T(X, requires_grad=True), T(K, requires_grad=True)
    tp = 2 if padding == "full" else padding
    Z = F.conv2d(Xt, Kt, stride=stride, padding=tp)
    G = torch.randn(Z.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    (Z * G).sum().backward()
    gx, gk = conv2d_grads(X, K, G.numpy(), stride, padding)
    assert np.allclose(gx, Xt.grad.numpy(), atol=1e-10) and np.allclose(gk, Kt.grad.numpy(), atol=1e-10)


def test_conv2d_grads_single_image() -> None:
    x, k = RNG.standard_normal((6, 6)), RNG.standard_normal((2, 3))
    xt, kt = T(x[None, None], requires_grad=True), T(k[None, None], requires_grad=True)
    G = np.ones((5, 4))
    (F.conv2d(xt, kt) * T(G)).sum().backward()
    gx, gk = conv2d_grads(x, k, G)
    assert np.allclose(gx, xt.grad.numpy()[0, 0]) and np.allclose(gk, kt.grad.numpy()[0, 0])


def _locally_connected_loop(x: np.ndarray, W: np.ndarray, s: int) -> np.ndarray:
    C_out, Ho, Wo, C_in, kh, kw = W.shape
    Z = np.zeros((x.shape[0], C_out, Ho, Wo))
    for n in range(x.shape[0]):
        for i in range(C_out):
            for j in range(Ho):
                for k in range(Wo):
                    for l in range(C_in):
                        for m in range(kh):
                            for p in range(kw):
                                Z[n, i, j, k] += x[n, l, j * s + m, k * s + p] * W[i, j, k, l, m, p]
    return Z


@pytest.mark.parametrize("stride", [1, 2])
def test_locally_connected_matches_loop(stride: int) -> None:
    x = RNG.standard_normal((2, 2, 7, 7))
    Ho = conv_output_size(7, 3, stride)
    W = RNG.standard_normal((3, Ho, Ho, 2, 3, 3))
    assert np.allclose(locally_connected(x, W, stride), _locally_connected_loop(x, W, stride), atol=1e-12)


def test_tiled_convolution_limits() -> None:
    x, K = RNG.standard_normal((1, 2, 8, 8)), RNG.standard_normal((3, 2, 3, 3))
    assert np.allclose(tiled_conv2d(x, K[..., None, None]), conv2d(x, K), atol=1e-12)   # t = 1
    Kt = RNG.standard_normal((3, 2, 3, 3, 2, 2))
    Z = tiled_conv2d(x, Kt)
    W = np.empty((3, 6, 6, 2, 3, 3))
    for j in range(6):
        for k in range(6):
            W[:, j, k] = Kt[..., j % 2, k % 2]
    assert np.allclose(Z, _locally_connected_loop(x, W, 1), atol=1e-12)
    assert parameter_count("tiled", 2, 3, 3, 6, t=2) == Kt.size
    assert parameter_count("local", 2, 3, 3, 6) == W.size
    assert parameter_count("dense", 2, 3, 3, 6, in_size=8) == 3 * 36 * 2 * 64


def test_fft_and_separable_convolution() -> None:
    x, k = RNG.standard_normal((20, 17)), RNG.standard_normal((5, 4))
    assert np.allclose(fft_conv2d(x, k), scipy.signal.convolve2d(x, k, mode="full"), atol=1e-10)
    u, v = RNG.standard_normal(5), RNG.standard_normal(3)
    fu, fv = separable_factors(np.outer(u, v))
    assert np.allclose(np.outer(fu, fv), np.outer(u, v))
    assert separable_factors(k) is None
    assert np.allclose(separable_conv2d(x, u, v), conv2d(x, np.outer(u, v)), atol=1e-12)
    direct, sep = conv_cost((20, 17), (5, 3)), separable_cost((20, 17), 5, 3)
    assert direct["outputs"] == sep["outputs"] == 16 * 15
    assert direct["mult"] == conv_matrix((20, 17), np.outer(u, v)).nnz            # one multiply per stored entry
    nnz = conv_matrix((20, 17), v[None]).nnz + conv_matrix((20, 15), u[:, None]).nnz
    assert sep["mult"] == nnz and sep["weights"] == 8 and direct["weights"] == 15


def test_fig_9_6_counts() -> None:
    cost = conv_cost((280, 320), (1, 2))
    assert cost["outputs"] == 319 * 280 and cost["mult"] + cost["add"] == 267_960
    M = conv_matrix((280, 320), np.array([[-1.0, 1.0]]))
    assert M.shape[0] * M.shape[1] == 320 * 280 * 319 * 280 and M.nnz == 178_640


@pytest.mark.parametrize("kind, fn", [("max", F.max_pool2d), ("avg", F.avg_pool2d),
                                      ("l2", lambda x, k, s: F.lp_pool2d(x, 2, k, s))])
@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (3, 1), (2, 3)])
def test_pooling_matches_torch(kind: str, fn, size: int, stride: int) -> None:
    x = RNG.standard_normal((2, 3, 9, 10))
    assert np.allclose(pool2d(x, size, stride, kind), fn(T(x), size, stride).numpy(), atol=1e-12)


def test_pool1d_and_adaptive_pool() -> None:
    x = RNG.standard_normal(12)
    assert np.allclose(pool1d(x, 3, 1), F.max_pool1d(T(x[None]), 3, 1).numpy()[0])
    assert np.allclose(pool1d(x, 3, 2, "avg"), F.avg_pool1d(T(x[None]), 3, 2).numpy()[0])
    for shape in [(11, 13), (28, 28), (5, 9)]:
        y = RNG.standard_normal((2, 3) + shape)
        assert np.allclose(adaptive_max_pool2d(y, 3, 4), F.adaptive_max_pool2d(T(y), (3, 4)).numpy())


def test_gabor_closed_form_properties() -> None:
    even = gabor_kernel(15, beta_x=0.05, beta_y=0.05, f=0.8, phi=0.0)
    odd = gabor_kernel(15, beta_x=0.05, beta_y=0.05, f=0.8, phi=np.pi / 2)
    assert np.allclose(even, even[::-1, ::-1]) and np.allclose(odd, -odd[::-1, ::-1])
    assert np.isclose(gabor(0.0, 0.0, alpha=2.5), 2.5)
    # rotating by tau rotates the kernel: tau = pi/2 on a square grid is the transpose
    k = gabor_kernel(11, beta_x=0.08, beta_y=0.02, f=1.0, phi=0.3)
    assert np.allclose(gabor_kernel(11, beta_x=0.08, beta_y=0.02, f=1.0, phi=0.3, tau=np.pi / 2), k.T, atol=1e-12)
    # the kernel's spectrum peaks at its frequency f (cycles per pixel f / 2π) along x
    big = gabor_kernel(128, beta_x=0.002, beta_y=0.002, f=2 * np.pi * 10 / 128)
    spec = np.abs(np.fft.fft2(big))
    iy, ix = np.unravel_index(np.argmax(spec), spec.shape)
    assert iy == 0 and ix in (10, 118)


def test_complex_cell_is_phase_invariant() -> None:
    params = dict(beta_x=0.02, beta_y=0.02, f=0.9)
    simple = [simple_cell(grating(21, 0.9, phase=p), gabor_kernel(21, **params)) for p in np.linspace(0, np.pi, 9)]
    cx = [complex_cell(grating(21, 0.9, phase=p), 21, **params) for p in np.linspace(0, np.pi, 9)]
    assert np.ptp(simple) > 0.9 * np.max(np.abs(simple))
    assert np.ptp(cx) < 0.02 * np.mean(cx)


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(np.ones((3, 3)), np.ones((4, 4))), "larger than"),
    (lambda: conv2d(np.ones((2, 5, 5)), np.ones((1, 3, 3, 3))), "channels"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="wide"), "padding must be"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), boundary="mirror"), "boundary"),
    (lambda: conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: conv2d(np.full((5, 5), np.nan), np.ones((3, 3))), "finite"),
    (lambda: conv2d(np.ones((3, 5, 5)), np.ones((3, 3))), "4-D kernel"),
    (lambda: conv_output_size(3, 5), "exceeds"),
    (lambda: conv_output_size(0, 1), "input width"),
    (lambda: pool2d(np.ones((4, 4)), 5), "larger than"),
    (lambda: pool2d(np.ones((4, 4)), 2, kind="median"), "kind"),
    (lambda: locally_connected(np.ones((1, 2, 5, 5)), np.ones((1, 2, 2, 2, 3, 3))), "weights expect"),
    (lambda: gabor(0.0, 0.0, beta_x=-1.0), "beta_x"),
    (lambda: simple_cell(np.ones((3, 3)), np.ones((4, 4))), "same shape"),
    (lambda: parameter_count("sparse", 1, 1, 3, 4), "kind"),
    (lambda: parameter_count("conv", 1, 1, 0, 4), "k must be"),
    (lambda: conv_cost((10, 10), (0, 3)), "kernel size"),
    (lambda: conv2d_grads(np.ones((6, 7)), np.ones((3, 3)), np.ones((5, 4))), "grad_out"),
    (lambda: conv2d_grads(np.ones((6, 7)), np.ones((3, 3)), np.ones(19)), "grad_out"),
])
def test_bad_inputs_raise(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_extreme_inputs_stay_finite() -> None:
    x = np.full((6, 6), 1e150)
    assert np.all(np.isfinite(conv2d(x, np.ones((2, 2)))))
    assert np.all(np.isfinite(pool2d(x * 1e-300, 2, kind="l2")))
    big = pool2d(np.full((4, 4), 1e200), 2, kind="l2")                          # x² would overflow
    assert np.allclose(big, 2e200) and np.allclose(pool2d(np.zeros((4, 4)), 2, kind="l2"), 0.0)


def test_browser_modules_do_not_import_torch() -> None:
    """The demos run under Pyodide: their modules import numpy, scipy and matplotlib only."""
    lib = Path(__file__).resolve().parents[1] / "lib" / "dlbook"
    for rel in ("conv.py", "pooling.py", "gabor.py", "demos/conv.py"):
        for node in ast.walk(ast.parse((lib / rel).read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                assert not any(n and n.split(".")[0] == "torch" for n in names), f"{rel} imports torch"
                assert not any(n and n.startswith("dlbook.") and n.split(".")[1] in ("cnn", "utils") for n in names)


# -- property-based robustness (hypothesis, derandomised) ----------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

FAST = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
images = hnp.arrays(np.float64, st.tuples(st.integers(3, 9), st.integers(3, 9)),
                    elements=st.floats(-1e6, 1e6, allow_nan=False))


@FAST
@given(images, st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["valid", "same", "full", 0, 1, 2]))
def test_conv2d_matches_torch_on_random_shapes(x: np.ndarray, kh: int, kw: int, stride: int, padding) -> None:
    k = np.linspace(-1, 1, kh * kw).reshape(kh, kw)
    ours = conv2d(x, k, stride=stride, padding=padding)
    assert np.all(np.isfinite(ours))
    if padding in ("same", "full"):
        (t, b), (l, r) = pad_amounts(kh, padding), pad_amounts(kw, padding)
        xt = F.pad(T(x)[None, None], (l, r, t, b))
        theirs = F.conv2d(xt, T(k)[None, None], stride=stride)
    else:
        theirs = F.conv2d(T(x)[None, None], T(k)[None, None], stride=stride, padding=padding)
    assert np.allclose(ours, theirs.numpy()[0, 0], rtol=1e-9, atol=1e-6)


@FAST
@given(images, st.integers(0, 80), st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_inputs_raise(x: np.ndarray, where: int, bad: float) -> None:
    x = x.copy()
    x.flat[where % x.size] = bad
    for call in (lambda: conv2d(x, np.ones((2, 2))), lambda: pool2d(x, 2), lambda: fft_conv2d(x, np.ones((2, 2))),
                 lambda: conv2d_grads(x, np.ones((2, 2)), np.ones((x.shape[0] - 1, x.shape[1] - 1)))):
        with pytest.raises(ValueError, match="finite"):
            call()


@pytest.mark.parametrize("call", [
    lambda: conv2d(np.ones(5), np.ones(2)),
    lambda: conv2d(np.ones((2, 2, 2, 2, 2)), np.ones((1, 2, 1, 1))),
    lambda: conv2d([["a", "b"], ["c", "d"]], np.ones((1, 1))),
    lambda: conv_matrix((0, 4), np.ones((1, 1))),
    lambda: pool2d(np.ones((4, 4)), 0),
    lambda: tiled_conv2d(np.ones((1, 5, 5)), np.ones((1, 1, 2, 2, 2, 3))),
    lambda: gabor_kernel(0),
])
def test_bad_shapes_and_values_raise(call) -> None:
    with pytest.raises(ValueError):
        call()
