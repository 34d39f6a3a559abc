"""dlbook.rnn and dlbook.sequence_models against torch.nn, torch.autograd, scipy and closed forms (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import torch

from dlbook.rnn import (Gate, RNNParams, birnn_forward, bptt, clip_grad_norm, descent_path, gru_cell, gru_from_torch,
                        information_flow, init_rnn, leaky_unit, memory_capacity, linear_recurrence, lstm_cell, lstm_from_torch, reservoir_states,
                        ridge_readout, rnn_forward, rnn_from_torch, rnn_loss, scaled_reservoir,
                        symmetric_power_state, tanh_rnn_jacobians)
from dlbook.sequence_models import GRU, GRUCell, encode_words, train_sequence_regressor



@pytest.fixture(autouse=True)
def _float64():
    """Every test here runs in float64; the default dtype is restored so other test files in the worker keep float32."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def _torch_rnn(D: int, H: int, K: int, seed: int, bidirectional: bool = False) -> tuple[torch.nn.RNN, torch.nn.Linear]:
    torch.manual_seed(seed)
    return torch.nn.RNN(D, H, bidirectional=bidirectional).double(), torch.nn.Linear(H, K).double()


@pytest.mark.parametrize("seed", range(4))
def test_rnn_forward_matches_torch(seed: int) -> None:
    rnn, head = _torch_rnn(3, 5, 4, seed)
    x = torch.randn(7, 2, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 5, dtype=torch.float64)
    out, _ = rnn(x, h0)
    H, o = rnn_forward(rnn_from_torch(rnn, head), x.numpy(), h0[0].numpy())
    assert np.allclose(H, out.detach().numpy(), atol=1e-12)
    assert np.allclose(o, head(out).detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_bptt_matches_autograd(seed: int) -> None:
    rnn, head = _torch_rnn(3, 6, 4, seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(9, 2, 3))
    y = rng.integers(0, 4, size=(9, 2))
    h0 = rng.normal(size=(2, 6))
    out, _ = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    loss_t = torch.nn.functional.cross_entropy(head(out).reshape(-1, 4), torch.from_numpy(y).reshape(-1), reduction="sum")
    loss_t.backward()
    loss, g = bptt(rnn_from_torch(rnn, head), x, y, h0)
    assert np.isclose(loss, loss_t.item(), atol=1e-10)
    assert np.allclose(g.U, rnn.weight_ih_l0.grad.numpy(), atol=1e-10)
    assert np.allclose(g.W, rnn.weight_hh_l0.grad.numpy(), atol=1e-10)
    assert np.allclose(g.b, rnn.bias_hh_l0.grad.numpy(), atol=1e-10)
    assert np.allclose(g.V, head.weight.grad.numpy(), atol=1e-10)
    assert np.allclose(g.c, head.bias.grad.numpy(), atol=1e-10)


def test_bptt_loss_equals_rnn_loss_and_single_sequence_input() -> None:
    p = init_rnn(2, 3, 4, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(5, 2))
    y = np.array([0, 1, 2, 3, 0])
    loss, _ = bptt(p, x, y)
    assert np.isclose(loss, rnn_loss(p, x, y))


def test_birnn_matches_torch_bidirectional() -> None:
    rnn, _ = _torch_rnn(3, 4, 2, 0, bidirectional=True)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    out, _ = rnn(x)
    zeros = (np.zeros((1, 4)), np.zeros(1))

    def params(suffix: str) -> RNNParams:
        t = {n: getattr(rnn, n + suffix).detach().numpy() for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")}
        return RNNParams(U=t["weight_ih_l0"], W=t["weight_hh_l0"], b=t["bias_ih_l0"] + t["bias_hh_l0"], V=zeros[0], c=zeros[1])
    ours = birnn_forward(params(""), params("_reverse"), x.numpy())
    assert np.allclose(ours, out.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_lstm_cell_matches_torch(seed: int) -> None:
    torch.manual_seed(seed)
    cell = torch.nn.LSTMCell(3, 5).double()
    x, h, s = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    h_t, s_t = cell(x, (h, s))
    h_n, s_n = lstm_cell(lstm_from_torch(cell), x.numpy(), h.numpy(), s.numpy())
    assert np.allclose(h_n, h_t.detach().numpy(), atol=1e-12)
    assert np.allclose(s_n, s_t.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_gru_cell_matches_torch_and_scratch_module(seed: int) -> None:
    torch.manual_seed(seed)
    cell = torch.nn.GRUCell(3, 5).double()
    x, h = torch.randn(4, 3), torch.randn(4, 5)
    ref = cell(x, h).detach().numpy()
    assert np.allclose(gru_cell(gru_from_torch(cell), x.numpy(), h.numpy(), variant="torch"), ref, atol=1e-12)
    mine = GRUCell(3, 5).double()
    mine.load_state_dict(cell.state_dict())
    assert np.allclose(mine(x, h).detach().numpy(), ref, atol=1e-12)
    book = GRUCell(3, 5, variant="book").double()
    book.load_state_dict(cell.state_dict())
    assert np.allclose(book(x, h).detach().numpy(),
                       gru_cell(gru_from_torch(cell), x.numpy(), h.numpy(), variant="book"), atol=1e-12)


def test_book_gru_differs_from_torch_gru_and_passes_gradcheck() -> None:
    torch.manual_seed(0)
    cell = GRUCell(2, 3, variant="book").double()
    x, h = torch.randn(2, 2, requires_grad=True), torch.randn(2, 3, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: cell(a, b), (x, h))
    p = gru_from_torch(cell)
    assert not np.allclose(gru_cell(p, x.detach().numpy(), h.detach().numpy(), "book"),
                           gru_cell(p, x.detach().numpy(), h.detach().numpy(), "torch"))


def test_gru_layer_matches_torch_gru() -> None:
    torch.manual_seed(0)
    ref = torch.nn.GRU(3, 4, batch_first=True).double()
    mine = GRU(3, 4).double()
    mine.cell.load_state_dict({k[:-3]: v for k, v in ref.state_dict().items()})
    x = torch.randn(2, 6, 3)
    out_r, h_r = ref(x)
    out_m, h_m = mine(x)
    assert torch.allclose(out_r, out_m, atol=1e-12) and torch.allclose(h_r[0], h_m, atol=1e-12)


def test_gru_is_leaky_unit_when_update_gate_is_constant() -> None:
    # a saturated constant update gate u = α and a candidate equal to the input: the GRU becomes eq. 10.9.2's leak
    H = 1
    alpha = 0.8
    logit = np.log(alpha / (1 - alpha))
    p = gru_from_torch(torch.nn.GRUCell(1, H).double())
    p.update = Gate(np.zeros((H, 1)), np.zeros((H, H)), np.array([logit]))
    p.candidate = Gate(np.array([[1.0]]), np.zeros((H, H)), np.zeros(H))
    v = np.random.default_rng(0).uniform(-0.5, 0.5, size=20)
    h, hs = np.zeros((1, 1)), []
    for v_t in v:
        h = gru_cell(p, np.array([[v_t]]), h)
        hs.append(h[0, 0])
    assert np.allclose(hs, leaky_unit(np.tanh(v), alpha), atol=1e-12)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.9, 1.0])
def test_leaky_unit_matches_lfilter(alpha: float) -> None:
    v = np.random.default_rng(0).normal(size=50)
    assert np.allclose(leaky_unit(v, alpha), scipy.signal.lfilter([1 - alpha], [1, -alpha], v), atol=1e-12)


def test_symmetric_power_state_matches_iteration() -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    W = (A + A.T) / 4
    h0 = rng.normal(size=6)
    hs = linear_recurrence(W, h0, 12)
    for t in (0, 1, 5, 12):
        assert np.allclose(symmetric_power_state(W, h0, t), hs[t], atol=1e-10)
        assert np.allclose(hs[t], np.linalg.matrix_power(W.T, t) @ h0, atol=1e-10)


def test_linear_jacobian_norm_is_matrix_power_norm() -> None:
    rng = np.random.default_rng(1)
    W = rng.normal(size=(5, 5)) / 3
    _, J = tanh_rnn_jacobians(W, rng.normal(size=5), 8, linear=True)
    assert np.allclose(J, [np.linalg.norm(np.linalg.matrix_power(W, t), 2) for t in range(9)])


def test_tanh_jacobian_matches_autograd() -> None:
    rng = np.random.default_rng(2)
    W = rng.normal(size=(4, 4))
    h0 = rng.normal(size=4)
    _, J = tanh_rnn_jacobians(W, h0, 5)

    def run(h: torch.Tensor) -> torch.Tensor:
        for _ in range(5):
            h = torch.tanh(torch.from_numpy(W) @ h)
        return h
    Jt = torch.autograd.functional.jacobian(run, torch.from_numpy(h0))
    assert np.isclose(J[-1], np.linalg.norm(Jt.numpy(), 2), rtol=1e-10)


@pytest.mark.parametrize("max_norm", [0.01, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(max_norm: float) -> None:
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    clipped, norm = clip_grad_norm(grads, max_norm)
    assert np.isclose(norm, total.item())
    for c, p in zip(clipped, params):
        assert np.allclose(c, p.grad.numpy(), rtol=1e-5)   # torch divides by ‖g‖ + 1e-6


def test_encode_words_round_trip() -> None:
    tok, alphabet = encode_words(["ab", "c"])
    assert alphabet == [".", "a", "b", "c"]
    assert tok.tolist() == [[0, 1, 2, 0], [0, 3, 0, -1]]


@pytest.mark.parametrize("call, message", [
    (lambda: rnn_forward(init_rnn(2, 3, 2, np.random.default_rng(0)), np.zeros((4, 1, 3))), "features"),
    (lambda: bptt(init_rnn(2, 3, 2, np.random.default_rng(0)), np.zeros((4, 1, 2)), np.full((4, 1), 5)), "labels"),
    (lambda: RNNParams(np.zeros((3, 2)), np.zeros((3, 4)), np.zeros(3), np.zeros((2, 3)), np.zeros(2)), "shapes"),
    (lambda: leaky_unit(np.zeros(3), 1.5), "alpha"),
    (lambda: clip_grad_norm([np.ones(2)], 0.0), "max_norm"),
    (lambda: clip_grad_norm([], 1.0), "at least one"),
    (lambda: symmetric_power_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.ones(2), 2), "symmetric"),
    (lambda: gru_cell(gru_from_torch(torch.nn.GRUCell(2, 3)), np.zeros((1, 2)), np.zeros((1, 3)), "keras"), "variant"),
    (lambda: lstm_cell(lstm_from_torch(torch.nn.LSTMCell(2, 3)), np.zeros((1, 2)), np.zeros((2, 3)), np.zeros((2, 3))), "same N"),
    (lambda: rnn_forward(init_rnn(2, 3, 2, np.random.default_rng(0)), np.full((4, 1, 2), np.nan)), "finite"),
])
def test_bad_inputs_raise_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_extreme_inputs_stay_finite() -> None:
    p = init_rnn(2, 3, 4, np.random.default_rng(0), scale=50.0)
    x = np.full((6, 1, 2), 1e3)
    loss, g = bptt(p, x, np.zeros((6, 1), dtype=int))
    assert np.isfinite(loss) and all(np.all(np.isfinite(getattr(g, n))) for n in g.names())
    clipped, norm = clip_grad_norm([np.full(3, 1e150)], 1.0)
    assert np.isfinite(norm) and np.isclose(np.linalg.norm(clipped[0]), 1.0)


# -- echo state networks, the cliff and the diagrams ------------------------------------------------------

def test_scaled_reservoir_has_the_requested_spectral_radius() -> None:
    from dlbook.rnn import scaled_reservoir
    for rho in (0.3, 1.0, 1.7):
        assert np.isclose(np.abs(np.linalg.eigvals(scaled_reservoir(30, rho, seed=3))).max(), rho)


def test_ridge_readout_matches_sklearn() -> None:
    from sklearn.linear_model import Ridge

    from dlbook.rnn import reservoir_states, ridge_readout, scaled_reservoir
    rng = np.random.default_rng(0)
    S = reservoir_states(scaled_reservoir(20, 0.9), rng.uniform(-1, 1, 20), rng.uniform(-1, 1, 200))
    Y = rng.normal(size=(200, 2))
    assert np.allclose(ridge_readout(S, Y, 0.5), Ridge(alpha=0.5, fit_intercept=False).fit(S, Y).coef_.T, atol=1e-8)


def test_reservoir_states_match_a_torch_rnn_without_bias() -> None:
    from dlbook.rnn import reservoir_states, scaled_reservoir
    rng = np.random.default_rng(1)
    W, w_in, u = scaled_reservoir(6, 0.8), rng.normal(size=6), rng.normal(size=15)
    rnn = torch.nn.RNN(1, 6, bias=False).double()
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(W))
        rnn.weight_ih_l0.copy_(torch.from_numpy(w_in[:, None]))
    out, _ = rnn(torch.from_numpy(u[:, None, None]))
    assert np.allclose(reservoir_states(W, w_in, u), out[:, 0].detach().numpy(), atol=1e-12)


def test_memory_capacity_is_a_curve_of_squared_correlations() -> None:
    from dlbook.rnn import memory_capacity
    r2 = memory_capacity(0.9, n=20, max_delay=10, steps=600)
    assert r2.shape == (10,) and np.all((r2 >= 0) & (r2 <= 1 + 1e-12))
    assert r2[0] > 0.9 and r2.sum() <= 20


def test_cliff_gradient_matches_autograd_and_descent_respects_the_clip() -> None:
    from dlbook.rnn import cliff_loss, descent_path
    for w0, b0 in ((6.0, -4.0), (2.0, 1.0), (9.0, -5.5)):
        w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        x = torch.tensor(0.5, dtype=torch.float64)
        for _ in range(30):
            x = w * torch.sigmoid(x) + b
        ((x - 0.7) ** 2).backward()
        loss, gw, gb = cliff_loss(w0, b0)
        assert np.isclose(loss, ((x - 0.7) ** 2).item()) and np.isclose(gw, w.grad.item()) and np.isclose(gb, b.grad.item())
    path = descent_path((6.0, -4.0), lr=0.02, n_steps=50, clip=1.0)
    assert np.all(np.linalg.norm(np.diff(path, axis=0), axis=1) <= 0.02 + 1e-12)
    assert np.allclose(descent_path((6.0, -4.0), 0.02, 50, clip=1e9), descent_path((6.0, -4.0), 0.02, 50))


def test_diagrams_draw_every_kind_and_reject_unknown_ones() -> None:
    from dlbook.diagrams import draw_graph, rnn_graph
    from dlbook.plotting import new_figure
    kinds = ("folded", "hidden_to_hidden", "output_to_hidden", "single_output", "bidirectional", "encoder_decoder",
             "deep", "recursive")
    fig, axes = new_figure(ncols=len(kinds))
    for ax, kind in zip(axes, kinds):
        nodes, edges = rnn_graph(kind)
        draw_graph(ax, nodes, edges)
        assert all(t in nodes and h in nodes for t, h, _ in edges)
    with pytest.raises(ValueError, match="kind"):
        rnn_graph("transformer")
    with pytest.raises(ValueError, match="not in the diagram"):
        draw_graph(axes[0], {"a": (0, 0, "a", "input")}, [("a", "b", "")])


@pytest.mark.parametrize("call, message", [
    (lambda: reservoir_states(np.eye(3), np.ones(2), np.ones(4)), "match w_in"),
    (lambda: ridge_readout(np.ones((4, 2)), np.ones(3)), "one row per state"),
    (lambda: scaled_reservoir(4, -1.0), "spectral_radius"),
    (lambda: descent_path((1.0, 0.0), lr=0.0, n_steps=3), "lr"),
    (lambda: tanh_rnn_jacobians(np.eye(3), np.ones(2), 3), "match h0"),
    (lambda: tanh_rnn_jacobians(np.eye(2), np.ones(2), 3, x=np.ones((2, 2))), "steps, n"),
    (lambda: lstm_cell(lstm_from_torch(torch.nn.LSTMCell(2, 3)), np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 2))),
     "shape of h"),
    (lambda: memory_capacity(0.9, max_delay=200), "max_delay <= washout"),
    (lambda: memory_capacity(0.9, n=0), "n must be"),
    (lambda: train_sequence_regressor("lstm", np.zeros((4, 3, 2)), np.zeros(5), np.zeros((2, 3, 2)), np.zeros(2),
                                      steps=1), "targets"),
    (lambda: information_flow(init_rnn(2, 3, 2, np.random.default_rng(0)), np.zeros((4, 1, 2)), np.full((4, 1), 2)),
     "labels"),
])
def test_more_bad_inputs_raise_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("seed", [0, 1])
def test_information_flow_ratios_match_autograd(seed: int) -> None:
    """Eq. 10.50's ratios ‖g⁽ᵗ⁾ ∂h⁽ᵗ⁾/∂h⁽ᵗ⁻¹⁾‖/‖g⁽ᵗ⁾‖ against torch: g from an unrolled graph, the product as a vjp."""
    rng = np.random.default_rng(seed)
    p = init_rnn(3, 5, 4, rng, scale=1.5)
    x, y, h0 = rng.normal(size=(9, 2, 3)), rng.integers(0, 4, size=(9, 2)), rng.normal(size=(2, 5))
    omega, ratios = information_flow(p, x, y, h0)
    P = {k: torch.tensor(getattr(p, k)) for k in p.names()}

    def step(h_prev: torch.Tensor, x_t: torch.Tensor) -> torch.Tensor:
        return torch.tanh(P["b"] + h_prev @ P["W"].T + x_t @ P["U"].T)

    X = torch.tensor(x)
    h, states = torch.tensor(h0, requires_grad=True), []
    for x_t in X:
        h = step(h, x_t)
        h.retain_grad()
        states.append(h)
    logits = torch.stack(states) @ P["V"].T + P["c"]
    torch.nn.functional.cross_entropy(logits.reshape(-1, 4), torch.tensor(y).reshape(-1), reduction="sum").backward()
    expected = []
    for t, h_t in enumerate(states):
        h_prev = states[t - 1].detach() if t > 0 else torch.tensor(h0)
        _, back = torch.autograd.functional.vjp(lambda hp: step(hp, X[t]), h_prev, h_t.grad)
        expected.append((back.norm(dim=-1) / h_t.grad.norm(dim=-1)).numpy())
    expected = np.array(expected)
    np.testing.assert_allclose(ratios, expected, rtol=1e-10, atol=1e-13)
    assert np.isclose(omega, np.sum((expected - 1.0) ** 2), rtol=1e-10)


def test_information_flow_is_zero_for_an_orthogonal_linear_regime() -> None:
    """With tiny inputs and an orthogonal W, tanh is nearly the identity and every ratio is nearly 1."""
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(6, 6)))[0]
    p0 = init_rnn(2, 6, 3, rng)
    p = RNNParams(U=1e-4 * p0.U, W=Q, b=p0.b, V=p0.V, c=p0.c)
    omega, ratios = information_flow(p, rng.normal(size=(10, 2, 2)), rng.integers(0, 3, size=(10, 2)))
    assert np.allclose(ratios, 1.0, atol=1e-6) and omega < 1e-10
