"""Every live demo executed under the exact runtime the online book ships: Pyodide (CPython in WebAssembly), run
by node with no browser. One boot runs every demo at its defaults, at both ends of every control and at random
values off the frame grid: no exception, no NaN, a figure of the kernel's size with something drawn on it.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import numpy as np
import pytest

from harness import ROOT
from dlbook import browser
from dlbook import pyodide_runtime as rt
from dlbook.demo import Slider, registered

NODE_SCRIPT = ROOT / "tests" / "pyodide_demos.mjs"


def cases_for(demo, rng: random.Random, n_random: int = 1) -> list[dict]:
    """Defaults, each control at both ends (the others at their defaults), and random settings off the grid
    (one per demo by default: with 80-odd demos that is 80-odd random settings, and node renders each at the
    page's density, so every extra one costs minutes of the test run)."""
    out = [dict(demo.defaults)]
    for c in demo.controls:
        ends = [c.low, c.high] if isinstance(c, Slider) else [c.grid()[0], c.grid()[-1]]
        out += [{**demo.defaults, c.name: v} for v in ends]
    for _ in range(n_random):
        out.append({c.name: (rng.uniform(c.low, c.high) if isinstance(c, Slider) else rng.choice(c.grid()))
                    for c in demo.controls})
    return out


def page_values(demo, values: dict) -> dict:
    """What the page sends: slider positions as numbers, choices as option indices."""
    return {c.name: (values[c.name] if isinstance(c, Slider) else c.grid().index(values[c.name]))
            for c in demo.controls}


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install -y nodejs; .ci/run does it): cannot run Pyodide")
    try:
        runtime, slow = rt.shipped_runtime()  # what the book ships: precompiled, since node is here
    except rt.RuntimeUnavailable as e:
        if "DLBOOK_LIVE=0" in str(e):
            pytest.skip(str(e))
        pytest.fail(f"Pyodide runtime unavailable: {e}\n{rt.runtime_help()}")
    assert slow is None, f"node is installed but the runtime was not precompiled: {slow}"
    tmp = tmp_path_factory.mktemp("pyodide")
    rng = random.Random(0)
    demos, cases, packages, expected = {}, [], set(), {}
    for name, factory in registered().items():
        demo = factory()
        if browser.live_reason(demo) is not None:
            continue
        spec = browser.live_spec(demo)
        packages.update(spec["packages"], spec["lazy"].values())
        demos[name] = json.dumps(spec)
        # the kernel's frame size: a demo's figure has one size for every setting (the page swaps frames in place)
        size = browser._rgba(demo.frame(**demo.defaults), demo.dpi)[:2]
        for values in cases_for(demo, rng):
            expected[len(cases)] = size
            cases.append({"id": len(cases), "key": name, "values": page_values(demo, values)})
    (tmp / "cases.json").write_text(json.dumps({"packages": sorted(packages), "demos": demos, "cases": cases}))
    zip_path = browser.pack_library(tmp / "dlbook.zip")
    proc = subprocess.run([node, str(NODE_SCRIPT), str(runtime), str(zip_path), str(tmp / "cases.json")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"node exited with {proc.returncode}:\n{proc.stderr[-4000:]}"
    # the shipped font cache was used: matplotlib warns when it has to list the fonts itself
    assert "building the font cache" not in proc.stderr + proc.stdout, "matplotlib ignored the shipped fontlist.json"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"result": result, "demos": demos, "cases": cases, "expected": expected}


def test_every_live_demo_runs_under_pyodide(pyodide_run: dict) -> None:
    result = pyodide_run["result"]
    rows = result["results"]
    failed = [f"{r['key']} at {r['values']}: {r.get('error')}" for r in rows if not r["ok"]]
    assert not failed, "demos failed under Pyodide:\n" + "\n".join(failed[:10])
    assert {r["key"] for r in rows} == set(pyodide_run["demos"]), "some live demos were not run"
    assert len(rows) == len(pyodide_run["cases"])
    for r in rows:
        where = f"{r['key']} at {r['values']}"
        assert not r["nan"], f"NaN in the data of {where} under Pyodide"
        assert r["ink"], f"{where}: the figure came back blank"
        want = pyodide_run["expected"][r["id"]]
        assert (r["w"], r["h"]) == want, f"{where}: figure is {r['w']}x{r['h']} px, the kernel draws {want}"
    times = [r["ms"] for r in rows]
    print(f"\n{result['version']}: booted in {result['boot_s']:.1f} s; {len(rows)} renders, "
          f"median {np.median(times):.0f} ms, worst {max(times):.0f} ms")


def test_every_numpy_demo_is_live() -> None:
    """Every registered demo computes live unless its author said why not."""
    stuck = {}
    for name, factory in registered().items():
        demo = factory()
        why = browser.live_reason(demo)
        if why is not None and demo.in_browser:
            stuck[name] = why
    assert not stuck, f"demos that cannot run in the browser: {stuck}"
