"""Show library code in a chapter, rendered from its source file.

A chapter never pastes library code: it calls :func:`show_source`, so the page
shows exactly the code that runs (developers' guide, principle 1).
"""

from __future__ import annotations

import inspect
import re
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

    Each block is headed by the object's name, its file and line numbers, e.g. "``dlbook.pca.fit_pca`` in
    ``lib/dlbook/pca.py``, lines 20–41:". The book's build (``dlbook.sphinxext.fold_source_listings``) reads that
    heading to fold a long listing behind a one-line summary; in Jupyter the listing stays as it is.
    """
    if not objs:
        raise ValueError("show_source needs at least one function, class or module")
    blocks = []
    for obj in objs:
        text, rel, start = source_text(obj)
        end = start + text.count("\n") - 1
        fence = "```" + "`" * max((len(run) - 2 for run in re.findall(r"`{3,}", text)), default=0)
        blocks.append(f"*`{qualified_name(obj)}` in `lib/{rel}`, lines {start}–{end}:*\n\n"
                      f"{fence}python\n{text.rstrip()}\n{fence}")
    return Markdown("\n\n".join(blocks))


def qualified_name(obj: Any) -> str:
    """``dlbook.pca.fit_pca`` for a function, ``dlbook.autodiff.Value.backward`` for a method, the module's name
    for a module."""
    if inspect.ismodule(obj):
        return obj.__name__
    obj = getattr(obj, "__func__", obj)
    return f"{obj.__module__}.{obj.__qualname__}"


#: The MIME prefix under which MyST-NB finds a glued value that is not displayed (as ``myst_nb.glue`` writes it).
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store a value in the notebook's output so the prose can paste it with ``{glue:text}`name```.

    The same output as ``myst_nb.glue`` (the display data plus ``scrapbook`` metadata that MyST-NB reads), without
    importing MyST-NB, whose import (nbformat, jsonschema) costs about 2.5 s of CPU in every notebook.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue needs a non-empty string name; got {name!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    mimebundle, metadata = format_display_data(variable)
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=mime_prefix)
    ipy_display({mime_prefix + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
