"""A minimal reverse-mode automatic differentiation engine on scalars (§6.5).

Each :class:`Value` is a node of a computational graph (§6.5.1): it stores its number, the
nodes it was computed from and a closure that applies the chain rule (§6.5.2) locally.
:meth:`Value.backward` visits the graph in reverse topological order, which is
back-propagation (§6.5.3, Algorithm 6.2; §6.5.6 in general): every node's gradient is computed once and reused.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

Number = int | float


class Value:
    """A scalar that remembers how it was computed, so gradients can flow back to its inputs (§6.5.1)."""

    __slots__ = ("data", "grad", "_parents", "_backward", "op")

    def __init__(self, data: Number, _parents: tuple[Value, ...] = (), op: str = "") -> None:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            try:
                data = float(data)  # accepts NumPy scalars
            except (TypeError, ValueError) as err:
                raise ValueError(f"Value needs a real number; got {type(data).__name__}") from err
        self.data = float(data)
        self.grad = 0.0
        self._parents = _parents
        self._backward: Callable[[], None] = lambda: None
        self.op = op

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # -- operations: each sets the local chain rule d(out)/d(input) * out.grad ------------------
    def __add__(self, other: Value | Number) -> Value:
        other = _lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward() -> None:
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = _lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def __pow__(self, k: Number) -> Value:
        if isinstance(k, bool) or not isinstance(k, (int, float)):
            raise ValueError(f"Value ** k needs a constant real exponent k; got {type(k).__name__}")
        if self.data == 0 and (k < 0 or 0 < k < 1):
            raise ValueError(f"0 ** {k} has no finite derivative; use k = 0 or an exponent >= 1 at zero")
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(f"a negative base needs an integer exponent (the result would not be real); got {k}")
        out = Value(self.data ** k, (self,), f"**{k}")

        def backward() -> None:
            self.grad += (k * self.data ** (k - 1) if k != 0 else 0.0) * out.grad   # d/dx x⁰ = 0
        out._backward = backward
        return out

    def exp(self) -> Value:
        if self.data > 709.0:  # e^709.8 is the largest float64
            raise ValueError(f"exp({self.data}) overflows float64; keep the argument <= 709")
        out = Value(math.exp(self.data), (self,), "exp")

        def backward() -> None:
            self.grad += out.data * out.grad
        out._backward = backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument; got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def backward() -> None:
            self.grad += out.grad / self.data
        out._backward = backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def backward() -> None:
            self.grad += (1.0 - out.data**2) * out.grad
        out._backward = backward
        return out

    def sigmoid(self) -> Value:
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def backward() -> None:
            self.grad += s * (1.0 - s) * out.grad
        out._backward = backward
        return out

    def relu(self) -> Value:
        out = Value(max(self.data, 0.0), (self,), "relu")

        def backward() -> None:
            self.grad += (self.data > 0) * out.grad  # we take g'(0) = 0 (§6.3.1)
        out._backward = backward
        return out

    # -- derived operations: built from the ones above, so they need no backward of their own --
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-_lift(other))

    def __truediv__(self, other: Value | Number) -> Value:
        other = _lift(other)
        if other.data == 0:
            raise ValueError("division by a Value equal to zero")
        return self * other**-1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return _lift(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return _lift(other) / self

    # -- back-propagation ----------------------------------------------------------------------
    def backward(self) -> None:
        """Set ``.grad`` of every node to ∂self/∂node (§6.5.3, Algorithm 6.2).

        Visits the graph once, from the output back to the inputs, applying each node's local chain rule.
        Intermediate nodes start every sweep at zero, so calling ``backward`` again on the same graph gives the
        same gradients; leaves (nodes with no parents) accumulate, as in PyTorch, so :func:`zero_grad` them
        between sweeps if you want fresh values.
        """
        order = topological_order(self)
        for node in order:
            if node._parents:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each after all of its parents (§6.5.1).

    This is micrograd's recursive ``build_topo`` written with an explicit stack, so that a chain of
    thousands of operations does not hit Python's recursion limit: a node is emitted when it is popped
    the second time, after all its parents have been emitted.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents)
    return order


def graph_edges(root: Value) -> tuple[list[Value], list[tuple[int, int]]]:
    """The nodes of ``root``'s graph in topological order and its edges as (parent index, child index) pairs."""
    order = topological_order(root)
    index = {id(v): i for i, v in enumerate(order)}
    return order, [(index[id(p)], index[id(v)]) for v in order for p in v._parents]


def draw_graph(root: Value, names: dict[int, str] | None = None) -> Any:
    """Draw the computational graph of ``root`` (§6.5.1, fig. 6.8): one box per node with its operation,
    value and gradient, laid out left to right by depth. ``names`` maps ``id(value)`` to a label for inputs."""
    from dlbook.plotting import COLORS, new_figure

    order, edges = graph_edges(root)
    depth: dict[int, int] = {}
    for i, v in enumerate(order):
        depth[i] = 1 + max((depth[p] for p, c in edges if c == i), default=-1)
    columns: dict[int, list[int]] = {}
    for i, d in depth.items():
        columns.setdefault(d, []).append(i)
    pos = {i: (d, -k + (len(col) - 1) / 2) for d, col in columns.items() for k, i in enumerate(col)}
    width = 1.3 * (max(columns) + 1)
    fig, (ax,) = new_figure(width=max(width, 4.0), height=0.9 * max(len(c) for c in columns.values()) + 0.6,
                            layout=None)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    for p, c in edges:
        (x0, y0), (x1, y1) = pos[p], pos[c]
        ax.annotate("", (x1 - 0.32, y1), (x0 + 0.32, y0),
                    arrowprops={"arrowstyle": "->", "color": COLORS["muted"], "lw": 1})
    leaf = "constant" if names else "input"      # once the inputs are named, the other leaves are constants
    names = names or {}
    for i, v in enumerate(order):
        label = names.get(id(v), v.op or leaf)
        ax.text(*pos[i], f"{label}\n{v.data:.3g}\ngrad {v.grad:.3g}", ha="center", va="center", fontsize=7,
                bbox={"boxstyle": "round", "fc": "white", "ec": COLORS["data"] if v._parents else COLORS["second"]})
    ax.set_xlim(-0.5, max(columns) + 0.5)
    ys = [y for _, y in pos.values()]
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.axis("off")
    return fig


def _lift(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def zero_grad(values: Iterable[Value]) -> None:
    """Reset the gradient of each leaf value to zero before another backward pass (leaves accumulate)."""
    for v in values:
        v.grad = 0.0
