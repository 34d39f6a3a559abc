"""In headless Chromium every page of the built book renders its maths with no console error and no request to
another host, and every control of every demo changes its pre-rendered figure with live mode off."""

from __future__ import annotations

import pytest

from browsing import CHAPTER_PAGES, DEMO_PAGES, PageVisit

pytestmark = [pytest.mark.build]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["index.html", *CHAPTER_PAGES])
def test_page_renders_offline(chromium, site: str, path: str) -> None:
    visit = PageVisit(chromium, site, path)
    try:
        page = visit.page
        if path != "index.html":
            page.wait_for_selector("mjx-container", state="attached", timeout=60000)  # the first may sit in a folded solution
            assert page.locator("mjx-container").count() > 0, "no maths rendered by MathJax"
            assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
        assert visit.external == [], f"requests to other hosts: {visit.external}"
        assert visit.errors == [], f"console errors: {visit.errors}"
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", DEMO_PAGES)
def test_demos_respond_without_kernel(chromium, site: str, path: str) -> None:
    """Every control of every demo on the page changes the figure when moved (pre-rendered frames, live mode off)."""
    visit = PageVisit(chromium, site, path + "?live=off")
    try:
        page = visit.page
        demos = page.locator("div.dlbook-demo")
        assert demos.count() > 0, f"{path} calls a demo but shows no pre-rendered demo"
        for d in range(demos.count()):
            demo = demos.nth(d)
            demo.scroll_into_view_if_needed()
            # the frames arrive from _demo/<id>.js once the demo is in view
            page.wait_for_function("e => { const s = JSON.parse(e.querySelector('script.dlbook-demo-data').textContent);"
                                   " return !s.src || (window.dlbookFrames || {})[s.id]; }",
                                   arg=demo.element_handle(), timeout=30_000)
            assert "without Python" in demo.locator(".dlbook-demo-note").inner_text()
            img = demo.locator("img.dlbook-demo-frame")
            controls = demo.locator("[data-dlbook-control]")
            assert controls.count() > 0
            for c in range(controls.count()):
                ctl = controls.nth(c)
                before = img.get_attribute("src")
                start = ctl.input_value()
                if ctl.evaluate("e => e.tagName") == "SELECT":
                    n = ctl.locator("option").count()
                    candidates = [str(i) for i in range(n) if str(i) != start]
                else:
                    top = int(ctl.get_attribute("max"))
                    candidates = [v for v in dict.fromkeys([str(top), "0", str(top // 2)]) if v != start]
                changed = False
                for value in candidates:
                    if ctl.evaluate("e => e.tagName") == "SELECT":
                        ctl.select_option(index=int(value))
                    else:
                        ctl.fill(value)
                    if img.get_attribute("src") != before:
                        changed = True
                        break
                label = ctl.get_attribute("aria-label")
                assert changed, f"demo {d} on {path}: moving '{label}' never changed the figure"
                # put the control back so the next control is tested from the default setting
                (ctl.select_option(index=int(start)) if ctl.evaluate("e => e.tagName") == "SELECT" else ctl.fill(start))
                assert img.get_attribute("src") == before
        assert visit.external == [], f"requests to other hosts: {visit.external}"
        assert visit.errors == [], f"console errors: {visit.errors}"
    finally:
        visit.close()
