"""Shared fixtures: the repository root, the built book and a headless Chromium."""

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

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("DLBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def build_book() -> subprocess.CompletedProcess:
    """Build the book the way the README does, with every warning an error."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(exe), "build", str(ROOT), "-W", "-n", "--keep-going"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)


@pytest.fixture(scope="module")
def built_book() -> Path:
    """Build the book once per module that needs it; fail with the build's own report if it breaks."""
    result = build_book()
    if result.returncode != 0:
        pytest.fail("jupyter-book build -W -n --keep-going failed:\n" + result.stdout[-6000:] + result.stderr[-6000:])
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
