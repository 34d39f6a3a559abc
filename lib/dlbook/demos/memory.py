"""Demos of Chapter 22: a neural Turing machine head addressing ten memory rows (§10.12; Graves et al., 2014).

Two halves of one pipeline: content addressing with its gate (key, β, g), then the location stages (shift and
sharpening γ) followed by an erase-and-add write through the final weighting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.memory import address, content_weighting, interpolate, shift_distribution, write
from dlbook.plotting import COLORS, new_figure

ROWS, WIDTH = 10, 6
#: The demo's memory: ten rows of ±1 patterns with a little noise, fixed so every reader sees the same one.
MEMORY = np.sign(np.random.default_rng(7).standard_normal((ROWS, WIDTH))) + 0.2 * np.random.default_rng(8).standard_normal((ROWS, WIDTH))
#: The head's weighting at the previous step: its focus was on row 7.
PREVIOUS = np.exp(-0.5 * ((np.arange(ROWS) - 7) / 0.6) ** 2)
PREVIOUS /= PREVIOUS.sum()
#: Keys the reader can choose: a noisy copy of row 2, one of row 5, and the average of rows 2 and 5.
KEYS = {"like row 2": MEMORY[2] + 0.3 * np.random.default_rng(9).standard_normal(WIDTH),
        "like row 5": MEMORY[5] + 0.3 * np.random.default_rng(10).standard_normal(WIDTH),
        "between rows 2 and 5": (MEMORY[2] + MEMORY[5]) / 2}
#: What the write stores: erase everything at the addressed rows, then add this pattern.
ADD = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def _stages(ax, rows: list[tuple[np.ndarray, str, str]]) -> None:
    """Several weightings over the rows, stacked in one axes (one band per stage, top to bottom)."""
    n = len(rows)
    for k, (w, color, label) in enumerate(rows):
        base = 1.25 * (n - 1 - k)
        ax.bar(np.arange(len(w)), w, bottom=base, color=color, width=0.8)
        ax.axhline(base, color="0.8", lw=0.6)
        ax.text(-0.7, base + 0.55, label, ha="right", va="center", fontsize=8.5)
    ax.set_ylim(0, 1.25 * n)
    ax.set_xlim(-0.6, ROWS - 0.4)
    ax.set_yticks([])
    ax.set_xticks([0, 3, 6, 9])
    ax.set_xlabel("memory row (each band: weights from 0 to 1)", fontsize=8)
    ax.tick_params(labelsize=8)


def _memory_panel(ax, image: np.ndarray, title: str, labels: list[str]) -> None:
    ax.imshow(image, cmap="coolwarm", vmin=-1.6, vmax=1.6, aspect="auto")
    ax.set_yticks([0, 5, 9] + ([ROWS + 1] if len(labels) > 3 else []), labels, fontsize=8)
    ax.set_xticks([])
    ax.set_title(title, fontsize=9)


def _figure() -> tuple[Figure, Any, Any]:
    fig, (ax, bx) = new_figure(ncols=2, width=3.3, height=2.9, layout=None)
    ax.set_position((0.2, 0.15, 0.5, 0.8))
    bx.set_position((0.79, 0.15, 0.19, 0.7))
    return fig, ax, bx


def content_gate_compute(key: str = "like row 2", beta: float = 4.0, g: float = 1.0) -> dict[str, Any]:
    """Content weighting w^c of the chosen key at strength β, and its blend w^g with the previous weighting."""
    w_c = content_weighting(KEYS[key], MEMORY, beta)
    return {"key": KEYS[key], "w_content": w_c, "w_gated": interpolate(w_c, PREVIOUS, g), "beta": beta, "g": g,
            "label": key}


def content_gate_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _figure()
    _stages(ax, [(data["w_content"], COLORS["data"], f"content w^c\n(β = {data['beta']:g})"),
                 (PREVIOUS, COLORS["muted"], "previous\nw_{t-1}"),
                 (data["w_gated"], COLORS["model"], f"gated w^g\n(g = {data['g']:g})")])
    _memory_panel(bx, np.vstack([MEMORY, np.full(WIDTH, np.nan), data["key"]]), "memory and key",
                  ["0", "5", "9", "key"])
    return fig


@register
def content_gate_demo() -> Demo:
    return Demo(content_gate_compute, content_gate_draw,
                controls=[Choice("key", ["like row 2", "between rows 2 and 5"], "like row 2", label="key"),
                          Slider("beta", 0.0, 12.0, 0.5, 4.0, label="key strength β", frames=4),
                          Slider("g", 0.0, 1.0, 0.05, 1.0, label="interpolation gate g", frames=3)],
                title="Content addressing and the interpolation gate",
                alt="Bar charts of a neural Turing machine head's weighting over ten memory rows: the content "
                    "weighting of a key, the previous weighting, and their blend by the gate g.")


def shift_sharpen_compute(shift: float = 1.0, gamma: float = 1.0) -> dict[str, Any]:
    """Shift the gated weighting of the key 'like row 2' (β = 4, g = 1), sharpen it, then write through it."""
    stages = address(KEYS["like row 2"], MEMORY, beta=4.0, g=1.0, shift=shift, gamma=gamma, w_previous=PREVIOUS)
    written = write(MEMORY, stages["final"], erase=np.ones(WIDTH), add=ADD)
    return {**stages, "s": shift_distribution(shift, ROWS), "shift": shift, "gamma": gamma, "written": written}


def shift_sharpen_draw(data: dict[str, Any]) -> Figure:
    fig, ax, bx = _figure()
    _stages(ax, [(data["gated"], COLORS["model"], "gated w^g"),
                 (data["s"], COLORS["second"], f"shift s\n(shift {data['shift']:g})"),
                 (data["shifted"], COLORS["data"], "shifted w̃"),
                 (data["final"], COLORS["optimum"], f"sharpened w\n(γ = {data['gamma']:g})")])
    _memory_panel(bx, data["written"], "after the write", ["0", "5", "9"])
    return fig


@register
def shift_sharpen_demo() -> Demo:
    return Demo(shift_sharpen_compute, shift_sharpen_draw,
                controls=[Slider("shift", -3.0, 3.0, 0.1, 1.0, label="shift (rows)", frames=13),
                          Slider("gamma", 1.0, 10.0, 0.5, 1.0, label="sharpening γ", frames=2)],
                title="Shift, sharpen, write",
                alt="A neural Turing machine head's gated weighting rotated by a shift distribution, sharpened "
                    "by raising to the power gamma, and the memory rows after an erase-and-add write through it.")
