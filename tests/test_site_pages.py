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


_POSITIONS = ("() => [...document.querySelectorAll('.bd-article :is(h2, h3, p, div.cell, div.cell_input, div.cell_output > *)')]"
              ".filter(e => !e.closest('details:not([open])'))  /* (folded: not drawn until opened) */"
              ".map(e => { const r = e.getBoundingClientRect(); return [Math.round(r.top + scrollY), Math.round(r.height)]; })")
_UNSKIP = ".bd-article * { content-visibility: visible !important; contain: none !important; }"
_CELL_PAGES = [DEMO_PAGES[0], "chapters/04-numerical-computation/03-second-order-and-constraints.html",
               "chapters/10-sequence-modelling/03-gated-rnns.html"]


@pytest.mark.browser
@pytest.mark.parametrize("path", _CELL_PAGES)
def test_cells_laid_out_near_the_screen_only_move_nothing(chromium, site: str, path: str) -> None:
    """site.css lays out a cell's code and outputs only near the screen (content-visibility: auto). Once every
    cell has been drawn (scrolled past), each heading, paragraph and cell that is not folded away sits where it sits
    without the rule, and a link to the page's last section lands on its heading."""
    visit = PageVisit(chromium, site, path + "?live=off")
    try:
        page = visit.page
        page.evaluate("() => MathJax.startup.promise")
        skips = page.evaluate("() => [...document.querySelectorAll('.bd-article div.cell_input')]"
                              ".filter(e => getComputedStyle(e).contentVisibility === 'auto').length")
        assert skips > 3, f"{path}: the rule applies to {skips} cells"
        page.evaluate("async () => { const frame = () => new Promise(r => requestAnimationFrame(r));"
                      " for (let y = 0; ; y += innerHeight / 2) { scrollTo(0, y); await frame(); await frame(); await frame();"
                      " if (y >= document.documentElement.scrollHeight - innerHeight) break; } scrollTo(0, 0); }")
        drawn = page.evaluate(_POSITIONS)
        page.add_style_tag(content=_UNSKIP)
        plain = page.evaluate(_POSITIONS)
        assert len(drawn) == len(plain) > 20
        moved = [(i, a, b) for i, (a, b) in enumerate(zip(drawn, plain)) if abs(a[0] - b[0]) > 1 or abs(a[1] - b[1]) > 1]
        assert not moved, f"{path}: {len(moved)} of {len(drawn)} boxes sit elsewhere without the rule: {moved[:3]}"
        last = page.evaluate("() => [...document.querySelectorAll('.bd-article section[id] > h2')].pop().parentElement.id")
        visit.close()
        visit = PageVisit(chromium, site, f"{path}?live=off#{last}")
        visit.page.evaluate("() => MathJax.startup.promise")
        visit.page.wait_for_timeout(500)
        top = visit.page.evaluate(f"() => document.getElementById({last!r}).querySelector('h2').getBoundingClientRect().top")
        assert 0 <= top <= 120, f"{path}#{last}: the heading is {top:.0f} px from the top of the window"
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()
