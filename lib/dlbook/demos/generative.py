"""Demos of Chapter 20: GAN theory in 1-D, the bilinear game, a VAE decoder's latent space and gradient estimators
(§20.9, §20.10.3, §20.10.4).

NumPy and matplotlib only. The VAE demo receives the trained decoder's weights from the notebook as ``data`` and runs
the decoder's forward pass here in NumPy.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import as_array, check_int, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.gan import bilinear_game, jensen_shannon, optimal_discriminator, virtual_training_criterion
from dlbook.gradient_estimators import reinforce_gradient, reparameterization_gradient
from dlbook.plotting import COLORS, new_figure
from dlbook.prob import gaussian_pdf, mixture_pdf, sigmoid

# -- GAN theory in 1-D: D*, C(G) and −log 4 + 2·JSD by quadrature --------------------------------------------------

#: The quadrature grid and the fixed data density: a two-component mixture 0.5·N(−1, 0.6²) + 0.5·N(2, 0.8²).
GAN_X = np.linspace(-18.0, 20.0, 3801)
DATA_MIX = ([0.5, 0.5], [-1.0, 2.0], [0.6, 0.8])
GAN_MEANS = np.linspace(-3.0, 5.0, 41)


@lru_cache(maxsize=64)
def _criterion_curve(sigma_g: float) -> np.ndarray:
    """C(G) for p_g = N(m, σ_g²) at every m of ``GAN_MEANS`` (cached: it depends on σ_g alone)."""
    p_data = mixture_pdf(GAN_X, *DATA_MIX)
    curve = np.array([virtual_training_criterion(p_data, gaussian_pdf(GAN_X, m, sigma_g), GAN_X) for m in GAN_MEANS])
    curve.setflags(write=False)
    return curve


def gan_theory_compute(mu_g: float = 1.0, sigma_g: float = 1.5) -> dict[str, Any]:
    """p_data, p_g = N(μ_g, σ_g²), D* = p_data/(p_data + p_g), C(G) and −log 4 + 2·JSD, and C(G) along μ_g."""
    sigma_g = check_positive(sigma_g, "sigma_g")
    p_data = mixture_pdf(GAN_X, *DATA_MIX)
    p_g = gaussian_pdf(GAN_X, float(mu_g), sigma_g)
    curve = _criterion_curve(sigma_g)
    return {"x": GAN_X, "p_data": p_data, "p_g": p_g, "d_star": optimal_discriminator(p_data, p_g),
            "c": virtual_training_criterion(p_data, p_g, GAN_X),
            "jsd_form": -np.log(4.0) + 2 * jensen_shannon(p_data, p_g, GAN_X),
            "mu_g": float(mu_g), "sigma_g": sigma_g, "means": GAN_MEANS, "curve": curve}


def gan_theory_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.6, height=3.0, layout=None)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    x = data["x"]
    ax.plot(x, data["p_data"], color=COLORS["data"], lw=2, label="p_data")
    ax.plot(x, data["p_g"], color=COLORS["model"], lw=2, label="p_g")
    ax.plot(x, data["d_star"], color=COLORS["optimum"], lw=1.6, ls="--", label="D*(x)")
    ax.axhline(0.5, color=COLORS["muted"], lw=0.6)
    ax.set_xlim(-5, 7)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("x")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_title(f"μ_g = {data['mu_g']:g}, σ_g = {data['sigma_g']:g}", fontsize=9)
    bx.plot(data["means"], data["curve"], color=COLORS["model"], lw=1.8, label="C(G) along μ_g")
    bx.axhline(-np.log(4), color=COLORS["second"], lw=1, ls=":", label="−log 4")
    bx.plot([data["mu_g"]], [data["c"]], "o", color="k", ms=6)
    bx.set_ylim(-1.45, 0.05)
    bx.set_xlabel("generator mean μ_g")
    bx.legend(loc="upper right", fontsize=7, frameon=False)
    bx.set_title(f"C(G) = {data['c']:.4f},  −log 4 + 2 JSD = {data['jsd_form']:.4f}", fontsize=8)
    return fig


@register
def gan_theory_demo() -> Demo:
    """Sliders for the generator's mean and width; D*, C(G) and −log 4 + 2·JSD against a fixed bimodal p_data."""
    return Demo(
        compute=gan_theory_compute, draw=gan_theory_draw,
        controls=[Slider("mu_g", -2.0, 4.0, 0.25, 1.0, "generator mean μ_g", frames=3),
                  Slider("sigma_g", 0.5, 2.5, 0.25, 1.5, "generator width σ_g", frames=3)],
        title="GAN theory in 1-D: the optimal discriminator and C(G) = −log 4 + 2·JSD",
        alt="left: the bimodal data density, a Gaussian generator density and the optimal discriminator "
            "p_data/(p_data+p_g); right: the generator criterion C(G) as the generator mean varies, with −log 4 marked",
    )


# -- the bilinear game v(a, b) = ab -------------------------------------------------------------------------------

def bilinear_game_compute(lr: float = 0.2, update: str = "simultaneous", steps: int = 60) -> dict[str, Any]:
    """Sixty steps of gradient play from (1, 0); radius per step and the exact factor √(1 + ε²) for simultaneous play."""
    if update not in ("simultaneous", "alternating"):
        raise ValueError(f"update must be 'simultaneous' or 'alternating'; got {update!r}")
    path = bilinear_game(1.0, 0.0, lr, check_int(steps, "steps", low=1), alternating=update == "alternating")
    return {"path": path, "radius": np.hypot(path[:, 0], path[:, 1]), "lr": float(lr), "update": update,
            "factor": float(np.sqrt(1 + lr**2))}


def bilinear_game_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.4, height=3.0, layout=None)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    p = data["path"]
    ax.plot(p[:, 0], p[:, 1], "-o", ms=2.5, lw=1, color=COLORS["model"])
    ax.plot([0], [0], "*", color=COLORS["optimum"], ms=11, label="equilibrium (0, 0)")
    ax.plot([p[0, 0]], [p[0, 1]], "s", color="k", ms=5, label="start (1, 0)")
    lim = 4.0
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("a (minimises ab)")
    ax.set_ylabel("b (maximises ab)")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_title(f"{data['update']} updates, ε = {data['lr']:g}", fontsize=9)
    bx.plot(data["radius"], color=COLORS["model"], lw=1.8, label="‖(a, b)‖")
    if data["update"] == "simultaneous":
        bx.plot(data["factor"] ** np.arange(len(p)), color="k", ls=":", lw=1, label="(1 + ε²)^(t/2)")
    bx.set_ylim(0, 6)
    bx.set_xlabel("step t")
    bx.legend(loc="upper left", fontsize=7, frameon=False)
    return fig


@register
def bilinear_game_demo() -> Demo:
    """A learning-rate slider and the update rule: simultaneous play spirals out, alternating play circles."""
    return Demo(
        compute=bilinear_game_compute, draw=bilinear_game_draw,
        controls=[Slider("lr", 0.05, 0.5, 0.05, 0.2, "learning rate ε", frames=4),
                  Choice("update", ["simultaneous", "alternating"], "simultaneous", "update")],
        title="Gradient play on v(a, b) = ab",
        alt="the path of (a, b) under gradient play on ab from (1, 0), spiralling outward for simultaneous updates "
            "and circling the origin for alternating ones, and its distance from the origin against the step",
    )


# -- a VAE decoder's 2-D latent space ----------------------------------------------------------------------------

GRID = np.linspace(-2.5, 2.5, 11)


def decode(z: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> np.ndarray:
    """The decoder's mean image σ(W2 tanh(W1 z + b1) + b2) for each row of z (NumPy twin of ``dlbook.vae.VAE.dec``)."""
    z = np.atleast_2d(as_array(z, "z", ndim=(1, 2)))
    W1, W2 = as_array(W1, "W1", ndim=2), as_array(W2, "W2", ndim=2)
    if z.shape[1] != W1.shape[1]:
        raise ValueError(f"z must have {W1.shape[1]} columns to match W1 {W1.shape}; got {z.shape[1]}")
    return sigmoid(np.tanh(z @ W1.T + as_array(b1, "b1")) @ W2.T + as_array(b2, "b2"))


def vae_latent_compute(z1: float = 0.0, z2: float = 0.0, *, W1: Any, b1: Any, W2: Any, b2: Any) -> dict[str, Any]:
    """The 8×8 image decoded at (z₁, z₂), and the 11×11 grid of decodings over [−2.5, 2.5]² (fig. 20.6)."""
    w = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    image = decode([z1, z2], **w)[0].reshape(8, 8)
    zz = np.array([[a, b] for b in GRID[::-1] for a in GRID])
    tiles = decode(zz, **w).reshape(len(GRID), len(GRID), 8, 8)
    sheet = np.ones((len(GRID) * 9 - 1, len(GRID) * 9 - 1))
    for i in range(len(GRID)):
        for j in range(len(GRID)):
            sheet[i * 9:i * 9 + 8, j * 9:j * 9 + 8] = tiles[i, j]
    return {"z": (float(z1), float(z2)), "image": image, "sheet": sheet}


def vae_latent_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.2, height=3.2, layout=None)
    fig.subplots_adjust(left=0.04, right=0.97, bottom=0.14, top=0.9, wspace=0.2)
    ax.imshow(data["image"], cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"decoded at z = ({data['z'][0]:g}, {data['z'][1]:g})", fontsize=9)
    n = len(GRID)
    size = n * 9 - 1
    bx.imshow(data["sheet"], cmap="gray_r", vmin=0, vmax=1, extent=(-2.75, 2.75, -2.75, 2.75))
    bx.plot([data["z"][0]], [data["z"][1]], "o", mfc="none", mec=COLORS["second"], ms=12, mew=2)
    bx.set_xlabel("z₁")
    bx.set_ylabel("z₂")
    bx.set_title(f"decoder over a {n}×{n} grid ({size} px)", fontsize=9)
    return fig


@register
def vae_latent_demo(weights: dict[str, np.ndarray] | None = None) -> Demo:
    """Sliders z₁, z₂ move through a trained decoder's latent plane; ``weights`` are from ``dlbook.vae.decoder_arrays``
    (without them, fixed random weights, so the test suite can sweep the demo without training)."""
    if weights is None:
        rng = np.random.default_rng(0)
        weights = {"W1": rng.normal(0, 1, (16, 2)), "b1": np.zeros(16), "W2": rng.normal(0, 1, (64, 16)),
                   "b2": np.zeros(64)}
    return Demo(
        compute=vae_latent_compute, draw=vae_latent_draw,
        controls=[Slider("z1", -2.5, 2.5, 0.25, 0.0, "z₁", frames=3),
                  Slider("z2", -2.5, 2.5, 0.25, 0.0, "z₂", frames=3)],
        data={k: np.asarray(weights[k], dtype=float) for k in ("W1", "b1", "W2", "b2")},
        title="A VAE decoder's two-dimensional latent space",
        alt="an 8 by 8 digit decoded at the chosen latent point, and the grid of digits decoded over the latent "
            "plane with the chosen point circled",
    )


# -- gradient estimators for d/dμ E[f(z)] ------------------------------------------------------------------------

#: f(z) = (z − 2)² + 5 at μ = 0.5, σ = 1: the exact gradient is 2(μ − 2) = −3; the constant 5 shows what a baseline
#: removes (it adds variance to REINFORCE but nothing to the mean).
EST_MU, EST_SIGMA, EST_REPEATS = 0.5, 1.0, 2000


def _f(z: np.ndarray) -> np.ndarray:
    return (z - 2.0) ** 2 + 5.0


def _df(z: np.ndarray) -> np.ndarray:
    return 2.0 * (z - 2.0)


def gradient_estimators_compute(samples: int = 16) -> dict[str, Any]:
    """2,000 independent estimates of each estimator from ``samples`` draws each (the same draws for all three)."""
    samples = check_int(samples, "samples", low=2, high=1024)
    eps = np.random.default_rng(samples).standard_normal((EST_REPEATS, samples))
    est = {"reparameterisation": reparameterization_gradient(_df, EST_MU, EST_SIGMA, eps),
           "REINFORCE": reinforce_gradient(_f, EST_MU, EST_SIGMA, eps),
           "REINFORCE, baseline": reinforce_gradient(_f, EST_MU, EST_SIGMA, eps, baseline="loo")}
    return {"samples": samples, "estimates": est, "exact": 2.0 * (EST_MU - 2.0),
            "std": {k: float(v.std()) for k, v in est.items()}}


def gradient_estimators_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=6.4, height=3.0, layout=None)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.9)
    colors = [COLORS["optimum"], COLORS["second"], COLORS["data"]]
    half = 4.0 * max(data["std"].values())
    bins = np.linspace(data["exact"] - half, data["exact"] + half, 81)
    for (name, v), color in zip(data["estimates"].items(), colors):
        ax.hist(np.clip(v, bins[0], bins[-1]), bins=bins, histtype="stepfilled", alpha=0.35, color=color,
                density=True, label=f"{name}: sd {data['std'][name]:.2f}")
    ax.axvline(data["exact"], color="k", lw=1, ls=":", label=f"exact gradient {data['exact']:g}")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel("estimate of d/dμ E[(z − 2)² + 5], z ~ N(0.5, 1)")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.set_title(f"2,000 estimates, each from {data['samples']} samples", fontsize=9)
    return fig


@register
def gradient_estimators_demo() -> Demo:
    """The number of samples per estimate: every estimator is centred on the truth, with very different spreads."""
    return Demo(
        compute=gradient_estimators_compute, draw=gradient_estimators_draw,
        controls=[Choice("samples", [4, 16, 256], 16, "samples per estimate")],
        title="Reparameterisation against REINFORCE, with and without a baseline",
        alt="histograms of repeated gradient estimates: the reparameterisation estimates are narrow, REINFORCE without "
            "a baseline very wide, REINFORCE with a leave-one-out baseline in between, all centred on the exact value",
    )
