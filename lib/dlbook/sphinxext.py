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
   meta description. Each demo's frames move to a file loaded when the demo comes into view.
4. Pages that read as a book: a library listing longer than :data:`FOLD_LINES` lines (what
   :func:`dlbook.show_source` renders: a "``dlbook.x.f`` in ``lib/dlbook/x.py``, lines a–b:" line, then the code) folds behind a
   one-line summary, "Source of dlbook.x.f — N lines", that the reader opens. The notebook itself (Jupyter,
   Colab) keeps the plain listing; the fold is made here, so it also applies to outputs taken from the cache.
"""

from __future__ import annotations

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
    import html

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


def _on_builder_inited(app: Any) -> None:
    from dlbook import pyodide_runtime as rt

    app._dlbook_runtime = None
    if app.builder.format != "html":
        return
    try:
        app._dlbook_runtime = rt.ensure_runtime()
        logger.info(f"dlbook: live demos on (Pyodide {rt.VERSION} from {app._dlbook_runtime}, every file "
                    "checked against pyodide-lock.json)")
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
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = externalize_frames(drop_unused_widgets(dedupe_inline_scripts(text)), page, Path(app.outdir))
        if new != text:
            page.write_text(new, encoding="utf-8")


def _attr(text: str) -> str:
    import html

    return html.escape(html.unescape(text), quote=True)


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    app.add_transform(_hyphen_index_transform())
    app.add_post_transform(_fold_transform())
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
