"""Execute every notebook of the book with nbclient and time it (budget: well under 60 s each, 5 min in all)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from benchmarks import BUDGETS, ROOT, table


def discover() -> list[Path]:
    """Every notebook under ``chapters/``, in reading order (new chapters are picked up automatically)."""
    return sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _cell_seconds(cell: Any) -> float:
    """How long the kernel spent on one cell, from the timestamps nbclient records."""
    t = cell.get("metadata", {}).get("execution", {})
    start, end = t.get("iopub.execute_input"), t.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run_one(path: Path, timeout: int = 600) -> dict[str, Any]:
    """Execute ``path`` top to bottom in a fresh kernel, in its own folder, as the book build does."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    try:
        client.execute()
    except CellExecutionError as err:
        error = str(err).strip().splitlines()[-1][:120]
    except Exception as err:  # a dead kernel or a timeout: report it, go on with the next notebook
        error = f"{type(err).__name__}: {err}"[:120]
    total = time.perf_counter() - start
    cells = [_cell_seconds(c) for c in nb.cells if c.cell_type == "code"]
    return {"notebook": str(path.relative_to(ROOT)), "total_s": total, "cells_s": sum(cells),
            "slowest_cell_s": max(cells, default=0.0), "n_cells": len(cells), "error": error}


def run(paths: list[Path] | None = None, progress: bool = True) -> list[dict[str, Any]]:
    results = []
    for path in paths if paths is not None else discover():
        if progress:
            print(f"  executing {path.relative_to(ROOT)} ...", flush=True)
        results.append(run_one(path))
    return results


def report(results: list[dict[str, Any]]) -> str:
    budget, book = BUDGETS["notebook_s"], BUDGETS["book_s"]
    rows = []
    for r in results:
        verdict = "FAILED: " + r["error"] if r["error"] else ("ok" if r["total_s"] < budget else "OVER BUDGET")
        rows.append([r["notebook"], f"{r['total_s']:.1f}", f"{r['cells_s']:.1f}", f"{r['slowest_cell_s']:.1f}",
                     r["n_cells"], verdict])
    total = sum(r["total_s"] for r in results)
    rows.append(["**whole book**", f"{total:.1f}", f"{sum(r['cells_s'] for r in results):.1f}", "", "",
                 "ok" if total < book else "OVER BUDGET"])
    head = (f"Notebooks: executed one after another with nbclient, each in a fresh kernel (wall time includes "
            f"the kernel's start). Budgets: each < {budget:.0f} s, the whole book < {book:.0f} s.\n\n")
    return head + table(["notebook", "total (s)", "cells (s)", "slowest cell (s)", "code cells", "verdict"], rows)
