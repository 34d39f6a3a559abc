"""dlbook.cnn: model shapes, parameter counts against a closed form, and a seeded, reproducible training run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook.cnn import digit_split, frozen_features, mlp_classifier, n_parameters, small_cnn, train_classifier


def test_shapes_and_parameter_counts() -> None:
    cnn = small_cnn()
    assert cnn(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert n_parameters(cnn) == (8 * 25 + 8) + (16 * 8 * 25 + 16) + (16 * 16 * 10 + 10)
    assert n_parameters(mlp_classifier(8)) == 784 * 8 + 8 + 8 * 10 + 10
    assert frozen_features(cnn, np.zeros((2, 1, 28, 28)), 7).shape == (2, 256)
    with pytest.raises(ValueError, match="too small"):
        small_cnn(side=10)


def test_training_is_seeded_and_learns() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(200, 28, 28)).astype(np.uint8)
    labels = np.repeat(np.arange(2), 100)
    images[labels == 1, :, :14] = 255                      # class 1: left half bright
    Xtr, ytr, Xte, yte = digit_split(images, labels, n_test_per_class=20)
    assert Xtr.shape == (160, 1, 28, 28) and Xte.shape == (40, 1, 28, 28) and Xtr.max() <= 1.0
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(train_classifier(mlp_classifier(4, n_classes=2), Xtr, ytr, Xte, yte, epochs=3, seed=1))
    assert runs[0].losses == runs[1].losses and runs[0].test_accuracy == 1.0
