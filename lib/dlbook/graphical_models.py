"""Structured probabilistic models on small discrete graphs (chapter 16), in NumPy.

A *factor* is a table over named discrete variables: ``Factor(("a", "b"), table)`` with ``table[i, j]`` the value at
a = i, b = j. Products, partition functions, marginals and conditionals are exact sums over the tables (§16.2.2).
A directed graph is a dict ``{child: [parents]}``; an undirected graph is a set of frozenset edges. d-separation
(§16.2.5) uses the reachability ("Bayes ball") rule; :func:`active_paths` lists the active trails themselves.

NumPy and matplotlib only, so the chapter's demos built on it also run in the browser.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from dlbook.checks import as_array, check_int

__all__ = [
    "Factor", "factor_product", "partition_function", "marginal", "conditional", "param_count",
    "topological_order", "ancestral_sample", "bayes_net_factors", "d_separated", "active_paths",
    "moralize", "triangulate", "is_chordal", "draw_model",
]

Graph = Mapping[str, Sequence[str]]          # {child: parents}


@dataclass(frozen=True)
class Factor:
    """A non-negative table φ over ``variables`` (one array axis per variable, in that order)."""

    variables: tuple[str, ...]
    table: np.ndarray

    def __post_init__(self) -> None:
        table = as_array(self.table, "factor table")
        if table.ndim != len(self.variables) or len(set(self.variables)) != len(self.variables):
            raise ValueError(f"a factor needs one axis per distinct variable; got variables {self.variables} "
                             f"and a table of shape {table.shape}")
        if np.any(table < 0):
            raise ValueError("factor tables must be non-negative (a clique potential is φ ≥ 0, §16.2.3)")
        object.__setattr__(self, "variables", tuple(self.variables))
        object.__setattr__(self, "table", table)

    def aligned(self, order: Sequence[str], sizes: Mapping[str, int]) -> np.ndarray:
        """The table transposed and reshaped to broadcast over the variables ``order``."""
        perm = [self.variables.index(v) for v in order if v in self.variables]
        shape = [sizes[v] if v in self.variables else 1 for v in order]
        return self.table.transpose(perm).reshape(shape)


def _sizes(factors: Sequence[Factor]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for f in factors:
        for v, k in zip(f.variables, f.table.shape):
            if sizes.setdefault(v, k) != k:
                raise ValueError(f"variable {v!r} has {sizes[v]} states in one factor and {k} in another")
    return sizes


def factor_product(*factors: Factor) -> Factor:
    """p̃(x) = Π φ(x_C): the product of the factors, over the union of their variables (§16.2.2, eq. 16.3)."""
    if not factors:
        raise ValueError("factor_product needs at least one factor")
    sizes = _sizes(factors)
    order = tuple(sizes)
    table = np.ones([sizes[v] for v in order])
    for f in factors:
        table = table * f.aligned(order, sizes)
    return Factor(order, table)


def partition_function(factors: Sequence[Factor]) -> float:
    """Z = Σ_x Π φ(x_C), the normaliser of an undirected model (§16.2.2, eq. 16.5)."""
    return float(factor_product(*factors).table.sum())


def marginal(factors: Sequence[Factor], keep: Sequence[str]) -> Factor:
    """P(keep): the normalised product with every other variable summed out."""
    joint = factor_product(*factors)
    unknown = [v for v in keep if v not in joint.variables]
    if unknown or len(set(keep)) != len(keep):
        raise ValueError(f"keep must list distinct variables of the model {joint.variables}; got {tuple(keep)}")
    drop = tuple(i for i, v in enumerate(joint.variables) if v not in keep)
    table = joint.table.sum(axis=drop)
    rest = [v for v in joint.variables if v in keep]
    table = table.transpose([rest.index(v) for v in keep])
    z = table.sum()
    if z <= 0:
        raise ValueError("the factors give every state probability zero; Z = 0 cannot be normalised")
    return Factor(tuple(keep), table / z)


def conditional(factors: Sequence[Factor], query: Sequence[str], evidence: Mapping[str, int]) -> Factor:
    """P(query | evidence): clamp the observed variables to their values, then normalise (§16.6)."""
    sizes = _sizes(factors)
    for v, val in evidence.items():
        if v not in sizes or v in query:
            raise ValueError(f"evidence must name model variables {tuple(sizes)} that are not queried; got {v!r}")
        if not (isinstance(val, (int, np.integer)) and 0 <= val < sizes[v]):
            raise ValueError(f"evidence {v!r} = {val!r} must be a state index in 0..{sizes[v] - 1}")
    clamped = []
    for f in factors:
        index = tuple(evidence.get(v, slice(None)) for v in f.variables)
        keep = tuple(v for v in f.variables if v not in evidence)
        clamped.append(Factor(keep, f.table[index]) if keep else Factor(("_one",), np.atleast_1d(f.table[index])))
    return marginal(clamped, query)


def param_count(states: Mapping[str, int], parents: Graph | None = None) -> int:
    """Free parameters of a table model: kⁿ − 1 for one full table, Σᵢ (kᵢ − 1) Π_{parents} k for a DAG (§16.2.1)."""
    for v, k in states.items():
        check_int(k, f"states[{v!r}]", low=1)
    if parents is None:
        return math.prod(states.values()) - 1
    return sum((states[v] - 1) * math.prod(states[p] for p in parents.get(v, ())) for v in states)


def topological_order(parents: Graph) -> list[str]:
    """The variables ordered so that every parent comes before its children (raises on a cycle)."""
    nodes = set(parents) | {p for ps in parents.values() for p in ps}
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(nodes):
        ready = sorted(v for v in nodes - done if set(parents.get(v, ())) <= done)
        if not ready:
            raise ValueError("the graph has a directed cycle; a directed model must be acyclic (§16.2.1)")
        order += ready
        done |= set(ready)
    return order


def _check_cpts(cpts: Mapping[str, tuple[Sequence[str], Any]]) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    out = {}
    for v, (pa, table) in cpts.items():
        table = as_array(table, f"the table of {v!r}")
        if table.ndim != len(pa) + 1 or np.any(table < 0) or not np.allclose(table.sum(axis=-1), 1, atol=1e-9):
            raise ValueError(f"the table of {v!r} must have one axis per parent {tuple(pa)} and a last axis over "
                             f"{v!r} that sums to 1; got shape {table.shape}")
        out[v] = (tuple(pa), table)
    for v, (pa, _) in out.items():
        for p in pa:
            if p not in out:
                raise ValueError(f"{v!r} has parent {p!r}, which has no table")
    return out


def bayes_net_factors(cpts: Mapping[str, tuple[Sequence[str], Any]]) -> list[Factor]:
    """The conditional probability tables p(xᵢ | Pa(xᵢ)) as factors; their product is the joint (eq. 16.1)."""
    return [Factor(pa + (v,), table) for v, (pa, table) in _check_cpts(cpts).items()]


def ancestral_sample(cpts: Mapping[str, tuple[Sequence[str], Any]], n: int,
                     rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n joint samples of a directed model: each variable drawn given its sampled parents, in topological order
    (§16.3). ``cpts[v] = (parents, table)`` with ``table[parent values..., value] = p(v = value | parents)``."""
    cpts = _check_cpts(cpts)
    n = check_int(n, "n", low=1)
    samples: dict[str, np.ndarray] = {}
    for v in topological_order({v: pa for v, (pa, _) in cpts.items()}):
        pa, table = cpts[v]
        probs = table[tuple(samples[p] for p in pa)] if pa else np.broadcast_to(table, (n, table.shape[-1]))
        u = rng.random((n, 1))
        samples[v] = np.minimum((u > np.cumsum(probs, axis=1)).sum(axis=1), table.shape[-1] - 1)
    return samples


def _edges(parents: Graph) -> list[tuple[str, str]]:
    return [(p, c) for c, ps in parents.items() for p in ps]


def _descendants(parents: Graph) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for p, c in _edges(parents):
        children.setdefault(p, set()).add(c)
    out = {}
    for v in topological_order(parents)[::-1]:
        out[v] = set(children.get(v, ())) | set().union(*(out[c] for c in children.get(v, ())))
    return out


def d_separated(parents: Graph, x: Iterable[str], y: Iterable[str], z: Iterable[str] = ()) -> bool:
    """True if every trail from a node of x to a node of y is blocked by z (§16.2.5).

    Reachability over (node, direction) pairs: a chain or fork node passes the ball unless observed; a collider
    passes it only if it or one of its descendants is observed.
    """
    x, y, z = set(x), set(y), set(z)
    nodes = set(topological_order(parents))
    if not (x | y | z) <= nodes or x & y or (x | y) & z or not x or not y:
        raise ValueError(f"x, y and z must be disjoint sets of the graph's nodes {sorted(nodes)} (x, y non-empty)")
    children: dict[str, list[str]] = {v: [] for v in nodes}
    for p, c in _edges(parents):
        children[p].append(c)
    desc = _descendants(parents)
    opens_collider = {v for v in nodes if v in z or desc[v] & z}
    frontier = [(v, "up") for v in x]                  # "up": arrived from a child; "down": arrived from a parent
    seen: set[tuple[str, str]] = set()
    while frontier:
        v, how = frontier.pop()
        if (v, how) in seen:
            continue
        seen.add((v, how))
        if v in y:
            return False
        if how == "up" and v not in z:                 # chain backwards or fork: go on to parents and children
            frontier += [(p, "up") for p in parents.get(v, ())] + [(c, "down") for c in children[v]]
        elif how == "down":
            if v not in z:                             # chain forwards
                frontier += [(c, "down") for c in children[v]]
            if v in opens_collider:                    # a collider with evidence on it or below it
                frontier += [(p, "up") for p in parents.get(v, ())]
    return True


def active_paths(parents: Graph, a: str, b: str, z: Iterable[str] = ()) -> list[list[str]]:
    """Every simple trail from a to b in the skeleton that z leaves active (for drawing; small graphs only)."""
    z = set(z)
    desc = _descendants(parents)
    if a not in desc or b not in desc or a == b or not z <= set(desc):
        raise ValueError(f"a and b must be two different nodes of the graph {sorted(desc)}, and z a set of its nodes")
    edges = set(_edges(parents))
    nbrs: dict[str, set[str]] = {v: set() for v in desc}
    for p, c in edges:
        nbrs[p].add(c)
        nbrs[c].add(p)
    out: list[list[str]] = []

    def extend(path: list[str]) -> None:
        if path[-1] == b:
            out.append(path)
            return
        for w in sorted(nbrs[path[-1]] - set(path)):
            if len(path) >= 2:
                u, v = path[-2], path[-1]
                collider = (u, v) in edges and (w, v) in edges
                if collider and not (v in z or desc[v] & z):
                    continue
                if not collider and v in z:
                    continue
            extend(path + [w])

    extend([a])
    return out


def moralize(parents: Graph) -> set[frozenset[str]]:
    """The moral graph: marry every pair of parents of a common child, then drop the arrows (§16.2.6)."""
    edges = {frozenset(e) for e in _edges(parents)}
    for ps in parents.values():
        edges |= {frozenset(pair) for pair in itertools.combinations(ps, 2)}
    return edges


def _neighbours(nodes: Iterable[str], edges: Iterable[frozenset[str]]) -> dict[str, set[str]]:
    nbrs: dict[str, set[str]] = {v: set() for v in nodes}
    for e in edges:
        u, v = tuple(e)
        nbrs.setdefault(u, set()).add(v)
        nbrs.setdefault(v, set()).add(u)
    return nbrs


def triangulate(nodes: Sequence[str], edges: Iterable[frozenset[str]]) -> set[frozenset[str]]:
    """Add chords by eliminating ``nodes`` in the given order, joining each one's remaining neighbours (§16.2.6)."""
    nbrs = _neighbours(nodes, edges)
    out = {frozenset(e) for e in edges}
    left = set(nodes)
    for v in nodes:
        rest = nbrs[v] & left - {v}
        for u, w in itertools.combinations(sorted(rest), 2):
            if frozenset((u, w)) not in out:
                out.add(frozenset((u, w)))
                nbrs[u].add(w)
                nbrs[w].add(u)
        left.discard(v)
    return out


def is_chordal(nodes: Sequence[str], edges: Iterable[frozenset[str]]) -> bool:
    """True if every cycle of four or more nodes has a chord (maximum cardinality search, Tarjan and Yannakakis)."""
    nbrs = _neighbours(nodes, edges)
    weight = {v: 0 for v in nodes}
    order: list[str] = []
    while weight:
        v = max(sorted(weight), key=weight.get)
        earlier = nbrs[v] & set(order)
        if earlier:                                    # the earlier neighbours must form a clique
            last = max(earlier, key=order.index)
            if not (earlier - {last}) <= nbrs[last]:
                return False
        order.append(v)
        del weight[v]
        for u in nbrs[v]:
            if u in weight:
                weight[u] += 1
    return True


def draw_model(ax: Axes, positions: Mapping[str, tuple[float, float]], edges: Iterable[tuple[str, str]],
               directed: bool = True, observed: Iterable[str] = (), highlight: Iterable[tuple[str, str]] = (),
               labels: Mapping[str, str] | None = None, radius: float = 0.25, title: str = "",
               squares: Iterable[str] = ()) -> None:
    """A graphical model: a circle per variable (observed ones shaded), an arrow or line per edge; edges in
    ``highlight`` (either direction) are drawn thick and coloured; nodes in ``squares`` are factor nodes (§16.2.7)."""
    observed, hot, squares = set(observed), {frozenset(e) for e in highlight}, set(squares)
    for a, b in edges:
        p0, p1 = np.asarray(positions[a], float), np.asarray(positions[b], float)
        u = (p1 - p0) / np.linalg.norm(p1 - p0) * radius
        on = frozenset((a, b)) in hot
        ax.add_patch(FancyArrowPatch(tuple(p0 + u), tuple(p1 - u), arrowstyle="-|>" if directed else "-",
                                     mutation_scale=13, lw=3 if on else 1.3, color="#C44E52" if on else "0.3",
                                     shrinkA=0, shrinkB=0, zorder=2))
    for v, (x, y) in positions.items():
        if v in squares:
            ax.add_patch(Rectangle((x - 0.6 * radius, y - 0.6 * radius), 1.2 * radius, 1.2 * radius,
                                   facecolor="#F7E1CF", edgecolor="k", lw=1.2, zorder=3))
            ax.text(x, y, (labels or {}).get(v, v), ha="center", va="center", fontsize=8, zorder=4)
            continue
        ax.add_patch(Circle((x, y), radius, facecolor="0.7" if v in observed else "white", edgecolor="#4C72B0",
                            lw=1.6, zorder=3))
        ax.text(x, y, (labels or {}).get(v, v), ha="center", va="center", fontsize=10, zorder=4)
    xs, ys = zip(*positions.values())
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
