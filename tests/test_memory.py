"""dlbook.memory (the NTM head) against torch and closed forms; dlbook.memory_networks against a hand computation;
the generated where-is stories."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook import memory as mem
from dlbook.data import where_is_stories
from dlbook.memory_networks import BagOfWords, MemoryNetwork, train_reader

RNG = np.random.default_rng(0)
M = RNG.standard_normal((10, 6))
KEY = RNG.standard_normal(6)


def _random_weighting(n: int, seed: int) -> np.ndarray:
    w = np.random.default_rng(seed).random(n)
    return w / w.sum()


def test_cosine_and_content_weighting_against_torch() -> None:
    ours = mem.cosine_similarity(KEY, M)
    theirs = torch.nn.functional.cosine_similarity(torch.tensor(KEY)[None, :], torch.tensor(M), dim=1).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    for beta in (0.0, 0.5, 7.0, 500.0):
        w = mem.content_weighting(KEY, M, beta)
        np.testing.assert_allclose(w, torch.softmax(beta * torch.tensor(theirs), 0).numpy(), atol=1e-12)
        assert np.isfinite(w).all() and abs(w.sum() - 1) < 1e-12
    np.testing.assert_allclose(mem.content_weighting(KEY, M, 0.0), np.full(10, 0.1))
    assert mem.content_weighting(M[3], M, 1e4).argmax() == 3
    # a zero row or key gives similarity 0, not NaN
    Z = M.copy()
    Z[4] = 0
    assert mem.cosine_similarity(KEY, Z)[4] == 0.0


def test_shift_distribution_slides_example_and_wraparound() -> None:
    s = mem.shift_distribution(6.7, 10)
    assert abs(s[6] - 0.3) < 1e-12 and abs(s[7] - 0.7) < 1e-12 and abs(s.sum() - 1) < 1e-15
    assert np.count_nonzero(s) == 2
    np.testing.assert_array_equal(mem.shift_distribution(-1, 10), np.eye(10)[9])
    np.testing.assert_array_equal(mem.shift_distribution(3, 10), mem.shift_distribution(13, 10))
    np.testing.assert_allclose(mem.shift_distribution(9.5, 10), 0.5 * (np.eye(10)[9] + np.eye(10)[0]))


def test_circular_shift_is_an_fft_convolution_and_integer_shift_is_a_roll() -> None:
    w, s = _random_weighting(10, 1), _random_weighting(10, 2)
    fft = np.real(np.fft.ifft(np.fft.fft(w) * np.fft.fft(s)))
    np.testing.assert_allclose(mem.circular_shift(w, s), fft, atol=1e-12)
    for k in (-3, 0, 1, 4):
        np.testing.assert_allclose(mem.circular_shift(w, mem.shift_distribution(k, 10)), np.roll(w, k), atol=1e-15)


def test_sharpen_normalises_and_peaks() -> None:
    w = _random_weighting(10, 3)
    for gamma in (1.0, 2.0, 30.0, 1e4):
        out = mem.sharpen(w, gamma)
        assert abs(out.sum() - 1) < 1e-12 and np.isfinite(out).all()
    np.testing.assert_allclose(mem.sharpen(w, 1.0), w, atol=1e-15)
    np.testing.assert_allclose(mem.sharpen(w, 1e4), np.eye(10)[w.argmax()], atol=1e-12)
    np.testing.assert_allclose(mem.sharpen(w, 3.0), w ** 3 / np.sum(w ** 3), atol=1e-15)
    out = mem.sharpen(np.array([0.0, 0.25, 0.75, 0.0]), 2.0)
    np.testing.assert_allclose(out, [0, 0.1, 0.9, 0], atol=1e-15)


def test_address_pipeline_stages() -> None:
    prev = _random_weighting(10, 4)
    st = mem.address(KEY, M, beta=3.0, g=0.25, shift=1.5, gamma=2.0, w_previous=prev)
    np.testing.assert_allclose(st["gated"], 0.25 * st["content"] + 0.75 * prev)
    np.testing.assert_allclose(st["shifted"], 0.5 * np.roll(st["gated"], 1) + 0.5 * np.roll(st["gated"], 2))
    for stage in st.values():
        assert abs(stage.sum() - 1) < 1e-12


def test_read_and_write_against_loops() -> None:
    w = _random_weighting(10, 5)
    e, a = np.random.default_rng(6).random(6), np.random.default_rng(7).standard_normal(6)
    np.testing.assert_allclose(mem.read(M, w), sum(w[i] * M[i] for i in range(10)), atol=1e-12)
    expected = np.array([[M[i, j] * (1 - w[i] * e[j]) + w[i] * a[j] for j in range(6)] for i in range(10)])
    np.testing.assert_allclose(mem.write(M, w, e, a), expected, atol=1e-12)
    one_hot = np.eye(10)[4]
    after = mem.write(M, one_hot, np.ones(6), a)
    np.testing.assert_allclose(after[4], a)
    np.testing.assert_allclose(np.delete(after, 4, 0), np.delete(M, 4, 0))
    # the read is a convex combination: it lies within each column's range
    r = mem.read(M, w)
    assert np.all(r >= M.min(0) - 1e-12) and np.all(r <= M.max(0) + 1e-12)


def test_copy_by_hand_reproduces_the_sequence() -> None:
    seq = np.random.default_rng(8).integers(0, 2, size=(7, 5)).astype(float)
    out = mem.copy_by_hand(seq, rows=9)
    np.testing.assert_allclose(out["outputs"], seq, atol=1e-9)
    np.testing.assert_array_equal(out["write_weights"].argmax(1), np.arange(7))
    np.testing.assert_array_equal(out["read_weights"].argmax(1), np.arange(7))
    with pytest.raises(ValueError, match="rows"):
        mem.copy_by_hand(seq, rows=3)


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="row width"):
        mem.cosine_similarity(np.ones(5), M)
    with pytest.raises(ValueError, match="beta"):
        mem.content_weighting(KEY, M, -1.0)
    with pytest.raises(ValueError, match="g must be"):
        mem.interpolate(np.full(10, 0.1), np.full(10, 0.1), 1.5)
    with pytest.raises(ValueError, match="sum to 1"):
        mem.read(M, np.ones(10))
    with pytest.raises(ValueError, match="one entry per memory row"):
        mem.read(M, np.full(5, 0.2))
    with pytest.raises(ValueError, match="gamma"):
        mem.sharpen(np.full(10, 0.1), 0.5)
    with pytest.raises(ValueError, match="erase"):
        mem.write(M, np.full(10, 0.1), np.full(6, 2.0), np.ones(6))
    with pytest.raises(ValueError, match="shift"):
        mem.shift_distribution(np.nan, 10)
    with pytest.raises(ValueError, match="n must be"):
        mem.shift_distribution(1.0, 0)


def test_where_is_stories() -> None:
    d = where_is_stories(200, sentences=5, seed=3)
    vocab = d["vocab"]
    assert d["stories"].shape == (200, 5, 5) and d["questions"].shape == (200, 3)
    for k in range(200):
        person = vocab[d["questions"][k, 2]]
        mentions = [s for s in range(5) if vocab[d["stories"][k, s, 0]] == person]
        assert mentions and d["support"][k] == mentions[-1]
        assert vocab[d["stories"][k, d["support"][k], 4]] == vocab[d["answers"][k]]
    again = where_is_stories(200, sentences=5, seed=3)
    np.testing.assert_array_equal(d["stories"], again["stories"])


def test_memory_network_forward_matches_the_equations() -> None:
    torch.manual_seed(0)
    d = where_is_stories(4, sentences=3, seed=0)
    net = MemoryNetwork(len(d["vocab"]), slots=3, dim=5, hops=1)
    x, q = torch.tensor(d["stories"]), torch.tensor(d["questions"])
    logits, p = net(x, q)
    A, B, C = (e.weight.detach().numpy() for e in (net.embed_memory, net.embed_question, net.embed_output))
    TA, TC, W = net.time_memory.detach().numpy(), net.time_output.detach().numpy(), net.answer.weight.detach().numpy()
    for k in range(4):
        m = np.array([A[x[k, s]].sum(0) for s in range(3)]) + TA
        c = np.array([C[x[k, s]].sum(0) for s in range(3)]) + TC
        u = B[q[k]].sum(0)
        pk = np.exp(m @ u) / np.exp(m @ u).sum()
        np.testing.assert_allclose(p[k].detach().numpy(), pk, atol=1e-6)
        np.testing.assert_allclose(logits[k].detach().numpy(), W @ (u + pk @ c), atol=1e-5)
    assert torch.allclose(p.sum(1), torch.ones(4))
    base_logits, base_p = BagOfWords(len(d["vocab"]), slots=3, dim=5)(x, q)
    assert base_logits.shape == logits.shape and torch.allclose(base_p, torch.full((4, 3), 1 / 3))
    with pytest.raises(ValueError, match="hops"):
        MemoryNetwork(10, 3, hops=0)


def test_training_reduces_the_loss() -> None:
    torch.manual_seed(0)
    d = where_is_stories(300, sentences=4, seed=1)
    net = MemoryNetwork(len(d["vocab"]), slots=4, dim=16)
    losses = train_reader(net, torch.tensor(d["stories"]), torch.tensor(d["questions"]),
                          torch.tensor(d["answers"]), epochs=6)
    assert losses[-1] < 0.5 * losses[0]


def test_shift_torch_matches_the_numpy_circular_convolution() -> None:
    from dlbook.memory_networks import shift_torch
    w = RNG.random(8); w /= w.sum()
    s3 = RNG.random(3); s3 /= s3.sum()
    s = np.zeros(8); s[[-1, 0, 1]] = s3
    got = shift_torch(torch.tensor(w), torch.tensor(s3)).numpy()
    assert np.allclose(got, mem.circular_shift(w, s), atol=1e-12)


def test_copy_heads_forward_and_bad_sizes() -> None:
    from dlbook.memory_networks import CopyHeads
    torch.manual_seed(0)
    heads = CopyHeads(length=3, rows=5).double()
    x = torch.tensor(RNG.integers(0, 2, size=(2, 3, 4)), dtype=torch.float64)
    out = heads(x)
    assert out["outputs"].shape == (2, 3, 4)
    assert torch.allclose(out["write_weights"].sum(1), torch.ones(3, dtype=torch.float64))
    assert torch.all(out["outputs"] >= 0) and torch.all(out["outputs"] <= 1)    # reads are convex combinations
    with pytest.raises(ValueError, match="length"):
        CopyHeads(length=6, rows=5)
