"""The repository's conventions: every notebook is in the table of contents (and vice versa),
notebooks are stored without outputs, the landing page's map matches the chapters that exist,
and the README's two commands are the Makefile's."""

from __future__ import annotations

import json
import re

import yaml

from harness import ROOT

NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = [toc["root"]]

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    return found


def test_toc_and_notebooks_match_one_to_one() -> None:
    entries = _toc_files()
    assert len(entries) == len(set(entries)), "an entry appears twice in _toc.yml"
    for entry in entries:
        matches = [p for p in (ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md") if p.exists()]
        assert len(matches) == 1, f"_toc.yml entry {entry!r} has no (or more than one) .ipynb/.md file"
    listed = {e for e in entries if (ROOT / f"{e}.ipynb").exists()}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert on_disk - listed == set(), f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"


def test_notebooks_are_stored_without_outputs() -> None:
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs", []) == [], f"{path.name}: a cell was saved with outputs"
                assert cell.get("execution_count") is None, f"{path.name}: a cell has an execution count"


def test_notebooks_glue_without_importing_myst_nb() -> None:
    """Notebooks glue with ``dlbook.glue``: importing ``myst_nb`` in a kernel costs about 2.5 s of CPU each time."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert not re.search(r"^\s*(from|import) myst_nb", src, re.M), \
                    f"{path.relative_to(ROOT)}: use `from dlbook import glue` instead of myst_nb's"


def test_notebooks_paste_no_library_code() -> None:
    """Library code is shown with show_source, never pasted: no notebook defines a function of dlbook's."""
    import ast

    lib_defs = set()
    for py in (ROOT / "lib" / "dlbook").rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                lib_defs.add(node.name)
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            for name in re.findall(r"^\s*(?:def|class)\s+(\w+)", src, flags=re.M):
                assert name not in lib_defs, f"{path.name} redefines dlbook's {name}; use show_source instead"


def test_landing_page_map_marks_available_chapters() -> None:
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    available = {int(n) for n in re.findall(r"^\| (\d+) \|.*\| ✅ \|$", intro, flags=re.M)}
    existing = {int(p.name[:2]) for p in (ROOT / "chapters").iterdir() if p.is_dir() and p.name[:2].isdigit()}
    assert available == existing, f"intro.md marks {sorted(available)} available, chapters/ has {sorted(existing)}"


def test_readme_commands_are_the_makefile_targets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("book", "test", "lab"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, flags=re.M)
    assert "torch==2.13.0" in makefile


def _notebook_imports(path) -> list[tuple[str, str | None, int]]:
    """(module, name or None, cell index) for every dlbook import in a notebook's code cells, found statically."""
    import ast

    found = []
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "\n".join(line for line in "".join(cell["source"]).splitlines()
                        if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dlbook":
                found += [(node.module, alias.name, i) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [(alias.name, None, i) for alias in node.names if alias.name.split(".")[0] == "dlbook"]
    return found


def test_every_dlbook_name_a_notebook_imports_exists() -> None:
    """A static check, without executing notebooks: the library and the book cannot drift apart."""
    import importlib

    missing = []
    for path in NOTEBOOKS + [ROOT / "status.ipynb"]:
        for module, name, cell in _notebook_imports(path):
            where = f"{path.relative_to(ROOT)} (code cell {cell})"
            try:
                mod = importlib.import_module(module)
            except ImportError as err:
                missing.append(f"{where}: no module {module} ({err})")
                continue
            if name is not None and name != "*" and not hasattr(mod, name):
                try:
                    importlib.import_module(f"{module}.{name}")
                except ImportError:
                    missing.append(f"{where}: {module} has no {name}")
    assert not missing, "notebooks import names dlbook does not have:\n" + "\n".join(missing)


def test_import_check_catches_a_missing_name(tmp_path) -> None:
    nb = {"cells": [{"cell_type": "code", "source": ["%matplotlib inline\n", "from dlbook.linalg import nope, svd\n",
                                                      "import dlbook.data as d\n"]}]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert _notebook_imports(path) == [("dlbook.linalg", "nope", 0), ("dlbook.linalg", "svd", 0),
                                       ("dlbook.data", None, 0)]


def _pins(path) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_theme_pair_is_pinned_to_the_installed_tested_versions() -> None:
    """The site's phone-menu fix (_assets/site/site.js) is tested with one theme pair: requirements.txt pins it,
    and the environment the tests run in has exactly those versions."""
    from importlib.metadata import version

    pins = _pins("requirements.txt")
    for name in ("sphinx-book-theme", "pydata-sphinx-theme", "sphinx", "jupyter-book"):
        assert name in pins, f"requirements.txt does not pin {name}"
        assert version(name) == pins[name], f"{name} {version(name)} installed, requirements.txt pins {pins[name]}"


def test_binder_installs_the_tested_set() -> None:
    """Binder (the launch button) installs what `make` installs: the same Python, torch's exact pin (CPU build),
    requirements.txt with dlbook, and the data-only packages without their dependencies."""
    post = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    torch = _pins("requirements.txt")["torch"]
    assert f"torch=={torch}" in makefile
    assert re.search(rf"pip install .*torch=={re.escape(torch)} .*--index-url https://download\.pytorch\.org/whl/cpu",
                     post), "binder/postBuild must install the pinned CPU torch first"
    assert re.search(r"pip install .*-r requirements\.txt -e \.", post)
    assert re.search(r"pip install .*--no-deps -r requirements-nodeps\.txt", post)
    python = re.search(r"^PYTHON \?= python(\d+\.\d+)", makefile, flags=re.M).group(1)
    assert (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip() == f"python-{python}"
    assert not [p.name for p in (ROOT / "binder").iterdir() if p.name in ("requirements.txt", "environment.yml")], \
        "binder/ has its own package list; it must install the repository's tested set"


# -- the set-up cell that makes Colab and downloaded copies work (tests/notebook_setup_cell.py) -------------------

def test_every_notebook_has_the_current_setup_cell() -> None:
    """Right after its title cell every notebook has the exact current set-up cell, hidden on the site; if this
    fails, run `python tests/notebook_setup_cell.py`."""
    from notebook_setup_cell import CELL_ID, setup_cell

    cell = setup_cell()
    assert cell["metadata"]["tags"] == ["remove-cell"] and cell["outputs"] == []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# "), \
            f"{path.relative_to(ROOT)}: the first cell must be the markdown title cell"
        assert cells[1] == cell, f"{path.relative_to(ROOT)}: set-up cell missing or stale: run python tests/notebook_setup_cell.py"
        assert [c.get("id") for c in cells].count(CELL_ID) == 1


import importlib.util as _util  # noqa: E402

_FIND_SPEC = _util.find_spec


def _run_setup_cell(monkeypatch, present: set[str]) -> list[list[str]]:
    """Execute the set-up cell as if only the modules in ``present`` were installed; return the commands it ran."""
    import importlib.util
    import subprocess

    from notebook_setup_cell import setup_cell

    calls: list[list[str]] = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: _FIND_SPEC(name, *a) if name in present else None)
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(list(cmd)))
    exec(compile("".join(setup_cell()["source"]), "setup-cell", "exec"), {})
    return calls


def test_setup_cell_does_nothing_where_dlbook_is_installed(monkeypatch) -> None:
    import time

    from notebook_setup_cell import setup_cell

    source = compile("".join(setup_cell()["source"]), "setup-cell", "exec")
    start = time.perf_counter()
    exec(source, {})
    assert time.perf_counter() - start < 0.02, "the set-up cell is slow where dlbook is installed"
    assert _run_setup_cell(monkeypatch, {"dlbook", "torch", "numpy"}) == []


def test_setup_cell_in_colab_keeps_its_torch_and_installs_dlbook_without_dependencies(monkeypatch) -> None:
    import sys

    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    pins, nodeps = _pins("requirements.txt"), _pins("requirements-nodeps.txt")
    colab = {"torch", "numpy", "scipy", "matplotlib", "PIL", "ipywidgets", "sklearn"}  # no threadpoolctl, say
    calls = _run_setup_cell(monkeypatch, colab)
    assert not [c for c in calls if any(a.startswith("torch") for a in c)], "the cell would reinstall torch in Colab"
    assert calls[0] == pip + [f"threadpoolctl=={pins['threadpoolctl']}"]
    assert calls[1][:len(pip) + 1] == pip + ["--no-deps"] and calls[1][len(pip) + 1].startswith(f"dlbook @ {repo}/")
    assert calls[1][len(pip) + 2:] == [f"{n}=={v}" for n, v in nodeps.items()] and len(calls) == 2
    # a machine without torch gets the CPU build, never PyPI's CUDA one
    bare = _run_setup_cell(monkeypatch, set())
    assert bare[0] == pip + [f"torch=={pins['torch']}", "--index-url", "https://download.pytorch.org/whl/cpu"]
    assert f"scikit-learn=={pins['scikit-learn']}" in bare[1] and "--no-deps" in bare[2]
