"""Parameter initialisation (§8.4): random draws that break symmetry at a sensible scale.

Weight matrices have shape ``(fan_out, fan_in)``, as in :class:`dlbook.mlp.Layer` and ``torch.nn.Linear``,
so a layer computes ``h Wᵀ + b``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

__all__ = ["glorot_bound", "glorot_uniform", "normal_init", "orthogonal_init", "orthogonalise"]


def glorot_bound(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """The half-width ``gain · √(6 / (m + n))`` of Glorot's normalised initialisation (§8.4, eq. 8.23)."""
    m, n = check_int(fan_in, "fan_in", low=1), check_int(fan_out, "fan_out", low=1)
    return check_positive(gain, "gain") * np.sqrt(6.0 / (m + n))


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """``W ~ U(−a, a)`` with ``a = gain · √(6 / (m + n))`` (§8.4, eq. 8.23; Glorot and Bengio, 2010).

    Its variance ``a²/3 = 2 / (m + n)`` compromises between keeping the forward activations'
    variance (which wants ``1/m``) and the backward gradients' variance (which wants ``1/n``).
    """
    a = glorot_bound(fan_in, fan_out, gain)
    return rng.uniform(-a, a, (fan_out, fan_in))


def normal_init(fan_in: int, fan_out: int, rng: np.random.Generator, std: float = 1.0) -> np.ndarray:
    """``W ~ N(0, std²)`` entry by entry, whatever the layer's width (the naive choice of §8.4)."""
    m, n = check_int(fan_in, "fan_in", low=1), check_int(fan_out, "fan_out", low=1)
    return check_positive(std, "std") * rng.standard_normal((n, m))


def orthogonalise(A: Any) -> np.ndarray:
    """The orthogonal factor Q of ``A = QR``, with the signs fixed so that ``diag(R) > 0``.

    With that sign convention Q is unique, and for Gaussian A it is uniformly (Haar) distributed
    among matrices with orthonormal columns (or rows, if A is wide).
    """
    A = as_array(A, "A", ndim=2)
    wide = A.shape[0] < A.shape[1]
    Q, R = np.linalg.qr(A.T if wide else A)
    Q = Q * np.sign(np.diag(R))
    return Q.T if wide else Q


def orthogonal_init(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """A random (semi-)orthogonal weight matrix times ``gain`` (§8.4; Saxe et al., 2013).

    Every singular value equals ``gain``, so a deep *linear* network with these weights
    preserves the norm of every input (gain 1) no matter how deep it is.
    """
    m, n = check_int(fan_in, "fan_in", low=1), check_int(fan_out, "fan_out", low=1)
    return check_positive(gain, "gain") * orthogonalise(rng.standard_normal((n, m)))
