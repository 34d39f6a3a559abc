"""show_source and how the book shows its listings: long ones fold behind a one-line summary on the site
(dlbook.sphinxext), while the notebook keeps the plain, highlighted listing; numpy arrays print for people."""

from __future__ import annotations

import subprocess
import sys

import pytest
from docutils import nodes

from dlbook import show_source
from dlbook.sphinxext import FOLD_LINES, fold_source_listings, listing_summary
from harness import ROOT


def _doctree(markdown: str) -> nodes.document:
    """The nodes MyST-NB makes of a show_source output: its markdown parsed by the same CommonMark parser."""
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer, make_document
    from myst_parser.parsers.mdit import create_md_parser

    doc = make_document()
    md = create_md_parser(MdParserConfig(commonmark_only=True), DocutilsRenderer)
    md.options["document"] = doc
    md.render(markdown)
    return doc


def test_show_source_renders_the_file_and_lines_and_the_code() -> None:
    from dlbook.pca import fit_pca

    text = show_source(fit_pca).data
    assert text.startswith("*`dlbook.pca.fit_pca` in `lib/dlbook/pca.py`, lines ")
    assert "```python\ndef fit_pca(" in text and text.rstrip().endswith("```")
    from dlbook import autodiff

    assert show_source(autodiff).data.startswith("*`dlbook.autodiff` in `lib/dlbook/autodiff.py`, lines 1–")


def test_long_listing_folds_with_a_summary_short_one_stays_open() -> None:
    from dlbook.pca import fit_pca, pca_encode

    doc = _doctree(show_source(fit_pca, pca_encode).data)
    assert fold_source_listings(doc) == 1  # fit_pca is longer than FOLD_LINES, pca_encode is not
    raws = [n.astext() for n in doc.findall(nodes.raw)]
    assert len(raws) == 2 and raws[1] == "</details>"
    n = len(show_source(fit_pca).data.split("```python\n", 1)[1].rsplit("\n```", 1)[0].splitlines())
    assert n > FOLD_LINES
    assert raws[0].startswith('<details class="dlbook-source"><summary>Source of <code>dlbook.pca.fit_pca</code> '
                              f"\u2014 {n} lines")
    blocks = list(doc.findall(nodes.literal_block))
    assert len(blocks) == 2 and "def fit_pca(" in blocks[0].astext()  # the code itself is still all there
    parent = blocks[0].parent
    i = parent.index(blocks[0])
    assert isinstance(parent[i - 1], nodes.raw) and parent[i + 1].astext() == "</details>"
    assert "pca_encode.py" not in raws[0] and any("lines" in p.astext() for p in doc.findall(nodes.paragraph))


def test_summary_names_a_method_by_its_class() -> None:
    from dlbook.autodiff import Value

    doc = _doctree(show_source(Value.backward).data)
    fold_source_listings(doc)
    html = " ".join(n.astext() for n in doc.findall(nodes.raw))
    assert "Source of <code>dlbook.autodiff.Value.backward</code>" in html


def test_summary_needs_a_listing_heading() -> None:
    assert listing_summary("some prose, lines 1\u20132:", "def f(): pass") is None
    # the heading of outputs cached before show_source named the object: the name comes from the code
    assert "dlbook.pca.fit_pca</code> \u2014 2 lines" in listing_summary("lib/dlbook/pca.py, lines 5\u20136:",
                                                                        "def fit_pca(X):\n    pass\n")
    assert "dlbook.demos.pca" in listing_summary("lib/dlbook/demos/pca.py, lines 1\u201340:", "x = 1\n")
    assert "dlbook.demos</code>" in listing_summary("lib/dlbook/demos/__init__.py, lines 1\u20139:", "x = 1\n")


def test_show_source_rejects_what_has_no_source() -> None:
    with pytest.raises(ValueError, match="function, class or module"):
        show_source(3)
    with pytest.raises(ValueError, match="at least one"):
        show_source()


def test_notebooks_print_arrays_for_people() -> None:
    """In a kernel, importing dlbook sets numpy's print options: four decimals, no e-notation columns."""
    code = ("import sys, types; sys.modules.setdefault('ipykernel', types.ModuleType('ipykernel')); import IPython\n"
            "import numpy as np, dlbook\n"
            "print(np.array([7.51e-01, 5.21e-01, 2.0e-3, 1234.5]))\n"
            "print(np.get_printoptions()['linewidth'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split("\n")
    assert "e-" not in out[0] and "0.751" in out[0] and "0.002" in out[0], out
    assert out[1] == "100"
    plain = subprocess.run([sys.executable, "-c", "import numpy as np, dlbook; print(np.get_printoptions()['linewidth'])"],
                           capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert plain == "75", "outside a kernel dlbook leaves numpy's print options alone"
