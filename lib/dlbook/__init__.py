"""dlbook: the shared library of *Deep Learning, Interactively*.

Every function is named by the concept it implements and its docstring cites the
section of Goodfellow, Bengio & Courville, *Deep Learning* (2016), that it teaches.
Chapters import from here and show the source with :func:`dlbook.source.show_source`.

The package imports nothing heavy: ``show_source`` (IPython) and ``device``/``seed_everything``
(torch) load on first use, so ``import dlbook.demos.<topic>`` also works in the browser (Pyodide),
where neither IPython nor torch exists.
"""

from typing import Any

__all__ = ["device", "glue", "seed_everything", "show_source"]
__version__ = "0.1.0"

_LAZY = {"show_source": "dlbook.source", "glue": "dlbook.source", "device": "dlbook.utils",
         "seed_everything": "dlbook.utils"}


def _retina_figures() -> None:
    """In a Jupyter kernel, show matplotlib figures as 2x PNGs at their usual size (crisp on high-density
    screens and in the book, whose pages are the executed notebooks). Does nothing elsewhere (Pyodide, scripts)."""
    import sys

    if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        from matplotlib_inline.config import InlineBackend

        shell = get_ipython()
        if shell is not None:
            InlineBackend.instance(parent=shell).figure_formats = {"retina"}
    except ImportError:  # matplotlib-inline missing: keep IPython's default PNGs
        pass


#: How a notebook prints numpy arrays: four decimals, no e-notation columns, lines that fit the book's column.
PRINT_OPTIONS = dict(precision=4, suppress=True, linewidth=100)


def _readable_arrays() -> None:
    """In a Jupyter kernel, print numpy arrays for people: ``[0.751  0.521]``, not ``[7.510000e-01 5.210000e-01]``.
    Does nothing elsewhere (tests, scripts, Pyodide keep numpy's defaults)."""
    import sys

    if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
        return
    import numpy as np

    np.set_printoptions(**PRINT_OPTIONS)


_retina_figures()
_readable_arrays()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dlbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
