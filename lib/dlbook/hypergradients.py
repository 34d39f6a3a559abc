"""Hypergradients through unrolled optimisation (Maclaurin et al., 2015; weight decay §7.1.1, gradient descent §4.3).

Training is a differentiable function of its hyperparameters: ``T`` steps of gradient descent on a weight-decayed
training loss give weights ``w_T(λ)``, and the validation loss ``L_val(w_T(λ))`` can be differentiated with respect
to ``log λ``. Here, for linear least squares, the derivative is carried forward step by step (forward mode): with
``v_t = dw_t / d log λ``, differentiating ``w_{t+1} = w_t - η (X^T (X w_t - y) / n + λ w_t)`` gives
``v_{t+1} = v_t - η (X^T X v_t / n + λ v_t + λ w_t)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlbook.checks import as_array, check_int, check_positive


def unrolled_ridge(X: Any, y: Any, X_val: Any, y_val: Any, log_lam: float, steps: int = 100,
                   lr: float = 0.1) -> tuple[float, float, np.ndarray]:
    """``(validation loss, its derivative in log λ, final weights)`` after ``steps`` of gradient descent from 0.

    The losses are ``||X w - y||^2 / (2n)``; the training loss adds ``λ ||w||^2 / 2``.
    """
    X, X_val = as_array(X, "X", ndim=2), as_array(X_val, "X_val", ndim=2)
    y, y_val = as_array(y, "y", ndim=1), as_array(y_val, "y_val", ndim=1)
    if len(y) != len(X) or len(y_val) != len(X_val) or X.shape[1] != X_val.shape[1]:
        raise ValueError(f"shapes do not match: X {X.shape}, y {y.shape}, X_val {X_val.shape}, y_val {y_val.shape}")
    lam, n = float(np.exp(log_lam)), len(y)
    lr, steps = check_positive(lr, "lr"), check_int(steps, "steps", low=1)
    w, v = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    for _ in range(steps):
        w, v = (w - lr * (X.T @ (X @ w - y) / n + lam * w),
                v - lr * (X.T @ (X @ v) / n + lam * v + lam * w))
    r = X_val @ w - y_val
    return float(r @ r / (2 * len(r))), float(r @ (X_val @ v) / len(r)), w
