"""Figure helpers shared by every chapter and demo.

Demos draw on :class:`matplotlib.figure.Figure` objects made here rather than
through ``pyplot``, so pre-rendering hundreds of frames leaves no global state.
"""

from __future__ import annotations

import pickle

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, MaxNLocator
from matplotlib.transforms import ScaledTranslation

#: The book's colours: data, model, optimum, secondary, highlight.
COLORS = {"data": "#4C72B0", "model": "#DD8452", "optimum": "#55A868", "second": "#C44E52", "muted": "#8C8C8C"}


class _InView:
    """Keep only the ticks inside the axis's view. matplotlib's locators add a tick beyond each end, which it builds
    (a line, a label and their properties: about 3 ms each in the browser, a large part of a live frame) and then
    skips when drawing."""

    def __call__(self) -> np.ndarray:
        locs = np.asarray(super().__call__(), dtype=float)  # type: ignore[misc]
        # Compared where matplotlib compares them, on the axis's scale (log10 for a log axis), with more slack
        # than its 1e-10 of the span: a superset of the ticks it draws.
        scale = self.axis.get_transform()  # type: ignore[attr-defined]
        view = np.asarray(self.axis.get_view_interval(), dtype=float)  # type: ignore[attr-defined]
        lo, hi = sorted(scale.transform(view))
        with np.errstate(all="ignore"):  # a log axis maps ticks <= 0 to nan or -inf: out of view
            t = scale.transform(locs)
        slack = 1e-9 * (hi - lo)
        return locs[np.isfinite(t) & (t >= lo - slack) & (t <= hi + slack)]


class InViewLocator(_InView, MaxNLocator):
    """matplotlib's default locator (:class:`~matplotlib.ticker.AutoLocator`: steps of 1, 2, 2.5 or 5 times a
    power of ten) with at most ``nbins + 1`` ticks, 5 bins unless given, and none outside the view."""

    def __init__(self, nbins: int | str = 5, steps: tuple[float, ...] = (1, 2, 2.5, 5, 10), **kwargs: object) -> None:
        super().__init__(nbins=nbins, steps=list(steps), **kwargs)


class InViewLogLocator(_InView, LogLocator):
    """:class:`~matplotlib.ticker.LogLocator` without the ticks outside the view."""


#: Pickled fresh figures by :func:`new_figure`'s arguments, when :func:`reuse_figures` is on (in the browser).
_TEMPLATES: dict[tuple[object, ...], bytes] | None = None
_TEMPLATE_TICKS = 6  # ticks built in advance per axis: as many as an InViewLocator() shows


def reuse_figures(on: bool = True) -> None:
    """Make :func:`new_figure` build each kind of figure once and hand out unpickled copies of it.

    Building the axes and their ticks (a line, a label and their properties each) is about a quarter of a
    live frame in the browser, and unpickling a copy with the ticks already built skips it; the frame drawn is
    the same, pixel for pixel (``tests/test_demo.py``). Only the browser turns this on: a copy keeps the
    rcParams in force when its template was built, which never change there (so a demo must not call
    ``new_figure`` inside ``rc_context``).
    """
    global _TEMPLATES
    _TEMPLATES = {} if on else None


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 4.0, height: float = 3.2,
               layout: str | None = "constrained", fixed_titles: bool = True) -> tuple[Figure, np.ndarray]:
    """A figure with an ``nrows × ncols`` grid of axes, each about ``width × height`` inches.

    Each axis gets at most six ticks, all inside its view (:class:`InViewLocator`, five bins).
    ``layout="constrained"`` spaces the axes automatically; a demo that pre-renders many frames may pass
    ``layout=None`` and call ``fig.subplots_adjust`` itself, which renders several times faster.
    ``fixed_titles=True`` (the default) puts each title just above its axes, where matplotlib's automatic
    placement puts it too unless something sits on top of the axes (top tick labels, which no book figure has,
    or a y offset text under a long title; pass ``False`` then). Skipping that search saves a live frame about a
    tenth of its time.
    """
    if ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be >= 1; got {ncols}, {nrows}")
    if layout not in ("constrained", "tight", None):
        raise ValueError(f"layout must be 'constrained', 'tight' or None; got {layout!r}")
    key = (ncols, nrows, width, height, layout, fixed_titles)
    if _TEMPLATES is not None and key in _TEMPLATES:
        fig = pickle.loads(_TEMPLATES[key])
        return fig, np.array(fig.axes, dtype=object)
    fig = Figure(figsize=(width * ncols, height * nrows), layout=layout)
    with rc_context({"axes.titley": 1.0} if fixed_titles else {}):
        axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        # At most six ticks per axis (matplotlib allows ten), none outside the view: each is built and drawn on
        # every frame, about half of a live frame's time. Still marked as the default locator, so category, date
        # and log axes replace it with theirs.
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(InViewLocator())
            axis.isDefault_majloc = True
            if _TEMPLATES is not None:
                axis.get_major_ticks(_TEMPLATE_TICKS)
    if _TEMPLATES is not None:
        _TEMPLATES[key] = pickle.dumps(fig)
        return new_figure(ncols, nrows, width, height, layout, fixed_titles)
    return fig, axes.ravel()


def color_key(ax: Axes, entries: list[tuple[str, str]], x: float = 0.5, y: float = 0.97, ha: str = "center",
              fontsize: float = 7.0, va: str = "top") -> None:
    """A legend as coloured words: each ``(text, color)`` entry written in its curve's colour, in axes coordinates
    the first entry's top at ``(x, y)`` and the others below it (``va="bottom"``: the last entry's bottom there, the
    others above). For curves told apart by colour (a marker glyph such as ★ in the text tells markers apart); in
    the browser it draws in a tenth of the time of :meth:`~matplotlib.axes.Axes.legend`, whose boxes are measured
    and packed on every frame."""
    if va not in ("top", "bottom"):
        raise ValueError(f"va must be 'top' or 'bottom'; got {va!r}")
    for i, (text, color) in enumerate(entries):  # each line 1.25 font sizes from the next, whatever the layout
        lines = -i if va == "top" else len(entries) - 1 - i
        shift = ScaledTranslation(0, lines * 1.25 * fontsize / 72, ax.figure.dpi_scale_trans)
        ax.text(x, y, text, color=color, fontsize=fontsize, ha=ha, va=va, transform=ax.transAxes + shift)


def square(ax: Axes, limit: float) -> None:
    """Equal aspect with both axes running from ``-limit`` to ``limit``, and light axis lines."""
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)


def fixed_panels(fig: Figure, bottom: float = 0.15, wspace: float = 0.08, left: float = 0.085,
                 right: float = 0.985, top: float = 0.9) -> None:
    """Place the figure's axes side by side at fixed positions, replacing the layout engine.

    Demos that pre-render many frames use it: a fixed layout draws in about two thirds of the time
    constrained layout needs.
    """
    fig.set_layout_engine("none")
    width = (right - left - wspace * (len(fig.axes) - 1)) / len(fig.axes)
    for i, ax in enumerate(fig.axes):
        ax.set_position((left + i * (width + wspace), bottom, width, top - bottom))


def two_panels(height: float, width: float = 3.9) -> tuple[Figure, Axes, Axes]:
    """Two side-by-side axes at fixed positions, for demos (no layout engine: each frame draws about twice as fast)."""
    fig, (ax, bx) = new_figure(ncols=2, width=width, height=height, layout=None)
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.14, top=0.91, wspace=0.3)
    return fig, ax, bx


