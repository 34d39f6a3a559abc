"""dlbook.graphical_models against brute-force einsum, networkx and a χ² test."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from dlbook.graphical_models import (Factor, active_paths, ancestral_sample, bayes_net_factors, conditional,
                                     d_separated, factor_product, is_chordal, marginal, moralize, param_count,
                                     partition_function, topological_order, triangulate)

nx = pytest.importorskip("networkx")

DAG = {"a": [], "b": [], "c": ["a", "b"], "d": ["c"], "e": ["c", "b"], "f": ["e"]}


def _random_factors(rng):
    return [Factor(("x", "y"), rng.random((2, 3))), Factor(("y", "z"), rng.random((3, 4))),
            Factor(("z", "x", "w"), rng.random((4, 2, 2)))]


def test_product_z_and_marginals_match_einsum() -> None:
    rng = np.random.default_rng(0)
    f = _random_factors(rng)
    joint = np.einsum("xy,yz,zxw->xyzw", f[0].table, f[1].table, f[2].table)
    prod = factor_product(*f)
    assert np.allclose(prod.table.transpose([prod.variables.index(v) for v in "xyzw"]), joint, atol=1e-14)
    assert np.isclose(partition_function(f), joint.sum(), rtol=1e-13)
    assert np.allclose(marginal(f, ["z", "x"]).table, joint.sum(axis=(1, 3)).T / joint.sum(), atol=1e-14)
    cond = conditional(f, ["w"], {"x": 1, "z": 2})
    assert np.allclose(cond.table, joint[1, :, 2, :].sum(axis=0) / joint[1, :, 2, :].sum(), atol=1e-14)


def test_relay_race_counts() -> None:
    states = {"t0": 100, "t1": 100, "t2": 100}
    assert param_count(states) == 999_999
    assert param_count(states, {"t0": [], "t1": ["t0"], "t2": ["t1"]}) == 19_899


@pytest.mark.parametrize("z", [(), ("c",), ("d",), ("c", "b"), ("f",), ("e",), ("a", "f")])
def test_d_separation_matches_networkx(z) -> None:
    g = nx.DiGraph([(p, c) for c, ps in DAG.items() for p in ps])
    for x, y in itertools.combinations(DAG, 2):
        if x in z or y in z:
            continue
        ours = d_separated(DAG, {x}, {y}, z)
        assert ours == nx.is_d_separator(g, {x}, {y}, set(z)), (x, y, z)
        assert ours == (not active_paths(DAG, x, y, z)), (x, y, z)


def test_moralize_and_triangulate_match_networkx() -> None:
    g = nx.DiGraph([(p, c) for c, ps in DAG.items() for p in ps])
    assert moralize(DAG) == {frozenset(e) for e in nx.moral_graph(g).edges}
    cycle = {frozenset(e) for e in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "a")]}
    nodes = list("abcde")
    assert not is_chordal(nodes, cycle) and not nx.is_chordal(nx.Graph([tuple(e) for e in cycle]))
    tri = triangulate(nodes, cycle)
    assert is_chordal(nodes, tri) and nx.is_chordal(nx.Graph([tuple(e) for e in tri]))
    assert cycle < tri and len(tri) == len(cycle) + 2


def test_ancestral_sampling_passes_chi_square() -> None:
    cpts = {"r": ((), [0.7, 0.3]), "s": (("r",), [[0.6, 0.4], [0.99, 0.01]]),
            "w": (("r", "s"), [[[1.0, 0.0], [0.1, 0.9]], [[0.2, 0.8], [0.01, 0.99]]])}
    s = ancestral_sample(cpts, 4000, np.random.default_rng(1))
    exact = marginal(bayes_net_factors(cpts), ["r", "s", "w"]).table.ravel()
    counts = np.bincount(4 * s["r"] + 2 * s["s"] + s["w"], minlength=8)
    keep = exact > 0
    assert counts[~keep].sum() == 0
    assert stats.chisquare(counts[keep], 4000 * exact[keep]).pvalue > 0.01


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Factor(("a",), [-1.0, 1.0])
    with pytest.raises(ValueError, match="one axis per"):
        Factor(("a", "b"), [1.0, 1.0])
    with pytest.raises(ValueError, match="states"):
        factor_product(Factor(("a",), [1, 1]), Factor(("a",), [1, 1, 1]))
    with pytest.raises(ValueError, match="cycle"):
        topological_order({"a": ["b"], "b": ["a"]})
    with pytest.raises(ValueError, match="disjoint"):
        d_separated(DAG, {"a"}, {"a"})
    with pytest.raises(ValueError, match="sums to 1"):
        ancestral_sample({"a": ((), [0.5, 0.6])}, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="evidence"):
        conditional([Factor(("a", "b"), np.ones((2, 2)))], ["a"], {"z": 0})
    with pytest.raises(ValueError, match="state index"):
        conditional([Factor(("a", "b"), np.ones((2, 2)))], ["a"], {"b": 2})
    with pytest.raises(ValueError, match="two different nodes"):
        active_paths(DAG, "a", "zz")
    with pytest.raises(ValueError, match="Z = 0"):
        marginal([Factor(("a",), [0.0, 0.0])], ["a"])
