"""Demos of Chapter 9: output sizes and kernel placements (§9.5), a filter playground on a photograph (§9.1–9.3),
equivariance of convolution versus invariance of pooling (§9.2–9.3, fig. 9.8), and Gabor receptive fields (§9.10).

NumPy, SciPy and matplotlib only: these run in the browser.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.conv import circular_shift, conv2d, conv_output_size, kernel_placements, pad_amounts
from dlbook.data import sample_image
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.gabor import gabor_kernel
from dlbook.plotting import COLORS, new_figure
from dlbook.pooling import pool2d

# -- output sizes (§9.5) ---------------------------------------------------------------------------------


def output_size_compute(m: int = 7, k: int = 3, stride: int = 1, padding: str = "valid") -> dict[str, Any]:
    """Where a width-``k`` kernel lands on a width-``m`` input for one stride and padding mode, and how many times."""
    before, after = pad_amounts(k, padding)
    if m + before + after < k:
        return {"m": m, "k": k, "stride": stride, "padding": padding, "before": before, "after": after,
                "starts": np.zeros(0, dtype=int), "n": 0}
    return {"m": m, "k": k, "stride": stride, "padding": padding, "before": before, "after": after,
            "starts": kernel_placements(m, k, stride, padding), "n": conv_output_size(m, k, stride, padding)}


def output_size_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=7.0, height=3.4, layout=None)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.86)
    m, k, b, a = data["m"], data["k"], data["before"], data["after"]
    cells = np.arange(-b, m + a)
    colors = [COLORS["muted"] if (c < 0 or c >= m) else COLORS["data"] for c in cells]
    ax.bar(cells + 0.5, 0.8, width=0.92, bottom=0.1, color=colors, alpha=0.55)
    for c in range(m):
        ax.text(c + 0.5, 0.5, f"x{c + 1}", ha="center", va="center", fontsize=9)
    rows = -0.7 - 0.55 * np.arange(len(data["starts"]))
    ax.barh(rows, k, left=data["starts"], height=0.4, color=COLORS["model"], alpha=0.9)
    for i, (y, s) in enumerate(zip(rows, data["starts"])):
        ax.text(s + k + 0.15, y, f"s{i + 1}", va="center", fontsize=8)
    ax.set_xlim(-5, 15)
    ax.set_ylim(-0.9 - 0.55 * 14, 1.3)
    ax.axis("off")
    mode = data["padding"]
    formula = {"valid": "m − k + 1", "same": "m", "full": "m + k − 1"}[mode]
    text = (f"{mode}: kernel wider than the padded input, no output" if data["n"] == 0 else
            f"{mode}, stride {data['stride']}: {data['n']} outputs"
            + (f"  (stride 1: {formula})" if data["stride"] > 1 else f" = {formula}"))
    ax.set_title(f"input width m = {m} (grey: zero padding), kernel width k = {k}\n{text}", fontsize=10)
    return fig


@register
def output_size_demo() -> Demo:
    """Kernel placements and the output width for each input width, kernel width, stride and padding mode."""
    return Demo(
        compute=output_size_compute, draw=output_size_draw,
        controls=[Slider("m", 4, 7, 1, 7, "input width m", frames=2),
                  Slider("k", 2, 5, 1, 2, "kernel width k", frames=2),
                  Slider("stride", 1, 2, 1, 1, "stride s"),
                  Choice("padding", ["valid", "same", "full"], "valid", "zero padding")],
        title="Output width: valid, same and full convolution",
        alt="a row of input cells, zero-padding cells in grey, and one orange bar per kernel placement below it; "
            "the title gives the number of outputs", dpi=64,
    )


# -- the filter playground (§9.1–9.3) ------------------------------------------------------------------------

#: The playground's kernels (rows are y, downwards; columns are x).
KERNELS: dict[str, np.ndarray] = {
    "difference [−1, 1] (fig. 9.6)": np.array([[-1.0, 1.0]]),
    "Sobel, x (vertical edges)": np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel, y (horizontal edges)": np.array([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "Prewitt, x": np.array([[-1.0, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "box blur 3×3": np.full((3, 3), 1 / 9),
    "Gaussian 5×5 (σ = 1)": np.outer(*[np.exp(-0.5 * np.arange(-2, 3) ** 2) / np.exp(-0.5 * np.arange(-2, 3) ** 2).sum()] * 2),
    "sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
}


@lru_cache(maxsize=1)
def playground_image() -> np.ndarray:
    """china.jpg in grey, 2× downsampled by averaging 2×2 blocks: 213 × 320 pixels in [0, 1]."""
    img = sample_image("china.jpg")[:426]
    return img.reshape(213, 2, 320, 2).mean(axis=(1, 3))


def filter_compute(kernel: str = "Sobel, x (vertical edges)", stride: int = 1, pool: int = 1) -> dict[str, Any]:
    """Cross-correlate the photograph with one kernel ('same' padding, a stride), rectify and max-pool the map."""
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {list(KERNELS)}; got {kernel!r}")
    img = playground_image()
    fmap = conv2d(img, KERNELS[kernel], stride=stride, padding="same")
    smooth = kernel.startswith(("box", "Gaussian", "sharpen"))
    detector = fmap if smooth else np.abs(fmap)          # edges: keep both signs of the edge as strength
    pooled = pool2d(detector, pool) if pool > 1 else detector
    return {"image": img, "fmap": fmap, "pooled": pooled, "kernel": kernel, "stride": stride, "pool": pool,
            "smooth": smooth}


def filter_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=3, width=2.6, height=2.3, layout=None)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.8, wspace=0.05)
    fmap, pooled = data["fmap"], data["pooled"]
    axes[0].imshow(data["image"], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[0].set_title(f"input {data['image'].shape[0]}×{data['image'].shape[1]}", fontsize=9)
    if data["smooth"]:
        axes[1].imshow(fmap, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[2].imshow(pooled, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        lim = float(np.percentile(np.abs(fmap), 99.5)) or 1.0
        axes[1].imshow(fmap, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        axes[2].imshow(pooled, cmap="magma", vmin=0, vmax=lim, interpolation="nearest")
    axes[1].set_title(f"feature map {fmap.shape[0]}×{fmap.shape[1]} (stride {data['stride']})", fontsize=9)
    what = "map" if data["smooth"] else "|map|"
    axes[2].set_title(f"{what}, max-pooled {data['pool']}×{data['pool']}: {pooled.shape[0]}×{pooled.shape[1]}",
                      fontsize=9)
    for ax in axes:
        ax.axis("off")
    fig.suptitle(data["kernel"], fontsize=10)
    return fig


@register
def filter_playground_demo() -> Demo:
    """Classic kernels on a photograph, with a stride and a max-pooling size."""
    return Demo(
        compute=filter_compute, draw=filter_draw,
        controls=[Choice("kernel", list(KERNELS), "Sobel, x (vertical edges)", "kernel"),
                  Slider("stride", 1, 3, 1, 1, "stride", frames=3),
                  Slider("pool", 1, 4, 1, 1, "max-pool size", frames=3)],
        title="Filter playground on china.jpg",
        alt="the grey photograph, its feature map under the chosen kernel and stride, and the rectified map after "
            "max pooling; the titles give each map's size", dpi=64,
    )


# -- equivariance and invariance (§9.2–9.3, fig. 9.8) ---------------------------------------------------------

#: The detector of the equivariance demo: a vertical-edge Sobel kernel followed by a ReLU.
_EDGE = KERNELS["Sobel, x (vertical edges)"]


@lru_cache(maxsize=1)
def _patch() -> np.ndarray:
    return playground_image()[60:108, 130:178]                       # a 48×48 crop with the pagoda's edges


def _detector(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, conv2d(x, _EDGE, padding="same", boundary="circular"))


def unchanged_fraction(a: np.ndarray, b: np.ndarray, tol: float = 1e-9) -> float:
    """Fraction of units whose value is the same (within ``tol``) in two maps compared at the same position."""
    return float(np.mean(np.abs(a - b) <= tol))


@lru_cache(maxsize=None)
def _invariance_curve(pool: int, max_shift: int = 8) -> tuple[np.ndarray, np.ndarray]:
    base = _detector(_patch())
    det, pooled = [], []
    for d in range(max_shift + 1):
        moved = _detector(circular_shift(_patch(), 0, d))
        det.append(unchanged_fraction(moved, base))
        pooled.append(unchanged_fraction(pool2d(moved, pool, 1), pool2d(base, pool, 1)))
    return np.array(det), np.array(pooled)


def equivariance_compute(shift: int = 1, pool: int = 3) -> dict[str, Any]:
    """Shift the patch right by ``shift`` px: the detector map shifts exactly; its max-pool barely changes."""
    x = _patch()
    base, moved = _detector(x), _detector(circular_shift(x, 0, shift))
    det_curve, pool_curve = _invariance_curve(pool)
    return {"shift": shift, "pool": pool, "input": circular_shift(x, 0, shift), "moved": moved,
            "pooled": pool2d(moved, pool, 1), "equivariance_error": float(np.abs(moved - circular_shift(base, 0, shift)).max()),
            "det_curve": det_curve, "pool_curve": pool_curve}


def equivariance_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=4, width=1.9, height=2.2, layout=None)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.17, top=0.8, wspace=0.25)
    axes[0].imshow(data["input"], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[0].set_title(f"input shifted {data['shift']} px", fontsize=9)
    lim = float(data["moved"].max()) or 1.0
    axes[1].imshow(data["moved"], cmap="magma", vmin=0, vmax=lim, interpolation="nearest")
    axes[1].set_title("detector (edge + ReLU)", fontsize=9)
    axes[2].imshow(data["pooled"], cmap="magma", vmin=0, vmax=lim, interpolation="nearest")
    axes[2].set_title(f"max-pooled, width {data['pool']}", fontsize=9)
    for ax in axes[:3]:
        ax.axis("off")
    bx = axes[3]
    shifts = np.arange(len(data["det_curve"]))
    bx.plot(shifts, data["det_curve"], "o-", ms=3, color=COLORS["data"], label="detector")
    bx.plot(shifts, data["pool_curve"], "s-", ms=3, color=COLORS["model"], label="pooled")
    bx.axvline(data["shift"], color=COLORS["muted"], lw=1)
    bx.set_ylim(0, 1.05)
    bx.set_xlabel("shift (px)", fontsize=8, labelpad=1)
    bx.set_title("units unchanged", fontsize=9)
    bx.legend(fontsize=7, loc="upper right")
    bx.tick_params(labelsize=7)
    fig.suptitle(f"conv(shift x) = shift(conv x): largest difference {data['equivariance_error']:.0e}", fontsize=9)
    return fig


@register
def equivariance_demo() -> Demo:
    """Shift an image: the convolutional feature map moves with it; the max-pooled map mostly stays put."""
    return Demo(
        compute=equivariance_compute, draw=equivariance_draw,
        controls=[Slider("shift", 0, 8, 1, 1, "shift (pixels)"), Slider("pool", 1, 5, 2, 3, "pool width")],
        title="Equivariance of convolution, invariance of pooling",
        alt="the shifted input patch, its edge-detector map, the max-pooled map and a plot of the fraction of "
            "detector and pooled units whose value did not change against the shift", dpi=64,
    )


# -- Gabor receptive fields (§9.10) ----------------------------------------------------------------------------

def gabor_compute(tau_deg: float = 0.0, f: float = 0.8, phi: str = "even (φ = 0)", sigma: float = 3.0) -> dict[str, Any]:
    """A 15×15 Gabor kernel, the simple-cell map it gives on the photograph, and the complex-cell (energy) map."""
    phase = {"even (φ = 0)": 0.0, "odd (φ = π/2)": np.pi / 2}[phi]
    beta = 1.0 / (2.0 * sigma ** 2)
    params = dict(beta_x=beta, beta_y=beta, f=f, tau=np.deg2rad(tau_deg))
    k0 = gabor_kernel(15, phi=phase, **params)
    k0q = gabor_kernel(15, phi=phase + np.pi / 2, **params)
    img = _patch_large()
    s = conv2d(img, k0)                                              # valid: no response to the zero border
    q = conv2d(img, k0q)
    return {"kernel": k0, "simple": s, "complex": np.hypot(s, q), "tau": tau_deg, "f": f, "phi": phi, "sigma": sigma}


@lru_cache(maxsize=1)
def _patch_large() -> np.ndarray:
    crop = playground_image()[40:168, 80:208]                      # 128×128, the pagoda
    return crop - crop.mean()


def gabor_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=3, width=2.5, height=2.5, layout=None)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.8, wspace=0.06)
    k = data["kernel"]
    lim = float(np.abs(k).max()) or 1.0
    axes[0].imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    axes[0].set_title(f"Gabor kernel, τ = {data['tau']:g}°", fontsize=9)
    slim = float(np.abs(data["complex"]).max()) or 1.0
    axes[1].imshow(data["simple"], cmap="RdBu_r", vmin=-slim, vmax=slim, interpolation="nearest")
    axes[1].set_title("simple cell: image ⋆ kernel", fontsize=9)
    axes[2].imshow(data["complex"], cmap="magma", vmin=0, vmax=slim, interpolation="nearest")
    axes[2].set_title("complex cell: √(s₀² + s₁²)", fontsize=9)
    for ax in axes:
        ax.axis("off")
    fig.suptitle(f"f = {data['f']:g} rad/px, σ = {data['sigma']:g} px, {data['phi']}", fontsize=10)
    return fig


@register
def gabor_demo() -> Demo:
    """Gabor parameters (orientation, frequency, phase, envelope width) and the responses of simple and complex cells."""
    return Demo(
        compute=gabor_compute, draw=gabor_draw,
        controls=[Slider("tau_deg", 0, 90, 45, 0, "orientation τ (degrees)", frames=2),
                  Slider("f", 0.4, 0.8, 0.2, 0.8, "frequency f (rad/px)", frames=2),
                  Choice("phi", ["even (φ = 0)", "odd (φ = π/2)"], "even (φ = 0)", "phase φ"),
                  Slider("sigma", 2.0, 3.0, 0.5, 3.0, "envelope σ (px)", frames=2)],
        title="Gabor receptive fields on a photograph",
        alt="a Gabor kernel in red and blue, the signed simple-cell response map on a crop of the photograph, and "
            "the complex-cell energy map", dpi=64,
    )
