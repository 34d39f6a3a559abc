"""Output layers for large vocabularies: the hierarchical softmax (Deep Learning book, §12.4.3.2, fig. 12.4).

A full softmax over ``|V|`` words costs ``O(|V|)`` per prediction. The hierarchical softmax puts the words at the
leaves of a balanced binary tree; each internal node holds a logistic unit that decides "left or right", and a
word's probability is the product of the decisions on its root-to-leaf path. Balanced splitting uses
``⌈log₂|V|⌉`` decisions at most, and the leaf probabilities sum to one exactly, because at every node the two
branch probabilities ``σ(a)`` and ``σ(−a) = 1 − σ(a)`` sum to one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int
from dlbook.prob import softplus

__all__ = ["hierarchical_softmax", "hierarchical_softmax_logits", "tree_paths"]


def tree_paths(n_words: int) -> list[list[tuple[int, int]]]:
    """For each word, its path as ``(internal node, direction)`` pairs, direction 1 for left and 0 for right.

    The tree splits the word range in halves recursively, so it has ``n_words − 1`` internal nodes (numbered in
    the order they are created, root 0) and depth ``⌈log₂ n_words⌉``.
    """
    n_words = check_int(n_words, "n_words", low=2)
    paths: list[list[tuple[int, int]]] = [[] for _ in range(n_words)]
    counter = [0]

    def split(lo: int, hi: int) -> None:
        if hi - lo < 2:
            return
        node, counter[0] = counter[0], counter[0] + 1
        mid = (lo + hi + 1) // 2
        for w in range(lo, hi):
            paths[w].append((node, 1 if w < mid else 0))
        split(lo, mid)
        split(mid, hi)

    split(0, n_words)
    return paths


def hierarchical_softmax(node_logits: Any) -> np.ndarray:
    """Leaf probabilities ``P(w) = Πₙ σ(±aₙ)`` over the path of each word, from the ``|V| − 1`` node logits.

    Computed in log space (``log σ(a) = −softplus(−a)``), so it stays finite for any finite logits.
    """
    a = as_array(node_logits, "node_logits", ndim=1)
    paths = tree_paths(a.size + 1)
    log_p = np.array([sum(-softplus(-a[n]) if d else -softplus(a[n]) for n, d in path) for path in paths])
    return np.exp(log_p)


def hierarchical_softmax_logits(h: Any, node_weights: Any, node_bias: Any) -> np.ndarray:
    """Node logits ``aₙ = uₙᵀh + bₙ`` of a model with hidden state ``h``: one row of ``node_weights`` per node."""
    h = as_array(h, "h", ndim=1)
    U = as_array(node_weights, "node_weights", ndim=2)
    b = as_array(node_bias, "node_bias", ndim=1)
    if U.shape[1] != h.size or U.shape[0] != b.size:
        raise ValueError(f"node_weights must be (nodes, {h.size}) and node_bias (nodes,); got {U.shape}, {b.shape}")
    return U @ h + b
