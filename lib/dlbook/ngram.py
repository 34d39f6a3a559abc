"""n-gram language models with add-α smoothing (Deep Learning book, §12.4.1, eqs. 12.5–12.7).

An n-gram model predicts each token from the ``n − 1`` before it, with probabilities that are ratios of counts.
Unseen n-grams would get probability zero (and the test text infinite perplexity), so **add-α smoothing** adds
``α`` to every count: ``P(w | h) = (C(h, w) + α) / (C(h) + α|V|)``.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from dlbook.checks import check_int, check_positive

__all__ = ["NGramModel", "fit_ngram"]

BOS = "\x02"    # padding symbol before the first token


class NGramModel:
    """Counts of n-grams and of their (n−1)-token contexts over a fixed vocabulary."""

    def __init__(self, n: int, vocab: Sequence[str], counts: Counter, context_counts: Counter, alpha: float) -> None:
        self.n, self.vocab, self.counts, self.context_counts = n, list(vocab), counts, context_counts
        self.alpha = check_positive(alpha, "alpha", allow_zero=True)
        self.index = {w: i for i, w in enumerate(self.vocab)}

    def prob(self, context: Sequence[str], token: str) -> float:
        """``P(token | last n−1 tokens of context) = (C(h, w) + α) / (C(h) + α|V|)`` (eq. 12.7 with smoothing)."""
        if token not in self.index:
            raise ValueError(f"token {token!r} is not in the model's vocabulary")
        h = self._history(context)
        den = self.context_counts[h] + self.alpha * len(self.vocab)
        if den == 0:        # unseen context with alpha = 0: fall back to uniform
            return 1.0 / len(self.vocab)
        return (self.counts[h + (token,)] + self.alpha) / den

    def distribution(self, context: Sequence[str]) -> np.ndarray:
        """The next-token distribution over the vocabulary, in vocabulary order."""
        h = self._history(context)
        den = self.context_counts[h] + self.alpha * len(self.vocab)
        if den == 0:        # unseen context with alpha = 0: fall back to uniform, as in ``prob``
            return np.full(len(self.vocab), 1.0 / len(self.vocab))
        return (np.array([self.counts[h + (w,)] for w in self.vocab], dtype=float) + self.alpha) / den

    def _history(self, context: Sequence[str]) -> tuple[str, ...]:
        padded = [BOS] * (self.n - 1) + list(context)
        return tuple(padded[len(padded) - (self.n - 1):]) if self.n > 1 else ()

    def log_likelihood(self, tokens: Sequence[str]) -> float:
        """``Σₜ log P(xₜ | xₜ₋ₙ₊₁ … xₜ₋₁)`` (eq. 12.5), in nats; ``-inf`` if a token gets probability zero."""
        total = 0.0
        for t, w in enumerate(tokens):
            p = self.prob(tokens[max(0, t - self.n + 1):t], w)
            if p == 0:
                return float("-inf")
            total += np.log(p)
        return total

    def perplexity(self, tokens: Sequence[str]) -> float:
        """``exp(−(1/T) Σ log P)``: the effective number of equally likely choices per token."""
        if len(tokens) == 0:
            raise ValueError("perplexity needs at least one token")
        return float(np.exp(-self.log_likelihood(tokens) / len(tokens)))

    def sample(self, length: int, rng: np.random.Generator, context: Sequence[str] = ()) -> list[str]:
        """Draw ``length`` tokens one at a time from the model, ancestral sampling along the chain rule (eq. 12.5)."""
        out = list(context)
        for _ in range(check_int(length, "length", low=0)):
            p = self.distribution(out)
            out.append(self.vocab[int(rng.choice(len(self.vocab), p=p / p.sum()))])
        return out[len(context):]


def fit_ngram(tokens: Sequence[str], n: int, alpha: float = 1.0, vocab: Sequence[str] | None = None) -> NGramModel:
    """Count every n-gram of ``tokens`` (the start padded with n−1 ``BOS`` symbols) (§12.4.1)."""
    n = check_int(n, "n", low=1)
    if len(tokens) == 0:
        raise ValueError("fit_ngram needs at least one token")
    vocab = sorted(set(tokens)) if vocab is None else list(vocab)
    missing = set(tokens) - set(vocab)
    if missing:
        raise ValueError(f"tokens not in vocab: {sorted(missing)[:5]}")
    padded = [BOS] * (n - 1) + list(tokens)
    grams = [tuple(padded[i:i + n]) for i in range(len(tokens))]
    counts = Counter(grams)
    context_counts = Counter(g[:-1] for g in grams)
    return NGramModel(n, vocab, counts, context_counts, alpha)

