"""Demos of Chapter 14: a denoising autoencoder's reconstruction field r(x) − x against the score (§14.5), and PCA
reconstructions of digits as the code grows (§14.1).

NumPy only. The trained fields come from the notebook through ``Demo(data=...)``; without them the demo shows the
optimal denoiser of the same data, which a denoising autoencoder of unlimited capacity would learn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.plotting import COLORS, new_figure
from dlbook.score import optimal_denoiser, sample_mixture_nd

#: The data of the field demo: eight Gaussian blobs of std 0.1 on the unit circle (a ring-shaped "manifold").
RING = np.c_[np.cos(2 * np.pi * np.arange(8) / 8), np.sin(2 * np.pi * np.arange(8) / 8)]
RING_STD = 0.1
SIGMAS = (0.1, 0.2, 0.4)


def field_grid(n: int = 15, limit: float = 1.8) -> np.ndarray:
    """An ``n × n`` grid of points on ``[−limit, limit]²``, one per row."""
    g = np.linspace(-limit, limit, n)
    return np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)


def optimal_fields(grid: np.ndarray, sigmas: tuple[float, ...] = SIGMAS) -> np.ndarray:
    """``E[x | x̃] − x̃ = σ² ∇ log p_σ(x̃)`` on the grid for each noise level (shape levels × points × 2)."""
    return np.stack([optimal_denoiser(grid, RING, RING_STD, s) - grid for s in sigmas])


def dae_field_compute(sigma: float, show: str, grid: np.ndarray, trained: np.ndarray, optimal: np.ndarray,
                      sigmas: np.ndarray, samples: np.ndarray) -> dict[str, Any]:
    """The field at noise level ``sigma`` (one of ``sigmas``), trained or optimal, and how far apart they are."""
    k = int(np.argmin(np.abs(np.asarray(sigmas) - sigma)))
    field = trained[k] if show == "trained" else optimal[k]
    gap = np.linalg.norm(trained[k] - optimal[k], axis=1).mean() / np.linalg.norm(optimal[k], axis=1).mean()
    return {"grid": grid, "field": field, "sigma": float(sigmas[k]), "show": show, "samples": samples,
            "gap": float(gap)}


def dae_field_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.2, height=4.2, layout=None)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.08, top=0.9)
    s = data["samples"]
    ax.scatter(s[:, 0], s[:, 1], s=3, color=COLORS["muted"], alpha=0.5)
    g, f = data["grid"], data["field"]
    ax.quiver(g[:, 0], g[:, 1], f[:, 0], f[:, 1], color=COLORS["data"] if data["show"] == "trained"
              else COLORS["optimum"], angles="xy", scale_units="xy", scale=2, width=0.004)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.9, 1.9)
    ax.set_aspect("equal")
    what = "trained DAE: r(x) − x" if data["show"] == "trained" else "optimal: σ²∇log p_σ(x)"
    ax.set_title(f"{what}, σ = {data['sigma']:g} (arrows at half length)\n"
                 f"mean gap trained vs optimal: {100 * data['gap']:.0f}%",
                 fontsize=9)
    return fig


@register
def dae_field_demo(trained: np.ndarray | None = None, grid: np.ndarray | None = None,
                   samples: np.ndarray | None = None) -> Demo:
    """The reconstruction field of denoising autoencoders trained at each of ``SIGMAS`` (levels × points × 2, on
    ``grid``), beside the optimal field. Without ``trained`` both views show the optimal field."""
    grid = field_grid() if grid is None else np.asarray(grid, dtype=np.float64)
    optimal = optimal_fields(grid)
    trained = optimal if trained is None else np.asarray(trained, dtype=np.float64)
    if trained.shape != optimal.shape:
        raise ValueError(f"trained must have shape {optimal.shape} (levels × grid points × 2); got {trained.shape}")
    if samples is None:
        samples = sample_mixture_nd(300, RING, RING_STD, np.random.default_rng(0))
    return Demo(dae_field_compute, dae_field_draw,
                controls=[Choice("sigma", list(SIGMAS), SIGMAS[1], label="noise σ"),
                          Choice("show", [("trained DAE", "trained"), ("optimal (Tweedie)", "optimal")], "trained",
                                 label="field")],
                data={"grid": grid, "trained": trained, "optimal": optimal, "sigmas": np.array(SIGMAS),
                      "samples": np.asarray(samples, dtype=np.float64)},
                title="A denoising autoencoder's reconstruction field",
                alt="Arrows on a grid over eight grey clusters of training points on a ring: the vector from each "
                    "point to its reconstruction, which points toward the ring, for the chosen noise level.")


def pca_codes_compute(code: int, mean: np.ndarray, components: np.ndarray, eigenvalues: np.ndarray,
                      images: np.ndarray) -> dict[str, Any]:
    """Reconstruct ``images`` (rows of 64 pixels) from their first ``code`` principal components."""
    code = int(code)
    D = components[:, :code]
    recon = (images - mean) @ D @ D.T + mean
    return {"code": code, "images": images, "recon": np.clip(recon, 0, 1), "eigenvalues": eigenvalues,
            "discarded": float(eigenvalues[code:].sum())}


def _mosaic(rows: list[np.ndarray]) -> np.ndarray:
    """Rows of 8×8 images tiled into one picture with one-pixel gaps (NaN, drawn blank)."""
    tiles = [np.hstack([np.pad(im.reshape(8, 8), 1, constant_values=np.nan) for im in row]) for row in rows]
    return np.vstack(tiles)


def pca_codes_draw(data: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(7.0, 2.6))
    ax = fig.add_axes((0.01, 0.1, 0.56, 0.78))
    ax.imshow(_mosaic([data["images"], data["recon"]]), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title("top: digits; bottom: their reconstructions", fontsize=8)
    bx = fig.add_axes((0.65, 0.18, 0.33, 0.7))
    ev = data["eigenvalues"][:32]
    c = data["code"]
    bx.bar(np.arange(1, len(ev) + 1), ev, color=[COLORS["data"]] * c + [COLORS["second"]] * (len(ev) - c), width=1)
    bx.set_xlim(0.5, 32.5)
    bx.set_xlabel("component", fontsize=8)
    bx.set_ylabel("eigenvalue (per example)", fontsize=8)
    bx.tick_params(labelsize=7)
    bx.set_title(f"code size {c}: expected error {data['discarded']:.2f}", fontsize=9)
    return fig


@register
def pca_codes_demo(images: np.ndarray | None = None) -> Demo:
    """Digits and their reconstructions from ``code`` principal components; the red eigenvalues are what is lost."""
    from dlbook.data import digits
    from dlbook.pca import fit_pca

    pixels = digits()[0].reshape(-1, 64)
    pca = fit_pca(pixels, 64)
    shown = pixels[:7] if images is None else np.asarray(images, dtype=np.float64)
    return Demo(pca_codes_compute, pca_codes_draw,
                controls=[Slider("code", 1, 32, 1, 8, label="code size", frames=9)],
                data={"mean": pca.mean, "components": pca.components, "eigenvalues": pca.eigenvalues / len(pixels),
                      "images": shown},
                title="What an undercomplete linear code keeps",
                alt="Seven 8-by-8 digits above their reconstructions from the chosen number of principal "
                    "components, and a bar chart of the eigenvalues with the kept ones blue and the discarded red.")
