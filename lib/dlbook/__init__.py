"""dlbook: the shared library of *Deep Learning, Interactively*.

Every function is named by the concept it implements and its docstring cites the
section of Goodfellow, Bengio & Courville, *Deep Learning* (2016), that it teaches.
Chapters import from here and show the source with :func:`dlbook.source.show_source`.
"""

from dlbook.source import show_source
from dlbook.utils import device, seed_everything

__all__ = ["device", "seed_everything", "show_source"]
__version__ = "0.1.0"
