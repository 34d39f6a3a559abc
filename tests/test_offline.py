"""The offline guard fires: in the test process, in a notebook kernel and in a subprocess, any attempt to reach
a host other than this machine fails at once with a message naming the caller; loopback still works."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import OFFLINE_SITE, ROOT

pytestmark = pytest.mark.skipif(os.environ.get("DLBOOK_OFFLINE") != "1", reason="offline guard switched off")


def test_is_local() -> None:
    from dlbook.offline import is_local

    for host in ["127.0.0.1", "127.5.6.7", "::1", "localhost", "", None, b"127.0.0.1", "0.0.0.0", "[::1]"]:
        assert is_local(host), host
    for host in ["example.com", "8.8.8.8", "10.0.0.1", "192.168.1.1", "pypi.org", "2001:4860::8888"]:
        assert not is_local(host), host


def test_urlopen_is_refused_at_once_and_names_the_caller() -> None:
    start = time.perf_counter()
    with pytest.raises(urllib.error.URLError, match="dlbook offline guard") as err:
        urllib.request.urlopen("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js", timeout=30)
    assert time.perf_counter() - start < 1.0, "the guard must fail at once, not time out"
    assert "test_offline.test_urlopen_is_refused_at_once_and_names_the_caller" in str(err.value)


def test_raw_socket_to_an_ip_is_refused() -> None:
    from dlbook.offline import NetworkBlockedError

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlockedError, match="93.184.216.34:80"):
            s.connect(("93.184.216.34", 80))
        assert isinstance(NetworkBlockedError("x"), OSError)
    finally:
        s.close()


def test_sklearn_fetch_is_refused(tmp_path) -> None:
    from sklearn.datasets import fetch_openml

    with pytest.raises(Exception, match="dlbook offline guard") as err:
        fetch_openml("mnist_784", data_home=str(tmp_path), n_retries=1, delay=0.01)
    assert "sklearn.datasets" in str(err.value)


def test_loopback_still_works(tmp_path) -> None:
    (tmp_path / "hello.txt").write_text("hi", encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://localhost:{server.server_address[1]}/hello.txt", timeout=10) as r:
            assert r.read() == b"hi"
    finally:
        server.shutdown()


def test_subprocesses_and_notebook_kernels_are_guarded() -> None:
    """The environment this suite sets reaches new interpreters and the kernels nbval starts."""
    assert str(OFFLINE_SITE) in os.environ["PYTHONPATH"]
    code = "import urllib.request\ntry:\n    urllib.request.urlopen('http://example.com', timeout=20)\n" \
           "except Exception as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "dlbook offline guard" in out.stdout, out.stdout + out.stderr

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import socket\ntry:\n    socket.create_connection(('pypi.org', 443), timeout=20)\n"
        "except OSError as e:\n    print(type(e).__name__, e)")])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "NetworkBlockedError" in text and "pypi.org:443" in text, text
