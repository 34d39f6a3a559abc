"""Small convolutional and fully connected classifiers in torch, and a seeded training loop (§9.3–9.4, §9.9).

These are the models Chapter 9 trains on real MNIST digits (:func:`dlbook.data.mnist5k`); the operations
themselves are written from scratch in :mod:`dlbook.conv` and :mod:`dlbook.pooling` and checked against torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from dlbook.checks import as_array, check_int, check_positive


def small_cnn(channels: tuple[int, int] = (8, 16), kernel: int = 5, n_classes: int = 10,
              side: int = 28) -> nn.Sequential:
    """Two convolution → ReLU → 2×2 max-pool stages and a linear read-out (a small LeNet, LeCun et al. 1998).

    On 28×28 digits with 5×5 kernels the maps are 24 → 12 → 8 → 4 pixels wide.
    """
    c1, c2 = channels
    after = ((side - kernel + 1) // 2 - kernel + 1) // 2
    if after < 1:
        raise ValueError(f"a {side}-pixel input is too small for two {kernel}×{kernel} stages")
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, kernel), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * after * after, n_classes),
    )


def mlp_classifier(hidden: int, n_inputs: int = 784, n_classes: int = 10) -> nn.Sequential:
    """A one-hidden-layer ReLU network on the flattened image: no prior about space at all."""
    return nn.Sequential(nn.Flatten(), nn.Linear(n_inputs, check_int(hidden, "hidden", low=1)), nn.ReLU(),
                         nn.Linear(hidden, n_classes))


def n_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of (trainable) parameters of a torch model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)   # mean training loss of each epoch
    test_accuracy: float = float("nan")
    seconds: float = 0.0                               # CPU time of the training loop (steady on a busy machine)


def train_classifier(model: nn.Module, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, *,
                     epochs: int = 5, lr: float = 3e-3, batch_size: int = 64, seed: int = 0) -> TrainResult:
    """Train with Adam on softmax cross-entropy (minibatches in a seeded order); report test accuracy.

    ``X`` is (n, 1, H, W) float in [0, 1] (or (n, d) features for a linear read-out); parameters that have
    ``requires_grad=False`` stay fixed.
    """
    import time

    X, X_test = as_array(X, "X", ndim=(2, 3, 4)), as_array(X_test, "X_test", ndim=(2, 3, 4))
    epochs, batch_size = check_int(epochs, "epochs", low=1), check_int(batch_size, "batch_size", low=1)
    lr = check_positive(lr, "lr")
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.as_tensor(np.asarray(y), dtype=torch.long)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    gen = torch.Generator().manual_seed(seed)
    result, start = TrainResult(), time.process_time()
    model.train()
    for _ in range(epochs):
        order, total = torch.randperm(len(Xt), generator=gen), 0.0
        for i in range(0, len(Xt), batch_size):
            idx = order[i:i + batch_size]
            loss = nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        result.losses.append(total / len(Xt))
    result.seconds = time.process_time() - start
    result.test_accuracy = accuracy(model, X_test, y_test)
    return result


@torch.no_grad()
def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of examples whose arg-max logit is the label."""
    model.eval()
    logits = model(torch.tensor(as_array(X, "X", ndim=(2, 3, 4)), dtype=torch.float32))
    return float((logits.argmax(1).numpy() == np.asarray(y)).mean())


def digit_split(images: np.ndarray, labels: np.ndarray, n_test_per_class: int = 100,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train/test split of uint8 digits, scaled to [0, 1] with a channel axis: (n, 1, 28, 28)."""
    rng = np.random.default_rng(seed)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:n_test_per_class]
                           for c in np.unique(labels)])
    train = np.setdiff1d(np.arange(len(labels)), test)
    train = rng.permutation(train)
    X = images.astype(np.float32)[:, None] / 255.0
    return X[train], labels[train], X[test], labels[test]


@torch.no_grad()
def frozen_features(model: nn.Sequential, X: np.ndarray, n_layers: int) -> np.ndarray:
    """The output of the first ``n_layers`` modules of ``model`` on ``X``, flattened: fixed features (§9.9)."""
    n_layers = check_int(n_layers, "n_layers", low=1, high=len(model))
    h = torch.tensor(as_array(X, "X", ndim=4), dtype=torch.float32)
    for layer in list(model)[:n_layers]:
        h = layer(h)
    return h.flatten(1).numpy().astype(np.float64)
