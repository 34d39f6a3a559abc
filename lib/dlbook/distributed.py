"""Data-parallel training with a real distributed engine (Deep Learning book, §12.1.3).

In **data parallelism** every worker holds a copy of the model, computes the gradient on its own shard of the
minibatch, and the workers **all-reduce** their gradients (sum, then divide by the number of workers) before each
takes the same step. With equal shards and a loss that is a mean over examples, the averaged gradient is exactly
the gradient of the whole minibatch, so ``W`` workers compute what one worker would with a batch ``W`` times as
large. Here the workers are local processes talking over ``torch.distributed``'s gloo backend on 127.0.0.1.
"""

from __future__ import annotations

import datetime
import socket
import time
from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive

__all__ = ["data_parallel_sgd", "free_port", "single_process_sgd"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the operating system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _loss_and_grad(w: Any, X: Any, y: Any) -> Any:
    """Mean squared error of a linear model ``X w`` and its gradient by autograd (w is updated in place later)."""
    import torch

    w = w.detach().clone().requires_grad_(True)
    loss = torch.mean((X @ w - y) ** 2)
    loss.backward()
    return loss.detach(), w.grad


def _worker(rank: int, world: int, port: int, X: Any, y: Any, w0: Any, lr: float, steps: int,
            out_grads: Any, out_w: Any, timeout: float = 60.0) -> None:
    """One data-parallel worker: its shard's gradient, all-reduced (averaged) across workers, then an SGD step."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=timeout))
    try:
        Xs, ys = X[rank::world], y[rank::world]                 # this worker's shard
        w = w0.clone()
        for step in range(steps):
            _, g = _loss_and_grad(w, Xs, ys)
            dist.all_reduce(g, op=dist.ReduceOp.SUM)          # every worker now holds the sum of the gradients
            g /= world
            if step == 0:
                out_grads[rank] = g
            w -= lr * g
        out_w[rank] = w
    finally:
        dist.destroy_process_group()


def data_parallel_sgd(X: Any, y: Any, w0: Any, lr: float = 0.1, steps: int = 1,
                      world: int = 2, timeout: float = 60.0) -> dict[str, Any]:
    """Train a linear least-squares model with ``world`` data-parallel processes for ``steps`` SGD steps.

    Each step every process computes the mean-squared-error gradient on its shard ``X[rank::world]``, the gradients
    are all-reduced over gloo, and each process applies the same update. Returns each rank's first all-reduced
    gradient (``grads``, shape ``(world, d)``), final weights (``weights``) and the rendezvous ``port`` (so a
    caller can check it is free again). Processes are always joined and the process group destroyed, even when a
    worker fails; a run that takes longer than ``timeout`` seconds is stopped with ``RuntimeError``.
    """
    import torch
    import torch.multiprocessing as mp

    X = as_array(X, "X", ndim=2)
    y = as_array(y, "y", ndim=1)
    w0 = as_array(w0, "w0", ndim=1)
    world, steps = check_int(world, "world", low=1, high=8), check_int(steps, "steps", low=1)
    lr, timeout = check_positive(lr, "lr"), check_positive(timeout, "timeout")
    if X.shape[0] != y.size or X.shape[1] != w0.size:
        raise ValueError(f"X must be (n, {w0.size}) with n = len(y) = {y.size}; got {X.shape}")
    if X.shape[0] % world:
        raise ValueError(f"the batch of {X.shape[0]} examples must split into {world} equal shards")
    Xt, yt, wt = (torch.tensor(a) for a in (X, y, w0))
    grads = torch.zeros(world, w0.size, dtype=torch.float64).share_memory_()
    weights = torch.zeros(world, w0.size, dtype=torch.float64).share_memory_()
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    port = free_port()
    ctx = mp.start_processes(_worker, args=(world, port, Xt, yt, wt, lr, steps, grads, weights, timeout),
                             nprocs=world, join=False, start_method=method)
    deadline = time.monotonic() + timeout
    try:
        while not ctx.join(timeout=1.0):        # raises as soon as a worker fails
            if time.monotonic() > deadline:
                raise RuntimeError(f"data_parallel_sgd: the workers did not finish within {timeout} s")
    finally:
        for p in ctx.processes:                 # on an error, stop whatever is still running, then reap it
            if p.is_alive():
                p.terminate()
                p.join(5.0)
            if p.is_alive():
                p.kill()
            p.join()
    return {"grads": grads.numpy().copy(), "weights": weights.numpy().copy(), "port": port}


def single_process_sgd(X: Any, y: Any, w0: Any, lr: float = 0.1, steps: int = 1) -> dict[str, np.ndarray]:
    """The same training in one process on the whole batch: the reference the data-parallel run must match."""
    import torch

    X = torch.tensor(as_array(X, "X", ndim=2))
    y = torch.tensor(as_array(y, "y", ndim=1))
    w = torch.tensor(as_array(w0, "w0", ndim=1))
    first = None
    for _ in range(check_int(steps, "steps", low=1)):
        _, g = _loss_and_grad(w, X, y)
        first = g if first is None else first
        w = w - check_positive(lr, "lr") * g
    return {"grad": first.numpy(), "weights": w.numpy()}
