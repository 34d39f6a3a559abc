"""Input checks shared by the whole library.

Every public function validates its arguments with these helpers, so a wrong
input fails early with a ``ValueError`` that names the argument, says what was
wrong and what was expected (developers' guide, principle 6).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(
    x: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    min_size: int = 1,
) -> np.ndarray:
    """Return ``x`` as a float64 array after checking its rank and values.

    Raises ``ValueError`` if ``x`` is not numeric, has the wrong number of
    dimensions, has fewer than ``min_size`` elements, or (with ``finite``)
    contains NaN or infinity.
    """
    try:
        is_complex = np.iscomplexobj(x)
    except (TypeError, ValueError):  # ragged or non-numeric input: reported below
        is_complex = False
    if is_complex:
        raise ValueError(f"{name} must be real; got complex values")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"{name} must be numeric (an array of real numbers); got {type(x).__name__}") from err
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got an array of shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s); got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers; found NaN or inf")
    return arr


def check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, raising ``ValueError`` unless it is finite and > 0 (or >= 0)."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"{name} must be a real number; got {value!r}") from err
    ok = v >= 0 if allow_zero else v > 0
    if not np.isfinite(v) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}")
    return v


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int, raising ``ValueError`` unless it is an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{name} must be in [{low}, {high}]; got {v}")
    return v


def class_labels(labels: Any, n_classes: int, *, shape: int | tuple[int, ...], name: str = "labels") -> np.ndarray:
    """Return ``labels`` as an integer array of the given shape with values in [0, n_classes).

    Raises ``ValueError`` naming the argument unless every entry is an integer class index of the right shape.
    """
    y = np.asarray(labels)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if y.shape != shape:
        kind = "a 1-D array" if len(shape) == 1 else f"an array of shape {shape}"
        raise ValueError(f"{name} must be {kind} of {shape[0]} class indices; got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= n_classes)):
        raise ValueError(f"{name} must be integers in [0, {n_classes - 1}] (class labels); got {y.dtype} values "
                         f"from {y.min() if y.size else '-'} to {y.max() if y.size else '-'}")
    return y


def check_probabilities(p: Any, name: str, *, axis: int = -1, atol: float = 1e-6) -> np.ndarray:
    """Return ``p`` as an array of probabilities summing to one along ``axis``.

    Raises ``ValueError`` for negative entries, entries above one, non-finite
    entries, or sums that differ from one by more than ``atol``.
    """
    arr = as_array(p, name)
    if np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"{name} must contain probabilities in [0, 1]; got min {arr.min():g}, max {arr.max():g}")
    sums = arr.sum(axis=axis) if arr.ndim else arr
    if arr.ndim and not np.allclose(sums, 1.0, atol=atol, rtol=0):
        raise ValueError(f"{name} must sum to 1 along axis {axis}; got sum(s) {np.round(sums, 6)}")
    return arr


def check_square(A: Any, name: str) -> np.ndarray:
    """Return ``A`` as a float64 matrix, raising ``ValueError`` unless it is 2-D, square and finite."""
    A = as_array(A, name, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {A.shape}")
    return A


def check_unit_vector(u: Any, n: int, name: str, *, atol: float = 1e-9) -> np.ndarray:
    """Return ``u`` as a float64 vector, raising ``ValueError`` unless it has ``n`` entries and norm 1."""
    u = as_array(u, name, ndim=1)
    if u.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries; got {u.shape[0]}")
    norm = float(np.linalg.norm(u))
    if abs(norm - 1.0) > atol:
        raise ValueError(f"{name} must be a unit vector (norm 1); got norm {norm:g}")
    return u

def check_xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """A design matrix ``X`` (examples × features) and a target vector ``y`` with one entry per row of ``X``."""
    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows (examples); got {X.shape[0]} and {y.shape[0]}")
    return X, y
