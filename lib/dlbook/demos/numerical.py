"""Demos of Chapter 4: softmax overflow (§4.1), gradient descent on an ill-conditioned quadratic
(§4.3, fig. 4.6) and least squares inside the unit ball (§4.5, eq. 4.26)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.floating_point import naive_log_softmax, naive_softmax
from dlbook.optimize import (constrained_lstsq, gradient_descent, max_stable_learning_rate, newton_step,
                             quadratic_with_condition, regularised_lstsq, steepest_descent_exact)
from dlbook.plotting import COLORS, color_key, square, two_panels
from dlbook.prob import log_softmax, softmax


# -- softmax overflow and underflow (§4.1) -------------------------------------------------------

#: The input patterns of the overflow demo: offsets added to the constant c.
SOFTMAX_INPUTS = {"all equal to c": (0.0, 0.0, 0.0, 0.0), "last one 1000 below c": (0.0, 0.0, 0.0, -1000.0)}


def _as_text(v: np.ndarray) -> list[str]:
    return [f"{a:.4g}" for a in v]  # nan, inf and -inf print as text, never as float data


def softmax_overflow_compute(c: float, inputs: str = "all equal to c") -> dict[str, Any]:
    """Naive and stable softmax and log-softmax of ``x = c + offsets``.

    The naive results may be NaN or −inf; they are returned as text and a boolean
    "finite" mask (the plotted values replace the failures by 0), never as NaN floats.
    """
    if inputs not in SOFTMAX_INPUTS:
        raise ValueError(f"inputs must be one of {list(SOFTMAX_INPUTS)}; got {inputs!r}")
    x = float(c) + np.array(SOFTMAX_INPUTS[inputs])
    naive, naive_log = naive_softmax(x), naive_log_softmax(x)
    ok, ok_log = np.isfinite(naive), np.isfinite(naive_log)
    with np.errstate(over="ignore", under="ignore"):
        exp_c = np.exp(np.float64(c))
    return {"c": float(c), "inputs": inputs, "x": x, "stable": softmax(x), "stable_log": log_softmax(x),
            "naive_shown": np.where(ok, naive, 0.0), "naive_ok": ok, "naive_text": _as_text(naive),
            "naive_log_shown": np.where(ok_log, naive_log, 0.0), "naive_log_ok": ok_log,
            "naive_log_text": _as_text(naive_log), "exp_c_text": f"{exp_c:.3g}"}


def softmax_overflow_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.1)
    idx = np.arange(len(data["x"]))
    w = 0.38
    ax.bar(idx - w / 2, data["naive_shown"], w, color=COLORS["second"])
    ax.bar(idx + w / 2, data["stable"], w, color=COLORS["optimum"])
    for i, (ok, txt) in enumerate(zip(data["naive_ok"], data["naive_text"])):
        if not ok:
            ax.text(i - w / 2, 0.02, txt, rotation=90, ha="center", va="bottom", color=COLORS["second"], fontsize=10)
    ax.set_ylim(0, 1.05)
    ax.set_xticks(idx, [f"x{i + 1}" for i in idx])
    ax.set_ylabel("softmax(x)ᵢ")
    ax.set_title(f"softmax, c = {data['c']:g}  (exp(c) = {data['exp_c_text']})", fontsize=9)
    color_key(ax, [("naive exp(x)/Σexp(x)", COLORS["second"]), ("stable: shift by max x", COLORS["optimum"])],
              x=0.97, ha="right")
    floor = min(-1100.0, float(data["stable_log"].min()) - 50)
    bx.bar(idx - w / 2, np.where(data["naive_log_ok"], data["naive_log_shown"], 0.0), w, color=COLORS["second"])
    bx.bar(idx + w / 2, data["stable_log"], w, color=COLORS["optimum"])
    for i, (ok, txt) in enumerate(zip(data["naive_log_ok"], data["naive_log_text"])):
        if not ok:
            bx.text(i - w / 2, floor * 0.02, txt, rotation=90, ha="center", va="top", color=COLORS["second"],
                    fontsize=10)
    bx.set_ylim(floor, 50)
    bx.set_xticks(idx, [f"x{i + 1}" for i in idx])
    bx.set_ylabel("log softmax(x)ᵢ")
    bx.set_title("log-softmax", fontsize=9)
    color_key(bx, [("naive log(softmax)", COLORS["second"]), ("stable x − logsumexp(x)", COLORS["optimum"])],
              x=0.03, y=0.03, ha="left", va="bottom")
    return fig


@register
def softmax_overflow_demo() -> Demo:
    """Slide the common constant c: the literal softmax breaks beyond |c| ≈ 710, the stable one never does."""
    return Demo(
        compute=softmax_overflow_compute, draw=softmax_overflow_draw,
        controls=[Slider("c", -1000, 1000, 10, 800, "constant c", frames=21),
                  Choice("inputs", list(SOFTMAX_INPUTS), "all equal to c", "inputs")],
        title="Softmax: overflow, underflow and the max-shift fix",
        alt="bar charts of the naive and stable softmax and log-softmax of four inputs near a constant c; "
            "the naive bars fail (nan or -inf) for large |c|",
    )


# -- gradient descent on an ill-conditioned quadratic (§4.3.1, fig. 4.6) ---------------------------

#: Where every run of the gradient-descent demo starts.
GD_START = np.array([-2.6, 1.4])
#: How many steps each method takes in the demo.
GD_STEPS = 30


@lru_cache(maxsize=64)
def _contours(condition: float, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = quadratic_with_condition(condition, angle)
    g = np.linspace(-3.2, 3.2, 81)
    X1, X2 = np.meshgrid(g, g)
    return X1, X2, q.value(np.stack([X1, X2], axis=-1))


def gd_quadratic_compute(condition: float, angle: float, lr_fraction: float) -> dict[str, Any]:
    """Gradient descent with ε = ``lr_fraction`` × 2/λ_max on ``½xᵀHx`` (κ(H) = ``condition``, λ_max = 1).

    Also returns Newton's one-step jump (eq. 4.12) and steepest descent with the
    optimal step of eq. 4.10 (an exact line search), each from the same start.
    """
    q = quadratic_with_condition(condition, angle)
    limit = max_stable_learning_rate(q.H)
    eps = float(lr_fraction) * limit
    gd = gradient_descent(q.gradient, GD_START, eps, GD_STEPS)
    exact = steepest_descent_exact(q, GD_START, GD_STEPS)
    newton = np.stack([GD_START, newton_step(GD_START, q.gradient(GD_START), q.H)])
    floor = 1e-16  # f − f* = f here (the minimum is 0 at the origin); clip at 1e-16 for the log plot
    return {"condition": float(condition), "angle": float(angle), "lr_fraction": float(lr_fraction),
            "eps": eps, "limit": limit, "gd": gd, "exact": exact, "newton": newton,
            "gd_values": np.maximum(q.value(gd), floor), "exact_values": np.maximum(q.value(exact), floor),
            "newton_values": np.maximum(q.value(newton), floor), "contours": _contours(float(condition), float(angle)),
            "diverges": bool(lr_fraction > 1.0)}


def gd_quadratic_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.4)
    X1, X2, F = data["contours"]
    square(ax, 3.2)
    ax.contour(X1, X2, F, levels=np.geomspace(0.01, F.max(), 9), colors="0.75", linewidths=0.7)
    outside = np.flatnonzero(np.abs(data["gd"]).max(axis=1) > 3.2)
    shown = data["gd"][: outside[0] + 1] if outside.size else data["gd"]  # a diverging path: up to where it leaves
    ax.plot(*shown.T, "-o", color=COLORS["second"], ms=2.5, lw=1)
    ax.plot(*data["exact"].T, "-", color=COLORS["data"], lw=1)
    ax.plot(*data["newton"].T, "--", color=COLORS["optimum"], lw=1.5)
    ax.plot([0], [0], "*", color="k", ms=9)
    color_key(ax, [(f"GD, ε = {data['eps']:.3g}", COLORS["second"]), ("optimal step ε* (4.10)", COLORS["data"]),
                   ("Newton (4.12)", COLORS["optimum"])], x=0.97, y=0.03, ha="right", va="bottom")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"κ = {data['condition']:g}, most curvature at {data['angle']:g}°", fontsize=9)
    # log10 on a linear axis: the same picture as semilogy without slow mathtext tick labels
    for key, style, color in (("gd_values", "-o", COLORS["second"]), ("exact_values", "-", COLORS["data"]),
                              ("newton_values", "--", COLORS["optimum"])):
        v = np.log10(data[key])
        bx.plot(np.arange(len(v)), v, style, ms=2.5, color=color)
    bx.set_ylim(-16.5, 10)
    bx.set_xlim(0, GD_STEPS)
    bx.set_xlabel("step")
    bx.set_ylabel("log10 of f(x) − f(x*)")
    verdict = "diverges" if data["diverges"] else ("oscillates" if data["lr_fraction"] == 1 else "converges")
    bx.set_title(f"ε = {data['lr_fraction']:g} × 2/λ_max: GD {verdict}", fontsize=9)
    color_key(bx, [("GD", COLORS["second"]), ("optimal step", COLORS["data"]), ("Newton", COLORS["optimum"])],
              x=0.03, ha="left")  # every curve starts near 0 and GD diverges to the right: the top left stays clear
    return fig


@register
def gd_quadratic_demo() -> Demo:
    """Sliders for the condition number, the direction of most curvature and ε relative to 2/λ_max."""
    return Demo(
        compute=gd_quadratic_compute, draw=gd_quadratic_draw,
        controls=[Slider("condition", 1, 50, 1, 17, "condition number κ", frames=4),
                  Slider("angle", 0, 90, 5, 45, "most curvature at (°)", frames=3),
                  Slider("lr_fraction", 0.2, 1.2, 0.05, 0.8, "ε / (2/λ_max)", frames=6)],
        title="Gradient descent in a canyon: condition number, direction and step size",
        alt="contours of a 2-D quadratic with the paths of gradient descent, optimal-step descent and Newton's "
            "method, and the objective against the step number on a log scale",
    )


# -- least squares in the unit ball (§4.5, eqs. 4.23–4.27) ---------------------------------------------

#: The small least-squares problem of the constrained demo: its unconstrained solution lies outside the unit disc.
CLS_A = np.array([[2.0, 0.5], [0.3, 1.0], [0.5, -0.4]])
CLS_B = np.array([2.6, 2.1, 0.2])


@lru_cache(maxsize=1)
def _cls_background() -> dict[str, Any]:
    g = np.linspace(-2.0, 2.0, 81)
    X1, X2 = np.meshgrid(g, g)
    P = np.stack([X1, X2], axis=-1)
    F = 0.5 * np.sum((P @ CLS_A.T - CLS_B) ** 2, axis=-1)
    lams = np.linspace(0, 3, 121)
    path = np.array([regularised_lstsq(CLS_A, CLS_B, lam) for lam in lams])
    sol = constrained_lstsq(CLS_A, CLS_B)
    return {"X1": X1, "X2": X2, "F": F, "lams": lams, "path": path, "norms": np.linalg.norm(path, axis=1),
            "x_star": sol.x, "lam_star": sol.lam}


def constrained_lstsq_compute(lam: float) -> dict[str, Any]:
    """x(λ) = (AᵀA + 2λI)⁻¹Aᵀb (eq. 4.26) for the slider's λ, with ∂L/∂λ = xᵀx − 1 (eq. 4.27)."""
    x = regularised_lstsq(CLS_A, CLS_B, lam)
    return {**_cls_background(), "lam": float(lam), "x": x, "norm": float(np.linalg.norm(x)),
            "dL_dlam": float(x @ x - 1.0)}


def constrained_lstsq_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.4)
    square(ax, 2.0)
    ax.contour(data["X1"], data["X2"], data["F"], levels=12, colors="0.75", linewidths=0.7)
    t = np.linspace(0, 2 * np.pi, 200)
    # the limits are fixed: add_artist skips measuring the disc for them
    ax.add_artist(Polygon(np.column_stack([np.cos(t), np.sin(t)]), color=COLORS["optimum"], alpha=0.12, lw=0))
    ax.plot(*data["path"].T, color=COLORS["muted"], lw=1.2)
    ax.plot(*data["path"][0], "s", color=COLORS["data"], ms=6)
    ax.plot(*data["x_star"], "*", color=COLORS["optimum"], ms=11)
    ax.plot(*data["x"], "o", color=COLORS["second"], ms=7)
    color_key(ax, [("▒ feasible: xᵀx ≤ 1", COLORS["optimum"]), ("— x(λ), λ from 0 to 3", COLORS["muted"]),
                   ("■ unconstrained A⁺b", COLORS["data"]), ("★ constrained optimum", COLORS["optimum"]),
                   ("● x(λ) at the slider", COLORS["second"])], x=0.03, y=0.03, ha="left", va="bottom", fontsize=6.5)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"λ = {data['lam']:.2f}: ‖x‖ = {data['norm']:.3f}", fontsize=9)
    bx.plot(data["lams"], data["norms"], color=COLORS["data"])
    bx.axhline(1.0, color=COLORS["optimum"], ls="--", lw=1)
    bx.axvline(data["lam_star"], color=COLORS["optimum"], ls=":", lw=1)
    bx.plot([data["lam"]], [data["norm"]], "o", color=COLORS["second"])
    bx.set_xlabel("λ")
    bx.set_ylabel("‖x(λ)‖")
    sign = "raise λ" if data["dL_dlam"] > 1e-9 else ("lower λ" if data["dL_dlam"] < -1e-9 else "stop")
    bx.set_title(f"∂L/∂λ = xᵀx − 1 = {data['dL_dlam']:+.3f} → {sign}", fontsize=9)
    return fig


@register
def constrained_lstsq_demo() -> Demo:
    """A slider for the multiplier λ: the Lagrangian's minimiser x(λ) moves into the unit disc as λ grows."""
    return Demo(
        compute=constrained_lstsq_compute, draw=constrained_lstsq_draw,
        controls=[Slider("lam", 0.0, 3.0, 0.05, 0.0, "multiplier λ", frames=31)],
        title="Least squares in the unit disc: choosing the KKT multiplier",
        alt="contours of a least-squares objective with the unit disc, the path of x(lambda) and the point "
            "for the chosen lambda; the norm of x(lambda) against lambda with the level 1 marked",
    )
