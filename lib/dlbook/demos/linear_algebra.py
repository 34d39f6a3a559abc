"""Demos of Chapter 2: Lᵖ unit balls (§2.5), a matrix maps the unit circle to an ellipse (§2.7),
low-rank SVD compression (§2.8) and the PCA explorers (§2.12)."""

from __future__ import annotations


from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from dlbook.checks import check_int, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.linalg import lp_norm, rotation, svd
from dlbook.pca import PCA, direction_objective, fit_pca, pca_decode, pca_encode
from dlbook.plotting import COLORS, InViewLocator, color_key, new_figure, square, two_panels


# -- any 2×2 matrix: the unit circle becomes an ellipse (§2.7–2.8, fig. 2.3) ------------------------

def eigen_ellipse_compute(a: float, b: float, c: float, d: float) -> dict[str, Any]:
    """The matrix ``A = [[a, b], [c, d]]`` applied to the unit circle, with its eigenvectors and its SVD.

    The image of the circle is an ellipse with semi-axes ``σᵢuᵢ`` (the SVD ``A = U diag(σ) Vᵀ`` maps the
    right-singular vectors ``vᵢ`` there). The eigenvectors are those axes only for a symmetric ``A``. ``kind`` says
    whether the eigendecomposition is real, complex (no real eigenvector) or missing (a defective ``A``).
    """
    A = np.array([[a, b], [c, d]], dtype=float)
    lam, vecs = np.linalg.eig(A)
    U, sigma, Vt = svd(A)
    if np.any(np.abs(lam.imag) > 1e-12):
        kind = "complex"
    elif abs(np.linalg.det(vecs.real)) < 1e-6:
        kind = "defective"
    else:
        kind = "real"
    t = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(t), np.sin(t)])
    return {"A": A, "lambdas": lam, "eigvecs": vecs.real, "kind": kind, "U": U, "sigma": sigma, "V": Vt.T,
            "det": a * d - b * c, "circle": circle, "image": A @ circle}


def _arrows(ax: Any, tips: np.ndarray, color: str, width: float, **kw: Any) -> None:
    """Arrows from the origin to each column of ``tips`` (one quiver: quick to draw)."""
    ax.quiver(np.zeros(tips.shape[1]), np.zeros(tips.shape[1]), tips[0], tips[1], color=color, angles="xy",
              scale_units="xy", scale=1, width=width, **kw)


def eigen_ellipse_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.6, height=4.4, layout=None)
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.1, top=0.86)
    square(ax, 3.2)
    ax.plot(*data["circle"], color=COLORS["muted"], lw=1.2, label="unit circle: x")
    ax.plot(*data["image"], color=COLORS["data"], lw=2, label="its image: Ax")
    _arrows(ax, data["V"], COLORS["optimum"], 0.006, alpha=0.6)
    _arrows(ax, data["U"] * data["sigma"], COLORS["optimum"], 0.014, label="σᵢuᵢ (thin: vᵢ)")
    lam = data["lambdas"]
    if data["kind"] == "complex":
        eig_text = f"λ = {lam[0].real:.2f} ± {abs(lam[0].imag):.2f}i: no real eigenvector"
    else:
        n_vec = 1 if data["kind"] == "defective" else 2
        _arrows(ax, data["eigvecs"][:, :n_vec] * lam[:n_vec].real, COLORS["model"], 0.008, label="λᵢ × eigenvector")
        eig_text = (f"λ = {lam[0].real:.2f} twice, one eigenvector: defective" if n_vec == 1
                    else f"λ = {lam[0].real:.2f}, {lam[1].real:.2f}")
    A = data["A"]
    ax.set_title(f"A = [[{A[0, 0]:g}, {A[0, 1]:g}], [{A[1, 0]:g}, {A[1, 1]:g}]]    det = {data['det']:.2f}\n"
                 f"σ = {data['sigma'][0]:.2f}, {data['sigma'][1]:.2f}    {eig_text}", fontsize=9)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="lower left", fontsize=7)
    return fig


@register
def eigen_ellipse_demo() -> Demo:
    """Sliders for the four entries of a 2×2 matrix: its image of the circle, singular vectors and eigenvectors."""
    return Demo(
        compute=eigen_ellipse_compute, draw=eigen_ellipse_draw,
        controls=[
            Slider("a", 0.0, 2.0, 0.25, 2.0, "a (row 1, col 1)", frames=3),
            Slider("b", -1.0, 1.0, 0.25, 1.0, "b (row 1, col 2)", frames=2),
            Slider("c", 0.0, 1.0, 0.25, 0.0, "c (row 2, col 1)", frames=2),
            Slider("d", 0.0, 1.0, 0.25, 1.0, "d (row 2, col 2)", frames=2),
        ],
        title="A 2×2 matrix maps the circle to an ellipse with axes σᵢuᵢ",
        alt="the unit circle and its image under A = [[a, b], [c, d]], an ellipse whose semi-axes are the "
            "left-singular vectors scaled by the singular values, with the real eigenvectors scaled by the eigenvalues",
    )


# -- PCA in 2-D: turn a direction, watch captured variance and error trade off (§2.12) -------------

@lru_cache(maxsize=1)
def _white_points() -> np.ndarray:
    """60 seeded 2-D points made exactly centred and white (``ZᵀZ = 60·I``), read-only."""
    Z = np.random.default_rng(2).standard_normal((60, 2))
    Z = Z - Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / len(Z))).T
    Z.setflags(write=False)
    return Z


@lru_cache(maxsize=None)
def pca2d_data(data_angle: float = 30.0, ratio: float = 4.0) -> np.ndarray:
    """The explorer's 60 centred points: standard deviations ``√ratio`` and ``1/√ratio`` along axes at ``data_angle``°.

    The points are white before they are stretched and turned, so ``XᵀX = 60 R diag(ratio, 1/ratio) Rᵀ`` exactly: the
    first principal axis lies exactly at ``data_angle`` (for ``ratio > 1``) and ``ratio`` is exactly ``σ₁/σ₂``.
    """
    ratio = check_positive(ratio, "ratio")
    if ratio < 1:
        raise ValueError(f"ratio must be >= 1 (it is σ₁/σ₂ of the long and the short axis); got {ratio}")
    X = (_white_points() * [np.sqrt(ratio), 1 / np.sqrt(ratio)]) @ rotation(float(data_angle)).T
    X.setflags(write=False)
    return X


def _unit(angle_deg: float) -> np.ndarray:
    return np.array([np.cos(np.deg2rad(angle_deg)), np.sin(np.deg2rad(angle_deg))])


@lru_cache(maxsize=None)
def _pca2d_sweep(data_angle: float, ratio: float) -> tuple[PCA, np.ndarray, np.ndarray]:
    """The fitted PCA and both objectives over a sweep of angles (the same for every frame of a data set)."""
    X = pca2d_data(data_angle, ratio)
    sweep = np.arange(0, 181, 2.0)
    return fit_pca(X, 1), sweep, np.array([direction_objective(X, _unit(a)) for a in sweep])


def pca_direction_compute(angle: float, data_angle: float = 30.0, ratio: float = 4.0) -> dict[str, Any]:
    """Project the data on the unit direction at ``angle`` degrees; report captured scatter and error.

    ``data_angle`` and ``ratio`` set the data (:func:`pca2d_data`). For ``ratio = 1`` the cloud is round,
    ``XᵀX`` is a multiple of the identity and every direction is optimal (``best`` is then ``None``).
    """
    X = pca2d_data(float(data_angle), float(ratio))
    d = _unit(angle)
    captured, error = direction_objective(X, d)
    pca, sweep, curves = _pca2d_sweep(float(data_angle), float(ratio))
    unique = bool(pca.eigenvalues[0] > pca.eigenvalues[1] * (1 + 1e-9))
    best = pca.components[:, 0] if unique else None
    best_angle = float(np.rad2deg(np.arctan2(best[1], best[0])) % 180) if unique else None
    return {"X": X, "d": d, "angle": angle, "proj": np.outer(X @ d, d), "captured": captured, "error": error,
            "best": best, "best_angle": best_angle, "eigenvalues": pca.eigenvalues,
            "sweep": sweep, "captured_curve": curves[:, 0], "error_curve": curves[:, 1]}


def pca_direction_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.6, width=4.0)
    X, P, d, best = data["X"], data["proj"], data["d"], data["best"]
    square(ax, 4.5)
    ax.set_xticks([-4, 0, 4])  # few ticks: building and drawing them is about half of a live frame
    ax.set_yticks([-4, 0, 4])
    ax.add_collection(LineCollection(np.stack([X, P], axis=1), colors=COLORS["second"], linewidths=0.6, alpha=0.6),
                      autolim=False)  # the limits are fixed: skip measuring 60 segments
    ax.scatter(X[:, 0], X[:, 1], s=12, color=COLORS["data"])
    ax.scatter(P[:, 0], P[:, 1], s=10, color=COLORS["model"])
    ax.plot(*np.outer([-6, 6], d).T, color=COLORS["model"], lw=1.5)
    if best is not None:
        ax.plot(*np.outer([-6, 6], best).T, color=COLORS["optimum"], lw=1.2, ls="--")
    ax.set_xlabel("x₁")  # plain text: mathtext labels are parsed on every frame
    ax.set_ylabel("x₂")
    color_key(ax, [("● data x", COLORS["data"]), ("● reconstruction ddᵀx", COLORS["model"])]
              + ([("- - best direction", COLORS["optimum"])] if best is not None else []),
              x=0.97, y=0.03, ha="right", va="bottom")
    ax.set_title(f"direction at {data['angle']:g}°" + ("" if best is not None else ": round cloud, all equally good"),
                 fontsize=10)
    bx.plot(data["sweep"], data["captured_curve"], color=COLORS["data"])
    bx.plot(data["sweep"], data["error_curve"], color=COLORS["second"])
    if data["best_angle"] is not None:
        bx.axvline(data["best_angle"], color=COLORS["optimum"], ls="--", lw=1)
    bx.plot([data["angle"]] * 2, [data["captured"], data["error"]], "o", color="k", ms=5)
    bx.set_xlabel("direction angle (°)")
    bx.set_ylabel("sum over the points")
    bx.set_xlim(0, 180)
    bx.set_xticks(range(0, 181, 45))
    bx.yaxis.set_major_locator(InViewLocator(4))
    bx.set_ylim(0, data["eigenvalues"].sum() * 1.05)
    bx.set_title(f"captured {data['captured']:.1f} + error {data['error']:.1f} = {data['eigenvalues'].sum():.1f}",
                 fontsize=10)
    color_key(bx, [("captured dᵀXᵀXd", COLORS["data"]), ("reconstruction error", COLORS["second"])],
              x=0.97, ha="right")
    return fig


@register
def pca_direction_demo() -> Demo:
    """Turn a candidate direction through data whose axis and spread ratio are sliders too; the optimum is marked."""
    return Demo(
        compute=pca_direction_compute, draw=pca_direction_draw,
        controls=[Slider("angle", 0, 180, 1, 105, "direction angle (°)", frames=7),
                  Slider("data_angle", 0, 180, 5, 30, "long axis of the data (°)", frames=5),
                  Slider("ratio", 1.0, 4.0, 0.25, 4.0, "σ₁/σ₂ of the data", frames=4)],
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


#: The numbers of components the explorer offers: every k up to 5, then ever coarser steps to all 64.
DIGIT_KS = (0, 1, 2, 3, 5, 8, 16, 21, 64)


def pca_digits_compute(k: int, rows: np.ndarray, mean: np.ndarray, components: np.ndarray,
                       eigenvalues: np.ndarray) -> dict[str, Any]:
    """Reconstruct the digits ``rows`` from their first ``k`` principal components (the data of the full PCA)."""
    full = PCA(np.asarray(mean, float), np.asarray(components, float), np.asarray(eigenvalues, float))
    k = check_int(k, "k", low=0, high=full.components.shape[1])
    rows = np.asarray(rows, float)
    if k == 0:
        recon = np.repeat(full.mean[None, :], len(rows), axis=0)
    else:
        pca = PCA(full.mean, full.components[:, :k], full.eigenvalues)
        recon = pca_decode(pca, pca_encode(pca, rows))
    cumulative = np.concatenate([[0.0], np.cumsum(full.eigenvalues) / full.eigenvalues.sum()])
    return {"k": k, "originals": rows, "recon": recon, "cumulative": cumulative}


def pca_digits_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=4.4, height=2.6, layout=None)  # fixed layout: frames draw faster
    fig.subplots_adjust(left=0.1, right=0.985, bottom=0.17, top=0.9, wspace=0.25)
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
    X, full = digits_pca()  # computed in the notebook; the page ships these arrays, not scikit-learn
    return Demo(
        compute=pca_digits_compute, draw=pca_digits_draw,
        data={"rows": X[list(DIGIT_ROWS)], "mean": full.mean, "components": full.components,
              "eigenvalues": full.eigenvalues},
        controls=[Choice("k", list(DIGIT_KS), 8, "components k")],
        title="PCA on 8×8 digits: how many components are enough?",
        alt="ten digits and their reconstructions from k principal components, and the cumulative explained variance",
    )


# -- Lᵖ unit balls: what a norm calls "length one" (§2.5) ------------------------------------------

def _unit_circle_of(p: float, t: np.ndarray) -> np.ndarray:
    """Points of Lᵖ length one: each direction (cos t, sin t) divided by its own Lᵖ length."""
    u = np.stack([np.cos(t), np.sin(t)], axis=1)
    a = np.abs(u)
    big = a.max(axis=1)  # > 0 for every direction; dividing by it keeps large p finite
    length = big if np.isinf(p) else big * np.sum((a / big[:, None]) ** p, axis=1) ** (1.0 / p)
    return u / length[:, None]


def unit_ball_compute(p: float, x1: float = 1.5, x2: float = 0.8) -> dict[str, Any]:
    """The unit circle of the Lᵖ norm, ``{x : ‖x‖_p = 1}``, and the Lᵖ norm of the point ``(x1, x2)``.

    ``p = 21`` on the slider stands for ``p = ∞`` (the max norm).
    """
    p_eff = np.inf if p >= 21 else float(p)
    t = np.linspace(0, 2 * np.pi, 241)
    x = np.array([x1, x2])
    refs = {name: _unit_circle_of(q, t) for name, q in (("L¹", 1.0), ("L²", 2.0), ("L^∞", np.inf))}
    return {"p": p_eff, "ball": _unit_circle_of(p_eff, t), "refs": refs, "x": x, "norm": lp_norm(x, p_eff)}


def unit_ball_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.4, height=4.2, layout=None)  # fixed margins: a live frame draws in half the time
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.11, top=0.93)
    square(ax, 2.0)
    ax.set_xticks(range(-2, 3))  # whole numbers: half as many ticks to build on every frame
    ax.set_yticks(range(-2, 3))
    for (name, ball), color in zip(data["refs"].items(), (COLORS["second"], COLORS["optimum"], COLORS["muted"])):
        ax.plot(*ball.T, color=color, lw=1, ls=":", label=f"{name} unit circle")
    ax.fill(*data["ball"].T, color=COLORS["data"], alpha=0.25)
    ax.plot(*data["ball"].T, color=COLORS["data"], lw=2)
    x, n = data["x"], data["norm"]
    ax.plot(*x, "o", color=COLORS["model"])
    ax.plot(*(x / n), "o", color=COLORS["model"], mfc="white")
    ax.annotate("", xy=x, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": COLORS["model"]})
    ptxt = "∞" if np.isinf(data["p"]) else f"{data['p']:g}"
    ax.set_title(f"p = {ptxt}:  ‖x‖_p = {n:.3f}", fontsize=10)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="lower left", fontsize=7)
    return fig


@register
def unit_ball_demo() -> Demo:
    """A slider for p; the shaded set is every vector of Lᵖ length one."""
    return Demo(
        compute=unit_ball_compute, draw=unit_ball_draw,
        controls=[Slider("p", 1.0, 21.0, 0.5, 2.0, "p (21 means ∞)", frames=21)],
        title="The unit ball of the Lᵖ norm",
        alt="the set of 2-D vectors with Lᵖ norm one, from a diamond (p=1) through a circle (p=2) to a square (p=∞)",
    )


# -- Rank-k SVD compression of a photograph (§2.8, Eckart–Young) ---------------------------------------

@lru_cache(maxsize=1)
def china_svd() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled ``china.jpg`` in grey, averaged over 4×4 blocks (106×160), and its SVD."""
    from sklearn.datasets import load_sample_image

    grey = load_sample_image("china.jpg").mean(axis=2)
    img = grey[:424, :640].reshape(106, 4, 160, 4).mean(axis=(1, 3)) / 255.0
    U, s, Vt = svd(img)  # the book's Jacobi SVD, once per session (lru_cache)
    for a in (img, U, s, Vt):
        a.setflags(write=False)
    return img, U, s, Vt


def _rank_k(U: np.ndarray, s: np.ndarray, Vt: np.ndarray, k: int) -> np.ndarray:
    """``U_k diag(s_k) V_kᵀ`` with einsum's own loop, not BLAS (threaded BLAS stalls on a busy machine here)."""
    return np.einsum("ik,k,kj->ij", U[:, :k], s[:k], Vt[:k], optimize=False)


def svd_compression_compute(k: int, U: np.ndarray, s: np.ndarray, Vt: np.ndarray) -> dict[str, Any]:
    """Keep the ``k`` largest singular values of the photograph ``A = U diag(s) Vᵀ``; report the Frobenius error
    and the storage. The SVD is computed once, in the notebook, and shipped with the page (the book's Jacobi SVD of
    the photograph takes seconds in the browser)."""
    U, s, Vt = (np.asarray(a, float) for a in (U, s, Vt))
    if U.ndim != 2 or s.ndim != 1 or Vt.ndim != 2 or not U.shape[1] == s.size == Vt.shape[0]:
        raise ValueError(f"expected an SVD U (m×r), s (r,), Vt (r×n); got shapes {U.shape}, {s.shape}, {Vt.shape}")
    k = check_int(k, "k", low=1, high=s.size)
    img = _rank_k(U, s, Vt, s.size)
    approx = _rank_k(U, s, Vt, k)
    m, n = img.shape
    return {"k": k, "img": img, "approx": approx, "s": s, "error": float(np.sqrt(np.sum((img - approx) ** 2))),
            "tail": float(np.sqrt(np.sum(s[k:] ** 2))), "storage": k * (m + n + 1) / (m * n)}


def svd_compression_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=4.2, height=3.0, layout=None)  # fixed layout: frames draw faster
    fig.subplots_adjust(left=0.02, right=0.985, bottom=0.15, top=0.9, wspace=0.22)
    ax.imshow(np.clip(data["approx"], 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    ax.set_title(f"rank {data['k']}: {100 * data['storage']:.0f}% of the numbers", fontsize=10)
    s, k = data["s"], data["k"]
    ks = np.arange(0, s.size + 1)
    tail = np.sqrt(np.concatenate([np.cumsum((s ** 2)[::-1])[::-1], [0.0]]))
    bx.plot(ks, tail, color=COLORS["data"], label="√(Σ_{i>k} σᵢ²)")
    bx.plot([k], [data["error"]], "o", color=COLORS["model"], label="‖A − A_k‖_F measured")
    bx.set_xlabel("rank k")
    bx.set_ylabel("Frobenius error")
    bx.set_title(f"Frobenius error {data['error']:.2f}", fontsize=10)
    bx.legend(loc="upper right", fontsize=8)
    return fig


@register
def svd_compression_demo() -> Demo:
    """A rank slider for the SVD approximation of a photograph; the error curve is Eckart–Young's."""
    _, U, s, Vt = china_svd()  # computed in the notebook; the page ships the SVD, not scikit-learn or the Jacobi sweeps
    return Demo(
        compute=svd_compression_compute, draw=svd_compression_draw, data={"U": U, "s": s, "Vt": Vt},
        controls=[Slider("k", 1, 101, 1, 21, "rank k", frames=6)],
        title="Low-rank SVD compression",
        alt="a grey photograph rebuilt from its k largest singular values, and the Frobenius error against k",
    )
