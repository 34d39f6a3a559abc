"""Demos of Chapter 13: PCA against ICA on mixed sources (§13.2), the PPCA ellipse as the noise shrinks (§13.1,
§13.5) and sparse coding of a digit by ISTA (§13.4)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from dlbook.checks import as_array, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.factor_models import fastica, sparse_code_ista, sparse_code_path
from dlbook.pca import fit_pca
from dlbook.plotting import COLORS, two_panels

SOURCE_KINDS = ("laplace", "uniform", "gaussian")


@lru_cache(maxsize=None)
def independent_sources(kind: str, m: int = 1000, seed: int = 0) -> np.ndarray:
    """``m`` draws of two independent unit-variance sources: Laplace, uniform or Gaussian. Shape (m, 2).

    The Gaussian pair is a draw rotated by 30°, to show that for Gaussian sources ICA has nothing to find: it
    locks onto the accidental non-Gaussianity of the unrotated sample instead."""
    rng = np.random.default_rng(seed)
    if kind == "laplace":
        S = rng.laplace(size=(m, 2)) / np.sqrt(2)
    elif kind == "uniform":
        S = rng.uniform(-np.sqrt(3), np.sqrt(3), (m, 2))
    elif kind == "gaussian":
        # an independent Gaussian pair rotated by 30°: still an independent Gaussian pair (the distribution is
        # rotation invariant), so nothing in the data can tell these sources from the unrotated ones
        c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
        S = rng.standard_normal((m, 2)) @ np.array([[c, -s], [s, c]]).T
    else:
        raise ValueError(f"kind must be one of {SOURCE_KINDS}; got {kind!r}")
    S.setflags(write=False)
    return S


def mixing_matrix(angle: float) -> np.ndarray:
    """Columns ``(1, 0)`` and ``0.6 (cos a, sin a)``: the directions along which the two sources appear in x."""
    a = np.deg2rad(angle)
    return np.array([[1.0, 0.6 * np.cos(a)], [0.0, 0.6 * np.sin(a)]])


def _match(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """For each true source, the largest |correlation| with any found component."""
    C = np.corrcoef(found.T, truth.T)[: found.shape[1], found.shape[1]:]
    return np.abs(C).max(axis=0)


def pca_ica_compute(angle: float, kind: str = "laplace") -> dict[str, Any]:
    """Mix two independent sources along directions ``angle`` degrees apart; compare PCA's and ICA's directions."""
    if not 5.0 <= angle <= 90.0:
        raise ValueError(f"angle must be in [5, 90] degrees; got {angle}")
    S = independent_sources(kind)
    A = mixing_matrix(angle)
    X = S @ A.T
    pca = fit_pca(X, 2)
    ica = fastica(X, 2, w_init=np.eye(2))
    ica_dirs = ica.mixing / np.linalg.norm(ica.mixing, axis=0)
    return {"X": X, "A": A, "pca": pca.components, "ica": ica_dirs, "kind": kind, "angle": angle,
            "pca_match": _match((X - pca.mean) @ pca.components, S), "ica_match": _match(ica.transform(X), S)}


def pca_ica_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.3)
    X = data["X"]
    ax.scatter(X[:, 0], X[:, 1], s=3, color=COLORS["muted"], alpha=0.5)
    for j in range(2):
        for key, label, color, scale, lw in (("A", "true mixing", "k", 2.6, 2.5),
                                             ("pca", "PCA", COLORS["data"], 2.2, 1.6),
                                             ("ica", "ICA", COLORS["second"], 1.8, 1.6)):
            d = data[key][:, j] / np.linalg.norm(data[key][:, j]) * scale
            ax.plot([-d[0], d[0]], [-d[1], d[1]], color=color, lw=lw, label=label if j == 0 else None)
    ax.set_xlim(-4.5, 4.5)
    ax.set_ylim(-3.3, 3.3)
    ax.set_aspect("equal")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"{data['kind']} sources mixed {data['angle']:.0f}° apart", fontsize=9)
    x = np.arange(2)
    bx.bar(x - 0.18, data["pca_match"], 0.36, color=COLORS["data"], label="PCA")
    bx.bar(x + 0.18, data["ica_match"], 0.36, color=COLORS["second"], label="ICA")
    bx.set_xticks(x, ["source 1", "source 2"])
    bx.set_ylim(0, 1.05)
    bx.set_ylabel("best |correlation| with the source")
    bx.legend(fontsize=7, loc="lower right")
    bx.set_title(f"ICA recovers {100 * data['ica_match'].min():.1f}% / PCA {100 * data['pca_match'].min():.1f}%",
                 fontsize=9)
    return fig


@register
def pca_ica_demo() -> Demo:
    """Mixing angle and source distribution: PCA finds orthogonal variance directions, ICA the mixing directions."""
    return Demo(
        compute=pca_ica_compute, draw=pca_ica_draw,
        controls=[Slider("angle", 5.0, 90.0, 5.0, 45.0, "angle between the mixing directions (degrees)"),
                  Choice("kind", ["laplace", "gaussian"], "laplace", "sources")],
        title="PCA against ICA on two mixed sources",
        alt="a scatter of mixed two-dimensional data with the true mixing directions, PCA's orthogonal axes and "
            "ICA's recovered directions drawn through the origin, and bars of how well each recovers each source",
    )


#: The PPCA model of the ellipse demo: one factor along this direction, mean zero.
PPCA_W = np.array([[1.6], [0.9]])


@lru_cache(maxsize=1)
def _ppca_draws(m: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, 1)), rng.standard_normal((m, 2))


def ppca_ellipse_compute(log10_sigma2: float) -> dict[str, Any]:
    """Samples ``x = W h + σ z`` of a one-factor PPCA in the plane and the covariance ``WWᵀ + σ²I`` (eq. 13.5)."""
    sigma2 = 10.0 ** float(log10_sigma2)
    check_positive(sigma2, "sigma2")
    h, z = _ppca_draws()
    X = h @ PPCA_W.T + np.sqrt(sigma2) * z
    C = PPCA_W @ PPCA_W.T + sigma2 * np.eye(2)
    lam, U = np.linalg.eigh(C)
    return {"X": X, "cov": C, "axes": np.sqrt(lam[::-1]), "angle": float(np.degrees(np.arctan2(U[1, 1], U[0, 1]))),
            "sigma2": sigma2, "ratio": float(np.sqrt(lam[0] / lam[1]))}


def ppca_ellipse_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.2)
    X = data["X"]
    ax.scatter(X[:, 0], X[:, 1], s=4, color=COLORS["data"], alpha=0.6)
    w = PPCA_W[:, 0] / np.linalg.norm(PPCA_W) * 5
    ax.plot([-w[0], w[0]], [-w[1], w[1]], color=COLORS["muted"], lw=1, ls="--", label="span of W (the PCA line)")
    for k in (1, 2):
        ax.add_patch(Ellipse((0, 0), 2 * k * data["axes"][0], 2 * k * data["axes"][1], angle=data["angle"],
                             fill=False, color=COLORS["model"], lw=1.5))
    ax.set_xlim(-5, 5)
    ax.set_ylim(-3.5, 3.5)
    ax.set_aspect("equal")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"σ² = {data['sigma2']:.3g}: 1- and 2-sd ellipses of WWᵀ + σ²I", fontsize=9)
    grid = np.linspace(-3, 0.5, 50)
    bx.plot(grid, [np.sqrt(10.0**g / (float(np.sum(PPCA_W**2)) + 10.0**g)) for g in grid], color=COLORS["model"])
    bx.plot([np.log10(data["sigma2"])], [data["ratio"]], "o", color=COLORS["second"])
    bx.set_xlabel("log₁₀ σ²")
    bx.set_ylabel("thickness: minor / major axis")
    bx.set_ylim(0, 1)
    bx.set_title(f"thickness {data['ratio']:.3f}", fontsize=9)
    return fig


@register
def ppca_ellipse_demo() -> Demo:
    """Shrink PPCA's noise and watch the ellipse flatten onto the PCA line."""
    return Demo(
        compute=ppca_ellipse_compute, draw=ppca_ellipse_draw,
        controls=[Slider("log10_sigma2", -3.0, 0.5, 0.25, -0.5, "log₁₀ of the noise variance σ²", frames=8)],
        title="PPCA's Gaussian flattens onto the PCA subspace as σ² → 0",
        alt="samples of a one-factor probabilistic PCA in the plane with its covariance ellipses around a dashed "
            "line along W, and a curve of the ellipse's thickness against the log noise variance",
    )


#: The sparsity slider (log₁₀ λ); :func:`sparse_code_demo` solves every value it can send once, as demo data.
SPARSE_LOG10_LAM = Slider("log10_lam", -2.0, 1.0, 0.125, -1.0, "log₁₀ of the sparsity penalty λ", frames=7)
#: FISTA's budget per penalty: on the chapter's digit every code then has scikit-learn's Lasso support and values
#: within 1e-5 of it (the chapter 13 notebook checks this; tests/test_factor_models.py a random dictionary).
_SPARSE_SOLVE = {"iters": 3000, "tol": 1e-10}


def sparse_code_compute(log10_lam: float, D: np.ndarray, x: np.ndarray, mean: np.ndarray,
                        codes: np.ndarray | None = None) -> dict[str, Any]:
    """The sparse code of one centred digit ``x`` over the dictionary ``D`` (columns = atoms) for ``λ =
    10^log10_lam``: read from ``codes`` (:func:`sparse_code_path` at every slider value) when given and the value
    is one of the slider's, else solved by FISTA, started from the code of the next larger slider value."""
    D, x, mean = as_array(D, "D", ndim=2), as_array(x, "x", ndim=1), as_array(mean, "mean", ndim=1)
    lam, at = 10.0 ** float(log10_lam), SPARSE_LOG10_LAM.position(log10_lam)
    if codes is not None and at is not None:
        h = np.asarray(codes, float)[at]
    else:
        above = np.flatnonzero(np.array(SPARSE_LOG10_LAM.sweep()) > float(log10_lam))
        h0 = np.asarray(codes, float)[above[0]] if codes is not None and above.size else None
        h = sparse_code_ista(x, D, lam, h0=h0, accelerate=True, **_SPARSE_SOLVE)
    recon = D @ h
    return {"x": x + mean, "recon": recon + mean, "h": h, "lam": lam, "nonzero": int(np.count_nonzero(h)),
            "error": float(np.sum((x - recon) ** 2) / np.sum(x**2))}


def sparse_code_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.0)
    side = int(round(np.sqrt(len(data["x"]))))
    ax.imshow(np.hstack([data["x"].reshape(side, side), np.full((side, 1), np.nan),
                         np.clip(data["recon"], 0, 1).reshape(side, side)]), cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    ax.set_title(f"digit and its reconstruction: error {100 * data['error']:.1f}%", fontsize=9)
    h = data["h"]
    k = np.flatnonzero(h)
    bx.vlines(k, 0, h[k], color=COLORS["data"])
    bx.plot(k, h[k], "o", ms=3, color=COLORS["data"])
    bx.axhline(0, color="0.7", lw=0.8)
    bx.set_xlim(-1, len(h))
    bx.set_ylim(-1.6, 1.6)
    bx.set_xlabel("dictionary atom")
    bx.set_title(f"λ = {data['lam']:.3g}: {data['nonzero']} of {len(h)} codes non-zero", fontsize=9)
    return fig


@register
def sparse_code_demo(D: np.ndarray | None = None, x: np.ndarray | None = None,
                     mean: np.ndarray | None = None) -> Demo:
    """The sparsity penalty λ: how many atoms of ``D`` code the digit ``x`` and how well. Without arguments the
    dictionary is random (the notebook passes digits)."""
    if D is None or x is None or mean is None:
        rng = np.random.default_rng(0)
        D = rng.standard_normal((64, 128))
        D /= np.linalg.norm(D, axis=0)
        mean = np.full(64, 0.3)
        x = np.clip(D[:, :3] @ np.array([0.5, -0.4, 0.3]), -0.3, 0.7)
    D, x = np.asarray(D, float), np.asarray(x, float)
    codes = sparse_code_path(x, D, 10.0 ** np.array(SPARSE_LOG10_LAM.sweep()), **_SPARSE_SOLVE)
    return Demo(
        compute=sparse_code_compute, draw=sparse_code_draw,
        data={"D": D, "x": x, "mean": np.asarray(mean, float), "codes": codes},
        controls=[SPARSE_LOG10_LAM],
        title="Sparse coding of a digit: the penalty λ against the number of atoms used",
        alt="an 8 by 8 digit next to its reconstruction from a sparse code, and a stem plot of the code's non-zero "
            "entries over the dictionary atoms",
    )
