"""A small Sphinx extension for the book build (listed in ``_config.yml``).

1. Live demos. When the build starts it gets the checked Pyodide runtime (:mod:`dlbook.pyodide_runtime`,
   cached between builds). Each page that shows a live demo gets the module script ``_static/live/live.js``
   (from ``_assets/live/``); pages without demos load none of it. When the build ends it copies the runtime
   files those pages need to ``_build/html/_live/pyodide/`` (outside ``_static/``, which Jupyter Book would
   add to every page) and zips the installed ``dlbook`` package to ``_live/dlbook.zip``: the browser imports
   the very ``compute``/``draw`` functions the notebooks ran. With no runtime the build still succeeds, the
   demos stay pre-rendered, and the log says why and how to fix it.
2. After the HTML is written it removes repeated, identical inline ``<script>``
   lines from each page. sphinx-thebe 0.3.1 and sphinx-togglebutton register their
   inline snippets twice under Jupyter Book 1.0.4, so every page declared
   ``const THEBE_JS_URL`` twice and the browser reported a console error.
3. Light pages: a page that shows no ipywidgets view loses the saved widget state and the 2.4 MB widget
   manager (a demo's kernel-side widget is never shown in the book, which ranks its HTML view first), so
   nothing blocks its first paint. It also turns on the theme's search-as-you-type and gives every page a
   meta description. Each demo's frames move to a file loaded when the demo comes into view, and each live
   demo's notebook data to a file the worker fetches when Python starts. The scripts no first interaction needs
   (MathJax, the theme's, Sphinx's search tools) load after the page is parsed; the search index (460 KB)
   only when a search box is first used.
4. Pages that read as a book: a library listing longer than :data:`FOLD_LINES` lines (what
   :func:`dlbook.show_source` renders: a "``dlbook.x.f`` in ``lib/dlbook/x.py``, lines a–b:" line, then the code) folds behind a
   one-line summary, "Source of dlbook.x.f — N lines", that the reader opens. The notebook itself (Jupyter,
   Colab) keeps the plain listing; the fold is made here, so it also applies to outputs taken from the cache.
5. Every screen: each demo figure sits in a box that scrolls sideways on a phone instead of shrinking; figures
   that are mostly not white (photographs, heat maps) are marked to keep their colours in dark mode, where line
   art is shown inverted (``_assets/site/site.css``); the theme's Font Awesome script is dropped (its stylesheet
   draws the same icons from web fonts).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)
_LIVE_SPEC = re.compile(r'<script type="application/json" class="dlbook-demo-live">(.*?)</script>', re.S)

_INLINE = re.compile(r"^\s*<script>.*</script>\s*$")


def dedupe_inline_scripts(text: str) -> str:
    """Drop every inline-script line that repeats an earlier one in the same page."""
    seen: set[str] = set()
    out = []
    for line in text.splitlines(keepends=True):
        if _INLINE.match(line):
            key = line.strip()
            if key in seen:
                continue
            seen.add(key)
        out.append(line)
    return "".join(out)


_WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*', re.S)
_WIDGET_MANAGER = re.compile(r'<script src="[^"]*vendor/html-manager/[^"]*"></script>\s*')
_WIDGET_VIEW = 'type="application/vnd.jupyter.widget-view+json"'


def drop_unused_widgets(text: str) -> str:
    """Remove the widget state and manager from a page that shows no widget view."""
    if _WIDGET_VIEW in text:
        return text
    return _WIDGET_MANAGER.sub("", _WIDGET_STATE.sub("", text))


_DEMO_DATA = re.compile(r'(<script type="application/json" class="dlbook-demo-data">)(.*?)(</script>)', re.S)


def externalize_frames(text: str, page: Path, outdir: Path) -> str:
    """Move each demo's pre-rendered frames out of the page into ``_demo/<id>.js``, which the demo's script
    loads when the demo comes into view (a script, not ``fetch``, so it also works from ``file://``).
    The page keeps the default frame in its ``<img>``, so it shows without JavaScript."""
    import os

    def move(m: re.Match) -> str:
        spec = json.loads(m.group(2))
        if "frames" not in spec or "id" not in spec:
            return m.group(0)
        out = outdir / "_demo" / f"{spec['id']}.js"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"(window.dlbookFrames=window.dlbookFrames||{{}})[{json.dumps(spec['id'])}]="
                       f"{json.dumps(spec.pop('frames'))};\n", encoding="utf-8")
        spec["src"] = os.path.relpath(out, page.parent).replace(os.sep, "/")
        return m.group(1) + json.dumps(spec) + m.group(3)

    return _DEMO_DATA.sub(move, text)


def externalize_live_data(text: str, page: Path, outdir: Path) -> str:
    """Move each live demo's notebook data (trained weights, features: a base64 ``.npz`` in its live spec) out
    of the page into ``_demo/<sha1>.npz``; the spec keeps its relative address (``data_src``), and the worker
    fetches it only when Python starts (``_assets/live/worker.mjs``). Identical data is stored once."""
    import base64
    import hashlib
    import os

    from dlbook.demo import _json_in_html

    def move(m: re.Match) -> str:
        spec = json.loads(m.group(1))
        if not spec.get("data"):
            return m.group(0)
        raw = base64.b64decode(spec["data"])
        out = outdir / "_demo" / f"{hashlib.sha1(raw).hexdigest()[:16]}.npz"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists():
            out.write_bytes(raw)
        spec["data"] = None
        spec["data_src"] = os.path.relpath(out, page.parent).replace(os.sep, "/")
        return f'<script type="application/json" class="dlbook-demo-live">{_json_in_html(spec)}</script>'

    return _LIVE_SPEC.sub(move, text)


_FRAME_IMG = re.compile(r'(<div class="dlbook-demo-figure"[^>]*>)?(<img class="dlbook-demo-frame[ "][^>]*>)')
_SCROLL_HINT = ('<div class="dlbook-demo-scroll-hint" aria-hidden="true">the figure is wider than the screen: '
                'swipe it sideways to see all of it</div>')


def wrap_demo_figures(text: str) -> str:
    """Put each demo's figure in a box that, on a narrow screen, scrolls sideways with the figure at full size
    (its text stays >= 9 CSS px) instead of shrinking it; a hint under it shows when it does (site.css, site.js)."""
    def wrap(m: re.Match) -> str:
        if m.group(1):
            return m.group(0)
        return (f'<div class="dlbook-demo-figure" tabindex="0" role="group" aria-label="figure">{m.group(2)}</div>'
                + _SCROLL_HINT)

    return _FRAME_IMG.sub(wrap, text)


#: A figure keeps its colours in dark mode (instead of being shown inverted) when more than KEEP_SPREAD of its
#: pixels lie outside its eight commonest colours (photographs, heat maps, image grids: many tones), or more than
#: KEEP_DARK of them are dark (a dense colour map). Line art, bar charts and diagrams (white ground, a few flat
#: colours) are shown inverted. Thresholds read off the book's 173 figures and demo frames.
KEEP_SPREAD = 0.09
KEEP_DARK = 0.4
_IMG = re.compile(r'<img\b[^>]*>')
_KEEP = "dlbook-keep-colours"


def keeps_colours(png: bytes) -> bool:
    """Whether an image must keep its colours in dark mode (see :data:`KEEP_SPREAD`, :data:`KEEP_DARK`)."""
    import io

    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    q = (rgb >> 3).astype(np.int32)
    _, counts = np.unique((q[..., 0] << 10) | (q[..., 1] << 5) | q[..., 2], return_counts=True)
    spread = 1 - np.sort(counts)[::-1][:8].sum() / counts.sum()
    dark = np.mean(rgb @ np.array([0.2126, 0.7152, 0.0722]) < 0.6 * 255)
    return bool(spread > KEEP_SPREAD or dark > KEEP_DARK)


def mark_colour_figures(text: str, page: Path, cache: dict[str, bool] | None = None) -> str:
    """Give ``class="dlbook-keep-colours"`` to each figure of a page (a notebook image or a demo's default frame)
    that must keep its colours (:func:`keeps_colours`), so dark mode shows it as it is; line art is shown
    inverted there (site.css). An author can also give a figure the class by hand (``:class:``)."""
    import base64

    cache = {} if cache is None else cache

    def keeps(src: str) -> bool:
        if src not in cache:
            if src.startswith("data:image/png;base64,"):
                png = base64.b64decode(src.split(",", 1)[1])
            else:
                path = (page.parent / src).resolve()
                if path.suffix.lower() != ".png" or not path.is_file():
                    cache[src] = False
                    return False
                png = path.read_bytes()
            cache[src] = keeps_colours(png)
        return cache[src]

    def mark(m: re.Match) -> str:
        tag = m.group(0)
        src = _img_attr(tag, "src")
        if _KEEP in tag or not src or not (src.startswith("data:image/png") or "_images/" in src):
            return tag
        if not keeps(src):
            return tag
        if ' class="' in tag:
            return re.sub(r' class="([^"]*)"', lambda c: f' class="{c.group(1)} {_KEEP}"', tag, count=1)
        return tag.replace("<img", f'<img class="{_KEEP}"', 1)

    return _IMG.sub(mark, text)


_FONTAWESOME = re.compile(r'<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\s*')


def drop_fontawesome_js(text: str) -> str:
    """Remove the theme's 1.5 MB Font Awesome script (every icon as JavaScript-built SVG): the theme's stylesheet
    already has Font Awesome's icon classes and web fonts, so the icons draw from the fonts the page uses."""
    return _FONTAWESOME.sub("", text)


#: Deferred scripts no first interaction needs: MathJax (it typesets once loaded) and the theme's navigation
#: scripts. Deferred, they run before DOMContentLoaded and held it back by about 340 ms on a chapter page.
_AFTER_LOAD = re.compile(r'<script defer(?:="defer")? src="([^"]*(?:/mathjax/tex-mml-chtml|/scripts/bootstrap|'
                         r'/scripts/pydata-sphinx-theme)\.js[^"]*)"></script>\s*')
#: Sphinx's search tools, which the theme loads on every page for its search-as-you-type box: plain scripts, so
#: the parser stopped for each, and ``searchindex.js`` is the whole site's index (about 460 KB).
_SEARCH_TOOLS = re.compile(r'<script src="([^"]*(?:_static/searchtools|_static/language_data|/?searchindex)\.js'
                           r'[^"]*)"></script>\s*')


def load_after_parse(text: str) -> str:
    """Load the :data:`_AFTER_LOAD` and :data:`_SEARCH_TOOLS` scripts just after DOMContentLoaded instead of
    before it, so a page's text and demo controls are ready sooner.

    One ordered list runs first: the search tools (the theme's search box needs Sphinx's ``Search`` when it
    starts), then the theme's scripts in their order. The search index is fetched only when a search box first
    gets the focus (``Search`` keeps a query typed before the index arrives and runs it then), so a visit that
    does not search never transfers it; the search page itself (``id="search-results"``) loads it last in the
    list. MathJax runs on its own once downloaded, which a preload starts while the page is parsed."""
    deferred = [html.unescape(u) for u in _AFTER_LOAD.findall(text)]
    search = [html.unescape(u) for u in _SEARCH_TOOLS.findall(text)]
    if not (deferred or search) or "</head>" not in text:
        return text
    index = [u for u in search if "searchindex" in u]
    search_page = 'id="search-results"' in text
    ordered = ([u for u in search if u not in index] + [u for u in deferred if "/mathjax/" not in u]
               + (index if search_page else []))
    lazy = [] if search_page else index
    maths = [u for u in deferred if "/mathjax/" in u]
    preload = "".join(f'<link rel="preload" as="script" href="{html.escape(u)}">\n' for u in maths)
    loader = ('<script>addEventListener("DOMContentLoaded",function(){function add(u,inOrder){'
              'var s=document.createElement("script");s.src=u;s.async=!inOrder;document.head.appendChild(s);}'
              f'{json.dumps(ordered)}.forEach(function(u){{add(u,true);}});'
              f'{json.dumps(maths)}.forEach(function(u){{add(u,false);}});'
              + ('function onFocus(e){if(e.target.matches&&e.target.matches(\'input[name="q"]\')){'
                 'document.removeEventListener("focusin",onFocus);'
                 f'{json.dumps(lazy)}.forEach(function(u){{add(u,true);}});}}}}'
                 'document.addEventListener("focusin",onFocus);' if lazy else '')
              + '});</script>\n')
    text = _SEARCH_TOOLS.sub("", _AFTER_LOAD.sub("", text))
    return text.replace("</head>", preload + loader + "</head>", 1)


_FA_RULE = re.compile(r'((?:\.fa-[\w-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]{4})"\}')
_FA_FONTS = {"fa-solid-900": ("Font Awesome 6 Free", 900), "fa-regular-400": ("Font Awesome 6 Free", 400),
             "fa-brands-400": ("Font Awesome 6 Brands", 400)}


def icon_codepoints(static: Path, pages: list[Path]) -> set[int]:
    """Every Font Awesome codepoint the site can show: the ``fa-*`` icon classes its pages and scripts name,
    and every icon character its stylesheets use directly (the theme's admonition and button icons)."""
    theme = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    by_name = {name: int(code, 16) for names, code in _FA_RULE.findall(theme)
               for name in re.findall(r"\.fa-([\w-]+):", names)}
    used = set()
    scripts = [p for p in [*static.glob("*.js"), *static.glob("scripts/*.js")] if "fontawesome" not in p.name]
    for f in [*(p for p in pages if "_static" not in p.parts), *scripts]:  # not vendor/ (the widget manager
        # bundles Font Awesome 4's names)
        used.update(re.findall(r"\bfa-([a-z0-9-]+)", f.read_text(encoding="utf-8", errors="ignore")))
    codes = {by_name[n] for n in used if n in by_name}
    for css in static.rglob("*.css"):
        text = _FA_RULE.sub("", css.read_text(encoding="utf-8", errors="ignore"))
        codes.update(ord(c) for c in text if 0xE000 <= ord(c) <= 0xF8FF)
        codes.update(int(c, 16) for c in re.findall(r'"\\([ef][0-9a-f]{3})"', text))
    return codes


def subset_icon_fonts(outdir: Path, pages: list[Path]) -> int:
    """Cut the theme's Font Awesome web fonts (156 + 118 + 25 KB) to the icons the site shows: writes
    ``_static/site/<font>-subset.woff`` and appends ``@font-face`` rules to the built ``site/site.css`` whose
    ``unicode-range`` lists exactly those icons. Browsers compose the faces of one family by range, so any other
    icon (one a later script adds) still comes from the full font, loaded only then. Returns the bytes written."""
    from fontTools import subset

    static = Path(outdir) / "_static"
    fonts, css = static / "vendor" / "fontawesome" / "webfonts", static / "site" / "site.css"
    if not (fonts.is_dir() and css.is_file() and (static / "styles" / "pydata-sphinx-theme.css").is_file()):
        return 0
    codes = icon_codepoints(static, pages)
    rules, total = [], 0
    for stem, (family, weight) in _FA_FONTS.items():
        if not (fonts / f"{stem}.ttf").is_file():
            continue
        options = subset.Options()
        options.flavor = "woff"  # zlib: woff2 needs brotli, which the pinned set lacks
        font = subset.load_font(str(fonts / f"{stem}.ttf"), options)
        have = sorted(codes & set(font.getBestCmap()))
        if not have:
            continue
        sub = subset.Subsetter(options)
        sub.populate(unicodes=have)
        sub.subset(font)
        out = css.parent / f"{stem}-subset.woff"
        subset.save_font(font, str(out), options)
        total += out.stat().st_size
        ranges = ",".join(f"U+{c:X}" for c in have)
        rules.append(f'@font-face{{font-family:"{family}";font-style:normal;font-weight:{weight};font-display:block;'
                     f'src:url({out.name}) format("woff");unicode-range:{ranges}}}')
    text = css.read_text(encoding="utf-8").split(_SUBSET_MARK)[0]
    css.write_text(text + _SUBSET_MARK + "\n".join(rules) + "\n", encoding="utf-8")
    return total


_SUBSET_MARK = "\n/* Font Awesome cut to the icons this site shows (dlbook.sphinxext.subset_icon_fonts) */\n"


_HYPHENATED = re.compile(r"\b([A-Za-z]{2,})-([A-Za-z]{2,})\b")


def _index_hyphenated_titles(doctree: Any) -> None:
    """Search finds "backpropagation" and "backprop" on a page titled "Back-propagation": each hyphenated word of
    a section title also becomes an index entry spelt without the hyphen (the search page matches those)."""
    from docutils import nodes
    from sphinx import addnodes

    for section in list(doctree.findall(nodes.section)):
        if not section.children or not isinstance(section[0], nodes.title) or not section["ids"]:
            continue
        words = {a + b for a, b in _HYPHENATED.findall(section[0].astext())}
        if words:
            entries = [("single", w.lower(), section["ids"][0], "", None) for w in sorted(words)]
            section.insert(1, addnodes.index(entries=entries, inline=False))


def _hyphen_index_transform() -> type:
    from sphinx.transforms import SphinxTransform

    class HyphenatedTitleIndex(SphinxTransform):
        default_priority = 840  # before the domains collect index entries (SphinxDomains, 850)

        def apply(self, **kwargs: Any) -> None:
            _index_hyphenated_titles(self.document)

    return HyphenatedTitleIndex


#: Listings of at most this many lines stay open on the page; longer ones fold behind their summary.
FOLD_LINES = 12
#: A show_source heading: "dlbook.pca.fit_pca in lib/dlbook/pca.py, lines 47–66:" (before the name was added
#: there, outputs cached by older runs read "lib/dlbook/pca.py, lines 47–66:", and the name comes from the code).
_LISTING_HEAD = re.compile(r"^(?:(?P<name>dlbook[\w.]*) in )?lib/(dlbook/[\w/]+)\.py, lines (\d+)\u2013(\d+):$")
_DEFINES = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(\w+)", re.M)


def listing_summary(head: str, code: str) -> str | None:
    """The one-line summary of a show_source listing, or None if ``head`` is not a listing's heading line."""
    m = _LISTING_HEAD.match(head.strip())
    if m is None:
        return None
    path, first, last = m.group(2, 3, 4)
    qualified = m.group("name")
    if qualified is None:
        module = path.replace("/", ".").removesuffix(".__init__")
        name = _DEFINES.search(code)
        qualified = f"{module}.{name.group(1)}" if name else module
    n = len(code.rstrip("\n").splitlines())
    return (f'Source of <code>{html.escape(qualified)}</code> \u2014 {n} lines '
            f'<span class="dlbook-source-where">(lib/{html.escape(path)}.py, lines {first}\u2013{last})</span>')


def fold_source_listings(doctree: Any) -> int:
    """Wrap each show_source listing longer than FOLD_LINES in ``<details>`` with its summary; returns how many."""
    from docutils import nodes

    folded = 0
    for para in list(doctree.findall(nodes.paragraph)):
        parent = para.parent
        if parent is None:
            continue
        i = parent.index(para)
        block = parent[i + 1] if i + 1 < len(parent) else None
        if not isinstance(block, nodes.literal_block):
            continue
        code = block.astext()
        summary = listing_summary(para.astext(), code)
        if summary is None or len(code.rstrip("\n").splitlines()) <= FOLD_LINES:
            continue
        parent.replace(para, nodes.raw("", f'<details class="dlbook-source"><summary>{summary}</summary>',
                                       format="html"))
        parent.insert(i + 2, nodes.raw("", "</details>", format="html"))
        folded += 1
    return folded


def _fold_transform() -> type:
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class FoldSourceListings(SphinxPostTransform):
        default_priority = 5  # after MyST-NB picks each output's MIME type (SelectMimeType, 4)
        formats = ("html",)

        def run(self, **kwargs: Any) -> None:
            fold_source_listings(self.document)

    return FoldSourceListings


def _on_config_inited(app: Any, config: Any) -> None:
    config.html_theme_options = {**config.html_theme_options, "search_as_you_type": True}


def share_html_handlers(app: Any) -> None:
    """Give the single-page builder (``make pdf``) the node handlers extensions registered for ``html``.

    Sphinx uses the handlers registered under a builder's own name and falls back to its format (``html``) only
    when there are none; sphinx-exercise registers some for ``singlehtml``, so sphinx-proof's definitions and
    theorems (registered for ``html`` only) had no handler there and the single-page build failed."""
    handlers = app.registry.translation_handlers
    if app.builder.name != "html" and app.builder.format == "html" and app.builder.name in handlers:
        for node, pair in handlers.get("html", {}).items():
            handlers[app.builder.name].setdefault(node, pair)


def _on_builder_inited(app: Any) -> None:
    from dlbook import pyodide_runtime as rt

    share_html_handlers(app)
    app._dlbook_runtime = None
    if app.builder.format != "html":
        return
    try:
        app._dlbook_runtime, slow = rt.shipped_runtime()
        logger.info(f"dlbook: live demos on (Pyodide {rt.VERSION} from {app._dlbook_runtime}: every registry file "
                    f"checked against the official pyodide-lock.json{'' if slow else ', then precompiled'})")
        if slow:
            logger.info(f"dlbook: the runtime is shipped as checked, not precompiled, so live demos start "
                        f"more slowly: {slow}", color="red")
    except rt.RuntimeUnavailable as e:
        logger.info(f"dlbook: LIVE DEMOS OFF, demos stay pre-rendered: {e}\n  {rt.runtime_help()}", color="red")


def _on_page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    title = re.sub(r"<[^>]+>", "", context.get("title", "")).strip()
    book = app.config.html_title or app.config.project
    description = f"{title}, in {book}" if title else book
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{_attr(description)}" />'
    if getattr(app, "_dlbook_runtime", None) is None:
        return
    if _LIVE_SPEC.search(context.get("body", "")):
        app.add_js_file("live/live.js", type="module")


def live_packages(pages: list[Path]) -> set[str]:
    """Every Pyodide package the live demos of these HTML pages import (at once or on first use)."""
    packages: set[str] = set()
    for page in pages:
        for spec in _LIVE_SPEC.findall(page.read_text(encoding="utf-8")):
            spec = json.loads(spec)
            packages.update(spec["packages"], spec["lazy"].values())
    return packages


def install_live(out: Path, runtime: Path, packages: set[str]) -> list[str]:
    """Copy the runtime files ``packages`` need into ``out/pyodide/`` and zip dlbook to ``out/dlbook.zip``."""
    from dlbook import browser
    from dlbook import pyodide_runtime as rt

    shutil.rmtree(out, ignore_errors=True)
    (out / "pyodide").mkdir(parents=True)
    files = [*rt.CORE, *rt.verify_runtime(runtime, sorted(packages))]
    if (runtime / "fontlist.json").is_file():  # matplotlib's font cache, built by rt.precompile
        files.append("fontlist.json")
    for name in files:
        shutil.copyfile(runtime / name, out / "pyodide" / name)
    browser.pack_library(out / "dlbook.zip")
    return files


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    pages = sorted(Path(app.outdir).rglob("*.html"))
    runtime = getattr(app, "_dlbook_runtime", None)
    packages = live_packages(pages) if runtime is not None else set()
    if packages:  # all pages, not only those written now: an incremental build keeps the others' needs
        files = install_live(Path(app.outdir) / "_live", runtime, packages)
        logger.info(f"dlbook: live demos shipped in _live/ ({len(files)} runtime files for "
                    f"{', '.join(sorted(packages))})")
    try:
        size = subset_icon_fonts(Path(app.outdir), pages)
        if size:
            logger.info(f"dlbook: Font Awesome cut to the icons the site shows ({size / 1e3:.0f} KB of web fonts)")
    except Exception as e:  # the full fonts still serve every icon
        logger.info(f"dlbook: Font Awesome fonts left whole: {e}")
    colours: dict[str, bool] = {}
    alts = image_alts([page.read_text(encoding="utf-8") for page in pages])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = borrow_image_alts(text, alts)
        new = load_after_parse(drop_fontawesome_js(drop_unused_widgets(dedupe_inline_scripts(new))))
        new = externalize_live_data(externalize_frames(new, page, Path(app.outdir)), page, Path(app.outdir))
        new = wrap_demo_figures(mark_colour_figures(new, page, colours))
        if new != text:
            page.write_text(new, encoding="utf-8")


def _img_attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m.group(1) if m else None


def image_alts(texts: list[str]) -> dict[str, str]:
    """``{image file name: alt text}`` for every image some page describes (an alt that is not its own path)."""
    alts: dict[str, str] = {}
    for text in texts:
        for tag in _IMG.findall(text):
            src, alt = _img_attr(tag, "src"), _img_attr(tag, "alt")
            if src and alt and Path(src).name not in alt:
                alts.setdefault(Path(src).name, alt)
    return alts


def borrow_image_alts(text: str, alts: dict[str, str]) -> str:
    """A figure pasted onto another page (``{glue}`` with ``:doc:``, as on the landing page) arrives with its file
    path as alt text; give it the description its own page gives it."""
    def fix(m: re.Match) -> str:
        tag = m.group(0)
        src, alt = _img_attr(tag, "src"), _img_attr(tag, "alt")
        if src and alt is not None and Path(src).name in alt and Path(src).name in alts:
            return tag.replace(f'alt="{alt}"', f'alt="{alts[Path(src).name]}"', 1)
        return tag
    return _IMG.sub(fix, text)


def _attr(text: str) -> str:
    return html.escape(html.unescape(text), quote=True)


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    app.add_transform(_hyphen_index_transform())
    app.add_post_transform(_fold_transform())
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
