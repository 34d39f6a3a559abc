"""Shared fixtures: the repository root, the built book and a headless Chromium (the offline guard, one torch
thread and the record of nbval's executions are in harness.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness import EXECUTED, OFFLINE_SITE, ROOT, pytest_configure, reuse_executed_notebooks  # noqa: F401

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("DLBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def build_book() -> subprocess.CompletedProcess:
    """Build the book the way the README does, with every warning an error, reusing nbval's executions."""
    reuse_executed_notebooks()
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(exe), "build", str(ROOT), "-W", "-n", "--keep-going"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book once per test run; fail with the build's own report if it breaks.

    The browser tests sit in several modules that pytest-xdist runs on different workers, so the first worker to
    need the book builds it under a file lock and records the outcome for this run (pytest-xdist gives every worker
    the run's id); the others wait on the lock and reuse that build.
    """
    import fcntl
    import json

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid-{os.getpid()}")
    record = ROOT / "_build" / "build-result.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "_build" / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
        if done.get("run") != run:
            result = build_book()
            (ROOT / "_build" / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
            done = {"run": run, "returncode": result.returncode,
                    "report": result.stdout[-6000:] + result.stderr[-6000:]}
            record.write_text(json.dumps(done), encoding="utf-8")
    if done["returncode"] != 0:
        pytest.fail("jupyter-book build -W -n --keep-going failed:\n" + done["report"])
    return HTML


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


@pytest.fixture(scope="module")
def site(built_book: Path):
    """Serve the built book on 127.0.0.1 at a free port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(built_book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright; skips with instructions when it is missing."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(or set DLBOOK_CHROMIUM to a Chromium binary) to run the browser tests")
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (see requirements.txt)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """After the run, list every notebook nbval executed and every test file, with its counts,
    so the log shows at a glance that each notebook and each kind of test ran."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid or getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and getattr(report, "when", "call") != "call":
                continue
            path = nodeid.split("::", 1)[0]
            counts.setdefault(path, {"passed": 0, "failed": 0, "error": 0, "skipped": 0})[outcome] += 1
    if not counts:
        return
    groups = {"notebooks executed by nbval": [p for p in counts if p.endswith(".ipynb")],
              "browser and build tests": [p for p in counts if "/test_site" in p],
              "library, property, demo and repository tests": [p for p in counts if p.endswith(".py")
                                                                and "/test_site" not in p]}
    terminalreporter.section("what ran")
    for title, paths in groups.items():
        terminalreporter.write_line(f"{title} ({len(paths)}):")
        for p in sorted(paths):
            c = counts[p]
            extra = ", ".join(f"{v} {k}" for k, v in c.items() if k != "passed" and v)
            terminalreporter.write_line(f"  {p}: {c['passed']} passed" + (f", {extra}" if extra else ""))
