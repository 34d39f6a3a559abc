"""Each registered demo's update latency over its control grid: compute + draw (budget: median < 50 ms)."""

from __future__ import annotations

import gc
import statistics
import time
import warnings
from typing import Any

from dlbook.demo import DENSITY, figure_png, registered

from benchmarks import BUDGETS, table


def run_one(factory: Any) -> dict[str, Any]:
    """Time ``compute`` and ``draw`` at every point of the demo's static grid (what a reader can reach).

    One call at the defaults comes first, untimed: the live widget makes it when it is displayed. The PNG
    encoding that the static page and the live widget add is timed apart, so the budget applies to the
    demo's own code. Python's garbage collector runs as it would in a session, so the worst case
    includes its occasional pauses to free old figures.
    """
    demo = factory()
    gc.collect()  # start clean: a demo should not pay for collecting the figures of the demos timed before it
    compute_s, draw_s, png_s = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tests/test_demo.py is where warnings fail; here we only time
        demo.frame()
        for setting in demo.settings():
            t0 = time.perf_counter()
            data = demo.compute(**(demo.data or {}), **{**demo.defaults, **setting})
            t1 = time.perf_counter()
            fig = demo.draw(data)
            t2 = time.perf_counter()
            figure_png(fig, dpi=demo.dpi * DENSITY)
            t3 = time.perf_counter()
            compute_s.append(t1 - t0)
            draw_s.append(t2 - t1)
            png_s.append(t3 - t2)
    total = [c + d for c, d in zip(compute_s, draw_s)]
    return {"frames": len(total), "median_s": statistics.median(total), "worst_s": max(total),
            "compute_median_s": statistics.median(compute_s), "draw_median_s": statistics.median(draw_s),
            "png_median_s": statistics.median(png_s)}


def run(progress: bool = True) -> list[dict[str, Any]]:
    results = []
    for name, factory in registered().items():
        if progress:
            print(f"  sweeping {name} ...", flush=True)
        results.append({"demo": name, **run_one(factory)})
    return results


def report(results: list[dict[str, Any]]) -> str:
    budget = BUDGETS["demo_median_s"]
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    rows = [[r["demo"].removeprefix("dlbook.demos."), r["frames"], ms(r["median_s"]), ms(r["worst_s"]),
             ms(r["compute_median_s"]), ms(r["draw_median_s"]), ms(r["png_median_s"]),
             "ok" if r["median_s"] < budget else "OVER BUDGET"] for r in results]
    head = (f"Demos: every point of each demo's control grid; an update is compute + draw (the PNG encoding "
            f"is listed apart). Budget: median update < {budget * 1000:.0f} ms.\n\n")
    return head + table(["demo", "settings", "median (ms)", "worst (ms)", "compute (ms)", "draw (ms)",
                         "png (ms)", "verdict"], rows)
