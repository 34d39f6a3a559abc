"""dlbook.distributed: two gloo processes on 127.0.0.1 against one process with the whole batch (1e-12)."""

import multiprocessing
import socket

import numpy as np
import pytest

from dlbook import distributed
from dlbook.distributed import data_parallel_sgd, free_port, single_process_sgd

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 4))
Y = X @ RNG.standard_normal(4) + 0.1 * RNG.standard_normal(32)


def test_two_processes_match_one_large_batch() -> None:
    dp = data_parallel_sgd(X, Y, np.zeros(4), lr=0.1, steps=5, world=2)
    one = single_process_sgd(X, Y, np.zeros(4), lr=0.1, steps=5)
    assert np.abs(dp["grads"] - one["grad"]).max() < 1e-12          # both ranks hold the large-batch gradient
    assert np.abs(dp["weights"] - one["weights"]).max() < 1e-12     # and take the same steps
    # a single shard's gradient is not the batch gradient: the all-reduce is what makes them agree
    half = single_process_sgd(X[0::2], Y[0::2], np.zeros(4))["grad"]
    assert np.abs(half - one["grad"]).max() > 1e-3
    # nothing is left behind: no child process, and the rendezvous port can be bound again
    assert not multiprocessing.active_children()
    _assert_nobody_listens(dp["port"])


def _assert_nobody_listens(port: int) -> None:
    """Bind and listen on the port: fails while any socket listens there (TIME_WAIT leftovers are allowed)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()


_REAL_WORKER = distributed._worker  # the patched module attribute below would otherwise call itself


def _failing_worker(rank: int, *args: object) -> None:
    if rank == 1:
        raise RuntimeError("worker 1 fails before joining the group")
    _REAL_WORKER(rank, *args)            # rank 0 would wait for rank 1 until the gloo timeout


def test_a_failing_worker_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the patched worker reaches the children only with the fork start method")
    ports: list[int] = []
    monkeypatch.setattr(distributed, "free_port", lambda: ports.append(free_port()) or ports[-1])
    monkeypatch.setattr(distributed, "_worker", _failing_worker)
    with pytest.raises(Exception, match="worker 1 fails"):
        data_parallel_sgd(X, Y, np.zeros(4), steps=2, timeout=30)
    assert not multiprocessing.active_children()                    # rank 0 was stopped and reaped
    _assert_nobody_listens(ports[0])                                 # and its rendezvous port released


def test_free_port_is_free_and_released() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))                                 # nobody holds it after free_port returns


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="equal shards"):
        data_parallel_sgd(X[:31], Y[:31], np.zeros(4))
    with pytest.raises(ValueError, match="X must be"):
        data_parallel_sgd(X, Y, np.zeros(3))
    with pytest.raises(ValueError, match="world"):
        data_parallel_sgd(X, Y, np.zeros(4), world=0)
    with pytest.raises(ValueError, match="timeout"):
        data_parallel_sgd(X, Y, np.zeros(4), timeout=0)
