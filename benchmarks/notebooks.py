"""Execute every notebook of the book with nbclient and time it, against the budgets in :data:`BUDGETS`:
each notebook, the whole book, a projection of the whole book once every planned chapter is written, and the
last measured ``make test``."""

from __future__ import annotations

import json
import re
import statistics
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


def planned_chapters() -> list[str]:
    """The chapters the landing page's map lists as planned (not yet written)."""
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    return re.findall(r"^\| (\d+) \|.*\| planned \|$", intro, flags=re.M)


def projection(results: list[dict[str, Any]]) -> dict[str, float]:
    """The whole book's execution time once every planned chapter exists, at today's averages per chapter."""
    chapters = {r["notebook"].split("/")[1] for r in results}
    per_chapter = sum(r["total_s"] for r in results) / max(len(chapters), 1)
    planned = len(planned_chapters())
    return {"written_chapters": len(chapters), "planned_chapters": planned,
            "seconds_per_chapter": per_chapter,
            "projected_book_s": sum(r["total_s"] for r in results) + planned * per_chapter}


def last_make_test() -> dict[str, float]:
    """The durations of the two `make test` stages as the test harness recorded them (tests/harness.py)."""
    path = ROOT / "_build" / "test-times.json"
    times = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {f"stage {i + 1}": times[k] for i, k in enumerate(("not (build or after_nbval)", "build or after_nbval"))
            if k in times}


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
    slowest = sorted(results, key=lambda r: -r["total_s"])[:10]
    ten = table(["slowest notebooks", "total (s)", "share of the book"],
                [[r["notebook"], f"{r['total_s']:.1f}", f"{100 * r['total_s'] / max(total, 1e-9):.0f}%"]
                 for r in slowest])
    p = projection(results)
    median = statistics.median([r["total_s"] for r in results]) if results else 0.0
    summary = table(["budget", "measured", "limit", "verdict"], [
        ["slowest notebook (s)", f"{slowest[0]['total_s']:.1f}" if slowest else "—", f"{budget:.0f}",
         "ok" if not slowest or slowest[0]["total_s"] < budget else "OVER BUDGET"],
        ["median notebook (s)", f"{median:.1f}", "", ""],
        ["whole book now (s)", f"{total:.1f}", f"{book:.0f}", "ok" if total < book else "OVER BUDGET"],
        [f"whole book projected: {p['written_chapters']} chapters written, {p['planned_chapters']} planned at "
         f"{p['seconds_per_chapter']:.0f} s each (s)", f"{p['projected_book_s']:.0f}", f"{book:.0f}",
         "ok" if p["projected_book_s"] < book else "OVER BUDGET"],
        *[[f"last `make test`, {stage} (s)", f"{sec:.0f}", "", ""] for stage, sec in last_make_test().items()],
        ["last `make test`, both stages (s)", f"{sum(last_make_test().values()):.0f}" if last_make_test() else "—",
         f"{BUDGETS['make_test_s']:.0f}",
         ("ok" if sum(last_make_test().values()) < BUDGETS["make_test_s"] else "OVER BUDGET") if last_make_test()
         else "not measured yet: run `make test`"],
    ])
    return (head + table(["notebook", "total (s)", "cells (s)", "slowest cell (s)", "code cells", "verdict"], rows)
            + "\n\n" + ten + "\n\n" + summary)
