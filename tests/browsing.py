"""What the browser tests of the built book share: the chapter pages, the pages that show demos and live demos,
and a page visit that records console errors and blocks every request to another host."""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

from harness import ROOT

CHAPTER_PAGES = sorted(str(p.relative_to(ROOT).with_suffix(".html")) for p in (ROOT / "chapters").rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)


class PageVisit:
    """Opens one page, recording console errors and every request to another host (which it blocks)."""

    def __init__(self, chromium, site: str, path: str, javascript: bool = True) -> None:
        self.context = chromium.new_context(java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.local: list[str] = []
        host = urlparse(site).netloc

        def route(r):
            url = r.request.url
            if url.startswith(("data:", "blob:", "about:")) or urlparse(url).netloc == host:
                self.local.append(url)
                r.continue_()
            else:
                self.external.append(url)
                r.abort()

        self.context.route("**/*", route)  # the context's route also sees the Web Worker's requests
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}")
                     if urlparse(r.url).netloc == host else None)
        self.page.goto(f"{site}/{path}", wait_until="networkidle")

    def close(self) -> None:
        self.context.close()


def _demo_pages() -> list[str]:
    """Chapter pages whose notebook displays a registered demo (by calling its factory)."""
    from dlbook.demo import registered

    factories = {name.rsplit(".", 1)[1] for name in registered()}
    pages = []
    for page in CHAPTER_PAGES:
        source = (ROOT / page).with_suffix(".ipynb").read_text(encoding="utf-8")
        if any(re.search(rf"\b{f}\(", source) for f in factories):
            pages.append(page)
    return pages


DEMO_PAGES = _demo_pages()


def _live_pages() -> list[str]:
    """Pages whose live demos are driven in Chromium: every demo page of chapters 2–6, then the first demo page
    of each later part of the book (the wiring is the same on every page; ``tests/test_pyodide.py`` runs every
    live demo's own compute and draw under the shipped runtime). ``DLBOOK_LIVE_PAGES=all`` drives them all."""
    if os.environ.get("DLBOOK_LIVE_PAGES") == "all":
        return DEMO_PAGES
    early = [p for p in DEMO_PAGES if re.match(r"chapters/0[2-6]-", p)]
    later: dict[str, str] = {}
    for p in DEMO_PAGES:
        chapter = int(p.split("/")[1][:2])
        part = "I" if chapter <= 5 else "II" if chapter <= 12 else "III" if chapter <= 20 else "IV"
        if chapter > 6:
            later.setdefault(part, p)
    return early + list(later.values())


LIVE_PAGES = _live_pages()
