"""Demos of Chapter 11 (practical methodology): a decision threshold on a real classifier's scores, grid against
random search when only one hyperparameter matters, and a gradient-check lab for finite differences."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.calculus import finite_difference
from dlbook.checks import as_array, check_int
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.hyperparameter_search import grid_points, random_points
from dlbook.metrics import pr_curve, precision_recall_f1
from dlbook.plotting import COLORS, new_figure

# -- the decision threshold (§11.1) ------------------------------------------------------------------------------


def threshold_compute(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    """Precision, recall, F1 and accuracy of ``score >= threshold``, with the PR curve and the metric curves."""
    s, t = as_array(scores, "scores", ndim=1), np.asarray(labels).astype(int)
    p_curve, r_curve, _ = pr_curve(t, s)
    grid = np.linspace(0.01, 0.99, 50)
    curves = np.array([[*precision_recall_f1(t, (s >= g).astype(int)), np.mean((s >= g) == t)] for g in grid])
    p, r, f = precision_recall_f1(t, (s >= threshold).astype(int))
    return {"pr": np.stack([r_curve, p_curve]), "grid": grid, "curves": curves, "threshold": float(threshold),
            "point": np.array([p, r, f, float(np.mean((s >= threshold) == t))])}


def threshold_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.7, height=3.1, layout=None)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.88, wspace=0.3)
    (r, p), (pt_p, pt_r, pt_f, pt_a) = data["pr"], data["point"]
    ax.plot(r, p, color=COLORS["data"], lw=1.5)
    ax.plot([pt_r], [pt_p], "o", color=COLORS["second"], ms=8)
    ax.set(xlim=(0, 1.02), ylim=(0, 1.05), xlabel="recall", ylabel="precision")
    ax.set_title(f"PR curve; τ = {data['threshold']:.2f}: F1 = {pt_f:.3f}", fontsize=9)
    names = ("precision", "recall", "F1", "accuracy")
    colors = (COLORS["data"], COLORS["model"], COLORS["optimum"], COLORS["muted"])
    for j, (name, c) in enumerate(zip(names, colors)):
        bx.plot(data["grid"], data["curves"][:, j], color=c, lw=1.4, label=name)
    bx.axvline(data["threshold"], color=COLORS["second"], lw=1)
    bx.set(xlim=(0, 1), ylim=(0, 1.05), xlabel="threshold τ on p(malignant)")
    bx.legend(fontsize=7, loc="lower center")
    bx.set_title(f"precision {pt_p:.3f}, recall {pt_r:.3f}, accuracy {pt_a:.3f}", fontsize=9)
    return fig


@register
def threshold_demo(scores: Any = None, labels: Any = None) -> Demo:
    """Move the decision threshold of a classifier: the point on its PR curve and the four metrics move with it.

    The notebook passes a trained classifier's test-set scores; without them a synthetic pair of score
    distributions stands in (so the demo can be swept on its own)."""
    if scores is None or labels is None:
        rng = np.random.default_rng(0)
        labels = (rng.random(200) < 0.37).astype(int)
        scores = 1 / (1 + np.exp(-(rng.standard_normal(200) * 1.5 + 3 * (labels - 0.5))))
    return Demo(threshold_compute, threshold_draw,
                controls=[Slider("threshold", 0.05, 0.95, 0.05, 0.5, "threshold τ", frames=3)],
                data={"scores": np.asarray(scores, float), "labels": np.asarray(labels, int)},
                title="A decision threshold: precision, recall, F1 and accuracy",
                alt="left: a precision-recall curve with a red dot at the current threshold; right: precision, recall, "
                    "F1 and accuracy plotted against the threshold, with a vertical line at the current one")


# -- grid against random search (§11.4.3–11.4.4, fig. 11.2) -------------------------------------------------------


def important_only(h1: Any, h2: Any) -> Any:
    """A validation error that depends on h1 alone (h2 is a hyperparameter that does not matter)."""
    return 1 - 0.9 * np.exp(-((np.asarray(h1) - 0.73) ** 2) / 0.004) + 0 * np.asarray(h2)


def search_compute(side: int, seed: int = 0) -> dict[str, Any]:
    """``side²`` trials as a ``side × side`` grid and as uniform random draws on [0, 1]²."""
    side, seed = check_int(side, "side", low=2, high=6), check_int(seed, "seed", low=0)
    values = np.linspace(0.1, 0.9, side).tolist()
    grid = np.array([[p["h1"], p["h2"]] for p in grid_points({"h1": values, "h2": values})])
    rand = np.array([[p["h1"], p["h2"]] for p in
                     random_points({"h1": ("uniform", 0, 1), "h2": ("uniform", 0, 1)}, side**2,
                                   np.random.default_rng(seed))])
    out = {"side": side, "grid": grid, "random": rand}
    for name, pts in (("grid", grid), ("random", rand)):
        out[name + "_distinct"] = len(np.unique(pts[:, 0]))
        out[name + "_best"] = float(np.min(important_only(pts[:, 0], pts[:, 1])))
    return out


def search_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=2, width=3.3, height=3.5, layout=None)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.86, wspace=0.25)
    h = np.linspace(0, 1, 200)
    for ax, name in zip(axes, ("grid", "random")):
        pts = data[name]
        ax.plot(h, 0.25 * (1 - important_only(h, 0)) - 0.3, color=COLORS["optimum"], lw=1.2)
        ax.plot(pts[:, 0], pts[:, 1], "o", color=COLORS["data"], ms=5)
        ax.plot(pts[:, 0], np.full(len(pts), -0.3), "|", color=COLORS["second"], ms=10)
        ax.set(xlim=(0, 1), ylim=(-0.32, 1.02), xlabel="h₁ (matters)", yticks=[])
        ax.set_title(f"{name}: {len(pts)} trials, {data[name + '_distinct']} values of h₁\n"
                     f"best error {data[name + '_best']:.3f}", fontsize=9)
    axes[0].set_ylabel("h₂ (does not matter)")
    return fig


@register
def search_demo() -> Demo:
    """Grid and random search with the same budget on an error that depends on one hyperparameter only."""
    return Demo(search_compute, search_draw,
                controls=[Slider("side", 2, 6, 1, 6, "grid side (trials = side²)", frames=2),
                          Slider("seed", 0, 3, 1, 0, "random seed", frames=2)],
                title="Grid against random search when only h₁ matters",
                alt="two square panels of trial points in the (h1, h2) plane; a green bump along the bottom marks where "
                    "the error is low in h1; red ticks project each trial onto the h1 axis; the grid's ticks pile up on "
                    "a few columns while the random trials spread over many values")


# -- the gradient-check lab (§11.5, eqs. 11.6–11.7) ---------------------------------------------------------------

LAB_X = 0.7
LAB_EPS = np.logspace(-14, -1, 53)


def _lab_f(x: np.ndarray) -> Any:
    return np.sum(np.exp(x) * np.sin(x))


@lru_cache(maxsize=2)
def gradcheck_errors(dtype: str) -> dict[str, np.ndarray]:
    """Absolute error of forward and centred differences of ``f(x) = eˣ sin x`` at x = 0.7 over ``LAB_EPS``."""
    dt = {"float32": np.float32, "float64": np.float64}[dtype]
    exact = np.exp(LAB_X) * (np.sin(LAB_X) + np.cos(LAB_X))
    x = np.array([LAB_X])
    return {kind: np.array([max(abs(float(finite_difference(_lab_f, x, e, kind, dt)[0]) - exact), 1e-17)
                            for e in LAB_EPS]) for kind in ("forward", "centred")}


def gradcheck_compute(log10_eps: float, dtype: str = "float64") -> dict[str, Any]:
    errs = gradcheck_errors(dtype)
    here = {k: float(np.interp(log10_eps, np.log10(LAB_EPS), np.log10(v))) for k, v in errs.items()}
    u = float(np.finfo(dtype).eps)
    return {"eps": LAB_EPS, "errors": errs, "log10_eps": float(log10_eps), "here": here, "dtype": dtype,
            "theory": {"forward": np.sqrt(u), "centred": u ** (1 / 3)}}


def gradcheck_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.4, height=3.0, layout=None)
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.16, top=0.88)
    for kind, color in (("forward", COLORS["data"]), ("centred", COLORS["model"])):
        ax.loglog(data["eps"], data["errors"][kind], color=color, lw=1.4, label=f"{kind} difference")
        ax.axvline(data["theory"][kind], color=color, ls=":", lw=1)
    ax.axvline(10 ** data["log10_eps"], color=COLORS["second"], lw=1.2)
    ax.set(xlabel="step ε", ylabel="|error|", ylim=(1e-17, 10))
    ax.legend(fontsize=8, loc="upper center")
    h = data["here"]
    ax.set_title(f"{data['dtype']}, ε = 1e{data['log10_eps']:+.1f}: error ≈ 1e{h['forward']:.1f} (forward), "
                 f"1e{h['centred']:.1f} (centred)", fontsize=9)
    return fig


@register
def gradcheck_demo() -> Demo:
    """Slide the finite-difference step over thirteen decades: truncation error on the right, rounding on the left."""
    return Demo(gradcheck_compute, gradcheck_draw,
                controls=[Slider("log10_eps", -14, -2, 0.5, -6, "log₁₀ ε", frames=2),
                          Choice("dtype", ["float64", "float32"], "float64", "precision")],
                title="Gradient-check lab: the V-shaped error of finite differences",
                alt="log-log plot of the error of forward and centred finite differences against the step; both are "
                    "V-shaped, the centred one with a lower and further-right minimum; dotted lines mark the square "
                    "root and cube root of machine epsilon, a red line the chosen step")
