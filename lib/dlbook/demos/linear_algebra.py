"""Demos of Chapter 2: a matrix maps the unit circle to an ellipse (§2.7), and the PCA explorer (§2.12)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from dlbook.checks import check_int
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.pca import PCA, correlated_gaussian, direction_objective, fit_pca, pca_decode, pca_encode
from dlbook.plotting import COLORS, new_figure, square


def _rotation(angle_deg: float) -> np.ndarray:
    t = np.deg2rad(angle_deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


# -- eigendecomposition: the unit circle becomes an ellipse (§2.7, fig. 2.3) --------------------

def eigen_ellipse_compute(lambda1: float, lambda2: float, angle: float) -> dict[str, Any]:
    """The symmetric matrix ``A = Q diag(λ₁, λ₂) Qᵀ`` (Q a rotation by ``angle`` degrees) applied to the unit circle."""
    Q = _rotation(angle)
    A = Q @ np.diag([lambda1, lambda2]) @ Q.T
    t = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(t), np.sin(t)])
    return {"A": A, "Q": Q, "lambdas": np.array([lambda1, lambda2]), "circle": circle, "image": A @ circle}


def eigen_ellipse_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.6, height=4.2)
    square(ax, 3.2)
    ax.plot(*data["circle"], color=COLORS["muted"], lw=1.5, label="unit circle: x")
    ax.plot(*data["image"], color=COLORS["data"], lw=2, label="its image: Ax")
    for i, c in enumerate((COLORS["model"], COLORS["optimum"])):
        v, lam = data["Q"][:, i], data["lambdas"][i]
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": c, "lw": 1.5, "alpha": 0.5})
        ax.annotate("", xy=lam * v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": c, "lw": 2.5})
        ax.text(*(lam * v * 1.08 + 0.05), f"λ{i + 1}v{i + 1}", color=c, fontsize=10)
    A = data["A"]
    ax.set_title(f"A = [[{A[0, 0]:.2f}, {A[0, 1]:.2f}], [{A[1, 0]:.2f}, {A[1, 1]:.2f}]]", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    return fig


@register
def eigen_ellipse_demo() -> Demo:
    """Sliders for the eigenvalues and eigenvector angle of a symmetric 2×2 matrix."""
    return Demo(
        compute=eigen_ellipse_compute, draw=eigen_ellipse_draw,
        controls=[
            Slider("lambda1", -1.0, 3.0, 0.25, 2.0, "eigenvalue λ₁", frames=5),
            Slider("lambda2", -1.0, 3.0, 0.25, 1.0, "eigenvalue λ₂", frames=5),
            Slider("angle", 0, 135, 5, 45, "eigenvector angle (°)", frames=4),
        ],
        title="A symmetric matrix stretches space along its eigenvectors",
        alt="the unit circle and its image under A, an ellipse whose axes are the eigenvectors scaled by the eigenvalues",
    )


# -- PCA in 2-D: turn a direction, watch captured variance and error trade off (§2.12) -------------

#: The three 2-D data sets of the direction explorer: standard deviations along the principal axes.
PCA2D_SPREADS = {"strongly correlated": (2.0, 0.5), "mildly correlated": (1.6, 0.9), "round": (1.2, 1.2)}


@lru_cache(maxsize=None)
def pca2d_data(spread: str) -> np.ndarray:
    """The explorer's 60 points: a Gaussian whose principal axis lies at 30° (seeded, so always the same)."""
    if spread not in PCA2D_SPREADS:
        raise ValueError(f"spread must be one of {list(PCA2D_SPREADS)}; got {spread!r}")
    X = correlated_gaussian(60, 30.0, PCA2D_SPREADS[spread], seed=2)
    X = X - X.mean(axis=0)
    X.setflags(write=False)
    return X


def _unit(angle_deg: float) -> np.ndarray:
    return np.array([np.cos(np.deg2rad(angle_deg)), np.sin(np.deg2rad(angle_deg))])


@lru_cache(maxsize=None)
def _pca2d_sweep(spread: str) -> tuple[PCA, np.ndarray, np.ndarray]:
    """The fitted PCA and both objectives over a sweep of angles (the same for every frame of a data set)."""
    X = pca2d_data(spread)
    sweep = np.arange(0, 181, 2.0)
    return fit_pca(X, 1), sweep, np.array([direction_objective(X, _unit(a)) for a in sweep])


def pca_direction_compute(angle: float, spread: str = "strongly correlated") -> dict[str, Any]:
    """Project the data on the unit direction at ``angle`` degrees; report captured scatter and error."""
    X = pca2d_data(spread)
    d = _unit(angle)
    captured, error = direction_objective(X, d)
    pca, sweep, curves = _pca2d_sweep(spread)
    best = pca.components[:, 0]
    best_angle = float(np.rad2deg(np.arctan2(best[1], best[0])) % 180)
    return {"X": X, "d": d, "angle": angle, "proj": np.outer(X @ d, d), "captured": captured, "error": error,
            "best": best, "best_angle": best_angle, "eigenvalues": pca.eigenvalues,
            "sweep": sweep, "captured_curve": curves[:, 0], "error_curve": curves[:, 1]}


def pca_direction_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=4.0, height=3.6)
    X, P, d, best = data["X"], data["proj"], data["d"], data["best"]
    square(ax, 5.0)
    ax.add_collection(LineCollection(np.stack([X, P], axis=1), colors=COLORS["second"], linewidths=0.6, alpha=0.6))
    ax.scatter(X[:, 0], X[:, 1], s=12, color=COLORS["data"], label="data x")
    ax.scatter(P[:, 0], P[:, 1], s=10, color=COLORS["model"], label="reconstruction dd$^T$x")
    ax.plot(*np.outer([-6, 6], d).T, color=COLORS["model"], lw=1.5)
    ax.plot(*np.outer([-6, 6], best).T, color=COLORS["optimum"], lw=1.2, ls="--", label="best direction")
    ax.legend(loc="lower right", fontsize=7)
    ax.set_title(f"direction at {data['angle']:g}°", fontsize=10)
    bx.plot(data["sweep"], data["captured_curve"], color=COLORS["data"], label="captured dᵀXᵀXd")
    bx.plot(data["sweep"], data["error_curve"], color=COLORS["second"], label="reconstruction error")
    bx.axvline(data["best_angle"], color=COLORS["optimum"], ls="--", lw=1)
    bx.plot([data["angle"]] * 2, [data["captured"], data["error"]], "o", color="k", ms=5)
    bx.set_xlabel("direction angle (°)")
    bx.set_xlim(0, 180)
    bx.set_ylim(0, data["eigenvalues"].sum() * 1.05)
    bx.set_title(f"captured {data['captured']:.0f} + error {data['error']:.0f} = {data['eigenvalues'].sum():.0f}",
                 fontsize=10)
    bx.legend(loc="upper right", fontsize=7)
    return fig


@register
def pca_direction_demo() -> Demo:
    """Turn a candidate direction through the data; the optimum (the top eigenvector of XᵀX) is marked."""
    return Demo(
        compute=pca_direction_compute, draw=pca_direction_draw,
        controls=[Slider("angle", 0, 180, 1, 100, "direction angle (°)", frames=19),
                  Choice("spread", list(PCA2D_SPREADS), "strongly correlated", "data")],
        title="PCA explorer: which direction keeps the most?",
        alt="scatter of 2-D data with a candidate direction, projections and the best direction; "
            "captured variance and reconstruction error against the angle",
    )


# -- PCA on the 8×8 digits: choose the number of components ------------------------------------------

@lru_cache(maxsize=1)
def digits_pca() -> tuple[np.ndarray, PCA]:
    """scikit-learn's bundled 8×8 digits (no download) and their PCA with all 64 components."""
    from sklearn.datasets import load_digits

    X = load_digits().data
    return X, fit_pca(X, X.shape[1])


#: The digits the explorer reconstructs (one of each class 0–9).
DIGIT_ROWS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)


def pca_digits_compute(k: int) -> dict[str, Any]:
    """Reconstruct ten digits from their first ``k`` principal components."""
    k = check_int(k, "k", low=0, high=64)
    X, full = digits_pca()
    rows = X[list(DIGIT_ROWS)]
    if k == 0:
        recon = np.repeat(full.mean[None, :], len(rows), axis=0)
    else:
        pca = PCA(full.mean, full.components[:, :k], full.eigenvalues)
        recon = pca_decode(pca, pca_encode(pca, rows))
    cumulative = np.concatenate([[0.0], np.cumsum(full.eigenvalues) / full.eigenvalues.sum()])
    return {"k": k, "originals": rows, "recon": recon, "cumulative": cumulative}


def pca_digits_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=4.4, height=2.6)
    # One mosaic image (originals above, reconstructions below) is far faster to draw than 20 axes.
    tiles = [np.hstack([np.pad(img.reshape(8, 8), 1) for img in block]) for block in (data["originals"], data["recon"])]
    ax.imshow(np.vstack(tiles), cmap="gray_r", vmin=0, vmax=16)
    ax.set_xticks([])
    ax.set_yticks([5, 15], ["original", f"k = {data['k']}"], fontsize=9)
    ax.set_title("ten digits and their reconstructions", fontsize=10)
    cum = data["cumulative"]
    bx.plot(np.arange(len(cum)), cum, color=COLORS["data"])
    bx.plot([data["k"]], [cum[data["k"]]], "o", color=COLORS["model"])
    bx.set_xlabel("components kept k")
    bx.set_ylabel("fraction of variance kept")
    bx.set_ylim(0, 1.02)
    bx.set_title(f"{100 * cum[data['k']]:.1f}% of the variance kept", fontsize=10)
    return fig


@register
def pca_digits_demo() -> Demo:
    """Choose how many principal components reconstruct the digits; see the explained-variance curve."""
    return Demo(
        compute=pca_digits_compute, draw=pca_digits_draw,
        controls=[Slider("k", 0, 64, 1, 8, "components k", frames=33)],
        title="PCA on 8×8 digits: how many components are enough?",
        alt="ten digits and their reconstructions from k principal components, and the cumulative explained variance",
    )
