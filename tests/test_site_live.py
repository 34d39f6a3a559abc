"""Live demos in headless Chromium: Python starts in the page, every control moved off the frame grid gives a
newly computed figure, only the packages the page's demos need are loaded, and nothing is requested from another
host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browsing import LIVE_PAGES, PageVisit

pytestmark = [pytest.mark.build]


def _live_specs(built_book: Path, path: str) -> list[dict]:
    text = (built_book / path).read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r'<script type="application/json" class="dlbook-demo-live">(.*?)</script>',
                                               text, re.S)]


@pytest.mark.browser
@pytest.mark.parametrize("path", LIVE_PAGES)
def test_live_demos_compute_off_the_grid(chromium, site: str, built_book: Path, path: str) -> None:
    """Python starts when a demo scrolls into view; every control moved to a value off the frame grid gives a
    figure computed for exactly that value; nothing is requested from another host."""
    specs = _live_specs(built_book, path)
    if not specs:
        pytest.skip(f"{path} has no live demo")
    visit = PageVisit(chromium, site, path)
    try:
        page = visit.page
        demos = page.locator("div.dlbook-demo:has(script.dlbook-demo-live)")
        assert demos.count() == len(specs)
        assert demos.first.locator(".dlbook-demo-status").inner_text() in ("pre-rendered", "starting Python…")
        demos.first.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.querySelectorAll('div.dlbook-demo:has(script.dlbook-demo-live)')]"
                               ".every(d => d.dataset.liveStatus === 'live')", timeout=300_000)
        for d, spec in enumerate(specs):
            demo = demos.nth(d)
            demo.scroll_into_view_if_needed()
            uid = demo.get_attribute("id")
            img = demo.locator("img.dlbook-demo-frame")
            for c in spec["controls"]:
                ctl = page.locator(f"#{uid}-{c['name']}")
                before = img.get_attribute("src")
                if c["kind"] == "slider":
                    value = _off_grid(c)
                    ctl.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }",
                                 str(value))
                    want = value
                else:
                    index = (c["value"] + 1) % len(c["values"])
                    ctl.select_option(index=index)
                    want = c["values"][index]
                page.wait_for_function("([img, before]) => { const e = document.querySelector(img);"
                                       " return e.src !== before && e.src.startsWith('blob:'); }",
                                       arg=[f"#{uid} img.dlbook-demo-frame", before], timeout=60_000)
                page.wait_for_function("([img, name, want]) => { const v = JSON.parse(document.querySelector(img)"
                                       ".dataset.liveValues || '{}')[name]; return typeof want === 'number' ?"
                                       " Math.abs(v - want) < 1e-9 : v === want; }",
                                       arg=[f"#{uid} img.dlbook-demo-frame", c["name"], want], timeout=60_000)
        assert page.evaluate("window.dlbookLive.errors") == []
        for spec in specs:  # notebook data is a file beside the page, fetched once Python starts
            if spec.get("data_src"):
                name = spec["data_src"].rsplit("/", 1)[1]
                assert any(u.endswith("/_demo/" + name) for u in visit.local), f"{name} was never fetched"
        from dlbook import pyodide_runtime as rt

        lock = rt.read_lock(built_book / "_live" / "pyodide")
        needs = rt.package_closure(lock, set().union(*(set(s["packages"]) | set(s["lazy"].values()) for s in specs)))
        if "scipy" not in needs:
            assert not [u for u in visit.local if "/scipy-" in u], f"{path} loaded scipy though no demo needs it"
        assert visit.external == [], f"requests to other hosts: {visit.external}"
        assert visit.errors == [], f"console errors: {visit.errors}"
    finally:
        visit.close()


def _off_grid(c: dict) -> float:
    """A value on the control's own step but off its pre-rendered grid (or, if every step is pre-rendered,
    a value other than the default)."""
    low, high, step = c["low"], c["high"], c["step"]
    n = int(round((high - low) / step))
    grid = {round(g, 9) for g in c["grid"]}
    candidates = [round(low + k * step, 9) for k in range(n + 1)]
    off = [v for v in candidates if v not in grid] or [v for v in candidates if v != round(c["value"], 9)]
    v = off[len(off) // 2]
    return int(round(v)) if c["int"] else v
