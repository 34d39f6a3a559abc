"""Convolution from scratch in NumPy (§9.1–9.8 of Goodfellow, Bengio & Courville, 2016).

Conventions follow torch: a batch of images is ``(N, C, H, W)`` and a kernel bank is ``(C_out, C_in, kh, kw)``.
Every function also accepts a single grey image ``(H, W)`` with a single kernel ``(kh, kw)``. ``conv2d`` is the
cross-correlation that deep-learning libraries call convolution (eq. 9.6); ``convolve2d`` flips the kernel first
(eq. 9.4). No torch import here: the demos use this module in the browser.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlbook.checks import as_array, check_int

PADDINGS = ("valid", "same", "full")
BOUNDARIES = ("zero", "circular")


# -- sizes (§9.5) --------------------------------------------------------------------------------------

def pad_amounts(k: int, padding: str | int) -> tuple[int, int]:
    """Zeros added before and after an axis for a kernel of width ``k`` (§9.5).

    ``"valid"`` adds none, ``"full"`` adds k − 1 on each side, ``"same"`` adds k − 1 in total (the extra one
    after, as torch does for even k); an integer p adds p on each side.
    """
    k = check_int(k, "kernel width", low=1)
    if isinstance(padding, str):
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS} or a non-negative integer; got {padding!r}")
        return {"valid": (0, 0), "same": ((k - 1) // 2, k - 1 - (k - 1) // 2), "full": (k - 1, k - 1)}[padding]
    p = check_int(padding, "padding", low=0)
    return p, p


def conv_output_size(m: int, k: int, stride: int = 1, padding: str | int = "valid") -> int:
    """Output width of a convolution of an input of width ``m`` with a kernel of width ``k`` (§9.5, eq. 9.8).

    With stride 1: valid m − k + 1, same m, full m + k − 1. With stride s the kernel is placed at every s-th
    position of the padded input, which gives ⌊(m + p_before + p_after − k)/s⌋ + 1 placements.
    """
    m = check_int(m, "input width", low=1)
    stride = check_int(stride, "stride", low=1)
    before, after = pad_amounts(k, padding)
    if m + before + after < k:
        raise ValueError(f"kernel width {k} exceeds the padded input width {m + before + after}")
    return (m + before + after - k) // stride + 1


def kernel_placements(m: int, k: int, stride: int = 1, padding: str | int = "valid") -> np.ndarray:
    """Start index of each kernel placement, in coordinates of the *unpadded* input (negative = in the padding)."""
    n = conv_output_size(m, k, stride, padding)
    return np.arange(n) * stride - pad_amounts(k, padding)[0]


# -- shapes and padding --------------------------------------------------------------------------------

def _as_batch(x: Any, kernel: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(N, C, H, W)`` input and ``(C_out, C_in, kh, kw)`` kernel; the flag says a 2-D pair was given."""
    x = as_array(x, "input", ndim=(2, 3, 4))
    kernel = as_array(kernel, "kernel", ndim=(2, 4))
    single = x.ndim == 2 and kernel.ndim == 2
    if single:
        return x[None, None], kernel[None, None], True
    if kernel.ndim == 2:
        raise ValueError(f"a {x.ndim}-D input needs a 4-D kernel (C_out, C_in, kh, kw); got shape {kernel.shape}")
    x = x[None] if x.ndim == 3 else x
    if x.ndim != 4:
        raise ValueError(f"a 4-D kernel needs a (C, H, W) or (N, C, H, W) input; got shape {x.shape}")
    if x.shape[1] != kernel.shape[1]:
        raise ValueError(f"input has {x.shape[1]} channels but the kernel expects {kernel.shape[1]}")
    return x, kernel, False


def pad2d(x: np.ndarray, kh: int, kw: int, padding: str | int = "valid", boundary: str = "zero") -> np.ndarray:
    """Pad the last two axes for a ``kh × kw`` kernel: with zeros, or by wrapping around (``"circular"``)."""
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}; got {boundary!r}")
    widths = [(0, 0)] * (x.ndim - 2) + [pad_amounts(kh, padding), pad_amounts(kw, padding)]
    if boundary == "circular" and any(b > n or a > n for (b, a), n in zip(widths[-2:], x.shape[-2:])):
        raise ValueError(f"circular padding {widths[-2:]} is wider than the input {x.shape[-2:]}")
    return np.pad(x, widths, mode="constant" if boundary == "zero" else "wrap")


def _windows(x: np.ndarray, kh: int, kw: int, stride: int, padding: str | int, boundary: str) -> np.ndarray:
    """Every kernel placement of the padded input: a read-only view of shape (N, C, H_out, W_out, kh, kw)."""
    xp = pad2d(x, kh, kw, padding, boundary)
    if xp.shape[-2] < kh or xp.shape[-1] < kw:
        raise ValueError(f"kernel {kh}×{kw} is larger than the padded input {xp.shape[-2]}×{xp.shape[-1]}")
    return sliding_window_view(xp, (kh, kw), axis=(-2, -1))[:, :, ::stride, ::stride]


# -- the operation (§9.1, §9.5) ------------------------------------------------------------------------

def conv2d_loop(image: Any, kernel: Any) -> np.ndarray:
    """Valid cross-correlation of one image with one kernel, written as eq. 9.6: S(i, j) = Σ_m Σ_n I(i+m, j+n) K(m, n)."""
    image, kernel = as_array(image, "image", ndim=2), as_array(kernel, "kernel", ndim=2)
    (H, W), (kh, kw) = image.shape, kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel {kernel.shape} is larger than the image {image.shape}")
    S = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(S.shape[0]):
        for j in range(S.shape[1]):
            for m in range(kh):
                for n in range(kw):
                    S[i, j] += image[i + m, j + n] * kernel[m, n]
    return S


def im2col(x: Any, kh: int, kw: int, stride: int = 1, padding: str | int = "valid",
           boundary: str = "zero") -> np.ndarray:
    """Unroll every kernel placement into a column: (N, C, H, W) → (N, C·kh·kw, H_out·W_out), as ``F.unfold``.

    Row r = (c, m, n) of column l holds the input pixel that kernel entry (m, n) of channel c sees at output
    position l; a convolution is then one matrix product with the flattened kernel bank (§9.8).
    """
    x = as_array(x, "input", ndim=4)
    kh, kw = check_int(kh, "kh", low=1), check_int(kw, "kw", low=1)
    stride = check_int(stride, "stride", low=1)
    win = _windows(x, kh, kw, stride, padding, boundary)          # N, C, Ho, Wo, kh, kw
    N, C, Ho, Wo = win.shape[:4]
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)


def conv2d(x: Any, kernel: Any, stride: int = 1, padding: str | int = "valid", boundary: str = "zero") -> np.ndarray:
    """Multichannel cross-correlation with stride and padding (§9.5, eqs. 9.7–9.8), torch's ``conv2d``.

    Z[n, i, j, k] = Σ_{l, m, p} V[n, l, j·s + m, k·s + p] K[i, l, m, p] over the padded input V. A 2-D image
    with a 2-D kernel gives a 2-D map; otherwise the output is (N, C_out, H_out, W_out).
    """
    x4, k4, single = _as_batch(x, kernel)
    C_out, C_in, kh, kw = k4.shape
    cols = im2col(x4, kh, kw, stride, padding, boundary)          # N, C_in·kh·kw, Ho·Wo
    Ho = conv_output_size(x4.shape[2], kh, stride, padding)
    Wo = conv_output_size(x4.shape[3], kw, stride, padding)
    Z = (k4.reshape(C_out, -1) @ cols).reshape(-1, C_out, Ho, Wo)
    return Z[0, 0] if single else Z


def convolve2d(x: Any, kernel: Any, stride: int = 1, padding: str | int = "valid",
               boundary: str = "zero") -> np.ndarray:
    """Convolution proper (eq. 9.4): the cross-correlation with the kernel flipped along both spatial axes.

    ``"same"`` keeps the centre of the full convolution, starting at offset ⌊(k − 1)/2⌋ as ``scipy.signal.convolve2d``
    and ``numpy.convolve`` do. For an even k this is one pixel away from ``conv2d(x, flipped, padding="same")``
    (torch's convention), because flipping an even kernel moves its centre by one pixel.
    """
    kernel = as_array(kernel, "kernel", ndim=(2, 4))
    flipped = kernel[..., ::-1, ::-1]
    if not (isinstance(padding, str) and padding == "same"):
        return conv2d(x, flipped, stride, padding, boundary)
    stride = check_int(stride, "stride", low=1)
    full = conv2d(x, flipped, 1, "full", boundary)
    (kh, kw), (H, W) = kernel.shape[-2:], np.shape(x)[-2:]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    return full[..., top:top + H:stride, left:left + W:stride]


# -- the convolution as a matrix (§9.1) ----------------------------------------------------------------

def conv_matrix(shape: tuple[int, int], kernel: Any, stride: int = 1, padding: str | int = "valid",
                boundary: str = "zero") -> scipy.sparse.csr_matrix:
    """The sparse matrix M with M @ image.ravel() == conv2d(image, kernel).ravel() (§9.1).

    Row (i, j) holds kernel entry K[m, n] in the column of the pixel it multiplies. In one dimension M is a
    Toeplitz matrix (each row the previous shifted right by the stride); in two it is doubly block Toeplitz,
    and with circular boundaries doubly block circulant. Built entry by entry, not from ``conv2d``.
    """
    kernel = as_array(kernel, "kernel", ndim=2)
    H, W = (check_int(s, "shape", low=1) for s in shape)
    (kh, kw), stride = kernel.shape, check_int(stride, "stride", low=1)
    top, left = pad_amounts(kh, padding)[0], pad_amounts(kw, padding)[0]
    Ho, Wo = conv_output_size(H, kh, stride, padding), conv_output_size(W, kw, stride, padding)
    i, j, m, n = np.meshgrid(np.arange(Ho), np.arange(Wo), np.arange(kh), np.arange(kw), indexing="ij")
    r, c = i * stride + m - top, j * stride + n - left                # the input pixel each entry multiplies
    if boundary == "circular":
        r, c, keep = r % H, c % W, np.ones(r.shape, bool)
    elif boundary == "zero":
        keep = (r >= 0) & (r < H) & (c >= 0) & (c < W)                 # entries that land on zero padding vanish
    else:
        raise ValueError(f"boundary must be one of {BOUNDARIES}; got {boundary!r}")
    values = np.broadcast_to(kernel, r.shape)
    # a circular wrap may hit one pixel twice: the two entries are summed
    return sparse_matrix(values[keep], (i * Wo + j)[keep], (r * W + c)[keep], shape=(Ho * Wo, H * W))


def sparse_matrix(values: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                  shape: tuple[int, int]) -> scipy.sparse.csr_matrix:
    """The CSR matrix with ``values`` at (``rows``, ``cols``), repeated positions summed. scipy is imported here,
    not at the top, so the browser demos of this module start without loading scipy."""
    import scipy.sparse

    M = scipy.sparse.coo_matrix((values, (rows, cols)), shape=shape)
    M.sum_duplicates()
    return M.tocsr()


# -- gradients (§9.5, eqs. 9.11–9.14) ------------------------------------------------------------------

def conv2d_grads(x: Any, kernel: Any, grad_out: Any, stride: int = 1,
                 padding: str | int = "valid") -> tuple[np.ndarray, np.ndarray]:
    """Gradients of a loss J through Z = conv2d(V, K): returns (∂J/∂V, ∂J/∂K) given G = ∂J/∂Z (eqs. 9.11–9.14).

    ∂J/∂K[i, l, m, p] = Σ_{n, j, k} G[n, i, j, k] V[n, l, j·s + m, k·s + p]   (a correlation of V with G);
    ∂J/∂V[n, l, a, b] = Σ over every (i, m, p, j, k) with j·s + m = a, k·s + p = b of K[i, l, m, p] G[n, i, j, k]
    (a transposed convolution: each output gradient is spread back over the pixels its window saw).
    """
    x4, k4, single = _as_batch(x, kernel)
    C_out, C_in, kh, kw = k4.shape
    win = _windows(x4, kh, kw, stride, padding, "zero")            # N, C_in, Ho, Wo, kh, kw
    G = _as_grad_out(grad_out, (x4.shape[0], C_out, *win.shape[2:4]), single, np.ndim(x) == 3)
    grad_k = np.einsum("nijk,nljkmp->ilmp", G, win, optimize=True)
    grad_xp = np.zeros(pad2d(x4, kh, kw, padding).shape)
    Ho, Wo = win.shape[2:4]
    for m in range(kh):
        for p in range(kw):
            grad_xp[:, :, m:m + stride * Ho:stride, p:p + stride * Wo:stride] += np.einsum(
                "nijk,il->nljk", G, k4[:, :, m, p])
    (top, _), (left, _) = pad_amounts(kh, padding), pad_amounts(kw, padding)
    grad_x = grad_xp[:, :, top:top + x4.shape[2], left:left + x4.shape[3]]
    if single:
        return grad_x[0, 0], grad_k[0, 0]
    return grad_x.reshape(np.shape(x)), grad_k


def _as_grad_out(grad_out: Any, shape: tuple[int, ...], single: bool, unbatched: bool) -> np.ndarray:
    """∂J/∂Z as (N, C_out, H_out, W_out); also accepted without the axes that a 2-D or 3-D input drops."""
    G = as_array(grad_out, "grad_out")
    allowed = [shape] + ([shape[2:]] if single else []) + ([shape[1:]] if unbatched else [])
    if G.shape not in allowed:
        raise ValueError(f"grad_out must have the output's shape, one of {allowed}; got {G.shape}")
    return G.reshape(shape)


# -- unshared and tiled convolution (§9.5, eqs. 9.9–9.10) ----------------------------------------------

def locally_connected(x: Any, weights: Any, stride: int = 1) -> np.ndarray:
    """Unshared convolution (eq. 9.9): every output position (j, k) has its own kernel bank.

    ``weights`` has shape (C_out, H_out, W_out, C_in, kh, kw); Z[n, i, j, k] = Σ_{l,m,p} V[n, l, j·s+m, k·s+p]
    W[i, j, k, l, m, p]. The connectivity is that of a convolution; only the parameter sharing is gone.
    """
    x = as_array(x, "input", ndim=(3, 4))
    x4 = x[None] if x.ndim == 3 else x
    weights = as_array(weights, "weights", ndim=6)
    C_out, Ho, Wo, C_in, kh, kw = weights.shape
    win = _windows(x4, kh, kw, check_int(stride, "stride", low=1), "valid", "zero")
    if win.shape[1:4] != (C_in, Ho, Wo):
        raise ValueError(f"weights expect (C_in, H_out, W_out) = {(C_in, Ho, Wo)}; the input gives {win.shape[1:4]}")
    Z = np.einsum("nljkmp,ijklmp->nijk", win, weights, optimize=True)
    return Z[0] if x.ndim == 3 else Z


def tiled_conv2d(x: Any, kernels: Any, stride: int = 1) -> np.ndarray:
    """Tiled convolution (eq. 9.10): a t × t tile of kernel banks, output (j, k) using bank (j mod t, k mod t).

    ``kernels`` has shape (C_out, C_in, kh, kw, t, t). With t = 1 this is ``conv2d``; with t equal to the output
    size it is ``locally_connected``. Written by building the unshared weights it implies.
    """
    kernels = as_array(kernels, "kernels", ndim=6)
    x = as_array(x, "input", ndim=(3, 4))
    C_out, C_in, kh, kw, t, t2 = kernels.shape
    if t != t2:
        raise ValueError(f"the tile must be square (t × t); got {t} × {t2}")
    Ho = conv_output_size(x.shape[-2], kh, stride)
    Wo = conv_output_size(x.shape[-1], kw, stride)
    j, k = np.arange(Ho)[:, None] % t, np.arange(Wo)[None, :] % t
    weights = kernels[..., j, k].transpose(0, 4, 5, 1, 2, 3)       # C_out, Ho, Wo, C_in, kh, kw
    return locally_connected(x, weights, stride)


def parameter_count(kind: str, c_in: int, c_out: int, k: int, out_size: int, t: int = 1, in_size: int | None = None) -> int:
    """Weights of a layer from a (c_in, in, in) image to (c_out, out, out) with k × k windows (§9.5, fig. 9.16).

    ``"dense"``: every output to every input; ``"local"``: one k × k × c_in kernel per output unit; ``"tiled"``:
    t² kernel banks; ``"conv"``: one bank shared by every position.
    """
    c_in, c_out, k = check_int(c_in, "c_in", low=1), check_int(c_out, "c_out", low=1), check_int(k, "k", low=1)
    out_size, t = check_int(out_size, "out_size", low=1), check_int(t, "t", low=1)
    banks = {"conv": 1, "tiled": t * t, "local": out_size * out_size}
    if kind == "dense":
        if in_size is None:
            raise ValueError("a dense layer's count needs in_size")
        return c_out * out_size ** 2 * c_in * check_int(in_size, "in_size", low=1) ** 2
    if kind not in banks:
        raise ValueError(f"kind must be 'dense', 'local', 'tiled' or 'conv'; got {kind!r}")
    return banks[kind] * c_out * c_in * k * k


# -- efficient algorithms (§9.8) -----------------------------------------------------------------------

def fft_conv2d(image: Any, kernel: Any) -> np.ndarray:
    """Full 2-D convolution (eq. 9.4) through the Fourier domain: pad both to the full size, multiply, invert.

    The convolution theorem turns the sum over kernel positions into an element-wise product of spectra,
    so the cost is O(HW log HW) whatever the kernel size.
    """
    image, kernel = as_array(image, "image", ndim=2), as_array(kernel, "kernel", ndim=2)
    shape = (image.shape[0] + kernel.shape[0] - 1, image.shape[1] + kernel.shape[1] - 1)
    spectrum = np.fft.rfft2(image, shape) * np.fft.rfft2(kernel, shape)
    return np.fft.irfft2(spectrum, shape)


def separable_factors(kernel: Any, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray] | None:
    """Column and row vectors (u, v) with kernel = u vᵀ, or None if the kernel has rank above one (§9.8)."""
    kernel = as_array(kernel, "kernel", ndim=2)
    U, s, Vt = np.linalg.svd(kernel)
    if s.size > 1 and s[1] > tol * max(s[0], 1e-300):
        return None
    return U[:, 0] * np.sqrt(s[0]), Vt[0] * np.sqrt(s[0])


def conv_cost(in_shape: tuple[int, int], kernel_shape: tuple[int, int]) -> dict[str, int]:
    """Multiplications, additions and stored weights of a valid 2-D convolution, counted per output (§9.8).

    Each output needs one multiplication per kernel entry and one fewer addition.
    """
    H, W = (check_int(n, "input size", low=1) for n in in_shape)
    kh, kw = (check_int(n, "kernel size", low=1) for n in kernel_shape)
    outputs = conv_output_size(H, kh) * conv_output_size(W, kw)
    return {"outputs": outputs, "mult": outputs * kh * kw, "add": outputs * (kh * kw - 1), "weights": kh * kw}


def separable_cost(in_shape: tuple[int, int], kh: int, kw: int) -> dict[str, int]:
    """Cost of a separable kh × kw convolution done as a (1 × kw) pass followed by a (kh × 1) pass."""
    rows = conv_cost(in_shape, (1, kw))
    mid = (in_shape[0], conv_output_size(in_shape[1], check_int(kw, "kw", low=1)))
    cols = conv_cost(mid, (kh, 1))
    return {key: rows[key] + cols[key] for key in ("mult", "add", "weights")} | {"outputs": cols["outputs"]}


def separable_conv2d(image: Any, u: Any, v: Any) -> np.ndarray:
    """Valid cross-correlation with the rank-one kernel u vᵀ as two 1-D passes: rows with v, then columns with u."""
    u, v = as_array(u, "u", ndim=1), as_array(v, "v", ndim=1)
    return conv2d(conv2d(image, v[None, :]), u[:, None])


def circular_shift(x: Any, dy: int, dx: int) -> np.ndarray:
    """Translate an image (last two axes) by (dy, dx) pixels, wrapping around: the shift of §9.2's equivariance."""
    return np.roll(as_array(x, "image", ndim=(2, 3, 4)), (int(dy), int(dx)), axis=(-2, -1))
