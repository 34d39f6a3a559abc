"""Reproducibility and hardware helpers used by every chapter."""

from __future__ import annotations

import importlib.abc
import importlib.util
import random
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used, so this module also imports without it
    import torch


def seed_everything(seed: int = 0, threads: int | None = 1) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch, and return a fresh NumPy ``Generator``.

    Chapters call this once at the top so every run prints the same numbers. It also limits PyTorch to
    ``threads`` CPU threads (``None`` leaves torch's default): the book's models are small, and on a 2-core
    machine one thread was measured 4.5 times faster than two. A notebook that has not imported torch does not
    pay for importing it here (about 2.5 s of CPU): torch is then seeded the moment it is first imported.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None; got {threads!r}")
    random.seed(seed)
    np.random.seed(seed)
    for hook in [h for h in sys.meta_path if isinstance(h, _SeedTorchOnImport)]:
        sys.meta_path.remove(hook)
    if "torch" in sys.modules:
        _seed_torch(sys.modules["torch"], seed, threads)
    else:
        sys.meta_path.insert(0, _SeedTorchOnImport(seed, threads))
    return np.random.default_rng(seed)


def _seed_torch(torch: Any, seed: int, threads: int | None) -> None:
    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)


class _SeedTorchOnImport(importlib.abc.MetaPathFinder):
    """Seeds torch (and sets its threads) right after its first import, then removes itself."""

    def __init__(self, seed: int, threads: int | None) -> None:
        self.seed, self.threads = seed, threads

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("torch")
        if spec is None or spec.loader is None:
            return spec
        original, seed, threads = spec.loader, self.seed, self.threads

        class _Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return original.create_module(spec)

            def exec_module(self, module: Any) -> None:
                original.exec_module(module)
                _seed_torch(module, seed, threads)

        spec.loader = _Loader()
        return spec


def device() -> "torch.device":
    """The best available device: CUDA, then Apple MPS, then the CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
