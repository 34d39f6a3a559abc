"""Demos of Chapter 1: representation matters (§1.1, fig. 1.1) and the perceptron at work and failing on XOR (§1.2.1)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import check_int
from dlbook.classifiers import fit_logistic_regression
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.perceptron import perceptron_fit
from dlbook.plotting import COLORS, two_panels


@lru_cache(maxsize=None)
def concentric_circles(m: int = 200, noise: float = 0.08, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``m`` points on two noisy concentric circles (radii 0.5 and 1, half each); label 1 is the inner circle."""
    m = check_int(m, "m", low=2)
    rng = np.random.default_rng(seed)
    y = np.arange(m) % 2
    angle = rng.uniform(-np.pi, np.pi, m)
    radius = np.where(y == 1, 0.5, 1.0) + noise * rng.standard_normal(m)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def blended_features(X: np.ndarray, t: float) -> np.ndarray:
    """``(1 − t)·(x₁, x₂) + t·(r, θ/π)``: Cartesian coordinates at ``t = 0``, polar ones at ``t = 1``."""
    r = np.hypot(X[:, 0], X[:, 1])
    theta = np.arctan2(X[:, 1], X[:, 0]) / np.pi
    return (1 - t) * X + t * np.c_[r, theta]


_GRID = np.linspace(-1.4, 1.4, 61)


def representation_compute(blend: float) -> dict[str, Any]:
    """Fit a logistic regression to the circles in the blended representation; its accuracy and decision region."""
    if not 0.0 <= blend <= 1.0:
        raise ValueError(f"blend must be in [0, 1]; got {blend}")
    X, y = concentric_circles()
    F = blended_features(X, blend)
    model = fit_logistic_regression(F, y, learning_rate=5.0, epochs=150)
    gx, gy = np.meshgrid(_GRID, _GRID)
    G = np.c_[gx.ravel(), gy.ravel()]
    region = model.predict_proba(blended_features(G, blend)).reshape(gx.shape)
    return {"X": X, "y": y, "F": F, "blend": blend, "region": region, "w": model.weights, "b": model.bias,
            "accuracy": float(np.mean(model.predict(F) == y))}


def representation_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.3)
    X, y, F = data["X"], data["y"], data["F"]
    colors = np.where(y == 1, COLORS["model"], COLORS["data"])
    ax.contourf(_GRID, _GRID, data["region"], levels=[0, 0.5, 1], colors=["#DCE6F2", "#F7E1CF"])
    ax.contour(_GRID, _GRID, data["region"], levels=[0.5], colors="k", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=9)
    ax.set_aspect("equal")
    ax.set_title(f"input space: accuracy {100 * data['accuracy']:.0f}%", fontsize=9)
    bx.scatter(F[:, 0], F[:, 1], c=colors, s=9)
    w, b = data["w"], data["b"]
    lo, hi = F[:, 0].min() - 0.1, F[:, 0].max() + 0.1
    if abs(w[1]) > 1e-9 * max(abs(w[0]), 1e-300):
        xs = np.array([lo, hi])
        bx.plot(xs, -(b + w[0] * xs) / w[1], color="k", lw=1)
    else:
        bx.axvline(-b / w[0], color="k", lw=1)
    bx.set_xlim(lo, hi)
    bx.set_ylim(F[:, 1].min() - 0.1, F[:, 1].max() + 0.1)
    bx.set_title(f"feature space, blend t = {data['blend']:.2f}", fontsize=9)
    bx.set_xlabel("(1 − t) x₁ + t r")
    bx.set_ylabel("(1 − t) x₂ + t θ/π")
    return fig


@register
def representation_demo() -> Demo:
    """Slide from Cartesian to polar features and watch a linear classifier go from chance to perfect."""
    return Demo(
        compute=representation_compute, draw=representation_draw,
        controls=[Slider("blend", 0.0, 1.0, 0.05, 0.0, "Cartesian (0) → polar (1)", frames=6)],
        title="Representation matters: the same classifier on blended features",
        alt="two concentric rings of points with a logistic regression's decision region in the input plane, and the "
            "same points in the blended feature space with the straight decision line",
    )


@lru_cache(maxsize=None)
def perceptron_problem(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Twenty separable points in the plane (``"separable"``) or the four XOR corners (``"xor"``), labels 0/1."""
    if kind == "xor":
        return np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float) * 2 - 1, np.array([0, 1, 1, 0])
    if kind != "separable":
        raise ValueError(f"kind must be 'separable' or 'xor'; got {kind!r}")
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (40, 2))
    score = X @ np.array([1.0, -2.0]) + 0.3
    keep = np.flatnonzero(np.abs(score) > 0.3)[:20]
    return X[keep], (score[keep] > 0).astype(int)


def perceptron_steps_compute(updates: int, kind: str = "separable") -> dict[str, Any]:
    """The perceptron after ``updates`` updates (or as far as it got), on ``kind`` data."""
    updates = check_int(updates, "updates", low=0)
    X, y = perceptron_problem(kind)
    run = perceptron_fit(X, y, epochs=30)
    k = min(updates, len(run.history) - 1)
    w, b = run.history[k, :2], run.history[k, 2]
    H = run.history[:25]
    wrong_counts = np.sum(np.sign(X @ H[:, :2].T + H[:, 2]) != (2 * y - 1)[:, None], axis=0)
    wrong = np.sign(X @ w + b) != 2 * y - 1
    return {"X": X, "y": y, "w": w, "b": float(b), "k": k, "total": len(run.history) - 1, "counts": wrong_counts,
            "wrong": wrong, "next": int(run.updated[k]) if k < len(run.updated) else -1,
            "converged": bool(run.epoch_mistakes[-1] == 0), "kind": kind}


def perceptron_steps_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.1)
    X, y, w, b = data["X"], data["y"], data["w"], data["b"]
    ax.scatter(*X[y == 1].T, marker="o", color=COLORS["model"], s=30)
    ax.scatter(*X[y == 0].T, marker="s", color=COLORS["data"], s=30)
    ax.scatter(*X[data["wrong"]].T, facecolors="none", edgecolors="k", s=110, lw=1)
    if data["next"] >= 0:
        ax.scatter(*X[data["next"]], marker="x", color=COLORS["second"], s=90, lw=2)
    xs = np.array([-1.3, 1.3])
    if abs(w[1]) > 1e-12:
        ax.plot(xs, -(b + w[0] * xs) / w[1], color="k", lw=1)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-b / w[0], color="k", lw=1)
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.set_xlabel("●  y = +1    ■  y = −1    ○  wrong    ×  next update", fontsize=7)
    ax.set_title(f"after {data['k']} of {data['total']} updates", fontsize=9)
    counts = data["counts"]
    bx.plot(np.arange(len(counts)), counts, "-o", color=COLORS["data"], ms=3)
    if data["k"] < len(counts):
        bx.plot([data["k"]], [counts[data["k"]]], "o", color=COLORS["second"], ms=8)
    bx.set_xlim(-0.5, 24.5)
    bx.set_ylim(-0.3, len(y) + 0.3)
    bx.set_xlabel("update")
    bx.set_ylabel("misclassified points")
    status = (f"separated after {data['total']} updates" if data["converged"]
              else f"never separated ({data['total']} updates in 30 passes)")
    bx.set_title(status, fontsize=9)
    return fig


@register
def perceptron_steps_demo() -> Demo:
    """Step through the perceptron's updates on separable data, then on XOR, where it never stops."""
    return Demo(
        compute=perceptron_steps_compute, draw=perceptron_steps_draw,
        controls=[Slider("updates", 0, 24, 1, 0, "number of updates", frames=5),
                  Choice("kind", [("separable points", "separable"), ("XOR", "xor")], "separable", "data")],
        title="The perceptron, one update at a time",
        alt="points of two classes in the plane with the perceptron's current decision line, the misclassified "
            "points circled and the next point to cause an update marked, and a bar of the misclassified count",
    )
