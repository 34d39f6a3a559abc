"""Demos of Chapter 18: the exact gradient against CD-k and PCD on a 1-D energy model (spurious modes), an RBM's
Gibbs samples and its AIS estimate of log Z, and Z-free estimators of a Gaussian as the sample size grows."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import as_array, check_int
from dlbook.demo import Demo, Slider, register
from dlbook.partition import ais_log_partition, grid_energy_fit
from dlbook.plotting import COLORS, new_figure, two_panels
from dlbook.prob import softmax
from dlbook.rbm import gibbs_step

# -- 1. the exact gradient, CD-k and PCD on a tabular energy model over 40 states (§18.2, figure 18.2) -------------

GRID_STATES = 40
#: Data: 100 points, 40 at state 8 and its neighbours, 60 around state 15.
GRID_DATA = np.r_[np.repeat([7, 8, 9], [10, 20, 10]), np.repeat([14, 15, 16], [15, 30, 15])]
#: The starting log-potentials: flat, plus a spurious bump at states 26–28, far from every data point.
GRID_THETA0 = np.where(np.abs(np.arange(GRID_STATES) - 27) <= 1, 3.0, 0.0)
GRID_K_MAX = 20
GRID_STEPS = 150
GRID_METHODS = ("exact", "cd", "pcd")


@lru_cache(maxsize=64)
def _grid_fit(method: str, k: int) -> np.ndarray:
    return softmax(grid_energy_fit(GRID_DATA, GRID_THETA0, method, np.random.default_rng(0), k=k, steps=GRID_STEPS,
                                   lr=1.0, n_chains=100)[-1])


def _grid_fits(k: int) -> dict[str, np.ndarray]:
    """The three fits; the exact gradient does not depend on k, so it is computed once."""
    return {m: _grid_fit(m, 1 if m == "exact" else k) for m in GRID_METHODS}


def grid_fit_table() -> dict[str, np.ndarray]:
    """Every fit the demo can show, trained once (in the notebook; the page gets them as demo data): the exact
    gradient's, and CD-k's and PCD-k's for k = 1…GRID_K_MAX, one row per k."""
    ks = range(1, GRID_K_MAX + 1)
    return {"exact_fit": _grid_fit("exact", 1), "cd_fits": np.stack([_grid_fit("cd", k) for k in ks]),
            "pcd_fits": np.stack([_grid_fit("pcd", k) for k in ks])}


def cd_spurious_compute(k: int, exact_fit: Any = None, cd_fits: Any = None, pcd_fits: Any = None) -> dict[str, Any]:
    """The 40-state energy model after 150 steps of the exact gradient, CD-k and PCD-k: the three fits.

    Looked up in :func:`grid_fit_table`'s arrays when given (as the demo passes them), else trained (cached).
    """
    k = check_int(k, "k", low=1, high=GRID_K_MAX)
    if cd_fits is None or pcd_fits is None or exact_fit is None:
        fits = _grid_fits(k)
    else:
        fits = {"exact": np.asarray(exact_fit), "cd": np.asarray(cd_fits)[k - 1], "pcd": np.asarray(pcd_fits)[k - 1]}
    far = np.abs(np.arange(GRID_STATES) - 27) <= 1
    return {"k": k, "data": np.bincount(GRID_DATA.astype(np.intp), minlength=GRID_STATES) / GRID_DATA.size, "fits": fits,
            "spurious": {m: float(p[far].sum()) for m, p in fits.items()}}


def cd_spurious_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=7.6, height=3.0, layout=None)
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.16, top=0.88)
    x = np.arange(GRID_STATES)
    ax.stairs(data["data"], np.arange(GRID_STATES + 1) - 0.5, fill=True, color="0.85", label="data histogram")
    styles = {"exact": (COLORS["optimum"], "exact gradient"), "cd": (COLORS["second"], f"CD-{data['k']}"),
              "pcd": (COLORS["data"], f"PCD-{data['k']}")}
    for m, (color, label) in styles.items():
        ax.plot(x, data["fits"][m], "o-", ms=3, lw=1.4, color=color,
                label=f"{label}: mass on the far bump {data['spurious'][m]:.2f}")
    ax.set_ylim(0, 0.5)
    ax.set_xlabel("state x")
    ax.set_ylabel("probability")
    ax.legend(fontsize=7.5, loc="upper right")
    ax.set_title(f"after {GRID_STEPS} gradient steps, negative phase from {data['k']} local Metropolis moves",
                 fontsize=9)
    return fig


@register
def cd_spurious_demo() -> Demo:
    """Grow k: CD-k's chains start at the data and take k one-state moves, so the bump at x ≈ 27 survives until
    k is large enough to reach it; PCD's persistent chains wander there and remove it."""
    return Demo(
        compute=cd_spurious_compute, draw=cd_spurious_draw,
        controls=[Slider("k", 1, GRID_K_MAX, 1, 1, "Metropolis steps k")],
        data=grid_fit_table(),  # training stays out of the update: the slider looks the fits up
        title="CD-k leaves a spurious mode far from the data; the exact gradient and PCD remove it",
        alt="a filled two-bump data histogram over 40 states with three fitted distributions drawn as "
            "lines; the CD line keeps a third bump near state 27 for small k",
    )


# -- 2. an RBM on binarised digits: Gibbs samples and AIS estimates of log Z (§18.2, §18.7.1) ----------------------

GIBBS_MAX = 500
AIS_STEPS = (1, 10, 100, 1000)                     # 10^0 … 10^3, the AIS demo's control is the exponent


def ais_table(W: Any, b: Any, c: Any, n_chains: int, repeats: int, base_bias: Any = None,
              seed: int = 0) -> np.ndarray:
    """AIS estimates of log Z, shape (len(AIS_STEPS), repeats): each run with its own seed."""
    rng = np.random.default_rng(seed)
    return np.array([[ais_log_partition(W, b, c, n, n_chains, rng, base_bias)[0] for _ in range(repeats)]
                     for n in AIS_STEPS])


def _small_rbm() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random 64×6 RBM that stands in when a demo is built without a trained one."""
    rng = np.random.default_rng(0)
    return rng.normal(0, 0.3, (64, 6)), rng.normal(-1, 0.5, 64), np.zeros(6)


def rbm_samples_compute(gibbs_steps: int, W: np.ndarray, b: np.ndarray, c: np.ndarray) -> dict[str, Any]:
    """Sixteen Gibbs chains started from uniform noise, after ``gibbs_steps`` block sweeps."""
    steps = check_int(gibbs_steps, "gibbs_steps", low=0, high=5000)
    rng = np.random.default_rng(1)
    v = (rng.random((16, W.shape[0])) < 0.5).astype(float)
    for _ in range(steps):
        v, h = gibbs_step(v, W, b, c, rng)
    mean = 1 / (1 + np.exp(-(h @ W.T + b))) if steps else v                # show P(v | h) of the last sweep
    return {"samples": mean, "steps": steps}


def rbm_samples_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=3.4, height=3.5, layout=None)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9)
    side = int(round(np.sqrt(data["samples"].shape[1])))
    tiles = data["samples"].reshape(4, 4, side, side).transpose(0, 2, 1, 3).reshape(4 * side, 4 * side)
    ax.imshow(tiles, cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"16 chains after {data['steps']} Gibbs sweeps", fontsize=9)
    return fig


@register
def rbm_samples_demo(W: Any = None, b: Any = None, c: Any = None) -> Demo:
    """Gibbs samples of an RBM from noise. The notebook passes a trained RBM; without one a small random RBM
    stands in."""
    if W is None:
        W, b, c = _small_rbm()
    W, b, c = as_array(W, "W", ndim=2), as_array(b, "b", ndim=1), as_array(c, "c", ndim=1)
    if int(round(np.sqrt(W.shape[0]))) ** 2 != W.shape[0]:
        raise ValueError(f"the visible layer must be a square image to be drawn; got {W.shape[0]} units")
    return Demo(
        compute=rbm_samples_compute, draw=rbm_samples_draw, data={"W": W, "b": b, "c": c},
        controls=[Slider("gibbs_steps", 0, GIBBS_MAX, 5, 20, "Gibbs sweeps")],
        title="An RBM's block Gibbs samples, from noise",
        alt="a 4 by 4 grid of 8 by 8 grey images, the states of 16 Gibbs chains: noise at 0 sweeps, digit-like "
            "strokes after tens of sweeps",
    )


def ais_compute(log10_steps: int, ais: np.ndarray, log_z: float) -> dict[str, Any]:
    """The AIS runs of :func:`ais_table`, with the runs of 10^``log10_steps`` intermediate distributions highlighted."""
    e = check_int(log10_steps, "log10_steps", low=0, high=len(AIS_STEPS) - 1)
    return {"ais": np.asarray(ais), "ais_steps": AIS_STEPS[e], "log_z": float(log_z)}


def ais_draw(data: dict[str, Any]) -> Figure:
    fig, (bx,) = new_figure(width=4.2, height=3.3, layout=None)
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.15, top=0.9)
    ais, chosen = data["ais"], AIS_STEPS.index(data["ais_steps"])
    for i, n in enumerate(AIS_STEPS):
        color = COLORS["second"] if i == chosen else COLORS["muted"]
        bx.plot(np.full(ais.shape[1], np.log10(n)), ais[i], "o", color=color, ms=4, alpha=0.8)
    bx.axhline(data["log_z"], color=COLORS["optimum"], lw=1.2, label=f"exact log Z = {data['log_z']:.3f}")
    bx.set_xticks(np.log10(AIS_STEPS), [str(n) for n in AIS_STEPS])
    bx.set_xlabel("number of AIS steps (β values)")
    bx.set_ylabel("AIS estimate of log Z")
    spread = ais[chosen]
    bx.set_title(f"{data['ais_steps']} steps: mean {spread.mean():.3f}, spread {np.ptp(spread):.3f}", fontsize=9)
    lo, hi = min(ais.min(), data["log_z"]), max(ais.max(), data["log_z"])
    bx.set_ylim(lo - 0.1 * (hi - lo + 1e-3), hi + 0.1 * (hi - lo + 1e-3))
    bx.legend(fontsize=7.5, loc="lower right")
    return fig


@register
def ais_demo(ais: Any = None, log_z: float | None = None) -> Demo:
    """AIS estimates of an RBM's log Z against the exact value. The notebook passes its AIS runs
    (:func:`ais_table`) and the exact log Z; without them a small random RBM stands in."""
    if ais is None:
        from dlbook.rbm import log_partition
        W, b, c = _small_rbm()
        ais, log_z = ais_table(W, b, c, n_chains=5, repeats=3), log_partition(W, b, c)
    ais = as_array(ais, "ais", ndim=2)
    if ais.shape[0] != len(AIS_STEPS):
        raise ValueError(f"ais must have one row per entry of AIS_STEPS {AIS_STEPS}; got shape {ais.shape}")
    return Demo(
        compute=ais_compute, draw=ais_draw, data={"ais": ais, "log_z": float(log_z)},
        controls=[Slider("log10_steps", 0, len(AIS_STEPS) - 1, 1, len(AIS_STEPS) - 1, "log₁₀ AIS steps")],
        title="Annealed importance sampling of an RBM's log Z",
        alt="AIS estimates of log Z for 1 to 1000 intermediate distributions, the chosen number highlighted, "
            "converging on a horizontal line at the exact value",
    )


# -- 3. estimators of a 1-D Gaussian that do not need Z (§18.4–18.6) ---------------------------------------------

GAUSS_MU, GAUSS_SD, NOISE_SD = 1.0, 0.8, 2.0
#: Sample sizes 10^1, 10^1.5, …, 10^4: the demo's control is the exponent.
LOG10_SIZES = tuple(float(e) for e in np.arange(1.0, 4.01, 0.5))
SAMPLE_SIZES = tuple(int(round(10 ** e)) for e in LOG10_SIZES)
DSM_SIGMA = 0.5


def _nce_problem(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
    """NCE's loss (:func:`dlbook.partition.nce_loss`) for log p_model = −(x − μ)²/(2s²) + c against noise
    N(0, NOISE_SD²), as a function of (μ, log s², c), and its gradient (a unit test checks it)."""
    from dlbook.partition import nce_loss

    def log_noise(t: np.ndarray) -> np.ndarray:
        return -t ** 2 / (2 * NOISE_SD ** 2) - np.log(np.sqrt(2 * np.pi) * NOISE_SD)

    def nce_objective(p: np.ndarray) -> float:
        mu, s2, c = p[0], np.exp(p[1]), p[2]
        return nce_loss(-(x - mu) ** 2 / (2 * s2) + c, log_noise(x), -(y - mu) ** 2 / (2 * s2) + c, log_noise(y))

    log_nu = np.log(y.size / x.size)

    def nce_gradient(p: np.ndarray) -> np.ndarray:
        mu, s2, c = p[0], np.exp(p[1]), p[2]
        out = np.zeros(3)
        for t, sign, weight in ((x, -1.0, 1.0 / x.size), (y, 1.0, np.exp(log_nu) / y.size)):
            g = -(t - mu) ** 2 / (2 * s2) + c - log_noise(t) - log_nu
            d = weight * sign / (1 + np.exp(-sign * g))                  # d softplus(sign · G) / dG, weighted
            out += [d @ ((t - mu) / s2), d @ ((t - mu) ** 2 / (2 * s2)), d.sum()]
        return out

    return nce_objective, nce_gradient


def _nce_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """NCE's (μ, s, c) by BFGS on :func:`_nce_problem`: a logistic regression on (1, x, x²) in disguise."""
    from scipy.optimize import minimize

    nce_objective, nce_gradient = _nce_problem(x, y)
    res = minimize(nce_objective, np.array([0.0, 0.0, 0.0]), jac=nce_gradient, method="BFGS")
    return float(res.x[0]), float(np.exp(0.5 * res.x[1])), float(res.x[2])


@lru_cache(maxsize=4)
def _gauss_paths() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x_all = rng.normal(GAUSS_MU, GAUSS_SD, SAMPLE_SIZES[-1])
    y_all = rng.normal(0.0, NOISE_SD, SAMPLE_SIZES[-1])
    z_all = rng.normal(0.0, DSM_SIGMA, SAMPLE_SIZES[-1])
    out: dict[str, list] = {"ml": [], "nce": [], "dsm": [], "c": []}
    for n in SAMPLE_SIZES:
        x, y = x_all[:n], y_all[:n]
        out["ml"].append(x.std())                      # = score matching's σ (exactly, in closed form)
        mu, sd, c = _nce_fit(x, y)
        out["nce"].append(sd)
        out["c"].append(c)
        z = z_all[:n]                                  # DSM's optimum is a least-squares fit of the slope −1/s²:
        noisy = x + z                                  # s² = σ_noise² Var(x̃) / Cov(x̃, x̃ − x) → σ² + σ_noise²
        out["dsm"].append(np.sqrt(DSM_SIGMA ** 2 * noisy.var() / np.mean((noisy - noisy.mean()) * z)))
    return {k: np.array(v) for k, v in out.items()}


def gaussian_estimators_compute(log10_n: float) -> dict[str, Any]:
    """σ estimated by ML (= score matching), denoising score matching and NCE, and NCE's c, for the first n samples,
    n = 10^``log10_n`` rounded (``log10_n`` one of 1, 1.5, …, 4)."""
    if not any(abs(float(log10_n) - e) < 1e-9 for e in LOG10_SIZES):
        raise ValueError(f"log10_n must be one of {LOG10_SIZES}; got {log10_n}")
    upto = int(np.argmin([abs(float(log10_n) - e) for e in LOG10_SIZES])) + 1
    n = SAMPLE_SIZES[upto - 1]
    paths = _gauss_paths()
    return {"n": n, "sizes": np.array(SAMPLE_SIZES[:upto]), **{k: v[:upto] for k, v in paths.items()},
            "minus_log_z": float(-np.log(np.sqrt(2 * np.pi) * GAUSS_SD))}


def gaussian_estimators_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(height=3.0, width=3.7)
    n = np.log10(data["sizes"])                        # a linear axis in log10 n draws faster than a log axis
    ax.axhline(GAUSS_SD, color="k", lw=0.8, label="true σ")
    ax.axhline(np.hypot(GAUSS_SD, DSM_SIGMA), color=COLORS["muted"], lw=0.8, ls=":", label="√(σ² + σ_noise²)")
    ax.plot(n, data["ml"], "o-", color=COLORS["optimum"], ms=3, label="ML = score matching")
    ax.plot(n, data["nce"], "s--", color=COLORS["data"], ms=3, label="NCE")
    ax.plot(n, data["dsm"], "^-", color=COLORS["second"], ms=3, label=f"DSM, σ_noise = {DSM_SIGMA}")
    for a in (ax, bx):
        a.set_xlim(0.85, 4.15)
        a.set_xticks([1, 2, 3, 4], ["10", "100", "1000", "10⁴"])
        a.set_xlabel("sample size n (log scale)")
    ax.set_ylim(0.3, 1.4)
    ax.set_ylabel("estimated σ")
    ax.legend(fontsize=7, loc="lower right")
    bx.axhline(data["minus_log_z"], color="k", lw=0.8, label="−log Z of the true density")
    bx.plot(n, data["c"], "s--", color=COLORS["data"], ms=3, label="NCE's learned c")
    bx.set_ylim(-1.6, 0.2)
    bx.set_ylabel("c")
    bx.legend(fontsize=7, loc="lower right")
    bx.set_title(f"n = {data['n']}: c = {data['c'][-1]:.3f}", fontsize=9)
    return fig


@register
def gaussian_estimators_demo() -> Demo:
    """Grow the sample: the Z-free estimators of a Gaussian's σ and NCE's normalising constant c converge."""
    return Demo(
        compute=gaussian_estimators_compute, draw=gaussian_estimators_draw,
        controls=[Slider("log10_n", 1.0, 4.0, 0.5, 4.0, "log₁₀ sample size n")],
        title="Score matching, denoising score matching and NCE on a Gaussian as n grows",
        alt="left: estimates of sigma against sample size on a log axis, converging to 0.8 except denoising score "
            "matching, which converges to a larger value; right: NCE's constant c converging to minus log Z",
    )
