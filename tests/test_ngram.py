"""dlbook.ngram against direct collections.Counter arithmetic and a brute-force normalisation check."""

from collections import Counter

import numpy as np
import pytest

from dlbook.ngram import BOS, fit_ngram

TEXT = list("the cat sat on the mat. the cat ate.")


def test_bigram_probabilities_are_count_ratios() -> None:
    m = fit_ngram(TEXT, 2, alpha=0.0)
    pairs = Counter(zip([BOS] + TEXT[:-1], TEXT))
    firsts = Counter([BOS] + TEXT[:-1])
    for (a, b), c in pairs.items():
        assert m.prob([a], b) == pytest.approx(c / firsts[a], abs=1e-12)


@pytest.mark.parametrize("n, alpha", [(1, 0.0), (2, 0.5), (3, 1.0), (4, 0.01)])
def test_distributions_sum_to_one(n: int, alpha: float) -> None:
    m = fit_ngram(TEXT, n, alpha=alpha)
    for t in range(len(TEXT)):
        assert m.distribution(TEXT[:t]).sum() == pytest.approx(1.0, abs=1e-12)


def test_add_alpha_and_perplexity() -> None:
    m = fit_ngram(TEXT, 2, alpha=1.0)
    V = len(set(TEXT))
    assert m.prob(["t"], "z" if "z" in m.index else "q" if "q" in m.index else ".") == pytest.approx(
        (Counter(zip(TEXT, TEXT[1:]))[("t", ".")] + 1) / (TEXT.count("t") + V))
    # perplexity is exp of the mean negative log-probability
    logp = sum(np.log(m.prob(TEXT[max(0, i - 1):i], w)) for i, w in enumerate(TEXT))
    assert m.perplexity(TEXT) == pytest.approx(np.exp(-logp / len(TEXT)))
    # a uniform model (unigram, alpha huge) has perplexity |V|
    assert fit_ngram(TEXT, 1, alpha=1e12).perplexity(TEXT) == pytest.approx(V, rel=1e-6)
    # unsmoothed, an unseen bigram makes the perplexity infinite
    assert fit_ngram(TEXT, 2, alpha=0.0).perplexity(list("tt")) == float("inf")


def test_samples_use_the_vocabulary_and_are_seeded() -> None:
    m = fit_ngram(TEXT, 3, alpha=0.1)
    a = m.sample(30, np.random.default_rng(0))
    assert a == m.sample(30, np.random.default_rng(0)) and set(a) <= set(TEXT)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="n must be"):
        fit_ngram(TEXT, 0)
    with pytest.raises(ValueError, match="at least one token"):
        fit_ngram([], 2)
    with pytest.raises(ValueError, match="vocabulary"):
        fit_ngram(TEXT, 2).prob(["t"], "Z")
    with pytest.raises(ValueError, match="alpha"):
        fit_ngram(TEXT, 2, alpha=-1)
