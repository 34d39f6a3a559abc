"""Pooling (§9.3): summarising a neighbourhood of a feature map by its maximum, mean or L² norm.

NumPy only (the demos use it in the browser). Inputs are (H, W) maps or any stack (..., H, W) of them; the
windows are ``size × size`` and move by ``stride`` (default: ``size``, non-overlapping), with no padding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlbook.checks import as_array, check_int

POOLS = ("max", "avg", "l2")


def pool2d(x: Any, size: int, stride: int | None = None, kind: str = "max") -> np.ndarray:
    """Pool every ``size × size`` window of the last two axes, moving by ``stride`` (§9.3, fig. 9.10).

    ``"max"`` is max pooling, ``"avg"`` the mean, ``"l2"`` the L² norm √(Σ x²) of the window. The output width
    is ⌊(W − size)/stride⌋ + 1, as in ``torch.nn.functional.max_pool2d`` without padding.
    """
    x = as_array(x, "x", ndim=(2, 3, 4))
    size = check_int(size, "size", low=1)
    stride = size if stride is None else check_int(stride, "stride", low=1)
    if kind not in POOLS:
        raise ValueError(f"kind must be one of {POOLS}; got {kind!r}")
    if size > min(x.shape[-2:]):
        raise ValueError(f"pool size {size} is larger than the map {x.shape[-2:]}")
    windows = sliding_window_view(x, (size, size), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    return _reduce(windows.reshape(windows.shape[:-2] + (size * size,)), kind)


def pool1d(x: Any, size: int, stride: int = 1, kind: str = "max") -> np.ndarray:
    """Pool a 1-D signal (or the last axis of a stack) over windows of ``size``: fig. 9.8's detector → pooling."""
    x = as_array(x, "x", ndim=(1, 2))
    return _pool_last_axis(x, check_int(size, "size", low=1), check_int(stride, "stride", low=1), kind)


def _pool_last_axis(x: np.ndarray, size: int, stride: int, kind: str) -> np.ndarray:
    if kind not in POOLS:
        raise ValueError(f"kind must be one of {POOLS}; got {kind!r}")
    if size > x.shape[-1]:
        raise ValueError(f"pool size {size} is longer than the signal ({x.shape[-1]})")
    return _reduce(sliding_window_view(x, size, axis=-1)[..., ::stride, :], kind)


def _reduce(w: np.ndarray, kind: str) -> np.ndarray:
    """Max, mean or L² norm over the last axis; the norm is scaled by the largest |entry| so x² cannot overflow."""
    if kind == "max":
        return w.max(-1)
    if kind == "avg":
        return w.mean(-1)
    scale = np.abs(w).max(-1, keepdims=True)
    safe = np.where(scale > 0, scale, 1.0)
    return (safe * np.sqrt(((w / safe) ** 2).sum(-1, keepdims=True)))[..., 0]


def adaptive_max_pool2d(x: Any, out_h: int, out_w: int) -> np.ndarray:
    """Max over an ``out_h × out_w`` grid of regions whose size scales with the input (§9.7, variable sizes).

    Region (i, j) covers rows ⌊iH/out_h⌋ … ⌈(i+1)H/out_h⌉ − 1 (likewise columns), as torch's adaptive pooling, so
    inputs of any size give an output of one fixed size.
    """
    x = as_array(x, "x", ndim=(2, 3, 4))
    H, W = x.shape[-2:]
    out_h, out_w = check_int(out_h, "out_h", low=1, high=H), check_int(out_w, "out_w", low=1, high=W)
    rows = [(i * H // out_h, -(-(i + 1) * H // out_h)) for i in range(out_h)]
    cols = [(j * W // out_w, -(-(j + 1) * W // out_w)) for j in range(out_w)]
    out = np.empty(x.shape[:-2] + (out_h, out_w))
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[..., i, j] = x[..., r0:r1, c0:c1].max(axis=(-2, -1))
    return out
