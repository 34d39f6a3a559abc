"""The binned mutual-information estimate behind the "information plane" (Shwartz-Ziv & Tishby, 2017; §3.13).

For a deterministic layer ``T = f(X)`` and ``X`` uniform over distinct inputs, I(X; binned T) equals the entropy
of the binned codes, so the estimate counts how many inputs the bins can tell apart. It depends on the number of
bins and on how the activations fill them, which is the crux of Saxe et al. (2018)'s critique.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int

__all__ = ["binned_information"]


def binned_information(T: Any, bins: int, low: float = -1.0, high: float = 1.0) -> float:
    """H(binned T) in bits: each unit's value in [low, high] is cut into ``bins`` equal bins, each row is one code.

    ``T`` is (examples, units), e.g. tanh activations (``low=-1, high=1``); values outside the range fall into the
    end bins. For a deterministic layer this is I(X; binned T) with X uniform over the rows' inputs.
    """
    T = as_array(T, "T", ndim=2)
    bins = check_int(bins, "bins", low=1)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high; got low={low}, high={high}")
    codes = np.floor((T - low) / (high - low) * bins).clip(0, bins - 1).astype(np.int64)
    _, counts = np.unique(codes, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())
