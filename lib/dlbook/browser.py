"""Demos that compute in the reader's browser: the online book runs the library's own ``compute``/``draw``.

The book's pages carry, beside each demo's pre-rendered frames, a *live spec*: where its ``compute`` and
``draw`` functions live (``"dlbook.demos.probability:kl_explorer_compute"``), its controls, the Pyodide
packages its modules import, and the notebook data it closes over (``Demo(..., data=...)``, shipped as a
base64 ``.npz``). The build ships this very package, zipped from its installed files, with a Pyodide runtime
(:mod:`dlbook.pyodide_runtime`); a Web Worker (``_assets/live/worker.mjs``) imports the demo's module and calls
:func:`render_frame` on every slider move. Nothing is copied or rewritten: the browser runs the same functions as the
kernel, at the same ``dpi``.

A demo computes live when its functions are module-level (importable by name) and its modules import only what
the runtime has (numpy, matplotlib, scipy, scikit-learn, the standard library and ``dlbook``) at their top level;
torch and IPython may be imported inside the functions that need them. Otherwise it stays pre-rendered and its
note says why (:func:`live_reason`).
"""

from __future__ import annotations

import ast
import base64
import importlib
import importlib.util
import io
import json
import math
import sys
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from dlbook.demo import Demo

#: Top-level import names the browser runtime provides, with the Pyodide package that provides each.
RUNTIME_IMPORTS = {"numpy": "numpy", "matplotlib": "matplotlib", "mpl_toolkits": "matplotlib", "scipy": "scipy",
                   "sklearn": "scikit-learn", "PIL": "pillow", "threadpoolctl": "threadpoolctl", "joblib": "joblib"}


def function_ref(fn: Callable[..., Any]) -> str:
    """``"module:qualname"`` of a module-level function, checked to resolve back to ``fn``."""
    mod, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not mod or "<" in name or "." in name:
        raise ValueError(f"{fn!r} is not a module-level function, so the browser cannot import it")
    if getattr(importlib.import_module(mod), name, None) is not fn:
        raise ValueError(f"{mod}.{name} does not name {fn!r}")
    return f"{mod}:{name}"


def resolve_ref(reference: str) -> Callable[..., Any]:
    mod, name = reference.split(":")
    return getattr(importlib.import_module(mod), name)


def _imports(path: Path, module: str) -> tuple[set[str], set[str]]:
    """Absolute names imported by a module file: (at its top level, inside functions or classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    nested: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            into = nested if inside else top
            if isinstance(child, ast.Import):
                into.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                into.add(base)
                into.update(f"{base}.{a.name}" for a in child.names)  # `from dlbook import xor` names a module
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                continue
            visit(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))

    visit(tree, False)
    return top, nested


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


@lru_cache(maxsize=None)
def module_requirements(module: str) -> tuple[tuple[str, ...], dict[str, str], str | None]:
    """What a ``dlbook`` module needs in the browser, following its ``dlbook`` imports: the Pyodide packages
    imported at some module's top (loaded when Python starts), those imported only inside functions
    (``{import name: package}``, loaded on first use), and why it cannot run there (``None`` if it can)."""
    packages: set[str] = set()
    lazy: dict[str, str] = {}
    seen: set[str] = set()
    todo = [module, "dlbook", "dlbook.demo", "dlbook.browser"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        top, nested = _imports(path, name)
        for imp in sorted(top | nested):
            root = imp.split(".")[0]
            if root == "dlbook":
                if _module_file(imp) is not None:
                    todo.append(imp)
            elif root in RUNTIME_IMPORTS:
                if imp in top:
                    packages.add(RUNTIME_IMPORTS[root])
                else:
                    lazy[root] = RUNTIME_IMPORTS[root]
            elif imp in top and root and root not in sys.stdlib_module_names and root != "__future__":
                return (), {}, f"{name} imports {root} at its top, and the browser runtime has no {root}"
    return tuple(sorted(packages)), {k: v for k, v in sorted(lazy.items()) if v not in packages}, None


def pack_data(data: dict[str, Any] | None) -> str | None:
    """The notebook data a demo closes over, as a base64 ``.npz`` (arrays and numbers only)."""
    if not data:
        return None
    import numpy as np

    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in data.items()})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def unpack_data(blob: str | None) -> dict[str, Any]:
    """The inverse of :func:`pack_data`."""
    return read_npz(io.BytesIO(base64.b64decode(blob))) if blob else {}


def read_npz(source: Any) -> dict[str, Any]:
    """Arrays (numbers as Python scalars) from a ``.npz`` path or file object; never unpickles."""
    import numpy as np

    with np.load(source, allow_pickle=False) as z:
        return {k: (z[k].item() if z[k].ndim == 0 else z[k]) for k in z.files}


def live_reason(demo: Demo) -> str | None:
    """Why ``demo`` cannot compute in the browser, or ``None`` when it can."""
    if not demo.in_browser:
        return demo.browser_note or "its author marked it pre-rendered only"
    try:
        refs = [function_ref(demo.compute), function_ref(demo.draw)]
    except ValueError as e:
        return str(e)
    for r in refs:
        *_, why = module_requirements(r.split(":")[0])
        if why:
            return why
    for c in demo.controls:
        if hasattr(c, "options"):
            try:
                json.dumps(c.grid())
            except TypeError:
                return f"the options of {c.name!r} are not JSON values"
    return None


def live_spec(demo: Demo) -> dict[str, Any]:
    """What the page needs to run ``demo`` in the browser (call only when :func:`live_reason` is ``None``)."""
    from dlbook.demo import Slider

    packages: set[str] = set()
    lazy: dict[str, str] = {}
    for fn in (demo.compute, demo.draw):
        top, nested, _ = module_requirements(fn.__module__)
        packages.update(top)
        lazy.update(nested)
    controls = []
    for c, grid in zip(demo.controls, demo.static_grids()):
        if isinstance(c, Slider):
            controls.append({"name": c.name, "kind": "slider", "low": c.low, "high": c.high, "step": c.step,
                             "value": c.value, "int": c.is_int, "grid": grid})
        else:
            controls.append({"name": c.name, "kind": "choice", "values": c.grid(), "labels": c.labels(),
                             "value": c.grid().index(c.value)})
    return {"compute": function_ref(demo.compute), "draw": function_ref(demo.draw), "controls": controls, "dpi": demo.dpi,
            "packages": sorted(packages), "lazy": {k: v for k, v in lazy.items() if v not in packages},
            "data": pack_data(demo.data)}


def pack_library(out: Path) -> Path:
    """Zip the installed ``dlbook`` package (its ``.py`` files) to ``out``: what the browser imports."""
    import dlbook

    root = Path(dlbook.__file__).parent
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(root.rglob("*.py")):
            info = zipfile.ZipInfo(str(Path("dlbook") / f.relative_to(root)), date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(info, f.read_bytes(), zipfile.ZIP_DEFLATED)
    return out


# -- what the worker calls ---------------------------------------------------------------------------------
_DEMOS: dict[str, dict[str, Any]] = {}


def _snap(control: dict[str, Any], value: Any) -> Any:
    """A control value from the page, clipped to its range and put on its step grid."""
    if control["kind"] == "choice":
        return control["values"][int(value)]
    low, high, step = control["low"], control["high"], control["step"]
    v = min(max(float(value), low), high)
    v = low + round((v - low) / step) * step
    v = min(max(v, low), high)
    if control["int"]:
        return int(round(v))
    r = float(f"{v:.10g}")
    return int(r) if r.is_integer() and float(low).is_integer() and float(step).is_integer() else r


def register_demo(key: str, spec_json: str, data_file: str | None = None) -> None:
    """Load a demo's functions and data once (the worker calls this when the page's demos start).

    The data is the spec's inline base64 ``.npz``, or, in the built book, the ``.npz`` file the worker fetched
    (``data_file``, a path in Pyodide's file system): the build moves it out of the page (:mod:`dlbook.sphinxext`).
    """
    spec = json.loads(spec_json)
    data = read_npz(data_file) if data_file else unpack_data(spec.get("data"))
    _DEMOS[key] = {"spec": spec, "compute": resolve_ref(spec["compute"]), "draw": resolve_ref(spec["draw"]),
                   "data": data}


def control_values(key: str, raw: dict[str, Any]) -> dict[str, Any]:
    d = _DEMOS[key]
    return {c["name"]: _snap(c, raw.get(c["name"], c["value"])) for c in d["spec"]["controls"]}


def render_frame(key: str, values_json: str) -> tuple[int, int, bytes, str]:
    """Compute and draw one setting; return ``(width, height, RGBA bytes, the values used as JSON)``."""
    d = _DEMOS[key]
    values = control_values(key, json.loads(values_json))
    w, h, rgba = _rgba(d["draw"](d["compute"](**d["data"], **values)), d["spec"]["dpi"])
    return w, h, rgba, json.dumps(values)


def _rgba(fig: Any, dpi: int) -> tuple[int, int, bytes]:
    """Draw at ``dpi * DENSITY`` pixels per inch: the page shows live frames at the pre-rendered frames' density."""
    from dlbook.demo import DENSITY

    fig.set_dpi(dpi * DENSITY)
    canvas = _reusing_canvas()(fig)
    canvas.draw()
    w, h = canvas.get_width_height()
    return w, h, bytes(canvas.buffer_rgba())


@lru_cache(maxsize=1)
def _reusing_canvas() -> type:
    """An Agg canvas that keeps one renderer per figure size from frame to frame.

    matplotlib caches the size of every text it measures per renderer; with a new renderer for each frame it
    measured every tick label and title again, 5-30% of a live frame. The pixels are the same.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    renderers: dict[tuple[float, float, float], RendererAgg] = {}

    class ReusingCanvas(FigureCanvasAgg):
        def get_renderer(self) -> RendererAgg:
            key = (*self.figure.bbox.size, self.figure.dpi)
            if key not in renderers:
                renderers[key] = RendererAgg(*key)
            self.renderer, self._lastKey = renderers[key], key
            return self.renderer

    return ReusingCanvas


def check_demo(key: str, values_json: str) -> dict[str, Any]:
    """For the node test: render once and report the image size and whether the data held NaN."""
    d = _DEMOS[key]
    vals = control_values(key, json.loads(values_json))
    data = d["compute"](**d["data"], **vals)
    nan = _has_nan(data)
    fig = d["draw"](data)
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"draw returned {type(fig).__name__}, not a Figure")
    w, h, rgba = _rgba(fig, d["spec"]["dpi"])
    return {"nan": nan, "w": w, "h": h, "ink": len(set(rgba[::97])) > 1}


def _has_nan(v: Any) -> bool:
    import numpy as np

    if isinstance(v, dict):
        return any(_has_nan(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return any(_has_nan(x) for x in v)
    if isinstance(v, (np.ndarray, np.floating, float)) and np.asarray(v).dtype.kind == "f":
        return bool(np.any(np.isnan(v)))
    return isinstance(v, float) and math.isnan(v)
