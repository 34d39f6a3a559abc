"""Demos of Chapter 7: L2 against L1 on a quadratic (§7.1, fig. 7.1), early stopping against the ridge path
(§7.8, fig. 7.4) and the exact dropout ensemble against the weight scaling rule (§7.12)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.mlp import init_mlp
from dlbook.plotting import COLORS, new_figure
from dlbook.prob import log_softmax, softmax
from dlbook.regularization import (all_masks, dropout_ensemble, early_stopping_alpha, early_stopping_weights,
                                   l1_solution, l2_shrink, l2_shrink_factors, mask_probabilities,
                                   mlp_dropout_logits, softmax_regression_dropout_ensemble, weight_scaled_softmax)

# -- L2 against L1 on a 2-D quadratic (§7.1.1–7.1.2) ---------------------------------------------------

#: The unregularised optimum of the demo's quadratic.
W_STAR = np.array([1.0, 0.5])
_G = np.linspace(-0.6, 1.6, 90)
_GX, _GY = np.meshgrid(_G, _G)


def l2_l1_compute(lam1: float, lam2: float, alpha: float) -> dict[str, Any]:
    """Contours of ½(w − w*)ᵀH(w − w*) with H = diag(λ₁, λ₂), and the L2 (eq. 7.13) and L1 (eq. 7.23) optima."""
    h = np.array([lam1, lam2], dtype=float)
    J = 0.5 * (h[0] * (_GX - W_STAR[0]) ** 2 + h[1] * (_GY - W_STAR[1]) ** 2)
    return {"J": J, "w_l2": l2_shrink(np.diag(h), W_STAR, alpha), "w_l1": l1_solution(W_STAR, h, alpha),
            "factors": l2_shrink_factors(h, alpha), "thresholds": alpha / h, "alpha": alpha}


def l2_l1_draw(d: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.6, height=4.2, layout=None)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.1, top=0.86)
    ax.contour(_GX, _GY, d["J"], levels=np.geomspace(0.005, 3, 9), colors="0.6", linewidths=0.7)
    r2, r1 = np.linalg.norm(d["w_l2"]), np.abs(d["w_l1"]).sum()
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(r2 * np.cos(t), r2 * np.sin(t), color=COLORS["data"], lw=1, label="‖w‖₂ = ‖w̃_L2‖₂")
    ax.plot([r1, 0, -r1, 0, r1], [0, r1, 0, -r1, 0], color=COLORS["second"], lw=1, label="‖w‖₁ = ‖w̃_L1‖₁")
    ax.plot(*W_STAR, "k*", ms=11, label="w* (no penalty)")
    ax.plot(*d["w_l2"], "o", color=COLORS["data"], ms=7, label="L2 optimum")
    ax.plot(*d["w_l1"], "s", color=COLORS["second"], ms=7, label="L1 optimum")
    ax.set_xlim(_G[0], _G[-1])
    ax.set_ylim(_G[0], _G[-1])
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    f, th = d["factors"], d["thresholds"]
    ax.set_title(f"L2 factors λ/(λ+α): {f[0]:.2f}, {f[1]:.2f}\nL1 thresholds α/H: {th[0]:.2f}, {th[1]:.2f}"
                 f"   w̃_L1 = ({d['w_l1'][0]:.2f}, {d['w_l1'][1]:.2f})", fontsize=8)
    ax.legend(fontsize=7, loc="lower right")
    return fig


@register
def l2_l1_demo() -> Demo:
    """Sliders for the two Hessian eigenvalues and the penalty α."""
    return Demo(
        compute=l2_l1_compute, draw=l2_l1_draw,
        controls=[Slider("lam1", 0.2, 3.2, 0.2, 2.2, "λ₁ (curvature along w₁)", frames=4),
                  Slider("lam2", 0.2, 3.2, 0.3, 1.7, "λ₂ (curvature along w₂)", frames=3),
                  Slider("alpha", 0.1, 2.1, 0.1, 1.1, "penalty α", frames=5)],
        title="Weight decay shrinks, L1 zeroes: the two penalties on one quadratic",
        alt="elliptical contours of a quadratic cost centred at w* = (1, 0.5), with the L2 solution on a circle and "
            "the L1 solution on a diamond; for large α the L1 solution sits on the w1 axis",
    )


# -- early stopping against the ridge path (§7.8, eq. 7.40–7.45) ----------------------------------------

_ES_ANGLE = np.deg2rad(30.0)
_ES_Q = np.array([[np.cos(_ES_ANGLE), -np.sin(_ES_ANGLE)], [np.sin(_ES_ANGLE), np.cos(_ES_ANGLE)]])
#: Eigenvalues and optimum of the demo's quadratic (most curvature along 30°).
ES_LAMBDAS = np.array([1.0, 0.05])
ES_H = _ES_Q @ np.diag(ES_LAMBDAS) @ _ES_Q.T
ES_W_STAR = np.array([1.0, 1.2])
_ES_ALPHAS = np.geomspace(1e-3, 1e3, 160)
_EG = np.linspace(-0.4, 1.6, 80)
_EX, _EY = np.meshgrid(_EG, _EG)
_LAM_AXIS = np.geomspace(1e-3, 1.0, 100)


def early_stopping_compute(lr: float, steps: int) -> dict[str, Any]:
    """The gradient-descent path from 0 for ``steps`` steps, the ridge path, and the matching α values."""
    d = np.stack([_EX - ES_W_STAR[0], _EY - ES_W_STAR[1]], axis=-1)
    J = 0.5 * np.einsum("...i,ij,...j->...", d, ES_H, d)
    path = np.array([early_stopping_weights(ES_H, ES_W_STAR, lr, t) for t in range(steps + 1)])
    ridge = np.array([l2_shrink(ES_H, ES_W_STAR, a) for a in _ES_ALPHAS])
    alpha_rule = 1.0 / (lr * steps)                                  # eq. 7.45
    lam_axis = _LAM_AXIS[_LAM_AXIS * lr < 1]
    return {"J": J, "path": path, "ridge": ridge, "alpha_rule": alpha_rule,
            "w_rule": l2_shrink(ES_H, ES_W_STAR, alpha_rule), "alpha_exact": early_stopping_alpha(ES_LAMBDAS, lr, steps),
            "lam": lam_axis, "gd_factor": 1 - (1 - lr * lam_axis) ** steps,
            "ridge_factor": l2_shrink_factors(lam_axis, alpha_rule), "lr": lr, "steps": steps}


def early_stopping_draw(d: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.9, height=3.6, layout=None)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.86, wspace=0.3)
    ax.contour(_EX, _EY, d["J"], levels=np.geomspace(0.002, 1, 8), colors="0.65", linewidths=0.7)
    ax.plot(*d["ridge"].T, color=COLORS["second"], lw=1.2, label="ridge path w̃(α)")
    ax.plot(*d["path"].T, ".-", color=COLORS["data"], ms=2, lw=0.8, label="gradient descent from 0")
    ax.plot(*d["path"][-1], "o", color=COLORS["data"], ms=7, label=f"stop at τ = {d['steps']}")
    ax.plot(*d["w_rule"], "x", color=COLORS["second"], ms=9, mew=2, label="ridge at α = 1/(ετ)")
    ax.plot(*ES_W_STAR, "k*", ms=10)
    ax.set_xlim(_EG[0], _EG[-1])
    ax.set_ylim(_EG[0], _EG[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.legend(fontsize=6.5, loc="lower right")
    a = d["alpha_exact"]
    ax.set_title(f"ε = {d['lr']:g}, τ = {d['steps']}: 1/(ετ) = {d['alpha_rule']:.3g}\n"
                 f"exact α per direction: {a[0]:.3g} (λ=1), {a[1]:.3g} (λ=0.05)", fontsize=8)
    bx.semilogx(d["lam"], d["gd_factor"], color=COLORS["data"], label="early stopping 1 − (1 − ελ)^τ")
    bx.semilogx(d["lam"], d["ridge_factor"], "--", color=COLORS["second"], label="weight decay λ/(λ + 1/(ετ))")
    for lam in ES_LAMBDAS:
        bx.axvline(lam, color="0.8", lw=0.8)
    bx.set_ylim(-0.02, 1.02)
    bx.set_xlim(1e-3, 1.0)
    bx.set_xlabel("eigenvalue λ")
    bx.set_title("factor applied to each component of w*", fontsize=8)
    bx.legend(fontsize=6.5, loc="upper left")
    return fig


@register
def early_stopping_demo() -> Demo:
    """Sliders for the step size ε and the number of steps τ."""
    return Demo(
        compute=early_stopping_compute, draw=early_stopping_draw,
        # 3 × 10 pre-rendered frames (a frame takes ~0.4 s to draw); τ = 2, 24, 46, …, 200
        controls=[Slider("lr", 0.1, 0.9, 0.1, 0.5, "step size ε", frames=3),
                  Slider("steps", 2, 200, 2, 24, "steps τ", frames=10)],
        title="Early stopping walks along (nearly) the ridge path",
        alt="left: contours of a tilted quadratic with the gradient-descent path from the origin and the ridge "
            "path; right: the per-eigenvalue factors of early stopping and of weight decay with alpha = 1/(eps tau)",
    )


# -- the dropout ensemble against the weight scaling rule (§7.12) ----------------------------------------

#: Inputs the dropout demo evaluates on (fixed seed).
DROPOUT_X = np.random.default_rng(7).standard_normal((20, 4)) * 1.5


@lru_cache(maxsize=1)
def _dropout_models() -> tuple[np.ndarray, np.ndarray, tuple]:
    rng = np.random.default_rng(3)
    W, b = 1.5 * rng.standard_normal((3, 8)), 0.5 * rng.standard_normal(3)
    layers = init_mlp([4, 4, 3], rng)
    for layer in layers:
        layer.W *= 2.0
    return W, b, tuple(layers)


def dropout_compute(p_keep: float, model: str) -> dict[str, Any]:
    """Exact geometric-mean ensemble over all 2⁸ masks, the weight-scaled model and the arithmetic mean."""
    W, b, layers = _dropout_models()
    masks = all_masks(8)
    weights = mask_probabilities(masks, p_keep)
    if model == "softmax regression":
        X = np.hstack([DROPOUT_X, DROPOUT_X[:, ::-1] ** 2 / 3])          # eight inputs
        geo = softmax_regression_dropout_ensemble(W, b, X, p_keep)
        scaled = weight_scaled_softmax(W, b, X, p_keep)
        member = [softmax((X * mu) @ W.T + b, axis=1) for mu in masks]
    else:
        X = DROPOUT_X
        geo = dropout_ensemble(lambda mu: log_softmax(mlp_dropout_logits(list(layers), X, mu), axis=1), 8, p_keep)
        scaled = softmax(mlp_dropout_logits(list(layers), X, np.ones(8), p_keep), axis=1)
        member = [softmax(mlp_dropout_logits(list(layers), X, mu), axis=1) for mu in masks]
    arith = np.tensordot(weights, np.array(member), axes=1)
    return {"geo": geo, "scaled": scaled, "arith": arith, "p": p_keep, "model": model,
            "gap_geo": np.abs(geo - scaled).max(axis=1), "gap_arith": np.abs(arith - scaled).max(axis=1)}


def dropout_draw(d: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.8, height=3.3, layout=None)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.85, wspace=0.35)
    k = np.arange(3)
    for off, key, label, color in [(-0.27, "geo", "geometric mean, all 2⁸ masks", COLORS["data"]),
                                   (0.0, "scaled", "weight scaling rule", COLORS["model"]),
                                   (0.27, "arith", "arithmetic mean, all masks", COLORS["optimum"])]:
        ax.bar(k + off, d[key][0], width=0.26, color=color, label=label)
    ax.set_xticks(k, ["class 0", "class 1", "class 2"])
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("p(y | x)")
    ax.legend(fontsize=6.5, loc="upper left")
    ax.set_title(f"{d['model']}, p_keep = {d['p']:g}: first input", fontsize=8)
    x = np.arange(len(d["gap_geo"]))
    floor = 1e-17
    bx.semilogy(x, np.maximum(d["gap_geo"], floor), "o", color=COLORS["data"], ms=4, label="|geometric − scaled|")
    bx.semilogy(x, np.maximum(d["gap_arith"], floor), "^", color=COLORS["optimum"], ms=4, label="|arithmetic − scaled|")
    bx.set_ylim(floor / 2, 1.0)
    bx.set_xlabel("input")
    bx.set_title(f"largest gap: {d['gap_geo'].max():.1e} (geometric)", fontsize=8)
    bx.legend(fontsize=6.5, loc="lower right")
    return fig


@register
def dropout_ensemble_demo() -> Demo:
    """A slider for the inclusion probability and a choice of model."""
    return Demo(
        compute=dropout_compute, draw=dropout_draw,
        controls=[Slider("p_keep", 0.1, 1.0, 0.05, 0.5, "inclusion probability p", frames=10),
                  Choice("model", ["softmax regression", "ReLU network"], "softmax regression", "model")],
        title="Dropout: the exact ensemble against the weight scaling rule",
        alt="bars of class probabilities from the exact geometric-mean dropout ensemble, the weight-scaled model "
            "and the arithmetic mean, and the gap between them for twenty inputs on a log scale",
    )
