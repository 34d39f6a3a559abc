"""dlbook.reading_map: the map draws every paper of THREADS, and each "Author YEAR" label matches references.bib."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from dlbook.reading_map import THREADS, draw_reading_map  # noqa: E402

BIB = (Path(__file__).resolve().parents[1] / "references.bib").read_text(encoding="utf-8")


def test_every_box_is_drawn() -> None:
    fig = draw_reading_map()
    texts = {t.get_text() for t in fig.axes[0].texts}
    for question, (papers, chapters) in THREADS.items():
        assert question in texts
        assert all(p.replace(": ", ":\n") in texts for p in papers)
        assert all(c in texts for c in chapters)


def test_author_years_match_the_bibliography() -> None:
    entries = re.findall(r"@\w+\{[^,]+,(.*?)\n\}", BIB, re.S)
    for papers, _ in THREADS.values():
        for paper in papers:
            for name, year in re.findall(r"([A-Z][\w-]+) (\d{4})", paper.split(":")[0]):
                assert any(re.search(r"author\s*=\s*\{[^}]*" + name, e) and re.search(r"year\s*=\s*\{" + year, e)
                           for e in entries), f"no bib entry by {name} in {year} for {paper!r}"
