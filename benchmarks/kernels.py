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
from dataclasses import dataclass
from typing import Any, Callable

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


TWINS: list[Twin] = [
    Twin("PCA: fit_pca vs numpy SVD", "dlbook.pca", "components (2000×40 data, 10 kept; signs aligned)", _pca),
    Twin("logsumexp vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30", _scipy_pair("logsumexp", "logsumexp")),
    Twin("softmax vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30", _scipy_pair("softmax", "softmax")),
    Twin("log_softmax vs scipy.special", "dlbook.prob", "2000×100 logits, σ = 30",
         _scipy_pair("log_softmax", "log_softmax")),
    Twin("sigmoid vs scipy.special.expit", "dlbook.prob", "200 000 logits, σ = 30", _sigmoid),
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


def run(progress: bool = True) -> list[dict[str, Any]]:
    results = []
    for twin in TWINS:
        row: dict[str, Any] = {"twin": twin.name, "compared": twin.compared, "skipped": ""}
        if not _available(twin.requires):
            row["skipped"] = f"{twin.requires} does not exist yet"
            results.append(row)
            continue
        if progress:
            print(f"  timing {twin.name} ...", flush=True)
        ours, theirs, difference = twin.setup()
        row["ours_s"] = seconds_per_call(ours)
        row["theirs_s"] = seconds_per_call(theirs)
        row["ratio"] = row["ours_s"] / row["theirs_s"]
        row["max_abs_diff"] = difference(ours(), theirs())
        results.append(row)
    return results


def report(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        if r["skipped"]:
            rows.append([r["twin"], "—", "—", "—", "—", f"skipped: {r['skipped']}"])
        else:
            rows.append([r["twin"], f"{r['ours_s'] * 1000:.3f}", f"{r['theirs_s'] * 1000:.3f}",
                         f"{r['ratio']:.2f}x", f"{r['max_abs_diff']:.1e}", r["compared"]])
    head = ("Kernels: each from-scratch function against its library twin on the same seeded input "
            "(time per call, median of 5 repeats; ratio > 1 means ours is slower).\n\n")
    return head + table(["kernel vs twin", "ours (ms)", "library (ms)", "ratio", "largest abs. difference",
                         "compared on"], rows)
