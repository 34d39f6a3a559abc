"""Demos of Chapter 3: a change of variables (§3.12), the asymmetry of the KL divergence (§3.13, fig. 3.6) and
Bernoulli information (§3.13)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import check_int, check_positive
from dlbook.demo import Demo, Slider, register
from dlbook.information import (GaussianFit, bernoulli_cross_entropy, bernoulli_entropy, bernoulli_kl,
                                fit_forward_kl, fit_reverse_kl, forward_kl, reverse_kl,
                                reverse_kl_curve)
from dlbook.plotting import COLORS, InViewLocator, color_key, fixed_panels, new_figure, two_panels
from dlbook.prob import gaussian_pdf, mixture_pdf, uniform_pdf


# -- change of variables: y = s·xᵏ of a uniform x (§3.12, eq. 3.45) ------------------------------

@lru_cache(maxsize=1)
def uniform_samples() -> np.ndarray:
    """20 000 fixed draws of x ~ U(0, 1) (seeded, read-only)."""
    x = np.random.default_rng(0).uniform(0.0, 1.0, 20_000)
    x.setflags(write=False)
    return x


def change_of_variables_compute(scale: float = 0.5, power: int = 1) -> dict[str, Any]:
    """Push x ~ U(0, 1) through y = g(x) = scale·x^power; compare the naive p_x(g⁻¹(y)) with eq. 3.45.

    The correct density is p_y(y) = p_x(g⁻¹(y)) |dg⁻¹/dy| = (y/s)^(1/k − 1) / (s k) on (0, s]; the naive one
    forgets the factor |dg⁻¹/dy| and integrates to s instead of 1.
    """
    scale, power = check_positive(scale, "scale"), check_int(power, "power", low=1)
    y = scale * uniform_samples() ** power
    grid = np.linspace(scale / 400, scale, 400)
    x_of_y = (grid / scale) ** (1.0 / power)            # g⁻¹(y)
    dx_dy = x_of_y / (power * grid)                     # |dg⁻¹/dy|
    naive = uniform_pdf(x_of_y, 0.0, 1.0)
    return {"scale": scale, "power": power, "y": y, "grid": grid, "naive": naive, "correct": naive * dx_dy,
            "naive_mass": float(scale), "bins": np.linspace(0.0, scale, 41)}


def change_of_variables_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = two_panels(3.2)
    s, k = data["scale"], data["power"]
    xs = np.linspace(0.0, 1.0, 101)
    ax.plot(xs, s * xs**k, color=COLORS["data"], lw=2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2.05)
    ax.set_xlabel("x ~ U(0, 1)")
    ax.set_ylabel("y = g(x)")
    ax.set_title(f"g(x) = {s:g}·x^{k}", fontsize=10)
    density, _ = np.histogram(data["y"], bins=data["bins"], density=True)  # one filled outline, not 40 bars:
    bx.stairs(density, data["bins"], fill=True, color=COLORS["muted"], alpha=0.5)  # faster live
    bx.plot(data["grid"], data["correct"], color=COLORS["optimum"], lw=2)
    bx.plot(data["grid"], data["naive"], color=COLORS["second"], lw=1.6, ls="--")
    bx.set_xlim(0, 2.05)
    bx.set_ylim(0, 4.5)
    bx.set_xlabel("y")
    bx.set_ylabel("density")
    color_key(bx, [("samples of y", COLORS["muted"]), ("p_x(g⁻¹(y))·|dx/dy|", COLORS["optimum"]),
                   ("naive p_x(g⁻¹(y))", COLORS["second"])], x=0.97, ha="right")
    bx.set_title(f"the naive density integrates to {data['naive_mass']:g}", fontsize=10)
    return fig


@register
def change_of_variables_demo() -> Demo:
    """Sliders for the scale and power of y = s·xᵏ; the histogram of y follows eq. 3.45, not the naive density."""
    return Demo(
        compute=change_of_variables_compute, draw=change_of_variables_draw,
        controls=[Slider("scale", 0.5, 2.0, 0.25, 0.5, "scale s", frames=4),
                  Slider("power", 1, 3, 1, 1, "power k")],
        title="Change of variables: densities need the Jacobian factor",
        alt="the map y = s x^k, and a histogram of y with the correct density from the change-of-variables rule "
            "and the naive density that forgets the derivative",
    )


# -- KL explorer: forward KL blurs the modes, reverse KL locks onto one (§3.13, fig. 3.6) -----------

#: Where the explorer draws densities, and the q-means along which it traces both divergences.
KL_X = np.linspace(-8.0, 8.0, 401)
KL_MEANS = np.linspace(-5.0, 5.0, 81)
#: The sliders that set p, and the width of its modes, which the explorer fixes.
KL_SEPARATION = Slider("separation", 2.0, 4.0, 0.25, 4.0, "mode separation of p (its modes have σ = 0.5)", frames=2)
KL_WEIGHT = Slider("weight", 0.5, 0.9, 0.05, 0.5, "weight of p's left mode", frames=2)
KL_WIDTH = 0.5


def two_mode_mixture(separation: float, weight: float, width: float) -> tuple[list[float], list[float], list[float]]:
    """p = w·N(−d/2, s²) + (1 − w)·N(d/2, s²): weights, means and widths of the explorer's mixture."""
    return [weight, 1.0 - weight], [-separation / 2, separation / 2], [width, width]


@lru_cache(maxsize=256)
def kl_fits(separation: float, weight: float, width: float) -> tuple[GaussianFit, tuple[GaussianFit, ...]]:
    """The forward-KL fit and every reverse-KL local minimum for p (cached: they depend on p alone)."""
    p = two_mode_mixture(separation, weight, width)
    return fit_forward_kl(*p), tuple(fit_reverse_kl(*p))


def kl_fit_table() -> dict[str, np.ndarray]:
    """Every fit the sliders can ask for, computed once (the page gets them as demo data): per (separation, weight),
    the forward fit's (mean, std, D) and up to three reverse-KL minima's, best first, NaN-padded.

    A reverse fit takes 140–260 ms in the browser, so the slider's update looks them up instead.
    """
    return dict(_kl_fit_arrays())


@lru_cache(maxsize=1)
def _kl_fit_arrays() -> tuple[tuple[str, np.ndarray], ...]:
    seps, weights = KL_SEPARATION.sweep(), KL_WEIGHT.sweep()  # the very values the sliders send
    forward, reverse = np.zeros((len(seps), len(weights), 3)), np.full((len(seps), len(weights), 3, 3), np.nan)
    for i, d in enumerate(seps):
        for j, w in enumerate(weights):
            fwd, rev = kl_fits(float(d), float(w), KL_WIDTH)
            if len(rev) > reverse.shape[2]:
                raise ValueError(f"p with separation {d:g}, weight {w:g} has {len(rev)} reverse-KL minima; "
                                 f"the table holds {reverse.shape[2]}")
            forward[i, j] = fwd.mean, fwd.std, fwd.kl
            reverse[i, j, :len(rev)] = [(r.mean, r.std, r.kl) for r in rev]
    forward.setflags(write=False)
    reverse.setflags(write=False)
    return ("fit_forward", forward), ("fit_reverse", reverse)


def _grid_index(separation: float, weight: float) -> tuple[int, int] | None:
    """Where p's (separation, weight) sits in :func:`kl_fit_table`'s arrays, or ``None`` off the sliders' values."""
    i, j = KL_SEPARATION.position(separation), KL_WEIGHT.position(weight)
    return None if i is None or j is None else (i, j)


def looked_up_fits(separation: float, weight: float, width: float, fit_forward: Any = None,
                   fit_reverse: Any = None) -> tuple[GaussianFit, tuple[GaussianFit, ...]]:
    """:func:`kl_fits`, read from :func:`kl_fit_table`'s arrays when they are given and hold this p."""
    at = _grid_index(separation, weight)
    if fit_forward is None or fit_reverse is None or width != KL_WIDTH or at is None:
        return kl_fits(separation, weight, width)
    fwd, rev = np.asarray(fit_forward)[at], np.asarray(fit_reverse)[at]
    return GaussianFit(*map(float, fwd)), tuple(GaussianFit(*map(float, r)) for r in rev if np.isfinite(r[0]))


@lru_cache(maxsize=256)
def _kl_curves(separation: float, weight: float, width: float, q_std: float) -> tuple[np.ndarray, np.ndarray]:
    p = two_mode_mixture(separation, weight, width)
    return forward_kl(*p, KL_MEANS, q_std), reverse_kl_curve(*p, KL_MEANS, q_std)


def kl_explorer_compute(separation: float = 4.0, weight: float = 0.5, width: float = 0.5,
                        q_mean: float = 0.0, q_std: float = 2.0, fit_forward: Any = None,
                        fit_reverse: Any = None) -> dict[str, Any]:
    """p, the Gaussian q = N(q_mean, q_std²), both divergences, the fits and both divergences along q's mean.

    The fits depend on p alone: the demo passes :func:`kl_fit_table`'s arrays, and they are looked up there.
    """
    p = two_mode_mixture(separation, weight, width)
    fwd, rev = looked_up_fits(separation, weight, width, fit_forward, fit_reverse)
    curve_f, curve_r = _kl_curves(separation, weight, width, q_std)
    return {
        "x": KL_X, "p": mixture_pdf(KL_X, *p), "q": gaussian_pdf(KL_X, q_mean, q_std),
        "q_mean": q_mean, "q_std": q_std,
        "kl_pq": float(forward_kl(*p, q_mean, q_std)), "kl_qp": float(reverse_kl(*p, q_mean, q_std)),
        "forward": fwd, "forward_q": gaussian_pdf(KL_X, fwd.mean, fwd.std),
        "reverse": list(rev), "reverse_q": [gaussian_pdf(KL_X, r.mean, r.std) for r in rev],
        "means": KL_MEANS, "curve_forward": curve_f, "curve_reverse": curve_r,
    }


def kl_explorer_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=4.3, height=3.1)
    fixed_panels(fig, bottom=0.15, wspace=0.08)
    x = data["x"]
    ax.fill_between(x, data["p"], color=COLORS["data"], alpha=0.3, lw=0)
    ax.plot(x, data["p"], color=COLORS["data"], lw=1.5)
    ax.plot(x, data["forward_q"], color=COLORS["optimum"], lw=1.5, ls="--")
    best = data["reverse"][0].kl
    kinds = set()
    for fit, dens in zip(data["reverse"], data["reverse_q"]):
        is_best = fit.kl <= best + 1e-6  # ties: the mirror-image optima of a symmetric p
        kinds.add(is_best)
        ax.plot(x, dens, color=COLORS["second"], lw=1.6 if is_best else 1.0, ls=":" if is_best else "-.")
    ax.plot(x, data["q"], color=COLORS["model"], lw=2.0)
    curves = [data["p"], data["q"], data["forward_q"], *data["reverse_q"]]
    top = max(max(float(np.max(c)) for c in curves), 0.25)  # every curve stays below the legend
    ax.set_ylim(0, 1.5 * top)
    ax.set_xlim(x[0], x[-1])
    ax.set_xticks(range(-8, 9, 4))  # few ticks: building and drawing them is about half of a live frame
    ax.yaxis.set_major_locator(InViewLocator(4))
    bx.yaxis.set_major_locator(InViewLocator(5))
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    # two columns of colour keys, each line style drawn in the text (a legend costs a live frame ~20 ms)
    color_key(ax, [("— p (mixture)", COLORS["data"]), ("- - argmin D(p‖q)", COLORS["optimum"]),
                   ("— your q", COLORS["model"])], x=0.03, ha="left", fontsize=6.5)
    color_key(ax, [(text, COLORS["second"]) for kind, text in ((True, "··· argmin D(q‖p)"),
                                                                (False, "-·- other local min of D(q‖p)"))
                   if kind in kinds], x=0.97, ha="right", fontsize=6.5)
    ax.set_title(f"D(p‖q) = {data['kl_pq']:.2f}    D(q‖p) = {data['kl_qp']:.2f} nats", fontsize=9.5)
    m = data["means"]
    bx.plot(m, data["curve_forward"], color=COLORS["optimum"], lw=1.5)
    bx.plot(m, data["curve_reverse"], color=COLORS["second"], lw=1.5)
    bx.plot([data["q_mean"]] * 2, [data["kl_pq"], data["kl_qp"]], "o", color=COLORS["model"], ms=5)
    floor = max(float(np.min(data["curve_forward"])), float(np.min(data["curve_reverse"])))
    bx.set_ylim(0, max(4.0, 2.5 * floor))  # both curves' minima stay in view
    bx.set_xlim(m[0], m[-1])
    bx.set_xlabel(f"mean of q (its width fixed at σ = {data['q_std']:g})")
    bx.set_ylabel("nats")
    color_key(bx, [("D(p‖q)  forward", COLORS["optimum"]), ("D(q‖p)  reverse", COLORS["second"])])
    bx.set_title("both divergences as q slides", fontsize=9.5)
    return fig


@register
def kl_explorer_demo() -> Demo:
    """Sliders for the mixture p and the Gaussian q; both KL divergences and both kinds of optimum marked."""
    return Demo(
        compute=kl_explorer_compute, draw=kl_explorer_draw,
        data=kl_fit_table(),  # the fits stay out of the update: the sliders look them up
        controls=[
            KL_SEPARATION,
            KL_WEIGHT,
            Slider("q_mean", -2.0, 2.0, 0.25, -2.0, "mean of q", frames=2),
            Slider("q_std", 0.5, 2.0, 0.25, 0.5, "width of q", frames=2),
        ],
        title="KL explorer: forward KL blurs the modes, reverse KL picks one",
        alt="a two-mode mixture p, a Gaussian q, the forward-KL fit spanning both modes and the reverse-KL fits "
            "on single modes, with both divergences plotted against the mean of q",
    )


# -- Bernoulli entropy, cross-entropy and KL (§3.13, fig. 3.5, eqs. 3.49–3.51) ----------------------

BERN_Q = np.linspace(0.005, 0.995, 199)


def bernoulli_info_compute(p: float = 0.3, q: float = 0.5) -> dict[str, Any]:
    """H(P), H(P, Q) and D_KL(P‖Q) for P = Bernoulli(p), Q = Bernoulli(q), and the last two along q."""
    return {
        "p": p, "q": q, "H": float(bernoulli_entropy(p)), "CE": float(bernoulli_cross_entropy(p, q)),
        "KL": float(bernoulli_kl(p, q)), "KL_rev": float(bernoulli_kl(q, p)),
        "qs": BERN_Q, "curve_ce": bernoulli_cross_entropy(p, BERN_Q), "curve_kl": bernoulli_kl(p, BERN_Q),
    }


def bernoulli_info_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.6, height=3.0)
    fixed_panels(fig, bottom=0.16, wspace=0.08)
    ax.bar([-0.18, 0.82], [1 - data["p"], data["p"]], width=0.34, color=COLORS["data"])
    ax.bar([0.18, 1.18], [1 - data["q"], data["q"]], width=0.34, color=COLORS["model"])
    ax.set_xticks([0, 1], ["x = 0", "x = 1"])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    color_key(ax, [("P", COLORS["data"]), ("Q", COLORS["model"])], fontsize=8)
    kl_rev = data["KL_rev"]
    ax.set_title(f"D(P‖Q) = {data['KL']:.3f}, D(Q‖P) = " + ("∞" if np.isinf(kl_rev) else f"{kl_rev:.3f}"),
                 fontsize=9)
    qs = data["qs"]
    bx.axhline(data["H"], color=COLORS["data"], lw=1.2, ls="--")
    bx.plot(qs, data["curve_ce"], color=COLORS["model"], lw=1.5)
    bx.plot(qs, data["curve_kl"], color=COLORS["second"], lw=1.5)
    bx.plot([data["q"]] * 2, [data["CE"], data["KL"]], "o", color="k", ms=4)
    bx.axvline(data["p"], color=COLORS["muted"], lw=0.8)
    bx.set_xlim(0, 1)
    bx.set_ylim(0, 3)
    bx.set_xlabel("q")
    bx.set_ylabel("nats")
    color_key(bx, [(f"H(P) = {data['H']:.3f}", COLORS["data"]), ("H(P, Q)", COLORS["model"]),
                   ("D(P‖Q)", COLORS["second"])])
    bx.set_title(f"H(P, Q) = H(P) + D(P‖Q) = {data['CE']:.3f}", fontsize=9)
    return fig


@register
def bernoulli_info_demo() -> Demo:
    """Sliders for p and q: entropy, cross-entropy and both KL divergences of two Bernoulli variables."""
    return Demo(
        compute=bernoulli_info_compute, draw=bernoulli_info_draw,
        controls=[Slider("p", 0.0, 1.0, 0.05, 0.5, "p = P(x = 1)", frames=3),
                  Slider("q", 0.1, 0.9, 0.05, 0.5, "q = Q(x = 1)", frames=3)],
        title="Entropy, cross-entropy and KL of two coins",
        alt="bars of two Bernoulli distributions, and the cross-entropy and KL divergence as functions of q, "
            "with the entropy of P as a floor",
    )
