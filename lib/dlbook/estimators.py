"""Point estimators and their bias, variance, standard error and confidence intervals (Deep Learning book, §5.4).

An estimator is any function of the data, ``θ̂_m = g(x⁽¹⁾, …, x⁽ᵐ⁾)`` (eq. 5.19). Its
quality is judged over many data sets drawn from the same distribution: its bias
``E[θ̂] − θ`` (eq. 5.20), its variance ``Var[θ̂]`` (eq. 5.45) and their combination, the
mean squared error ``Bias² + Var`` (eq. 5.54). The simulation helpers draw those many
data sets, so that the closed forms of the section can be checked by counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable

import numpy as np

from dlbook.checks import as_array, check_int, check_positive


def _check_samples(x: np.ndarray, min_size: int = 1) -> np.ndarray:
    x = as_array(x, "x", ndim=(1, 2))
    if x.shape[-1] < min_size:
        raise ValueError(f"x must hold at least {min_size} samples along its last axis; got shape {x.shape}")
    return x


def sample_mean(x: np.ndarray) -> np.ndarray | float:
    """``μ̂_m = (1/m) Σᵢ x⁽ⁱ⁾`` along the last axis (eq. 5.30); a 2-D input gives one mean per row (data set)."""
    x = _check_samples(x)
    out = x.mean(axis=-1)
    return float(out) if out.ndim == 0 else out


def sample_variance(x: np.ndarray, *, unbiased: bool = False) -> np.ndarray | float:
    """The sample variance along the last axis (eq. 5.36 and 5.40).

    ``unbiased=False`` divides the summed squared deviations by ``m``: this is the maximum
    likelihood estimator of a Gaussian's variance, and it is biased, ``E[σ̂²] = (m−1)σ²/m``.
    ``unbiased=True`` divides by ``m − 1`` and removes the bias.
    """
    x = _check_samples(x, min_size=2 if unbiased else 1)
    m = x.shape[-1]
    dev2 = np.sum((x - x.mean(axis=-1, keepdims=True)) ** 2, axis=-1)
    out = dev2 / (m - 1 if unbiased else m)
    return float(out) if out.ndim == 0 else out


def expected_sample_variance(variance: float, m: int, *, unbiased: bool = False) -> float:
    """``E[σ̂²]`` for ``m`` i.i.d. samples of variance ``σ²``: ``(m−1)σ²/m``, or ``σ²`` if unbiased (§5.4.2)."""
    s2 = check_positive(variance, "variance", allow_zero=True)
    m = check_int(m, "m", low=2)
    return s2 if unbiased else (m - 1) * s2 / m


def sample_variance_std(variance: float, m: int, *, unbiased: bool = False) -> float:
    """Standard deviation of the sample variance of ``m`` Gaussian samples (its standard error, §5.4.3).

    ``(m−1)σ̃²/σ²`` follows a χ² law with ``m−1`` degrees of freedom, whose variance is
    ``2(m−1)``; so ``Var[σ̃²] = 2σ⁴/(m−1)`` and ``Var[σ̂²] = 2(m−1)σ⁴/m²``.
    """
    s2 = check_positive(variance, "variance", allow_zero=True)
    m = check_int(m, "m", low=2)
    divisor = m - 1 if unbiased else m
    return float(np.sqrt(2.0 * (m - 1)) * s2 / divisor)


def standard_error_of_mean(x: np.ndarray) -> np.ndarray | float:
    """``SE(μ̂_m) = σ/√m`` (eq. 5.46), with σ estimated by the square root of the unbiased sample variance."""
    x = _check_samples(x, min_size=2)
    m = x.shape[-1]
    return np.sqrt(sample_variance(x, unbiased=True)) / np.sqrt(m)


def normal_quantile(level: float) -> float:
    """The ``z`` with ``P(−z < Z < z) = level`` for a standard normal ``Z`` (1.96 for 95%, eq. 5.47)."""
    level = check_positive(level, "level")
    if level >= 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


def mean_confidence_interval(x: np.ndarray, level: float = 0.95) -> tuple[np.ndarray | float, np.ndarray | float]:
    """The normal-approximation interval ``μ̂_m ± z·SE(μ̂_m)`` (eq. 5.47; z = 1.96 for 95%)."""
    z = normal_quantile(level)
    mu, se = sample_mean(x), standard_error_of_mean(x)
    return mu - z * se, mu + z * se


def bernoulli_mean_variance(theta: float, m: int) -> float:
    """``Var[θ̂_m] = θ(1−θ)/m`` for the mean of ``m`` Bernoulli(θ) samples (eq. 5.48–5.52)."""
    theta = float(theta)
    if not 0.0 <= theta <= 1.0:  # also rejects NaN
        raise ValueError(f"theta must be a probability in [0, 1]; got {theta}")
    m = check_int(m, "m", low=1)
    return theta * (1 - theta) / m


@dataclass(frozen=True)
class EstimatorReport:
    """Bias, variance and mean squared error of an estimator, measured over simulated data sets."""

    bias: float
    variance: float
    mse: float

    @property
    def std(self) -> float:
        """The standard deviation (standard error) of the estimates, ``√Var``."""
        return float(np.sqrt(self.variance))


def bias_variance(estimates: np.ndarray, true_value: float) -> EstimatorReport:
    """Empirical bias ``mean(θ̂) − θ``, variance and MSE ``mean((θ̂ − θ)²)`` of simulated estimates (eq. 5.20, 5.54).

    The variance divides by the number of estimates (not one fewer), so that the
    identity ``MSE = Bias² + Var`` holds exactly for the simulated values too.
    """
    est = as_array(estimates, "estimates", ndim=1, min_size=2)
    theta = float(true_value)
    if not np.isfinite(theta):
        raise ValueError(f"true_value must be finite; got {true_value!r}")
    return EstimatorReport(bias=float(est.mean() - theta), variance=float(est.var()),
                           mse=float(np.mean((est - theta) ** 2)))


def simulate_estimates(estimator: Callable[[np.ndarray], np.ndarray], draw: Callable[..., np.ndarray],
                       m: int, n_datasets: int, seed: int = 0) -> np.ndarray:
    """Apply ``estimator`` to ``n_datasets`` independent data sets of ``m`` samples each (§5.4).

    ``draw(rng, size)`` samples the data-generating distribution (e.g.
    ``lambda rng, size: rng.normal(0, 1, size)``); it is called once with
    ``size=(n_datasets, m)``. ``estimator`` maps that array to one estimate per row.
    """
    m = check_int(m, "m", low=1)
    n_datasets = check_int(n_datasets, "n_datasets", low=1)
    rng = np.random.default_rng(seed)
    data = np.asarray(draw(rng, (n_datasets, m)), dtype=float)
    if data.shape != (n_datasets, m):
        raise ValueError(f"draw must return an array of shape {(n_datasets, m)}; got {data.shape}")
    est = np.asarray(estimator(data), dtype=float)
    if est.shape != (n_datasets,):
        raise ValueError(f"estimator must return one estimate per data set, shape {(n_datasets,)}; got {est.shape}")
    return est
