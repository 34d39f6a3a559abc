"""Demos of chapter 16: the cold example's factors, a d-separation explorer and explaining away (§16.2)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from dlbook.demo import Choice, Demo, Slider, register
from dlbook.graphical_models import (Factor, active_paths, conditional, d_separated, draw_model, marginal,
                                     partition_function)
from dlbook.plotting import COLORS, new_figure

#: The cold example: roommate r — you y — colleague c, each healthy (0) or sick (1).
COLD_POSITIONS = {"r": (0.0, 0.0), "y": (1.2, 0.0), "c": (2.4, 0.0)}
COLD_LABELS = {"r": "$h_r$", "y": "$h_y$", "c": "$h_c$"}


def cold_factors(both_sick: float = 10.0, both_healthy: float = 2.0) -> list[Factor]:
    """φ(h_r, h_y) fixed; φ(h_y, h_c) with the chosen weights for 'both healthy' and 'both sick' (mixed = 1)."""
    return [Factor(("r", "y"), [[1.0, 0.5], [0.5, 4.0]]),
            Factor(("y", "c"), [[both_healthy, 1.0], [1.0, both_sick]])]


def cold_compute(both_sick: float = 10.0, both_healthy: float = 2.0) -> dict[str, Any]:
    """Z, the joint over all eight states, the marginals, and P(h_c | h_r, h_y) for both values of h_r."""
    f = cold_factors(both_sick, both_healthy)
    joint = marginal(f, ["r", "y", "c"]).table
    z = partition_function(f)
    cond = np.array([[conditional(f, ["c"], {"r": r, "y": y}).table[1] for y in (0, 1)] for r in (0, 1)])
    return {"joint": joint.ravel(), "z": z, "marg": np.array([joint.sum(axis=(1, 2))[1], joint.sum(axis=(0, 2))[1],
                                                             joint.sum(axis=(0, 1))[1]]),
            "cond": cond, "both_sick": both_sick, "both_healthy": both_healthy}


def cold_draw(data: dict[str, Any]) -> Figure:
    fig, (bx, cx) = new_figure(ncols=2, width=2.7, height=2.4, layout=None)
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.25, top=0.8, wspace=0.3)
    states = ["".join(s) for s in np.array(np.meshgrid(*[["0", "1"]] * 3, indexing="ij")).reshape(3, -1).T]
    bx.bar(range(8), data["joint"], color=COLORS["data"])
    bx.set_xticks(range(8), states, rotation=90, fontsize=7)
    bx.set_xlabel("state (h_r h_y h_c)", fontsize=7)
    bx.set_ylim(0, 0.8)
    bx.set_title(f"P(h_r, h_y, h_c); Z = {data['z']:.1f}", fontsize=9)
    m = data["marg"]
    fig.suptitle(f"marginals P(sick): roommate {m[0]:.2f}, you {m[1]:.2f}, colleague {m[2]:.2f}", fontsize=9)
    for k, (r, color) in enumerate([(0, COLORS["data"]), (1, COLORS["model"])]):
        cx.bar(np.arange(2) + 0.38 * k, data["cond"][r], width=0.38, color=color, label=f"h_r = {r}")
    cx.set_xticks([0.19, 1.19], ["h_y = 0", "h_y = 1"], fontsize=8)
    cx.set_ylim(0, 1)
    cx.legend(fontsize=7, loc="upper left")
    cx.set_title("P(h_c = 1 | h_r, h_y)", fontsize=9)
    return fig


@register
def cold_demo() -> Demo:
    return Demo(cold_compute, cold_draw,
                controls=[Slider("both_sick", 0.0, 10.0, 0.5, 10.0, label="φ(h_y=1, h_c=1)", frames=3),
                          Slider("both_healthy", 0.0, 4.0, 0.5, 2.0, label="φ(h_y=0, h_c=0)", frames=3)],
                title="The cold example: factors, Z and a conditional independence",
                alt="A bar chart of the eight joint probabilities of roommate, you and colleague, titled with the "
                    "partition function and the three marginal probabilities of being sick; and P(colleague sick) "
                    "given you and your roommate, whose two bars for the roommate's states are equal at each of "
                    "your states.")


#: The d-separation explorer's DAG: a and b cause c; c causes d and e; b also causes e.
DSEP = {"a": [], "b": [], "c": ["a", "b"], "d": ["c"], "e": ["c", "b"]}
DSEP_POSITIONS = {"a": (0.0, 1.4), "b": (1.6, 1.4), "c": (0.8, 0.7), "d": (0.0, 0.0), "e": (1.6, 0.0)}
OBSERVED = {"nothing": (), "c": ("c",), "d": ("d",), "c and b": ("c", "b")}


def dsep_compute(pair: str = "a, e", observed: str = "c") -> dict[str, Any]:
    """The active trails between the chosen pair given the observed nodes, and the d-separation verdict."""
    x, y = pair.split(", ")
    z = tuple(v for v in OBSERVED[observed] if v not in (x, y))
    clash = tuple(v for v in OBSERVED[observed] if v in (x, y))   # a query node cannot also be conditioned on
    paths = active_paths(DSEP, x, y, z)
    return {"x": x, "y": y, "z": z, "clash": clash, "paths": paths, "separated": d_separated(DSEP, {x}, {y}, z)}


def dsep_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=3.3, height=2.8, layout=None)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.8)
    hot = [(p[i], p[i + 1]) for p in data["paths"] for i in range(len(p) - 1)]
    edges = [(p, c) for c, ps in DSEP.items() for p in ps]
    verdict = "d-separated" if data["separated"] else f"{len(data['paths'])} active trail(s)"
    given = ", ".join(data["z"]) or "nothing"
    title = f"{data['x']} and {data['y']} given {given}: {verdict}"
    if data["clash"]:
        title += f"\n({', '.join(data['clash'])} is a query node, so it is not observed)"
    draw_model(ax, DSEP_POSITIONS, edges, observed=data["z"], highlight=hot, title=title)
    for v in (data["x"], data["y"]):
        ax.add_patch(Circle(DSEP_POSITIONS[v], 0.31, fill=False, edgecolor=COLORS["second"], lw=1.5, ls="--", zorder=5))
    return fig


@register
def dsep_demo() -> Demo:
    return Demo(dsep_compute, dsep_draw,
                controls=[Choice("pair", ["a, b", "a, e", "d, e"], "a, e", label="query pair"),
                          Choice("observed", list(OBSERVED), "c", label="observed")],
                title="A d-separation explorer",
                alt="A five-node directed graph with the observed nodes shaded and the active trails between the "
                    "two query nodes drawn thick in red; the title says whether the pair is d-separated.")


def alarm_factors(p_burglary: float, p_earthquake: float) -> list[Factor]:
    """Burglary → alarm ← earthquake, with a fixed alarm table and the chosen priors."""
    alarm = np.array([[[0.99, 0.01], [0.7, 0.3]], [[0.1, 0.9], [0.05, 0.95]]])     # [b, e, a]
    return [Factor(("b",), [1 - p_burglary, p_burglary]), Factor(("e",), [1 - p_earthquake, p_earthquake]),
            Factor(("b", "e", "a"), alarm)]


def alarm_compute(p_burglary: float = 0.01, p_earthquake: float = 0.02) -> dict[str, Any]:
    """P(b = 1) before the alarm, after it, and after it with the earthquake also observed."""
    f = alarm_factors(p_burglary, p_earthquake)
    return {"probs": np.array([p_burglary, conditional(f, ["b"], {"a": 1}).table[1],
                               conditional(f, ["b"], {"a": 1, "e": 1}).table[1],
                               conditional(f, ["b"], {"a": 1, "e": 0}).table[1]])}


def alarm_draw(data: dict[str, Any]) -> Figure:
    fig, (ax,) = new_figure(width=4.6, height=2.6, layout=None)
    fig.subplots_adjust(left=0.36, right=0.97, bottom=0.2, top=0.9)
    labels = ["P(B)", "P(B | alarm)", "P(B | alarm, quake)", "P(B | alarm, no quake)"]
    colors = [COLORS["muted"], COLORS["second"], COLORS["data"], COLORS["model"]]
    ax.barh(range(4), data["probs"], color=colors)
    for k, p in enumerate(data["probs"]):
        ax.text(min(p + 0.02, 0.85), k, f"{p:.3f}", va="center", fontsize=8)
    ax.set_yticks(range(4), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability of a burglary", fontsize=8)
    return fig


@register
def alarm_demo() -> Demo:
    return Demo(alarm_compute, alarm_draw,
                controls=[Slider("p_burglary", 0.01, 0.21, 0.01, 0.01, label="P(burglary)", frames=2),
                          Slider("p_earthquake", 0.02, 0.2, 0.01, 0.02, label="P(earthquake)", frames=2)],
                title="Explaining away: burglary, earthquake, alarm",
                alt="Horizontal bars of the probability of a burglary: the prior, after the alarm rings, after the "
                    "alarm and an earthquake (much lower: the quake explains the alarm), and after the alarm with no "
                    "earthquake (higher).")
