"""dlbook.diagrams: graph depth against networkx's longest path; the book's chapter graph is acyclic and complete."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from dlbook.diagrams import book_chapter_graph, graph_depth, logistic_regression_graph


def _nx_depth(nodes: dict, edges: list) -> int:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((a, b) for a, b, _ in edges)
    return nx.dag_longest_path_length(g)


def test_depth_matches_networkx() -> None:
    assert graph_depth(*logistic_regression_graph("arithmetic")) == 3
    assert graph_depth(*logistic_regression_graph("neuron")) == 1
    nodes, edges = book_chapter_graph()
    assert graph_depth(nodes, edges) == _nx_depth(nodes, edges)
    assert set(nodes) == {str(k) for k in range(1, 24)}
    rng = np.random.default_rng(0)
    for _ in range(20):                              # random DAGs: edges only from lower to higher index
        k = int(rng.integers(2, 12))
        names = {str(i): (0, 0, str(i), "hidden") for i in range(k)}
        es = [(str(i), str(j), "") for i in range(k) for j in range(i + 1, k) if rng.random() < 0.3]
        assert graph_depth(names, es) == _nx_depth(names, es)


def test_bad_graphs() -> None:
    nodes = {"a": (0, 0, "a", "input"), "b": (1, 0, "b", "hidden")}
    with pytest.raises(ValueError, match="cycle"):
        graph_depth(nodes, [("a", "b", ""), ("b", "a", "")])
    with pytest.raises(ValueError, match="not in the graph"):
        graph_depth(nodes, [("a", "c", "")])
    with pytest.raises(ValueError, match="step must be"):
        logistic_regression_graph("atoms")
