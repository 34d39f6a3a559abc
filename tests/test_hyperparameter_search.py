"""dlbook.hyperparameter_search against sklearn.model_selection.ParameterGrid and ParameterSampler, and scipy.stats."""

import numpy as np
import pytest
from scipy import stats
from sklearn.model_selection import ParameterGrid, ParameterSampler

from dlbook.hyperparameter_search import grid_points, log_uniform, random_points, search


def test_grid_matches_parameter_grid() -> None:
    space = {"lr": [1e-3, 1e-2, 1e-1], "units": [16, 64], "wd": [0.0, 1e-4]}
    assert grid_points(space) == list(ParameterGrid(space))


def test_log_uniform_has_equal_mass_per_decade() -> None:
    x = log_uniform(1e-5, 1e-1, 20_000, np.random.default_rng(0))
    assert x.min() >= 1e-5 and x.max() <= 1e-1
    # the log10 of the draws is uniform on [-5, -1]: Kolmogorov–Smirnov against scipy's uniform
    assert stats.kstest(np.log10(x), stats.uniform(-5, 4).cdf).pvalue > 0.01
    # against scipy's own log-uniform distribution
    assert stats.kstest(x, stats.loguniform(1e-5, 1e-1).cdf).pvalue > 0.01


def test_random_points_draw_lists_and_ranges() -> None:
    rng = np.random.default_rng(1)
    pts = random_points({"lr": ("log", 1e-4, 1.0), "units": [8, 16, 32], "p": ("uniform", 0.0, 0.5)}, 500, rng)
    assert len(pts) == 500 and sorted(pts[0]) == ["lr", "p", "units"]
    assert {p["units"] for p in pts} == {8, 16, 32}
    assert all(1e-4 <= p["lr"] <= 1.0 and 0 <= p["p"] <= 0.5 for p in pts)
    # like sklearn.model_selection.ParameterSampler, a continuous range yields all-distinct values
    assert len({p["lr"] for p in pts}) == 500


def test_random_search_tries_more_values_of_the_one_that_matters() -> None:
    rng = np.random.default_rng(0)
    grid = grid_points({"h1": [0.1, 0.5, 0.9], "h2": [0.1, 0.5, 0.9]})
    rand = random_points({"h1": ("uniform", 0, 1), "h2": ("uniform", 0, 1)}, 9, rng)
    assert len({p["h1"] for p in grid}) == 3 and len({p["h1"] for p in rand}) == 9
    best, values = search(lambda h1, h2: (h1 - 0.4) ** 2, grid)
    assert best["h1"] == 0.5 and len(values) == 9


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        grid_points({"a": []})
    with pytest.raises(ValueError, match="low < high"):
        log_uniform(1.0, 0.1, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="> 0"):
        log_uniform(0.0, 1.0, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="non-empty list"):
        random_points({"a": ("cauchy", 0, 1)}, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one point"):
        search(lambda: 0.0, [])


def test_random_points_match_parameter_sampler_in_distribution() -> None:
    """Two-sample Kolmogorov–Smirnov: our log-uniform draws against ParameterSampler with scipy's loguniform."""
    ours = [p["lr"] for p in random_points({"lr": ("log", 1e-5, 1e-1)}, 3000, np.random.default_rng(2))]
    theirs = [p["lr"] for p in ParameterSampler({"lr": stats.loguniform(1e-5, 1e-1)}, 3000, random_state=3)]
    assert stats.ks_2samp(ours, theirs).pvalue > 0.01
