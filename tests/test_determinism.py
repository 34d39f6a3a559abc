"""Determinism: a representative notebook, executed twice in fresh kernels, prints exactly the same text.

The first execution is nbval's (saved by tests/harness.py): this runs in the second stage of ``make test``,
after nbval, and executes the notebook once more (it executes it twice only when nbval's copy is missing or
stale, e.g. when this file is run alone).

Every notebook seeds itself (``rng = seed_everything(0)``), so a reader who re-runs it sees the numbers the
book shows. This executes notebooks twice and compares every text output: printed streams, ``text/plain``,
``text/markdown``, ``text/latex`` and ``text/html`` (a dlbook demo's pre-rendered HTML, its PNG frames
included, is deterministic). Live-widget views are left out: their model ids are random by design.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from harness import EXECUTED, ROOT

pytestmark = pytest.mark.after_nbval

#: Notebooks that exercise the most machinery: seeded data, linear algebra, static figures and demos.
REPRESENTATIVE = ["chapters/02-linear-algebra/03-pca.ipynb"]
TEXT_TYPES = ("text/plain", "text/markdown", "text/latex", "text/html")


def _execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _text_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, kind, text) for every text output of every code cell, in order."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append((i, f"stream:{out.name}", out.text))
            elif out.output_type in ("execute_result", "display_data"):
                for kind in TEXT_TYPES:
                    if kind in out.data:
                        text = out.data[kind]
                        found.append((i, kind, "".join(text) if isinstance(text, list) else text))
            elif out.output_type == "error":
                found.append((i, "error", f"{out.ename}: {out.evalue}"))
    return found


@pytest.mark.parametrize("relpath", REPRESENTATIVE)
def test_running_a_notebook_twice_prints_the_same_text(relpath: str) -> None:
    path = ROOT / relpath
    saved = EXECUTED / relpath
    nb_saved = nbformat.read(saved, as_version=4) if saved.exists() else None
    source = nbformat.read(path, as_version=4)
    code = lambda nb: [c.source for c in nb.cells if c.cell_type == "code"]  # noqa: E731
    first_nb = nb_saved if nb_saved is not None and code(nb_saved) == code(source) else _execute(path)
    first, second = _text_outputs(first_nb), _text_outputs(_execute(path))
    assert first, f"{relpath} produced no text output to compare"
    assert [(i, k) for i, k, _ in first] == [(i, k) for i, k, _ in second], f"{relpath}: the outputs differ in kind"
    for (cell, kind, a), (_, _, b) in zip(first, second):
        assert a == b, f"{relpath}, cell {cell}: the {kind} output differs between two runs:\n{a[:300]}\n---\n{b[:300]}"
