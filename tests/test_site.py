"""The built book: it builds with no warning, its pages are light, local and crisp, its live runtime ships
outside _static/, and in headless Chromium the phone menu, both colour modes, the pre-rendered view without
JavaScript, the demo controls and the search work.

The browser tests are split over three modules (this one, ``test_site_pages.py`` and ``test_site_live.py``) so
that pytest-xdist (``--dist loadscope``) runs them on both workers; the book is built once per run, by whichever
worker needs it first (see ``built_book`` in conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from browsing import CHAPTER_PAGES, DEMO_PAGES, PageVisit
from harness import ROOT

pytestmark = [pytest.mark.build]

def test_book_builds_without_warnings(built_book: Path) -> None:
    assert (built_book / "index.html").exists()
    for page in CHAPTER_PAGES:
        assert (built_book / page).exists(), f"{page} missing from the built book"


def test_build_reused_the_notebooks_nbval_executed(built_book: Path) -> None:
    """Each notebook executes once per `make test`: the build takes nbval's outputs from the cache."""
    from harness import EXECUTED

    def code(path: Path) -> list[str]:
        nb = json.loads(path.read_text(encoding="utf-8"))
        return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]

    executed = {str(p.relative_to(EXECUTED)) for p in EXECUTED.rglob("*.ipynb")
                if (ROOT / p.relative_to(EXECUTED)).exists() and code(p) == code(ROOT / p.relative_to(EXECUTED))}
    chapters = {str(p.relative_to(ROOT)) for p in (ROOT / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    if not chapters <= executed:
        pytest.skip("nbval has not executed every notebook in this checkout (run `make test`, which runs it first)")
    log = (ROOT / "_build" / "build.log").read_text(encoding="utf-8")
    rerun = sorted(set(re.findall(r"(chapters/\S+\.ipynb): Executing notebook", log)))
    assert not rerun, f"the build executed these notebooks again instead of reusing nbval's run: {rerun}"


def test_no_cdn_in_built_pages(built_book: Path) -> None:
    """Every script and stylesheet a page names is local (or inline)."""
    pattern = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//[^"]+"')
    offenders = {}
    for page in built_book.rglob("*.html"):
        hits = [m.group(0) for m in pattern.finditer(page.read_text(encoding="utf-8"))]
        hits = [h for h in hits if 'rel="' not in h or "stylesheet" in h or "<script" in h]
        if hits:
            offenders[str(page.relative_to(built_book))] = hits[:3]
    assert not offenders, f"pages load scripts or styles from other hosts: {offenders}"


def test_every_registered_demo_is_shown_in_a_chapter() -> None:
    """So that the browser test below exercises every demo of the library."""
    from dlbook.demo import registered

    text = "".join((ROOT / p).with_suffix(".ipynb").read_text(encoding="utf-8") for p in CHAPTER_PAGES)
    missing = [n for n in registered() if not re.search(rf"\b{n.rsplit('.', 1)[1]}\(", text)]
    assert not missing, f"registered demos no notebook displays: {missing}"


def test_live_runtime_shipped_outside_static(built_book: Path) -> None:
    """The runtime sits in _live/ (not _static/), every package file matches the official lock, and only pages
    with a live demo load the live script."""
    from dlbook import pyodide_runtime as rt

    live = built_book / "_live"
    assert (live / "dlbook.zip").is_file() and (live / "pyodide" / "pyodide-lock.json").is_file()
    shipped = [p.name for p in (live / "pyodide").iterdir()]
    lock = rt.read_lock(live / "pyodide")
    packages = [n for n, e in lock.items() if e["file_name"] in shipped]
    rt.verify_runtime(live / "pyodide", packages)  # raises on any sha256 mismatch
    official = rt.cache_root() / f"pyodide-{rt.VERSION}"  # the checked originals (or DLBOOK_PYODIDE's copy)
    if os.environ.get("DLBOOK_PYODIDE"):
        official = Path(os.environ["DLBOOK_PYODIDE"])
    if shutil.which("node") and (official / "pyodide-lock.json").is_file():
        # the shipped runtime is precompiled: the official files with each module as bytecode, nothing else changed
        official_lock = rt.read_lock(official)
        assert (live / "pyodide" / "fontlist.json").is_file(), "matplotlib's font cache was not shipped"
        for name in packages:
            mine, theirs = dict(lock[name]), dict(official_lock[name])
            assert {**mine, "sha256": ""} == {**theirs, "sha256": ""}, f"{name}: lock entry changed beyond its sha256"
            shipped = {i.filename: i.CRC for i in zipfile.ZipFile(live / "pyodide" / mine["file_name"]).infolist()}
            original = {i.filename: i.CRC for i in zipfile.ZipFile(official / theirs["file_name"]).infolist()}
            assert {n.removesuffix("c") if n.endswith(".pyc") else n for n in shipped} == set(original), name
            changed = [n for n, crc in shipped.items() if not n.endswith(".pyc") and crc != original[n]]
            assert not changed, f"{name}: files other than compiled modules differ from the official ones: {changed[:5]}"
        for core in ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm"):
            assert (live / "pyodide" / core).read_bytes() == (official / core).read_bytes(), f"{core} was changed"
        numpy = zipfile.ZipFile(live / "pyodide" / lock["numpy"]["file_name"]).namelist()
        assert not [n for n in numpy if n.endswith(".py") and ".dist-info/" not in n], "numpy shipped as source"
    assert not list((built_book / "_static").rglob("pyodide*")), "runtime files leaked into _static/"
    for page in ["index.html", *CHAPTER_PAGES]:
        text = (built_book / page).read_text(encoding="utf-8")
        has_live = 'class="dlbook-demo-live"' in text
        assert ("live/live.js" in text) == has_live, f"{page}: live script present={not has_live}, live demos={has_live}"


def test_mathjax_theme_and_search_scripts_wait_for_the_parsed_page(built_book: Path) -> None:
    """dlbook.sphinxext.load_after_parse on the built pages: no page defers MathJax or the theme's scripts, or
    stops its parser for Sphinx's search tools (they would hold back DOMContentLoaded); each page that had them
    loads them after it, the search tools before the theme, from files that exist. The search index waits for a
    search box to get the focus, except on the search page, which loads it last."""
    pages = [p for p in built_book.rglob("*.html") if not p.relative_to(built_book).parts[0].startswith("_")
             and p != built_book / "index.html"]  # (the top index.html only redirects to intro.html)
    assert len(pages) > len(CHAPTER_PAGES)
    for path in pages:
        page, text = str(path.relative_to(built_book)), path.read_text(encoding="utf-8")
        assert not re.search(r'<script defer[^>]*(mathjax/tex-mml-chtml|scripts/bootstrap|scripts/pydata-sphinx-theme)',
                             text), f"{page} still defers a script it should load after parsing"
        assert not re.search(r'<script src="[^"]*(searchtools|language_data|searchindex)\.js', text), \
            f"{page} still stops parsing for the search tools"
        lists = re.findall(r'(\[[^\]]*\])\.forEach\(function\(u\)\{add\(u,(true|false)\);\}\)', text)
        names = [[u.split("?")[0].rsplit("/", 1)[-1] for u in json.loads(found)] for found, _ in lists]
        if 'class="math' in text:  # Sphinx adds MathJax to the pages with maths
            assert ["tex-mml-chtml.js"] in names, f"{page} has maths but does not load MathJax"
        names = [n for n in names if n and n != ["tex-mml-chtml.js"]]
        theme = ["searchtools.js", "language_data.js", "bootstrap.js", "pydata-sphinx-theme.js"]
        if page == "search.html":
            assert names == [theme + ["searchindex.js"]], f"{page}: scripts loaded as {names}"
        else:
            assert names == [theme, ["searchindex.js"]], f"{page}: scripts loaded as {names}"
            assert re.search(r'function onFocus\(e\)\{if\(e\.target\.matches&&e\.target\.matches\(\'input\[name="q"\]\'\)\)'
                             r'\{document\.removeEventListener\("focusin",onFocus\);\["[^"]*searchindex\.js"\]', text), page
        for found, _ in lists:
            for u in json.loads(found):
                assert (path.parent / u.split("?")[0]).is_file(), f"{page}: {u} does not exist"


@pytest.mark.browser
def test_prerendered_view_works_without_javascript(chromium, site: str) -> None:
    """With JavaScript off a demo still shows its default frame, with its status saying it is pre-rendered."""
    visit = PageVisit(chromium, site, DEMO_PAGES[0], javascript=False)
    try:
        page = visit.page
        demo = page.locator("div.dlbook-demo").first
        img = demo.locator("img.dlbook-demo-frame")
        assert img.get_attribute("src").startswith("data:image/png;base64,")
        assert img.evaluate("e => e.complete && e.naturalWidth > 0"), "the pre-rendered frame did not load"
        assert demo.locator(".dlbook-demo-status").inner_text().startswith("pre-rendered")
        assert not [u for u in visit.local if "/_live/" in u], "the runtime was fetched with JavaScript off"
        assert visit.external == []
    finally:
        visit.close()


@pytest.mark.browser
def test_pages_without_demos_load_no_runtime(chromium, site: str) -> None:
    visit = PageVisit(chromium, site, "index.html")
    try:
        assert not [u for u in visit.local if "/_live/" in u or "live/live.js" in u]
    finally:
        visit.close()


# -- reading on every screen (issue 11): light pages, crisp figures, phone navigation, dark mode, controls -------

def _pages(built_book: Path) -> list[Path]:
    return [built_book / p for p in ["intro.html", *CHAPTER_PAGES]]  # index.html only redirects to intro.html


def test_pages_without_widgets_load_no_widget_manager(built_book: Path) -> None:
    """The 2.4 MB widget manager and the saved widget state ship only with pages that show a widget view."""
    heavy = [str(p.relative_to(built_book)) for p in _pages(built_book)
             if "application/vnd.jupyter.widget-view+json" not in (t := p.read_text(encoding="utf-8"))
             and ("html-manager/embed.js" in t or "application/vnd.jupyter.widget-state+json" in t)]
    assert not heavy, f"pages load the widget manager but show no widget: {heavy}"


def test_every_page_has_a_favicon_site_assets_and_description(built_book: Path) -> None:
    for page in _pages(built_book):
        text = page.read_text(encoding="utf-8")
        icon = re.search(r'<link rel="icon" href="([^"]+)"', text)
        assert icon and (page.parent / icon.group(1)).resolve().is_file(), f"{page.name}: no favicon"
        assert "site/site.css" in text and "site/site.js" in text, f"{page.name}: the book's css/js missing"
        assert re.search(r'<meta name="description" content="[^"]{10,}"', text), f"{page.name}: no meta description"
        assert 'data-mode="auto"' in text or "default_mode" not in text


#: Most bytes of HTML a chapter page may have, everything inline included (the review measured 0.5-1.3 MB when
#: frames sat inline; live-demo data, up to 423 KB a page, now sits in files too).
MAX_PAGE_HTML = 300_000
_LIVE = re.compile(r'<script type="application/json" class="dlbook-demo-live">(.*?)</script>', re.S)


def test_demo_frames_are_files_and_pages_stay_light(built_book: Path) -> None:
    """No page carries its demos' frames or its live demos' notebook data inline: each demo names a _demo/ file
    that exists. Prints each page's HTML weight (and its demo files) and holds every chapter page, all of its
    inline content included, to MAX_PAGE_HTML bytes."""
    heavy, weights = [], []
    for page in _pages(built_book):
        text = page.read_text(encoding="utf-8")
        frames = live = 0
        for spec in re.findall(r'<script type="application/json" class="dlbook-demo-data">(.*?)</script>', text, re.S):
            spec = json.loads(spec)
            assert "frames" not in spec, f"{page.name}: demo frames inline in the page"
            assert (page.parent / spec["src"]).resolve().is_file(), f"{page.name}: {spec['src']} missing"
            frames += (page.parent / spec["src"]).resolve().stat().st_size
        for spec in _LIVE.findall(text):
            spec = json.loads(spec)
            assert not spec.get("data"), f"{page.name}: live-demo data inline in the page"
            if spec.get("data_src"):
                data = (page.parent / spec["data_src"]).resolve()
                assert data.is_file() and data.suffix == ".npz", f"{page.name}: {spec['data_src']} missing"
                live += data.stat().st_size
        size = len(text.encode())
        weights.append(f"{page.relative_to(built_book)} {size / 1e3:.0f} KB (+{frames / 1e3:.0f} KB frames, "
                       f"+{live / 1e3:.0f} KB live data, fetched when Python starts)")
        if size > MAX_PAGE_HTML:
            heavy.append(f"{page.relative_to(built_book)}: {size / 1e3:.0f} KB")
    print("\n".join(weights))
    assert not heavy, f"pages over {MAX_PAGE_HTML / 1e3:.0f} KB of HTML: {heavy}"


def _png_width(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:20], "big")


def test_figures_and_demo_frames_are_high_density(built_book: Path) -> None:
    """Every notebook figure is a 2x PNG shown at half its pixel width; every demo frame too."""
    soft = []
    for page in _pages(built_book):
        text = page.read_text(encoding="utf-8")
        for src, width in re.findall(r'<img [^>]*src="([^"]+\.png)" style="width: (\d+)px', text):
            if _png_width((page.parent / src).resolve()) < 1.9 * int(width):
                soft.append(f"{page.name}: {src}")
        for width, b64 in re.findall(r'<img class="dlbook-demo-frame[^"]*"[^>]* width="(\d+)"[^>]*src="data:image/png;base64,'
                                     r'([A-Za-z0-9+/]{40})', text):
            import base64

            if int.from_bytes(base64.b64decode(b64)[16:20], "big") < 1.9 * int(width):
                soft.append(f"{page.name}: demo frame")
    assert not soft, f"1x images (blurry on high-density screens): {soft[:5]}"
    demos = sum(len(re.findall(r'class="dlbook-demo-frame[ "]', p.read_text(encoding="utf-8"))) for p in _pages(built_book))
    sized = sum(len(re.findall(r'class="dlbook-demo-frame[^"]*"[^>]* width="\d+"', p.read_text(encoding="utf-8")))
                for p in _pages(built_book))
    assert demos == sized, "every demo frame carries its display width"


#: A phone's browser window (an iPhone 12-14 sized viewport, touch).
PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


@pytest.mark.browser
def test_phone_menu_and_contents_buttons_open_their_drawers(chromium, site: str) -> None:
    """At 390 px the visible menu button opens the book's table of contents, and "Contents" the page's sections."""
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{site}/{DEMO_PAGES[0]}", wait_until="networkidle")
        menu = page.locator(".primary-toggle:visible").first
        menu.tap()
        drawer = page.locator("#pst-primary-sidebar-modal")
        drawer.wait_for(state="visible", timeout=5000)
        assert drawer.evaluate("d => d.open"), "the menu button did not open the navigation drawer"
        assert drawer.locator("nav a.reference.internal:visible").count() >= 2, "the drawer shows no table of contents"
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open")
        page.locator(".secondary-toggle:visible").first.tap()
        toc = page.locator("#pst-secondary-sidebar-modal")
        toc.wait_for(state="visible", timeout=5000)
        assert toc.locator("a:visible").count() >= 2, "the Contents button did not open the page's sections"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
    finally:
        context.close()


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _mean_luminance(png: bytes) -> float:
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    return float((rgb @ [0.2126, 0.7152, 0.0722]).mean())


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_mode_follows_the_system_setting(chromium, site: str, scheme: str) -> None:
    """The page takes the reader's system colour scheme; the demo panel matches the page, not a light slab in
    dark mode. Saves a screenshot of the first demo in each mode to _build/screenshots/."""
    context = chromium.new_context(color_scheme=scheme, viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site}/{DEMO_PAGES[0]}?live=off", wait_until="networkidle")
        page.wait_for_function("s => document.documentElement.dataset.theme === s", arg=scheme, timeout=20_000)
        demo = page.locator("div.dlbook-demo").first
        demo.scroll_into_view_if_needed()
        panel = _luminance(demo.evaluate("e => getComputedStyle(e).backgroundColor"))
        body = _luminance(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        text = _luminance(demo.locator("label").first.evaluate("e => getComputedStyle(e).color"))
        outer = _luminance(demo.evaluate("e => getComputedStyle(e.parentElement).backgroundColor")
                           .replace("rgba(0, 0, 0, 0)", "rgb(%d, %d, %d)" % ((round(body * 255),) * 3)))
        assert abs(panel - body) < 0.25, f"{scheme}: demo panel luminance {panel:.2f} vs page {body:.2f}"
        assert abs(outer - body) < 0.25, f"{scheme}: the demo sits on a slab of luminance {outer:.2f} (page {body:.2f})"
        assert abs(text - panel) > 0.4, f"{scheme}: control labels ({text:.2f}) barely contrast with the panel"
        # the figures themselves: in dark mode line art (the demo's frame, a notebook figure) is dark, not a slab;
        # a figure marked to keep its colours (a photograph, a heat map) is shown as it is
        figures = [demo.locator("img.dlbook-demo-frame")]
        line_art = page.locator(".cell_output img:not(.dlbook-keep-colours)")
        if line_art.count():
            figures.append(line_art.first)
        for fig in figures:
            fig.scroll_into_view_if_needed()
            shade = _mean_luminance(fig.screenshot())
            if scheme == "dark":
                assert shade < 0.3, f"dark: a figure is a light slab (mean luminance {shade:.2f})"
            else:
                assert shade > 0.7, f"light: a figure has mean luminance {shade:.2f}"
        keep = page.locator("img.dlbook-keep-colours")
        if keep.count():
            assert keep.first.evaluate("e => getComputedStyle(e).filter") == "none"
        out = ROOT / "_build" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        demo.screenshot(path=str(out / f"demo-{scheme}.png"))
    finally:
        context.close()


@pytest.mark.browser
def test_demo_controls_announce_values_and_are_big_enough(chromium, site: str) -> None:
    """Sliders tell a screen reader the value ("100°"), not the frame index; controls are >= 24 px tall; the
    frames are drawn at twice the pixels they are shown at."""
    visit = PageVisit(chromium, site, DEMO_PAGES[0] + "?live=off")
    try:
        page = visit.page
        img = page.locator("img.dlbook-demo-frame").first
        img.scroll_into_view_if_needed()
        assert img.evaluate("e => e.naturalWidth >= 1.9 * e.getBoundingClientRect().width")
        for ctl in page.locator("[data-dlbook-control]").all():
            assert ctl.bounding_box()["height"] >= 24, f"{ctl.get_attribute('aria-label')}: touch target under 24 px"
        slider = page.locator('input[type="range"][data-dlbook-control]').first
        slider.fill(slider.get_attribute("max"))
        out = page.locator(f'output[data-for="{slider.get_attribute("id")}"]')
        assert slider.get_attribute("aria-valuetext") == out.inner_text() != ""
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


@pytest.mark.browser
@pytest.mark.parametrize("query", ["backprop", "backpropagation"])
def test_search_finds_hyphenated_titles(chromium, site: str, query: str) -> None:
    """The Back-propagation page is found under the spellings readers type."""
    visit = PageVisit(chromium, site, f"search.html?q={query}")
    try:
        page = visit.page
        page.wait_for_selector("#search-results ul.search li", timeout=30_000)
        hrefs = page.locator("#search-results ul.search li a").evaluate_all("es => es.map(e => e.getAttribute('href'))")
        assert any("04-backpropagation" in h for h in hrefs), f"{query!r} found {hrefs}"
        assert visit.external == []
    finally:
        visit.close()


@pytest.mark.browser
def test_search_box_on_a_chapter_page_finds_pages(chromium, site: str) -> None:
    """The theme's search-as-you-type box works on a chapter page although the search tools load only after the
    page is parsed and the index only when the box gets the focus; a query typed while the index is on its way
    runs when it arrives, and its snippets show no raw TeX (site.js patches Search as soon as it has run)."""
    visit = PageVisit(chromium, site, DEMO_PAGES[0] + "?live=off")
    try:
        page = visit.page
        page.wait_for_function("() => typeof Search !== 'undefined'", timeout=30_000)
        assert page.evaluate("() => Search.htmlToText.dlbookPatched === true"), "site.js did not patch Search"
        assert not [u for u in visit.local if "searchindex.js" in u], "the index loaded before anyone searched"
        held: list = []
        page.route("**/searchindex.js", lambda route: held.append(route))  # hold the index back until typed
        page.locator("button.search-button__button:visible").first.click()
        page.locator("#pst-search-dialog input[name=q]").press_sequentially("backpropagation", delay=20)
        page.wait_for_function("() => document.querySelector('#search-results') !== null", timeout=10_000)
        page.wait_for_timeout(600)  # past the theme's 300 ms debounce: the query is waiting for the index
        assert len(held) == 1 and page.evaluate("() => !Search.hasIndex() && Search._queued_query === 'backpropagation'")
        held[0].continue_()
        page.wait_for_selector('#search-results ul.search li a[href*="04-backpropagation"]', timeout=30_000)
        page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li p.context').length > 0",
                               timeout=30_000)
        snippets = page.locator("#search-results ul.search li p.context").all_inner_texts()
        assert not [s for s in snippets if "\\(" in s or "\\[" in s or "$$" in s], snippets[:3]
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


# -- numbers and captions, pages that read as a book (issue 11) ---------------------------------------------------

def test_landing_page_opens_with_a_described_figure_and_a_place_to_start(built_book: Path) -> None:
    text = (built_book / "intro.html").read_text(encoding="utf-8")
    start = text.index("Where to start")
    imgs = [m for m in re.finditer(r'<img [^>]*alt="([^"]*)"', text) if m.start() < start]
    assert imgs, "the landing page shows no figure before 'Where to start'"
    assert all(".png" not in m.group(1) and len(m.group(1)) > 20 for m in imgs), "a landing figure has no alt text"
    assert 'href="chapters/02-linear-algebra/index.html"' in text[start:start + 2000]


@pytest.mark.browser
def test_search_snippets_show_no_raw_tex(chromium, site: str) -> None:
    """Result snippets are cut from page text in which MathJax's source sits as TeX; site.js shows "…" instead
    (before the fix, 25 of the 73 snippets for "gradient" held raw TeX such as \\( ... \\))."""
    visit = PageVisit(chromium, site, "search.html?q=gradient")
    try:
        page = visit.page
        page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li p.context').length >= 20",
                               timeout=60_000)
        page.wait_for_timeout(1000)
        snippets = page.locator("#search-results ul.search li p.context").all_inner_texts()
        tex = [t[:80] for t in snippets if "\\(" in t or "\\[" in t or "$$" in t]
        assert not tex, f"{len(tex)} of {len(snippets)} search snippets show raw TeX: {tex[:3]}"
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


def _chapters() -> list[tuple[int, list[str]]]:
    """(the chapter's directory number, its pages in toc order: index first) for every chapter in _toc.yml."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            m = re.match(r"chapters/(\d\d)-[^/]+/index$", chapter["file"])
            if m:
                out.append((int(m.group(1)), [chapter["file"]] + [s["file"] for s in chapter.get("sections", [])]))
    return out


_CAPTION_NUMBER = re.compile(r'<span class="caption-number">([A-Z][a-z]+\.?) ([\d.]+) </span>')
_EQNO = re.compile(r'<span class="eqno">\(([\d.]+)\)<a class="headerlink" href="#equation-([\w-]+)"')
_EQREF = re.compile(r'<a class="reference internal" href="([^"#]*)#equation-([\w-]+)">\(([\d.]+)\)</a>')


def test_numbers_are_per_chapter_and_chapters_are_the_books(built_book: Path) -> None:
    """Chapter numbers on the site are the directory numbers (the source book's 1..23, across the toc's parts);
    figures, exercises, definitions, theorems and labelled equations are numbered within their chapter, from 1,
    in reading order ("Exercise 6.3", not the book-wide "Exercise 45"); every equation reference shows the number
    of the equation it links to."""
    chapters = _chapters()
    assert [n for n, _ in chapters] == sorted(n for n, _ in chapters), "chapters out of order in _toc.yml"
    eqnos, refs, counts = {}, [], {}
    for number, pages in chapters:
        index = (built_book / f"{pages[0]}.html").read_text(encoding="utf-8")
        assert re.search(rf'<h1><span class="section-number">{number}\. </span>', index), \
            f"{pages[0]}: the site does not number this chapter {number}"
        seen: dict[str, list[int]] = {}
        for page in pages:
            text = (built_book / f"{page}.html").read_text(encoding="utf-8")
            for kind, num in _CAPTION_NUMBER.findall(text):
                assert re.fullmatch(rf"{number}\.\d+", num), f"{page}: {kind} {num} is not numbered in chapter {number}"
                seen.setdefault(kind, []).append(int(num.split(".")[1]))
            for num, label in _EQNO.findall(text):
                assert re.fullmatch(rf"{number}\.\d+", num), f"{page}: equation ({num}) not numbered in chapter {number}"
                seen.setdefault("equation", []).append(int(num.split(".")[1]))
                eqnos[label] = num
            refs += [(page, *r) for r in _EQREF.findall(text)]
        for kind, nums in seen.items():
            assert nums == list(range(1, len(nums) + 1)), f"chapter {number}: {kind} numbers {nums} (expected 1, 2, …)"
            counts[kind] = counts.get(kind, 0) + len(nums)
    for page, _, label, num in refs:
        assert eqnos.get(label) == num, f"{page}: a reference to {label} reads ({num}), the equation is ({eqnos.get(label)})"
    # not vacuous: the book has many numbered exercises, figures, definitions and equations, and references to them
    assert counts.get("Exercise", 0) > 100 and counts.get("Fig.", 0) > 20 and counts.get("Definition", 0) > 10, counts
    assert counts.get("equation", 0) >= 10 and len(refs) >= 10, (counts, len(refs))


_LISTING = re.compile(r'<p><em>(?:<code[^>]*><span class="pre">[\w.]+</span></code> in )?<code[^>]*><span class="pre">'
                      r'lib/dlbook/[\w/]+\.py</span></code>, lines (\d+)–(\d+):</em></p>')


def test_long_listings_fold_and_code_wraps(built_book: Path) -> None:
    """Library listings longer than FOLD_LINES lines sit behind a one-line "Source of dlbook.x.f — N lines" summary;
    shorter ones stay open; the book's stylesheet wraps code lines instead of cutting them off."""
    from dlbook.sphinxext import FOLD_LINES

    folded = 0
    for page in _pages(built_book):
        text = page.read_text(encoding="utf-8")
        for first, last in _LISTING.findall(text):
            assert int(last) - int(first) + 1 <= FOLD_LINES, f"{page.name}: a {int(last) - int(first) + 1}-line listing is open"
        blocks = re.findall(r'<details class="dlbook-source"><summary>Source of <code>dlbook[\w.]*</code> — (\d+) lines'
                            r'.*?</summary>(.*?)</details>', text, re.S)
        assert len(blocks) == text.count('<details class="dlbook-source">'), f"{page.name}: a fold lost its summary"
        for n, body in blocks:
            assert int(n) > FOLD_LINES and body.lstrip().startswith('<div class="highlight-python')
            assert body.count("\n") >= int(n) - 1, f"{page.name}: a folded listing lost lines"
        folded += len(blocks)
    assert folded >= 20, f"only {folded} folded listings in the whole book"
    css = (built_book / "_static" / "site" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"div\.highlight pre \{ white-space: pre-wrap; overflow-wrap: anywhere; \}", css)


@pytest.mark.browser
def test_no_code_line_is_cut_off_on_a_phone(chromium, site: str) -> None:
    """At 390 px no code cell, listing or output scrolls sideways (lines wrap); a folded listing opens on a tap."""
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{site}/chapters/06-feedforward/04-backpropagation.html?live=off", wait_until="networkidle")
        fold = page.locator("details.dlbook-source").first
        assert not fold.evaluate("d => d.open")
        fold.locator("summary").tap()
        assert fold.evaluate("d => d.open"), "tapping the summary did not open the listing"
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        wide = page.evaluate("""() => [...document.querySelectorAll('div.highlight pre, div.output pre')]
            .filter(p => p.getClientRects().length && p.scrollWidth > p.clientWidth + 1).length""")
        total = page.evaluate("document.querySelectorAll('div.highlight pre').length")
        assert total > 5 and wide == 0, f"{wide} of {total} code blocks scroll sideways at 390 px"
    finally:
        context.close()


def _wide_demo_page(built_book: Path) -> str:
    """The first demo page with a multi-panel demo: a frame wider than a phone's column (358 CSS px)."""
    for path in DEMO_PAGES:
        widths = re.findall(r'<img class="dlbook-demo-frame[^>]* width="(\d+)"', (built_book / path).read_text(encoding="utf-8"))
        if any(int(w) > 400 for w in widths):
            return path
    pytest.skip("no demo is wider than a phone")


@pytest.mark.browser
def test_multi_panel_demo_figures_stay_legible_on_a_phone(chromium, site: str, built_book: Path) -> None:
    """At 390 px a demo figure wider than the column is shown at its drawn size, not shrunk (figure text is
    drawn at >= 9-10 pt at 72 dpi, so it stays >= 9 CSS px); it scrolls sideways in its own box, a hint under it
    says so, and the page itself still does not scroll sideways."""
    path = _wide_demo_page(built_book)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True,
                                   is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{site}/{path}?live=off", wait_until="networkidle")
        wide = [b for b in page.locator(".dlbook-demo-figure").all()
                if int(b.locator("img.dlbook-demo-frame").get_attribute("width")) > 400][0]
        wide.scroll_into_view_if_needed()
        img = wide.locator("img")
        shown = img.evaluate("e => e.getBoundingClientRect().width")
        drawn = int(img.get_attribute("width"))  # CSS px at which the figure's 10 pt text is 10 px
        assert img.evaluate("e => e.naturalWidth") >= 1.9 * drawn
        assert 10 * shown / drawn >= 9, f"{path}: figure shown at {shown:.0f} of {drawn} px, text ~{10 * shown / drawn:.1f} px"
        assert wide.evaluate("b => b.scrollWidth > b.clientWidth"), "the wide figure does not scroll in its box"
        wide.evaluate("b => { b.scrollLeft = 120; }")
        assert wide.evaluate("b => b.scrollLeft") > 0, "the figure box cannot be scrolled sideways"
        assert wide.get_attribute("data-scrolls") is not None
        hint = wide.locator("xpath=following-sibling::div[1]")
        assert "dlbook-demo-scroll-hint" in hint.get_attribute("class") and hint.is_visible()
        assert hint.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 10
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
        out = ROOT / "_build" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        page.locator("div.dlbook-demo", has=wide).screenshot(path=str(out / "demo-phone.png"))
    finally:
        context.close()


def test_pages_do_not_load_the_font_awesome_script(built_book: Path) -> None:
    """The theme's 1.5 MB fontawesome.js is dropped: its stylesheet draws the same icons from web fonts."""
    heavy = [p.name for p in _pages(built_book) + [built_book / "search.html"]
             if "scripts/fontawesome.js" in p.read_text(encoding="utf-8")]
    assert not heavy, f"pages still load fontawesome.js: {heavy}"


@pytest.mark.browser
def test_icons_draw_from_the_web_fonts(chromium, site: str) -> None:
    """Without the Font Awesome script every header icon still draws: its glyph comes from the web fonts the build
    cut to the site's icons (a few KB, not the theme's 300 KB), and it takes up room on the page."""
    visit = PageVisit(chromium, site, DEMO_PAGES[0] + "?live=off")
    try:
        page = visit.page
        page.evaluate("document.fonts.ready.then(() => true)")
        icons = page.locator(".article-header-buttons i[class*='fa-'], .theme-switch-button i[class*='fa-']")
        assert icons.count() >= 4
        for icon in icons.all():
            if not icon.is_visible():
                continue
            glyph = icon.evaluate("e => getComputedStyle(e, '::before').content")
            assert glyph not in ("none", "normal", '""'), f"{icon.get_attribute('class')}: no glyph"
            assert icon.bounding_box()["width"] >= 8, f"{icon.get_attribute('class')}: drawn {icon.bounding_box()}"
        loaded = page.evaluate("[...document.fonts].filter(f => f.family.includes('Font Awesome') && "
                               "f.status === 'loaded').map(f => f.family)")
        assert loaded, "no Font Awesome web font was loaded"
        assert not [u for u in visit.local if "fontawesome.js" in u]
        fonts = [u.rsplit("/", 1)[1] for u in visit.local if "/webfonts/" in u or u.endswith(".woff")]
        assert any(f.endswith("-subset.woff") for f in fonts), f"the cut icon fonts were not used: {fonts}"
        assert not [f for f in fonts if f.startswith("fa-") and "subset" not in f], f"whole icon fonts loaded: {fonts}"
        assert visit.errors == [] and visit.external == []
        out = ROOT / "_build" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        page.locator(".bd-header-article").screenshot(path=str(out / "header-icons.png"))
    finally:
        visit.close()
