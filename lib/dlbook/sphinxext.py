"""A small Sphinx extension for the book build (listed in ``_config.yml``).

After the HTML is written it removes repeated, identical inline ``<script>``
lines from each page. sphinx-thebe 0.3.1 and sphinx-togglebutton register their
inline snippets twice under Jupyter Book 1.0.4, so every page declared
``const THEBE_JS_URL`` twice and the browser reported a console error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = dedupe_inline_scripts(text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
