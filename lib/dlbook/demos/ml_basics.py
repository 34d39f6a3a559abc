"""Demos of Chapter 5: polynomial capacity and training-set size (§5.2, figs. 5.2–5.4), weight decay (§5.2.2, fig. 5.5)
and the estimator lab (§5.4: bias, standard error and confidence intervals by simulation)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter, NullLocator

from dlbook.checks import check_int, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.estimators import (expected_sample_variance, normal_quantile, sample_mean, sample_variance,
                               sample_variance_std)
from dlbook.plotting import COLORS, InViewLocator, InViewLogLocator, color_key, new_figure
from dlbook.regression import fit_linear_regression, mean_squared_error, polynomial_features

#: The true curve of the capacity demos: a quadratic, as in fig. 5.2.
QUADRATIC = (0.2, -1.0, 2.0)  # f(x) = 0.2 − x + 2x²
#: Number of training points (ten, as in the book's figures) and of test points.
N_TRAIN, N_TEST = 10, 400
MAX_DEGREE = 9


def true_quadratic(x: np.ndarray) -> np.ndarray:
    """The data-generating curve ``f(x) = 0.2 − x + 2x²`` of the capacity demos."""
    c0, c1, c2 = QUADRATIC
    return c0 + c1 * x + c2 * x**2


@lru_cache(maxsize=None)
def quadratic_data(noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ten training and 400 test points ``y = f(x) + noise·ε`` with ``x`` uniform on [−1, 1] (seeded).

    The same ``seed`` gives the same ``x`` and ``ε`` for every noise level, so only the noise scale changes.
    """
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1, 1, N_TRAIN))
    x_test = rng.uniform(-1, 1, N_TEST)
    eps_train, eps_test = rng.standard_normal(N_TRAIN), rng.standard_normal(N_TEST)
    out = (x_train, true_quadratic(x_train) + noise * eps_train, x_test, true_quadratic(x_test) + noise * eps_test)
    for a in out:
        a.setflags(write=False)
    return out


_GRID = np.linspace(-1, 1, 200)


#: Training-set sizes of the capacity demo, and how many independent training sets each curve averages over.
CAPACITY_SIZES = (10, 20, 200)
CAPACITY_DRAWS = 50
CAPACITY_NOISE = 0.3


@lru_cache(maxsize=None)
def capacity_curves(n_train: int, draws: int = CAPACITY_DRAWS,
                    noise: float = CAPACITY_NOISE) -> tuple[np.ndarray, np.ndarray]:
    """Median training and test MSE of the least-squares polynomials of degree 0…9 over ``draws`` training sets.

    Each training set has ``n_train`` points ``y = f(x) + noise·ε`` with ``x`` uniform on [−1, 1], seeded by
    ``n_train``; every fit is scored on the same 400 test points. With fewer points than coefficients the
    minimum-norm solution interpolates (§5.2, figs. 5.3–5.4). The median, not the mean, summarises the draws:
    a few training sets with nearly coincident x make a high-degree fit explode and would swamp a mean.
    Returns (train, test), each of length 10.
    """
    n_train = check_int(n_train, "n_train", low=2)
    draws = check_int(draws, "draws", low=1)
    _, _, xt, yt = quadratic_data(noise)
    rng = np.random.default_rng(10_000 + n_train)
    train, test = np.zeros((draws, MAX_DEGREE + 1)), np.zeros((draws, MAX_DEGREE + 1))
    for i in range(draws):
        x = rng.uniform(-1, 1, n_train)
        y = true_quadratic(x) + noise * rng.standard_normal(n_train)
        for d in range(MAX_DEGREE + 1):
            fit = fit_linear_regression(polynomial_features(x, d), y)
            train[i, d] = mean_squared_error(fit.predict(polynomial_features(x, d)), y)
            test[i, d] = mean_squared_error(fit.predict(polynomial_features(xt, d)), yt)
    train, test = np.median(train, axis=0), np.median(test, axis=0)
    for a in (train, test):
        a.setflags(write=False)
    return train, test


@lru_cache(maxsize=None)
def _first_draw_fit(n_train: int, degree: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first of the demo's training sets of size ``n_train`` and its degree-``degree`` fit on the plotting grid."""
    rng = np.random.default_rng(10_000 + n_train)
    x = rng.uniform(-1, 1, n_train)
    y = true_quadratic(x) + CAPACITY_NOISE * rng.standard_normal(n_train)
    fit = fit_linear_regression(polynomial_features(x, degree), y)
    return x, y, fit.predict(polynomial_features(_GRID, degree))


def capacity_table() -> dict[str, np.ndarray]:
    """:func:`capacity_curves` for every training-set size the demo offers (rows in the order of
    ``CAPACITY_SIZES``), computed once: 500 fits per size take the browser about half a second."""
    curves = [capacity_curves(n) for n in CAPACITY_SIZES]
    return {"capacity_train": np.stack([c[0] for c in curves]), "capacity_test": np.stack([c[1] for c in curves])}


def polynomial_capacity_compute(degree: int, n_train: int = 10, capacity_train: Any = None,
                                capacity_test: Any = None) -> dict[str, Any]:
    """One degree-``degree`` fit to ``n_train`` noisy quadratic points, and the error-versus-degree curves
    over 50 training sets of that size (medians; the noise has standard deviation 0.3).

    The curves are read from :func:`capacity_table`'s arrays when given (as the demo passes them), else computed.
    """
    degree = check_int(degree, "degree", low=0, high=MAX_DEGREE)
    n_train = check_int(n_train, "n_train", low=2)
    x, y, curve = _first_draw_fit(n_train, degree)
    if capacity_train is not None and capacity_test is not None and n_train in CAPACITY_SIZES:
        row = CAPACITY_SIZES.index(n_train)
        train, test = np.asarray(capacity_train)[row], np.asarray(capacity_test)[row]
    else:
        train, test = capacity_curves(n_train)
    return {"x": x, "y": y, "grid": _GRID, "truth": true_quadratic(_GRID), "curve": curve, "degree": degree,
            "n_train": n_train, "train_mse": train, "test_mse": test, "best_degree": int(np.argmin(test)),
            "bayes_mse": CAPACITY_NOISE**2}


def _two_panels(top: float = 0.88) -> tuple[Figure, Any, Any]:
    """A two-panel figure with fixed margins: much cheaper to pre-render than a constrained layout."""
    fig, (ax, bx) = new_figure(ncols=2, width=4.0, height=3.3, layout=None)
    fig.subplots_adjust(left=0.075, right=0.985, bottom=0.14, top=top, wspace=0.25)
    return fig, ax, bx


def _plain_log_ticks(ax: Any) -> None:
    """Label a log y-axis ``1e-2``, ``1e0``, … as plain text (mathtext labels cost ~30% of a frame), at most
    five of them (each tick is built and drawn on every frame: about half of a live frame's time)."""
    ax.yaxis.set_major_locator(InViewLogLocator(numticks=5))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"1e{int(round(np.log10(v)))}" if v > 0 else ""))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _draw_fit(ax: Any, data: dict[str, Any], label: str) -> None:
    """The left panel of both capacity demos: true curve, fitted curve (clipped to the view) and training points."""
    ax.plot(data["grid"], data["truth"], color=COLORS["muted"], ls="--", lw=1.2, label="true quadratic")
    ax.plot(data["grid"], np.clip(data["curve"], -10, 10), color=COLORS["model"], lw=2, label=label)
    ax.scatter(data["x"], data["y"], color=COLORS["data"], zorder=3, s=22, label="training points")
    ax.set_ylim(-1.5, 4.5)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xticks([-1, 0, 1])  # few ticks: they are most of a live frame's drawing time
    ax.set_yticks([0, 2, 4])
    ax.set_xlabel("x")
    ax.legend(loc="upper center", fontsize=7)


def polynomial_capacity_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels()
    d = data["degree"]
    _draw_fit(ax, data, f"degree {d} fit")
    ax.set_ylabel("y")
    degrees = np.arange(len(data["test_mse"]))
    floor = 1e-6  # an interpolating fit's training MSE is ~1e-30: floor it for the log axis (drawing only)
    bx.semilogy(degrees, np.maximum(data["train_mse"], floor), "o-", color=COLORS["data"], ms=4)
    bx.semilogy(degrees, data["test_mse"], "s-", color=COLORS["second"], ms=4)
    bx.axhline(data["bayes_mse"], color=COLORS["optimum"], ls=":", lw=1.2)
    bx.axvline(d, color=COLORS["model"], lw=1, alpha=0.6)
    bx.set_ylim(1e-6, 1e6)
    _plain_log_ticks(bx)
    bx.set_xlabel("polynomial degree (capacity)")
    bx.set_ylabel("mean squared error")
    bx.set_xticks(degrees[::3])
    color_key(bx, [("training MSE (median of 50 sets)", COLORS["data"]), ("test MSE (median of 50 sets)",
                   COLORS["second"]), ("noise variance (Bayes error)", COLORS["optimum"])], x=0.03, ha="left")
    bx.set_title(f"n = {data['n_train']}: train {data['train_mse'][d]:.3g}, test {data['test_mse'][d]:.3g}; "
                 f"best degree {data['best_degree']}", fontsize=9)
    return fig


@register
def polynomial_capacity_demo() -> Demo:
    """Degree 0–9 least-squares fits of 10, 20 or 200 noisy quadratic points, with the averaged U-shaped test error."""
    return Demo(
        compute=polynomial_capacity_compute, draw=polynomial_capacity_draw,
        data=capacity_table(),  # the 500 fits behind each curve stay out of the update
        controls=[Slider("degree", 0, MAX_DEGREE, 1, 2, "polynomial degree"),
                  Choice("n_train", list(CAPACITY_SIZES), 10, "training points")],
        title="Capacity and data: underfitting, the right fit, overfitting",
        alt="noisy points from a quadratic with a least-squares polynomial fit of the chosen degree, "
            "and the training and test mean squared error against the degree, averaged over 50 training sets",
    )


# -- weight decay on the degree-9 fit (§5.2.2, fig. 5.5) -------------------------------------------

WEIGHT_DECAY_NOISE = 0.3


@lru_cache(maxsize=None)
def _weight_decay_sweep() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x, y, xt, yt = quadratic_data(WEIGHT_DECAY_NOISE)
    logs = np.linspace(-8, 2, 81)
    train, test, norms = [], [], []
    for lg in logs:
        fit = fit_linear_regression(polynomial_features(x, MAX_DEGREE, include_bias=False), y,
                                    weight_decay=10.0**lg, fit_intercept=True)
        train.append(mean_squared_error(fit.predict(polynomial_features(x, MAX_DEGREE, include_bias=False)), y))
        test.append(mean_squared_error(fit.predict(polynomial_features(xt, MAX_DEGREE, include_bias=False)), yt))
        norms.append(np.linalg.norm(fit.weights))
    return logs, np.array(train), np.array(test), np.array(norms)


def weight_decay_compute(log_lambda: float) -> dict[str, Any]:
    """The degree-9 fit minimising ``MSE_train + λ‖w‖²`` (eq. 5.18, intercept unpenalised) for ``λ = 10^log_lambda``."""
    lam = 10.0 ** float(log_lambda)
    x, y, xt, yt = quadratic_data(WEIGHT_DECAY_NOISE)
    fit = fit_linear_regression(polynomial_features(x, MAX_DEGREE, include_bias=False), y,
                                weight_decay=lam, fit_intercept=True)
    logs, train, test, norms = _weight_decay_sweep()
    return {"x": x, "y": y, "grid": _GRID, "truth": true_quadratic(_GRID),
            "curve": fit.predict(polynomial_features(_GRID, MAX_DEGREE, include_bias=False)),
            "log_lambda": float(log_lambda), "norm": float(np.linalg.norm(fit.weights)),
            "train": mean_squared_error(fit.predict(polynomial_features(x, MAX_DEGREE, include_bias=False)), y),
            "test": mean_squared_error(fit.predict(polynomial_features(xt, MAX_DEGREE, include_bias=False)), yt),
            "logs": logs, "train_curve": train, "test_curve": test}


def weight_decay_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels()
    _draw_fit(ax, data, "degree-9 fit")
    ax.set_ylabel("y")
    ax.set_title(f"λ = 1e{data['log_lambda']:g},  ‖w‖ = {data['norm']:.3g}", fontsize=10)
    bx.semilogy(data["logs"], data["train_curve"], color=COLORS["data"], label="training MSE")
    bx.semilogy(data["logs"], data["test_curve"], color=COLORS["second"], label="test MSE")
    bx.plot([data["log_lambda"]] * 2, [data["train"], data["test"]], "o", color="k", ms=5)
    _plain_log_ticks(bx)
    bx.set_xlabel("log10 λ")
    bx.xaxis.set_major_locator(InViewLocator(5, integer=True))
    bx.set_ylabel("mean squared error")
    bx.legend(loc="upper left", fontsize=7)
    bx.set_title(f"train {data['train']:.3g}, test {data['test']:.3g}", fontsize=10)
    return fig


@register
def weight_decay_demo() -> Demo:
    """A log-λ slider for weight decay on the degree-9 polynomial, with the weight norm readout."""
    return Demo(
        compute=weight_decay_compute, draw=weight_decay_draw,
        controls=[Slider("log_lambda", -8.0, 2.0, 0.25, -3.0, "log10 of λ", frames=11)],
        title="Weight decay tames the degree-9 polynomial",
        alt="a degree-9 polynomial fit with weight decay λ on ten points, and training and test error against log λ",
    )


# -- the estimator lab (§5.4) -----------------------------------------------------------------------

LAB_VARIANCE = 4.0
LAB_MEAN = 1.0
LAB_DATASETS = 2000


@lru_cache(maxsize=None)
def estimator_lab_samples(m: int) -> np.ndarray:
    """2,000 independent data sets of ``m`` Gaussian samples (mean 1, variance 4), seeded by ``m``."""
    m = check_int(m, "m", low=2)
    data = np.random.default_rng(1000 + m).normal(LAB_MEAN, np.sqrt(LAB_VARIANCE), size=(LAB_DATASETS, m))
    data.setflags(write=False)
    return data


def estimator_lab_compute(m: int, divisor: str = "m") -> dict[str, Any]:
    """Variance estimates with divisor ``m`` or ``m − 1`` over 2,000 data sets, against the formulas of §5.4,
    and 95% intervals μ̂ ± 1.96·√(σ̂²/m) for the mean built from that same variance estimate."""
    m = check_int(m, "m", low=2)
    if divisor not in ("m", "m-1"):
        raise ValueError(f"divisor must be 'm' or 'm-1'; got {divisor!r}")
    unbiased = divisor == "m-1"
    data = estimator_lab_samples(m)
    est = sample_variance(data, unbiased=unbiased)
    se = np.sqrt(est / m)                     # the interval's standard error uses the chosen variance estimate
    mu = sample_mean(data)
    lo, hi = mu - normal_quantile(0.95) * se, mu + normal_quantile(0.95) * se
    covered = (lo < LAB_MEAN) & (LAB_MEAN < hi)
    return {"m": m, "divisor": divisor, "estimates": est, "sigma2": LAB_VARIANCE,
            "mean_estimate": float(est.mean()), "sd_estimate": float(est.std()),
            "mean_formula": expected_sample_variance(LAB_VARIANCE, m, unbiased=unbiased),
            "sd_formula": sample_variance_std(LAB_VARIANCE, m, unbiased=unbiased),
            "means": mu[:25], "lo": lo[:25], "hi": hi[:25], "covered": covered[:25],
            "coverage": float(covered.mean())}


def estimator_lab_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels(top=0.84)
    counts, edges = np.histogram(data["estimates"], bins=np.linspace(0, 20, 61))
    ax.stairs(counts, edges, fill=True, color=COLORS["data"], alpha=0.6)  # one artist: much faster than hist
    ax.axvline(data["sigma2"], color="k", lw=1.5, label="true σ² = 4")
    ax.axvline(data["mean_formula"], color=COLORS["optimum"], lw=2, ls="--", label="formula E[estimate]")
    ax.axvline(data["mean_estimate"], color=COLORS["second"], lw=1.5, ls=":", label="mean of 2,000 estimates")
    ax.set_xlim(0, 20)
    ax.set_xlabel("variance estimate")
    ax.set_ylabel("number of data sets")
    ax.legend(loc="upper right", fontsize=7)
    label = "1/m" if data["divisor"] == "m" else "1/(m−1)"
    ax.set_title(f"m = {data['m']}, {label}: bias {data['mean_estimate'] - data['sigma2']:+.2f} "
                 f"(formula {data['mean_formula'] - data['sigma2']:+.2f})\nSD {data['sd_estimate']:.2f} "
                 f"(formula {data['sd_formula']:.2f})", fontsize=9)
    rows = np.arange(len(data["means"]))
    colours = np.where(data["covered"], COLORS["data"], COLORS["second"])
    bx.hlines(rows, data["lo"], data["hi"], colors=colours, lw=1.2)
    bx.scatter(data["means"], rows, c=colours, s=10, zorder=3)
    bx.axvline(LAB_MEAN, color="k", lw=1)
    bx.set_xlim(LAB_MEAN - 6, LAB_MEAN + 6)
    bx.set_yticks([])
    bx.set_xlabel("95% interval μ̂ ± 1.96 √(estimate / m) for the mean")
    bx.set_title(f"25 of 2,000 data sets; {100 * data['coverage']:.1f}% cover μ = 1", fontsize=9)
    return fig


@register
def estimator_lab_demo() -> Demo:
    """Sample size and divisor of the variance estimator: its histogram over 2,000 data sets against the formulas."""
    return Demo(
        compute=estimator_lab_compute, draw=estimator_lab_draw,
        controls=[Slider("m", 2, 50, 1, 6, "sample size m", frames=13),
                  Choice("divisor", [("1/m (maximum likelihood)", "m"), ("1/(m−1) (unbiased)", "m-1")], "m",
                         "variance estimator")],
        title="Estimator lab: bias, spread and confidence intervals",
        alt="histogram of 2,000 variance estimates with the true variance and the predicted mean, "
            "and 95% confidence intervals for the mean of 25 data sets",
    )
