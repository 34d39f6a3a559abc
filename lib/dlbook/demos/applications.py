"""Demos of Chapter 12 (applications): global contrast normalisation of a point cloud, ZCA whitening of image
patches, an n-gram language model of a text that ships with Python, and a hierarchical softmax over eight words."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.checks import as_array, check_int, check_positive
from dlbook.demo import Choice, Demo, Slider, register
from dlbook.ngram import NGramModel, fit_ngram
from dlbook.output_layers import hierarchical_softmax, tree_paths
from dlbook.plotting import COLORS, new_figure, square
from dlbook.preprocessing import global_contrast_normalize

# -- global contrast normalisation (§12.2.1.1, eq. 12.3, fig. 12.1) -----------------------------------------------

_r = np.random.default_rng(5)
#: 150 three-pixel "images" with very different contrasts and brightnesses.
GCN_CLOUD = (_r.standard_normal((150, 3)) * _r.uniform(0.05, 2.0, (150, 1)) + _r.uniform(-1, 1, (150, 1))
             + np.array([0.8, 0.0, -0.5]) * _r.uniform(0, 1.5, (150, 1)))
#: An orthonormal basis of the plane orthogonal to (1, 1, 1), where every mean-subtracted image lies.
PLANE = np.linalg.qr(np.array([[1.0, 1.0], [-1.0, 1.0], [0.0, -2.0]]))[0]


def gcn_compute(s: float = 1.0, lam: float = 0.0, log10_eps: float = -8.0) -> dict[str, Any]:
    """GCN of the three-pixel cloud, both clouds drawn in the plane orthogonal to (1, 1, 1)."""
    s, lam = check_positive(s, "s"), check_positive(lam, "lam", allow_zero=True)
    Z = global_contrast_normalize(GCN_CLOUD, s=s, lam=lam, eps=10.0**log10_eps)
    centred = GCN_CLOUD - GCN_CLOUD.mean(axis=1, keepdims=True)
    radii = np.linalg.norm(Z, axis=1)
    return {"raw": centred @ PLANE, "gcn": Z @ PLANE, "radius": s * np.sqrt(3), "radii": radii,
            "s": s, "lam": lam, "log10_eps": float(log10_eps)}


def gcn_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.2, height=3.3, layout=None)
    fig.subplots_adjust(left=0.04, right=0.98, bottom=0.05, top=0.86, wspace=0.12)
    t = np.linspace(0, 2 * np.pi, 120)
    for a, key, title in ((ax, "raw", "mean-subtracted images"), (bx, "gcn", "after GCN")):
        square(a, 4.0)
        a.set_xticks([])
        a.set_yticks([])
        a.plot(data["radius"] * np.cos(t), data["radius"] * np.sin(t), color=COLORS["muted"], lw=0.8, ls="--")
        a.plot(*data[key].T, ".", color=COLORS["data"] if key == "raw" else COLORS["model"], ms=4)
        a.set_title(title, fontsize=9)
    r = data["radii"]
    bx.set_title(f"after GCN: s={data['s']:g}, λ={data['lam']:g}, ε=1e{data['log10_eps']:.0f}\n"
                 f"radius {r.min():.2f}–{r.max():.2f} (dashed: s√3 = {data['radius']:.2f})", fontsize=9)
    return fig


@register
def gcn_demo() -> Demo:
    """Set the scale s, the regulariser λ and the floor ε of global contrast normalisation."""
    return Demo(gcn_compute, gcn_draw,
                controls=[Slider("s", 0.5, 2.0, 0.25, 1.0, "scale s", frames=2),
                          Slider("lam", 0.0, 2.0, 0.1, 0.0, "λ", frames=3),
                          Slider("log10_eps", -8, 0, 1, -8, "log₁₀ ε", frames=2)],
                title="Global contrast normalisation of three-pixel images",
                alt="two panels of a point cloud in the plane orthogonal to (1,1,1): left the mean-subtracted images "
                    "scattered at many distances; right the normalised ones, all on a dashed circle of radius s√3 "
                    "when λ is 0 and pulled inside it when λ is positive")


# -- ZCA whitening of image patches (§12.2.1.1) ----------------------------------------------------------------


def zca_compute(eigvals: np.ndarray, eigvecs: np.ndarray, patches: np.ndarray, log10_eps: float) -> dict[str, Any]:
    """ZCA of a few centred 8×8 patches from the patch covariance's eigendecomposition, with ``ε = 10^log10_eps``."""
    lam, U = as_array(eigvals, "eigvals", ndim=1), as_array(eigvecs, "eigvecs", ndim=2)
    eps = 10.0 ** float(log10_eps)
    W = (U / np.sqrt(np.maximum(lam, 0) + eps)) @ U.T
    white = as_array(patches, "patches", ndim=2) @ W
    return {"patches": patches, "white": white, "filter": W[27], "gain": lam / (lam + eps), "eigvals": lam,
            "log10_eps": float(log10_eps)}


def _mosaic(rows: np.ndarray) -> np.ndarray:
    """Patches side by side, each scaled to [-1, 1], separated by a blank column."""
    tiles = [np.c_[r.reshape(8, 8) / max(np.abs(r).max(), 1e-12), np.zeros(8)] for r in rows]
    return np.hstack(tiles)[:, :-1]


def zca_draw(data: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(7.6, 3.2))
    gs = fig.add_gridspec(2, 3, width_ratios=(3, 1, 1.3), left=0.02, right=0.98, bottom=0.12, top=0.88,
                          wspace=0.25, hspace=0.35)
    for i, (key, title) in enumerate((("patches", "centred patches"), ("white", "ZCA-whitened"))):
        a = fig.add_subplot(gs[i, 0])
        a.imshow(_mosaic(data[key]), cmap="gray", vmin=-1, vmax=1)
        a.set_xticks([])
        a.set_yticks([])
        a.set_title(title, fontsize=8)
    fa = fig.add_subplot(gs[:, 1])
    fa.imshow(data["filter"].reshape(8, 8), cmap="gray")
    fa.set_xticks([])
    fa.set_yticks([])
    fa.set_title("ZCA filter\nof pixel (3, 3)", fontsize=8)
    ga = fig.add_subplot(gs[:, 2])
    ga.semilogy(np.sort(data["eigvals"])[::-1], color=COLORS["data"], lw=1.2)
    ga.axhline(10 ** data["log10_eps"], color=COLORS["second"], lw=1)
    ga.set_xticks([0, 32, 63])
    ga.tick_params(labelsize=6)
    ga.set_title(f"eigenvalues; ε = 1e{data['log10_eps']:g}", fontsize=8)
    return fig


@register
def zca_demo(eigvals: Any = None, eigvecs: Any = None, patches: Any = None) -> Demo:
    """Change ε in ZCA whitening: small ε amplifies the faint directions (noise), large ε leaves them alone.

    The notebook passes the covariance of real 8×8 image patches; without it a synthetic smooth covariance stands in."""
    if eigvals is None:
        rng = np.random.default_rng(0)
        d = np.arange(64)
        dist = np.hypot(d[:, None] // 8 - d[None] // 8, d[:, None] % 8 - d[None] % 8)
        C = np.exp(-dist / 2.0) + 1e-3 * np.eye(64)
        eigvals, eigvecs = np.linalg.eigh(C)
        patches = rng.multivariate_normal(np.zeros(64), C, 4)
    return Demo(zca_compute, zca_draw,
                controls=[Slider("log10_eps", -5, 1, 0.5, -2, "log₁₀ ε", frames=4)],
                data={"eigvals": np.asarray(eigvals, float), "eigvecs": np.asarray(eigvecs, float),
                      "patches": np.asarray(patches, float)},
                title="ZCA whitening of 8×8 image patches",
                alt="top row four grey image patches, bottom row the same patches whitened, edges emphasised; right a "
                    "small centre-surround filter and the decreasing eigenvalue spectrum of the patch covariance with "
                    "a red line at ε")


# -- an n-gram language model (§12.4.1) ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _ngram_counts(text: str, n: int) -> Any:
    return fit_ngram(list(text), n, alpha=0.0)


def _ngram(text: str, n: int, alpha: float) -> Any:
    """The counts depend on n only, so every α reuses one fit."""
    counted = _ngram_counts(text, n)
    return NGramModel(n, counted.vocab, counted.counts, counted.context_counts, alpha)


def ngram_compute(train_codes: np.ndarray, valid_codes: np.ndarray, n: int, alpha: float,
                  seed: int = 0) -> dict[str, Any]:
    """Fit a character n-gram with add-α smoothing on the training text; its validation perplexity and a sample."""
    n = check_int(n, "n", low=1, high=6)
    alpha = check_positive(alpha, "alpha")
    train = "".join(map(chr, np.asarray(train_codes, int)))
    valid = "".join(map(chr, np.asarray(valid_codes, int)))
    model = _ngram(train, n, float(alpha))
    vocab = set(model.vocab)
    valid = "".join(c for c in valid if c in vocab)
    sample = "".join(model.sample(160, np.random.default_rng(seed), context=list(train[:n - 1])))
    return {"n": n, "alpha": float(alpha), "valid_ppl": model.perplexity(list(valid)),
            "train_ppl": model.perplexity(list(train[:3000])), "sample": sample, "vocab": len(vocab)}


def ngram_draw(data: dict[str, Any]) -> Figure:
    fig = Figure(figsize=(7.2, 2.8))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    ax.axis("off")
    ax.text(0.0, 0.97, f"character {data['n']}-gram, add-{data['alpha']:g} smoothing, |V| = {data['vocab']}",
            fontsize=10, weight="bold", va="top")
    ax.text(0.0, 0.83, f"perplexity: training {data['train_ppl']:.2f}, validation {data['valid_ppl']:.2f}",
            fontsize=10, va="top", color=COLORS["second"])
    lines = [data["sample"][i:i + 54] for i in range(0, len(data["sample"]), 54)]
    ax.text(0.0, 0.66, "\n".join(line.replace("\n", "⏎") for line in lines), fontsize=10, va="top",
            family="monospace")
    return fig


@register
def ngram_demo(train_codes: Any = None, valid_codes: Any = None) -> Demo:
    """Choose n and α for a character n-gram: the validation perplexity and a sample of generated text."""
    if train_codes is None:
        text = "the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat. " * 4
        train_codes, valid_codes = np.frombuffer(text.encode(), np.uint8), np.frombuffer(b"the cat sat on a log.", np.uint8)
    return Demo(ngram_compute, ngram_draw,
                controls=[Slider("n", 1, 6, 1, 3, "n", frames=3),
                          Choice("alpha", [0.01, 1.0], 0.01, "add-α")],
                data={"train_codes": np.asarray(train_codes, np.int32), "valid_codes": np.asarray(valid_codes, np.int32)},
                title="A character n-gram language model",
                alt="text panel: the model's order and smoothing, its training and validation perplexity, and 160 "
                    "characters sampled from it")


# -- hierarchical softmax over eight words (§12.4.3.2, fig. 12.4) ---------------------------------------------------

HS_WORDS = [f"w{i}" for i in range(8)]
#: Fixed logits of the five nodes the demo does not expose.
HS_OTHER = np.array([0.8, -1.2, 0.3, 1.5, -0.6])
#: Where each of the 7 internal nodes (in :func:`tree_paths` order) is drawn.
HS_POS = {0: (3.5, 3), 1: (1.5, 2), 2: (0.5, 1), 3: (2.5, 1), 4: (5.5, 2), 5: (4.5, 1), 6: (6.5, 1)}


def hsoftmax_compute(root: float, left: float) -> dict[str, Any]:
    """Leaf probabilities of an 8-word tree; the root's and its left child's logits come from the sliders."""
    a = np.r_[float(root), float(left), HS_OTHER]
    p = hierarchical_softmax(a)
    return {"logits": a, "p": p, "sum": float(p.sum()), "paths": tree_paths(8)}


def hsoftmax_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.7, height=3.0, layout=None)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.13, top=0.87, wspace=0.15)
    a = 1 / (1 + np.exp(-data["logits"]))                       # probability of going left at each node
    children = {0: (1, 4), 1: (2, 3), 4: (5, 6)}
    for node, (x, y) in HS_POS.items():
        kids = children.get(node)
        targets = [HS_POS[k] for k in kids] if kids else [(x - 0.25, 0), (x + 0.25, 0)]
        for (tx, ty), prob in zip(targets, (a[node], 1 - a[node])):
            ax.plot([x, tx], [y, ty], color="k", lw=0.5 + 3 * prob)
            ax.text((x + tx) / 2 + 0.2 * np.sign(tx - x), (y + ty) / 2 + 0.05, f"{prob:.2f}", fontsize=6,
                    ha="center", color=COLORS["second"])
        ax.plot(x, y, "o", ms=13, color="white", mec="k")
        ax.text(x, y, f"n{node}", ha="center", va="center", fontsize=6)
    for i in range(8):
        ax.text(2 * (i // 2) + 0.25 + 0.5 * (i % 2), -0.1, HS_WORDS[i], ha="center", va="top", fontsize=7)
    ax.set_xlim(-0.5, 7.5)
    ax.set_ylim(-0.7, 3.4)
    ax.axis("off")
    ax.set_title("left-branch probability σ(a) at each node", fontsize=9)
    bx.bar(range(8), data["p"], color=COLORS["data"])
    bx.set_xticks(range(8), HS_WORDS, fontsize=7)
    bx.set_ylim(0, 1)
    bx.tick_params(labelsize=7)
    bx.set_title(f"P(w): 3 decisions each; sum = {data['sum']:.12f}", fontsize=9)
    return fig


@register
def hsoftmax_demo() -> Demo:
    """Move two node logits of a hierarchical softmax: probability flows between subtrees, the total stays 1."""
    return Demo(hsoftmax_compute, hsoftmax_draw,
                controls=[Slider("root", -4, 4, 0.5, 0, "root logit a₀", frames=3),
                          Slider("left", -4, 4, 0.5, 1, "left child logit a₁", frames=3)],
                title="A hierarchical softmax over eight words",
                alt="left: a binary tree with three levels of decision nodes above eight words, each branch labelled "
                    "with its probability and drawn thicker when likelier; right: bars of the eight word probabilities")
