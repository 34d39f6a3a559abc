"""Demos of Chapter 10: vanishing and exploding states and gradients (§10.7), memory time scales of leaky
units and LSTM cells (§10.9–10.10), the echo-state reservoir's memory (§10.8) and gradient clipping on a
cliff (§10.11.1). NumPy and matplotlib only, so they also run in the browser."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.plotting import COLORS, new_figure
from dlbook.rnn import (Gate, LSTMParams, cliff_loss, descent_path, leaky_unit, lstm_cell, memory_capacity,
                        tanh_rnn_jacobians)


# -- vanishing and exploding (§10.7) -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _symmetric_unit_radius(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random symmetric matrix with spectral radius 1 and a random unit-norm start h⁽⁰⁾."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    S = (A + A.T) / 2
    h0 = rng.normal(size=n)
    return S / np.max(np.abs(np.linalg.eigvalsh(S))), h0 / np.linalg.norm(h0)


def vanishing_compute(rho: float = 1.0, steps: int = 50) -> dict[str, Any]:
    """‖h⁽ᵗ⁾‖ and ‖∂h⁽ᵗ⁾/∂h⁽⁰⁾‖ for h⁽ᵗ⁾ = φ(W h⁽ᵗ⁻¹⁾), φ linear or tanh, W symmetric with spectral radius ρ."""
    S, h0 = _symmetric_unit_radius()
    W = float(rho) * S
    out: dict[str, Any] = {"rho": float(rho), "t": np.arange(int(steps) + 1)}
    for name, linear in (("linear", True), ("tanh", False)):
        out[f"h_{name}"], out[f"J_{name}"] = tanh_rnn_jacobians(W, 3.0 * h0, int(steps), linear=linear)
    out["reference"] = float(rho) ** out["t"]
    return out


def _plain_log_ticks(axis: Any) -> None:
    """Three plain-text decade labels and no minor ticks: mathtext tick labels dominate a frame's render time."""
    axis.yaxis.set_minor_locator(NullLocator())
    axis.set_yticks([1e-20, 1e-10, 1.0, 1e10, 1e20])
    axis.set_yticklabels(["1e-20", "1e-10", "1", "1e10", "1e20"])


def vanishing_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.1, height=2.6, layout=None)
    t = data["t"]
    for axis, key, title in ((ax, "h", "state norm ‖h(t)‖"), (bx, "J", "Jacobian norm ‖∂h(t)/∂h(0)‖")):
        axis.semilogy(t, np.maximum(data[f"{key}_linear"], 1e-30), color=COLORS["data"], label="linear")
        axis.semilogy(t, np.maximum(data[f"{key}_tanh"], 1e-30), color=COLORS["model"], label="tanh")
        axis.set_xlabel("time step t", labelpad=1)
        axis.set_title(title, fontsize=9)
        axis.set_ylim(1e-25, 1e25)                 # room for ρ = 0.6 and 1.4 over 100 steps
        _plain_log_ticks(axis)
    bx.semilogy(t, np.maximum(data["reference"], 1e-30), "k:", lw=1, label=r"$\rho^t$")
    bx.legend(fontsize=7, loc="lower left")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.83, wspace=0.3)
    fig.suptitle(f"spectral radius ρ = {data['rho']:.2f}", fontsize=10)
    return fig


@register
def vanishing_demo() -> Demo:
    """Sliders for the spectral radius and the number of steps: linear states and gradients follow ρᵗ."""
    return Demo(
        compute=vanishing_compute, draw=vanishing_draw,
        controls=[Slider("rho", 0.6, 1.4, 0.05, 1.0, "spectral radius ρ", frames=5),
                  Choice("steps", [50, 100], 50, "time steps")],
        title="Vanishing and exploding: powers of the recurrent matrix",
        alt="two log-scale plots against time: the norm of the hidden state and the norm of the Jacobian of the "
            "state with respect to the initial state, for a linear and a tanh RNN, with the line rho to the t",
        dpi=64,
    )


# -- memory time scales (§10.9.2, §10.10.1) ----------------------------------------------------------------

def _one_cell_lstm(forget_bias: float) -> LSTMParams:
    """A one-unit LSTM whose input gate opens only for a positive input and whose forget gate is σ(forget_bias)."""
    def gate(u: float, b: float) -> Gate:
        return Gate(np.array([[u]]), np.zeros((1, 1)), np.array([b]))
    return LSTMParams(forget=gate(0.0, forget_bias), input=gate(20.0, -10.0), candidate=gate(2.0, 0.0),
                      output=gate(0.0, 10.0))


def memory_compute(alpha: float = 0.9, forget_bias: float = 2.0, steps: int = 60) -> dict[str, Any]:
    """Responses to an impulse at t = 0: a leaky unit μ⁽ᵗ⁾ = αμ⁽ᵗ⁻¹⁾ + (1 − α)v⁽ᵗ⁾, and an LSTM cell's state."""
    t = np.arange(steps)
    impulse = (t == 0).astype(float)
    leaky = leaky_unit(impulse, float(alpha))
    p = _one_cell_lstm(float(forget_bias))
    h, s, states = np.zeros((1, 1)), np.zeros((1, 1)), []
    for v in impulse:
        h, s = lstm_cell(p, np.array([[v]]), h, s)
        states.append(s[0, 0])
    f = 1.0 / (1.0 + np.exp(-float(forget_bias)))
    return {"t": t, "leaky": leaky, "alpha": float(alpha), "lstm": np.array(states), "forget": f,
            "forget_bias": float(forget_bias)}


def memory_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.1, height=2.5, layout=None)
    t = data["t"]
    ax.plot(t, data["leaky"] / max(data["leaky"][0], 1e-300), color=COLORS["data"])
    tau = 1.0 / (1.0 - data["alpha"]) if data["alpha"] < 1 else np.inf
    ax.axvline(min(tau, t[-1]), color=COLORS["muted"], ls="--", lw=1)
    ax.set_title(f"leaky unit, α = {data['alpha']:.2f}: time scale {tau:.1f}", fontsize=9)
    ax.set_xlabel("steps after the impulse", labelpad=1)
    ax.set_ylabel(r"$\mu^{(t)} / \mu^{(0)}$", labelpad=1)
    ax.set_ylim(-0.05, 1.05)
    bx.plot(t, data["lstm"], color=COLORS["model"], label=r"cell state $s^{(t)}$")
    bx.plot(t, data["lstm"][0] * data["forget"] ** t, "k:", lw=1, label=r"$s^{(0)} f^{\,t}$")
    bx.set_title(f"LSTM, forget bias {data['forget_bias']:+.1f}: f = {data['forget']:.3f}", fontsize=9)
    bx.set_xlabel("steps after the impulse", labelpad=1)
    bx.set_ylim(-0.05, 1.05)
    bx.legend(fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.18, top=0.88, wspace=0.25)
    return fig


@register
def memory_demo() -> Demo:
    """A leak α and an LSTM forget-gate bias set how long an impulse is remembered."""
    return Demo(
        compute=memory_compute, draw=memory_draw,
        controls=[Choice("alpha", [0.0, 0.5, 0.9, 0.98], 0.9, "leaky unit α"),
                  Slider("forget_bias", -2.0, 6.0, 0.5, 2.0, "LSTM forget-gate bias", frames=3)],
        title="Memory time scales: a leaky unit and an LSTM cell remember an impulse",
        alt="left: the decay of a leaky unit's response to an impulse, with its time scale marked; right: the "
            "state of an LSTM cell after an impulse, decaying as the forget gate to the power t",
        dpi=64,
    )


# -- echo state networks (§10.8) -----------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _capacity(rho: float, input_scale: float) -> np.ndarray:
    return memory_capacity(rho, input_scale=input_scale)


def echo_state_compute(rho: float = 0.9, input_scale: float = 0.5) -> dict[str, Any]:
    """The memory curve r²ₖ (recall of the input k steps back) of a 50-unit reservoir with spectral radius ρ."""
    r2 = _capacity(round(float(rho), 4), float(input_scale))
    return {"rho": float(rho), "k": np.arange(1, r2.size + 1), "r2": r2, "capacity": float(r2.sum()),
            "input_scale": float(input_scale)}


def echo_state_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.0, height=2.6, layout=None)
    ax.bar(data["k"], data["r2"], color=COLORS["data"], width=0.8)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("delay k (steps)", labelpad=1)
    ax.set_ylabel("recall r²ₖ", labelpad=1)
    ax.set_title(f"ρ = {data['rho']:.2f}, input scale {data['input_scale']:g}: memory capacity "
                 f"Σ r²ₖ = {data['capacity']:.1f}", fontsize=9)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.18, top=0.88)
    return fig


@register
def echo_state_demo() -> Demo:
    """A spectral-radius slider for a fixed random reservoir: how many past inputs a linear readout recovers."""
    return Demo(
        compute=echo_state_compute, draw=echo_state_draw,
        controls=[Slider("rho", 0.3, 1.5, 0.1, 0.9, "spectral radius ρ", frames=5),
                  Choice("input_scale", [0.5, 2.0], 0.5, "input weight scale")],
        title="Echo state network: spectral radius against memory",
        alt="bar chart of how well a trained linear readout recalls the input k steps back, for k from 1 to 40, "
            "with the total memory capacity in the title", dpi=64,
    )


# -- gradient clipping on a cliff (§10.11.1) -------------------------------------------------------------------

_W = np.linspace(0.0, 10.0, 101)
_B = np.linspace(-6.0, 2.0, 81)
STARTS = {"(6, −4)": (6.0, -4.0), "(8, −3)": (8.0, -3.0), "(10, −5.5)": (10.0, -5.5)}


@lru_cache(maxsize=1)
def _cliff_surface() -> np.ndarray:
    WW, BB = np.meshgrid(_W, _B)
    return np.log10(cliff_loss(WW, BB)[0] + 1e-3)


@lru_cache(maxsize=8)
def _unclipped(start: str) -> np.ndarray:
    return descent_path(STARTS[start], lr=0.02, n_steps=80)


def clipping_compute(log10_threshold: float = 0.0, start: str = "(6, −4)") -> dict[str, Any]:
    """Gradient descent (ε = 0.02, 80 steps) on the cliff loss from ``start``, with and without norm clipping."""
    v = 10.0 ** float(log10_threshold)
    plain = _unclipped(start)
    clipped = descent_path(STARTS[start], lr=0.02, n_steps=80, clip=v)
    loss = lambda path: cliff_loss(path[-1, 0], path[-1, 1])[0]  # noqa: E731
    return {"surface": _cliff_surface(), "plain": plain, "clipped": clipped, "threshold": v,
            "loss_plain": float(loss(plain)), "loss_clipped": float(loss(clipped)),
            "jump_plain": float(np.max(np.linalg.norm(np.diff(plain, axis=0), axis=1))),
            "jump_clipped": float(np.max(np.linalg.norm(np.diff(clipped, axis=0), axis=1)))}


def clipping_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.0, height=3.4, layout=None)
    ax.imshow(data["surface"], origin="lower", extent=(_W[0], _W[-1], _B[0], _B[-1]), aspect="auto",
              cmap="Greys", alpha=0.7)
    for key, color, label in (("plain", COLORS["second"], "no clipping"), ("clipped", COLORS["optimum"], "clipped")):
        path = data[key]
        ax.plot(path[:, 0], path[:, 1], ".-", ms=2.5, lw=1, color=color,
                label=f"{label}: largest step {data['jump_' + key]:.2f}, final loss {data['loss_' + key]:.3f}")
    ax.plot(*data["plain"][0], "ko", ms=5)
    ax.set_xlim(_W[0], _W[-1])
    ax.set_ylim(_B[0], _B[-1])
    ax.set_xlabel("w", labelpad=1)
    ax.set_ylabel("b", labelpad=1)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"log₁₀ loss; clipping threshold v = {data['threshold']:.3g}", fontsize=9)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.92)
    return fig


@register
def clipping_demo() -> Demo:
    """A clipping threshold and a starting point: plain descent is thrown off the cliff, clipped descent is not."""
    return Demo(
        compute=clipping_compute, draw=clipping_draw,
        controls=[Slider("log10_threshold", -1.0, 2.0, 0.25, 0.0, "log₁₀ clipping threshold", frames=4),
                  Choice("start", list(STARTS), "(6, −4)", "starting point (w, b)")],
        title="Gradient clipping on a cliff",
        alt="a grey map of the log loss of a one-unit recurrent network over (w, b) with a sharp ridge, and two "
            "gradient-descent paths from the same start, with and without clipping the gradient norm", dpi=64,
    )
