"""Show library code in a chapter, rendered from its source file.

A chapter never pastes library code: it calls :func:`show_source`, so the page
shows exactly the code that runs (developers' guide, principle 1).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from IPython.display import Markdown


def source_text(obj: Any) -> tuple[str, str, int]:
    """Return ``(source, path relative to lib/, first line number)`` of a function, class or module."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj) or inspect.ismethod(obj)):
        raise ValueError(f"show_source needs a function, class or module; got {type(obj).__name__}")
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj) or "?")
    parts = path.parts
    rel = "/".join(parts[parts.index("dlbook"):]) if "dlbook" in parts else path.name
    return "".join(lines), rel, max(start, 1)


def show_source(*objs: Any) -> Markdown:
    """Render the source of one or more library objects as highlighted Python.

    Each block is headed by its file and line numbers, e.g. ``dlbook/pca.py, lines 20-41``.
    """
    if not objs:
        raise ValueError("show_source needs at least one function, class or module")
    blocks = []
    for obj in objs:
        text, rel, start = source_text(obj)
        end = start + text.count("\n") - 1
        blocks.append(f"*`lib/{rel}`, lines {start}–{end}:*\n\n```python\n{text.rstrip()}\n```")
    return Markdown("\n\n".join(blocks))
