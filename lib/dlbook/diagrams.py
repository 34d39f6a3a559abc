"""Box-and-arrow diagrams of computational graphs (§6.5.1, §10.1): nodes at grid positions, arrows between them.

A diagram is a dict of nodes ``{name: (x, y, label, kind)}`` and a list of edges ``(tail, head, label)``.
:func:`draw_graph` draws one on a matplotlib axis; :func:`rnn_graph` builds the recurrent layouts of
chapter 10 (unfolded RNNs, their design patterns, bidirectional, encoder–decoder, deep and recursive nets).
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

from dlbook.plotting import COLORS

Nodes = dict[str, tuple[float, float, str, str]]
Edges = list[tuple[str, str, str]]

_FILL = {"input": "#DCE6F2", "hidden": "#F7E1CF", "output": "#E0EFD9", "loss": "#F2D7D7", "target": "#EDEDED",
         "context": "#EADCF0"}


def draw_graph(ax: Axes, nodes: Nodes, edges: Edges, radius: float = 0.28, title: str = "") -> None:
    """Draw ``nodes`` as labelled circles coloured by kind and ``edges`` as arrows (self-loops as arcs)."""
    for tail, head, label in edges:
        if tail not in nodes or head not in nodes:
            raise ValueError(f"edge ({tail!r}, {head!r}) names a node that is not in the diagram")
        (x0, y0, *_), (x1, y1, *_) = nodes[tail], nodes[head]
        if tail == head:  # a recurrence drawn on the folded graph
            arrow = FancyArrowPatch((x0 + radius * 0.7, y0 + radius * 0.7), (x0 + radius * 0.7, y0 - radius * 0.7),
                                    connectionstyle="arc3,rad=-2.2", arrowstyle="-|>", mutation_scale=9, lw=1,
                                    color="k")
            ax.add_patch(arrow)
            if label:
                ax.text(x0 + radius * 2.1, y0, label, fontsize=8, va="center", color=COLORS["second"])
            continue
        d = math.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d * radius, (y1 - y0) / d * radius      # stop at the circles' rims
        arrow = FancyArrowPatch((x0 + ux, y0 + uy), (x1 - ux, y1 - uy), arrowstyle="-|>", mutation_scale=9, lw=1,
                                color="k", shrinkA=0, shrinkB=0, zorder=4)
        ax.add_patch(arrow)
        if label:
            ax.text((x0 + x1) / 2 + 0.06, (y0 + y1) / 2 + 0.06, label, fontsize=7, ha="center", color=COLORS["second"])
    for x, y, label, kind in nodes.values():
        ax.add_patch(_circle(x, y, radius, _FILL.get(kind, "white")))
        ax.text(x, y, label, ha="center", va="center", fontsize=8)
    xs = [v[0] for v in nodes.values()]
    ys = [v[1] for v in nodes.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)


def _circle(x: float, y: float, r: float, color: str) -> Any:
    from matplotlib.patches import Circle
    return Circle((x, y), r, facecolor=color, edgecolor="k", lw=0.8, zorder=3)


def _t(k: int, tau: int) -> str:
    """The time superscript of the k-th of ``tau`` shown steps, centred on t: t−1, t, t+1 for three."""
    off = k - (tau // 2)
    return "(t)" if off == 0 else f"(t{off:+d})"


def _lab(v: str, s: str) -> str:
    """A mathtext label v⁽ˢ⁾."""
    return f"${v}^{{{s}}}$"


def rnn_graph(kind: str, steps: int = 3) -> tuple[Nodes, Edges]:
    """Nodes and edges of a recurrent architecture unfolded over ``steps`` steps.

    ``kind`` is one of ``"folded"`` (the cycle h → h), ``"hidden_to_hidden"`` (an output at every step and
    recurrence between hidden units, fig. 10.3), ``"output_to_hidden"`` (recurrence only from the output,
    fig. 10.4), ``"single_output"`` (one output at the end, fig. 10.5), ``"bidirectional"`` (fig. 10.11),
    ``"encoder_decoder"`` (fig. 10.12), ``"deep"`` (two stacked recurrent layers, fig. 10.13a) or
    ``"recursive"`` (a tree over four inputs, fig. 10.14).
    """
    n: Nodes = {}
    e: Edges = []
    if kind == "folded":
        n = {"x": (0, 0, "x", "input"), "h": (0, 1, "h", "hidden"), "o": (0, 2, "o", "output"),
             "L": (0, 3, "L", "loss"), "y": (1, 3, "y", "target")}
        return n, [("x", "h", ""), ("h", "h", "W"), ("h", "o", ""), ("o", "L", ""), ("y", "L", "")]
    if kind in ("hidden_to_hidden", "output_to_hidden", "single_output"):
        for k in range(steps):
            s = _t(k, steps)
            n[f"x{k}"] = (1.3 * k, 0, _lab("x", s), "input")
            n[f"h{k}"] = (1.3 * k, 1, _lab("h", s), "hidden")
            e.append((f"x{k}", f"h{k}", "U"))
            if kind != "single_output" or k == steps - 1:
                n[f"o{k}"] = (1.3 * k, 2, _lab("o", s), "output")
                n[f"L{k}"] = (1.3 * k, 3, _lab("L", s), "loss")
                e += [(f"h{k}", f"o{k}", "V"), (f"o{k}", f"L{k}", "")]
            if k > 0:
                e.append((f"h{k - 1}", f"h{k}", "W") if kind != "output_to_hidden" else (f"o{k - 1}", f"h{k}", "W"))
        return n, e
    if kind == "bidirectional":
        for k in range(steps):
            s = _t(k, steps)
            n[f"x{k}"] = (1.3 * k, 0, _lab("x", s), "input")
            n[f"h{k}"] = (1.3 * k - 0.3, 1, _lab("h", s), "hidden")   # h and g staggered, so that the arrows
            n[f"g{k}"] = (1.3 * k + 0.3, 2, _lab("g", s), "hidden")   # x → g and h → o pass beside the nodes
            n[f"o{k}"] = (1.3 * k, 3, _lab("o", s), "output")
            e += [(f"x{k}", f"h{k}", ""), (f"x{k}", f"g{k}", ""), (f"h{k}", f"o{k}", ""), (f"g{k}", f"o{k}", "")]
            if k > 0:
                e += [(f"h{k - 1}", f"h{k}", ""), (f"g{k}", f"g{k - 1}", "")]
        return n, e
    if kind == "encoder_decoder":
        for k in range(steps):
            n[f"x{k}"] = (1.2 * k, 0, _lab("x", f"({k + 1})"), "input")
            n[f"e{k}"] = (1.2 * k, 1, "h", "hidden")
            e.append((f"x{k}", f"e{k}", ""))
            if k > 0:
                e.append((f"e{k - 1}", f"e{k}", ""))
        # C sits on the encoder's row, below the middle decoder state, so its arrows fan upwards without
        # crossing the decoder's own recurrence (which runs along the row above)
        n["C"] = (1.2 * (steps + 1 + (steps - 1) / 2), 1, "$C$", "context")
        e.append((f"e{steps - 1}", "C", ""))
        for k in range(steps):
            x = 1.2 * (steps + 1 + k)
            n[f"d{k}"] = (x, 2, "s", "hidden")
            n[f"y{k}"] = (x, 3, _lab("y", f"({k + 1})"), "output")
            e += [("C", f"d{k}", ""), (f"d{k}", f"y{k}", "")]
            if k > 0:
                e += [(f"d{k - 1}", f"d{k}", ""), (f"y{k - 1}", f"d{k}", "")]
        return n, e
    if kind == "deep":
        for k in range(steps):
            s = _t(k, steps)
            n[f"x{k}"] = (1.3 * k, 0, _lab("x", s), "input")
            n[f"h{k}"] = (1.3 * k, 1, _lab("h", s), "hidden")
            n[f"z{k}"] = (1.3 * k, 2, _lab("z", s), "hidden")
            n[f"o{k}"] = (1.3 * k, 3, _lab("o", s), "output")
            e += [(f"x{k}", f"h{k}", ""), (f"h{k}", f"z{k}", ""), (f"z{k}", f"o{k}", "")]
            if k > 0:
                e += [(f"h{k - 1}", f"h{k}", ""), (f"z{k - 1}", f"z{k}", "")]
        return n, e
    if kind == "recursive":
        for k in range(4):
            n[f"x{k}"] = (1.2 * k, 0, _lab("x", f"({k + 1})"), "input")
        n["a"] = (0.6, 1, "h", "hidden")
        n["b"] = (3.0, 1, "h", "hidden")
        n["r"] = (1.8, 2, "h", "hidden")
        n["o"] = (1.8, 3, "o", "output")
        e = [("x0", "a", "U"), ("x1", "a", "W"), ("x2", "b", "U"), ("x3", "b", "W"), ("a", "r", "U"),
             ("b", "r", "W"), ("r", "o", "V")]
        return n, e
    raise ValueError(f"kind must be one of folded, hidden_to_hidden, output_to_hidden, single_output, "
                     f"bidirectional, encoder_decoder, deep, recursive; got {kind!r}")


def graph_depth(nodes: Nodes, edges: Edges) -> int:
    """The depth of a computational graph: the number of edges on its longest path from an input to an output
    (§1.1, fig. 1.3). What counts as one step is fixed by which nodes the graph has. Raises on a cycle."""
    indeg = {name: 0 for name in nodes}
    succ: dict[str, list[str]] = {name: [] for name in nodes}
    for tail, head, _ in edges:
        if tail not in nodes or head not in nodes:
            raise ValueError(f"edge ({tail!r}, {head!r}) names a node that is not in the graph")
        succ[tail].append(head)
        indeg[head] += 1
    longest = {name: 0 for name in nodes}
    ready = [name for name, d in indeg.items() if d == 0]
    seen = 0
    while ready:                                     # Kahn's topological order, relaxing longest paths
        node = ready.pop()
        seen += 1
        for nxt in succ[node]:
            longest[nxt] = max(longest[nxt], longest[node] + 1)
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    if seen < len(nodes):
        raise ValueError("the graph has a cycle; depth is defined for acyclic graphs (unfold recurrences first)")
    return max(longest.values(), default=0)


def logistic_regression_graph(step: str) -> tuple[Nodes, Edges]:
    """The graph of ``σ(w₁x₁ + w₂x₂)`` at two granularities (§1.1, fig. 1.3): ``"arithmetic"`` makes each product,
    the sum and the sigmoid a step; ``"neuron"`` makes the whole logistic unit one step."""
    if step == "arithmetic":
        n: Nodes = {"x1": (0, 0, "$x_1$", "input"), "w1": (1, 0, "$w_1$", "input"), "x2": (2, 0, "$x_2$", "input"),
                    "w2": (3, 0, "$w_2$", "input"), "m1": (0.5, 1, "×", "hidden"), "m2": (2.5, 1, "×", "hidden"),
                    "s": (1.5, 2, "+", "hidden"), "o": (1.5, 3, "σ", "output")}
        return n, [("x1", "m1", ""), ("w1", "m1", ""), ("x2", "m2", ""), ("w2", "m2", ""), ("m1", "s", ""),
                   ("m2", "s", ""), ("s", "o", "")]
    if step == "neuron":
        n = {"x": (0, 0, "$\\boldsymbol{x}$", "input"), "w": (1, 0, "$\\boldsymbol{w}$", "input"),
             "o": (0.5, 1, "logistic", "output")}
        return n, [("x", "o", ""), ("w", "o", "")]
    raise ValueError(f"step must be 'arithmetic' or 'neuron'; got {step!r}")


#: The chapters of this book, by part, and which chapters each one builds on.
BOOK_PARTS = {"input": (1, 2, 3, 4, 5), "hidden": (6, 7, 8, 9, 10, 11, 12),
              "output": (13, 14, 15, 16, 17, 18, 19, 20), "context": (21, 22, 23)}
BOOK_PREREQUISITES = {2: (1,), 3: (1,), 4: (1,), 5: (2, 3, 4), 6: (5,), 7: (6,), 8: (6,), 9: (6,), 10: (6,),
                      11: (7, 8), 12: (9, 10, 11), 13: (5,), 14: (6, 13), 15: (14,), 16: (3,), 17: (16,),
                      18: (17,), 19: (16,), 20: (15, 18, 19), 21: (10,), 22: (21,), 23: (12, 20, 22)}


#: Where each chapter sits in :func:`book_chapter_graph`: (column, row); the column is the chapter's depth in the
#: graph (the longest chain of prerequisites leading to it), so every arrow points to the right.
_BOOK_LAYOUT = {1: (0, 0), 2: (1, 1.2), 3: (1, 0), 4: (1, -1.2), 5: (2, 0.6), 16: (2, -2.4), 6: (3, 3.0),
                13: (3, 0.0), 17: (3, -2.4), 19: (3, -3.6), 10: (4, 4.8), 9: (4, 3.6), 8: (4, 2.4), 7: (4, 1.2),
                14: (4, 0.0), 18: (4, -2.4), 21: (5, 4.8), 11: (5, 1.8), 15: (5, 0.0), 22: (6, 4.8), 12: (6, 3.0),
                20: (6, -1.2), 23: (7, 2.4)}


def book_chapter_graph() -> tuple[Nodes, Edges]:
    """The chapters of this book as a graph: one node per chapter coloured by part, an arrow from each chapter
    to the chapters that build on it (:data:`BOOK_PREREQUISITES`)."""
    kind = {ch: k for k, chapters in BOOK_PARTS.items() for ch in chapters}
    n: Nodes = {str(ch): (1.3 * col, row, str(ch), kind[ch]) for ch, (col, row) in _BOOK_LAYOUT.items()}
    e: Edges = [(str(p), str(ch), "") for ch, pre in BOOK_PREREQUISITES.items() for p in pre]
    return n, e
