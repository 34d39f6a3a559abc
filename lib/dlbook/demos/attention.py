"""Demos of Chapter 21: an attention explorer (scores, temperature, context vector), the softmax saturating as d_k
grows without the 1/√d_k scaling, and a heat map of attention weights (the notebook passes a trained model's)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from dlbook.attention import additive_score, attention_weights, diagonal_share, dot_score, general_score
from dlbook.checks import check_int, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.plotting import COLORS, new_figure, square

# -- the attention explorer (§12.4.5.1; Bahdanau et al., 2014; Luong et al., 2015) ---------------------------------

#: Five keys in the plane; the values are the keys themselves, so the context vector is drawn in the same plane.
EXPLORER_KEYS = np.array([[1.6, 0.3], [0.6, 1.4], [-1.2, 0.9], [-0.8, -1.3], [1.0, -1.1]])
#: The general score's matrix: it stretches the first coordinate and shrinks the second.
EXPLORER_W = np.array([[2.0, 0.0], [0.0, 0.25]])
_r = np.random.default_rng(3)
#: The additive score's small network vᵀ tanh(W q + U k), h = 8 hidden units, fixed weights.
EXPLORER_ADDITIVE = {"W": _r.normal(0, 1.0, (8, 2)), "U": _r.normal(0, 1.0, (8, 2)), "v": _r.normal(0, 1.0, 8)}
SCORE_TYPES = ("dot", "general", "additive")
#: Distance of the explorer's query from the origin.
QUERY_RADIUS = 1.5


def explorer_scores(q: np.ndarray, score: str) -> np.ndarray:
    """The score of query ``q`` against each explorer key, for one of :data:`SCORE_TYPES`."""
    if score == "dot":
        return dot_score(q, EXPLORER_KEYS)
    if score == "general":
        return general_score(q, EXPLORER_KEYS, EXPLORER_W)
    if score == "additive":
        return additive_score(q, EXPLORER_KEYS, **EXPLORER_ADDITIVE)
    raise ValueError(f"score must be one of {SCORE_TYPES}; got {score!r}")


def attention_explorer_compute(angle: float, score: str = "dot", temperature: float = 1.0) -> dict[str, Any]:
    """Scores, weights a = softmax(s / τ) and context c = Σ a_j v_j for a query at ``angle`` degrees."""
    tau = check_positive(temperature, "temperature")
    t = np.deg2rad(float(angle))
    q = QUERY_RADIUS * np.array([np.cos(t), np.sin(t)])
    s = explorer_scores(q, score)
    a = attention_weights(s, temperature=tau)
    entropy = float(-np.sum(a * np.log(np.maximum(a, 1e-300))))
    return {"q": q, "scores": s, "weights": a, "context": a @ EXPLORER_KEYS, "keys": EXPLORER_KEYS,
            "score": score, "temperature": tau, "entropy": entropy}


def attention_explorer_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.6, height=3.3, layout=None)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.28)
    square(ax, 2.2)
    ax.set_xticks([])                                   # the picture needs no coordinates (and ticks are slow)
    ax.set_yticks([])
    K, a, q, c = data["keys"], data["weights"], data["q"], data["context"]
    ax.scatter(*K.T, s=40 + 900 * a, color=COLORS["data"], alpha=0.75, zorder=2)
    for j, (x, y) in enumerate(K):
        ax.annotate(f"k{j + 1}", (x, y), textcoords="offset points", xytext=(7, 5), fontsize=8)
    ax.annotate("", xy=q, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": COLORS["model"], "lw": 1.8})
    ax.text(*(q * 1.08), "q", color=COLORS["model"], fontsize=10)
    ax.plot(*c, "*", ms=14, color=COLORS["second"], zorder=3, label="context c = Σ aⱼ vⱼ")
    ax.legend(loc="lower left", fontsize=7)
    ax.set_title(f"{data['score']} score, τ = {data['temperature']:g}", fontsize=9)
    idx = np.arange(len(a))
    bx.bar(idx, a, color=COLORS["data"])
    bx.set_xticks(idx, [f"k{j + 1}" for j in idx])
    bx.set_ylim(0, 1.02)
    bx.set_ylabel("weight aⱼ")
    bx.set_title(f"weights sum to {a.sum():.3f}; entropy {data['entropy']:.2f} nats", fontsize=9)
    return fig


@register
def attention_explorer_demo() -> Demo:
    """Turn the query, pick a score and a temperature: watch the weights and the context vector move."""
    return Demo(
        compute=attention_explorer_compute, draw=attention_explorer_draw,
        controls=[Slider("angle", 0, 90, 15, 90, "query angle (degrees)", frames=2),
                  Choice("score", list(SCORE_TYPES), "dot", "score"),
                  Choice("temperature", [0.25, 1.0, 2.0], 1.0, "temperature τ")],
        title="Attention explorer: scores, softmax weights and the context vector",
        alt="left: five keys in the plane drawn with sizes proportional to their attention weights, the query as an "
            "arrow and the context vector as a star; right: the five weights as bars",
    )


# -- why divide by √d_k (Vaswani et al., 2017, §3.2.1) ----------------------------------------------------------------

#: Keys per query, and query draws per dimension, in the saturation demo.
SAT_KEYS, SAT_DRAWS = 10, 300
SCALINGS = ("without 1/√d_k", "with 1/√d_k")


@lru_cache(maxsize=32)
def _saturation_stats(log2_dk: int) -> dict[str, Any]:
    """Scores q·k_j of random unit-variance q and keys, and softmax statistics with and without the scaling."""
    d = 2 ** log2_dk
    rng = np.random.default_rng(100 + log2_dk)
    q = rng.standard_normal((SAT_DRAWS, 1, d))
    K = rng.standard_normal((SAT_DRAWS, SAT_KEYS, d))
    s = np.sum(q * K, axis=-1)                       # (draws, keys)
    out = {"raw": s}
    for name, scale in zip(SCALINGS, (1.0, 1.0 / np.sqrt(d))):
        a = attention_weights(s * scale)
        # the softmax Jacobian diag(a) − a aᵀ: its size says how much gradient reaches the scores
        jac = np.sqrt(np.maximum(np.sum(a**2, -1) - 2 * np.sum(a**3, -1) + np.sum(a**2, -1) ** 2, 0.0))
        out[name] = {"max_weight": float(a.max(-1).mean()), "jacobian": float(jac.mean()),
                     "score_std": float((s * scale).std())}
    return out


def softmax_saturation_compute(log2_dk: int, scaling: str = "without 1/√d_k") -> dict[str, Any]:
    """Statistics of softmax(q·k) over random unit-variance vectors in d_k = 2^``log2_dk`` dimensions."""
    log2_dk = check_int(log2_dk, "log2_dk", low=0, high=10)
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}; got {scaling!r}")
    stats = _saturation_stats(log2_dk)
    curves = {name: np.array([[_saturation_stats(k)[name]["max_weight"], _saturation_stats(k)[name]["jacobian"]]
                              for k in range(11)]) for name in SCALINGS}
    scale = 1.0 if scaling == SCALINGS[0] else 2.0 ** (-log2_dk / 2)
    return {"log2_dk": log2_dk, "scaling": scaling, "scores": stats["raw"].ravel() * scale,
            "stats": stats[scaling], "curves": curves}


def softmax_saturation_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.6, height=3.1, layout=None)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.88, wspace=0.32)
    st = data["stats"]
    lim = max(8.0, float(np.abs(data["scores"]).max()))
    ax.hist(data["scores"], bins=np.linspace(-lim, lim, 41), color=COLORS["data"])
    ax.set_xlabel("score")
    ax.set_ylabel("count")
    ax.set_title(f"d_k = {2 ** data['log2_dk']}, {data['scaling']}: std {st['score_std']:.2f}", fontsize=9)
    ks = np.arange(11)
    for name, color in zip(SCALINGS, (COLORS["second"], COLORS["optimum"])):
        cur = data["curves"][name]
        bx.plot(ks, cur[:, 0], "-", color=color, label=f"largest weight, {name}")
        bx.plot(ks, cur[:, 1], "--", color=color, label=f"‖softmax Jacobian‖, {name}")
    me = data["curves"][data["scaling"]][data["log2_dk"]]
    bx.plot([data["log2_dk"]] * 2, me, "o", color="k")
    bx.set_xlabel("log₂ d_k")
    bx.set_ylim(0, 1.02)
    bx.legend(fontsize=6, loc="center left")
    bx.set_title(f"largest weight {st['max_weight']:.2f}, Jacobian {st['jacobian']:.2f}", fontsize=9)
    return fig


@register
def softmax_saturation_demo() -> Demo:
    """Grow d_k with and without 1/√d_k: unscaled scores spread out and the softmax saturates, starving gradients."""
    return Demo(
        compute=softmax_saturation_compute, draw=softmax_saturation_draw,
        controls=[Slider("log2_dk", 0, 10, 1, 6, "log₂ d_k"), Choice("scaling", list(SCALINGS), SCALINGS[0],
                                                                    "scaling")],
        title="Why scale by 1/√d_k: the softmax saturates as the dimension grows",
        alt="left: histogram of the scores of random queries and keys; right: the mean largest softmax weight and "
            "the size of the softmax Jacobian against log2 of the key dimension, with and without scaling",
    )


# -- a heat map of attention weights ----------------------------------------------------------------------------------

def _illustrative_examples() -> list[tuple[list[str], list[str], np.ndarray]]:
    """Stand-in maps for the library's sweep: a blurred anti-diagonal (what a reversal model should learn)."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(3):
        src = rng.integers(0, 10, 6)
        T = len(src)
        dist = np.abs(np.arange(T)[None, :] - (T - 1 - np.arange(T))[:, None])
        out.append(([str(v) for v in src], [str(v) for v in src[::-1]],
                    attention_weights(-2.0 * dist + 0.3 * rng.standard_normal((T, T)))))
    return out


def attention_heatmap_compute(example: int, weights: np.ndarray, inputs: np.ndarray, outputs: np.ndarray,
                              anti: int = 1) -> dict[str, Any]:
    """One example's weight map (rows: outputs, columns: inputs) and its share of mass on the anti-diagonal
    (``anti=1``), the main diagonal (``0``) or neither (``-1``). ``weights`` stacks the examples' maps
    (examples × outputs × inputs); ``inputs`` and ``outputs`` hold their labels, one row per example."""
    weights = np.asarray(weights, dtype=np.float64)
    example = check_int(example, "example", low=0, high=weights.shape[0] - 1)
    w = weights[example]
    anti_flag = {1: True, 0: False, -1: None}[int(anti)]
    share = diagonal_share(w, anti_flag) if anti_flag is not None and w.shape[0] == w.shape[1] else None
    return {"example": example, "inputs": [str(v) for v in inputs[example]],
            "outputs": [str(v) for v in outputs[example]], "weights": w, "share": share, "anti": anti_flag}


def attention_heatmap_draw(data: dict[str, Any]) -> Figure:
    w = data["weights"]
    fig, (ax,) = new_figure(width=min(5.5, 1.6 + 0.34 * w.shape[1]), height=min(5.0, 1.4 + 0.34 * w.shape[0]))
    im = ax.imshow(w, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(w.shape[1]), data["inputs"], fontsize=8)
    ax.set_yticks(range(w.shape[0]), data["outputs"], fontsize=8)
    ax.set_xlabel("attended position (input)")
    ax.set_ylabel("output step")
    fig.colorbar(im, ax=ax, shrink=0.8)
    title = f"example {data['example']}"
    if data["share"] is not None:
        title += f": {100 * data['share']:.0f}% on the {'anti-' if data['anti'] else ''}diagonal"
    ax.set_title(title, fontsize=9)
    return fig


@register
def attention_heatmap_demo(examples: Sequence[tuple[list[str], list[str], np.ndarray]] | None = None,
                           anti: bool | None = True, title: str = "Attention weights of a reversal model") -> Demo:
    """Pick an example and see its attention map. ``examples`` holds (input labels, output labels, weights) triples
    of one shape; without them the demo shows illustrative blurred anti-diagonals (the notebook passes a trained
    model's maps). The maps travel with the page as the demo's ``data``, so it also computes in the browser."""
    examples = list(examples) if examples is not None else _illustrative_examples()
    if not 2 <= len(examples) <= 60:
        raise ValueError(f"examples must hold 2 to 60 (inputs, outputs, weights) triples; got {len(examples)}")
    if len({np.shape(w) for _, _, w in examples}) != 1:
        raise ValueError("every example's weight map must have the same shape")
    data = {"weights": np.stack([np.asarray(w, dtype=np.float64) for _, _, w in examples]),
            "inputs": np.array([[str(v) for v in cols] for cols, _, _ in examples]),
            "outputs": np.array([[str(v) for v in rows] for _, rows, _ in examples]),
            "anti": {True: 1, False: 0, None: -1}[anti]}
    return Demo(
        compute=attention_heatmap_compute, draw=attention_heatmap_draw, data=data,
        controls=[Slider("example", 0, len(examples) - 1, 1, 0, "example")],
        title=title,
        alt="a heat map of attention weights, one row per output step and one column per input position",
    )
