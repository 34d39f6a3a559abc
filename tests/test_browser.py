"""The live-demo machinery on the host: live specs, notebook data, value snapping, the shipped package, and the
render path the browser's worker calls (``dlbook.browser.register_demo``/``render_frame``), checked against the kernel's
own frame. ``tests/test_pyodide.py`` runs the same path under Pyodide."""

from __future__ import annotations

import json
import re
import sys
import textwrap
import zipfile

import numpy as np
import pytest

from dlbook import browser
from dlbook.demo import Choice, Demo, Slider
from dlbook.demos.numerical import gd_quadratic_demo
from live_toy import scaled_compute, scaled_draw


def data_demo() -> Demo:
    return Demo(scaled_compute, scaled_draw, [Slider("scale", 0.0, 2.0, 0.1, 1.0, frames=3),
                                              Choice("kind", ["line", "flipped"], "line")],
                data={"weights": np.array([1.5, -2.0])}, title="data demo")


def test_live_spec_names_the_library_functions() -> None:
    demo = gd_quadratic_demo()
    assert browser.live_reason(demo) is None
    spec = browser.live_spec(demo)
    assert spec["compute"] == "dlbook.demos.numerical:gd_quadratic_compute"
    assert browser.resolve_ref(spec["draw"]) is demo.draw
    assert {"numpy", "matplotlib"} <= set(spec["packages"]) and "scipy" not in spec["packages"]
    assert [c["name"] for c in spec["controls"]] == [c.name for c in demo.controls]


def test_browser_render_is_the_kernel_frame_for_an_off_grid_value() -> None:
    demo = gd_quadratic_demo()
    spec = browser.live_spec(demo)
    browser.register_demo("gd", json.dumps(spec))
    slider = next(c for c in spec["controls"] if c["kind"] == "slider")
    off = [v for v in (slider["low"] + k * slider["step"] for k in range(1000)) if v <= slider["high"]
           and all(abs(v - g) > 1e-9 for g in slider["grid"])]
    value = off[len(off) // 2] if off else slider["high"]
    w, h, rgba, used = browser.render_frame("gd", json.dumps({slider["name"]: value + 1e-7}))  # snapped to the step
    used = json.loads(used)
    assert abs(used[slider["name"]] - value) < 1e-9
    w2, h2, want = browser._rgba(demo.frame(**used), demo.dpi)
    assert (w, h) == (w2, h2) and rgba == want


def test_reused_renderer_draws_what_a_fresh_canvas_draws() -> None:
    """The page's frames share one Agg renderer per figure size (so matplotlib's text measurements stay cached):
    frame after frame, each is what a fresh FigureCanvasAgg draws."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dlbook.demo import DENSITY

    demo = gd_quadratic_demo()
    browser.register_demo("gd-reuse", json.dumps(browser.live_spec(demo)))
    slider = next(c for c in browser.live_spec(demo)["controls"] if c["kind"] == "slider")
    for value in (slider["low"], slider["high"], slider["low"]):
        w, h, rgba, used = browser.render_frame("gd-reuse", json.dumps({slider["name"]: value}))
        fig = demo.frame(**json.loads(used))
        fig.set_dpi(demo.dpi * DENSITY)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        assert (w, h) == canvas.get_width_height() and rgba == bytes(canvas.buffer_rgba())


def test_values_are_clipped_and_snapped() -> None:
    s = {"kind": "slider", "low": -1.0, "high": 2.0, "step": 0.25, "value": 0.0, "int": False}
    assert browser._snap(s, 0.3) == 0.25 and browser._snap(s, 9) == 2 and browser._snap(s, -5) == -1
    i = {"kind": "slider", "low": 1, "high": 64, "step": 1, "value": 8, "int": True}
    assert browser._snap(i, 7.6) == 8 and isinstance(browser._snap(i, 7.6), int)
    c = {"kind": "choice", "values": ["a", "b"], "value": 0}
    assert browser._snap(c, 1) == "b"


def test_notebook_data_ships_with_the_page() -> None:
    demo = data_demo()
    assert browser.live_reason(demo) is None
    spec = browser.live_spec(demo)
    data = browser.unpack_data(spec["data"])
    np.testing.assert_array_equal(data["weights"], [1.5, -2.0])
    browser.register_demo("data", json.dumps(spec))
    w, h, rgba, used = browser.render_frame("data", json.dumps({"scale": 1.37, "kind": 1}))
    assert json.loads(used) == {"scale": 1.4, "kind": "flipped"}
    assert rgba == browser._rgba(demo.frame(scale=1.4, kind="flipped"), demo.dpi)[2]
    with pytest.raises(ValueError, match="also control names"):
        Demo(scaled_compute, scaled_draw, [Slider("scale", 0, 1, 0.5, 0)], data={"scale": 1})


def test_the_build_moves_notebook_data_to_a_file_the_worker_loads(tmp_path) -> None:
    """dlbook.sphinxext takes a live demo's data out of the page into _demo/<sha1>.npz (named relative to the
    page); registering the demo from that file (what the worker does) renders the same frame as inline data."""
    from dlbook.sphinxext import externalize_live_data

    demo = data_demo()
    page = tmp_path / "chapters" / "x" / "page.html"
    page.parent.mkdir(parents=True)
    html = demo.static_html()
    out = externalize_live_data(html, page, tmp_path)
    assert len(out) < len(html) - len(browser.live_spec(demo)["data"]) + 100
    spec = json.loads(re.search(r'class="dlbook-demo-live">(.*?)</script>', out, re.S).group(1))
    assert spec["data"] is None and spec["data_src"].startswith("../../_demo/") and spec["data_src"].endswith(".npz")
    assert externalize_live_data(out, page, tmp_path) == out  # idempotent (an incremental build re-reads pages)
    browser.register_demo("from-file", json.dumps(spec), str((page.parent / spec["data_src"]).resolve()))
    np.testing.assert_array_equal(browser._DEMOS["from-file"]["data"]["weights"], [1.5, -2.0])
    got = browser.render_frame("from-file", json.dumps({"scale": 0.5, "kind": 0}))[2]
    assert got == browser._rgba(demo.frame(scale=0.5, kind="line"), demo.dpi)[2]


def test_demos_that_cannot_run_in_the_browser_say_why() -> None:
    lam = Demo(lambda a: {"a": a}, scaled_draw, [Slider("a", 0, 1, 0.5, 0)])
    assert "module-level" in browser.live_reason(lam)
    marked = Demo(scaled_compute, scaled_draw, [Slider("scale", 0, 1, 0.5, 0)], data={"weights": np.ones(2)},
                  in_browser=False, browser_note="its compute trains a torch model")
    assert browser.live_reason(marked) == "its compute trains a torch model"
    page = marked.static_html()
    assert "dlbook-demo-live" not in page and "stays pre-rendered online: its compute trains a torch model" in page
    assert 'class="dlbook-demo-live"' in data_demo().static_html()


def test_a_top_level_torch_import_keeps_a_module_pre_rendered(tmp_path, monkeypatch) -> None:
    (tmp_path / "torchy_demo.py").write_text("import numpy as np\nimport torch\n", encoding="utf-8")
    (tmp_path / "lazy_demo.py").write_text(textwrap.dedent("""\
        import numpy as np
        import dlbook.pca

        def f():
            import torch
            from sklearn.datasets import load_digits
        """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    _, _, why = browser.module_requirements("torchy_demo")
    assert why and "torch" in why
    top, lazy, why = browser.module_requirements("lazy_demo")
    assert why is None and "numpy" in top and lazy == {"sklearn": "scikit-learn"}


def test_shipped_package_is_the_installed_one(tmp_path) -> None:
    import dlbook

    path = browser.pack_library(tmp_path / "dlbook.zip")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert {"dlbook/__init__.py", "dlbook/browser.py", "dlbook/demo.py", "dlbook/demos/probability.py"} <= names
        from pathlib import Path

        assert z.read("dlbook/demo.py") == (Path(dlbook.__file__).parent / "demo.py").read_bytes()


def test_demo_modules_import_without_torch_or_ipython() -> None:
    """What the browser needs: every demo module imports with torch and IPython absent."""
    import subprocess

    code = ("import sys; sys.modules['torch'] = None; sys.modules['IPython'] = None\n"
            "import pkgutil, importlib, dlbook.demos\n"
            "for m in pkgutil.iter_modules(dlbook.demos.__path__): importlib.import_module('dlbook.demos.' + m.name)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_live_spec_is_safe_inside_a_script_element() -> None:
    demo = Demo(scaled_compute, scaled_draw, [Choice("kind", ["line", "</script>"], "line")],
                data={"weights": np.ones(2), "scale": 1.0})
    page = demo.static_html()
    spec = re.search(r'class="dlbook-demo-live">(.*?)</script>', page, re.S).group(1)
    assert json.loads(spec)["controls"][0]["values"] == ["line", "</script>"]


def test_runtime_checks_every_file_against_the_lock(tmp_path, monkeypatch) -> None:
    """Another copy named by DLBOOK_PYODIDE is checked too: a missing lock, a missing or altered file is refused."""
    import shutil

    from dlbook import pyodide_runtime as rt

    monkeypatch.setenv("DLBOOK_PYODIDE", str(tmp_path))
    with pytest.raises(rt.RuntimeUnavailable, match="pyodide-lock.json"):
        rt.ensure_runtime()
    monkeypatch.setenv("DLBOOK_LIVE", "0")
    with pytest.raises(rt.RuntimeUnavailable, match="DLBOOK_LIVE=0"):
        rt.ensure_runtime()
    cached = rt.cache_root() / f"pyodide-{rt.VERSION}"
    if not (cached / "pyodide-lock.json").is_file():
        pytest.skip("no cached runtime to copy (it is assembled by the book build)")
    six = rt.read_lock(cached)["six"]["file_name"]
    for name in [*rt.CORE, six]:
        shutil.copyfile(cached / name, tmp_path / name)
    assert rt.verify_runtime(tmp_path, ["six"]) == [six]
    with open(tmp_path / six, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(rt.RuntimeUnavailable, match="does not match the sha256"):
        rt.verify_runtime(tmp_path, ["six"])
    with pytest.raises(rt.RuntimeUnavailable, match="missing"):
        rt.verify_runtime(tmp_path, ["numpy"])


def test_precompiled_archive_imports_without_its_sources(tmp_path, monkeypatch) -> None:
    """``sourceless`` swaps each module for bytecode (here the host's CPython stands in for Pyodide's): the
    package still imports from the zip with no .py left, a file that does not compile stays source, metadata
    and data files are copied, and an archive with no Python module comes back byte for byte."""
    from dlbook import pyodide_runtime as rt

    src = tmp_path / "pkg.whl"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr("toy/__init__.py", "from toy.core import twice\n")
        z.writestr("toy/core.py", "def twice(x):\n    return 2 * x\n")
        z.writestr("toy/template.py", "def broken(:\n")
        z.writestr("toy/data.txt", "kept")
        z.writestr("toy-1.0.dist-info/RECORD", "toy/core.py,,\n")
    out = tmp_path / "compiled.zip"
    out.write_bytes(rt.sourceless(src.read_bytes(), "/site/"))
    names = set(zipfile.ZipFile(out).namelist())
    assert names == {"toy/__init__.pyc", "toy/core.pyc", "toy/template.py", "toy/data.txt", "toy-1.0.dist-info/RECORD"}
    monkeypatch.syspath_prepend(str(out))
    monkeypatch.delitem(sys.modules, "toy", raising=False)
    monkeypatch.delitem(sys.modules, "toy.core", raising=False)
    import toy

    assert toy.twice(21) == 42 and toy.__file__.endswith("__init__.pyc")
    assert toy.twice.__code__.co_filename == "/site/toy/core.py"  # what a traceback names
    data = tmp_path / "libs.zip"
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("lib/libopenblas.so", b"\0elf")
    assert rt.sourceless(data.read_bytes(), "/site/") == data.read_bytes()
