"""Demos of Chapter 15: regions carved by distributed codes against nearest neighbours (§15.4, eq. 15.4), and
learning from few labels with different representations (§15.1–15.2).

NumPy only. The few-label demo receives its features from the notebook through ``Demo(data=...)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.plotting import COLORS, new_figure
from dlbook.representation import count_regions, few_label_indices, nearest_mean_predict, zaslavsky_regions

#: Eight fixed random lines wᵀx + b = 0 in the plane and eight prototypes; the demo uses the first n of each.
LINES_W = np.random.default_rng(3).standard_normal((8, 2))
LINES_B = 0.8 * np.random.default_rng(4).standard_normal(8)
PROTOTYPES = np.random.default_rng(5).uniform(-2.5, 2.5, (8, 2))
_G = np.linspace(-3, 3, 121)
GRID = np.stack(np.meshgrid(_G, _G), axis=-1).reshape(-1, 2)


def regions_compute(n: int, partition: str) -> dict[str, Any]:
    """Cells of the first ``n`` lines (binary codes) or of ``n`` nearest-neighbour prototypes, with their counts."""
    n = int(n)
    W, b = LINES_W[:n], LINES_B[:n]
    if partition == "lines":
        codes = (GRID @ W.T + b > 0).astype(np.int64) @ (2 ** np.arange(n))
    else:
        codes = np.argmin(((GRID[:, None, :] - PROTOTYPES[None, :n]) ** 2).sum(-1), axis=1)
    _, labels = np.unique(codes, return_inverse=True)
    return {"n": n, "partition": partition, "labels": labels.reshape(len(_G), len(_G)),
            "exact": count_regions(W, b), "formula": zaslavsky_regions(n, 2),
            "curve_lines": np.array([zaslavsky_regions(k, 2) for k in range(1, 9)]),
            "W": W, "b": b, "prototypes": PROTOTYPES[:n]}


def regions_draw(data: dict[str, Any]) -> Figure:
    fig, (ax, bx) = new_figure(ncols=2, width=3.4, height=3.2, layout=None)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.86, wspace=0.3)
    ax.imshow(data["labels"] * 0.618 % 1, extent=(-3, 3, -3, 3), origin="lower", cmap="tab20", vmin=0, vmax=1)
    if data["partition"] == "lines":
        x = np.array([-3.0, 3.0])
        for (w1, w2), b in zip(data["W"], data["b"]):
            if abs(w2) > 1e-9:
                ax.plot(x, -(w1 * x + b) / w2, color="k", lw=1)
            else:
                ax.axvline(-b / w1, color="k", lw=1)
        ax.set_title(f"{data['n']} lines: {data['exact']} regions\n(formula 15.4: {data['formula']})", fontsize=9)
    else:
        p = data["prototypes"]
        ax.scatter(p[:, 0], p[:, 1], color="k", s=12)
        ax.set_title(f"{data['n']} nearest-neighbour prototypes:\n{data['n']} regions", fontsize=9)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_xticks([])
    ax.set_yticks([])
    ks = np.arange(1, 9)
    bx.plot(ks, data["curve_lines"], "o-", color=COLORS["data"], label="n linear features (d = 2)")
    bx.plot(ks, ks, "s-", color=COLORS["model"], label="n examples, nearest neighbour")
    bx.axvline(data["n"], color=COLORS["muted"], lw=0.8)
    bx.set_xlabel("n (features or examples)")
    bx.set_ylabel("regions")
    bx.legend(fontsize=7.5, loc="upper left")
    return fig


@register
def regions_demo() -> Demo:
    return Demo(regions_compute, regions_draw,
                controls=[Slider("n", 1, 8, 1, 4, label="n"),
                          Choice("partition", [("linear features", "lines"), ("nearest neighbour", "prototypes")],
                                 "lines", label="partition")],
                title="Distributed codes against nearest neighbours",
                alt="Left: the plane coloured by cell, cut either by n random lines or by the nearest of n "
                    "prototypes; right: the number of cells against n, growing quadratically for lines and "
                    "linearly for prototypes.")


def few_label_compute(per_class: int, pool: np.ndarray, test: np.ndarray, pool_labels: np.ndarray,
                      test_labels: np.ndarray, names: np.ndarray,
                      draws: int = 5) -> dict[str, Any]:
    """Nearest-class-mean accuracy of each representation with ``per_class`` labelled examples per class.

    ``pool`` and ``test`` stack the representations (representation × examples × width, zero-padded to one width);
    the labelled examples are drawn from the pool, ``draws`` times with fixed seeds, and accuracy is averaged.
    """
    per_class = int(per_class)
    acc = np.zeros(len(names))
    for r in range(len(names)):
        for seed in range(int(draws)):
            idx = few_label_indices(pool_labels, per_class, np.random.default_rng(seed))
            pred = nearest_mean_predict(pool[r][idx], pool_labels[idx], test[r])
            acc[r] += np.mean(pred == test_labels) / int(draws)
    return {"per_class": per_class, "accuracy": acc, "names": [str(s) for s in names]}


def few_label_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=5.0, height=2.9, layout=None)
    fig.subplots_adjust(left=0.36, right=0.97, bottom=0.17, top=0.87)
    y = np.arange(len(data["names"]))
    colors = [COLORS["muted"], COLORS["data"], COLORS["model"], COLORS["optimum"], COLORS["second"]]
    ax.barh(y, data["accuracy"], color=colors[: len(y)])
    for k, a in enumerate(data["accuracy"]):
        ax.text(min(a + 0.01, 0.9), k, f"{a:.2f}", va="center", fontsize=8)
    ax.set_yticks(y, data["names"], fontsize=8)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("test accuracy (nearest class mean)")
    ax.set_title(f"{data['per_class']} labelled example(s) per class", fontsize=9)
    return fig


def _default_features() -> dict[str, Any]:
    """Raw pixels, PCA and random ReLU features of digits 5–9 (what the demo shows without the notebook's data)."""
    from dlbook.data import digits
    from dlbook.pca import fit_pca, pca_encode

    images, labels = digits()
    X = images.reshape(-1, 64)
    pca = fit_pca(X, 10)
    keep = labels >= 5
    Xk, yk = X[keep], labels[keep]
    rng = np.random.default_rng(0)
    random_relu = np.maximum(Xk @ rng.standard_normal((64, 32)) / 8, 0)
    reps = {"raw pixels (64)": Xk, "PCA (10)": pca_encode(pca, Xk), "random ReLU (32)": random_relu}
    return {"reps": reps, "labels": yk}


def stack_representations(reps: dict[str, np.ndarray], labels: np.ndarray, n_pool: int) -> dict[str, Any]:
    """Split each representation into a pool (first ``n_pool`` rows) and a test set, zero-padded to one width."""
    width = max(F.shape[1] for F in reps.values())
    padded = [np.pad(np.asarray(F, dtype=np.float64), ((0, 0), (0, width - F.shape[1]))) for F in reps.values()]
    return {"pool": np.stack([F[:n_pool] for F in padded]), "test": np.stack([F[n_pool:] for F in padded]),
            "pool_labels": np.asarray(labels[:n_pool]), "test_labels": np.asarray(labels[n_pool:]),
            "names": np.array(list(reps))}


@register
def few_label_demo(reps: dict[str, np.ndarray] | None = None, labels: np.ndarray | None = None,
                   n_pool: int = 450) -> Demo:
    """Few-label classification of digits 5–9 with each representation in ``reps`` (name → examples × width)."""
    if reps is None:
        default = _default_features()
        reps, labels = default["reps"], default["labels"]
    data = stack_representations(reps, np.asarray(labels), n_pool)
    return Demo(few_label_compute, few_label_draw,
                controls=[Slider("per_class", 1, 20, 1, 3, label="labels per class", frames=8)],
                data=data,
                title="How many labels does a representation need?",
                alt="Horizontal bars giving the test accuracy of a nearest-class-mean classifier on each "
                    "representation of digits 5 to 9, for the chosen number of labelled examples per class.")
