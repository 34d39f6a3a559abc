"""Networks can memorise random labels (Zhang et al., 2016; capacity and generalisation: §5.2).

The same network, optimiser and data reach zero training error whether the labels are true or replaced by noise;
only the test accuracy tells the two apart. Capacity alone therefore cannot explain why the true-label network
generalises.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from dlbook.checks import as_array, check_int
from dlbook.tensor_adam import TensorAdam


def randomize_labels(labels: Any, share: float, classes: int, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``labels`` in which a ``share`` of the entries (chosen at random) get a uniformly random class."""
    y = np.asarray(labels).copy()
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be in [0, 1]; got {share}")
    which = rng.permutation(len(y))[: int(round(share * len(y)))]
    y[which] = rng.integers(0, classes, size=len(which))
    return y


def fit_until_memorised(X: Any, labels: Any, hidden: int = 128, max_steps: int = 400, lr: float = 0.01,
                        seed: int = 0) -> tuple[nn.Module, np.ndarray]:
    """Full-batch Adam on a ``d-hidden-hidden-k`` ReLU MLP until every training label is fitted (or ``max_steps``).

    Returns the model and the training accuracy after each step.
    """
    X = torch.as_tensor(as_array(X, "X", ndim=2), dtype=torch.float32)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    torch.manual_seed(seed)
    k = int(y.max()) + 1
    model = nn.Sequential(nn.Linear(X.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                          nn.Linear(hidden, k))
    opt = TensorAdam(model.parameters(), lr=lr)
    curve = []
    for _ in range(check_int(max_steps, "max_steps", low=1)):
        logits = model(X)
        curve.append(float((logits.argmax(1) == y).float().mean()))
        if curve[-1] == 1.0:
            break
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, np.array(curve)
