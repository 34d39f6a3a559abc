"""Benchmarks of the whole book: ``make bench`` (or ``python -m benchmarks``) prints its tables.

* :mod:`benchmarks.notebooks`: each notebook under ``chapters/`` executed with nbclient, timed;
* :mod:`benchmarks.demos`: each registered demo's update latency (compute + draw) over its control grid;
* :mod:`benchmarks.kernels`: each from-scratch kernel against its library twin (time ratio, largest difference);
* :mod:`benchmarks.pages`: each built page's weight: HTML, demo frames, live data, a first visit's transfer;
* :mod:`benchmarks.live`: the built site's live demos in headless Chromium (first live frame, update times).

The benchmarks report against the book's budgets (:data:`BUDGETS`); they never fail the test suite on time.
Results are also written to ``benchmarks/results/`` (git-ignored) as JSON and Markdown.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

#: The budgets the tables are reported against (seconds).
BUDGETS = {
    "notebook_s": 30.0,        # each notebook, top to bottom, on 2 cores (training within it: 20 s)
    "book_s": 480.0,           # the whole book's execution on 2 cores, once all 23 chapters are written
    "make_test_s": 1200.0,     # `make test` on this machine with the whole book
    "demo_median_s": 0.050,    # a demo update (compute + draw), median over its grid
    "live_first_s": 8.0,       # live demos in the browser: first computed frame after the demo is seen
    "live_median_s": 0.200,    # ... and a slider move to its new image, median (goal 0.1 s)
}


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table with right-aligned numbers, readable in a terminal too."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(_is_number(r[i]) for r in cells[1:]) and len(cells) > 1 for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, numeric)) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric)) + " |"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _is_number(s: str) -> bool:
    try:
        float(s.rstrip("x%"))
        return True
    except ValueError:
        return s in {"", "—"}
