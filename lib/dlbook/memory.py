"""External memory read and written by soft attention: the neural Turing machine's heads (§10.12; Graves et al.,
2014, §3).

A memory is an ``N × M`` matrix: ``N`` rows (locations) of width ``M``. A head never picks one row; it holds a
*weighting* ``w`` (non-negative, summing to one over the rows) and reads or writes every row in proportion to it,
so every step is differentiable. A head's weighting is built in four stages, each a function here:

1. :func:`content_weighting`: a softmax of ``β`` times the cosine similarity between a key and each row;
2. :func:`interpolate`: blend that with the head's previous weighting through a gate ``g``;
3. :func:`circular_shift`: rotate the blend by a distribution over shifts (:func:`shift_distribution`);
4. :func:`sharpen`: raise to the power ``γ ≥ 1`` and renormalise, undoing the blur a fractional shift adds.

NumPy only, so the chapter's demo runs in the browser; ``tests/test_memory.py`` checks each stage against torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_positive
from dlbook.prob import softmax


def _weighting(w: Any, name: str, n: int | None = None) -> np.ndarray:
    """Check that ``w`` is a weighting over rows: 1-D, non-negative, summing to one (of length ``n`` if given)."""
    w = as_array(w, name, ndim=1)
    if n is not None and w.shape[0] != n:
        raise ValueError(f"{name} must have one entry per memory row ({n}); got {w.shape[0]}")
    if np.any(w < 0) or abs(w.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must be non-negative and sum to 1; got sum {w.sum():.6g}, min {w.min():.3g}")
    return w


def _memory(memory: Any) -> np.ndarray:
    return as_array(memory, "memory", ndim=2)


def cosine_similarity(key: Any, memory: Any, eps: float = 1e-8) -> np.ndarray:
    """K[k, M(i)] = k·M(i) / (‖k‖ ‖M(i)‖) for every row i (Graves et al., eq. 6); ``eps`` guards zero rows."""
    memory = _memory(memory)
    key = as_array(key, "key", ndim=1)
    if key.shape[0] != memory.shape[1]:
        raise ValueError(f"key must have the memory's row width {memory.shape[1]}; got {key.shape[0]}")
    norms = np.maximum(np.linalg.norm(memory, axis=1) * np.linalg.norm(key), eps)
    return memory @ key / norms


def content_weighting(key: Any, memory: Any, beta: float) -> np.ndarray:
    """w^c(i) = exp(β K[k, M(i)]) / Σⱼ exp(β K[k, M(j)]) (Graves et al., eq. 5): focus on rows like the key.

    ``β ≥ 0`` is the key strength: 0 spreads the weighting evenly, a large β concentrates it on the best match.
    """
    beta = check_positive(beta, "beta", allow_zero=True)
    return softmax(beta * cosine_similarity(key, memory))


def interpolate(w_content: Any, w_previous: Any, g: float) -> np.ndarray:
    """w^g = g w^c + (1 − g) w_{t−1} (Graves et al., eq. 7): g = 1 uses content, g = 0 keeps the old focus."""
    g = float(g)
    if not 0.0 <= g <= 1.0:
        raise ValueError(f"g must be in [0, 1]; got {g}")
    w_content = _weighting(w_content, "w_content")
    return g * w_content + (1.0 - g) * _weighting(w_previous, "w_previous", w_content.shape[0])


def shift_distribution(shift: float, n: int) -> np.ndarray:
    """A distribution s over the ``n`` rotations that moves a weighting by ``shift`` rows, fractional shifts
    split between the two neighbouring integers: shift 6.7 gives s(6) = 0.3 and s(7) = 0.7. Negative shifts
    wrap around (a shift of −1 is a rotation by n − 1)."""
    shift = float(shift)
    if not np.isfinite(shift):
        raise ValueError(f"shift must be a finite number; got {shift}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    low = int(np.floor(shift))
    frac = shift - low
    s = np.zeros(int(n))
    s[low % n] += 1.0 - frac
    s[(low + 1) % n] += frac
    return s


def circular_shift(w: Any, s: Any) -> np.ndarray:
    """w̃(i) = Σⱼ w(j) s(i − j mod N) (Graves et al., eq. 8): the circular convolution of w with s."""
    w = _weighting(w, "w")
    s = _weighting(s, "s", w.shape[0])
    n = w.shape[0]
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return s[(i - j) % n] @ w


def sharpen(w: Any, gamma: float) -> np.ndarray:
    """w(i) = w̃(i)^γ / Σⱼ w̃(j)^γ (Graves et al., eq. 9), γ ≥ 1; computed in logs so large γ cannot underflow."""
    w = _weighting(w, "w")
    gamma = float(gamma)
    if not (np.isfinite(gamma) and gamma >= 1.0):
        raise ValueError(f"gamma must be a finite number >= 1; got {gamma}")
    with np.errstate(divide="ignore"):
        logw = gamma * np.log(w)
    return softmax(logw)


def address(key: Any, memory: Any, beta: float, g: float, shift: float, gamma: float,
            w_previous: Any) -> dict[str, np.ndarray]:
    """The whole addressing pipeline of one head (Graves et al., fig. 2), every stage returned by name."""
    memory = _memory(memory)
    w_c = content_weighting(key, memory, beta)
    w_g = interpolate(w_c, w_previous, g)
    w_shifted = circular_shift(w_g, shift_distribution(shift, memory.shape[0]))
    return {"content": w_c, "gated": w_g, "shifted": w_shifted, "final": sharpen(w_shifted, gamma)}


def read(memory: Any, w: Any) -> np.ndarray:
    """r = Σᵢ w(i) M(i) (Graves et al., eq. 2): a convex combination of the rows."""
    memory = _memory(memory)
    return _weighting(w, "w", memory.shape[0]) @ memory


def write(memory: Any, w: Any, erase: Any, add: Any) -> np.ndarray:
    """Erase, then add (Graves et al., eqs. 3–4): M̃(i) = M(i) ∘ (1 − w(i) e), then M(i) = M̃(i) + w(i) a.

    ``erase`` has entries in [0, 1]; a row with w(i) = 1 and e = 1 is wiped and replaced by ``a``.
    """
    memory = _memory(memory)
    w = _weighting(w, "w", memory.shape[0])
    erase = as_array(erase, "erase", ndim=1)
    add = as_array(add, "add", ndim=1)
    if erase.shape[0] != memory.shape[1] or add.shape[0] != memory.shape[1]:
        raise ValueError(f"erase and add must have the memory's row width {memory.shape[1]}; "
                         f"got {erase.shape[0]} and {add.shape[0]}")
    if np.any(erase < 0) or np.any(erase > 1):
        raise ValueError("erase must have entries in [0, 1]")
    return memory * (1.0 - np.outer(w, erase)) + np.outer(w, add)


def copy_by_hand(sequence: Any, rows: int) -> dict[str, np.ndarray]:
    """Run the copy algorithm through the heads above, with head settings chosen by hand, not learned.

    While reading the input, the write head moves one row per step (g = 0, shift 1) and overwrites that row
    with the input vector (e = 1, a = x). Then the read head starts at row 0 and moves one row per step,
    reading the sequence back. Returns the read vectors, both heads' weightings at every step and the
    memory after the input phase. It shows that the differentiable operations can express copying, which a
    trained controller must discover (Graves et al., §4.1).
    """
    sequence = as_array(sequence, "sequence", ndim=2)
    length, width = sequence.shape
    if rows < length:
        raise ValueError(f"rows must be at least the sequence length {length}; got {rows}")
    memory = np.full((rows, width), 1e-6)
    start = np.zeros(rows)
    start[-1] = 1.0  # one row before row 0, so the first shift lands on row 0
    w = start
    writes, reads, outputs = [], [], []
    ones = np.ones(width)
    for x in sequence:
        w = address(ones, memory, beta=0.0, g=0.0, shift=1.0, gamma=1.0, w_previous=w)["final"]
        memory = write(memory, w, erase=ones, add=x)
        writes.append(w)
    stored = memory.copy()
    w = start
    for _ in range(length):
        w = address(ones, memory, beta=0.0, g=0.0, shift=1.0, gamma=1.0, w_previous=w)["final"]
        outputs.append(read(memory, w))
        reads.append(w)
    return {"outputs": np.array(outputs), "write_weights": np.array(writes), "read_weights": np.array(reads),
            "memory": stored}
