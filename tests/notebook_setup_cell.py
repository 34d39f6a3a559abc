"""The set-up cell every chapter notebook has right after its title cell.

In Colab or a downloaded copy, ``import dlbook`` fails: the cell installs the book's library from the repository
(``repository`` in ``_config.yml``) without its dependencies, so Colab's own torch stays (the torch pin would
pull the multi-GB CUDA build), then only what is missing: the CPU build of torch, the pure packages of
``pyproject.toml`` at the pins of ``requirements.txt``, and the data-only packages of ``requirements-nodeps.txt``.
Where dlbook is importable (``make lab``, Binder, the tests) it only looks the module up. The book hides the cell
(tag ``remove-cell``).

Run ``python tests/notebook_setup_cell.py`` to add the cell to every notebook under ``chapters/``, or to bring it
up to date; it changes nothing else and is idempotent. ``tests/test_repo.py`` checks that every notebook has the
exact current cell.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "dlbook-setup"
TAGS = ["remove-cell"]
#: import name of each pyproject dependency whose import name differs from its distribution name
_MODULE = {"pillow": "PIL", "scikit-learn": "sklearn"}


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            pins[line.split("==")[0].strip().lower()] = line
    return pins


def setup_source() -> str:
    """The cell's code, made from _config.yml, pyproject.toml, requirements.txt and requirements-nodeps.txt."""
    import tomllib

    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    url = f"{repo['url'].rstrip('/')}/archive/refs/heads/{repo.get('branch', 'main')}.zip"
    pins = _pins("requirements.txt")
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in deps]
    torch = pins["torch"]
    pure = [(_MODULE.get(n, n), pins.get(n, n)) for n in names if n != "torch"]
    nodeps = list(_pins("requirements-nodeps.txt").values())
    q = json.dumps
    pairs = [f"({q(m)}, {q(p)})" for m, p in pure]
    rows = ",\n        ".join(", ".join(pairs[i:i + 3]) for i in range(0, len(pairs), 3))
    return f"""\
# Set-up for Colab or a downloaded copy (the book hides this cell): if the book's library `dlbook` is missing,
# install it without its dependencies, so that Colab keeps its own torch, then whatever else is missing.
# Does nothing where dlbook is installed (`make lab`, Binder).
import importlib.util

if importlib.util.find_spec("dlbook") is None:
    import subprocess
    import sys

    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if importlib.util.find_spec("torch") is None:  # the CPU build, not the multi-GB CUDA one
        subprocess.run(pip + [{q(torch)}, "--index-url", "https://download.pytorch.org/whl/cpu"], check=True)
    wanted = [
        {rows}]
    missing = [pin for module, pin in wanted if importlib.util.find_spec(module) is None]
    if missing:
        subprocess.run(pip + missing, check=True)
    book = {q("dlbook @ " + url)}
    subprocess.run(pip + ["--no-deps", book, {", ".join(q(p) for p in nodeps)}], check=True)
    importlib.invalidate_caches()
"""


def setup_cell() -> dict:
    """The cell as stored in a notebook: no outputs, hidden on the site."""
    lines = setup_source().splitlines(keepends=True)
    lines[-1] = lines[-1].rstrip("\n")
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID, "metadata": {"tags": list(TAGS)},
            "outputs": [], "source": lines}


def notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def update(path: Path) -> bool:
    """Put the current set-up cell right after the notebook's title cell (replacing an older one); True if the
    file changed."""
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    first = cells[0] if cells else None
    if first is None or first["cell_type"] != "markdown" or not "".join(first["source"]).startswith("# "):
        raise ValueError(f"{path}: the first cell must be the markdown title cell ('# Title')")
    nb["cells"] = [first, setup_cell(), *cells[1:]]
    new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main() -> None:
    changed = [p for p in notebooks() if update(p)]
    print(f"set-up cell current in {len(notebooks())} notebooks ({len(changed)} updated)")


if __name__ == "__main__":
    sys.exit(main())
