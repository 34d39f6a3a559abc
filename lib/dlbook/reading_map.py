"""A map of the research threads the frontiers chapter follows: papers from the reading list grouped by question,
each joined to the chapters of the book it builds on. :func:`draw_reading_map` draws it; the chapter's first
notebook draws and glues it when the book is built, so no saved picture can go stale."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from dlbook.plotting import COLORS, new_figure

#: thread -> (papers as "first author year: observation", chapters of the book the thread starts from)
THREADS: dict[str, tuple[list[str], list[str]]] = {
    "Why do big networks generalise?": (
        ["Zhang 2017: random labels are memorised",
         "Dinh 2017: sharpness depends on parametrisation",
         "Li 2018: few directions suffice",
         "Shwartz-Ziv 2017: compression? (disputed)"],
        ["ch. 5\ncapacity", "ch. 7\nregularisation", "ch. 8\nlandscapes"]),
    "How is credit assigned?": (
        ["Lillicrap 2016: random feedback works",
         "Maclaurin 2015: gradients of hyperparameters",
         "Veit 2016: residual nets as ensembles"],
        ["ch. 6\nback-prop", "ch. 8\noptimisation", "ch. 6\ndepth"]),
    "How sure is the model?": (
        ["Guo 2017: calibration, temperature scaling",
         "Gal 2016 / Lakshminarayanan 2017: ensembles",
         "Germain 2015 / Rezende 2015: exact densities"],
        ["ch. 3\ndensities", "ch. 5\nlikelihood", "ch. 7\nensembles"]),
}


def _box(ax, x: float, y: float, text: str, colour: str, width: float, bold: bool = False) -> None:
    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.32), width, 0.64, boxstyle="round,pad=0.05",
                                fc=colour, ec="0.4", lw=0.8))
    ax.text(x, y, text, ha="center", va="center", fontsize=8 if "\n" in text and not bold else 8.5, weight="bold" if bold else "normal")


def draw_reading_map() -> Figure:
    """Three columns, one per thread: the book's chapters at the bottom, the thread's question, then its papers."""
    fig, (ax,) = new_figure(width=11.0, height=5.4, layout=None)
    fig.subplots_adjust(0.01, 0.01, 0.99, 0.99)
    fills = [COLORS["data"], COLORS["model"], COLORS["optimum"]]
    for k, (question, (papers, chapters)) in enumerate(THREADS.items()):
        x = 2 + 4 * k
        for j, chapter in enumerate(chapters):
            _box(ax, x - 1.25 + 1.25 * j, 0.5, chapter, "#EDEDED", 1.15)
            ax.annotate("", (x, 1.75), (x - 1.25 + 1.25 * j, 0.85),
                        arrowprops={"arrowstyle": "-|>", "color": "0.5", "lw": 0.8})
        _box(ax, x, 2.1, question, fills[k] + "55", 3.7, bold=True)
        for j, paper in enumerate(papers):
            _box(ax, x, 3.2 + 0.95 * j, paper.replace(": ", ":\n"), fills[k] + "22", 3.7)
        ax.text(x, 7.05, f"notebook {k + 1}", ha="center", fontsize=9, color="0.3")
    ax.set_xlim(0, 12)
    ax.set_ylim(-0.1, 7.3)
    ax.axis("off")
    return fig
