"""Demos of the research-frontiers chapter: one control per miniature that makes the paper's point.

Everything trained (curves, Hessians, logits, ensemble members) is computed in the notebook and passed in through
``Demo(data=...)``; here only NumPy turns it into pictures. Without data each factory uses small synthetic
stand-ins, so the demos can be swept by the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.calibration import calibrated_probabilities, expected_calibration_error, reliability_bins
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.flows import affine_flow_logpdf, grid_integral
from dlbook.hypergradients import unrolled_ridge
from dlbook.plotting import COLORS, fixed_panels, new_figure
from dlbook.sharpness import rescaled_hessian, rescaling, top_eigenvalue


def _two(width: float = 3.2, height: float = 2.6) -> tuple[Figure, Any, Any]:
    fig, (ax, bx) = new_figure(ncols=2, width=width, height=height, layout=None)
    fixed_panels(fig, bottom=0.18, wspace=0.12, left=0.09, top=0.86)
    return fig, ax, bx


def _one(width: float = 4.4, left: float = 0.14) -> tuple[Figure, Any]:
    fig, (ax,) = new_figure(width=width, height=2.8, layout=None)
    fig.subplots_adjust(left=left, bottom=0.18, right=0.97, top=0.86)
    return fig, ax


# -- Zhang et al. 2017: random labels -------------------------------------------------------------------------

def memorisation_compute(curves: np.ndarray, shares: np.ndarray, test_accuracy: np.ndarray,
                         share: float = 1.0) -> dict[str, Any]:
    """The training-accuracy curve of the chosen share of random labels, and test accuracy against the share."""
    k = int(np.argmin(np.abs(shares - share)))
    steps = int(np.argmax(curves[k] >= 1.0)) if np.any(curves[k] >= 1.0) else len(curves[k])
    return {"curves": curves, "k": k, "shares": shares, "test": test_accuracy, "steps": steps}


def memorisation_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two()
    for j, c in enumerate(data["curves"]):
        ax.plot(c, color=COLORS["model"] if j == data["k"] else "0.8", lw=2 if j == data["k"] else 1)
    ax.set_xlabel("full-batch step")
    ax.set_ylabel("training accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{data['shares'][data['k']]:.0%} random: all fitted at step {data['steps']}", fontsize=9)
    bx.plot(data["shares"], data["test"], "o-", color=COLORS["data"])
    bx.plot(data["shares"][data["k"]], data["test"][data["k"]], "o", ms=10, color=COLORS["model"])
    bx.axhline(0.1, color=COLORS["muted"], ls=":", lw=1)
    bx.set_xlabel("share of labels randomised")
    bx.set_ylabel("test accuracy (true labels)")
    bx.set_ylim(0, 1.05)
    bx.set_title("chance is 0.1", fontsize=9)
    return fig


@register
def memorisation_demo(curves: Any = None, shares: Any = None, test_accuracy: Any = None) -> Demo:
    """``curves[j]``: training accuracy per step for ``shares[j]`` random labels (padded with 1 once fitted)."""
    if curves is None:
        shares = np.linspace(0, 1, 3)
        steps = np.arange(80)
        curves = np.array([np.minimum(1.0, 0.1 + steps / (25 + 35 * s)) for s in shares])
        test_accuracy = 0.95 - 0.85 * shares
    data = {"curves": np.asarray(curves, float), "shares": np.asarray(shares, float),
            "test_accuracy": np.asarray(test_accuracy, float)}
    return Demo(memorisation_compute, memorisation_draw, data=data,
                controls=[Slider("share", 0.0, 1.0, 0.5, 1.0, label="share of random labels")],
                title="Fitting random labels",
                alt="Left: training accuracy against step for several shares of random labels, every curve "
                    "reaching 1. Right: test accuracy falling from about 0.95 to chance as the share grows.")


# -- Li et al. 2018: intrinsic dimension ---------------------------------------------------------------------

def intrinsic_compute(dims: np.ndarray, accuracy: np.ndarray, full: float, D: float, d: int = 64) -> dict[str, Any]:
    """Accuracy against subspace dimension, with the chosen ``d`` marked and ``d_90`` (first d reaching 90 %)."""
    k = int(np.argmin(np.abs(dims - d)))
    reach = np.nonzero(accuracy >= 0.9 * full)[0]
    return {"dims": dims, "accuracy": accuracy, "full": full, "D": D, "k": k,
            "d90": float(dims[reach[0]]) if reach.size else float("inf")}


def intrinsic_draw(data: dict[str, Any]) -> Figure:
    fig, ax = _one()
    ax.semilogx(data["dims"], data["accuracy"], "o-", color=COLORS["data"])
    ax.minorticks_off()
    ax.axhline(data["full"], color=COLORS["optimum"], lw=1, label=f"all D = {data['D']:.0f} parameters")
    ax.axhline(0.9 * data["full"], color=COLORS["muted"], ls=":", lw=1, label="90 % of that")
    k = data["k"]
    ax.plot(data["dims"][k], data["accuracy"][k], "o", ms=10, color=COLORS["model"])
    ax.set_xlabel("subspace dimension d (log scale)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"d = {data['dims'][k]:.0f} ({data['dims'][k] / data['D']:.1%} of D): "
                 f"accuracy {data['accuracy'][k]:.2f}", fontsize=9)
    return fig


@register
def intrinsic_dimension_demo(dims: Any = None, accuracy: Any = None, full: float = 0.95, D: int = 2410) -> Demo:
    if dims is None:
        dims = np.array([4, 16, 64, 128, 256])
        accuracy = full * (1 - np.exp(-dims / 60))
    dims = np.asarray(dims, float)
    data = {"dims": dims, "accuracy": np.asarray(accuracy, float), "full": float(full), "D": float(D)}
    return Demo(intrinsic_compute, intrinsic_draw, data=data,
                controls=[Choice("d", [int(v) for v in dims], int(dims[len(dims) // 2]), label="subspace dimension d")],
                title="Training in a random subspace",
                alt="Test accuracy against the dimension of a random training subspace on a log axis, rising "
                    "towards the full network's accuracy, with a dotted line at 90 % of it.")


# -- Dinh et al. 2017: sharpness under rescaling -------------------------------------------------------------

def rescaling_compute(hessian: np.ndarray, sizes: np.ndarray, loss: float, log_alpha: float = 0.0) -> dict[str, Any]:
    """Top Hessian eigenvalue at the rescaled parameters ``D θ`` for a grid of α and the chosen one."""
    size = tuple(int(v) for v in sizes)
    grid = np.linspace(-1.5, 1.5, 31)
    curve = np.array([top_eigenvalue(rescaled_hessian(hessian, rescaling(size, 10 ** a))) for a in grid])
    return {"grid": grid, "curve": curve, "log_alpha": log_alpha, "loss": loss,
            "top": top_eigenvalue(rescaled_hessian(hessian, rescaling(size, 10 ** log_alpha)))}


def rescaling_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two()
    ax.semilogy(data["grid"], data["curve"], color=COLORS["second"])
    ax.minorticks_off()
    ax.plot(data["log_alpha"], data["top"], "o", ms=9, color=COLORS["model"])
    ax.set_xlabel("log10 α")
    ax.set_ylabel("largest Hessian eigenvalue")
    ax.set_title(f"sharpness {data['top']:.3g}", fontsize=9)
    bx.plot(data["grid"], np.full_like(data["grid"], data["loss"]), color=COLORS["optimum"])
    bx.plot(data["log_alpha"], data["loss"], "o", ms=9, color=COLORS["model"])
    bx.set_ylim(0, max(0.1, 3 * data["loss"]))
    bx.set_xlabel("log10 α")
    bx.set_ylabel("training loss")
    bx.set_title(f"loss {data['loss']:.6f} at every α", fontsize=9)
    return fig


@register
def rescaling_demo(hessian: Any = None, sizes: Any = (2, 3, 2), loss: float = 0.1) -> Demo:
    """``hessian`` of the loss at the trained parameters of a ``sizes`` ReLU network, and the loss there."""
    if hessian is None:
        n = len(rescaling(tuple(sizes), 1.0))
        A = np.random.default_rng(0).standard_normal((n, n))
        hessian = A @ A.T / n
    data = {"hessian": np.asarray(hessian, float), "sizes": np.asarray(sizes), "loss": float(loss)}
    return Demo(rescaling_compute, rescaling_draw, data=data,
                controls=[Slider("log_alpha", -1.5, 1.5, 0.25, 0.0, label="log10 α (layer 1 × α, layer 2 ÷ α)",
                                 frames=3)],
                title="Same function, any sharpness",
                alt="Left: the largest Hessian eigenvalue against log alpha, a U-shaped curve on a log axis. "
                    "Right: the training loss, a flat line: the rescaled networks are the same function.")


# -- Lillicrap et al. 2016: feedback alignment ---------------------------------------------------------------

def alignment_compute(angle_fa: np.ndarray, angle_bp: np.ndarray, acc_fa: np.ndarray, acc_bp: np.ndarray,
                      step: int = 100) -> dict[str, Any]:
    """The curves up to ``step``."""
    s = int(np.clip(step, 1, len(angle_fa)))
    return {"s": s, "n": len(angle_fa), "angle_fa": angle_fa[:s], "angle_bp": angle_bp[:s], "acc_fa": acc_fa[:s],
            "acc_bp": acc_bp[:s]}


def alignment_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two()
    t = np.arange(1, data["s"] + 1)
    ax.plot(t, data["angle_fa"], color=COLORS["model"], label="feedback alignment")
    ax.plot(t, data["angle_bp"], color=COLORS["data"], label="back-propagation")
    ax.axhline(90, color=COLORS["muted"], ls=":", lw=1)
    ax.set_xlim(0, data["n"])
    ax.set_ylim(0, 100)
    ax.set_xlabel("step")
    ax.set_ylabel("angle(W2ᵀ, B) in degrees")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"step {data['s']}: {data['angle_fa'][-1]:.0f}° with feedback alignment", fontsize=9)
    bx.plot(t, data["acc_fa"], color=COLORS["model"])
    bx.plot(t, data["acc_bp"], color=COLORS["data"])
    bx.set_xlim(0, data["n"])
    bx.set_ylim(0, 1.02)
    bx.set_xlabel("step")
    bx.set_ylabel("test accuracy")
    bx.set_title(f"FA {data['acc_fa'][-1]:.3f}, BP {data['acc_bp'][-1]:.3f}", fontsize=9)
    return fig


@register
def alignment_demo(angle_fa: Any = None, angle_bp: Any = None, acc_fa: Any = None, acc_bp: Any = None) -> Demo:
    if angle_fa is None:
        t = np.arange(1, 201)
        angle_fa, angle_bp = 90 - 45 * (1 - np.exp(-t / 40)), np.full(200, 90.0)
        acc_fa, acc_bp = 0.95 * (1 - np.exp(-t / 30)), 0.96 * (1 - np.exp(-t / 20))
    data = {k: np.asarray(v, float) for k, v in
            {"angle_fa": angle_fa, "angle_bp": angle_bp, "acc_fa": acc_fa, "acc_bp": acc_bp}.items()}
    n = len(data["angle_fa"])
    return Demo(alignment_compute, alignment_draw, data=data,
                controls=[Slider("step", 1, n, 1, n, label="training step", frames=3)],
                title="Feedback alignment: the weights align with the random feedback",
                alt="Left: the angle between the output weights and the fixed random feedback matrix, falling "
                    "from 90 degrees under feedback alignment and staying at 90 under back-propagation. Right: "
                    "test accuracy of both rising to similar values.")


# -- Maclaurin et al. 2015: hypergradients -------------------------------------------------------------------

def hypergradient_compute(X: np.ndarray, y: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, grid: np.ndarray,
                          curve: np.ndarray, log_lam: float = -1.0) -> dict[str, Any]:
    """The validation-loss ``curve`` over ``grid`` (computed once) and the tangent at the chosen ``log λ``."""
    value, slope, _ = unrolled_ridge(X, y, X_val, y_val, log_lam)
    return {"grid": grid, "curve": curve, "log_lam": log_lam, "value": value, "slope": slope}


def hypergradient_draw(data: dict[str, Any]) -> Figure:
    fig, ax = _one()
    ax.plot(data["grid"], data["curve"], color=COLORS["data"], label="validation loss after training")
    a, v, g = data["log_lam"], data["value"], data["slope"]
    t = np.linspace(a - 0.8, a + 0.8, 2)
    ax.plot(t, v + g * (t - a), color=COLORS["model"], lw=2, label="tangent from the hypergradient")
    ax.plot(a, v, "o", color=COLORS["model"])
    ax.set_xlabel("log λ (weight decay)")
    ax.set_ylabel("validation loss")
    ax.set_ylim(data["curve"].min() - 0.5, data["curve"].max() + 0.5)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"dL_val/d log λ = {g:.3f} at log λ = {a:g}", fontsize=9)
    return fig


@register
def hypergradient_demo(X: Any = None, y: Any = None, X_val: Any = None, y_val: Any = None) -> Demo:
    if X is None:
        r = np.random.default_rng(0)
        w = r.standard_normal(20)
        X, X_val = r.standard_normal((30, 20)), r.standard_normal((100, 20))
        y, y_val = X @ w + 2 * r.standard_normal(30), X_val @ w + 2 * r.standard_normal(100)
    data = {"X": np.asarray(X, float), "y": np.asarray(y, float), "X_val": np.asarray(X_val, float),
            "y_val": np.asarray(y_val, float), "grid": np.linspace(-5, 2, 29)}
    data["curve"] = np.array([unrolled_ridge(data["X"], data["y"], data["X_val"], data["y_val"], a)[0]
                              for a in data["grid"]])   # validation loss after 100 unrolled steps, once per demo
    return Demo(hypergradient_compute, hypergradient_draw, data=data,
                controls=[Slider("log_lam", -5.0, 2.0, 0.25, -1.0, label="log λ", frames=3)],
                title="The hypergradient is the slope of validation loss against λ",
                alt="Validation loss after 100 steps of gradient descent against log weight decay, a valley, "
                    "with the tangent line given by the hypergradient at the chosen point.")


# -- Veit et al. 2016: lesioning residual networks -----------------------------------------------------------

def lesion_compute(residual: np.ndarray, plain: np.ndarray, block: int = 0) -> dict[str, Any]:
    """Test accuracy of both networks intact (index 0) and with each block deleted (index k + 1)."""
    return {"residual": residual, "plain": plain, "block": int(block)}


def lesion_draw(data: dict[str, Any]) -> Figure:
    fig, ax = _one()
    k = data["block"]
    names = ["residual", "plain"]
    full = [data["residual"][0], data["plain"][0]]
    cut = [data["residual"][k + 1], data["plain"][k + 1]]
    ax.bar(np.arange(2) - 0.2, full, 0.38, color=COLORS["muted"], label="intact")
    ax.bar(np.arange(2) + 0.2, cut, 0.38, color=COLORS["second"], label=f"block {k} deleted")
    ax.set_xticks([0, 1], names)
    ax.axhline(0.1, color="k", ls=":", lw=1)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"residual {cut[0]:.2f}, plain {cut[1]:.2f} without block {k}", fontsize=9)
    return fig


@register
def lesion_demo(residual: Any = None, plain: Any = None) -> Demo:
    if residual is None:
        residual, plain = np.array([0.96, 0.9, 0.93, 0.92, 0.94]), np.array([0.9, 0.1, 0.12, 0.08, 0.15])
    data = {"residual": np.asarray(residual, float), "plain": np.asarray(plain, float)}
    n = len(data["residual"]) - 1
    return Demo(lesion_compute, lesion_draw, data=data,
                controls=[Slider("block", 0, n - 1, 1, 0, label="deleted block", frames=2)],
                title="Deleting one block at test time",
                alt="Bars of test accuracy for a residual and a plain network, intact and with one block "
                    "deleted: the residual network barely changes, the plain one falls to chance.")


# -- Guo et al. 2017: temperature scaling --------------------------------------------------------------------

def temperature_compute(logits: np.ndarray, labels: np.ndarray, fitted: float, T: float = 1.0) -> dict[str, Any]:
    """Reliability bins and ECE of ``softmax(logits / T)``."""
    y = labels.astype(int)
    p = calibrated_probabilities(logits, T)
    bins = reliability_bins(p, y, bins=10)
    filled = bins["count"] > 0
    return {"confidence": np.where(filled, bins["confidence"], 0.0), "accuracy": np.where(filled, bins["accuracy"], 0.0),
            "count": bins["count"], "ece": expected_calibration_error(p, y), "T": T, "fitted": fitted,
            "accuracy_all": float(np.mean(p.argmax(1) == y))}


def temperature_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _two()
    centres = (np.arange(10) + 0.5) / 10
    ax.bar(centres, data["accuracy"], 0.09, color=COLORS["data"], label="accuracy in the bin")
    ax.plot([0, 1], [0, 1], color=COLORS["muted"], ls="--", lw=1, label="calibrated")
    ax.set_xlabel("confidence (bin)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"T = {data['T']:g}: ECE {data['ece']:.3f}", fontsize=9)
    bx.bar(centres, data["count"] / data["count"].sum(), 0.09, color=COLORS["model"])
    bx.set_xlabel("confidence (bin)")
    bx.set_ylabel("share of test inputs")
    bx.set_xlim(0, 1)
    bx.set_ylim(0, 1)
    bx.set_title(f"accuracy {data['accuracy_all']:.3f} at every T (fitted T = {data['fitted']:.2f})", fontsize=8)
    return fig


@register
def temperature_demo(logits: Any = None, labels: Any = None, fitted: float = 1.0) -> Demo:
    if logits is None:
        r = np.random.default_rng(0)
        labels = r.integers(0, 10, 300)
        logits = 3 * r.standard_normal((300, 10))
        logits[np.arange(300), labels] += 6
    data = {"logits": np.asarray(logits, float), "labels": np.asarray(labels, float), "fitted": float(fitted)}
    return Demo(temperature_compute, temperature_draw, data=data,
                controls=[Slider("T", 0.5, 4.0, 0.25, 1.0, label="temperature T", frames=3)],
                title="Temperature scaling and the reliability diagram",
                alt="Left: a reliability diagram, accuracy per confidence bin against the diagonal. Right: the "
                    "share of test inputs in each confidence bin, which moves left as the temperature rises.")


# -- Lakshminarayanan et al. 2017 / Gal & Ghahramani 2016: ensembles -----------------------------------------

def ensemble_compute(grid: np.ndarray, predictions: np.ndarray, x: np.ndarray, y: np.ndarray,
                     members: int = 8) -> dict[str, Any]:
    """Mean and standard deviation of the first ``members`` members' predictions."""
    P = predictions[: int(members)]
    return {"grid": grid, "P": P, "mean": P.mean(0), "std": P.std(0), "x": x, "y": y, "members": int(members)}


def ensemble_draw(data: dict[str, Any]) -> Figure:
    fig, ax = _one(width=4.6, left=0.12)
    g, m, s = data["grid"], data["mean"], data["std"]
    for p in data["P"]:
        ax.plot(g, p, color="0.75", lw=0.8)
    ax.fill_between(g, m - 2 * s, m + 2 * s, color=COLORS["model"], alpha=0.3, label="mean ± 2 std")
    ax.plot(g, m, color=COLORS["model"])
    ax.plot(data["x"], data["y"], ".", color=COLORS["data"], label="training data")
    ax.set_ylim(-3, 3)
    ax.set_xlabel("x")
    ax.set_ylabel("prediction")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"{data['members']} member(s)", fontsize=9)
    return fig


@register
def ensemble_demo(grid: Any = None, predictions: Any = None, x: Any = None, y: Any = None) -> Demo:
    if grid is None:
        grid = np.linspace(-6, 6, 61)
        r = np.random.default_rng(0)
        x = np.linspace(-3, 3, 20)
        y = np.sin(x)
        predictions = np.sin(grid) + 0.1 * r.standard_normal((8, 1)) * grid
    data = {"grid": np.asarray(grid, float), "predictions": np.asarray(predictions, float),
            "x": np.asarray(x, float), "y": np.asarray(y, float)}
    n = len(data["predictions"])
    return Demo(ensemble_compute, ensemble_draw, data=data,
                controls=[Slider("members", 1, n, 1, n, label="ensemble members", frames=2)],
                title="A deep ensemble's spread",
                alt="Predictions of several regression networks trained from different initialisations on two "
                    "clusters of points, with a band of two standard deviations that is narrow on the data and "
                    "wide between and beyond the clusters.")


# -- Rezende & Mohamed 2015: a flow needs its log-determinant ------------------------------------------------

LIMIT, CELLS = 5.0, 81


def flow_compute(strength: float = 1.0, log_det: bool = True) -> dict[str, Any]:
    """The 2-D affine autoregressive flow's density on a grid, with and without the Jacobian term."""
    t = np.linspace(-LIMIT, LIMIT, CELLS)
    Y = np.stack(np.meshgrid(t, t), axis=-1)
    logp = affine_flow_logpdf(Y, strength, log_det=log_det)
    return {"density": np.exp(logp), "integral": grid_integral(logp, t[1] - t[0]), "strength": strength,
            "log_det": bool(log_det)}


def flow_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=3.6, height=3.2, layout=None)
    fig.subplots_adjust(left=0.15, bottom=0.14, right=0.96, top=0.86)
    ax.imshow(data["density"], origin="lower", extent=(-LIMIT, LIMIT, -LIMIT, LIMIT), cmap="viridis")
    ax.set_xlabel("y1")
    ax.set_ylabel("y2")
    which = "with" if data["log_det"] else "without"
    ax.set_title(f"{which} log|det J|: integral {data['integral']:.3f}", fontsize=9)
    return fig


@register
def flow_demo() -> Demo:
    return Demo(flow_compute, flow_draw,
                controls=[Slider("strength", 0.0, 2.0, 0.25, 1.0, label="warp strength", frames=2),
                          Choice("log_det", [("with the log-determinant", True), ("without it", False)], True,
                                 label="density")],
                title="An autoregressive flow's density, and what the Jacobian term is for",
                alt="A heat map of a two-dimensional density made by bending a Gaussian along a sine curve, "
                    "with its numerical integral in the title: 1 with the log-determinant term, not 1 without.")
