"""Each from-scratch kernel against its library twin: time ratio and largest numerical difference.

:data:`TWINS` is the one list of pairs. A twin whose ``dlbook`` module does not exist yet is skipped (and
listed as skipped), so a chapter adds its pair here together with its module. To add one, write a
``setup`` function that imports what it needs and returns ``(ours, theirs, difference)``: two
argument-free callables computing the same thing on the same seeded inputs, and a function of their two
results giving the largest absolute difference.
"""

from __future__ import annotations

import importlib
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from benchmarks import table

Setup = Callable[[], tuple[Callable[[], Any], Callable[[], Any], Callable[[Any, Any], float]]]


@dataclass(frozen=True)
class Twin:
    name: str        # the pair, as the table shows it
    requires: str    # the dlbook module; the twin is skipped while it does not exist
    compared: str    # the quantity whose largest absolute difference is reported
    setup: Setup


def _max_abs(a: Any, b: Any) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


# -- Chapter 2: PCA (§2.12) against the SVD of the centred data ------------------------------------

def _pca() -> tuple:
    from dlbook.pca import fit_pca

    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 40)) @ rng.standard_normal((40, 40))
    k = 10

    def ours() -> np.ndarray:
        return fit_pca(X, k).components

    def theirs() -> np.ndarray:
        _, _, vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
        return vt[:k].T

    def difference(a: np.ndarray, b: np.ndarray) -> float:
        signs = np.sign(np.sum(a * b, axis=0))  # singular vectors are defined up to sign
        return _max_abs(a, b * signs)

    return ours, theirs, difference


# -- Chapter 2: the Jacobi SVD and the pseudoinverse (§2.8–2.9) against numpy.linalg ---------------------

def _linalg(which: str) -> Setup:
    def setup() -> tuple:
        from dlbook import linalg

        A = np.random.default_rng(0).standard_normal((60, 30))
        if which == "svd":
            return (lambda: linalg.svd(A)[1]), (lambda: np.linalg.svd(A, compute_uv=False)), _max_abs
        return (lambda: linalg.pinv(A)), (lambda: np.linalg.pinv(A)), _max_abs

    return setup


# -- Chapter 3: stable log-sum-exp and softmax (§4.1) against scipy.special --------------------------

def _logits() -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, 30.0, size=(2000, 100))  # entries up to about ±150


def _scipy_pair(ours_name: str, scipy_name: str) -> Setup:
    def setup() -> tuple:
        import scipy.special

        ours_fn = getattr(importlib.import_module("dlbook.prob"), ours_name)
        theirs_fn = getattr(scipy.special, scipy_name)
        x = _logits()
        return (lambda: ours_fn(x, axis=-1)), (lambda: theirs_fn(x, axis=-1)), _max_abs

    return setup


def _sigmoid() -> tuple:
    import scipy.special

    from dlbook.prob import sigmoid

    x = _logits().ravel()
    return (lambda: sigmoid(x)), (lambda: scipy.special.expit(x)), _max_abs


# -- Chapter 3: entropy and KL divergence (§3.13) against scipy.stats.entropy ------------------------

def _information(which: str) -> Setup:
    def setup() -> tuple:
        import scipy.stats

        from dlbook import information

        rng = np.random.default_rng(0)
        p, q = rng.dirichlet(np.ones(50), size=2000), rng.dirichlet(np.ones(50), size=2000)
        if which == "entropy":
            return (lambda: information.entropy(p)), (lambda: scipy.stats.entropy(p, axis=-1)), _max_abs
        return (lambda: information.kl_discrete(p, q)), (lambda: scipy.stats.entropy(p, q, axis=-1)), _max_abs

    return setup


# -- Chapter 4: finite differences against torch.autograd, gradient descent against a direct solver ------

def _numerical_gradient() -> tuple:
    import torch

    from dlbook.calculus import numerical_gradient

    rng = np.random.default_rng(0)
    A, x0 = rng.standard_normal((20, 20)), rng.standard_normal(20)

    def f(x: np.ndarray) -> float:
        return float(np.sum(np.tanh(A @ x)) + 0.5 * x @ x)

    def theirs() -> np.ndarray:
        x = torch.tensor(x0, requires_grad=True)
        (torch.tanh(torch.tensor(A) @ x).sum() + 0.5 * x @ x).backward()
        return x.grad.numpy()

    return (lambda: numerical_gradient(f, x0)), theirs, _max_abs


def _lstsq_gd() -> tuple:
    from dlbook.optimize import lstsq_gradient_descent

    rng = np.random.default_rng(0)
    A, b = rng.standard_normal((100, 10)), rng.standard_normal(100)
    return (lambda: lstsq_gradient_descent(A, b, tol=1e-10)[0]), (lambda: np.linalg.lstsq(A, b, rcond=None)[0]), _max_abs


# -- Chapter 5: ridge regression, k-means, the RBF kernel and k-NN against scikit-learn ----------------

def _ridge() -> tuple:
    from sklearn.linear_model import Ridge

    from dlbook.regression import fit_linear_regression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 20))
    y = X @ rng.standard_normal(20) + 0.1 * rng.standard_normal(500) + 3.0
    lam = 0.01  # ours penalises MSE + λ‖w‖², scikit-learn ‖Xw − y‖² + α‖w‖²: α = mλ

    def ours() -> np.ndarray:
        fit = fit_linear_regression(X, y, weight_decay=lam, fit_intercept=True)
        return np.append(fit.weights, fit.bias)

    def theirs() -> np.ndarray:
        model = Ridge(alpha=len(y) * lam, fit_intercept=True, solver="svd").fit(X, y)
        return np.append(model.coef_, model.intercept_)

    return ours, theirs, _max_abs


def _kmeans() -> tuple:
    from sklearn.cluster import KMeans

    from dlbook.clustering import kmeans

    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.7, (300, 2)) for c in ((0, 0), (4, 0), (0, 4), (4, 4), (2, 2))])
    init = X[rng.choice(len(X), 5, replace=False)]

    def ours() -> np.ndarray:
        return kmeans(X, 5, init=init).centers

    def theirs() -> np.ndarray:
        return KMeans(5, init=init, n_init=1, algorithm="lloyd", tol=0.0, max_iter=100).fit(X).cluster_centers_

    return ours, theirs, _max_abs


def _rbf() -> tuple:
    from sklearn.metrics.pairwise import rbf_kernel as sk_rbf

    from dlbook.classifiers import rbf_kernel

    rng = np.random.default_rng(0)
    X, Z = rng.standard_normal((500, 10)), rng.standard_normal((400, 10))
    return (lambda: rbf_kernel(X, Z, gamma=0.1)), (lambda: sk_rbf(X, Z, gamma=0.1)), _max_abs


def _knn() -> tuple:
    from sklearn.neighbors import KNeighborsRegressor

    from dlbook.classifiers import knn_predict

    rng = np.random.default_rng(0)
    X_train, X = rng.standard_normal((1000, 5)), rng.standard_normal((200, 5))
    y_train = np.sin(X_train).sum(axis=1)

    def theirs() -> np.ndarray:
        return KNeighborsRegressor(n_neighbors=7, algorithm="brute").fit(X_train, y_train).predict(X)

    return (lambda: knn_predict(X_train, y_train, X, 7, regression=True)), theirs, _max_abs


# -- Chapter 6: the scalar autodiff engine and the hand-written MLP backward pass against torch.autograd ----

def _autodiff() -> tuple:
    """Gradient of a small logistic-regression loss with a tanh feature (16 examples, 8 weights)."""
    import torch

    from dlbook.autodiff import Value

    rng = np.random.default_rng(0)
    X, y, w0 = rng.standard_normal((16, 8)), rng.integers(0, 2, 16).astype(float), rng.standard_normal(8) * 0.5

    def ours() -> np.ndarray:
        w = [Value(float(v)) for v in w0]
        loss = Value(0.0)
        for xi, yi in zip(X, y):
            z = sum((wj * float(xj) for wj, xj in zip(w, xi)), Value(0.0)).tanh() * 2.0
            p = z.sigmoid()
            loss = loss - (p.log() * yi + (1 - p).log() * (1 - yi)) + (z ** 2) * 0.01
        (loss / len(y)).backward()
        return np.array([wj.grad for wj in w])

    Xt, yt = torch.tensor(X), torch.tensor(y)

    def theirs() -> np.ndarray:
        w = torch.tensor(w0, requires_grad=True)
        z = torch.tanh(Xt @ w) * 2.0
        p = torch.sigmoid(z)
        loss = (-(torch.log(p) * yt + torch.log(1 - p) * (1 - yt)) + 0.01 * z**2).mean()
        loss.backward()
        return w.grad.numpy()

    return ours, theirs, _max_abs


def _mlp() -> tuple:
    """Gradients of the mean softmax cross-entropy of a 10-32-32-5 ReLU network on 256 examples."""
    import torch
    import torch.nn.functional as F

    from dlbook.mlp import init_mlp, mlp_backward, mlp_forward

    rng = np.random.default_rng(0)
    layers = init_mlp([10, 32, 32, 5], rng)
    X, labels = rng.standard_normal((256, 10)), rng.integers(0, 5, 256)

    def ours() -> np.ndarray:
        grads = mlp_backward(layers, mlp_forward(layers, X, "relu")[1], labels, "relu")
        return np.concatenate([np.concatenate([g.W.ravel(), g.b]) for g in grads])

    Xt, yt = torch.tensor(X), torch.tensor(labels)

    def theirs() -> np.ndarray:
        params = [(torch.tensor(layer.W, requires_grad=True), torch.tensor(layer.b, requires_grad=True))
                  for layer in layers]
        h = Xt
        for i, (W, b) in enumerate(params):
            h = h @ W.T + b
            if i < len(params) - 1:
                h = torch.relu(h)
        F.cross_entropy(h, yt).backward()
        return np.concatenate([np.concatenate([W.grad.numpy().ravel(), b.grad.numpy()]) for W, b in params])

    return ours, theirs, _max_abs


# -- Chapter 9: the vectorised (im2col) conv2d and the pooling kernels against torch.nn.functional -----------

def _conv2d() -> tuple:
    """A batch of 16 images of 8 channels, 32×32, through 16 kernels of 3×3, padding 1 (float64 both)."""
    import torch
    import torch.nn.functional as F

    from dlbook.conv import conv2d

    rng = np.random.default_rng(0)
    X, K = rng.standard_normal((16, 8, 32, 32)), rng.standard_normal((16, 8, 3, 3))
    Xt, Kt = torch.tensor(X), torch.tensor(K)
    return (lambda: conv2d(X, K, padding=1)), (lambda: F.conv2d(Xt, Kt, padding=1).numpy()), _max_abs


def _max_pool() -> tuple:
    import torch
    import torch.nn.functional as F

    from dlbook.pooling import pool2d

    x = np.random.default_rng(0).standard_normal((16, 16, 32, 32))
    xt = torch.tensor(x)
    return (lambda: pool2d(x, 2, 2, "max")), (lambda: F.max_pool2d(xt, 2, 2).numpy()), _max_abs


TWINS: list[Twin] = [
    Twin("PCA: fit_pca vs numpy SVD", "dlbook.pca", "components (2000×40 data, 10 kept; signs aligned)", _pca),
    Twin("svd (Jacobi) vs numpy.linalg", "dlbook.linalg", "singular values of a 60×30 matrix", _linalg("svd")),
    Twin("pinv vs numpy.linalg", "dlbook.linalg", "pseudoinverse of a 60×30 matrix", _linalg("pinv")),
    Twin("logsumexp vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30", _scipy_pair("logsumexp", "logsumexp")),
    Twin("softmax vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30", _scipy_pair("softmax", "softmax")),
    Twin("log_softmax vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30",
         _scipy_pair("log_softmax", "log_softmax")),
    Twin("sigmoid vs scipy.special.expit", "dlbook.prob", "200 000 logits, σ = 30", _sigmoid),
    Twin("entropy vs scipy.stats", "dlbook.information", "2000 distributions over 50 outcomes",
         _information("entropy")),
    Twin("kl_discrete vs scipy.stats", "dlbook.information", "2000 pairs of distributions over 50 outcomes",
         _information("kl")),
    Twin("numerical_gradient vs torch.autograd", "dlbook.calculus", "gradient of a 20-D tanh function",
         _numerical_gradient),
    Twin("lstsq_gradient_descent vs numpy lstsq", "dlbook.optimize", "solution, 100×10, stop at ‖g‖ ≤ 1e-10",
         _lstsq_gd),
    Twin("ridge regression vs scikit-learn", "dlbook.regression", "weights and intercept, 500×20, λ = 0.01",
         _ridge),
    Twin("kmeans vs scikit-learn (Lloyd)", "dlbook.clustering", "centres, 1500 points, k = 5, same start",
         _kmeans),
    Twin("rbf_kernel vs scikit-learn", "dlbook.classifiers", "500×400 Gram matrix, γ = 0.1", _rbf),
    Twin("knn_predict vs scikit-learn", "dlbook.classifiers", "k = 7 regression, 1000 → 200 points", _knn),
    Twin("autodiff Value vs torch.autograd", "dlbook.autodiff", "gradient of a 16-example logistic loss",
         _autodiff),
    Twin("mlp_backward vs torch.autograd", "dlbook.mlp", "all gradients, 10-32-32-5 ReLU net, 256 examples",
         _mlp),
    Twin("conv2d (im2col) vs torch.nn.functional.conv2d", "dlbook.conv",
         "16×8×32×32 batch, 16 kernels 3×3, padding 1", _conv2d),
    Twin("pool2d (max) vs torch.nn.functional.max_pool2d", "dlbook.pooling", "16×16×32×32 maps, 2×2 windows",
         _max_pool),
]


def seconds_per_call(fn: Callable[[], Any], min_time: float = 0.05, repeats: int = 5) -> float:
    """Median over ``repeats`` of the mean time per call, each repeat looping for at least ``min_time``."""
    fn()  # warm up (imports, caches)
    n, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
        n *= 2 if elapsed == 0 else max(2, int(min_time / elapsed * 1.2))
    runs = [elapsed / n]
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - start) / n)
    return statistics.median(runs)


def _available(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name and module.startswith(err.name):
            return False
        raise
    return True


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run NumPy's BLAS, scikit-learn's OpenMP and PyTorch on one thread each.

    The ratio then compares the algorithms, not how well each library spreads over the cores; and it
    stays steady on a shared machine, where multi-threaded libraries that wait for a busy core are erratic.
    """
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(before)


def run(progress: bool = True) -> list[dict[str, Any]]:
    with _one_thread():
        return _run(progress)


def _run(progress: bool) -> list[dict[str, Any]]:
    results = []
    for twin in TWINS:
        row: dict[str, Any] = {"twin": twin.name, "compared": twin.compared, "skipped": ""}
        if not _available(twin.requires):
            row["skipped"] = f"{twin.requires} does not exist yet"
            results.append(row)
            continue
        if progress:
            print(f"  timing {twin.name} ...", flush=True)
        try:
            ours, theirs, difference = twin.setup()
            row["max_abs_diff"] = difference(ours(), theirs())
            row["ours_s"] = seconds_per_call(ours)
            row["theirs_s"] = seconds_per_call(theirs)
            row["ratio"] = row["ours_s"] / row["theirs_s"]
        except Exception as err:  # an API that changed: report it in the table, go on with the others
            row["skipped"] = f"error: {type(err).__name__}: {err}"[:100]
        results.append(row)
    return results


def report(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        if r["skipped"]:
            note = r["skipped"] if r["skipped"].startswith("error") else f"skipped: {r['skipped']}"
            rows.append([r["twin"], "—", "—", "—", "—", note])
        else:
            rows.append([r["twin"], f"{r['ours_s'] * 1000:.3f}", f"{r['theirs_s'] * 1000:.3f}",
                         f"{r['ratio']:.2f}x", f"{r['max_abs_diff']:.1e}", r["compared"]])
    head = ("Kernels: each from-scratch function against its library twin on the same seeded input "
            "(time per call, median of 5 repeats, one thread each; ratio > 1 means ours is slower).\n\n")
    return head + table(["kernel vs twin", "ours (ms)", "library (ms)", "ratio", "largest abs. difference",
                         "compared on"], rows)
