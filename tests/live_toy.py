"""A toy demo module for tests/test_browser.py: it closes over notebook data (``weights``), and imports only what
the browser runtime has, as a demo module must."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from dlbook.plotting import new_figure


def scaled_compute(weights: np.ndarray, scale: float, kind: str = "line") -> dict:
    """``weights`` comes from ``Demo(data=...)``, ``scale`` and ``kind`` from the controls."""
    x = np.linspace(0, 1, 30)
    return {"x": x, "y": scale * (weights @ np.vstack([x, x**2])) * (1 if kind == "line" else -1)}


def scaled_draw(data: dict) -> Figure:
    fig, (ax,) = new_figure(width=3, height=2)
    ax.plot(data["x"], data["y"])
    ax.set_ylim(-10, 10)
    return fig
