"""Demos of Chapter 6: the XOR explorer and XOR training (§6.1), the activation gallery (§6.3),
universal approximation with ReLU units and depth folding space (§6.4)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import check_int
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.mlp import activation, count_linear_pieces, leaky_relu, leaky_relu_grad, fit_relu_units, folded, maxout, relu_features
from dlbook.plotting import COLORS, new_figure
from dlbook.xor import (XOR_X, XOR_Y, XorNet, book_solution, train_xor, train_xor_seeds, xor_forward, xor_hidden,
                        xor_mse)

_GRID = np.linspace(-0.5, 1.5, 61)
_GX, _GY = np.meshgrid(_GRID, _GRID)
_GRID_POINTS = np.column_stack([_GX.ravel(), _GY.ravel()])

#: The nine parameters of the XOR network, as (label, where it lives) pairs.
XOR_PARAMS = ("W11", "W12", "W21", "W22", "c1", "c2", "w1", "w2", "b")


def perturbed_solution(param: str, delta: float) -> XorNet:
    """The book's XOR network with ``delta`` added to one parameter (``W11`` … ``b``)."""
    if param not in XOR_PARAMS:
        raise ValueError(f"param must be one of {XOR_PARAMS}; got {param!r}")
    net = book_solution()
    W, c, w, b = net.W.copy(), net.c.copy(), net.w.copy(), net.b
    if param[0] == "W":
        W[int(param[1]) - 1, int(param[2]) - 1] += delta
    elif param[0] == "c":
        c[int(param[1]) - 1] += delta
    elif param[0] == "w":
        w[int(param[1]) - 1] += delta
    else:
        b += delta
    return XorNet(W=W, c=c, w=w, b=float(b))


def _xor_view(net: XorNet) -> dict[str, Any]:
    """Everything the XOR panels draw for one network."""
    return {"net": net, "surface": xor_forward(net, _GRID_POINTS).reshape(_GX.shape), "h": xor_hidden(net),
            "out": xor_forward(net), "mse": xor_mse(net)}


def _draw_xor_panels(axes: Any, data: dict[str, Any]) -> None:
    """Input space (f over the square, each point labelled with its output) and hidden space (h and the line)."""
    ax, hx = axes
    net = data["net"]
    ax.imshow(np.clip(data["surface"], -0.5, 1.5), origin="lower", extent=(-0.5, 1.5, -0.5, 1.5),
              cmap="RdBu_r", vmin=-0.5, vmax=1.5, alpha=0.8)
    colors = [COLORS["second"] if t == 1 else COLORS["data"] for t in XOR_Y]
    ax.scatter(XOR_X[:, 0], XOR_X[:, 1], s=64, c=colors, edgecolors="k", zorder=2)  # one artist for the 4 points
    for (p, q), o in zip(XOR_X, data["out"]):
        ax.text(p + 0.07, q + 0.07, f"f={o:.2f}", fontsize=7)
    ax.set_title(f"input space: f(x); MSE = {data['mse']:.3f}", fontsize=9)
    ax.set_xlabel("x₁", labelpad=1)
    ax.set_ylabel("x₂", labelpad=1)
    ax.set_xticks([0, 1])  # few tick labels: text layout dominates the cost of pre-rendering a frame
    ax.set_yticks([0, 1])
    h = data["h"]
    lim = max(2.5, float(np.abs(h[:, :2]).max()) + 0.5)
    hx.scatter(h[:, 0], h[:, 1], s=64, c=colors, edgecolors="k", zorder=2)
    w, t = net.w, np.array([-0.5, lim])
    if h.shape[1] == 2 and abs(w[1]) > 1e-9:  # the line wᵀh + b = ½ separates the classes in h-space
        hx.plot(t, (0.5 - net.b - w[0] * t) / w[1], color="k", lw=1)
    elif h.shape[1] == 2 and abs(w[0]) > 1e-9:
        hx.axvline((0.5 - net.b) / w[0], color="k", lw=1)
    hx.set_xlim(-0.5, lim)
    hx.set_ylim(-0.5, lim)
    hx.set_aspect("equal")
    hx.set_title("hidden space h = max{0, Wᵀx + c}", fontsize=9)
    hx.set_xlabel("h₁", labelpad=1)
    hx.set_ylabel("h₂", labelpad=1)
    hx.locator_params(nbins=3)


# -- the XOR explorer (§6.1, fig. 6.1) -------------------------------------------------------------------

def xor_explorer_compute(param: str = "W11", delta: float = 0.0) -> dict[str, Any]:
    """Perturb one parameter of the book's solution by ``delta``; return the maps, outputs and MSE."""
    data = _xor_view(perturbed_solution(param, float(delta)))
    data.update(param=param, delta=float(delta))
    return data


def xor_explorer_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=2, width=2.9, height=2.9, layout=None)  # fixed margins: fast to pre-render
    _draw_xor_panels(axes, data)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.84, wspace=0.25)
    fig.suptitle(f"book solution with {data['param']} {data['delta']:+g}", fontsize=10)
    return fig


@register
def xor_explorer_demo() -> Demo:
    """Move one of the nine parameters away from the book's XOR solution and watch the fit break."""
    return Demo(
        compute=xor_explorer_compute, draw=xor_explorer_draw,
        controls=[Choice("param", list(XOR_PARAMS), "W11", "parameter to change"),
                  Slider("delta", -1.0, 1.0, 0.25, 0.0, "change added to it", frames=5)],
        title="XOR explorer: the book's network, one parameter at a time",
        alt="input space with the network's output and decision boundary, the hidden space with the four mapped "
            "points and the output line; each point is labelled with its output", dpi=64,
    )


# -- training from a random start (§6.1, §6.5) ------------------------------------------------------------

@lru_cache(maxsize=None)
def _training_runs(hidden: int, bias_init: float) -> dict[int, Any]:
    """The runs of the demo's eight seeds, trained together in one vectorised call."""
    return {r.seed: r for r in train_xor_seeds(range(8), hidden=hidden, bias_init=bias_init)}


#: The demo's three training set-ups: the baseline, and each of the two remedies of §6.1 and §6.3.1 on its own.
XOR_SETUPS = {"2 units, biases start at 0": (2, 0.0), "4 units, biases start at 0": (4, 0.0),
              "2 units, biases start at 0.1": (2, 0.1)}


def xor_training_compute(seed: int = 0, setup: str = "2 units, biases start at 0") -> dict[str, Any]:
    """Train on XOR from ``seed`` (cached) and return the learned network's views, loss curve and activity.

    ``setup`` (a key of :data:`XOR_SETUPS`) fixes the width and the starting value of the hidden biases.
    """
    seed = check_int(seed, "seed", low=0)
    if setup not in XOR_SETUPS:
        raise ValueError(f"setup must be one of {list(XOR_SETUPS)}; got {setup!r}")
    hidden, bias_init = XOR_SETUPS[setup]
    run = _training_runs(hidden, bias_init)[seed] if seed < 8 else train_xor(seed, hidden=hidden, bias_init=bias_init)
    data = _xor_view(run.net)
    off = (XOR_X @ run.net.W + run.net.c) <= 0
    data.update(seed=seed, hidden=hidden, bias_init=bias_init, losses=run.losses, solved=run.solved,
                dead=int(off.all(axis=0).sum()), uncovered=int(off.all(axis=1).sum()))
    return data


def xor_training_draw(data: dict[str, Any]) -> Figure:
    fig, axes = new_figure(ncols=3, width=2.45, height=2.55, layout=None)  # fixed margins: fast to pre-render
    _draw_xor_panels(axes[:2], data)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.17, top=0.82, wspace=0.35)
    if data["hidden"] > 2:
        axes[1].set_title("hidden space (first two units)", fontsize=9)
    lx = axes[2]
    steps = np.arange(0, len(data["losses"]), 10)  # every tenth step is plenty for the curve
    lx.semilogy(steps, np.maximum(data["losses"][steps], 1e-12), color=COLORS["data"])
    lx.set_ylim(1e-6, 10)
    lx.set_yticks([1e-6, 1e-3, 1.0])
    lx.minorticks_off()
    lx.set_xticks([0, 1000, 2000])
    lx.set_xlabel("gradient step", labelpad=1)
    lx.set_title("training MSE", fontsize=9)
    verdict = ("solved" if data["solved"] else
               f"stuck: {data['uncovered']} corner(s) with no active unit, {data['dead']} dead unit(s)")
    fig.suptitle(f"seed {data['seed']}, {data['hidden']} units, biases start at {data['bias_init']:g}: {verdict}",
                 fontsize=9)
    return fig


@register
def xor_training_demo() -> Demo:
    """Gradient descent on XOR from eight random starts: some find a solution, some get stuck."""
    return Demo(
        compute=xor_training_compute, draw=xor_training_draw,
        controls=[Slider("seed", 0, 7, 1, 0, "random seed"),
                  Choice("setup", list(XOR_SETUPS), "2 units, biases start at 0", "training set-up")],
        title="Training on XOR from a random start",
        alt="the learned network's input-space map, its hidden space and the training loss curve", dpi=64,
    )


# -- the activation gallery (§6.3) -------------------------------------------------------------------------

#: The hidden units of the gallery: element-wise ones by name, and maxout over k = 3 fixed lines (leaky ReLU and |z|
#: are the rectifier demo's α slider, :func:`rectifier_demo`).
GALLERY = ("relu", "softplus", "sigmoid", "tanh", "hard_tanh", "maxout")
_Z = np.linspace(-3, 3, 601)
_MAXOUT_LINES = np.stack([-0.5 * _Z - 0.5, 0.2 * _Z, 1.2 * _Z - 1.0], axis=1)  # three affine pieces of z


def activation_compute(unit: str = "relu") -> dict[str, Any]:
    """The unit g(z) and its derivative g′(z) on [−3, 3] (maxout: the max of three lines of z, k = 3)."""
    if unit not in GALLERY:
        raise ValueError(f"unit must be one of {GALLERY}; got {unit!r}")
    if unit == "maxout":
        g = maxout(_MAXOUT_LINES, 3)[:, 0]
        dg = np.array([-0.5, 0.2, 1.2])[_MAXOUT_LINES.argmax(axis=1)]
    else:
        fn, dfn = activation(unit)
        g, dg = fn(_Z), dfn(_Z)
    return {"unit": unit, "z": _Z, "g": g, "dg": dg}


def activation_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.4, height=2.7, layout=None)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.9, wspace=0.28)
    z = data["z"]
    if data["unit"] == "maxout":
        for line in _MAXOUT_LINES.T:
            ax.plot(z, line, color=COLORS["muted"], lw=0.8, ls="--")
    ax.plot(z, data["g"], color=COLORS["data"], lw=2)
    ax.set_ylim(-2, 3)
    ax.set_title(f"{data['unit']}: g(z)", fontsize=10)
    ax.set_ylabel("g(z)", labelpad=1)
    bx.plot(z, data["dg"], color=COLORS["model"], lw=2)
    bx.set_ylim(-1.2, 1.5)
    bx.set_title("derivative g′(z)", fontsize=10)
    bx.set_ylabel("g′(z)", labelpad=1)
    for a in (ax, bx):
        a.axhline(0, color="0.8", lw=0.8)
        a.axvline(0, color="0.8", lw=0.8)
        a.set_xlabel("z")
    return fig


@register
def activation_gallery_demo() -> Demo:
    """Each hidden unit of §6.3 with its derivative: where the gradient is alive and where it vanishes."""
    return Demo(
        compute=activation_compute, draw=activation_draw,
        controls=[Choice("unit", list(GALLERY), "relu", "hidden unit")],
        title="Activation gallery: g(z) and g′(z)",
        alt="an activation function and, beside it, its derivative",
    )


def rectifier_compute(alpha: float = 0.0) -> dict[str, Any]:
    """g(z) = max{0, z} + α min{0, z} and g′(z) on [−3, 3] (§6.3.1): α = 0 ReLU, −1 |z|, small α leaky, learned α PReLU."""
    return {"unit": f"α = {float(alpha):g}", "z": _Z, "g": leaky_relu(_Z, alpha), "dg": leaky_relu_grad(_Z, alpha)}


@register
def rectifier_demo() -> Demo:
    """The negative-side slope α of the generalised rectifier: one slider from |z| (α = −1) through ReLU to linear."""
    return Demo(
        compute=rectifier_compute, draw=activation_draw,
        controls=[Slider("alpha", -1.0, 1.0, 0.01, 0.0, "negative-side slope α", frames=5)],
        title="Generalised rectifier max(0, z) + α min(0, z) and its derivative",
        alt="the rectifier with slope alpha for negative inputs and, beside it, its derivative, which is alpha for z < 0",
    )


# -- universal approximation (§6.4.1) ------------------------------------------------------------------------

def universal_target(x: Any) -> np.ndarray:
    """The function the approximation demo fits: sin(2x) + 0.3x on [−π, π]."""
    x = np.asarray(x, dtype=float)
    return np.sin(2 * x) + 0.3 * x


_UA_X = np.linspace(-np.pi, np.pi, 401)
_UA_Y = universal_target(_UA_X)


@lru_cache(maxsize=None)
def universal_compute(units: int = 4) -> dict[str, Any]:
    """Fit the target with ``units`` ReLU units (least squares on the output layer); report the worst error."""
    units = check_int(units, "units", low=1)
    knots, v, a = fit_relu_units(_UA_X, _UA_Y, units)
    fit = relu_features(_UA_X, knots) @ v + a
    return {"units": units, "x": _UA_X, "y": _UA_Y, "fit": fit, "knots": knots,
            "max_error": float(np.abs(fit - _UA_Y).max())}


def universal_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.0, height=3.0)
    ax.plot(data["x"], data["y"], color=COLORS["data"], lw=2, label="target sin(2x) + 0.3x")
    ax.plot(data["x"], data["fit"], color=COLORS["model"], lw=1.5, label="ReLU network")
    ax.plot(data["knots"], np.full(len(data["knots"]), -2.4), "|", color=COLORS["muted"], ms=8)
    ax.set_ylim(-2.6, 2.6)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"{data['units']} ReLU units: largest error {data['max_error']:.3f}", fontsize=10)
    return fig


@register
def universal_approximation_demo() -> Demo:
    """More ReLU units, a closer piecewise linear fit (the ticks mark where each unit switches on)."""
    return Demo(
        compute=universal_compute, draw=universal_draw,
        controls=[Slider("units", 2, 32, 2, 4, "hidden ReLU units")],   # 2, 4, …, 32: includes the 8, 16, 32 of the text
        title="Universal approximation: one hidden layer of ReLUs",
        alt="a smooth target function and its piecewise linear fit by a one-hidden-layer ReLU network",
    )


# -- depth: folding multiplies linear pieces (§6.4.1, fig. 6.5) --------------------------------------------

_FOLD_X = np.linspace(0.0, 1.0, 2**9 + 1)


def depth_compute(depth: int = 2) -> dict[str, Any]:
    """The function of ``depth`` composed two-unit tent layers and its number of linear pieces."""
    depth = check_int(depth, "depth", low=1, high=8)
    y = folded(_FOLD_X, depth)
    return {"depth": depth, "x": _FOLD_X, "y": y, "pieces": count_linear_pieces(_FOLD_X, y),
            "shallow_pieces": 2 * depth + 1}


def depth_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.0, height=2.8)
    ax.plot(data["x"], data["y"], color=COLORS["data"], lw=1.5)
    ax.set_ylim(-0.05, 1.1)
    ax.set_xlabel("x")
    ax.set_ylabel("network output")
    ax.set_title(f"depth {data['depth']} (2 ReLUs per layer): {data['pieces']} linear pieces\n"
                 f"one layer of {2 * data['depth']} ReLUs: at most {data['shallow_pieces']}", fontsize=9)
    return fig


@register
def depth_folding_demo() -> Demo:
    """Each layer folds [0, 1] onto itself, doubling the linear pieces: depth multiplies, width adds."""
    return Demo(
        compute=depth_compute, draw=depth_draw,
        controls=[Slider("depth", 1, 8, 1, 2, "layers")],
        title="Depth folds space: linear pieces double with each layer",
        alt="a sawtooth function whose number of teeth doubles with every added layer",
    )
