"""The test harness shared by tests/conftest.py and chapters/conftest.py.

* :func:`pytest_configure`: the offline guard (lib/dlbook/offline.py) and one BLAS/torch thread in the test
  process, and, through the environment, in every notebook kernel and subprocess it starts.
* :func:`pytest_runtest_makereport` and :func:`pytest_sessionfinish`: every notebook nbval executes without a
  failure is saved with its outputs under ``_build/nbval-executed``;
* :func:`reuse_executed_notebooks`: the book build takes those outputs from its execution cache, so each notebook
  executes once per ``make test``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where the nbval run leaves each notebook it executed without a failure, with its outputs and run time.
EXECUTED = ROOT / "_build" / "nbval-executed"
JUPYTER_CACHE = ROOT / "_build" / ".jupyter_cache"
OFFLINE_SITE = ROOT / "tests" / "offline"
#: The two stages of `make test` (their -m expressions, as in the Makefile), whose durations `make bench` reports.
MAKE_TEST_STAGES = ("not (build or after_nbval)", "build or after_nbval")


def pytest_configure(config) -> None:
    """Offline guard and one torch thread in this process, in every notebook kernel and in every subprocess."""
    if not hasattr(config, "_dlbook_started"):
        config._dlbook_started = time.perf_counter()
    os.environ["DLBOOK_OFFLINE"] = os.environ.get("DLBOOK_OFFLINE", "1")
    if str(OFFLINE_SITE) not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(OFFLINE_SITE), os.environ.get("PYTHONPATH")) if p)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if os.environ["DLBOOK_OFFLINE"] == "1":
        from dlbook.offline import install

        install()
    import torch

    torch.set_num_threads(1)


_executed: dict[str, dict] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call" or not hasattr(item, "test_outputs") or not hasattr(item.parent, "nb"):
        return
    report = outcome.get_result()
    path = str(Path(str(item.fspath)).resolve())
    record = _executed.setdefault(path, {"nb": item.parent.nb, "outputs": {}, "failed": False, "seconds": 0.0})
    record["seconds"] += call.duration
    if report.passed and item.test_outputs is not None:
        record["outputs"][item.cell_num] = list(item.test_outputs)
    else:
        record["failed"] = True


def pytest_sessionfinish(session, exitstatus) -> None:
    """Write every notebook whose cells all ran and passed, outputs included, for the book build to reuse;
    the controlling process also records how long this stage of `make test` took (for `make bench`)."""
    import copy
    import json

    started = getattr(session.config, "_dlbook_started", None)
    stage = session.config.option.markexpr
    if started is not None and not hasattr(session.config, "workerinput") and stage in MAKE_TEST_STAGES:
        times_file = ROOT / "_build" / "test-times.json"
        times = json.loads(times_file.read_text(encoding="utf-8")) if times_file.exists() else {}
        times[stage] = round(time.perf_counter() - started, 1)
        times_file.parent.mkdir(parents=True, exist_ok=True)
        times_file.write_text(json.dumps(times, indent=1) + "\n", encoding="utf-8")

    import nbformat

    for path, record in _executed.items():
        nb = copy.deepcopy(record["nb"])
        code = [c for c in nb.cells if c.cell_type == "code"]
        if record["failed"] or len(record["outputs"]) != len(code):
            continue
        for k, cell in enumerate(code):
            cell.execution_count = k + 1
            cell.outputs = record["outputs"][k]
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = k + 1
        nb.metadata["dlbook_execution_seconds"] = round(record["seconds"], 3)
        target = EXECUTED / Path(path).relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(target))


def reuse_executed_notebooks() -> list[str]:
    """Put nbval's executed notebooks into the build's execution cache, so the build does not run them again.

    MyST-NB matches a cached notebook by the hash of its code cells and kernel spec, so a notebook changed
    since nbval ran simply misses the cache and is executed by the build as usual.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(JUPYTER_CACHE))
    reused = []
    for executed in sorted(EXECUTED.rglob("*.ipynb")):
        source = ROOT / executed.relative_to(EXECUTED)
        if not source.exists():
            continue
        nb = nbformat.read(str(executed), as_version=4)
        seconds = nb.metadata.pop("dlbook_execution_seconds", None)
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(source), data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
        reused.append(str(source.relative_to(ROOT)))
    return reused


