"""The build's page rewrites (dlbook.sphinxext) on small pages, without building the book: wide demo figures get
their scroll box, figures that must keep their colours in dark mode are marked, the Font Awesome script goes."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest

pytest.importorskip("sphinx")

from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from dlbook import sphinxext  # noqa: E402
from dlbook.demo import figure_png  # noqa: E402


def _line_plot() -> bytes:
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2)
    ax.bar([0.2, 0.5], [0.3, 0.6])
    return figure_png(fig, dpi=144)


def _photo() -> bytes:
    rng = np.random.default_rng(0)
    smooth = np.cumsum(np.cumsum(rng.normal(size=(120, 160)), 0), 1)
    grey = ((smooth - smooth.min()) / np.ptp(smooth) * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.stack([grey, grey // 2 + 60, 255 - grey], -1)).save(out, format="PNG")
    return out.getvalue()


def test_line_art_is_inverted_and_photographs_keep_their_colours(tmp_path) -> None:
    assert not sphinxext.keeps_colours(_line_plot())
    assert sphinxext.keeps_colours(_photo())
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "photo.png").write_bytes(_photo())
    (tmp_path / "_images" / "plot.png").write_bytes(_line_plot())
    frame = base64.b64encode(_photo()).decode()
    page = (f'<img alt="a" src="_images/photo.png" /><img alt="b" src="_images/plot.png" />'
            f'<img class="dlbook-demo-frame" alt="c" width="80" src="data:image/png;base64,{frame}">')
    out = sphinxext.mark_colour_figures(page, tmp_path / "page.html")
    assert out.count("dlbook-keep-colours") == 2
    assert '<img class="dlbook-keep-colours" alt="a"' in out and '<img alt="b"' in out
    assert 'class="dlbook-demo-frame dlbook-keep-colours"' in out
    assert sphinxext.mark_colour_figures(out, tmp_path / "page.html") == out


def test_demo_figures_get_a_scroll_box_once() -> None:
    page = '<div class="dlbook-demo"><img class="dlbook-demo-frame dlbook-keep-colours" width="600" src="x"></div>'
    once = sphinxext.wrap_demo_figures(page)
    assert once.count('class="dlbook-demo-figure"') == 1 and "dlbook-demo-scroll-hint" in once
    assert sphinxext.wrap_demo_figures(once) == once


def test_font_awesome_script_is_dropped() -> None:
    page = ('<script defer src="../_static/scripts/bootstrap.js?digest=1"></script>\n'
            '<script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>\n<x>')
    out = sphinxext.drop_fontawesome_js(page)
    assert "fontawesome" not in out and "bootstrap.js" in out


def test_icon_fonts_are_cut_to_the_icons_used(tmp_path) -> None:
    """From the theme's own fonts: a page naming fa-bars and fa-github gets faces holding just those icons."""
    import shutil
    from pathlib import Path

    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    static = tmp_path / "_static"
    shutil.copytree(theme / "vendor" / "fontawesome" / "webfonts", static / "vendor" / "fontawesome" / "webfonts")
    (static / "styles").mkdir()
    shutil.copy(theme / "styles" / "pydata-sphinx-theme.css", static / "styles")
    (static / "site").mkdir()
    (static / "site" / "site.css").write_text("body{}\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text('<i class="fa-solid fa-bars"></i><i class="fab fa-github"></i>', encoding="utf-8")
    size = sphinxext.subset_icon_fonts(tmp_path, [page])
    assert 0 < size < 30_000
    css = (static / "site" / "site.css").read_text(encoding="utf-8")
    assert "U+F0C9" in css and "U+F09B" in css and css.startswith("body{}")
    sphinxext.subset_icon_fonts(tmp_path, [page])
    assert (static / "site" / "site.css").read_text(encoding="utf-8") == css  # appended once


def test_a_pasted_figure_borrows_the_alt_text_of_its_own_page() -> None:
    from dlbook.sphinxext import borrow_image_alts, image_alts

    own = '<img alt="a photograph and its edge map" src="../../_images/ab12.png" style="width: 300px" />'
    pasted = '<p><img class="x" alt="_images/ab12.png" src="_images/ab12.png" /></p>'
    other = '<img alt="_images/cd34.png" src="_images/cd34.png" />'
    alts = image_alts([own, pasted, other])
    assert alts == {"ab12.png": "a photograph and its edge map"}
    assert 'alt="a photograph and its edge map"' in borrow_image_alts(pasted, alts)
    assert borrow_image_alts(other, alts) == other  # nothing to borrow: left as it is


def test_mathjax_theme_and_search_scripts_load_after_the_page_is_parsed() -> None:
    page = ('<html><head><script src="_static/doctools.js"></script>\n'
            '<script defer="defer" src="_static/vendor/mathjax/tex-mml-chtml.js?v=1&amp;a=b"></script>\n'
            '<script type="module" src="_static/live/live.js"></script>\n'
            '<script src="../_static/searchtools.js"></script>\n<script src="../_static/language_data.js"></script>\n'
            '<script src="../searchindex.js"></script>\n</head><body>'
            '<script defer src="_static/scripts/bootstrap.js?digest=a"></script>\n'
            '<script defer src="_static/scripts/pydata-sphinx-theme.js?digest=a"></script>\n</body></html>')
    out = sphinxext.load_after_parse(page)
    assert "defer" not in out, "a deferred script would still run before DOMContentLoaded"
    assert not re.search(r'<script src="[^"]*(searchtools|language_data|searchindex)', out), "search tools block parsing"
    head = out.split("</head>")[0]
    lists = re.findall(r'(\[[^\]]*\])\.forEach\(function\(u\)\{add\(u,(true|false)\);\}\)', head)
    # Search before the theme (its search box needs it); the index only once a search box has the focus
    assert lists == [(json.dumps(["../_static/searchtools.js", "../_static/language_data.js",
                                  "_static/scripts/bootstrap.js?digest=a", "_static/scripts/pydata-sphinx-theme.js?digest=a"]),
                      "true"), ('["_static/vendor/mathjax/tex-mml-chtml.js?v=1&a=b"]', "false"),
                     ('["../searchindex.js"]', "true")], lists
    assert re.search(r'addEventListener\("focusin",onFocus\).*\}\);</script>', head), "the index must wait for a search"
    assert head.index('addEventListener("focusin"') > head.index('["../searchindex.js"]') > head.index("function onFocus")
    assert 'addEventListener("DOMContentLoaded"' in head, "the scripts must wait for DOMContentLoaded"
    assert '<link rel="preload" as="script" href="_static/vendor/mathjax/tex-mml-chtml.js?v=1&amp;a=b">' in head
    assert '<script src="_static/doctools.js"></script>' in out and 'src="_static/live/live.js"' in out
    # the search page loads its index at once, after the search tools
    search_page = sphinxext.load_after_parse('<head><script src="_static/searchtools.js"></script>'
                                             '<script src="searchindex.js"></script></head><div id="search-results">')
    assert '["_static/searchtools.js", "searchindex.js"].forEach' in search_page and "focusin" not in search_page
    assert sphinxext.load_after_parse("<p>no scripts</p>") == "<p>no scripts</p>"
