"""Demos of Chapter 19: the ELBO decomposition for one observation of a two-component mixture, mean field against
the exact Gaussian posterior of §19.4.3, and EM on a 2-D Gaussian mixture iteration by iteration."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from dlbook.demo import Demo, Slider, register
from dlbook.inference import elbo_discrete, em_gmm, linear_gaussian_posterior, mean_field_gaussian
from dlbook.information import kl_discrete
from dlbook.plotting import COLORS, two_panels
from dlbook.prob import gaussian_logpdf, logsumexp

# -- 1. log p(v) = ELBO + KL for a two-component mixture and one observation (§19.1) -----------------------------

#: p(h = 1) = 0.3; v | h ~ N(μ_h, 1) with μ₀ = −1, μ₁ = 2; the observed v = 0.8.
MIX_PRIOR, MIX_MEANS, MIX_V = np.array([0.7, 0.3]), np.array([-1.0, 2.0]), 0.8


def mixture_log_joint() -> np.ndarray:
    """log p(v, h) for h = 0, 1 at the observed v."""
    return np.log(MIX_PRIOR) + np.array([gaussian_logpdf(MIX_V, m, 1.0) for m in MIX_MEANS])


def elbo_bars_compute(q1: float) -> dict[str, Any]:
    """ELBO, KL(q ‖ p(h | v)) and log p(v) for q(h = 1) = q1, plus the ELBO over a grid of q1."""
    if not 0.0 <= q1 <= 1.0:
        raise ValueError(f"q1 must be a probability in [0, 1]; got {q1}")
    lj = mixture_log_joint()
    log_pv = float(logsumexp(lj))
    post = np.exp(lj - log_pv)
    grid = np.linspace(0, 1, 101)
    curve = np.array([elbo_discrete(lj, [1 - g, g]) for g in grid])
    q = np.array([1 - q1, q1])
    return {"q1": float(q1), "elbo": elbo_discrete(lj, q), "kl": float(kl_discrete(q, post)), "log_pv": log_pv,
            "posterior1": float(post[1]), "grid": grid, "curve": curve}


def elbo_bars_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(height=3.0, width=3.7)
    lo = min(data["log_pv"], data["curve"].min()) - 0.3
    ax.bar([0], [data["log_pv"] - lo], bottom=lo, color=COLORS["optimum"], width=0.6)
    ax.bar([1], [data["elbo"] - lo], bottom=lo, color=COLORS["data"], width=0.6)
    ax.bar([1], [data["kl"]], bottom=data["elbo"], color=COLORS["second"], width=0.6)
    ax.set_xticks([0, 1], ["log p(v)", "ELBO + KL"])
    ax.set_ylim(lo, data["log_pv"] + 0.3)
    ax.set_title(f"ELBO {data['elbo']:.3f} + KL {data['kl']:.3f} = {data['log_pv']:.3f}", fontsize=9)
    bx.plot(data["grid"], data["curve"], color=COLORS["data"], label="ELBO(q)")
    bx.axhline(data["log_pv"], color=COLORS["optimum"], lw=1, label="log p(v)")
    bx.axvline(data["posterior1"], color=COLORS["muted"], lw=0.8, ls=":", label="p(h = 1 | v)")
    bx.plot([data["q1"]], [data["elbo"]], "o", color=COLORS["second"])
    bx.set_ylim(lo, data["log_pv"] + 0.3)
    bx.set_xlabel("q(h = 1)")
    bx.legend(fontsize=7, loc="lower center")
    return fig


@register
def elbo_bars_demo() -> Demo:
    """Move q(h = 1): the ELBO rises to log p(v) exactly when q equals the posterior, and the gap is the KL."""
    return Demo(
        compute=elbo_bars_compute, draw=elbo_bars_draw,
        controls=[Slider("q1", 0.0, 1.0, 0.05, 0.0, "q(h = 1)", frames=6)],
        title="The evidence lower bound: log p(v) = ELBO + KL(q ‖ posterior)",
        alt="left: a bar for log p(v) next to a stacked bar of the ELBO and the KL gap reaching the same height; "
            "right: the ELBO as a concave curve of q(h=1) touching log p(v) at the posterior",
    )


# -- 2. mean field against the exact posterior of h ~ N(0, I), v | h ~ N(wᵀh, 1) (§19.4.3) -----------------------

def _ellipse(mean: np.ndarray, cov: np.ndarray, **kw: Any) -> Ellipse:
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
    return Ellipse(mean, 2 * 2 * np.sqrt(vals[1]), 2 * 2 * np.sqrt(vals[0]), angle=angle, fill=False, **kw)


def mean_field_compute(w1: float, w2: float, v: float) -> dict[str, Any]:
    """The exact posterior N(Λ⁻¹wv, Λ⁻¹) with Λ = I + wwᵀ and the mean-field q (means, variances 1/Λᵢᵢ)."""
    w = np.array([w1, w2], dtype=float)
    mean, precision = linear_gaussian_posterior(w, v)
    m, var, path = mean_field_gaussian(mean, precision, n_iter=30, init=np.array([-2.5, 2.5]))
    return {"w": w, "v": float(v), "mean": mean, "cov": np.linalg.inv(precision), "m": m, "var": var,
            "path": path}


def mean_field_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(height=3.3, width=3.6)
    ax.add_patch(_ellipse(data["mean"], data["cov"], color=COLORS["optimum"], lw=1.6, label="posterior (2 sd)"))
    ax.add_patch(_ellipse(data["m"], np.diag(data["var"]), color=COLORS["second"], lw=1.6, ls="--",
                          label="mean-field q (2 sd)"))
    p = data["path"]
    ax.plot(p[:6, 0], p[:6, 1], ".-", color=COLORS["muted"], lw=0.8, label="first sweeps")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_aspect("equal")
    ax.set_xlabel("h₁")
    ax.set_ylabel("h₂")
    ax.legend(fontsize=6.5, loc="upper left")
    ax.set_title(f"w = ({data['w'][0]:g}, {data['w'][1]:g}), v = {data['v']:g}", fontsize=9)
    true_sd, q_sd = np.sqrt(np.diag(data["cov"])), np.sqrt(data["var"])
    x = np.arange(2)
    bx.bar(x - 0.18, true_sd, 0.36, color=COLORS["optimum"], label="posterior marginal sd")
    bx.bar(x + 0.18, q_sd, 0.36, color=COLORS["second"], label="mean-field sd = 1/√Λᵢᵢ")
    bx.set_xticks(x, ["h₁", "h₂"])
    bx.set_ylim(0, 1.15)
    bx.legend(fontsize=7, loc="upper right")
    bx.set_title(f"correlation of the posterior {data['cov'][0, 1] / np.prod(true_sd):.2f}", fontsize=9)
    return fig


@register
def mean_field_demo() -> Demo:
    """Change w and v: the mean-field q finds the posterior mean but its ellipse is too narrow when h₁, h₂ correlate."""
    return Demo(
        compute=mean_field_compute, draw=mean_field_draw,
        controls=[Slider("w1", -2.0, 2.0, 0.25, 2.0, "w₁", frames=2), Slider("w2", -2.0, 2.0, 0.25, 2.0, "w₂",
                                                                            frames=2),
                  Slider("v", -2.0, 2.0, 0.5, 2.0, "v", frames=2)],
        title="Mean field against the exact posterior of a linear-Gaussian model",
        alt="left: two ellipses in the (h1, h2) plane, a tilted one for the posterior and a narrower axis-aligned "
            "one for the mean-field approximation, sharing their centre; right: bars of marginal standard deviations",
    )


# -- 3. EM on a 2-D Gaussian mixture (§19.2) ----------------------------------------------------------------------

EM_ITERATIONS = 20


@lru_cache(maxsize=1)
def em_example() -> tuple[np.ndarray, dict[str, Any]]:
    """Three overlapping 2-D clusters (260 points) and EM's run from a poor start: all means near one corner."""
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal([0, 0], 0.6, (120, 2)), rng.normal([3, 1], [1.0, 0.4], (80, 2)),
              rng.normal([0.5, 3], 0.5, (60, 2))]
    start_means = np.array([[-1.0, -1.0], [-0.5, -1.2], [-1.2, -0.4]])
    out = em_gmm(X, np.full(3, 1 / 3), start_means, np.stack([np.eye(2)] * 3), n_iter=EM_ITERATIONS)
    return X, out


def em_compute(iteration: int) -> dict[str, Any]:
    """The mixture after ``iteration`` EM steps, its responsibilities and the log-likelihood path so far."""
    X, out = em_example()
    if not 0 <= iteration <= EM_ITERATIONS:
        raise ValueError(f"iteration must be in 0…{EM_ITERATIONS}; got {iteration}")
    w, mu, S = out["path"][iteration]
    from dlbook.prob import multivariate_normal_logpdf

    log_r = np.log(w) + np.stack([multivariate_normal_logpdf(X, m, s) for m, s in zip(mu, S)], axis=1)
    r = np.exp(log_r - logsumexp(log_r, axis=1)[:, None])
    return {"X": X, "r": r, "means": mu, "covs": S, "iteration": int(iteration),
            "log_likelihood": out["log_likelihood"]}


def em_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(height=3.2, width=3.7)
    palette = np.array([[0.30, 0.45, 0.69], [0.87, 0.52, 0.32], [0.33, 0.66, 0.41]])
    ax.scatter(*data["X"].T, s=7, c=np.clip(data["r"] @ palette, 0, 1))
    for m, S, col in zip(data["means"], data["covs"], palette):
        ax.add_patch(_ellipse(m, S, color=col, lw=1.5))
        ax.plot(*m, "x", color="k", ms=6)
    ax.set_xlim(-2.5, 6)
    ax.set_ylim(-2.5, 5)
    ax.set_title(f"iteration {data['iteration']}: colour = responsibilities", fontsize=9)
    ll, it = data["log_likelihood"], data["iteration"]
    bx.plot(np.arange(len(ll)), ll, color=COLORS["muted"], lw=1)
    bx.plot(np.arange(it + 1), ll[:it + 1], "o-", ms=3, color=COLORS["data"])
    bx.set_xlabel("EM iteration")
    bx.set_ylabel("mean log-likelihood")
    bx.set_title(f"log-likelihood {ll[it]:.3f}", fontsize=9)
    return fig


@register
def em_demo() -> Demo:
    """Step through EM: responsibilities (E-step) and refitted Gaussians (M-step); the log-likelihood never falls."""
    return Demo(
        compute=em_compute, draw=em_draw,
        controls=[Slider("iteration", 0, EM_ITERATIONS, 1, 0, "EM iteration", frames=6)],
        title="EM for a Gaussian mixture, one iteration at a time",
        alt="left: 2-D points coloured by their responsibilities under three Gaussian ellipses; right: the mean "
            "log-likelihood against the iteration, rising monotonically",
    )
