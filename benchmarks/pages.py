"""Page weights of the built site (budget: each page's HTML <= 300 KB, everything inline included).

For each built page: its HTML bytes; the bytes of its demos' frame files (``_demo/<id>.js``, loaded when a demo
comes into view) and of its live demos' notebook data (``_demo/<sha1>.npz``, fetched when Python starts); what
its HTML references directly (scripts, stylesheets, images: a count of bytes that needs no browser); and, when
Chromium is there, the bytes actually transferred on a first visit (fresh context, no cache, page opened and left
alone until the network is idle: fonts, MathJax's own files and the demo frames of a demo in the first screen
included; the page is opened with ``?live=off``, so Python does not start: its runtime is a separate download,
timed by :mod:`benchmarks.live`). The local server does not compress, so these are raw
bytes; a CDN's gzip sends less of the text files. Needs the built book (``make book``).
"""

from __future__ import annotations

import json
import re
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from benchmarks import table
from benchmarks.live import ARGS, CHROMIUM, HTML, _Quiet

MAX_HTML = 300_000  # the same budget as tests/test_site.py::MAX_PAGE_HTML
_FRAMES = re.compile(r'<script type="application/json" class="dlbook-demo-data">(.*?)</script>', re.S)
_LIVE = re.compile(r'<script type="application/json" class="dlbook-demo-live">(.*?)</script>', re.S)
_REFS = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href|img[^>]+src)="([^"]+)"')


def pages() -> list[Path]:
    """Every page a reader opens: the chapter pages, the landing page, status, notation, bibliography, search."""
    skip = {"genindex.html", "index.html"}  # index.html only redirects to intro.html
    return sorted(p for p in HTML.rglob("*.html") if p.name not in skip and not p.relative_to(HTML).parts[0]
                  .startswith(("_", ".")))


def _file(page: Path, ref: str) -> Path | None:
    url = urlparse(ref)
    if url.scheme or url.netloc or not url.path:
        return None
    path = (page.parent / unquote(url.path)).resolve()
    return path if path.is_file() else None


def static_weights(page: Path) -> dict[str, Any]:
    """Bytes of the page, of the files its demos load later, and of everything its HTML references."""
    text = page.read_text(encoding="utf-8")
    frames = sum(f.stat().st_size for s in _FRAMES.findall(text) if (f := _file(page, json.loads(s).get("src", ""))))
    live = sum(f.stat().st_size for s in _LIVE.findall(text)
               if (f := _file(page, json.loads(s).get("data_src") or "")))
    refs = {f for r in _REFS.findall(text) if (f := _file(page, r))}
    html = len(text.encode())
    return {"page": str(page.relative_to(HTML)), "html": html, "demos": text.count('class="dlbook-demo"'),
            "frames": frames, "live_data": live, "referenced": html + sum(f.stat().st_size for f in refs),
            "first_load": None, "requests": None}


def first_loads(paths: list[str]) -> dict[str, tuple[int, int]]:
    """``{page: (bytes, requests)}`` transferred on a first visit in headless Chromium (resource timing)."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(HTML)))
    server.handle_error = lambda *args: None  # a context closed while a lazy frame file was still in flight
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for path in paths:
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                context.add_init_script("performance.setResourceTimingBufferSize(100000)")
                page = context.new_page()
                page.goto(f"{base}/{path}?live=off", wait_until="networkidle")
                out[path] = tuple(page.evaluate(
                    "() => { const es = [...performance.getEntriesByType('navigation'),"
                    " ...performance.getEntriesByType('resource')].filter(e => !e.name.startsWith('data:'));"
                    " return [es.reduce((a, e) => a + (e.encodedBodySize || 0), 0), es.length]; }"))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def run(progress: bool = True) -> list[dict[str, Any]]:
    if not HTML.is_dir():
        print("  no _build/html: build the book first (make book)", flush=True)
        return []
    rows = [static_weights(p) for p in pages()]
    if Path(CHROMIUM).exists():
        if progress:
            print(f"  first visits of {len(rows)} pages in headless Chromium ...", flush=True)
        loads = first_loads([r["page"] for r in rows])
        for r in rows:
            r["first_load"], r["requests"] = loads[r["page"]]
    elif progress:
        print(f"  no Chromium at {CHROMIUM}: first-visit transfers not measured", flush=True)
    return rows


def _kb(n: int | None) -> str:
    return "—" if n is None else f"{n / 1e3:.0f}"


def report(results: list[dict[str, Any]]) -> str:
    rows = [[r["page"].removeprefix("chapters/"), _kb(r["html"]), r["demos"], _kb(r["frames"]), _kb(r["live_data"]),
             _kb(r["referenced"]), _kb(r["first_load"]), "—" if r["requests"] is None else r["requests"],
             "ok" if r["html"] <= MAX_HTML else "OVER BUDGET"] for r in results]
    heaviest = max(results, key=lambda r: r["html"], default=None)
    head = (f"Page weights (KB, raw; budget: HTML <= {MAX_HTML / 1e3:.0f} KB with everything inline). frames = the "
            "demos' frame files (loaded when a demo comes into view); live data = notebook data of the live demos "
            "(fetched when Python starts); referenced = HTML + the scripts, stylesheets and images it names; "
            "first load = every byte a first visit transfers in headless Chromium (?live=off: Python's runtime is "
            "timed in the live table), left untouched until the network is idle (fonts, MathJax's files and the "
            "frames of a demo in the first screen included).\n")
    if heaviest:
        head += f"Heaviest HTML: {heaviest['page']} ({_kb(heaviest['html'])} KB).\n"
    return head + "\n" + table(["page", "HTML", "demos", "frames", "live data", "referenced", "first load",
                                "requests", "verdict"], rows)
