"""Demos of chapter 17: importance sampling's proposal, Gibbs mixing against correlation, tempering a bimodal
target, and a Markov chain converging at the rate of its second eigenvalue (§17.2–17.5)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.demo import Demo, Slider, register
from dlbook.plotting import COLORS, two_panels
from dlbook.prob import gaussian_logpdf
from dlbook.sampling import (autocorrelation, gibbs_gaussian, importance_estimate, markov_evolve, metropolis,
                             optimal_proposal, stationary_distribution)

GRID = np.linspace(-4, 6, 401)


def is_compute(mu_q: float = 0.0, sigma_q: float = 1.0, n: int = 50, repeats: int = 400) -> dict[str, Any]:
    """E_p[f] for p = N(0, 1) and f(x) = eˣ (exact √e), by plain MC and by importance sampling from N(μ_q, σ_q²),
    each repeated to show the spread of the estimator."""
    rng = np.random.default_rng(0)
    x_p = rng.standard_normal((repeats, n))
    x_q = mu_q + sigma_q * rng.standard_normal((repeats, n))
    log_p, log_q = gaussian_logpdf(x_q), gaussian_logpdf(x_q, mu_q, sigma_q)
    plain = np.exp(x_p).mean(axis=1)
    weighted = importance_estimate(np.exp(x_q), log_p, log_q)
    p = np.exp(gaussian_logpdf(GRID))
    return {"p": p, "f": np.exp(GRID), "q": np.exp(gaussian_logpdf(GRID, mu_q, sigma_q)),
            "q_star": optimal_proposal(GRID, p, np.exp(GRID)), "plain": plain, "weighted": weighted,
            "mu_q": mu_q, "sigma_q": sigma_q}


def is_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(2.9)
    ax.plot(GRID, data["p"], color=COLORS["data"], label="p")
    ax.plot(GRID, data["f"] / 40, color=COLORS["muted"], ls=":", label="f / 40")
    ax.plot(GRID, data["q_star"], color=COLORS["optimum"], ls="--", label="q* ∝ p|f|")
    ax.plot(GRID, data["q"], color=COLORS["model"], label="q")
    ax.set_ylim(0, 0.85)
    ax.set_yticks([])                                  # densities: only their shapes and places matter here
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"proposal N({data['mu_q']:g}, {data['sigma_q']:g}²)", fontsize=9)
    bins = np.linspace(0, 4, 41)
    for key, color, name in [("plain", COLORS["data"], "plain MC"), ("weighted", COLORS["model"], "importance")]:
        counts, _ = np.histogram(np.clip(data[key], 0, 4), bins)          # one filled outline: cheap to draw
        bx.stairs(counts, bins, fill=True, alpha=0.6, color=color, label=f"{name}, sd {data[key].std():.3f}")
    bx.axvline(np.exp(0.5), color="k", lw=1)
    bx.legend(fontsize=7)
    bx.set_title("400 estimates of E_p[eˣ], n = 50 each", fontsize=9)
    bx.set_yticks([])
    return fig


@register
def importance_demo() -> Demo:
    return Demo(is_compute, is_draw,
                controls=[Slider("mu_q", -1.0, 3.0, 0.25, 1.0, label="proposal mean μ_q", frames=3),
                          Slider("sigma_q", 0.5, 1.5, 0.25, 1.0, label="proposal width σ_q", frames=3)],
                title="Importance sampling: where the proposal puts its samples",
                alt="Left, the target density p, the integrand f, the optimal proposal q* and the chosen proposal "
                    "q. Right, histograms of 400 plain Monte Carlo and 400 importance-sampling estimates of the "
                    "same expectation; at q = q* the importance estimates collapse onto the true value.")


def gibbs_compute(rho: float = 0.96, steps: int = 200) -> dict[str, Any]:
    """One Gibbs chain on a standard bivariate Gaussian with correlation ρ, and the autocorrelation of x₁."""
    path = gibbs_gaussian(rho, steps, 1, np.random.default_rng(1), start=(-2.5, 2.5))[:, 0]
    long = gibbs_gaussian(rho, 2000, 4, np.random.default_rng(2))[:, :, 0]
    return {"path": path, "acf": autocorrelation(long, 15), "rho": rho}


def gibbs_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.0, width=3.4)
    rho = data["rho"]
    t = np.linspace(0, 2 * np.pi, 100)
    for r in (1, 2):                                   # contours of the target: its covariance's eigen-axes
        ax.plot(r * (np.sqrt(1 + rho) * np.cos(t) - np.sqrt(1 - rho) * np.sin(t)) / np.sqrt(2),
                r * (np.sqrt(1 + rho) * np.cos(t) + np.sqrt(1 - rho) * np.sin(t)) / np.sqrt(2), color="0.8")
    ax.plot(data["path"][:, 0], data["path"][:, 1], ".-", color=COLORS["data"], lw=0.6, ms=2)
    ax.plot(*data["path"][0], "o", color=COLORS["second"])
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-3.2, 3.2)
    ax.set_aspect("equal")
    ax.set_title(f"200 Gibbs sweeps, ρ = {rho:g}", fontsize=9)
    lags = np.arange(len(data["acf"]))
    bx.bar(lags, data["acf"], color=COLORS["data"], label="sample")
    bx.plot(lags, rho ** (2 * lags), "o-", color=COLORS["model"], ms=3, label="ρ^(2·lag)")
    bx.set_ylim(-0.1, 1.05)
    bx.set_xlabel("lag (sweeps)", fontsize=8)
    bx.set_title("autocorrelation of x₁", fontsize=9)
    bx.legend(fontsize=7)
    return fig


@register
def gibbs_demo() -> Demo:
    return Demo(gibbs_compute, gibbs_draw,
                controls=[Slider("rho", -0.96, 0.96, 0.01, 0.96, label="correlation ρ", frames=3)],
                title="Gibbs sampling a correlated Gaussian",
                alt="Left, the path of a Gibbs chain over the contours of a bivariate Gaussian; with strong "
                    "correlation the steps are short and the chain creeps along the ridge. Right, the chain's "
                    "autocorrelation against lag, which decays like rho squared to the power of the lag.")


def bimodal_log_p(x: Any) -> np.ndarray:
    """Two well-separated Gaussian modes at ±3 (sd 0.5), equal weights: the energy barrier of §17.5."""
    x = np.asarray(x, float)
    return np.logaddexp(gaussian_logpdf(x, -3.0, 0.5), gaussian_logpdf(x, 3.0, 0.5)) - np.log(2)


def tempering_compute(beta: float = 1.0, steps: int = 500) -> dict[str, Any]:
    """A Metropolis chain on p^β (step 0.7) started in the left mode: how often it crosses to the other one."""
    chain, acc = metropolis(bimodal_log_p, np.array([-3.0]), steps, 0.7, np.random.default_rng(3), beta=beta)
    grid = np.linspace(-6, 6, 301)
    tempered = np.exp(beta * bimodal_log_p(grid))
    tempered /= tempered.sum() * (grid[1] - grid[0])
    return {"grid": grid, "tempered": tempered, "chain": chain[:, 0], "acc": float(acc[0]),
            "crossings": int(np.sum(np.diff(np.sign(chain[:, 0])) != 0)), "beta": beta}


def tempering_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(2.8)
    ax.plot(data["grid"], data["tempered"], color=COLORS["model"])
    ax.set_title(f"p^β normalised, β = {data['beta']:g}", fontsize=9)
    ax.set_ylim(0, 0.85)
    bx.plot(data["chain"], lw=0.6, color=COLORS["data"])
    bx.axhline(0, color="0.8", lw=0.8)
    bx.set_ylim(-6, 6)
    bx.set_xlabel("Metropolis step", fontsize=8)
    bx.set_title(f"chain: {data['crossings']} sign changes, acceptance {data['acc']:.2f}", fontsize=9)
    return fig


@register
def tempering_demo() -> Demo:
    return Demo(tempering_compute, tempering_draw,
                controls=[Slider("beta", 0.04, 1.0, 0.04, 1.0, label="inverse temperature β", frames=3)],
                title="Tempering a bimodal target",
                alt="Left, a two-mode density raised to the power beta and renormalised; lowering beta flattens "
                    "the barrier between the modes. Right, a Metropolis chain on it, which stays in one mode at "
                    "beta = 1 and hops between modes at small beta.")


def chain_matrix(stay: float) -> np.ndarray:
    """A 3-state column-stochastic matrix: stay put with probability `stay`, else move by a fixed rule."""
    move = np.array([[0.0, 0.5, 0.8], [0.7, 0.0, 0.2], [0.3, 0.5, 0.0]])
    return stay * np.eye(3) + (1 - stay) * move


def markov_compute(stay: float = 0.4, steps: int = 30) -> dict[str, Any]:
    """v⁽ᵗ⁾ from the first state, the stationary π, and the distance ‖v⁽ᵗ⁾ − π‖₁ against |λ₂|ᵗ."""
    A = chain_matrix(stay)
    v = markov_evolve(A, [1.0, 0.0, 0.0], steps)
    pi = stationary_distribution(A)
    lam = np.sort(np.abs(np.linalg.eigvals(A)))[::-1]
    return {"v": v, "pi": pi, "dist": np.abs(v - pi).sum(axis=1), "lam2": float(lam[1]), "stay": stay}


def markov_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(2.8)
    t = np.arange(len(data["v"]))
    for i, color in enumerate([COLORS["data"], COLORS["model"], COLORS["optimum"]]):
        ax.plot(t, data["v"][:, i], color=color, label=f"P(state {i + 1})")
        ax.axhline(data["pi"][i], color=color, ls=":", lw=0.8)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    ax.set_xlabel("step t", fontsize=8)
    ax.set_title(f"v(t) from state 1; stay = {data['stay']:g}", fontsize=9)
    bx.semilogy(t, np.maximum(data["dist"], 1e-17), color=COLORS["data"], label="‖v(t) − π‖₁")
    bx.semilogy(t, data["dist"][0] * data["lam2"] ** t, "--", color=COLORS["second"],
                label=f"|λ₂|ᵗ, |λ₂| = {data['lam2']:.2f}")
    bx.set_ylim(1e-16, 10)
    bx.set_yticks([1e-15, 1e-10, 1e-5, 1.0], ["1e-15", "1e-10", "1e-5", "1"])   # plain labels: no mathtext to parse
    bx.minorticks_off()
    bx.legend(fontsize=7)
    bx.set_xlabel("step t", fontsize=8)
    return fig


@register
def markov_demo() -> Demo:
    return Demo(markov_compute, markov_draw,
                controls=[Slider("stay", 0.0, 0.8, 0.05, 0.4, label="probability of staying", frames=3)],
                title="A Markov chain converging to its stationary distribution",
                alt="Left, the three state probabilities of a Markov chain started in state 1, approaching their "
                    "stationary values. Right, the distance to stationarity on a log scale, falling along the line "
                    "of the second-largest eigenvalue modulus to the power t.")
