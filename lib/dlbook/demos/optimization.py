"""Demos of Chapter 8: minibatch noise (§8.1.3), momentum's terminal speed (§8.3.2), an optimiser race on an
ill-conditioned quadratic and on Rosenbrock's valley (§8.3, §8.5) and the activations and gradients of a deep
network under different initialisations, with and without batch normalisation (§8.4, §8.7.1).

Everything is numpy: the optimisers are :mod:`dlbook.optimizers`, the same code the chapter checks against
``torch.optim``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.init import glorot_uniform, normal_init, orthogonal_init
from dlbook.normalization import deep_signal
from dlbook.optimize import quadratic_with_condition
from dlbook.optimizers import (SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp, rosenbrock, rosenbrock_gradient,
                               run, terminal_speed)
from dlbook.plotting import COLORS, color_key, new_figure

OPTIMIZER_COLORS = {"SGD": "#8C8C8C", "momentum": "#4C72B0", "Nesterov": "#55A868", "AdaGrad": "#DD8452",
                    "RMSProp": "#C44E52", "Adam": "#8172B3"}


def _two_panels(height: float, wspace: float = 0.3) -> tuple[Figure, Any, Any]:
    """Two axes at fixed positions (no layout engine, so each frame renders faster)."""
    fig, (ax, bx) = new_figure(ncols=2, width=3.9, height=height, layout=None)
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.14, top=0.9, wspace=wspace)
    return fig, ax, bx


# -- minibatch noise (§8.1.3) ------------------------------------------------------------------------

#: Size of the synthetic training set of the minibatch demo, and how many minibatches each frame draws.
NOISE_N, NOISE_DRAWS = 2000, 300


def per_example_gradients() -> np.ndarray:
    """Per-example gradients of the squared error of a 2-parameter linear model y ≈ w₁x + w₂, at w = 0.

    The data are fixed (seed 0): x ~ N(0, 1), y = 2x − 1 + noise. Row i is ∇_w ½(w₁xᵢ + w₂ − yᵢ)² at w = 0.
    """
    rng = np.random.default_rng(0)
    x = rng.standard_normal(NOISE_N)
    y = 2 * x - 1 + 0.5 * rng.standard_normal(NOISE_N)
    return np.stack([-y * x, -y], axis=1)


_cached_gradients = lru_cache(maxsize=1)(per_example_gradients)


def minibatch_noise_compute(log2_m: int) -> dict[str, Any]:
    """Draw ``NOISE_DRAWS`` minibatches of m = 2^log2_m examples (with replacement) and average their gradients."""
    G = _cached_gradients()
    m = 2 ** int(log2_m)
    rng = np.random.default_rng(int(log2_m))
    idx = rng.integers(0, len(G), size=(NOISE_DRAWS, m))
    estimates = G[idx].mean(axis=1)
    sigma = G.std(axis=0)                                     # per-coordinate σ of one example's gradient
    return {"m": m, "estimates": estimates, "full": G.mean(axis=0), "sigma": sigma,
            "measured_se": estimates.std(axis=0), "predicted_se": sigma / np.sqrt(m)}


@lru_cache(maxsize=1)
def _se_curve() -> tuple[np.ndarray, np.ndarray]:
    ms = np.arange(11)
    return 2.0**ms, np.array([minibatch_noise_compute(int(k))["measured_se"][0] for k in ms])


def minibatch_noise_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels(3.3)
    est, full = data["estimates"], data["full"]
    ax.scatter(est[:, 0], est[:, 1], s=4, color=COLORS["data"], alpha=0.5, label=f"{NOISE_DRAWS} minibatch gradients")
    ax.plot(*full, "*", color="k", ms=10, label="full-batch gradient")
    t = np.linspace(0, 2 * np.pi, 100)
    s = data["predicted_se"]
    ax.plot(full[0] + 2 * s[0] * np.cos(t), full[1] + 2 * s[1] * np.sin(t), color=COLORS["second"], lw=1,
            label="±2σ/√m ellipse")
    ax.set_xlim(full[0] - 4.5, full[0] + 4.5)
    ax.set_ylim(full[1] - 3, full[1] + 3)
    ax.set_xlabel("∂J/∂w₁ estimate")
    ax.set_ylabel("∂J/∂w₂ estimate")
    ax.set_title(f"minibatch size m = {data['m']}", fontsize=9)
    ax.legend(loc="upper right", fontsize=7)
    ms, se = _se_curve()
    bx.plot(np.log2(ms), np.log10(se), "o", color=COLORS["data"], ms=4, label="measured spread of ∂J/∂w₁")
    bx.plot(np.log2(ms), np.log10(data["sigma"][0] / np.sqrt(ms)), "-", color=COLORS["second"], lw=1,
            label="σ/√m")
    bx.plot([np.log2(data["m"])], [np.log10(data["measured_se"][0])], "o", ms=9, mfc="none", color="k")
    bx.set_xlabel("log2 of the minibatch size m")
    bx.set_ylabel("log10 of the standard error")
    bx.set_title(f"measured {data['measured_se'][0]:.3f}, σ/√m = {data['predicted_se'][0]:.3f}", fontsize=9)
    bx.legend(loc="upper right", fontsize=7)
    return fig


@register
def minibatch_noise_demo() -> Demo:
    """A slider for the minibatch size: the cloud of gradient estimates shrinks like 1/√m."""
    return Demo(compute=minibatch_noise_compute, draw=minibatch_noise_draw,
                controls=[Slider("log2_m", 0, 10, 1, 4, "log2 of minibatch size m")],
                title="Minibatch gradients: the spread falls as σ/√m",
                alt="left: a scatter of minibatch gradient estimates around the full gradient with a 2σ/√m ellipse; "
                    "right: the measured standard error against the minibatch size on log axes, on the σ/√m line")


# -- momentum's terminal speed (§8.3.2, eq. 8.17) -----------------------------------------------------

def terminal_speed_compute(alpha: float, n_steps: int = 120) -> dict[str, Any]:
    """Momentum with ε = 0.01 on a constant gradient of norm 1: step sizes approach ε/(1 − α)."""
    path = run(Momentum(0.01, float(alpha)), lambda x: np.array([1.0]), np.zeros(1), n_steps)
    return {"alpha": float(alpha), "steps": np.abs(np.diff(path[:, 0])), "terminal": terminal_speed(0.01, 1.0, alpha)}


def terminal_speed_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.5, height=3.0, layout=None)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.16, top=0.88)
    k = np.arange(1, len(data["steps"]) + 1)
    ax.plot(k, data["steps"], "-", color=COLORS["data"], label="step size ‖θ_k − θ_(k−1)‖")
    ax.axhline(data["terminal"], ls="--", color=COLORS["second"], label="ε‖g‖/(1 − α)  (eq. 8.17)")
    ax.axhline(0.01, ls=":", color=COLORS["muted"], label="plain SGD: ε‖g‖")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("step k")
    ax.set_ylabel("step size")
    ax.set_title(f"α = {data['alpha']:g}: terminal step {data['terminal']:.3g} = "
                 f"{1 / (1 - data['alpha']):.3g} × the SGD step", fontsize=9)
    ax.legend(loc="upper left", fontsize=7)
    return fig


@register
def terminal_speed_demo() -> Demo:
    """Choose α: on a constant slope momentum speeds up to 1/(1 − α) times the plain gradient step."""
    return Demo(compute=terminal_speed_compute, draw=terminal_speed_draw,
                controls=[Choice("alpha", [0.0, 0.5, 0.9, 0.99], 0.9, "momentum α")],
                title="Momentum's terminal speed",
                alt="step size of momentum on a constant gradient against the step number, rising to the dashed "
                    "line ε‖g‖/(1 − α)")


# -- the optimiser race (§8.3, §8.5) ---------------------------------------------------------------------

#: Where the race starts on each surface, and each optimiser's learning rate at scale ×1.
RACE_START = {"quadratic": np.array([-2.6, 1.4]), "rosenbrock": np.array([-1.2, 1.0])}
RACE_LR = {"quadratic": {"SGD": 0.6, "momentum": 0.6, "Nesterov": 0.6, "AdaGrad": 0.6, "RMSProp": 0.03, "Adam": 0.1},
           "rosenbrock": {"SGD": 1e-3, "momentum": 1e-3, "Nesterov": 1e-3, "AdaGrad": 1.0, "RMSProp": 0.01,
                          "Adam": 0.1}}
RACE_STEPS = 200


def make_optimizers(lrs: dict[str, float], alpha: float) -> dict[str, Any]:
    """The six optimisers of the race with the given learning rates and momentum α."""
    return {"SGD": SGD(lrs["SGD"]), "momentum": Momentum(lrs["momentum"], alpha),
            "Nesterov": Nesterov(lrs["Nesterov"], alpha), "AdaGrad": AdaGrad(lrs["AdaGrad"]),
            "RMSProp": RMSProp(lrs["RMSProp"]), "Adam": Adam(lrs["Adam"])}


@lru_cache(maxsize=16)
def _race_surface(surface: str, log10_kappa: float, rotated: bool) -> tuple[Any, ...]:
    if surface == "quadratic":
        q = quadratic_with_condition(10.0**log10_kappa, 45.0 if rotated else 0.0)
        g1, g2 = np.linspace(-3.2, 3.2, 61), np.linspace(-3.2, 3.2, 61)
        X1, X2 = np.meshgrid(g1, g2)
        F = q.value(np.stack([X1, X2], axis=-1))
        return q.value, q.gradient, np.zeros(2), X1, X2, F, np.geomspace(1e-3, F.max(), 10)
    X1, X2 = np.meshgrid(np.linspace(-2, 2, 81), np.linspace(-1, 3, 81))
    F = rosenbrock(np.stack([X1, X2], axis=-1))
    return rosenbrock, rosenbrock_gradient, np.ones(2), X1, X2, F, np.geomspace(0.01, F.max(), 12)


def race_compute(surface: str = "quadratic", log10_kappa: float = 2.0, log2_lr_scale: float = 0.0,
                 alpha: float = 0.9, rotated: bool = True) -> dict[str, Any]:
    """Run the six optimisers for ``RACE_STEPS`` steps on one surface; record paths and f − f*."""
    if surface not in RACE_START:
        raise ValueError(f"surface must be one of {list(RACE_START)}; got {surface!r}")
    f, grad, x_star, *_ = _race_surface(surface, float(log10_kappa), bool(rotated))
    scale = 2.0 ** float(log2_lr_scale)
    lrs = {k: scale * v for k, v in RACE_LR[surface].items()}
    paths, gaps = {}, {}
    for name, opt in make_optimizers(lrs, float(alpha)).items():
        path = run(opt, grad, RACE_START[surface], RACE_STEPS, limit=1e6)
        paths[name] = path
        gaps[name] = np.log10(np.maximum(f(path) - f(x_star), 1e-16))
    return {"surface": surface, "log10_kappa": float(log10_kappa), "scale": scale, "alpha": float(alpha),
            "rotated": bool(rotated), "lrs": lrs, "paths": paths, "log_gaps": gaps, "x_star": x_star}


def race_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels(3.5)
    _, _, _, X1, X2, F, levels = _race_surface(data["surface"], data["log10_kappa"], data["rotated"])
    ax.contour(X1, X2, F, levels=levels, colors="0.8", linewidths=0.6)
    xlim, ylim = (X1.min(), X1.max()), (X2.min(), X2.max())
    for name, path in data["paths"].items():
        out = np.flatnonzero((path[:, 0] < xlim[0]) | (path[:, 0] > xlim[1]) | (path[:, 1] < ylim[0])
                             | (path[:, 1] > ylim[1]))
        shown = path[: out[0] + 1] if out.size else path   # a diverging path: up to where it leaves the frame
        ax.plot(*shown.T, "-", lw=1, color=OPTIMIZER_COLORS[name])
        v = data["log_gaps"][name]
        diverged = len(path) <= RACE_STEPS
        bx.plot(np.arange(len(v)), v, "-", lw=1.2, color=OPTIMIZER_COLORS[name],
                label=f"{name} (ε={data['lrs'][name]:.2g})" + (" diverged" if diverged else ""))
    ax.plot(*data["x_star"], "*", color="k", ms=9)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    if data["surface"] == "quadratic":
        title = f"quadratic, κ = {10 ** data['log10_kappa']:.3g}, " + ("rotated 45°" if data["rotated"] else "axis-aligned")
    else:
        title = "Rosenbrock (1 − θ₁)² + 100(θ₂ − θ₁²)²"
    ax.set_title(title, fontsize=9)
    bx.set_xlim(0, RACE_STEPS)
    bx.set_ylim(-16.5, 4)
    bx.set_xlabel("step")
    bx.set_ylabel("log10 of f(θ) − f(θ*)")
    bx.set_title(f"learning rates × {data['scale']:g}, momentum α = {data['alpha']:g}", fontsize=9)
    bx.legend(loc="lower left", fontsize=6.5, ncol=2)
    return fig


def _race_quadratic(log10_kappa: float, log2_lr_scale: float, alpha: float, rotated: bool) -> dict[str, Any]:
    return race_compute("quadratic", log10_kappa, log2_lr_scale, alpha, rotated)


def _race_rosenbrock(log2_lr_scale: float, alpha: float) -> dict[str, Any]:
    return race_compute("rosenbrock", 0.0, log2_lr_scale, alpha, False)


@register
def race_quadratic_demo() -> Demo:
    """Six optimisers on ½θᵀHθ: condition number, learning-rate scale, momentum and the orientation of the bowl."""
    return Demo(compute=_race_quadratic, draw=race_draw,
                # pre-rendered: κ = 10, 100, 1000 and learning-rate scales ×1 and ×4, the settings the prose uses
                # (24 frames; the live widget moves in finer steps)
                controls=[Slider("log10_kappa", 1, 3, 0.25, 2, "log10 of condition number κ", frames=3),
                          Slider("log2_lr_scale", 0, 2, 0.5, 0, "log2 of learning-rate scale", frames=2),
                          Slider("alpha", 0.5, 0.9, 0.05, 0.9, "momentum α", frames=2),
                          Choice("rotated", [("rotated 45°", True), ("axis-aligned", False)], True, "bowl")],
                title="Optimiser race on an ill-conditioned quadratic",
                alt="contours of a 2-D quadratic bowl with the paths of SGD, momentum, Nesterov, AdaGrad, RMSProp "
                    "and Adam, and their f − f* against the step number on a log scale")


@register
def race_rosenbrock_demo() -> Demo:
    """The same six optimisers in Rosenbrock's curved valley."""
    return Demo(compute=_race_rosenbrock, draw=race_draw,
                controls=[Slider("log2_lr_scale", -2, 2, 0.5, 0, "log2 of learning-rate scale", frames=5),
                          Slider("alpha", 0.5, 0.9, 0.05, 0.9, "momentum α", frames=3)],
                title="Optimiser race in Rosenbrock's valley",
                alt="contours of the Rosenbrock function with six optimisers' paths from (−1.2, 1) towards the "
                    "minimum at (1, 1), and f − f* against the step number on a log scale")


# -- activations and gradients per layer (§8.4, §8.7.1) ---------------------------------------------------

#: The deep network of the initialisation demo: 10 layers of width 100 on 256 standard-normal inputs of size 64.
DEPTH, WIDTH, INPUTS, BATCH = 10, 100, 64, 256
INITS = ("N(0, 1)", "Glorot", "orthogonal")


def init_weights(init: str, gain: float, seed: int = 0) -> list[np.ndarray]:
    """The DEPTH weight matrices of the demo's network, drawn with ``init`` and multiplied by ``gain``."""
    rng = np.random.default_rng(seed)
    sizes = [INPUTS] + [WIDTH] * DEPTH
    draw = {"N(0, 1)": lambda m, n: gain * normal_init(m, n, rng),
            "Glorot": lambda m, n: glorot_uniform(m, n, rng, gain),
            "orthogonal": lambda m, n: orthogonal_init(m, n, rng, gain)}
    if init not in draw:
        raise ValueError(f"init must be one of {list(draw)}; got {init!r}")
    return [draw[init](m, n) for m, n in zip(sizes[:-1], sizes[1:])]


@lru_cache(maxsize=1)
def _inputs() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((BATCH, INPUTS))


def init_signal_compute(act: str = "tanh", init: str = "Glorot", log2_gain: float = 0.0,
                        batch_norm: bool = False) -> dict[str, Any]:
    """Activations and back-propagated gradients of every layer (see :func:`dlbook.normalization.deep_signal`)."""
    acts, grads = deep_signal(_inputs(), init_weights(init, 2.0 ** float(log2_gain)), act, bool(batch_norm))
    lo, hi = (-1.0, 1.0) if act == "tanh" else (0.0, 3.0)
    edges = np.linspace(lo, hi, 41)
    hists = np.array([np.histogram(np.clip(a, lo, hi), bins=edges)[0] / a.size for a in acts])
    return {"act": act, "init": init, "gain": 2.0 ** float(log2_gain), "batch_norm": bool(batch_norm),
            "edges": edges, "hists": hists, "act_std": np.array([a.std() for a in acts]),
            "grad_std": np.array([g.std() for g in grads]),
            "saturated": np.array([np.mean(np.abs(a) > 0.99) if act == "tanh" else np.mean(a == 0) for a in acts])}


def init_signal_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two_panels(3.6, wspace=0.32)
    edges = data["edges"]
    x = np.repeat(edges, 2)[1:-1]  # a histogram's outline: each bin's left and right edge at its height
    outlines = [np.column_stack([np.r_[x, x[::-1]], np.r_[layer + np.repeat(h / max(h.max(), 1e-12) * 0.9, 2),
                                                          np.full(x.size, float(layer))]])
                for layer, h in enumerate(data["hists"])]
    # one collection of filled outlines, with the limits set here: ten fill_between or stairs cost a live frame
    # several times as much (each measured for the data limits)
    ax.add_collection(PolyCollection(outlines, facecolors=COLORS["data"], alpha=0.6, linewidths=0), autolim=False)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, DEPTH)
    ax.set_yticks([0.4, 4.4, DEPTH - 0.6], ["1", "5", str(DEPTH)])
    ax.set_xlabel("activation value" + (" (clipped to [0, 3])" if data["act"] == "relu" else ""))
    ax.set_ylabel("layer")
    ax.set_title(f"{data['act']}, {data['init']} × {data['gain']:g}, batch norm {'on' if data['batch_norm'] else 'off'}",
                 fontsize=9)
    layers = np.arange(1, DEPTH + 1)
    floor = 1e-12
    bx.plot(layers, np.log10(np.maximum(data["act_std"], floor)), "o-", ms=3, color=COLORS["data"])
    bx.plot(layers, np.log10(np.maximum(data["grad_std"], floor)), "s-", ms=3, color=COLORS["second"])
    bx.set_ylim(-4, 3)
    bx.set_xlabel("layer")
    bx.set_ylabel("log10 of standard deviation")
    label = "saturated (|h| > 0.99)" if data["act"] == "tanh" else "dead (h = 0)"
    bx.set_title(f"last layer: {100 * data['saturated'][-1]:.0f}% {label}", fontsize=9)
    color_key(bx, [("std of activations", COLORS["data"]), ("std of gradients ∂L/∂h", COLORS["second"])],
              x=0.03, ha="left")
    return fig


@register
def init_signal_demo() -> Demo:
    """Initialisation, its scale and batch normalisation: how activations and gradients fare over ten layers."""
    return Demo(compute=init_signal_compute, draw=init_signal_draw,
                controls=[Choice("act", ["tanh", "relu"], "tanh", "hidden unit"),
                          Choice("init", ["N(0, 1)", "Glorot"], "Glorot", "initialisation"),
                          # pre-rendered gains 1, √2 and 2 (the prose asks for √2 with ReLU, 2 with tanh)
                          Slider("log2_gain", 0, 1, 0.25, 0, "log2 of gain", frames=3),
                          Choice("batch_norm", [("off", False), ("on", True)], False, "batch norm")],
                title="Activations and gradients through ten layers",
                alt="per-layer histograms of the activations of a 10-layer network and, on the right, the standard "
                    "deviation of the activations and of the back-propagated gradients against the layer")
